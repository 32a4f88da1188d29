"""The admin's home starts with each role's work: how many rows wait, in the user's
départements only, each count linking to the list of exactly those rows."""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from demo.catalogue import DEMO_SOURCE, PROPOSAL_KEY
from mentoring import conversations
from mentoring import services as mentoring_services
from mentoring.models import Match, MentoringRequest, MentorProfile
from services_catalog import services
from services_catalog.models import Entry, EntryErrorReport
from tests.mentoring.factories import in_bobigny, mentor_application, service_request_data

pytestmark = pytest.mark.django_db

HOME = "/admin/"
ENTRIES = "/admin/services_catalog/entry/"


def demo_user(email: str) -> User:
    return User.objects.get(email=email)


def _entry(title, departement, *, by, status=Entry.Status.DRAFT):
    entry = services.entry_create(
        title=title,
        kind=Entry.Kind.OFFER,
        summary=f"{title}: résumé.",
        body=f"{title}: description détaillée pour les jeunes.",
        scope=Entry.Scope.DEPARTEMENTS,
        departement_id=departement,
        zone_departements=[departement],
        proposed_by=by,
    )
    if status in (Entry.Status.SUBMITTED, Entry.Status.PUBLISHED):
        services.entry_submit(entry=entry)
    if status == Entry.Status.PUBLISHED:
        services.entry_publish(entry=entry)
    return entry


@pytest.fixture
def work(demo_loaded, make_user):
    """The demo (one mentor waiting for vetting in 75, a pair in 93, published entries),
    and what waits on top of it, in 93 and in 75."""
    # The demo's own proposal and applicant of 93 are put aside: the counts below are of
    # the rows made here (test_the_demo_gives_its_officers_work_on_their_home has those).
    Entry.objects.filter(source=DEMO_SOURCE, source_id=PROPOSAL_KEY).delete()
    MentorProfile.objects.filter(departement_id="93", status=MentorProfile.Status.PENDING).delete()
    partner = demo_user("partenaire.93@demo.jalon.fr")
    other_partner = make_user("autre.partenaire@example.org", Role.PARTNER, departements=["93"])
    staff_75 = demo_user("agent.75@demo.jalon.fr")
    rows = {
        "partner_draft": _entry("Atelier CV", "93", by=partner),
        "partner_proposal": _entry(
            "Permanence logement", "93", by=partner, status=Entry.Status.SUBMITTED
        ),
        "other_partner_proposal": _entry(
            "Aide aux devoirs", "93", by=other_partner, status=Entry.Status.SUBMITTED
        ),
        "staff_proposal": _entry(
            "Forum emploi",
            "93",
            by=demo_user("agent.93@demo.jalon.fr"),
            status=Entry.Status.SUBMITTED,
        ),
        "proposal_75": _entry("Forum Paris", "75", by=staff_75, status=Entry.Status.SUBMITTED),
        "stale_93": _entry("Vieille fiche", "93", by=None, status=Entry.Status.PUBLISHED),
        "stale_75": _entry("Vieille fiche Paris", "75", by=None, status=Entry.Status.PUBLISHED),
    }
    a_year_ago = timezone.localdate() - timedelta(days=365)
    Entry.objects.filter(pk__in=[rows["stale_93"].pk, rows["stale_75"].pk]).update(
        reviewed_at=a_year_ago
    )
    # A stale archive is nobody's work: not counted.
    archived = _entry("Archivée", "93", by=None, status=Entry.Status.PUBLISHED)
    services.entry_archive(entry=archived)
    Entry.objects.filter(pk=archived.pk).update(reviewed_at=a_year_ago)
    for entry, state in [
        (rows["stale_93"], EntryErrorReport.State.NEW),
        (rows["stale_93"], EntryErrorReport.State.HANDLED),
        (rows["stale_75"], EntryErrorReport.State.NEW),
    ]:
        report = services.entry_error_report_create(entry=entry, kind="closed")
        if state != EntryErrorReport.State.NEW:
            services.entry_error_report_set_state(report=report, state=state, by=None)
    # A mentor applying in 93 (the demo's mentor of 75 waits too), and a young person of
    # 93 asking for a mentor.
    mentoring_services.mentor_apply(
        user=make_user("nouveau.mentor@example.org", Role.MENTOR), data=mentor_application()
    )
    young = make_user("ines@example.org", first_name="Inès")
    young.profile.departement_id = "93"
    young.profile.save()
    mentoring_services.request_create(young_person=in_bobigny(young), data=service_request_data())
    # The demo's pair of 93: its young person reports the conversation.
    match = Match.objects.get(young_person__email="jeune.93@demo.jalon.fr")
    conversations.conversation_report(match=match, reporter=match.young_person, reason="Insultes")
    return rows


