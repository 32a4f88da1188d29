"""Writes of the path to autonomy: the young person asks for their six-month interview;
a référent schedules an interview and records that it was held; the projet written
together, with its history; the assessments; the monthly check-in and its call for help."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import selectors as accounts_selectors
from accounts.dates import age_on, birthday
from accounts.models import YoungPersonProfile
from mentoring.agenda import services as agenda
from mentoring.models import Match, Reminder
from referents import selectors as referents_selectors
from referents.models import Scope
from services_catalog import selectors as catalogue_selectors
from services_catalog import services as catalogue_services
from services_catalog.models import Demarche, Entry
from vault import services as vault_services
from vault.models import AccessEvent

from . import selectors
from .exceptions import (
    AssessmentRefused,
    CheckInRefused,
    InterviewAlreadyHeld,
    InterviewRefused,
    NotLeftCare,
    ProjetRefused,
)
from .models import (
    Action,
    Actor,
    Assessment,
    AssessmentAnswer,
    CheckIn,
    Domain,
    DomainWishes,
    Goal,
    Interview,
    Level,
    Projet,
    ProjetChange,
)

# How far ahead a référent may set an interview.
SCHEDULE_HORIZON = timedelta(days=730)


@transaction.atomic
def six_months_interview_request(*, user) -> Interview:
    """The young person asks for the interview six months after leaving care (CASF art.
    L.222-5-2-1 lets them). Asking twice changes nothing."""
    profile = accounts_selectors.profile_for(user)
    if profile is None or profile.care_ended_on is None:
        raise NotLeftCare()
    interview, _created = Interview.objects.select_for_update().get_or_create(
        young_person=user, kind=Interview.Kind.SIX_MONTHS
    )
    if interview.held_on is not None:
        raise InterviewAlreadyHeld()
    if interview.requested_at is None:
        interview.requested_at = timezone.now()
        interview.save(update_fields=["requested_at", "updated_at"])
    return interview


# --- What a référent records (from /pro/) ----------------------------------------------------


def _step_of(link, kind: str, today: date):
    """The young person's step of ``kind``, if the law gives them one now."""
    if kind not in Interview.Kind.values:
        raise InterviewRefused()
    profile = accounts_selectors.profile_for(link.young_person)
    if kind == Interview.Kind.SIX_MONTHS and (profile is None or profile.care_ended_on is None):
        raise NotLeftCare(_("The young person's profile does not say when care ended."))
    steps = selectors.steps_of(profile, {}, today) if profile is not None else []
    step = next((step for step in steps if step.kind == kind), None)
    if step is None:
        raise InterviewRefused(
            _("The young person's profile gives them no such interview."), code="no_such_step"
        )
    return step


def _interview_for(link, kind: str) -> Interview:
    interview, _created = Interview.objects.select_for_update().get_or_create(
        young_person=link.young_person, kind=kind
    )
    return interview


@transaction.atomic
def interview_schedule(*, link, kind: str, starts_at: datetime, place: str) -> Interview:
    """A référent sets the interview's date: it becomes one of the young person's
    appointments, shared with their référents, with its reminders."""
    now = timezone.now()
    if starts_at <= now:
        raise InterviewRefused(_("Choose a date in the future."), code="past_date")
    if starts_at > now + SCHEDULE_HORIZON:
        raise InterviewRefused(_("Choose a date within the next two years."), code="too_far")
    step = _step_of(link, kind, timezone.localdate())
    if step.status == "missed":
        raise InterviewRefused(
            _("The interview at 17 is for a minor: the young person is 18 now."), code="missed"
        )
    interview = _interview_for(link, kind)
    if interview.held_on is not None:
        raise InterviewAlreadyHeld()
    data = {"title": str(Interview.Kind(kind).label), "starts_at": starts_at, "place": place}
    if interview.appointment is None:
        # Shared with the référents when made; the young person may unshare it after,
        # and a new date keeps their choice.
        data["shared_with_referents"] = True
    interview.appointment = agenda.appointment_save(
        owner=link.young_person, data=data, appointment=interview.appointment
    )
    interview.scheduled_for = starts_at
    interview.recorded_by = link.referent
    interview.save()
    return interview


