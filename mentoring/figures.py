"""Mentoring's and reminders' part of the départements' figures (aggregate queries)."""

from datetime import datetime, timedelta

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext_lazy as _

from backend.aggregates import (
    ALL,
    END,
    RANGE,
    SUM,
    Cell,
    TableInfo,
    count_cells,
    merge,
    percentiles,
    seconds_between,
    tables,
    totals,
)

from .models import Match, Meeting, MentoringRequest, ReminderDelivery
from .selectors import matchable_mentors

SECTION = _("Mentoring")
REMINDERS = _("Reminders")
CHANNELS = {"push": _("push notifications"), "email": _("e-mails")}
MENTOR_CELLS = {"approved": _("approved mentors"), "free_capacity": _("free places")}
WAIT_CELLS = {"median": _("median (days)"), "p90": _("90th percentile (days)")}

TABLES = {
    "mentoring.mentors": TableInfo(
        title=_("Mentors who can take a mentee"),
        unit=_("mentors, places"),
        section=SECTION,
        combine=END,
        cells=MENTOR_CELLS,
    ),
    "mentoring.waiting": TableInfo(
        title=_("Waiting list at the end of the period"),
        unit=_("young people"),
        section=SECTION,
        combine=END,
        cells={ALL: _("waiting for a mentor")},
    ),
    "mentoring.time_to_match": TableInfo(
        title=_("Time from request to active match"),
        unit=_("days"),
        section=SECTION,
        combine=RANGE,
        measure=True,
        cells=WAIT_CELLS,
    ),
    "mentoring.active_matches": TableInfo(
        title=_("Matches under way at the end of the period"),
        unit=_("matches"),
        section=SECTION,
        combine=END,
        cells={ALL: _("active or paused")},
    ),
    # Each young person once, by the reason of their last ending in the window: the
    # cells then split people, and a hidden reason cannot hide behind a double count.
    "mentoring.ended_matches": TableInfo(
        title=_("Young people whose match ended, by reason"),
        unit=_("young people"),
        section=SECTION,
        combine=SUM,
        has_total=True,
        partition=True,
        people_add_up=True,
        cells=dict(Match.EndReason.choices),
    ),
    "mentoring.meetings": TableInfo(
        title=_("Meetings held"),
        unit=_("meetings"),
        section=SECTION,
        combine=SUM,
        cells={ALL: _("accepted meetings that took place")},
    ),
    "reminders.sent": TableInfo(
        title=_("Reminders sent, by channel"),
        unit=_("reminders"),
        section=REMINDERS,
        combine=SUM,
        cells=CHANNELS,
    ),
    "reminders.failures": TableInfo(
        title=_("Reminders that could not be delivered, by channel"),
        unit=_("reminders"),
        section=REMINDERS,
        combine=SUM,
        cells=CHANNELS,
    ),
}


def provider(codes: list[str] | None, start: datetime, end: datetime) -> dict:
    """Mentors and places, the waiting list, time to match, matches, meetings, reminders."""
    last_day = (end - timedelta(microseconds=1)).date()
    # Places taken at the end of the window (proposed by then, not yet ended), not today.
    taken = (
        Match.objects.filter(mentor=OuterRef("user"), proposed_at__lt=end)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=end))
        .order_by()
        .values("mentor")
        .annotate(n=Count("pk"))
        .values("n")
    )
    mentors = matchable_mentors(last_day).annotate(
        free=Greatest(F("capacity") - Coalesce(Subquery(taken), 0), 0)
    )
    free = count_cells(
        mentors, departement="departement", codes=codes, people="pk", value=Sum("free")
    )
    mentor_cells = {  # the approved mentors are the people behind the free places
        code: {"approved": Cell(cells[ALL].people, cells[ALL].people), "free_capacity": cells[ALL]}
        for code, cells in free.items()
    }

    waiting = MentoringRequest.objects.filter(created_at__lt=end).filter(
        Q(closed_at__isnull=True, status=MentoringRequest.Status.WAITING) | Q(closed_at__gte=end)
    )
    activated = Match.objects.filter(activated_at__gte=start, activated_at__lt=end)
    under_way = Match.objects.filter(activated_at__lt=end).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gte=end)
    )
    ended = Match.objects.filter(ended_at__gte=start, ended_at__lt=end).exclude(
        activated_at__isnull=True  # declined proposals never started
    )
    ended_later = ended.filter(
        young_person=OuterRef("young_person"), ended_at__gt=OuterRef("ended_at")
    )
    last_ended = ended.exclude(Exists(ended_later))
    held = Meeting.objects.filter(
        status=Meeting.Status.ACCEPTED, starts_at__gte=start, starts_at__lt=end
    )
    sent = ReminderDelivery.objects.filter(
        state=ReminderDelivery.State.SENT, sent_at__gte=start, sent_at__lt=end
    )
    failed = ReminderDelivery.objects.filter(
        state=ReminderDelivery.State.FAILED,
        reminder__due_at__gte=start,
        reminder__due_at__lt=end,
    )
    # A young person's département, or the one a mentor mentors in (reminded of meetings).
    recipient = Coalesce(
        "reminder__user__profile__departement", "reminder__user__mentor_profile__departement"
    )
    sent = sent.annotate(recipient_departement=recipient)
    failed = failed.annotate(recipient_departement=recipient)
    delivered_to = "recipient_departement"
    return merge(
        tables("mentoring.mentors", mentor_cells),
        tables(
            "mentoring.waiting",
            count_cells(waiting, departement="departement", codes=codes, people="young_person"),
        ),
        tables(
            "mentoring.time_to_match",
            percentiles(
                activated,
                departement="request__departement",
                codes=codes,
                people="young_person",
                seconds=seconds_between("activated_at", "request__created_at"),
                fractions={"median": 0.5, "p90": 0.9},
            ),
        ),
        tables(
            "mentoring.active_matches",
            count_cells(
                under_way, departement="request__departement", codes=codes, people="young_person"
            ),
        ),
        tables(
            "mentoring.ended_matches",
            count_cells(
                last_ended,
                departement="request__departement",
                codes=codes,
                people="young_person",
                cell="end_reason",
            ),
            totals(
                last_ended, departement="request__departement", codes=codes, people="young_person"
            ),
        ),
        tables(
            "mentoring.meetings",
            count_cells(
                held,
                departement="match__request__departement",
                codes=codes,
                people="match__young_person",
            ),
        ),
        tables(
            "reminders.sent",
            count_cells(
                sent, departement=delivered_to, codes=codes, people="reminder__user", cell="channel"
            ),
        ),
        tables(
            "reminders.failures",
            count_cells(
                failed,
                departement=delivered_to,
                codes=codes,
                people="reminder__user",
                cell="channel",
            ),
        ),
    )
