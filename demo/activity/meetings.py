"""What goes in the calendars: the meetings of each match in 93, the young people's own
appointments in 93 and 75, and the reminders sent for both (push and e-mail, as each
person chose, a few failed for good), left as the dispatcher leaves them. The figures
count meetings held and reminders sent or failed by channel: without these, their
tables would be empty."""

from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from figures.periods import first_of_month
from mentoring.agenda.reminders import due_time
from mentoring.models import Appointment, Match, Meeting, Reminder, ReminderDelivery

from .common import DOMAIN, Person, Window, at_hour, create_dated, rng_for

# Where meetings in person take place.
PLACES = (
    "Médiathèque de Bobigny",
    "Café associatif, Saint-Denis",
    "Mission locale de Montreuil",
    "Parc de la Villette",
    "Maison de quartier, Aubervilliers",
)
# The young people's own appointments: (title, place).
APPOINTMENTS = (
    ("Mission locale", "Mission locale"),
    ("CAF - dossier d'aide au logement", "CAF, accueil sur rendez-vous"),
    ("Préfecture - titre de séjour", "Préfecture, guichet étrangers"),
    ("Médecin traitant", "Centre de santé"),
    ("Entretien au foyer de jeunes travailleurs", "FJT"),
    ("France Travail", "Agence France Travail"),
    ("Référente ASE", "Service de l'aide sociale à l'enfance"),
)
APPOINTMENTS_A_MONTH = {"93": (8, 12), "75": (2, 3)}
FAILURES_A_MONTH = (2, 6)  # reminder deliveries that could not be made
FAILURE_ERRORS = {
    "push": "Jeton de l'appareil expiré (démo).",
    "email": "Boîte de réception pleine (démo).",
}


def make_meetings(window: Window, matches: list[Match]) -> list[Meeting]:
    """Meetings every two or three weeks of each match's life, nearly all accepted."""
    rng = rng_for("meetings")
    meetings = []
    for match in matches:
        moment = match.activated_at + timedelta(days=rng.uniform(4, 10))
        stop = min(match.ended_at or window.end, window.end)
        while True:
            day = timezone.localdate(moment)
            saturday = day.weekday() == 5
            starts = at_hour(day, rng.choice((10, 14, 15)) if saturday else rng.choice((17, 18)))
            starts += timedelta(minutes=rng.choice((0, 30)))
            if starts >= stop:
                break
            status = rng.choices(
                (Meeting.Status.ACCEPTED, Meeting.Status.CANCELLED, Meeting.Status.DECLINED),
                (85, 8, 7),
            )[0]
            remote = match.request.meeting_mode == "remote" or rng.random() < 0.2
            created = max(match.activated_at, starts - timedelta(days=rng.uniform(2, 9)))
            meetings.append(
                Meeting(
                    match=match,
                    proposed_by_id=rng.choice((match.mentor_id, match.young_person_id)),
                    starts_at=starts,
                    duration_minutes=rng.choice((60, 60, 90)),
                    place="" if remote else rng.choice(PLACES),
                    video_url=f"https://visio.{DOMAIN}/rdv-{rng.randrange(10**6):06d}"
                    if remote
                    else "",
                    status=status,
                    created_at=created,
                    updated_at=created + timedelta(hours=rng.uniform(1, 30)),
                )
            )
            moment = starts + timedelta(days=rng.uniform(10, 24))
    create_dated(Meeting, meetings, ["created_at", "updated_at"])
    return meetings


def make_appointments(window: Window, people: list[Person]) -> list[Appointment]:
    """The young people's own appointments, on days they used the app."""
    rng = rng_for("appointments")
    appointments = []
    for code, (low, high) in APPOINTMENTS_A_MONTH.items():
        for month in window.months:
            active = [p for p in people if p.code == code and month in p.active]
            for _ in range(min(len(active), window.count(rng, low, high, month))):
                person = rng.choice(active)
                title, place = rng.choice(APPOINTMENTS)
                starts = at_hour(rng.choice(person.active[month]), rng.randint(9, 16))
                created = max(person.joined, starts - timedelta(days=rng.uniform(3, 20)))
                created = min(created, starts - timedelta(hours=1))
                appointments.append(
                    Appointment(
                        owner=person.user,
                        title=title,
                        starts_at=starts,
                        place=place,
                        created_at=created,
                        updated_at=created,
                    )
                )
    create_dated(Appointment, appointments, ["created_at", "updated_at"])
    return appointments