@transaction.atomic
def interview_record_held(*, link, kind: str, held_on: date) -> Interview:
    """A référent records that the interview took place (on a day not in the future)."""
    today = timezone.localdate()
    if held_on > today:
        raise InterviewRefused(_("An interview cannot be held in the future."), code="future_date")
    _step_of(link, kind, today)
    profile = accounts_selectors.profile_for(link.young_person)
    earliest = (
        profile.care_ended_on
        if kind == Interview.Kind.SIX_MONTHS
        else birthday(profile.birth_date, 16)
    )
    if held_on < earliest:
        raise InterviewRefused(_("This date is too early for this interview."), code="too_early")
    interview = _interview_for(link, kind)
    interview.held_on = held_on
    interview.recorded_by = link.referent
    if interview.appointment is not None and interview.appointment.starts_at > timezone.now():
        # Held before its date: no reminder of an interview that took place.
        agenda.appointment_delete(appointment=interview.appointment)
        interview.appointment = None
    interview.save()
    return interview


# --- Mon projet: written together, every change kept ------------------------------------------


@dataclass(frozen=True)
class Author:
    """Who writes in a projet: the young person, one of their référents, their mentor."""

    user: object
    role: str
    name: str


def author_young_person(user) -> Author:
    return Author(user=user, role=Actor.YOUNG_PERSON, name=user.first_name or "")


def author_referent(link) -> Author:
    return Author(
        user=link.referent,
        role=Actor.REFERENT,
        name=referents_selectors.referent_display_name(link.referent),
    )


def author_mentor(match) -> Author:
    return Author(user=match.mentor, role=Actor.MENTOR, name=match.mentor.first_name or "")


def _shown(value) -> str | bool | None:
    """A value as the history shows it (dates in ISO, choices as codes)."""
    if isinstance(value, date):
        return value.isoformat()
    if value is None or isinstance(value, bool):
        return value
    return str(value)


def _record(projet: Projet, author: Author, what: str, subject: str, fields: dict) -> None:
    ProjetChange.objects.create(
        projet=projet,
        by=author.user,
        by_role=author.role,
        by_name=author.name[:160],
        what=what,
        subject=subject[:200],
        fields=fields,
    )
    Projet.objects.filter(pk=projet.pk).update(updated_at=timezone.now())


def _apply(instance, data: dict, allowed: tuple[str, ...]) -> dict:
    """Set the ``allowed`` fields of ``data`` on ``instance``; what changed, before/after."""
    changed = {}
    for name in allowed:
        if name in data and getattr(instance, name) != data[name]:
            changed[name] = [_shown(getattr(instance, name)), _shown(data[name])]
            setattr(instance, name, data[name])
    return changed


# Bounds: a projet is a young person's plan, not a database; pages and the print stay light.
MAX_GOALS = 100
MAX_ACTIONS_PER_GOAL = 30
# Dates of a projet: past actions may be recorded, plans do not reach past ten years.
DATES_BACK, DATES_AHEAD = timedelta(days=5 * 365), timedelta(days=10 * 365)


def _check_dates(data: dict, *names: str) -> None:
    today = timezone.localdate()
    for name in names:
        day = data.get(name)
        if day is not None and not today - DATES_BACK <= day <= today + DATES_AHEAD:
            raise ProjetRefused(
                _("Choose a date between five years ago and ten years from now."),
                code="implausible_date",
            )


def projet_get_or_create(young_person) -> Projet:
    projet, _created = Projet.objects.get_or_create(young_person=young_person)
    return projet


PROJET_FIELDS = (
    "review_on",
    "trusted_person_name",
    "trusted_person_relation",
    "trusted_person_phone",
)


@transaction.atomic
def projet_update(*, young_person, author: Author, data: dict) -> Projet:
    """The review date, and the personne de confiance (only the young person names them)."""
    projet = projet_get_or_create(young_person)
    allowed = PROJET_FIELDS if author.role == Actor.YOUNG_PERSON else ("review_on",)
    if author.role != Actor.YOUNG_PERSON and set(data) - set(allowed):
        raise ProjetRefused(
            _("Only the young person names their personne de confiance."), code="trusted_person"
        )
    if data.get("review_on") != projet.review_on:
        _check_dates(data, "review_on")  # a date sent again as it was stays
    changed = _apply(projet, data, allowed)
    if changed:
        projet.save()
        _record(projet, author, "projet.changed", "", changed)
    return projet


