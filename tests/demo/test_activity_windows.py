"""The demo's activity on a database without it: the figures it fills, and a later window
that replaces an earlier one (the developer ran ``make run`` again months later) and only
what it made."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import ActivityDay, User
from demo.activity import MARKER_EMAIL, Window, load_demo_activity
from demo.catalogue import DEMO_SOURCE
from demo.services import load_demo
from figures.periods import Period, first_of_month
from figures.selectors import departement_report
from figures.services import month_archive
from mentoring.models import MentorProfile
from services_catalog.models import (
    Demarche,
    Entry,
    EntryConsultation,
    EntryErrorReport,
    SearchEvent,
)

from .common import BANDS, JEUNE_93, KEY_TABLES, app_client, counts, load_others, named_pks, shown

pytestmark = pytest.mark.django_db


def test_93_shows_figures_for_the_last_month_over():
    load_others()
    last_month = Period.last_closed_month()
    departement_report("93", last_month)  # read before: kept empty, then computed again
    load_demo_activity()

    report = departement_report("93", last_month)
    for key in KEY_TABLES:
        assert shown(report, key), key
    ages = report.table("young_people.active_by_age")
    assert set(shown(report, "young_people.active_by_age")) >= BANDS
    assert ages.total >= 40
    assert shown(report, "young_people.signups")["all"] >= 5
    assert len(shown(report, "young_people.situations")) >= 5
    assert len(shown(report, "catalogue.searches_by_category")) >= 6
    assert {"logement-hebergement", "mobilite"} <= set(shown(report, "catalogue.unmet_by_category"))
    assert {"93014", "93071"} <= set(shown(report, "catalogue.unmet_by_commune"))
    assert len(shown(report, "catalogue.consulted_entries")) >= 3
    assert set(shown(report, "catalogue.demarches")) == {"started", "done", "abandoned"}
    assert shown(report, "catalogue.error_reports")["received"] >= 2
    assert shown(report, "catalogue.error_report_handling_time")["median"] > 0
    wait = shown(report, "mentoring.time_to_match")
    assert 0 < wait["median"] <= wait["p90"]
    assert shown(report, "mentoring.mentors")["approved"] >= 10
    assert shown(report, "mentoring.waiting")["all"] >= 5
    assert shown(report, "mentoring.active_matches")["all"] >= 5
    assert report.table("mentoring.ended_matches").total >= 5
    assert "goals_reached" in shown(report, "mentoring.ended_matches")
    assert shown(report, "mentoring.meetings")["all"] >= 5
    assert set(shown(report, "reminders.sent")) == {"push", "email"}
    assert shown(report, "vault.accounts")["all"] >= 5
    assert shown(report, "vault.documents_by_type")
    # 75 has a little activity too, mostly under the threshold.
    assert departement_report("75", last_month).table("young_people.active_by_age").total


def test_a_later_window_replaces_the_activity_of_the_previous_one():
    load_others()
    today = timezone.localdate()
    two_months_ago = first_of_month(first_of_month(today) - timedelta(days=40))
    assert load_demo_activity(today=two_months_ago + timedelta(days=14))
    # The server kept running: beat kept a month and blanked its pseudonyms.
    month_archive(first_of_month(two_months_ago - timedelta(days=1)))
    outcome = load_demo_activity()
    assert outcome["previous demo activity replaced"] == 1
    window = Window.ending(today)
    marker = User.objects.get(email=MARKER_EMAIL)
    assert timezone.localdate(marker.date_joined) == window.months[0]
    # Nothing of the old window is left before the new one starts.
    assert not SearchEvent.objects.filter(created_at__lt=window.start).exists()
    assert not EntryConsultation.objects.filter(created_at__lt=window.start).exists()
    assert not SearchEvent.objects.filter(visitor="").exists()  # the kept month's too
    assert not EntryConsultation.objects.filter(visitor="").exists()
    assert not ActivityDay.objects.filter(day__lt=window.months[0]).exists()
    assert not EntryErrorReport.objects.filter(created_at__lt=window.start).exists()
    assert User.objects.filter(email__startswith="demo.jeune.93.").count() == 80
    assert User.objects.filter(email__startswith="demo.jeune.75.").count() == 20
    assert MentorProfile.objects.filter(user__email__startswith="demo.mentor.93.").count() == 11
    made = counts()
    assert not load_demo_activity()
    assert counts() == made


def test_a_later_window_replaces_only_the_activity_it_made():
    today = timezone.localdate()
    two_months_ago = first_of_month(first_of_month(today) - timedelta(days=40))
    load_demo(today=two_months_ago + timedelta(days=14))
    pks = named_pks()
    young = app_client(JEUNE_93)
    entry = Entry.objects.filter(source=DEMO_SOURCE, status=Entry.Status.PUBLISHED).first()
    saved = young.post("/api/v1/me/demarches/", {"entry": entry.pk}, format="json")
    assert saved.status_code == 201, saved.content
    # A developer's own search and reading in a month kept since (pseudonyms blanked).
    moment = timezone.now() - timedelta(days=45)
    search = SearchEvent.objects.create(
        created_at=moment, departement_id="93", categorie="sante", found=True, visitor=""
    )
    reading = EntryConsultation.objects.create(
        created_at=moment, departement_id="93", entry=entry, visitor=""
    )

    assert load_demo().activity["previous demo activity replaced"] == 1
    assert named_pks() == pks
    assert young.get("/api/v1/me/").status_code == 200
    assert Demarche.objects.filter(pk=saved.json()["id"]).exists()
    assert SearchEvent.objects.filter(pk=search.pk).exists()
    assert EntryConsultation.objects.filter(pk=reading.pk).exists()
