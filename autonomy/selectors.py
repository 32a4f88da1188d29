"""Reads of the path to autonomy: the legal milestones of a young person, computed from
their profile (birth date, in care, dates care started and ended) and their interviews.

The law behind each step:
- the interview at 17 (CASF art. L.222-5-1): "au plus tard un an avant sa majorité", at
  once for someone who entered care after 17; the projet d'accès à l'autonomie is built
  there;
- 18: majority, the pécule (the allocation de rentrée scolaire saved at the Caisse des
  dépôts), the contrat jeune majeur;
- a residence permit within the year after 18, for those who arrived as unaccompanied
  minors;
- the interview six months after leaving care (CASF art. L.222-5-2-1), which the young
  person may also ask for; the right to come back ("droit au retour") while under 21;
- 21: the end of the support.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import selectors as accounts_selectors
from accounts.dates import birthday
from referents.models import Scope
from services_catalog import selectors as catalogue_selectors

from .models import Interview, Milestone, MilestoneEntry

# How long before its date a step shows as coming ("soon", or "due" for an interview).
SOON = timedelta(days=90)
INTERVIEW_KINDS = {Interview.Kind.AT_17.value, Interview.Kind.SIX_MONTHS.value}


@dataclass
class Step:
    """One step of the timeline ("frise"), as the app draws it."""

    kind: str
    title: str
    what_to_do: str
    on: date | None
    until: date | None = None
    status: str = "upcoming"
    interview: Interview | None = None
    entries: list = field(default_factory=list)


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` months, on the last day of a shorter month (31 August + 6
    months is 28 or 29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last_day in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last_day))
        except ValueError:
            continue
    raise ValueError(day)  # unreachable: every month has a 28th


def _dated_status(on: date, today: date) -> str:
    if today >= on:
        return "past"
    return "soon" if on - today <= SOON else "upcoming"


def _interview_status(
    due_on: date, interview: Interview | None, today: date, closes_on: date | None = None
) -> str:
    if interview is not None and interview.held_on is not None:
        return "held"
    if closes_on is not None and today >= closes_on:
        return "missed"  # the interview at 17 is for a minor: at 18 it can no longer be held
    scheduled = interview.scheduled_for if interview is not None else None
    if scheduled is not None and timezone.localdate(scheduled) >= today:
        return "scheduled"
    if today > due_on or scheduled is not None:  # a date that passed, not recorded as held
        return "late"
    if interview is not None and interview.requested_at is not None:
        return "requested"
    return "due" if due_on - today <= SOON else "upcoming"


def _was_in_care_as_minor(profile, eighteen: date | None) -> bool:
    started = profile.care_started_on
    if started is not None and eighteen is not None and started >= eighteen:
        return False
    return bool(profile.in_care or profile.care_leaver or started or profile.care_ended_on)


def steps_of(profile, interviews: dict[str, Interview], today: date) -> list[Step]:
    """The milestones of one young person's profile, in date order (no query)."""
    steps = []
    born = profile.birth_date
    seventeen = birthday(born, 17) if born else None
    eighteen = birthday(born, 18) if born else None
    twenty_one = birthday(born, 21) if born else None
    ended = profile.care_ended_on
    in_care_as_minor = _was_in_care_as_minor(profile, eighteen)

    if born and in_care_as_minor and not (ended and ended < seventeen):
        due_on = seventeen
        if profile.care_started_on and profile.care_started_on > seventeen:
            due_on = profile.care_started_on  # entered care after 17: at once
        interview = interviews.get(Milestone.INTERVIEW_17)
        steps.append(
            Step(
                kind=Milestone.INTERVIEW_17,
                title=_("The interview at 17"),
                what_to_do=_(
                    "The département meets you at the latest one year before your majority: "
                    "you review your path, learn your rights and build your projet d'accès à "
                    "l'autonomie. Your personne de confiance may come with you."
                ),
                on=due_on,
                status=_interview_status(due_on, interview, today, closes_on=eighteen),
                interview=interview,
            )
        )
    if born:
        steps.append(
            Step(
                kind=Milestone.MAJORITY,
                title=_("Your 18th birthday"),
                what_to_do=_(
                    "Claim your pécule, ask for a contrat jeune majeur before your birthday if "
                    "you need support, open a bank account and check your health insurance."
                ),
                on=eighteen,
                status=_dated_status(eighteen, today),
            )
        )
    if born and profile.unaccompanied_minor:
        # CESEDA art. R.431-5: within the year after 18 for those placed with the ASE by
        # their 16th birthday; placed later, within two months (and safer: before 18).
        placed = profile.care_started_on
        until = (
            add_months(eighteen, 2)
            if placed is not None and placed >= birthday(born, 16)
            else birthday(born, 19)
        )
        status = "due" if eighteen <= today < until else _dated_status(eighteen, today)
        if today >= until:
            status = "past"
        steps.append(
            Step(
                kind=Milestone.RESIDENCE_PERMIT,
                title=_("Your residence permit"),
                what_to_do=_(
                    "If you arrived in France as a minor, apply for your residence permit before "
                    "the deadline shown; the ASE service helps you with the file."
                ),
                on=eighteen,
                until=until,
                status=status,
            )
        )
    # Both are for someone who left care as an adult (L.222-5-2-1: "tout majeur").
    if ended and (eighteen is None or ended >= eighteen):
        due_on = add_months(ended, 6)
        interview = interviews.get(Milestone.SIX_MONTHS)
        steps.append(
            Step(
                kind=Milestone.SIX_MONTHS,
                title=_("The interview six months after leaving care"),
                what_to_do=_(
                    "The département meets you again to review your path and your access to "
                    "autonomy. You can ask for it yourself."
                ),
                on=due_on,
                status=_interview_status(due_on, interview, today),
                interview=interview,
            )
        )
        if twenty_one is None or ended < twenty_one:
            steps.append(
                Step(
                    kind=Milestone.RETURN_RIGHT,
                    title=_("Your right to come back"),
                    what_to_do=_(
                        "Until your 21st birthday you can ask the ASE to support you again "
                        "(droit au retour), even after leaving care."
                    ),
                    on=ended,
                    until=twenty_one,
                    status=(
                        "past"
                        if twenty_one and today >= twenty_one
                        else ("open" if today >= ended else "upcoming")
                    ),
                )
            )
    if born:
        steps.append(
            Step(
                kind=Milestone.END_OF_SUPPORT,
                title=_("Your 21st birthday"),
                what_to_do=_(
                    "The contrat jeune majeur ends at 21 at the latest: prepare your housing, "
                    "your resources and your health cover beforehand."
                ),
                on=twenty_one,
                status=_dated_status(twenty_one, today),
            )
        )
    steps.sort(key=lambda step: (step.on or date.max, step.kind))
    return steps