@transaction.atomic
def wishes_set(*, young_person, author: Author, domain: str, text: str) -> DomainWishes:
    """What the young person wants in a domain, in their words (or written with them)."""
    projet = projet_get_or_create(young_person)
    wishes, _created = DomainWishes.objects.get_or_create(projet=projet, domain=domain)
    changed = _apply(wishes, {"text": text}, ("text",))
    if changed:
        wishes.save()
        _record(projet, author, "wishes.changed", str(Domain(domain).label), changed)
    return wishes


GOAL_FIELDS = ("domain", "title", "status", "shared_with_mentor")


@transaction.atomic
def goal_add(*, young_person, author: Author, data: dict) -> Goal:
    """A new goal in a domain. Only the young person shares a goal with their mentor."""
    projet = projet_get_or_create(young_person)
    data = dict(data)
    if author.role != Actor.YOUNG_PERSON:
        data.pop("shared_with_mentor", None)
    count = projet.goals.count()
    if count >= MAX_GOALS:
        raise ProjetRefused(_("This projet has as many goals as it can hold."), code="too_many")
    goal = Goal(projet=projet, position=count)
    changed = _apply(goal, data, GOAL_FIELDS)
    goal.full_clean(exclude=["projet"])
    goal.save()
    _record(projet, author, "goal.added", goal.title, changed)
    return goal


@transaction.atomic
def goal_update(*, goal: Goal, author: Author, data: dict) -> Goal:
    """Change a goal. A mentor changes only how far a shared goal is."""
    allowed = {
        Actor.YOUNG_PERSON: GOAL_FIELDS,
        Actor.REFERENT: ("domain", "title", "status"),
        Actor.MENTOR: ("status",),
    }[author.role]
    if set(data) - set(allowed):
        raise ProjetRefused(
            _("Only the young person decides what their mentor sees."), code="not_allowed"
        )
    goal = Goal.objects.select_for_update().get(pk=goal.pk)
    changed = _apply(goal, data, allowed)
    if changed:
        goal.full_clean(exclude=["projet"])
        goal.save()
        _record(goal.projet, author, "goal.changed", goal.title, changed)
    return goal


@transaction.atomic
def goal_delete(*, goal: Goal, author: Author) -> None:
    _record(goal.projet, author, "goal.removed", goal.title, {})
    goal.delete()


ACTION_FIELDS = ("title", "due_on", "actor", "status")


def _demarche_for(young_person, entry_id: int | None):
    """The saved procedure an action's catalogue entry becomes (the existing one if the
    young person already follows it)."""
    if entry_id is None:
        return None, None
    try:
        entry = catalogue_selectors.entry_get_visible(entry_id=entry_id)
    except Entry.DoesNotExist:
        raise ProjetRefused(
            _("This entry is not in the catalogue."), code="unknown_entry"
        ) from None
    demarche = Demarche.objects.filter(user=young_person, entry=entry).first()
    if demarche is None:
        demarche = catalogue_services.demarche_start(user=young_person, entry=entry)
    return entry, demarche


@transaction.atomic
def action_add(*, goal: Goal, author: Author, data: dict) -> Action:
    """A new action towards ``goal``; a linked catalogue entry becomes a saved procedure."""
    data = dict(data)
    if goal.actions.count() >= MAX_ACTIONS_PER_GOAL:
        raise ProjetRefused(_("This goal has as many actions as it can hold."), code="too_many")
    _check_dates(data, "due_on")
    young_person = goal.projet.young_person
    entry, demarche = _demarche_for(young_person, data.pop("entry", None))
    action = Action(goal=goal, entry=entry, demarche=demarche)
    changed = _apply(action, data, ACTION_FIELDS)
    if entry is not None:
        changed["entry"] = [None, entry.title]
    action.full_clean(exclude=["goal", "entry", "demarche"])
    action.save()
    _record(goal.projet, author, "action.added", action.title, changed)
    return action


