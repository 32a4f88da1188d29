"""“Signaler une erreur”: anyone reports an entry as wrong from the app; the curators of
its département (national entries: the national editors) handle it in the admin; the
figures count reports received and handled; a signed-in reporter finds theirs in their
export, and erasing the account leaves the report, anonymous."""

from datetime import timedelta

import pytest
from django.utils import timezone

from services_catalog import figures as catalogue
from services_catalog import services
from services_catalog.models import Entry, EntryErrorReport
from tests.conftest import PASSWORD
from tests.figures.conftest import OCTOBER, figures, paris

pytestmark = pytest.mark.django_db

REPORTS = "/admin/services_catalog/entryerrorreport/"
ENTRIES = "/admin/services_catalog/entry/"


def _url(entry) -> str:
    return f"/api/v1/catalogue/entries/{entry.pk}/reports/"


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


def _report(entry, kind=EntryErrorReport.Kind.WRONG_HOURS, message="", reporter=None):
    return services.entry_error_report_create(
        entry=entry, kind=kind, message=message, reporter=reporter
    )


# --- From the app ---------------------------------------------------------------------


def test_anyone_reports_an_error_without_an_account(api_client, entries):
    response = api_client.post(
        _url(entries["93"]),
        {"kind": "wrong_hours", "message": "  Fermé le samedi depuis septembre.  "},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["kind"] == "wrong_hours"
    assert body["message"] == "Fermé le samedi depuis septembre."
    assert body["entry"] == entries["93"].pk
    assert set(body) == {"id", "entry", "kind", "message", "created_at"}
    report = EntryErrorReport.objects.get()
    assert report.reporter is None
    assert report.departement_id == "93"  # whose curators handle it
    assert report.state == EntryErrorReport.State.NEW
    assert report.message == "Fermé le samedi depuis septembre."


def test_a_signed_in_young_person_reports_and_finds_it_in_their_export(
    client_for, young_person, entries
):
    client = client_for(young_person)
    response = client.post(_url(entries["national"]), {"kind": "closed"}, format="json")
    assert response.status_code == 201
    report = EntryErrorReport.objects.get()
    assert report.reporter == young_person
    assert report.departement_id is None  # a national entry: the national editors'

    export = client.get("/api/v1/me/export/").json()
    assert export["catalogue_error_reports"] == [
        {
            "entry_id": entries["national"].pk,
            "entry_title": "Pécule",
            "kind": "closed",
            "message": "",
            "state": "new",
            "created_at": report.created_at.isoformat(),
            "handled_at": None,
        }
    ]


def test_someone_elses_reports_are_not_in_the_export(
    client_for, young_person, other_young_person, entries
):
    client = client_for(young_person)
    client.post(_url(entries["93"]), {"kind": "closed"}, format="json")
    _report(entries["93"])  # anonymous
    _report(entries["75"], reporter=other_young_person)
    export = client.get("/api/v1/me/export/").json()
    assert len(export["catalogue_error_reports"]) == 1


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"kind": "spam"}, "kind", "invalid_choice"),
        ({}, "kind", "required"),
        ({"kind": "wrong_hours", "message": "x" * 1001}, "message", "max_length"),
        ({"kind": "other"}, "message", "required"),
        ({"kind": "wrong_information", "message": "   "}, "message", "required"),
        ({"kind": "wrong_hours", "email": "moi@example.org"}, "email", "unknown_field"),
    ],
)
def test_bad_reports_are_refused_and_nothing_is_stored(api_client, entries, body, field, code):
    response = api_client.post(_url(entries["93"]), body, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["status"] == 400
    assert error["fields"][field][0]["code"] == code
    assert not EntryErrorReport.objects.exists()


def test_a_message_of_exactly_the_limit_is_accepted(api_client, entries):
    response = api_client.post(
        _url(entries["93"]), {"kind": "other", "message": "é" * 1000}, format="json"
    )
    assert response.status_code == 201


def test_entries_the_app_does_not_show_cannot_be_reported(api_client, entries, make_entry):
    draft = make_entry("Brouillon", publish=False)
    archived = services.entry_archive(entry=make_entry("Ancienne aide"))
    for url in (_url(draft), _url(archived), "/api/v1/catalogue/entries/999999/reports/"):
        response = api_client.post(url, {"kind": "closed"}, format="json")
        assert response.status_code == 404, url
        assert response.json()["error"]["status"] == 404
    assert not EntryErrorReport.objects.exists()


def test_an_archived_entry_keeps_its_reports_a_deleted_one_takes_them(entries):
    _report(entries["93"])
    services.entry_archive(entry=entries["93"])
    assert EntryErrorReport.objects.filter(entry=entries["93"]).count() == 1
    services.entry_delete(entry=entries["93"])
    assert not EntryErrorReport.objects.exists()


def test_reports_are_rate_limited_so_a_script_cannot_flood_the_curators(api_client, entries):
    # The real throttle and the real cache, at the setting's rate (10 an hour).
    statuses = [
        api_client.post(_url(entries["93"]), {"kind": "closed"}, format="json").status_code
        for _ in range(11)
    ]
    assert statuses == [201] * 10 + [429]
    assert EntryErrorReport.objects.count() == 10
    refused = api_client.post(_url(entries["75"]), {"kind": "closed"}, format="json")
    assert refused.status_code == 429  # per sender, not per entry
    assert refused.json()["error"]["status"] == 429
    assert "Retry-After" in refused
    # Reading the catalogue is not limited by it.
    assert api_client.get(f"/api/v1/catalogue/entries/{entries['93'].pk}/").status_code == 200


# --- In the admin ---------------------------------------------------------------------


@pytest.fixture
def reports(entries):
    return {
        "93": _report(entries["93"], message="Le numéro a changé."),
        "75": _report(entries["75"], EntryErrorReport.Kind.WRONG_ADDRESS, "Déménagé rue Curial"),
        "national": _report(entries["national"], EntryErrorReport.Kind.CLOSED),
    }


def _listed(client, query="") -> set[int]:
    response = client.get(REPORTS + query)
    assert response.status_code == 200
    return {report.pk for report in response.context["cl"].result_list}


def test_curators_see_their_departements_reports_only(
    client, staff_93, staff_75, national_editor, reports
):
    client.force_login(staff_75)
    assert _listed(client) == {reports["75"].pk}
    assert client.get(f"{REPORTS}{reports['93'].pk}/change/").status_code == 302  # not found
    client.post(f"{REPORTS}{reports['93'].pk}/change/", {"state": "dismissed", "note": "x"})
    client.post(REPORTS, {"action": "dismiss", "_selected_action": [reports["93"].pk]})
    reports["93"].refresh_from_db()
    assert reports["93"].state == EntryErrorReport.State.NEW

    client.force_login(staff_93)
    assert _listed(client) == {reports["93"].pk}
    page = client.get(f"{REPORTS}{reports['93'].pk}/change/").content.decode()
    assert "Le numéro a changé." in page
    assert f"{ENTRIES}{reports['93'].entry_id}/change/" in page  # a link to the entry

    client.force_login(national_editor)  # national entries, and everything
    assert _listed(client) == {report.pk for report in reports.values()}


def test_partners_never_see_reports(client, partner_93, reports, make_entry):
    client.force_login(partner_93)
    assert client.get(REPORTS).status_code == 403
    assert client.get(f"{REPORTS}{reports['93'].pk}/change/").status_code == 403
    proposal = Entry.objects.create(
        kind=Entry.Kind.OFFER, title="Ma proposition", summary="s", body="b",
        departement_id="93", proposed_by=partner_93,
    )  # fmt: skip
    EntryErrorReport.objects.create(
        entry=proposal, departement_id="93", kind=EntryErrorReport.Kind.CLOSED
    )
    listing = client.get(ENTRIES).content.decode()
    assert "Ma proposition" in listing
    assert REPORTS not in listing  # no column of reports, no link to them
    page = client.get(f"{ENTRIES}{proposal.pk}/change/").content.decode()
    assert "Ma proposition" in page
    assert REPORTS not in page


def test_the_queue_opens_on_new_reports(client, staff_93, entries):
    waiting = _report(entries["93"])
    done = services.entry_error_report_set_state(
        report=_report(entries["93"]), state=EntryErrorReport.State.HANDLED, by=None
    )
    client.force_login(staff_93)
    assert _listed(client) == {waiting.pk}
    assert _listed(client, "?state=handled") == {done.pk}
    assert _listed(client, "?state=all") == {waiting.pk, done.pk}
    assert client.get(f"{REPORTS}add/").status_code == 403  # reports come from the app


def test_curators_mark_reports_handled_or_dismiss_them(client, staff_93, entries):
    first, second, third = (_report(entries["93"]) for _ in range(3))
    client.force_login(staff_93)
    before = timezone.now()
    client.post(REPORTS, {"action": "mark_handled", "_selected_action": [first.pk, second.pk]})
    client.post(REPORTS, {"action": "dismiss", "_selected_action": [third.pk]})
    for report, state in ((first, "handled"), (second, "handled"), (third, "dismissed")):
        report.refresh_from_db()
        assert report.state == state
        assert report.handled_by == staff_93
        assert report.handled_at >= before
    assert _listed(client) == set()


def test_the_state_is_editable_on_the_reports_page(client, staff_93, entries):
    report = _report(entries["93"], message="Le numéro a changé.")
    client.force_login(staff_93)
    url = f"{REPORTS}{report.pk}/change/"
    response = client.post(url, {"state": "handled", "note": "Numéro corrigé."})
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.state, report.note, report.handled_by) == (
        "handled",
        "Numéro corrigé.",
        staff_93,
    )
    handled_at = report.handled_at
    client.post(url, {"state": "handled", "note": "Numéro corrigé, vérifié."})
    report.refresh_from_db()
    assert report.handled_at == handled_at  # saving again is not handling again
    client.post(url, {"state": "new", "note": "À revoir."})
    report.refresh_from_db()
    assert (report.state, report.handled_by, report.handled_at) == ("new", None, None)
    assert report.message == "Le numéro a changé."  # what was reported stays as it was


