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


def test_a_young_persons_credentials_cannot_be_set_in_the_admin(
    documents, young_person, staff_93, superuser
):
    client = Client()
    client.force_login(superuser)
    url = f"/admin/accounts/user/{young_person.pk}/"
    assert client.get(f"{url}password/").status_code == 403
    response = client.post(
        f"{url}password/", {"password1": "N3w-passw0rd!", "password2": "N3w-passw0rd!"}
    )
    assert response.status_code == 403
    young_person.refresh_from_db()
    assert young_person.check_password("correct-horse-battery-42")
    assert 'name="email"' not in client.get(f"{url}change/").content.decode()
    # Staff accounts are the superuser's to manage.
    assert client.get(f"/admin/accounts/user/{staff_93.pk}/password/").status_code == 200


def test_deleting_an_account_in_the_admin_shreds_its_vault(
    documents, young_person, superuser, django_capture_on_commit_callbacks
):
    from vault.models import Document, UserKey
    from vault.services import vault_storage

    blob = documents[0].blob_name
    client = Client()
    client.force_login(superuser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/accounts/user/{young_person.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not UserKey.objects.filter(user_id=young_person.pk).exists()
    assert not Document.objects.filter(owner_id=young_person.pk).exists()
    assert not vault_storage().exists(blob)