@transaction.atomic
def action_update(*, action: Action, author: Author, data: dict) -> Action:
    data = dict(data)
    action = Action.objects.select_for_update().select_related("goal__projet").get(pk=action.pk)
    if "due_on" in data and data["due_on"] != action.due_on:
        _check_dates(data, "due_on")  # a date sent again as it was stays
    changed = {}
    if "entry" in data:
        entry_id = data.pop("entry")
        if entry_id != action.entry_id:
            entry, demarche = _demarche_for(action.goal.projet.young_person, entry_id)
            changed["entry"] = [
                action.entry.title if action.entry else None,
                entry.title if entry else None,
            ]
            action.entry, action.demarche = entry, demarche
    changed.update(_apply(action, data, ACTION_FIELDS))
    if changed:
        action.full_clean(exclude=["goal", "entry", "demarche"])
        action.save()
        _record(action.goal.projet, author, "action.changed", action.title, changed)
    return action


@transaction.atomic
def action_delete(*, action: Action, author: Author) -> None:
    _record(action.goal.projet, author, "action.removed", action.title, {})
    action.delete()


def shared_goals_reading_record(*, match) -> None:
    """The mentor read the goals their mentee shares: one line in the mentee's log."""
    vault_services.reading_record(
        owner=match.young_person,
        actor=AccessEvent.Actor.MENTOR,
        actor_name=match.mentor.first_name or "",
        scopes=[Scope.PROJET],
    )


# --- Mon autonomie ----------------------------------------------------------------------------


@transaction.atomic
def assessment_submit(*, young_person, author: Author, answers: dict[str, int]) -> Assessment:
    """One filling of the assessment: ``answers`` maps item keys of the young person's
    référentiel to a level. Items left out are simply not answered."""
    if not answers:
        raise AssessmentRefused(_("Answer at least one item."), code="no_answer")
    items = {item.key: item for item in selectors.referentiel_for_user(young_person)}
    unknown = sorted(set(answers) - set(items))
    if unknown:
        raise AssessmentRefused(
            _("These items are not in your assessment: %(keys)s") % {"keys": ", ".join(unknown)},
            code="unknown_item",
        )
    if any(level not in Level.values for level in answers.values()):
        raise AssessmentRefused(_("An answer is not on the scale."), code="bad_level")
    assessment = Assessment.objects.create(
        young_person=young_person,
        by=author.user,
        by_role=author.role,
        by_name=author.name[:160],
        version=selectors.referentiel_version(),
    )
    AssessmentAnswer.objects.bulk_create(
        AssessmentAnswer(assessment=assessment, item=items[key], level=level)
        for key, level in answers.items()
    )
    return assessment


# --- Où en es-tu ? --------------------------------------------------------------------------

CHECK_IN_FIELDS = ("housing", "activity", "resources", "needs_help", "tell_mentor")
# What counts as answering ("tell my mentor too" alone says nothing).
ANSWERS = ("housing", "activity", "resources", "needs_help")


def where_in_life(young_person, today: date) -> dict:
    """Age, months since care ended and département this month, as the figures count them."""
    profile = accounts_selectors.profile_for(young_person)
    if profile is None:
        return {"age": None, "months_after_care": None, "departement_id": None}
    age = age_on(profile.birth_date, today) if profile.birth_date else None
    months = None
    if profile.care_ended_on and profile.care_ended_on <= today:
        ended = profile.care_ended_on
        months = (today.year - ended.year) * 12 + today.month - ended.month
        if today.day < ended.day:
            months -= 1
    return {"age": age, "months_after_care": months, "departement_id": profile.departement_id}


