"""The vault in the admin panel: counts and sizes only, drawn by the figures, within the
staff's départements; by the documents' coarse clear kind, never their sealed type."""

from datetime import timedelta

import pytest
from django.test import Client

from figures.models import MonthlyFigures
from figures.periods import Period
from vault.models import Document

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
            document_type="health_insurance_card",
        ),
    ]


def _page(user) -> tuple[int, str]:
    client = Client()
    client.force_login(user)
    response = client.get(USAGE)
    return response.status_code, response.content.decode()


@pytest.mark.parametrize("role", ["staff_93", "national_editor", "superuser"])
def test_admin_shows_no_title_file_name_or_person(request, documents, role):
    status, page = _page(request.getfixturevalue(role))
    assert status == 200
    for secret in ("Aminata", "aminata", "Yanis", "paie.pdf", "Fiche de paie", "yanis@"):
        assert secret not in page


def test_coordinators_read_no_figures_of_the_vault(documents, coordinator_93):
    # DESIGN.md: curators and national editors read aggregates; coordinators vet pairs.
    status, _page_content = _page(coordinator_93)
    assert status == 403


@pytest.fixture
def young_people_of(make_user):
    """``young_people_of("93", 5)``: that many young people living in the département."""
    made = []

    def _make(departement: str, count: int) -> list:
        people = []
        for _n in range(count):
            user = make_user(f"jeune.{len(made)}@example.org")
            user.profile.departement_id = departement
            user.profile.save()
            made.append(user)
            people.append(user)
        return people

    return _make


# The page shows the vault at the end of the last month that is over, as the figures do.
IN_LAST_MONTH = Period.last_closed_month().bounds()[0] + timedelta(days=1)


@pytest.fixture
def keep(make_document):
    """``keep(people, "passport", 3000)``: each of them put one such document in the
    vault last month."""

    def _keep(people, document_type: str, size: int = 3000) -> None:
        for person in people:
            document = make_document(person, samples.pdf(size), document_type=document_type)
            Document.objects.filter(pk=document.pk).update(created_at=IN_LAST_MONTH)

    return _keep


@pytest.fixture
def threshold(settings):
    settings.FIGURES_MIN_PEOPLE = 5
    return 5


def _read_again() -> None:
    """Forget the kept months, to read the same month afresh (a kept month never moves)."""
    MonthlyFigures.objects.all().delete()


def test_staff_see_their_departements_figures_only(
    young_people_of, keep, threshold, staff_93, staff_75
):
    keep(young_people_of("93", 5), "passport", 3000)
    keep(young_people_of("75", 5), "health_insurance_card", 20_000)
    _status, page_93 = _page(staff_93)
    assert "5 jeunes utilisent le coffre-fort" in page_93
    assert (
        "<td>Papiers d&#x27;identité et d&#x27;état civil</td><td>5</td><td>14,6\xa0Kio</td>"
        in page_93
    )  # 5 x 3000 bytes
    assert "<td>Papiers de santé</td><td>&lt; 5</td><td>&lt; 5</td>" in page_93
    assert "97,7\xa0Kio" not in page_93
    _status, page_75 = _page(staff_75)
    assert "5 jeunes utilisent le coffre-fort" in page_75
    assert "<td>Papiers de santé</td><td>5</td><td>97,7\xa0Kio</td>" in page_75
    assert (
        "<td>Papiers d&#x27;identité et d&#x27;état civil</td><td>&lt; 5</td><td>&lt; 5</td>"
        in page_75
    )
    assert "14,6\xa0Kio" not in page_75
    # Another département's page is not theirs.
    client = Client()
    client.force_login(staff_93)
    assert client.get(USAGE + "?scope=75").status_code == 403


def test_national_roles_see_every_departement(young_people_of, keep, threshold, national_editor):
    keep(young_people_of("93", 5), "passport", 3000)
    keep(young_people_of("75", 5), "health_insurance_card", 20_000)
    _status, page = _page(national_editor)
    assert "10 jeunes utilisent le coffre-fort" in page
    assert (
        "<td>Papiers d&#x27;identité et d&#x27;état civil</td><td>5</td><td>14,6\xa0Kio</td>"
        in page
    )
    assert "<td>Papiers de santé</td><td>5</td><td>97,7\xa0Kio</td>" in page


