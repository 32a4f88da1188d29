"""Mentoring's and reminders' figures for October 2026, on hand-built data in 93 and 75."""

from datetime import UTC, date, datetime, timedelta

import pytest

from accounts.models import Departement
from accounts.roles import Role
from backend.aggregates import NATIONAL
from figures.models import MonthlyFigures
from figures.selectors import departement_report, national_report
from mentoring import services
from mentoring.figures import provider
from mentoring.models import (
    Appointment,
    Match,
    Meeting,
    MentoringRequest,
    MentorProfile,
    Reminder,
    ReminderDelivery,
)
from tests.mentoring.conftest import approve  # noqa: F401 - a fixture, shared
from tests.mentoring.factories import mentor_application, service_request_data

from .conftest import OCTOBER, figures, paris

pytestmark = pytest.mark.django_db


@pytest.fixture
def mentor_in(make_user, approve):  # noqa: F811 - the fixture imported above
    def _make(name, code="93", capacity=5):
        user = make_user(f"{name}@example.org", Role.MENTOR, first_name=name.title())
        approve(user, departement=Departement.objects.get(code=code), capacity=capacity)
        return user

    return _make


def asked(young_person, at) -> MentoringRequest:
    request = services.request_create(young_person=young_person, data=service_request_data())
    MentoringRequest.objects.filter(pk=request.pk).update(created_at=at)
    return request


def matched(request, mentor, at) -> Match:
    """Confirmed by the coordinator (active at once) at ``at``."""
    match = services.match_create(request=request, mentor=mentor, origin="coordinator")
    MentoringRequest.objects.filter(pk=request.pk).update(closed_at=at)
    Match.objects.filter(pk=match.pk).update(proposed_at=at, activated_at=at)
    return match


def picked(request, mentor, at) -> Match:
    """Picked by the young person at ``at``: proposed, waiting for the mentor."""
    match = services.match_create(request=request, mentor=mentor, origin="young_person")
    Match.objects.filter(pk=match.pk).update(proposed_at=at)
    return match


def ended(match, at, reason="goals_reached") -> None:
    services.match_end(match=match, by=match.mentor, reason=reason)
    Match.objects.filter(pk=match.pk).update(ended_at=at)


def test_approved_mentors_and_their_free_places_at_the_end_of_the_window(
    make_user, person, mentor_in
):
    full = mentor_in("fatou", capacity=2)
    for name in ("a", "b"):
        matched(asked(person(name), paris(2026, 9, 1)), full, paris(2026, 9, 2))
    MentorProfile.objects.filter(user=full).update(capacity=1)  # two mentees, one place: 0 free

    roomy = mentor_in("marc", capacity=3)
    matched(asked(person("c"), paris(2026, 9, 1)), roomy, paris(2026, 9, 3))
    # Ended in November: on 31 October that mentee still took a place.
    ended(
        matched(asked(person("d"), paris(2026, 9, 1)), roomy, paris(2026, 9, 4)),
        paris(2026, 11, 10),
    )

    lapsed = mentor_in("luc")  # check older than three years on 31 October 2026
    MentorProfile.objects.filter(user=lapsed).update(honourability_checked_on=date(2023, 6, 1))
    pending = make_user("paul@example.org", Role.MENTOR)
    services.mentor_apply(user=pending, data=mentor_application())

    paris_mentor = mentor_in("nadia", "75", capacity=2)
    # Proposed in November: both places were free on 31 October.
    matched(asked(person("e", "75"), paris(2026, 11, 1)), paris_mentor, paris(2026, 11, 5))

    assert figures(provider, "mentoring.mentors") == {
        "93": {"approved": (2, 2), "free_capacity": (1, 2)},
        "75": {"approved": (1, 1), "free_capacity": (2, 1)},
    }


def test_the_waiting_list_at_the_end_of_the_window(person, mentor_in):
    mentor = mentor_in("marc")
    asked(person("still"), paris(2026, 9, 12))
    # Matched on 3 November: still waiting on 31 October.
    matched(asked(person("late"), paris(2026, 10, 20)), mentor, paris(2026, 11, 3))
    matched(asked(person("done"), paris(2026, 9, 12)), mentor, paris(2026, 10, 15))
    withdrawn = asked(person("gone"), paris(2026, 10, 2))
    services.request_withdraw(request=withdrawn)
    MentoringRequest.objects.filter(pk=withdrawn.pk).update(closed_at=paris(2026, 10, 25))
    asked(person("new"), paris(2026, 11, 1, 0, 30))  # after the end
    asked(person("yanis", "75"), paris(2026, 10, 31, 23, 30))  # 22:30 UTC, still October

    assert figures(provider, "mentoring.waiting") == {"93": {"all": (2, 2)}, "75": {"all": (1, 1)}}