def test_the_entry_shows_its_open_reports(client, staff_93, entries):
    _report(entries["93"])
    _report(entries["93"])
    services.entry_error_report_set_state(
        report=_report(entries["93"]), state=EntryErrorReport.State.DISMISSED, by=staff_93
    )
    client.force_login(staff_93)
    listing = client.get(ENTRIES)
    row = next(e for e in listing.context["cl"].result_list if e.pk == entries["93"].pk)
    assert row.open_reports_count == 2
    link = f"{REPORTS}?entry__id__exact={entries['93'].pk}"
    assert link in listing.content.decode()
    page = client.get(f"{ENTRIES}{entries['93'].pk}/change/").content.decode()
    assert f"{link}&amp;state=new" in page
    assert _listed(client, f"?entry__id__exact={entries['93'].pk}") == set(
        EntryErrorReport.objects.filter(state="new").values_list("pk", flat=True)
    )


def test_curators_can_still_delete_an_entry_that_was_reported(client, staff_93, entries):
    _report(entries["93"])
    client.force_login(staff_93)
    response = client.post(f"{ENTRIES}{entries['93'].pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Entry.objects.filter(pk=entries["93"].pk).exists()
    assert not EntryErrorReport.objects.exists()


# --- Figures and personal data ------------------------------------------------------------


def test_figures_count_reports_received_and_handled_and_the_time_to_handle(staff_93, entries):
    def reported(entry, at, handled_after=None, state=EntryErrorReport.State.HANDLED):
        report = _report(entry)
        fields = {"created_at": at}
        if handled_after is not None:
            fields.update(state=state, handled_at=at + handled_after, handled_by=staff_93)
        EntryErrorReport.objects.filter(pk=report.pk).update(**fields)

    in_october = paris(2026, 10, 5, 10)
    reported(entries["93"], in_october, timedelta(days=2))
    reported(entries["93"], in_october, timedelta(days=4))
    reported(entries["93"], in_october, timedelta(days=9), EntryErrorReport.State.DISMISSED)
    reported(entries["93"], in_october)  # still new
    reported(entries["93"], paris(2026, 9, 28, 10), timedelta(days=6))  # handled in October
    reported(entries["93"], paris(2026, 10, 30, 10), timedelta(days=5))  # handled in November
    reported(entries["75"], in_october)
    reported(entries["national"], in_october)  # no département's figure

    counts = figures(catalogue.provider, "catalogue.error_reports")
    assert counts["93"] == {"received": (5, 5), "handled": (3, 3), "dismissed": (1, 1)}
    assert counts["75"] == {"received": (1, 1)}
    times = figures(catalogue.provider, "catalogue.error_report_handling_time")
    assert times["93"] == {"median": (5.0, 4)}  # 2, 4, 6 and 9 days
    assert "75" not in times

    from figures.selectors import departement_report

    table = departement_report("93", OCTOBER).table("catalogue.error_reports")
    assert [row.value for row in table.rows] == [5, 3, 1]  # about entries: none hidden


def test_erasing_the_account_keeps_the_report_anonymous(client_for, young_person, entries):
    client = client_for(young_person)
    client.post(
        _url(entries["93"]), {"kind": "wrong_contact", "message": "Mauvais numéro"}, format="json"
    )
    response = client.delete("/api/v1/me/", {"password": PASSWORD}, format="json")
    assert response.status_code == 204
    report = EntryErrorReport.objects.get()
    assert report.reporter is None
    assert report.message == "Mauvais numéro"
    assert report.departement_id == "93"
