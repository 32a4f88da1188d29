"""The publication workflow on an entry's admin page: one button per step its status
allows, each saying what happens next; the bulk actions stay."""

import pytest
from django.utils.html import escape

from services_catalog import services
from services_catalog.models import Entry, EntryRemoval

pytestmark = pytest.mark.django_db

ENTRIES = "/admin/services_catalog/entry/"

ALL_STEPS = ["submit_for_review", "publish", "archive", "return_to_draft", "mark_reviewed"]


@pytest.fixture
def entry_93(make_entry, partner_93):
    """A partner's draft in 93."""
    return make_entry(
        "Permanence juridique",
        publish=False,
        kind=Entry.Kind.OFFER,
        scope=Entry.Scope.DEPARTEMENTS,
        departement_id="93",
        zone_departements=["93"],
        proposed_by=partner_93,
    )


def _buttons(client, entry) -> dict[str, str]:
    """The page's workflow buttons: ``{action: what happens next}``."""
    response = client.get(f"{ENTRIES}{entry.pk}/change/")
    assert response.status_code == 200
    buttons = {b["name"]: str(b["next"]) for b in response.context["object_buttons"]}
    page = response.content.decode()
    for name, text in buttons.items():
        assert f'value="{name}" aria-describedby="jalon-next-{name}"' in page
        assert f'class="help">{escape(text)}</span>' in page
    return buttons


def _press(client, entry, name):
    return client.post(f"{ENTRIES}{entry.pk}/action/{name}/")


def _status(entry) -> str:
    entry.refresh_from_db()
    return entry.status


@pytest.mark.parametrize(
    ("status", "offered"),
    [
        (Entry.Status.DRAFT, ["submit_for_review", "publish", "archive"]),
        (Entry.Status.SUBMITTED, ["publish", "archive", "return_to_draft"]),
        (Entry.Status.PUBLISHED, ["archive", "return_to_draft", "mark_reviewed"]),
        (Entry.Status.ARCHIVED, ["publish", "return_to_draft"]),
    ],
)
def test_staff_see_the_steps_the_status_allows(client, staff_93, entry_93, status, offered):
    Entry.objects.filter(pk=entry_93.pk).update(status=status)
    client.force_login(staff_93)
    assert list(_buttons(client, entry_93)) == offered
    # Each step not offered is one its service refuses (mark_reviewed apart: any entry).
    for name in set(ALL_STEPS) - set(offered) - {"mark_reviewed"}:
        assert _press(client, entry_93, name).status_code == 403
        assert _status(entry_93) == status


def test_the_buttons_say_what_happens_next(client, staff_93, entry_93):
    client.force_login(staff_93)
    assert _buttons(client, entry_93) == {
        "submit_for_review": ("L'équipe éditoriale du département la relit avant de la publier."),
        "publish": (
            "La fiche apparaît dans l'application pour les jeunes qu'elle concerne, "
            "pendant ses dates de validité."
        ),
        "archive": (
            "La fiche disparaît de l'application mais reste ici ; elle pourra être "
            "publiée de nouveau."
        ),
    }


def test_staff_publish_then_archive_from_the_page(client, staff_93, entry_93, api_client):
    services.entry_submit(entry=entry_93)
    client.force_login(staff_93)
    response = _press(client, entry_93, "publish")
    assert response.status_code == 302
    assert response["Location"] == f"{ENTRIES}{entry_93.pk}/change/"
    assert _status(entry_93) == Entry.Status.PUBLISHED
    found = api_client.get("/api/v1/catalogue/entries/", {"q": "juridique"}).json()["results"]
    assert [row["id"] for row in found] == [entry_93.pk]
    page = client.get(response["Location"]).content.decode()
    assert "1 fiche publiée." in page  # the bulk action's own message

    _press(client, entry_93, "archive")
    assert _status(entry_93) == Entry.Status.ARCHIVED
    assert list(EntryRemoval.objects.values_list("entry_id", flat=True)) == [entry_93.pk]


def test_a_partner_sees_only_submit_and_submits_their_draft(client, partner_93, entry_93):
    client.force_login(partner_93)
    assert list(_buttons(client, entry_93)) == ["submit_for_review"]
    assert _press(client, entry_93, "publish").status_code == 403
    assert _status(entry_93) == Entry.Status.DRAFT
    assert _press(client, entry_93, "submit_for_review").status_code == 302
    assert _status(entry_93) == Entry.Status.SUBMITTED
    # Submitted: what becomes of it is the curators' call (no withdrawing either).
    assert _buttons(client, entry_93) == {}
    assert _press(client, entry_93, "return_to_draft").status_code == 403
    assert _status(entry_93) == Entry.Status.SUBMITTED
    # Nor through the list's bulk menu.
    bulk = {"action": "return_to_draft", "_selected_action": [entry_93.pk]}
    client.post(ENTRIES, bulk)
    assert _status(entry_93) == Entry.Status.SUBMITTED
    assert 'value="return_to_draft"' not in client.get(ENTRIES).content.decode()


def test_a_published_entry_offers_a_partner_nothing(client, partner_93, entry_93):
    services.entry_publish(entry=entry_93)
    client.force_login(partner_93)
    response = client.get(f"{ENTRIES}{entry_93.pk}/change/")
    assert response.context["object_buttons"] == []
    assert _press(client, entry_93, "archive").status_code == 403


def test_staff_of_75_cannot_press_a_button_of_93(client, staff_75, entry_93):
    client.force_login(staff_75)
    assert _press(client, entry_93, "publish").status_code == 404
    assert _press(client, entry_93, "archive").status_code == 404
    assert _status(entry_93) == Entry.Status.DRAFT


def test_a_button_is_pressed_with_post_only(client, staff_93, entry_93):
    client.force_login(staff_93)
    assert client.get(f"{ENTRIES}{entry_93.pk}/action/publish/").status_code == 405
    assert _status(entry_93) == Entry.Status.DRAFT


def test_only_national_editors_publish_a_national_entry(client, national_editor, make_entry):
    national = make_entry("Pécule", publish=False)
    client.force_login(national_editor)
    assert "publish" in _buttons(client, national)
    _press(client, national, "publish")
    assert _status(national) == Entry.Status.PUBLISHED


def test_bulk_actions_and_the_import_page_stay(client, staff_93, entry_93):
    client.force_login(staff_93)
    listing = client.get(ENTRIES)
    actions = [name for name, _label in listing.context["action_form"].fields["action"].choices]
    assert set(ALL_STEPS) <= set(actions)
    assert client.get(f"{ENTRIES}import-data-inclusion/").status_code == 200
    client.post(ENTRIES, {"action": "publish", "_selected_action": [entry_93.pk]})
    assert _status(entry_93) == Entry.Status.PUBLISHED