@pytest.fixture
def known_waits(person, mentor_in):
    """Matches activated in October after 1..7 days in 93 and 10..50 days in 75; two more
    in 93 after 100 days, activated in September and November, which do not count."""
    activated = datetime(2026, 10, 15, 12, tzinfo=UTC)  # UTC: no daylight saving change
    mentor_93, mentor_75 = mentor_in("marc", capacity=10), mentor_in("nadia", "75")
    for days in range(1, 8):
        request = asked(person(f"a{days}"), activated - timedelta(days=days))
        matched(request, mentor_93, activated)
    for days in (10, 20, 30, 40, 50):
        request = asked(person(f"b{days}", "75"), activated - timedelta(days=days))
        matched(request, mentor_75, activated)
    for name, month in (("sept", 9), ("nov", 11)):
        outside = datetime(2026, month, 2, tzinfo=UTC)
        matched(asked(person(name), outside - timedelta(days=100)), mentor_93, outside)


def test_median_and_90th_percentile_of_the_time_to_match(known_waits):
    found = figures(provider, "mentoring.time_to_match")
    assert set(found) == {"93", "75"}
    # percentile_cont: the 90th of 1..7 is 6 + 0.4 x (7 - 6); of 10..50, 40 + 0.6 x 10.
    assert {k: v for k, (v, _p) in found["93"].items()} == pytest.approx({"median": 4, "p90": 6.4})
    assert {k: v for k, (v, _p) in found["75"].items()} == pytest.approx({"median": 30, "p90": 46})
    assert {k: p for k, (_v, p) in found["93"].items()} == {"median": 7, "p90": 7}
    assert {k: p for k, (_v, p) in found["75"].items()} == {"median": 5, "p90": 5}


def test_time_to_match_pooled_and_in_the_report(known_waits):
    pooled = figures(provider, "mentoring.time_to_match", codes=None)[NATIONAL]
    # 1..7, 10, 20, 30, 40, 50: the median is between 6 and 7, the 90th at 30 + 0.9 x 10.
    assert {k: v for k, (v, _p) in pooled.items()} == pytest.approx({"median": 6.5, "p90": 39})
    assert pooled["median"][1] == 12
    table = departement_report("93", OCTOBER, threshold=5).table("mentoring.time_to_match")
    assert {row.key: row.value for row in table.rows} == {"median": 4.0, "p90": 6.4}


def test_matches_under_way_at_the_end_of_the_window(person, mentor_in):
    mentor = mentor_in("marc", capacity=10)
    matched(asked(person("a"), paris(2026, 9, 1)), mentor, paris(2026, 9, 2))
    paused = matched(asked(person("b"), paris(2026, 10, 1)), mentor, paris(2026, 10, 3))
    services.match_pause(match=paused, by=paused.young_person)
    ended(
        matched(asked(person("c"), paris(2026, 9, 1)), mentor, paris(2026, 9, 5)),
        paris(2026, 11, 5),
    )
    ended(
        matched(asked(person("d"), paris(2026, 9, 1)), mentor, paris(2026, 9, 5)),
        paris(2026, 10, 20),
    )
    picked(asked(person("e"), paris(2026, 10, 1)), mentor, paris(2026, 10, 6))  # never active
    matched(asked(person("f"), paris(2026, 10, 20)), mentor, paris(2026, 11, 2))
    matched(
        asked(person("g", "75"), paris(2026, 9, 1)), mentor_in("nadia", "75"), paris(2026, 9, 9)
    )

    assert figures(provider, "mentoring.active_matches") == {
        "93": {"all": (3, 3)},
        "75": {"all": (1, 1)},
    }


def test_matches_ended_in_the_window_by_reason(person, mentor_in):
    mentor = mentor_in("marc", capacity=10)
    september = paris(2026, 9, 2)

    def ended_on(name, day, reason, code="93", on_mentor=mentor):
        match = matched(asked(person(name, code), september), on_mentor, september)
        ended(match, day, reason)
        return match.young_person

    ended_on("a", paris(2026, 10, 10), "goals_reached")
    ended_on("b", paris(2026, 10, 12), "mentor_left")
    twice = ended_on("c", paris(2026, 10, 5), "mismatch")
    # The same young person again: a second match, ended in October too.
    ended(
        matched(asked(twice, paris(2026, 10, 6)), mentor, paris(2026, 10, 8)), paris(2026, 10, 28)
    )
    ended_on("d", paris(2026, 9, 20), "mismatch")  # September
    ended_on("e", paris(2026, 11, 2), "mentor_left")  # November
    declined = picked(asked(person("f"), paris(2026, 10, 1)), mentor, paris(2026, 10, 3))
    services.match_decline(match=declined)  # a proposal that never started
    Match.objects.filter(pk=declined.pk).update(ended_at=paris(2026, 10, 6))
    ended_on("g", paris(2026, 10, 20), "goals_reached", "75", mentor_in("nadia", "75"))

    # c counts once, by the reason of the last ending (goals reached on 28 October).
    assert figures(provider, "mentoring.ended_matches") == {
        "93": {
            "goals_reached": (2, 2),
            "mentor_left": (1, 1),
            "total": (3, 3),
        },
        "75": {"goals_reached": (1, 1), "total": (1, 1)},
    }


