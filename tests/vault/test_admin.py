"""The vault in the admin panel: counts and sizes only, within the staff's départements."""

import pytest
from django.test import Client

from accounts.roles import Role

from . import samples

pytestmark = pytest.mark.django_db

USAGE = "/admin/vault/document/"


@pytest.fixture
def documents(young_person, other_young_person, make_document):
    return [
        make_document(
            young_person,
            samples.pdf(3000),
            title="Passeport d'Aminata",
            name="passeport-aminata.pdf",
            document_type="passport",
        ),
        make_document(
            young_person,
            samples.pdf(2000),
            title="Fiche de paie",
            name="paie.pdf",
            document_type="payslip",
        ),
        make_document(
            other_young_person,
            samples.pdf(20_000),
            title="Titre de Yanis",
            name="titre-yanis.pdf",
            document_type="residence_permit",
        ),
    ]


def _page(user) -> tuple[int, str]:
    client = Client()
    client.force_login(user)
    response = client.get(USAGE)
    return response.status_code, response.content.decode()


@pytest.mark.parametrize("role", ["staff_93", "coordinator_93", "national_editor", "superuser"])
def test_admin_shows_no_title_file_name_or_person(request, documents, role):
    status, page = _page(request.getfixturevalue(role))
    assert status == 200
    for secret in ("Aminata", "aminata", "Yanis", "paie.pdf", "Fiche de paie", "yanis@"):
        assert secret not in page


def test_staff_see_their_departements_figures_only(documents, staff_93, staff_75):
    _status, page_93 = _page(staff_93)
    assert "2 jeunes" not in page_93
    assert "1 jeune utilise le coffre-fort" in page_93
    assert "4,9\xa0Kio" in page_93  # 3000 + 2000 bytes, 93 only
    assert "19,5\xa0Kio" not in page_93
    _status, page_75 = _page(staff_75)
    assert "1 jeune utilise le coffre-fort" in page_75
    assert "19,5\xa0Kio" in page_75  # 20,000 bytes
    assert "4,9\xa0Kio" not in page_75


def test_national_roles_see_every_departement(documents, national_editor):
    _status, page = _page(national_editor)
    assert "2 jeunes utilisent le coffre-fort" in page


@pytest.mark.parametrize(
    "suffix", ["{id}/change/", "{id}/", "{id}/delete/", "add/", "{id}/history/"]
)
def test_there_is_no_page_for_a_single_document(documents, superuser, suffix):
    client = Client()
    client.force_login(superuser)
    response = client.get(USAGE + suffix.format(id=documents[0].pk))
    assert response.status_code == 404


def test_people_without_the_admin_cannot_see_the_figures(documents, young_person, mentor):
    for user in (young_person, mentor):
        status, _page_content = _page(user)
        assert status == 302  # to the login page


def test_partner_organisations_do_not_see_the_vaults_figures(documents, make_user):
    partner = make_user("asso@example.org", Role.PARTNER, departements=["93"])
    status, _page_content = _page(partner)
    assert status == 403