def make_reminders(window, people, meetings, appointments) -> tuple[int, int]:
    """Reminders of the past meetings and appointments, as the dispatcher leaves them:
    sent on each channel the person chose, a few failed for good."""
    rng = rng_for("reminders")
    profiles = {person.user.pk: person.profile for person in people}
    planned = []  # (reminder, channels)

    def plan(user_id: int, kind: str, starts: datetime, scheduled: datetime, **target):
        profile = profiles.get(user_id)
        channels = ["push"]  # a mentor: on their phone
        if profile is not None:
            channels = [
                name
                for name, wanted in (
                    ("push", profile.notify_by_push),
                    ("email", profile.notify_by_email),
                )
                if wanted
            ]
        for offset in (24 * 60, 60):
            due = due_time(starts, offset)
            if due <= scheduled or due >= window.end:
                continue  # planned only when ahead, and sent only if due before today
            reminder = Reminder(
                user_id=user_id,
                kind=kind,
                offset_minutes=offset,
                due_at=due,
                state=Reminder.State.SENT,
                attempts=1,
                sent_at=due + timedelta(seconds=rng.uniform(2, 40)),
                created_at=scheduled,
                **target,
            )
            planned.append((reminder, channels))

    for meeting in meetings:
        if meeting.status == Meeting.Status.ACCEPTED:
            for user_id in (meeting.match.young_person_id, meeting.match.mentor_id):
                kind = Reminder.Kind.MEETING
                plan(user_id, kind, meeting.starts_at, meeting.updated_at, meeting=meeting)
    for item in appointments:
        kind = Reminder.Kind.APPOINTMENT
        plan(item.owner_id, kind, item.starts_at, item.created_at, appointment=item)

    # A few deliveries to young people fail for good, each month.
    by_month = defaultdict(list)
    for index, (reminder, channels) in enumerate(planned):
        if reminder.user_id in profiles:
            month = first_of_month(timezone.localdate(reminder.due_at))
            by_month[month] += [(index, channel) for channel in channels]
    failed = set()
    for month, deliveries in sorted(by_month.items()):
        count = window.count(rng, *FAILURES_A_MONTH, month)
        failed.update(rng.sample(deliveries, min(count, len(deliveries))))
    for index, channel in failed:
        reminder = planned[index][0]
        reminder.state, reminder.sent_at = Reminder.State.FAILED, None
        reminder.attempts = settings.REMINDERS_MAX_ATTEMPTS
        reminder.last_error = f"{channel}: {FAILURE_ERRORS[channel]}"

    reminders = [reminder for reminder, _channels in planned]
    create_dated(Reminder, reminders, ["created_at"])
    deliveries = []
    for index, (reminder, channels) in enumerate(planned):
        sent_at = reminder.sent_at or reminder.due_at + timedelta(seconds=rng.uniform(2, 40))
        for channel in channels:
            delivery = ReminderDelivery(
                reminder=reminder,
                channel=channel,
                idempotency_key=f"reminder-{reminder.pk}-{channel}",
                state=ReminderDelivery.State.SENT,
                attempts=1,
                sent_at=sent_at,
            )
            if (index, channel) in failed:
                delivery.state, delivery.sent_at = ReminderDelivery.State.FAILED, None
                delivery.attempts = settings.REMINDERS_MAX_ATTEMPTS
                delivery.last_error = FAILURE_ERRORS[channel]
            deliveries.append(delivery)
    ReminderDelivery.objects.bulk_create(deliveries, batch_size=1000)
    return len(reminders), len(deliveries)
