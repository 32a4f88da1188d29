"""Reminders: scheduled as rows, sent exactly once by a periodic Celery task.

**Times.** Due times are stored in UTC. An offset of whole days is counted on the
Paris wall clock: "the day before" a 10:00 meeting is 10:00 the day before, even across
a daylight-saving change. Other offsets (an hour before) are real time.

**Exactly once.** ``dispatch`` claims due rows under ``SELECT ... FOR UPDATE SKIP
LOCKED``: two workers never take the same reminder, a retried task finds nothing left
to take. Each (reminder, channel) has a delivery row with a unique idempotency key,
marked sent as soon as the channel accepted it (``SEND_CHUNK`` at a time); a reminder
claimed again (its worker died) only resends the channels not marked sent, with the
same key, which the provider uses to deliver once. The in-app notification is one row
per reminder (unique). A channel that fails is retried later, further apart each time, up to
``REMINDERS_MAX_ATTEMPTS``.
"""

import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from backend import metrics

from ..models import Appointment, Meeting, Notification, Reminder, ReminderDelivery
from . import channels, sms

logger = logging.getLogger(__name__)

DAY_MINUTES = 24 * 60
# Residence permits take months to renew: warned earlier than other papers.
DOCUMENT_OFFSETS_DAYS = {"residence_permit": (90, 30)}
DOCUMENT_DEFAULT_OFFSETS_DAYS = (30,)
DOCUMENT_REMINDER_TIME = time(9, 0)  # Paris time, on the day
STALE_CLAIM = timedelta(minutes=10)
BATCH = 500
# Reminders sent between two checks that the claim still holds and two writes of
# what was sent: a worker dying mid-chunk resends at most this many, with their keys.
SEND_CHUNK = 50

State = Reminder.State