def missing_for_timeline(profile) -> list[str]:
    """The profile fields the timeline needs and lacks, for the app to ask (gently)."""
    if profile is None:
        return ["birth_date"]
    missing = []
    if profile.birth_date is None:
        missing.append("birth_date")
    if profile.care_leaver and profile.care_ended_on is None:
        missing.append("care_ended_on")
    return missing


def timeline_for_user(*, user, today: date | None = None) -> dict:
    """The young person's timeline: the steps with the catalogue's procedures for each,
    and what the profile lacks. Three queries."""
    today = today or timezone.localdate()
    profile = accounts_selectors.profile_for(user)
    interviews = {
        interview.kind: interview for interview in Interview.objects.filter(young_person=user)
    }
    steps = steps_of(profile, interviews, today) if profile is not None else []
    entries_by_milestone = entries_for_milestones({step.kind for step in steps})
    for step in steps:
        step.entries = entries_by_milestone.get(step.kind, [])
    return {"steps": steps, "missing": missing_for_timeline(profile)}


def entries_for_milestones(kinds) -> dict[str, list]:
    """The visible catalogue entries of each milestone, in staff's order (one query)."""
    if not kinds:
        return {}
    visible = catalogue_selectors.entries_visible().values("pk")
    found: dict[str, list] = {}
    for row in (
        MilestoneEntry.objects.filter(milestone__in=kinds, entry__in=visible)
        .select_related("entry")
        .order_by("milestone", "position", "id")
    ):
        found.setdefault(row.milestone, []).append(row.entry)
    return found


def interview_get_for_user(*, user, kind: str) -> Interview | None:
    """The young person's own interview of ``kind``, if any."""
    return Interview.objects.filter(young_person=user, kind=kind).first()


# --- For the professional space -------------------------------------------------------------


def attention_for_links(links, today: date) -> dict[int, list[dict]]:
    """For "Mes jeunes": the interviews due or late of the young people whose link shares
    their profile (the steps come from it), in one query for the whole list."""
    with_profile = [link for link in links if link.allows(Scope.PROFILE)]
    if not with_profile:
        return {}
    interviews: dict[int, dict[str, Interview]] = {}
    for interview in Interview.objects.filter(
        young_person_id__in=[link.young_person_id for link in with_profile]
    ):
        interviews.setdefault(interview.young_person_id, {})[interview.kind] = interview
    found = {}
    for link in with_profile:
        profile = accounts_selectors.profile_for(link.young_person)
        if profile is None:
            continue
        items = [
            {"kind": f"{step.kind}_{step.status}", "on": step.on, "label": _attention_label(step)}
            for step in steps_of(profile, interviews.get(link.young_person_id, {}), today)
            if step.kind in INTERVIEW_KINDS and step.status in ("due", "late", "requested")
        ]
        if items:
            found[link.pk] = items
    return found


def _attention_label(step: Step) -> str:
    """The professional's wording of a step (the steps' titles speak to the young person)."""
    day = step.on.strftime("%d/%m/%Y")
    title = Milestone(step.kind).label
    if step.status == "late":
        return _("%(step)s: late, due on %(day)s") % {"step": title, "day": day}
    if step.status == "requested":
        return _("%(step)s: asked for by the young person") % {"step": title}
    return _("%(step)s: due by %(day)s") % {"step": title, "day": day}