def test_the_demo_gives_its_officers_work_on_their_home(client, demo_loaded):
    curator = _counters(client, demo_user("agent.93@demo.jalon.fr"))
    assert curator["1 proposition de partenaire à relire"][0] == 1
    coordinator = _counters(client, demo_user("coordination.93@demo.jalon.fr"))
    assert coordinator["1 mentor à vérifier"] == (
        1,
        "/admin/mentoring/mentorprofile/?status__exact=pending",
    )


def _counters(client, user) -> dict[str, tuple[int, str]]:
    """What the home shows ``user``: ``{label: (count, link)}``."""
    client.force_login(user)
    response = client.get(HOME)
    assert response.status_code == 200
    return {c.label: (c.count, c.url) for c in response.context["work_counters"]}


def _listed(client, url) -> set[int]:
    """The primary keys of the rows the list at ``url`` shows (every page)."""
    response = client.get(url)
    assert response.status_code == 200, url
    changelist = response.context["cl"]
    assert "e=1" not in response.request["QUERY_STRING"]  # Django's "bad filter" redirect
    return set(changelist.queryset.values_list("pk", flat=True))


def test_the_curator_of_93_sees_93s_work_only(client, work):
    counters = _counters(client, demo_user("agent.93@demo.jalon.fr"))
    # The demo's own reports of 93 and the one above; the handled one and 75's are not.
    reports = set(
        EntryErrorReport.objects.filter(departement_id="93", state="new").values_list(
            "pk", flat=True
        )
    )
    assert len(reports) == 5
    assert counters == {
        "3 fiches à relire": (3, f"{ENTRIES}?status__exact=submitted"),
        "2 propositions de partenaires à relire": (
            2,
            f"{ENTRIES}?status__exact=submitted&proposed_by=partner",
        ),
        "1 fiche publiée non relue depuis six mois": (
            1,
            f"{ENTRIES}?status__exact=published&stale=yes",
        ),
        "5 erreurs signalées dans l'application à examiner": (
            5,
            "/admin/services_catalog/entryerrorreport/?state=new",
        ),
    }
    assert _listed(client, "/admin/services_catalog/entryerrorreport/?state=new") == reports
    assert _listed(client, f"{ENTRIES}?status__exact=submitted&proposed_by=partner") == {
        work["partner_proposal"].pk,
        work["other_partner_proposal"].pk,
    }
    assert _listed(client, f"{ENTRIES}?status__exact=published&stale=yes") == {work["stale_93"].pk}


def test_every_link_lists_exactly_the_rows_counted(client, work):
    for email in [
        "agent.93@demo.jalon.fr",
        "agent.75@demo.jalon.fr",
        "coordination.93@demo.jalon.fr",
        "coordination.75@demo.jalon.fr",
        "partenaire.93@demo.jalon.fr",
        "editeur.national@demo.jalon.fr",
    ]:
        counters = _counters(client, demo_user(email))
        assert counters, email
        for label, (count, url) in counters.items():
            assert len(_listed(client, url)) == count, (email, label)