def test_accepted_meetings_held_in_the_window(person, mentor_in):
    mentor = mentor_in("marc")
    first = matched(asked(person("a"), paris(2026, 9, 1)), mentor, paris(2026, 9, 2))
    second = matched(asked(person("b"), paris(2026, 9, 1)), mentor, paris(2026, 9, 2))
    other = matched(
        asked(person("c", "75"), paris(2026, 9, 1)), mentor_in("nadia", "75"), paris(2026, 9, 2)
    )

    def meeting(match, starts_at, status=Meeting.Status.ACCEPTED):
        Meeting.objects.create(
            match=match, proposed_by=match.young_person, starts_at=starts_at, status=status
        )

    meeting(first, paris(2026, 10, 5, 18))
    meeting(first, paris(2026, 10, 31, 23, 30))
    meeting(first, paris(2026, 11, 1, 0, 30))  # November in Paris
    meeting(first, paris(2026, 10, 10), Meeting.Status.DECLINED)
    meeting(first, paris(2026, 10, 12), Meeting.Status.CANCELLED)
    meeting(first, paris(2026, 10, 20), Meeting.Status.PROPOSED)
    meeting(second, paris(2026, 9, 30, 23, 30))  # September in Paris
    meeting(second, paris(2026, 10, 1, 0, 15))
    meeting(other, paris(2026, 10, 14))

    assert figures(provider, "mentoring.meetings") == {"93": {"all": (3, 2)}, "75": {"all": (1, 1)}}


def reminder(user, due_at, kind=Reminder.Kind.APPOINTMENT, **channels) -> None:
    """A reminder and its deliveries: ``push=("sent", moment)``, ``email=("failed", None)``."""
    about = Appointment.objects.create(owner=user, title="CAF", starts_at=due_at)  # its target
    made = Reminder.objects.create(
        user=user, kind=kind, appointment=about, offset_minutes=60, due_at=due_at
    )
    for channel, (state, sent_at) in channels.items():
        ReminderDelivery.objects.create(
            reminder=made,
            channel=channel,
            idempotency_key=f"reminder-{made.pk}-{channel}",
            state=state,
            sent_at=sent_at,
        )


@pytest.fixture
def deliveries(person, mentor_in):
    aminata, bilal, yanis = person("aminata"), person("bilal"), person("yanis", "75")
    mentor = mentor_in("marc")
    october_10, october_12 = paris(2026, 10, 10, 9), paris(2026, 10, 12, 9)
    reminder(aminata, october_10, push=("sent", october_10), email=("sent", october_10))
    reminder(bilal, october_12, push=("sent", october_12), email=("failed", None))
    # Due on 31 October, sent just after midnight: a November sending.
    reminder(aminata, paris(2026, 10, 31, 23, 50), push=("sent", paris(2026, 11, 1, 0, 5)))
    # Due in September, the e-mail went on a retry in October; the push failed in September.
    reminder(
        bilal, paris(2026, 9, 30, 22), email=("sent", paris(2026, 10, 1, 9)), push=("failed", None)
    )
    reminder(aminata, paris(2026, 11, 2, 9), push=("failed", None))
    reminder(aminata, paris(2026, 10, 20, 9), email=("sending", None))  # under way
    # A mentor is reminded of meetings too: counted in the département they mentor in.
    october_20 = paris(2026, 10, 20, 17)
    reminder(
        mentor, october_20, Reminder.Kind.MEETING, push=("sent", october_20), email=("failed", None)
    )
    october_15 = paris(2026, 10, 15, 9)
    reminder(yanis, october_15, email=("sent", october_15), push=("failed", None))


def test_reminders_sent_by_channel(deliveries):
    assert figures(provider, "reminders.sent") == {
        "93": {"push": (3, 3), "email": (2, 2)},
        "75": {"email": (1, 1)},
    }


def test_reminders_failed_by_channel_counted_by_their_due_time(deliveries):
    assert figures(provider, "reminders.failures") == {
        "93": {"email": (2, 2)},
        "75": {"push": (1, 1)},
    }


def test_a_national_median_hides_when_one_departement_alone_hides_its_own(
    known_waits, person, mentor_in
):
    national = national_report(OCTOBER, threshold=5).table("mentoring.time_to_match")
    assert {row.key: row.value for row in national.rows} == {"median": 6.5, "p90": 39.0}
    # One young person of 13 waited 100 days: 13 hides it, and it would be the only
    # hidden wait in the national median; the median and the 90th hide with it.
    activated = datetime(2026, 10, 15, 12, tzinfo=UTC)
    request = asked(person("solo", "13"), activated - timedelta(days=100))
    matched(request, mentor_in("ines", "13"), activated)
    MonthlyFigures.objects.all().delete()  # the same October, read again afresh
    national = national_report(OCTOBER, threshold=5).table("mentoring.time_to_match")
    assert {row.key: row.value for row in national.rows} == {"median": None, "p90": None}
