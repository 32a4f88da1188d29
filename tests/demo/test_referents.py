"""The demo's référents: documented credentials that open /pro/, linked by jeune.93."""

import pytest
from django.test import Client

from accounts.models import User
from demo.accounts import DEMO_PASSWORD
from demo.referents import DEMO_REFERENTS
from referents import selectors
from referents.models import DemarcheProposal, Note
from tests.conftest import totp_code_for_secret
from vault.models import Share

from .common import make_run

# Each test starts from the demo as make run loaded it (one load for the module).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_loaded")]


def _sign_in(email: str, secret: str) -> Client:
    """As the README says: the demo password, then the code of the documented TOTP key."""
    client = Client()
    step = client.post("/accounts/login/", {"login": email, "password": DEMO_PASSWORD})
    assert step["Location"].startswith("/accounts/2fa/authenticate/")
    done = client.post("/accounts/2fa/authenticate/", {"code": totp_code_for_secret(secret)})
    assert done["Location"] == "/pro/"
    return client


@pytest.mark.parametrize("referent", DEMO_REFERENTS, ids=lambda referent: referent[0])
def test_a_demo_referent_signs_in_with_the_documented_key_and_sees_jeune_93(referent):
    email, _departement, _structure, _profession, _title, secret, scopes = referent
    page = _sign_in(email, secret).get("/pro/").content.decode()
    assert "Aminata" in page
    (link,) = selectors.young_people_links_for_user(user=User.objects.get(email=email))
    assert link.scopes == sorted(scopes)


def test_the_ase_educator_has_a_shared_paper_appointment_note_and_proposal():
    educator = User.objects.get(email="referent.93@demo.jalon.fr")
    (link,) = selectors.young_people_links_for_user(user=educator)
    file = selectors.young_person_file(link)
    assert file.appointments and file.documents
    # Her procedures: the one with a step ticked, and those her projet's actions link.
    (procedure,) = [row for row in file.demarches if row["done_count"]]
    assert procedure["title"].startswith("Demande de logement social")
    assert procedure["done_count"] == 1 and procedure["step_count"] > 1
    assert len(file.demarches) >= 3
    assert Note.objects.filter(author=educator).count() == 1
    assert DemarcheProposal.objects.filter(referent=educator).count() == 1
    make_run()
    assert Note.objects.filter(author=educator).count() == 1
    assert Share.objects.filter(referent=educator).count() == 1
