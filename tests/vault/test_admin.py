"""The vault in the admin panel: counts and sizes only, within the staff's départements."""

import pytest
from django.test import Client

from accounts.roles import Role
from vault import selectors

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


@pytest.fixture
def keep(make_document):
    """``keep(people, "passport", 3000)``: each of them puts one such document in the vault."""

    def _keep(people, document_type: str, size: int = 3000) -> None:
        for person in people:
            make_document(person, samples.pdf(size), document_type=document_type)

    return _keep


@pytest.fixture
def threshold(settings):
    settings.FIGURES_MIN_PEOPLE = 5
    return 5


def _usage(codes) -> tuple[dict, dict]:
    usage = selectors.vault_usage(codes)
    return {row["type"]: row for row in usage["rows"]}, usage["totals"]


def test_staff_see_their_departements_figures_only(
    young_people_of, keep, threshold, staff_93, staff_75
):
    keep(young_people_of("93", 5), "passport", 3000)
    keep(young_people_of("75", 5), "residence_permit", 20_000)
    _status, page_93 = _page(staff_93)
    assert "5 jeunes utilisent le coffre-fort" in page_93
    assert "<td>Passeport</td><td>5</td><td>14,6\xa0Kio</td>" in page_93  # 5 x 3000 bytes
    assert "<td>Titre de séjour</td><td>&lt; 5</td><td>&lt; 5</td>" in page_93
    assert "97,7\xa0Kio" not in page_93
    _status, page_75 = _page(staff_75)
    assert "5 jeunes utilisent le coffre-fort" in page_75
    assert "<td>Titre de séjour</td><td>5</td><td>97,7\xa0Kio</td>" in page_75
    assert "<td>Passeport</td><td>&lt; 5</td><td>&lt; 5</td>" in page_75
    assert "14,6\xa0Kio" not in page_75


def test_national_roles_see_every_departement(young_people_of, keep, threshold, national_editor):
    keep(young_people_of("93", 5), "passport", 3000)
    keep(young_people_of("75", 5), "residence_permit", 20_000)
    _status, page = _page(national_editor)
    assert "10 jeunes utilisent le coffre-fort" in page
    assert "<td>Passeport</td><td>5</td><td>14,6\xa0Kio</td>" in page
    assert "<td>Titre de séjour</td><td>5</td><td>97,7\xa0Kio</td>" in page


def test_a_type_kept_by_fewer_people_than_the_threshold_is_hidden(young_people_of, keep, threshold):
    people = young_people_of("93", 5)
    keep(people, "passport", 3000)
    keep(people[:4], "payslip", 2000)
    rows, _totals = _usage(["93"])
    assert (rows["passport"]["documents"], rows["passport"]["total_size"]) == (5, 15_000)
    assert (rows["payslip"]["documents"], rows["payslip"]["total_size"]) == (None, None)
    assert rows["tax_notice"]["documents"] is None  # nobody: a small count like any other
    keep(people[4:], "payslip", 2000)
    rows, _totals = _usage(["93"])
    assert (rows["payslip"]["documents"], rows["payslip"]["total_size"]) == (5, 10_000)


def test_the_totals_do_not_give_a_hidden_type_back(young_people_of, keep, threshold, staff_93):
    people = young_people_of("93", 5)
    keep(people, "passport", 3000)
    keep(people[:4], "payslip", 2000)
    rows, totals = _usage(["93"])
    # 9 documents and 23,000 bytes, minus the passports shown, would be the 4 payslips.
    assert rows["payslip"]["documents"] is None
    assert totals == {"documents": None, "total_size": None, "owners": 5}
    _status, page = _page(staff_93)
    # The totals are not small (9 documents of 5 people): hidden to protect the payslips.
    assert "<th>Total</th><th>secret</th><th>secret</th>" in page
    assert "<td>Bulletin de salaire</td><td>&lt; 5</td><td>&lt; 5</td>" in page
    assert "<th>9</th>" not in page


@pytest.mark.parametrize(
    "tax_notices, totals_shown",
    [
        # Payslips (3 people) and tax notices hidden: the totals minus the passports give
        # both together, which is safe only if they come from 5 different people.
        (slice(3, 5), True),  # 3 + 2 different people
        (slice(0, 2), False),  # 3 + 2 people, but only 3 different ones
    ],
)
def test_the_totals_show_when_the_hidden_types_stand_for_enough_people(
    young_people_of, keep, threshold, tax_notices, totals_shown
):
    people = young_people_of("93", 5)
    keep(people, "passport", 3000)
    keep(people[:3], "payslip", 2000)
    keep(people[tax_notices], "tax_notice", 1000)
    rows, totals = _usage(["93"])
    assert rows["payslip"]["documents"] is None
    assert rows["tax_notice"]["documents"] is None
    assert rows["passport"]["documents"] == 5
    if totals_shown:
        assert totals == {"documents": 10, "total_size": 23_000, "owners": 5}
    else:
        assert totals == {"documents": None, "total_size": None, "owners": 5}


def test_fewer_young_people_than_the_threshold_show_nothing(
    young_people_of, keep, threshold, staff_93
):
    keep(young_people_of("93", 4), "passport", 3000)
    rows, totals = _usage(["93"])
    assert totals == {"documents": None, "total_size": None, "owners": None}
    assert all(row["documents"] is None and row["total_size"] is None for row in rows.values())
    _status, page = _page(staff_93)
    assert "4 jeunes" not in page
    assert "11,7\xa0Kio" not in page  # 4 x 3000 bytes
    assert "<td>Passeport</td><td>&lt; 5</td><td>&lt; 5</td>" in page


def test_the_threshold_comes_from_the_settings(young_people_of, keep, settings, staff_93):
    settings.FIGURES_MIN_PEOPLE = 4
    keep(young_people_of("93", 4), "passport", 3000)
    _status, page = _page(staff_93)
    assert "4 jeunes utilisent le coffre-fort" in page
    assert "<td>Passeport</td><td>4</td><td>11,7\xa0Kio</td>" in page
    assert "<td>Bulletin de salaire</td><td>&lt; 4</td><td>&lt; 4</td>" in page
    assert "&lt; 4" in page and "&lt; 5" not in page


def test_over_several_departements_one_departements_hidden_figures_stay_hidden(
    young_people_of, keep, threshold
):
    keep(young_people_of("93", 5), "passport")
    keep(young_people_of("75", 2), "passport")
    # 7 passports from 7 people, but minus the 5 of Seine-Saint-Denis (shown in its own
    # figures) they would be Paris's 2.
    rows, totals = _usage(["93", "75"])
    assert rows["passport"]["documents"] is None
    assert totals["owners"] is None
    # With Hauts-de-Seine's 3, what is taken away is 2 départements and 5 people.
    keep(young_people_of("92", 3), "passport")
    rows, totals = _usage(["93", "75", "92"])
    assert rows["passport"]["documents"] == 10
    assert totals["owners"] == 10
    rows, totals = _usage(None)
    assert rows["passport"]["documents"] == 10
    assert totals["owners"] == 10


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
