"""A safety report outlives the erasure of either member, for SAFETY_REPORT_RETENTION_DAYS.

The report, the messages it covers and the other member's side stay (detached from the
erased person, who is marked as gone); a periodic task purges them once the retention
period is over and no report on them is still open.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from mentoring import tasks
from mentoring.models import Conversation, ConversationReport, Match, Message
from tests.accounts.erasure import (
    active_match,
    apply_as_mentor,
    approve,
    erase,
    make_coordinator,
    make_volunteer,
    make_youth,
    signed_in,
)
from tests.accounts.traces import Person, traces_of

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def coordinator():
    return make_coordinator()


@pytest.fixture
def youth():
    return make_youth()


@pytest.fixture
def volunteer():
    return make_volunteer()


MATCHES = "/api/v1/mentoring/matches/"


@pytest.fixture
def reported(youth, volunteer, coordinator):
    """An active match in which the young person reported the mentor's message."""
    approve(apply_as_mentor(volunteer, signed_in(volunteer)), coordinator)
    match, young, mentor = active_match(youth, volunteer, coordinator)
    worrying = Message.objects.filter(sender=volunteer).get()
    response = young.post(
        f"{MATCHES}{match.pk}/report/",
        {"reason": "Il me demande mon adresse", "message": worrying.pk},
        format="json",
    )
    assert response.status_code in (200, 201, 204), response.content
    return match, young, mentor


def transcript(coordinator):
    """The reported conversation as the coordinator reads it in the admin."""
    browser = Client()
    browser.force_login(coordinator)
    report = ConversationReport.objects.get()
    response = browser.get(f"/admin/mentoring/conversationreport/{report.pk}/change/")
    assert response.status_code == 200
    return response.content.decode()


def a_year_passes(days):
    """Move every erasure and report back ``days`` days, as if that time had gone by."""
    past = timezone.now() - timedelta(days=days)
    Match.objects.filter(young_person_erased_at__isnull=False).update(young_person_erased_at=past)
    Match.objects.filter(mentor_erased_at__isnull=False).update(mentor_erased_at=past)
    ConversationReport.objects.filter(resolved_at__isnull=False).update(resolved_at=past)


def test_erasing_the_reported_mentor_keeps_the_report_and_the_messages(
    reported,
    volunteer,
    coordinator,
):
    match, young, mentor = reported
    person = Person.of(volunteer, "Les amis de Barnabé")

    assert erase(volunteer, mentor).status_code == 204

    assert ConversationReport.objects.count() == 1
    assert Message.objects.count() == 2
    page = transcript(coordinator)
    assert "Bonjour Zoubida !" in page  # the reported message, still readable
    assert "Bonjour Barnabé, ici Zoubida" in page
    assert "Il me demande mon adresse" in page
    # The young person still has their side of the match and their messages.
    listed = young.get(MATCHES).json()["results"]
    assert [m["id"] for m in listed] == [match.pk]
    messages = young.get(f"{MATCHES}{match.pk}/messages/").json()["results"]
    assert [m["body"] for m in messages if m["mine"]] == ["Bonjour Barnabé, ici Zoubida"]
    # And nothing names the mentor any more, not even the retained rows.
    assert traces_of(person) == []


def test_erasing_the_reporter_keeps_the_report(reported, youth, coordinator):
    _match, young, _mentor = reported
    person = Person.of(youth)

    assert erase(youth, young).status_code == 204

    report = ConversationReport.objects.get()
    assert report.reporter_id is None
    assert Message.objects.count() == 2
    assert "Bonjour Zoubida !" in transcript(coordinator)
    assert traces_of(person) == []


def test_without_a_report_the_erased_members_messages_go_and_the_others_stay(
    youth,
    volunteer,
    coordinator,
):
    approve(apply_as_mentor(volunteer, signed_in(volunteer)), coordinator)
    match, young, mentor = active_match(youth, volunteer, coordinator)

    assert erase(volunteer, mentor).status_code == 204

    assert list(Message.objects.values_list("sender_id", flat=True)) == [youth.pk]
    assert young.get(f"{MATCHES}{match.pk}/").status_code == 200


def test_the_retained_material_is_purged_after_the_retention_period(
    reported,
    volunteer,
    coordinator,
    settings,
):
    settings.SAFETY_REPORT_RETENTION_DAYS = 365
    _match, _young, mentor = reported
    erase(volunteer, mentor)
    ConversationReport.objects.update(resolved_at=timezone.now(), resolution_note="Signalé")

    a_year_passes(300)
    assert tasks.purge_expired_safety_material() == 0
    assert ConversationReport.objects.count() == 1

    a_year_passes(366)
    assert tasks.purge_expired_safety_material() == 1
    assert not Match.objects.exists()
    assert not Conversation.objects.exists()
    assert not Message.objects.exists()
    assert not ConversationReport.objects.exists()


def test_an_open_report_is_never_purged(reported, volunteer, settings):
    settings.SAFETY_REPORT_RETENTION_DAYS = 365
    _match, _young, mentor = reported
    erase(volunteer, mentor)

    a_year_passes(400)

    assert tasks.purge_expired_safety_material() == 0
    assert ConversationReport.objects.count() == 1
    assert Message.objects.count() == 2


def test_the_purge_runs_periodically(settings):
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "mentoring.tasks.purge_expired_safety_material" in scheduled
    assert settings.SAFETY_REPORT_RETENTION_DAYS > 0


def test_the_other_member_can_still_use_their_match_after_an_erasure(youth, volunteer, coordinator):
    """Meetings were with the erased person: they go, and nothing of the match fails."""
    approve(apply_as_mentor(volunteer, signed_in(volunteer)), coordinator)
    match, young, mentor = active_match(youth, volunteer, coordinator)
    proposed = young.post(
        f"{MATCHES}{match.pk}/meetings/",
        {"starts_at": (timezone.now() + timedelta(days=3)).isoformat(), "place": "Café du Canal"},
        format="json",
    )
    assert proposed.status_code == 201, proposed.content
    meeting_id = proposed.json()["id"]
    assert mentor.post(f"/api/v1/mentoring/meetings/{meeting_id}/accept/").status_code == 200

    assert erase(volunteer, mentor).status_code == 204

    assert young.get(f"{MATCHES}{match.pk}/").status_code == 200
    assert young.get(f"{MATCHES}{match.pk}/meetings/").json() == []
    assert young.get(f"/api/v1/mentoring/meetings/{meeting_id}/ics/").status_code == 404
    assert young.get("/api/v1/me/export/").status_code == 200