@transaction.atomic
def check_in_submit(*, young_person, data: dict, today: date | None = None) -> CheckIn:
    """This month's check-in (answering again the same month corrects it). "J'ai besoin
    d'aide" tells the young person's référents, and their mentor if they chose: once a
    month, and discreetly (the notification names no one and says nothing of the answers)."""
    today = today or timezone.localdate()
    month = selectors.month_of(today)
    # A first answer must say something; a correction may take a call for help back.
    if not any(data.get(name) for name in ANSWERS) and not (
        CheckIn.objects.filter(young_person=young_person, month=month).exists()
    ):
        raise CheckInRefused(
            _("Answer at least one question, or simply skip the check-in."), code="empty"
        )
    # get_or_create: two first answers at once (a double tap, a retry) make one row.
    check_in, _created = CheckIn.objects.select_for_update().get_or_create(
        young_person=young_person, month=month
    )
    for name in CHECK_IN_FIELDS:
        if name in data:
            setattr(check_in, name, data[name])
    if not check_in.needs_help:
        check_in.tell_mentor = False
    for name, value in where_in_life(young_person, today).items():
        setattr(check_in, name, value)
    # Once a month each: the référents when help is first asked, the mentor when it is
    # asked with "tell my mentor too" (then, or later in the month), however often the
    # boxes are ticked and unticked.
    now = timezone.now()
    tell_referents = check_in.needs_help and check_in.help_asked_at is None
    tell_mentor = check_in.needs_help and check_in.tell_mentor and check_in.mentor_told_at is None
    if tell_referents:
        check_in.help_asked_at = now
    if tell_mentor:
        check_in.mentor_told_at = now
    if tell_referents or tell_mentor:
        _tell_helpers(young_person, tell_mentor=tell_mentor, referents=tell_referents)
    check_in.full_clean(exclude=["young_person", "departement"])
    check_in.save()
    return check_in


def _tell_helpers(young_person, *, tell_mentor: bool, referents: bool = True) -> int:
    """A help-request reminder, due now, to each référent of an active link (whatever its
    scopes: asking for help is the young person's message to them) and to the mentor of
    an active match if they chose. The dispatcher sends each once, with the link's or the
    match's id for the app to open (the words name no one)."""
    recipients = (
        dict(
            referents_selectors.active_links()
            .filter(young_person=young_person)
            .values_list("referent_id", "pk")
        )
        if referents
        else {}
    )
    if tell_mentor:
        recipients |= dict(
            Match.objects.filter(young_person=young_person, status=Match.Status.ACTIVE).values_list(
                "mentor_id", "pk"
            )
        )
    now = timezone.now()
    Reminder.objects.bulk_create(
        Reminder(
            user_id=user_id,
            kind=Reminder.Kind.HELP_REQUEST,
            target_id=str(recipients[user_id]),
            offset_minutes=0,
            due_at=now,
        )
        for user_id in sorted(recipients)
    )
    return len(recipients)


def check_in_reminders_plan(*, today: date | None = None) -> int:
    """The monthly reminder of "Où en es-tu ?": at most one a month, to the young people
    who keep it on in their preferences, have not answered this month nor in the last
    three weeks, and were not reminded this month. Returns how many were planned."""
    today = today or timezone.localdate()
    # Two runs at once (two beat processes during a deploy) would both find nobody
    # reminded yet: the second one leaves it to the first.
    if not cache.add(PLANNING_KEY, 1, timeout=600):
        return 0
    try:
        return _check_in_reminders_plan(today)
    finally:
        cache.delete(PLANNING_KEY)


PLANNING_KEY = "autonomy:check-in-reminders:planning"


def _check_in_reminders_plan(today: date) -> int:
    month = selectors.month_of(today)
    start = timezone.make_aware(datetime.combine(month, datetime.min.time()))
    recent = today - timedelta(days=21)
    candidates = (
        YoungPersonProfile.objects.filter(notify_check_in=True, user__is_active=True)
        .exclude(user__check_ins__month=month)
        .exclude(user__check_ins__updated_at__date__gte=recent)
        # One subquery, not a condition on the relation: another reminder this month
        # (an appointment's) must not count as the check-in's.
        .exclude(
            user_id__in=Reminder.objects.filter(
                kind=Reminder.Kind.CHECK_IN, created_at__gte=start
            ).values("user_id")
        )
        .values_list("user_id", flat=True)
        .distinct()
    )
    now = timezone.now()
    planned = Reminder.objects.bulk_create(
        Reminder(
            user_id=user_id,
            kind=Reminder.Kind.CHECK_IN,
            target_id=month.isoformat(),  # the check-in the app opens, as the API names it
            offset_minutes=0,
            due_at=now,
        )
        for user_id in candidates
    )
    return len(planned)
