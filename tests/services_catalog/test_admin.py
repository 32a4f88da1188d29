"""The catalogue in the admin: each département curates its own entries."""

from datetime import timedelta

import pytest
from django.utils import timezone

from services_catalog import services
from services_catalog.models import Entry, EntryRemoval
from tests.services_catalog.conftest import entry_form_data

pytestmark = pytest.mark.django_db

ENTRIES = "/admin/services_catalog/entry/"


@pytest.fixture
def entries(make_entry):
    return {
        "93": make_entry(
            "Mission locale de Bobigny",
            kind=Entry.Kind.OFFER,
            scope=Entry.Scope.DEPARTEMENTS,
            departement_id="93",
            zone_departements=["93"],
        ),
        "75": make_entry(
            "Mission locale de Paris",
            kind=Entry.Kind.OFFER,
            scope=Entry.Scope.DEPARTEMENTS,
            departement_id="75",
            zone_departements=["75"],
        ),
        "national": make_entry("Pécule"),
    }


def _form_data(**overrides):
    return entry_form_data(
        **{
            "steps-TOTAL_FORMS": "1",
            "steps-0-position": "1",
            "steps-0-text": "S'inscrire",
            **overrides,
        }
    )


def test_staff_list_shows_their_departement_only(client, staff_93, entries):
    client.force_login(staff_93)
    response = client.get(ENTRIES)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Mission locale de Bobigny" in content
    assert "Mission locale de Paris" not in content
    assert "Pécule" not in content  # national rights belong to national editors


def test_staff_cannot_open_or_change_another_departements_entry(client, staff_93, entries):
    client.force_login(staff_93)
    other = entries["75"]
    assert client.get(f"{ENTRIES}{other.pk}/change/").status_code == 302
    client.post(f"{ENTRIES}{other.pk}/change/", _form_data(departement="75", title="Piraté"))
    other.refresh_from_db()
    assert other.title == "Mission locale de Paris"
    assert client.get(f"{ENTRIES}{other.pk}/history/").status_code == 404


def test_staff_cannot_add_an_entry_for_another_departement(client, staff_93):
    client.force_login(staff_93)
    form = client.get(f"{ENTRIES}add/").context["adminform"].form
    assert {str(code) for code, _label in form.fields["departement"].choices if code} == {"93"}
    response = client.post(f"{ENTRIES}add/", _form_data(departement="75"))
    assert response.status_code == 200
    assert "departement" in response.context["adminform"].form.errors
    response = client.post(f"{ENTRIES}add/", _form_data(departement=""))
    assert "departement" in response.context["adminform"].form.errors
    assert not Entry.objects.filter(title="Atelier budget").exists()


def test_staff_creates_and_publishes_their_entry(client, staff_93, api_client):
    client.force_login(staff_93)
    response = client.post(f"{ENTRIES}add/", _form_data())
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = Entry.objects.get(title="Atelier budget")
    assert entry.status == Entry.Status.DRAFT
    assert entry.proposed_by == staff_93
    assert entry.steps.get().text == "S'inscrire"
    assert "atelier budget" in entry.search_text

    client.post(ENTRIES, {"action": "publish", "_selected_action": [entry.pk]})
    entry.refresh_from_db()
    assert entry.status == Entry.Status.PUBLISHED
    assert entry.reviewed_at == timezone.localdate()
    found = api_client.get("/api/v1/catalogue/entries/", {"q": "budget"}).json()["results"]
    assert [row["id"] for row in found] == [entry.pk]


def test_bulk_actions_only_touch_own_entries(client, staff_93, entries):
    client.force_login(staff_93)
    client.post(
        ENTRIES,
        {"action": "archive", "_selected_action": [entries["93"].pk, entries["75"].pk]},
    )
    entries["93"].refresh_from_db()
    entries["75"].refresh_from_db()
    assert entries["93"].status == Entry.Status.ARCHIVED
    assert entries["75"].status == Entry.Status.PUBLISHED
    assert list(EntryRemoval.objects.values_list("entry_id", flat=True)) == [entries["93"].pk]


def test_history_shows_who_changed_what(client, staff_93, entries):
    client.force_login(staff_93)
    entry = entries["93"]
    data = _form_data(
        title="Mission locale de Bobigny (nouvelle adresse)",
        **{
            "steps-TOTAL_FORMS": "0",
        },
    )
    response = client.post(f"{ENTRIES}{entry.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    latest = entry.history.first()
    assert latest.history_user == staff_93
    assert latest.title == "Mission locale de Bobigny (nouvelle adresse)"
    page = client.get(f"{ENTRIES}{entry.pk}/history/")
    assert page.status_code == 200
    assert staff_93.email in page.content.decode()


def test_partner_proposes_but_cannot_publish(client, partner_93, entries):
    client.force_login(partner_93)
    response = client.post(f"{ENTRIES}add/", _form_data(title="Permanence juridique"))
    assert response.status_code == 302
    proposal = Entry.objects.get(title="Permanence juridique")

    # Partners see their own proposals only, and have no publish action.
    listing = client.get(ENTRIES)
    assert "Permanence juridique" in listing.content.decode()
    assert "Mission locale de Bobigny" not in listing.content.decode()
    actions = [name for name, _label in listing.context["action_form"].fields["action"].choices]
    assert "submit_for_review" in actions
    assert "publish" not in actions

    client.post(ENTRIES, {"action": "submit_for_review", "_selected_action": [proposal.pk]})
    client.post(ENTRIES, {"action": "publish", "_selected_action": [proposal.pk]})
    proposal.refresh_from_db()
    assert proposal.status == Entry.Status.SUBMITTED
    with pytest.raises(services.PermissionDenied):
        services.entry_publish(entry=proposal, by=partner_93)


def test_staff_publishes_a_partner_proposal(client, partner_93, staff_93):
    client.force_login(partner_93)
    client.post(f"{ENTRIES}add/", _form_data(title="Permanence juridique"))
    proposal = Entry.objects.get(title="Permanence juridique")
    services.entry_submit(entry=proposal, by=partner_93)

    client.force_login(staff_93)
    listing = client.get(ENTRIES, {"status__exact": "submitted"})
    assert "Permanence juridique" in listing.content.decode()
    client.post(ENTRIES, {"action": "publish", "_selected_action": [proposal.pk]})
    proposal.refresh_from_db()
    assert proposal.status == Entry.Status.PUBLISHED


def test_national_editor_manages_national_rights(client, national_editor, entries):
    client.force_login(national_editor)
    response = client.post(
        f"{ENTRIES}add/", _form_data(departement="", scope="national", zone_departements=[])
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Entry.objects.get(title="Atelier budget").departement is None
    assert "Pécule" in client.get(ENTRIES).content.decode()


def test_entries_not_reviewed_for_six_months_are_flagged(client, staff_93, entries):
    Entry.objects.filter(pk=entries["93"].pk).update(
        reviewed_at=timezone.localdate() - timedelta(days=200)
    )
    client.force_login(staff_93)
    stale = client.get(ENTRIES, {"stale": "yes"}).content.decode()
    assert "Mission locale de Bobigny" in stale
    fresh = client.get(ENTRIES, {"stale": "no"}).content.decode()
    assert "Mission locale de Bobigny" not in fresh


def test_app_roles_never_reach_the_catalogue_admin(client, young_person, mentor):
    for user in (young_person, mentor):
        client.force_login(user)
        assert client.get(ENTRIES).status_code == 302