def test_staff_of_75_see_none_of_93s_rows(client, work):
    counters = _counters(client, demo_user("agent.75@demo.jalon.fr"))
    assert counters["1 fiche à relire"] == (1, f"{ENTRIES}?status__exact=submitted")
    assert _listed(client, f"{ENTRIES}?status__exact=submitted") == {work["proposal_75"].pk}
    assert "0 proposition de partenaire à relire" in counters
    assert "1 fiche publiée non relue depuis six mois" in counters
    reports_75 = EntryErrorReport.objects.filter(departement_id="75", state="new").count()
    assert reports_75 > 1  # the demo's and the one above
    assert f"{reports_75} erreurs signalées dans l'application à examiner" in counters


def _waiting(departement: str) -> int:
    return MentoringRequest.objects.filter(departement_id=departement, status="waiting").count()


def test_the_coordinators_see_their_departements_mentoring_work(client, work):
    waiting = _waiting("93")
    assert waiting > 1  # the demo's young people waiting, and the one above
    assert _counters(client, demo_user("coordination.93@demo.jalon.fr")) == {
        "1 mentor à vérifier": (1, "/admin/mentoring/mentorprofile/?status__exact=pending"),
        f"{waiting} jeunes en attente d'un mentor": (
            waiting,
            "/admin/mentoring/mentoringrequest/?status=waiting",
        ),
        "1 conversation signalée à examiner": (
            1,
            "/admin/mentoring/conversationreport/?resolved_at__isempty=1",
        ),
    }
    # In 75, the demo's mentor waiting for vetting, nothing of 93's.
    assert set(_counters(client, demo_user("coordination.75@demo.jalon.fr"))) == {
        "1 mentor à vérifier",
        "0 jeune en attente d'un mentor",
        "0 conversation signalée à examiner",
    }


def test_a_partner_sees_their_own_proposals_only(client, work):
    partner = demo_user("partenaire.93@demo.jalon.fr")
    counters = _counters(client, partner)
    assert counters == {
        "1 brouillon à soumettre": (1, f"{ENTRIES}?status__exact=draft"),
        "1 proposition en attente de relecture": (1, f"{ENTRIES}?status__exact=submitted"),
    }
    assert _listed(client, f"{ENTRIES}?status__exact=submitted") == {work["partner_proposal"].pk}


def test_a_counter_is_shown_only_to_who_may_view_its_list(client, work):
    staff = _counters(client, demo_user("agent.93@demo.jalon.fr"))
    coordinator = _counters(client, demo_user("coordination.93@demo.jalon.fr"))
    assert not any("mentor" in label or "conversation" in label for label in staff)
    assert not any("fiche" in label or "erreur" in label for label in coordinator)
    # The national editor sees every département's catalogue work, no mentoring.
    national = _counters(client, demo_user("editeur.national@demo.jalon.fr"))
    assert national["4 fiches à relire"][0] == 4
    assert not any("mentor" in label for label in national)


def test_the_home_links_each_waiting_count_and_mutes_the_empty_ones(client, work):
    client.force_login(demo_user("coordination.75@demo.jalon.fr"))
    page = client.get(HOME).content.decode()
    assert '<a href="/admin/mentoring/mentorprofile/?status__exact=pending">' in page
    assert '<li class="jalon-work-none">0 conversation signalée à examiner</li>' in page
    # Above the figures and the models.
    assert page.index("Votre travail") < page.index('class="app-mentoring')


def test_counting_costs_one_query_per_counter(work):
    for email in ["agent.93@demo.jalon.fr", "coordination.93@demo.jalon.fr"]:
        request = RequestFactory().get(HOME)
        request.user = demo_user(email)
        request.user.has_perm("services_catalog.view_entry")  # permissions read once
        with CaptureQueriesContext(connection) as queries:
            counters = admin.site.work_counters(request)
        assert len(queries) == len(counters), [q["sql"] for q in queries]
        assert all("COUNT(" in q["sql"] for q in queries)