def due_time(starts_at: datetime, offset_minutes: int) -> datetime:
    """When a reminder ``offset_minutes`` before ``starts_at`` is due (see the module).

    Before the calendar's first day (a paper said to expire in year 1), it is the earliest
    moment there is: long past, so never planned.
    """
    try:
        if offset_minutes % DAY_MINUTES:
            return starts_at - timedelta(minutes=offset_minutes)
        paris = timezone.get_default_timezone()
        local = timezone.localtime(starts_at, paris).replace(tzinfo=None)
        wall = local - timedelta(days=offset_minutes // DAY_MINUTES)
        return timezone.make_aware(wall, paris)
    except OverflowError:
        return datetime.min.replace(tzinfo=UTC)


def _replace(existing, user, kind: str, plan: list[tuple[int, datetime]], **target) -> None:
    """Make ``existing`` pending reminders match ``plan`` [(offset, due_at)].

    A reminder already planned at the same time stays as it is (even one due and waiting
    for a retry): changing an appointment's notes loses nothing. The others are
    cancelled, and what is missing and still ahead is created.
    """
    wanted = {(offset, due) for offset, due in plan}
    kept = set()
    for reminder in existing.filter(state=State.PENDING):
        key = (reminder.offset_minutes, reminder.due_at)
        if key in wanted and key not in kept:
            kept.add(key)
        else:
            Reminder.objects.filter(pk=reminder.pk).update(state=State.CANCELLED)
    now = timezone.now()
    Reminder.objects.bulk_create(
        [
            Reminder(user=user, kind=kind, offset_minutes=offset, due_at=due, **target)
            for offset, due in sorted(wanted - kept)
            if due > now
        ]
    )


@transaction.atomic
def schedule_appointment(appointment: Appointment) -> None:
    plan = [(o, due_time(appointment.starts_at, o)) for o in appointment.reminder_offsets]
    _replace(
        Reminder.objects.filter(appointment=appointment),
        appointment.owner,
        Reminder.Kind.APPOINTMENT,
        plan,
        appointment=appointment,
    )


@transaction.atomic
def schedule_meeting(meeting: Meeting) -> None:
    """Both members are reminded of an accepted meeting; of nothing otherwise."""
    existing = Reminder.objects.filter(meeting=meeting)
    existing.filter(state=State.PENDING).update(state=State.CANCELLED)
    if meeting.status != Meeting.Status.ACCEPTED:
        return
    plan = [(o, due_time(meeting.starts_at, o)) for o in meeting.reminder_offsets]
    for member in (meeting.match.young_person, meeting.match.mentor):
        _replace(Reminder.objects.none(), member, Reminder.Kind.MEETING, plan, meeting=meeting)


@transaction.atomic
def schedule_document(document) -> None:
    """A document with an expiry date is announced ahead (90 and 30 days for a permit).

    Called when the document is written, while its sealed type and expiry date are open
    on it: the reminder rows keep only when they are due, which the beat task claims.
    """
    existing = Reminder.objects.filter(document=document)
    if document.expiry_date is None:
        existing.filter(state=State.PENDING).update(state=State.CANCELLED)
        return
    moment = timezone.make_aware(
        datetime.combine(document.expiry_date, DOCUMENT_REMINDER_TIME),
        timezone.get_default_timezone(),
    )
    days = DOCUMENT_OFFSETS_DAYS.get(document.document_type, DOCUMENT_DEFAULT_OFFSETS_DAYS)
    plan = [(d * DAY_MINUTES, due_time(moment, d * DAY_MINUTES)) for d in days]
    now = timezone.now()
    if moment > now and all(due <= now for _offset, due in plan):
        # Expiring sooner than the first warning: warn now rather than never.
        plan = [(int((moment - now).total_seconds() // 60), now + timedelta(minutes=1))]
    _replace(existing, document.owner, Reminder.Kind.DOCUMENT_EXPIRY, plan, document=document)


# --- Sending ------------------------------------------------------------------------------


@dataclass
class DispatchStats:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0


# What each kind of reminder is about, for the app (channels.KINDS).
NOTIFICATION_KINDS = {
    Reminder.Kind.MEETING: "meeting",
    Reminder.Kind.APPOINTMENT: "appointment",
    Reminder.Kind.DOCUMENT_EXPIRY: "document",
    Reminder.Kind.CHECK_IN: "check_in",
    Reminder.Kind.HELP_REQUEST: "help_request",
}


def notification_target(reminder: Reminder) -> tuple[str, str]:
    """(kind, target_id) of a reminder: what the app opens when its push is tapped.

    The target is the object's identifier in the API (a meeting's or an appointment's
    number, a document's UUID); for a reminder about nothing stored, what was written
    down when it was planned (a check-in's month, a call for help's match or link).
    """
    target = reminder.meeting_id or reminder.appointment_id or reminder.document_id
    return NOTIFICATION_KINDS[reminder.kind], str(target or reminder.target_id)


def _compose(reminder: Reminder) -> channels.Outgoing | None:
    """The reminder's words (French), or None if what it reminds of is gone or off.

    Discreet on purpose: a push shows on a locked screen and an e-mail sits in a
    mailbox, so neither names a document, a date, a place or a title. The app shows
    the details once unlocked, fetched through the API (``kind`` and ``target_id``
    say where; they are not shown).
    """
    with override(settings.LANGUAGE_CODE):
        words = _words(reminder)
    if words is None:
        return None
    kind, target_id = notification_target(reminder)
    return channels.Outgoing(*words, f"reminder-{reminder.pk}", kind=kind, target_id=target_id)


def _words(reminder: Reminder) -> tuple[str, str] | None:
    if reminder.kind == Reminder.Kind.APPOINTMENT and reminder.appointment:
        return _("An appointment soon"), _("Open Jalon to see the details.")
    if reminder.kind == Reminder.Kind.MEETING and reminder.meeting:
        meeting = reminder.meeting
        if meeting.status != Meeting.Status.ACCEPTED or meeting.match.status != "active":
            return None
        return _("An appointment soon"), _("Open Jalon to see the details.")
    if reminder.kind == Reminder.Kind.DOCUMENT_EXPIRY and reminder.document:
        return _("A document in your vault expires soon"), _("Open Jalon to see which one.")
    if reminder.kind == Reminder.Kind.CHECK_IN:
        return _("Où en es-tu ?"), _("Your monthly check-in is open, if you want.")
    if reminder.kind == Reminder.Kind.HELP_REQUEST:
        # To a référent or a mentor: the young person is not named on a lock screen.
        return _("A young person you accompany asks for help"), _("Open Jalon to see who.")
    return None


def _channel_names(user, kind: str = "") -> list[str]:
    profile = getattr(user, "profile", None)
    if profile is None and kind == Reminder.Kind.HELP_REQUEST:
        # A référent or a mentor has no preferences: a call for help reaches their phone
        # and their mailbox, where a professional works.
        wanted = ["push", "email"]
    else:
        wanted = []
        if profile is None or profile.notify_by_push:
            wanted.append("push")
        if profile is not None and profile.notify_by_email:
            wanted.append("email")
    # By SMS too, to whoever gave a number and agreed (young people often read SMS first).
    if sms.wants_sms(user):
        wanted.append("sms")
    return wanted


def _claim(now: datetime, worker: str, batch: int) -> list[int]:
    with transaction.atomic():
        ids = list(
            Reminder.objects.select_for_update(skip_locked=True)
            .filter(state=State.PENDING, due_at__lte=now)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .order_by("due_at", "id")
            .values_list("id", flat=True)[:batch]
        )
        Reminder.objects.filter(id__in=ids).update(
            state=State.SENDING,
            claimed_at=timezone.now(),  # the lease runs from the claim, not from ``now``
            claimed_by=worker,
            attempts=F("attempts") + 1,
        )
    return ids


def _release_stale_claims(now: datetime) -> int:
    """Reminders claimed by a worker that died: back in the queue (sent channels stay sent)."""
    return Reminder.objects.filter(state=State.SENDING, claimed_at__lt=now - STALE_CLAIM).update(
        state=State.PENDING
    )


def _mine(ids, claim: str):
    """This claim's rows only: a claim released as stale is another worker's now."""
    return Reminder.objects.filter(pk__in=ids, state=State.SENDING, claimed_by=claim)


def _insert_ignoring_vanished(model, rows: list) -> None:
    """Insert ``rows``, skipping those already there (unique keys) and those whose
    reminder was deleted meanwhile (an appointment deleted while its reminder is sent)."""
    try:
        with transaction.atomic():
            model.objects.bulk_create(rows, ignore_conflicts=True)
    except IntegrityError:  # a vanished reminder fails the set: one by one, then
        for row in rows:
            try:
                with transaction.atomic():
                    model.objects.bulk_create([row], ignore_conflicts=True)
            except IntegrityError:
                logger.info("Reminder %s vanished while being sent", row.reminder_id)


def _send(backend, items: list) -> dict[int, str]:
    """``backend.send_many`` over (reminder, delivery, message); failures by position."""
    try:
        return backend.send_many([(reminder.user, message) for reminder, _d, message in items])
    except Exception as error:  # the provider is unreachable: the whole set waits
        return dict.fromkeys(range(len(items)), str(error) or error.__class__.__name__)


def _send_chunk(chunk, deliveries, backends, now, failures, composed) -> None:
    """Send the chunk's unsent channels; a delivery is marked sent once accepted."""
    # The same discreet words as the inbox (``_compose``): nothing of the appointment or
    # the paper (a prefecture, a doctor, a residence permit) on a lock screen or in a mail.
    for name, backend in backends.items():
        items = []
        for reminder in chunk:
            delivery = deliveries.get((reminder.pk, name))
            if delivery is not None and delivery.state != ReminderDelivery.State.SENT:
                message = composed[reminder.pk]
                outgoing = replace(message, idempotency_key=delivery.idempotency_key)
                items.append((reminder, delivery, outgoing))
        if not items:
            continue
        errors = _send(backend, items)
        accepted = [d.pk for position, (_r, d, _m) in enumerate(items) if position not in errors]
        ReminderDelivery.objects.filter(pk__in=accepted).update(
            state=ReminderDelivery.State.SENT, attempts=F("attempts") + 1, sent_at=now
        )
        metrics.increment("reminder_deliveries", name, "sent", amount=len(accepted))
        metrics.increment("reminder_deliveries", name, "failed", amount=len(errors))
        failed_by_error = defaultdict(list)  # a provider down: one error, one update
        for position, error in errors.items():
            reminder, delivery, _message = items[position]
            logger.warning("Reminder %s on %s failed: %s", reminder.pk, name, error)
            failures.setdefault(reminder.pk, []).append(f"{name}: {error}")
            failed_by_error[error[:1000]].append(delivery.pk)
        for error, pks in failed_by_error.items():
            ReminderDelivery.objects.filter(pk__in=pks).update(
                state=ReminderDelivery.State.FAILED, attempts=F("attempts") + 1, last_error=error
            )


def _deliver(batch: list[Reminder], now: datetime, claim: str, backends, stats) -> None:
    """Deliver a claimed batch: a few statements per chunk, not per reminder.

    Delivery rows are written first, each with its idempotency key; the providers are
    called outside any transaction, a chunk at a time, and each accepted delivery is
    marked sent right after its chunk. Before each chunk the claim is checked again:
    a reminder released as stale meanwhile belongs to whoever claimed it since.
    """
    composed = {reminder.pk: _compose(reminder) for reminder in batch}
    gone = [pk for pk, message in composed.items() if message is None]
    if gone:
        stats.cancelled += _mine(gone, claim).update(state=State.CANCELLED)
    live = [reminder for reminder in batch if composed[reminder.pk] is not None]
    if not live:
        return
    wanted = {reminder.pk: _channel_names(reminder.user, reminder.kind) for reminder in live}
    # An SMS over its caps (or refused for good before) goes by push or e-mail instead.
    sms.route(
        [
            (r.user, wanted[r.pk], f"{composed[r.pk].idempotency_key}-sms")
            for r in live
            if "sms" in wanted[r.pk]
        ]
    )
    _insert_ignoring_vanished(
        ReminderDelivery,
        [
            ReminderDelivery(
                reminder=reminder,
                channel=name,
                idempotency_key=f"{composed[reminder.pk].idempotency_key}-{name}",
            )
            for reminder in live
            for name in wanted[reminder.pk]
        ],
    )
    # Only the channels wanted now: a retry does not send an e-mail switched off since.
    deliveries = {
        (delivery.reminder_id, delivery.channel): delivery
        for delivery in ReminderDelivery.objects.filter(reminder__in=live)
        if delivery.channel in wanted[delivery.reminder_id]
    }
    failures: dict[int, list[str]] = {}
    done = []
    for start in range(0, len(live), SEND_CHUNK):
        chunk = live[start : start + SEND_CHUNK]
        still_mine = set(_mine([r.pk for r in chunk], claim).values_list("pk", flat=True))
        chunk = [reminder for reminder in chunk if reminder.pk in still_mine]
        _send_chunk(chunk, deliveries, backends, now, failures, composed)
        done.extend(chunk)
    _insert_ignoring_vanished(
        Notification,
        [
            Notification(
                user_id=reminder.user_id,
                reminder=reminder,
                title=composed[reminder.pk].title,
                body=composed[reminder.pk].body,
            )
            for reminder in done
        ],
    )
    delivered = [reminder.pk for reminder in done if reminder.pk not in failures]
    stats.sent += _mine(delivered, claim).update(state=State.SENT, sent_at=now)
    # Failed reminders grouped by attempts and error: a few updates, not one each.
    given_up, retried = defaultdict(list), defaultdict(list)
    for reminder in done:
        if reminder.pk in failures:
            error = "\n".join(failures[reminder.pk])
            if reminder.attempts >= settings.REMINDERS_MAX_ATTEMPTS:
                given_up[error].append(reminder.pk)
            else:
                retried[(reminder.attempts, error)].append(reminder.pk)
    for error, pks in given_up.items():
        stats.failed += _mine(pks, claim).update(state=State.FAILED, last_error=error)
    for (attempts, error), pks in retried.items():
        backoff = timedelta(minutes=2**attempts)
        stats.retried += _mine(pks, claim).update(
            state=State.PENDING, next_attempt_at=now + backoff, last_error=error
        )


def dispatch(*, now: datetime | None = None, worker: str = "", batch: int = BATCH) -> DispatchStats:
    """Send every reminder due at ``now``; safe to run in several workers at once."""
    now = now or timezone.now()
    stats = DispatchStats()
    _release_stale_claims(timezone.now())
    claim = f"{worker}#{uuid.uuid4().hex[:12]}"  # tells this run's claims from any other
    backends = {
        "push": channels.push_backend(),
        "email": channels.email_backend(),
        "sms": sms.sms_backend(),
    }
    while ids := _claim(now, claim, batch):
        claimed = Reminder.objects.filter(id__in=ids).select_related(
            "user",
            "user__profile",
            "user__sms_contact",
            "appointment",
            "meeting",
            "meeting__match",
            "document",
        )
        _deliver(list(claimed.order_by("due_at", "id")), now, claim, backends, stats)
    return stats