def test_a_type_kept_by_fewer_people_than_the_threshold_is_hidden(
    young_people_of, keep, threshold, staff_93
):
    people = young_people_of("93", 5)
    keep(people, "passport", 3000)
    keep(people[:4], "payslip", 2000)
    _status, page = _page(staff_93)
    assert (
        "<td>Papiers d&#x27;identité et d&#x27;état civil</td><td>5</td><td>14,6\xa0Kio</td>"
        in page
    )
    assert (
        "<td>Papiers d&#x27;argent, de travail et d&#x27;impôts</td><td>&lt; 5</td><td>&lt; 5</td>"
        in page
    )
    # Nobody: a small count like any other.
    assert "<td>Scolarité et diplômes</td><td>&lt; 5</td><td>&lt; 5</td>" in page
    keep(people[4:], "payslip", 2000)
    _read_again()
    _status, page = _page(staff_93)
    assert (
        "<td>Papiers d&#x27;argent, de travail et d&#x27;impôts</td><td>5</td><td>9,8\xa0Kio</td>"
        in page
    )  # 10,000 bytes


def test_no_total_gives_a_hidden_type_back(young_people_of, keep, threshold, staff_93):
    people = young_people_of("93", 5)
    keep(people, "passport", 3000)
    keep(people[:3], "payslip", 2000)
    keep(people[3:5], "diploma", 1000)
    _status, page = _page(staff_93)
    assert (
        "<td>Papiers d&#x27;identité et d&#x27;état civil</td><td>5</td><td>14,6\xa0Kio</td>"
        in page
    )
    assert (
        "<td>Papiers d&#x27;argent, de travail et d&#x27;impôts</td><td>&lt; 5</td><td>&lt; 5</td>"
        in page
    )
    # 10 documents and 23,000 bytes, minus the passports shown, would be the others: as
    # in the figures, a table whose people do not add up has no total.
    assert "<th>Total</th>" not in page
    assert "<td>10</td>" not in page and "22,5\xa0Kio" not in page


def test_fewer_young_people_than_the_threshold_show_nothing(
    young_people_of, keep, threshold, staff_93
):
    keep(young_people_of("93", 4), "passport", 3000)
    _status, page = _page(staff_93)
    assert "4 jeunes" not in page
    assert "&lt; 5 jeunes utilisent le coffre-fort" in page
    assert "11,7\xa0Kio" not in page  # 4 x 3000 bytes
    assert (
        "<td>Papiers d&#x27;identité et d&#x27;état civil</td><td>&lt; 5</td><td>&lt; 5</td>"
        in page
    )


def test_the_threshold_comes_from_the_settings(young_people_of, keep, settings, staff_93):
    settings.FIGURES_MIN_PEOPLE = 4
    keep(young_people_of("93", 4), "passport", 3000)
    _status, page = _page(staff_93)
    assert "4 jeunes utilisent le coffre-fort" in page
    assert (
        "<td>Papiers d&#x27;identité et d&#x27;état civil</td><td>4</td><td>11,7\xa0Kio</td>"
        in page
    )
    assert (
        "<td>Papiers d&#x27;argent, de travail et d&#x27;impôts</td><td>&lt; 4</td><td>&lt; 4</td>"
        in page
    )
    assert "&lt; 4" in page and "&lt; 5" not in page


def test_documents_of_this_month_show_once_it_is_over(young_people_of, make_document, staff_93):
    # Two readings a day apart would tell what one person uploaded that day.
    for person in young_people_of("93", 5):
        make_document(person, samples.pdf(3000), document_type="passport")
    _status, page = _page(staff_93)
    assert (
        "<td>Papiers d&#x27;identité et d&#x27;état civil</td><td>&lt; 5</td><td>&lt; 5</td>"
        in page
    )


def test_over_several_departements_one_departements_hidden_figures_stay_hidden(
    young_people_of, keep, threshold, national_editor
):
    keep(young_people_of("93", 5), "passport")
    keep(young_people_of("75", 2), "passport")
    # 7 passports from 7 people, but minus the 5 of Seine-Saint-Denis (shown in its own
    # figures) they would be Paris's 2.
    _status, page = _page(national_editor)
    assert (
        "<td>Papiers d&#x27;identité et d&#x27;état civil</td><td>secret</td><td>secret</td>"
        in page
    )
    assert "secret jeunes utilisent le coffre-fort" in page
    # With Hauts-de-Seine's 3, what is taken away is 2 départements and 5 people.
    keep(young_people_of("92", 3), "passport")
    _read_again()
    _status, page = _page(national_editor)
    assert (
        "<td>Papiers d&#x27;identité et d&#x27;état civil</td><td>10</td><td>29,3\xa0Kio</td>"
        in page
    )
    assert "10 jeunes utilisent le coffre-fort" in page


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


def test_partner_organisations_do_not_see_the_vaults_figures(documents, partner_93):
    status, _page_content = _page(partner_93)
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
