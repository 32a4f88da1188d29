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

from django.db.models import Case, Max, OuterRef, Prefetch, Q, QuerySet, Subquery, When
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts import selectors as accounts_selectors
from accounts.dates import birthday
from referents.models import Scope
from services_catalog import selectors as catalogue_selectors

from .models import (
    Action,
    Actor,
    Assessment,
    AssessmentAnswer,
    AssessmentItem,
    CheckIn,
    DepartementItemChoice,
    Domain,
    Goal,
    Interview,
    Level,
    Milestone,
    MilestoneEntry,
    Projet,
    ProjetChange,
)

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


def interview_17_due_on(birth_date: date, care_started_on: date | None) -> date:
    """When the interview at 17 is due: on the 17th birthday, or at once for someone who
    entered care after 17 (CASF L.222-5-1). The timeline's and the figures' one rule."""
    seventeen = birthday(birth_date, 17)
    if care_started_on is not None and care_started_on > seventeen:
        return care_started_on
    return seventeen


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
        due_on = interview_17_due_on(born, profile.care_started_on)
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
            {
                "kind": f"{step.kind}_{step.status}",
                "on": step.on,
                "label": _attention_label(step),
                # Said here with its status: the référents' "turns 17 on..." goes.
                "replaces": step.kind,
            }
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


# --- Mon projet -------------------------------------------------------------------------------

# The catalogue's data·inclusion categories behind each domain: what "a catalogue entry of
# that domain" means for the suggestions.
DOMAIN_CATEGORIES = {
    Domain.SCHOOLING: ["se-former", "lecture-ecriture-calcul"],
    Domain.EMPLOYMENT: [
        "trouver-un-emploi",
        "choisir-un-metier",
        "preparer-sa-candidature",
        "creer-une-entreprise",
    ],
    Domain.HOUSING: ["logement-hebergement"],
    Domain.RESOURCES: ["difficultes-financieres", "equipement-et-alimentation"],
    Domain.HEALTH: ["sante"],
    Domain.RIGHTS: ["difficultes-administratives-ou-juridiques"],
    Domain.MOBILITY: ["mobilite"],
    Domain.SOCIAL: ["famille", "remobilisation", "numerique"],
}


def projet_of(young_person) -> Projet | None:
    """The young person's projet, if anything was ever written in it."""
    return Projet.objects.filter(young_person=young_person).first()


def projet_view(young_person, *, shared_with_mentor_only: bool = False) -> dict:
    """The projet as the app and the pages show it: every domain in the law's order, with
    the young person's words, the goals and their actions. Three queries."""
    projet = projet_of(young_person)
    wishes, goals = {}, {}
    if projet is not None:
        wishes = {row.domain: row.text for row in projet.wishes.all()}
        found = projet.goals.prefetch_related(
            Prefetch("actions", queryset=Action.objects.select_related("entry"))
        )
        if shared_with_mentor_only:
            found = found.filter(shared_with_mentor=True)
        for goal in found:
            goals.setdefault(goal.domain, []).append(goal)
    return {
        "projet": projet,
        "review_on": projet.review_on if projet else None,
        "trusted_person": {
            "name": projet.trusted_person_name if projet else "",
            "relation": projet.trusted_person_relation if projet else "",
            "phone": projet.trusted_person_phone if projet else "",
        },
        "domains": [
            {
                "domain": domain.value,
                "label": domain.label,
                "wishes": wishes.get(domain.value, ""),
                "goals": goals.get(domain.value, []),
            }
            for domain in Domain
        ],
        "updated_at": projet.updated_at if projet else None,
    }


def projet_history(young_person) -> QuerySet[ProjetChange]:
    """Every change of the projet, newest first."""
    return ProjetChange.objects.filter(projet__young_person=young_person).order_by("-at", "-id")


def projet_printable(young_person, *, name: str | None = None, with_steps: bool = True) -> str:
    """The printable page of a projet (the app's and the professional space's), with the
    timeline: what the young person takes to an interview or to a new service. A référent
    without the profile scope prints it under their own label, without the steps (they
    come from the birth date and the care dates)."""
    return render_to_string(
        "autonomy/projet_print.html",
        {
            "first_name": young_person.first_name if name is None else name,
            "view": projet_view(young_person),
            "timeline": timeline_for_user(user=young_person) if with_steps else None,
            "today": timezone.localdate(),
        },
    )


def _history_words() -> tuple[dict, dict, dict]:
    what = {
        "projet.changed": _("Projet changed"),
        "wishes.changed": _("Wishes changed"),
        "goal.added": _("Goal added"),
        "goal.changed": _("Goal changed"),
        "goal.removed": _("Goal removed"),
        "action.added": _("Action added"),
        "action.changed": _("Action changed"),
        "action.removed": _("Action removed"),
    }
    fields = {
        "review_on": _("review date"),
        "trusted_person_name": _("personne de confiance"),
        "trusted_person_relation": _("who they are"),
        "trusted_person_phone": _("their phone number"),
        "text": _("words"),
        "domain": _("domain"),
        "title": _("title"),
        "status": _("status"),
        "shared_with_mentor": _("shared with the mentor"),
        "due_on": _("date"),
        "actor": _("who does it"),
        "entry": _("catalogue entry"),
    }
    values = {
        **dict(Domain.choices),
        **dict(Actor.choices),
        **dict(Goal.Status.choices),
        **dict(Action.Status.choices),
        True: _("yes"),
        False: _("no"),
    }
    return what, fields, values


def history_lines(changes, *, young_person_name: str | None = None) -> list[dict]:
    """The history in words, for a page: "Goal changed: status Not started → Reached".
    ``young_person_name`` stands for the young person's own name on their lines (a
    référent without the profile scope calls them by their own label)."""
    what, fields, values = _history_words()
    lines = []
    for change in changes:
        details = [
            {
                "field": fields.get(name, name),
                "before": values.get(before, before) if before not in (None, "") else "—",
                "after": values.get(after, after) if after not in (None, "") else "—",
            }
            for name, (before, after) in change.fields.items()
        ]
        lines.append(
            {
                "at": change.at,
                "by": (
                    young_person_name
                    if young_person_name is not None and change.by_role == Actor.YOUNG_PERSON
                    else change.by_name or Actor(change.by_role).label
                ),
                "by_role": change.by_role,
                "what": what.get(change.what, change.what),
                "subject": change.subject,
                "details": details,
            }
        )
    return lines


def goal_get_for_user(*, user, goal_id: int) -> Goal:
    """A goal of ``user``'s projet (a référent reaches it through a link), or 404."""
    return get_object_or_404(
        Goal.objects.select_related("projet"), pk=goal_id, projet__young_person=user
    )


def action_get_for_user(*, user, action_id: int) -> Action:
    """One of the actions of the young person's own goals, or 404."""
    return get_object_or_404(
        Action.objects.select_related("goal", "goal__projet"),
        pk=action_id,
        goal__projet__young_person=user,
    )


def shared_goals_of_match(match) -> QuerySet[Goal]:
    """The goals the mentee shares with their mentor: all the mentor sees of the projet."""
    # Given-up goals stay listed: either of them can take one back up.
    return Goal.objects.filter(
        projet__young_person_id=match.young_person_id, shared_with_mentor=True
    ).order_by("domain", "position", "id")


def shared_goal_get(*, match, goal_id: int) -> Goal:
    """One of the goals shared in ``match``, or 404."""
    return get_object_or_404(shared_goals_of_match(match), pk=goal_id)


# --- Mon autonomie ----------------------------------------------------------------------------

# Below this share of the best answers, a domain is "low": it drives the suggestions.
LOW_DOMAIN = 0.5


def referentiel_version() -> int:
    """The référentiel's current version: the latest one an item entered or left."""
    # The national items' only: a département's own items never move the version.
    versions = AssessmentItem.objects.filter(departement__isnull=True).aggregate(
        entered=Max("version"), left=Max("retired_in")
    )
    return max(versions["entered"] or 1, versions["left"] or 1)


def free_item_key(text: str) -> str:
    """A key no item has yet, made from an item's words ("je-sais-demander-l-apl")."""
    base = slugify(text)[:50].strip("-") or "item"
    key, number = base, 1
    while AssessmentItem.objects.filter(key=key).exists():
        number += 1
        key = f"{base}-{number}"
    return key


def referentiel_for(departement_code: str | None) -> list[AssessmentItem]:
    """The items asked today of a young person of ``departement_code``: the national
    items still in use that the département did not hide, and its own."""
    items = AssessmentItem.objects.filter(retired_in__isnull=True)
    if departement_code:
        hidden = DepartementItemChoice.objects.filter(
            departement_id=departement_code, hidden=True
        ).values("item_id")
        items = items.filter(
            Q(departement__isnull=True) | Q(departement_id=departement_code)
        ).exclude(pk__in=hidden)
    else:
        items = items.filter(departement__isnull=True)
    return sorted(items, key=_in_domain_order)


def _in_domain_order(item: AssessmentItem) -> tuple:
    """The law's order of the domains (as the projet shows them), then the items'."""
    return (list(Domain.values).index(item.domain), item.position, item.pk)


def referentiel_for_user(young_person) -> list[AssessmentItem]:
    profile = accounts_selectors.profile_for(young_person)
    return referentiel_for(profile.departement_id if profile else None)


def assessments_of(young_person) -> QuerySet[Assessment]:
    """Every assessment of the young person, newest first, with their answers' items."""
    return Assessment.objects.filter(young_person=young_person).prefetch_related(
        Prefetch("answers", queryset=AssessmentAnswer.objects.select_related("item"))
    )


def domain_scores(assessment: Assessment) -> dict[str, float]:
    """Per domain, the share of the best answer (1.0: "je sais faire seul·e" to every item
    answered), over the items answered in that domain."""
    totals: dict[str, list[int]] = {}
    for answer in assessment.answers.all():
        totals.setdefault(answer.item.domain, []).append(answer.level)
    return {
        domain: round(sum(levels) / (Level.ALONE * len(levels)), 2)
        for domain, levels in totals.items()
    }


# The assessments the progress shows: two years of one a month.
PROGRESS_SHOWN = 24


def assessment_overview(young_person) -> dict:
    """The latest self-assessment and the latest référent's side by side, item by item,
    and the progress per domain over time (oldest first)."""
    # The latest ones only, whatever how many were filled: a bounded page.
    assessments = list(assessments_of(young_person)[:PROGRESS_SHOWN])
    latest_self = next((a for a in assessments if a.by_role == Actor.YOUNG_PERSON), None)
    latest_referent = next((a for a in assessments if a.by_role == Actor.REFERENT), None)
    if latest_referent is None:  # older than the latest ones shown
        latest_referent = assessments_of(young_person).filter(by_role=Actor.REFERENT).first()
    if latest_self is None:
        latest_self = assessments_of(young_person).filter(by_role=Actor.YOUNG_PERSON).first()
    self_levels = {a.item_id: a.level for a in latest_self.answers.all()} if latest_self else {}
    referent_levels = (
        {a.item_id: a.level for a in latest_referent.answers.all()} if latest_referent else {}
    )
    items = {item.pk: item for item in referentiel_for_user(young_person)}
    for assessment in (latest_self, latest_referent):
        for answer in assessment.answers.all() if assessment else []:
            items.setdefault(answer.item_id, answer.item)  # an item since hidden or retired
    rows = [
        {
            "item": item,
            "self": self_levels.get(item.pk),
            "referent": referent_levels.get(item.pk),
        }
        for item in sorted(items.values(), key=_in_domain_order)
    ]
    progress = [
        {
            "id": assessment.pk,
            "by_role": assessment.by_role,
            "created_at": assessment.created_at,
            "scores": domain_scores(assessment),
        }
        for assessment in reversed(assessments)
    ]
    return {
        "latest_self": latest_self,
        "latest_referent": latest_referent,
        "referent_name": latest_referent.by_name if latest_referent else "",
        "rows": rows,
        "progress": progress,
    }


def low_domains(young_person) -> list[str]:
    """The domains of the latest self-assessment (else the référent's) under ``LOW_DOMAIN``,
    lowest first."""
    latest = (
        Assessment.objects.filter(young_person=young_person)
        .order_by(Case(When(by_role=Actor.YOUNG_PERSON, then=0), default=1), "-created_at", "-id")
        .prefetch_related("answers__item")
        .first()
    )
    if latest is None:
        return []
    scores = domain_scores(latest)
    low = [domain for domain, score in scores.items() if score < LOW_DOMAIN]
    return sorted(low, key=lambda domain: (scores[domain], domain))


def goal_suggestions(domain: str) -> list[str]:
    """Goals to add to the projet for a low domain, in plain words."""
    return {
        Domain.SCHOOLING: [
            _("Choose a training that leads to the job I want"),
            _("Apply for a study grant"),
        ],
        Domain.EMPLOYMENT: [_("Write my CV"), _("Register with the mission locale")],
        Domain.HOUSING: [_("Find my next housing"), _("Apply for the CAF housing benefit")],
        Domain.RESOURCES: [_("Make my monthly budget"), _("Open a bank account")],
        Domain.HEALTH: [_("Find a general practitioner"), _("Get my Carte Vitale and the C2S")],
        Domain.RIGHTS: [_("Renew my identity papers"), _("Create my online accounts")],
        Domain.MOBILITY: [_("Get a transport pass"), _("Start the driving licence")],
        Domain.SOCIAL: [_("Find an activity I enjoy"), _("Know who to call when things go wrong")],
    }.get(domain, [])


def suggestions_for(young_person, *, per_domain: int = 3) -> list[dict]:
    """For each low domain: catalogue entries the young person is eligible for in that
    domain, and goals to add that their projet does not have yet."""
    domains = low_domains(young_person)
    if not domains:
        return []
    profile = accounts_selectors.profile_for(young_person)
    wanted = {category for domain in domains for category in DOMAIN_CATEGORIES.get(domain, [])}
    rights = (
        catalogue_selectors.rights_for(profile=profile, categories=wanted)
        if profile is not None
        else []
    )
    projet = projet_of(young_person)
    existing = (
        {title.casefold() for title in projet.goals.values_list("title", flat=True)}
        if projet
        else set()
    )
    found = []
    for domain in domains:
        categories = set(DOMAIN_CATEGORIES.get(domain, []))
        entries = [right.entry for right in rights if categories & set(right.entry.categories)][
            :per_domain
        ]
        found.append(
            {
                "domain": domain,
                "label": Domain(domain).label,
                "entries": entries,
                "goals": [g for g in goal_suggestions(domain) if g.casefold() not in existing],
            }
        )
    return found


# --- Où en es-tu ? --------------------------------------------------------------------------

# A call for help stays on the référent's list this long, unless a later check-in says
# help is no longer needed.
HELP_SHOWN_FOR = timedelta(days=30)


def month_of(day: date) -> date:
    return day.replace(day=1)


def check_ins_of(young_person) -> QuerySet[CheckIn]:
    """The young person's check-ins, newest month first."""
    return CheckIn.objects.filter(young_person=young_person).order_by("-month")


def check_in_of_month(young_person, today: date | None = None) -> CheckIn | None:
    today = today or timezone.localdate()
    return CheckIn.objects.filter(young_person=young_person, month=month_of(today)).first()


def help_call_for_match(match, today: date | None = None):
    """When the mentee told their mentor they need help, in the last 30 days and since
    this match began (their latest check-in still says so); None otherwise."""
    today = today or timezone.localdate()
    latest = (
        CheckIn.objects.filter(young_person_id=match.young_person_id).order_by("-month").first()
    )
    told = latest.mentor_told_at if latest is not None and latest.needs_help else None
    if (
        told is None
        or timezone.localdate(told) < today - HELP_SHOWN_FOR
        # Told to the mentor of that time: a mentor met since sees nothing of it.
        or (match.activated_at is not None and told < match.activated_at)
    ):
        return None
    return told


def help_calls_for_links(links, today: date) -> dict[int, list[dict]]:
    """For "Mes jeunes": the young people who asked for help in the last 30 days (their
    latest check-in still says so), in one query. Every link sees it, whatever its
    scopes: asking for help is the young person's message to all their référents."""
    by_person = {link.young_person_id: link for link in links}
    if not by_person:
        return {}
    latest = CheckIn.objects.filter(young_person_id=OuterRef("young_person_id")).order_by("-month")
    found = {}
    for check_in in CheckIn.objects.filter(
        young_person_id__in=by_person,
        needs_help=True,
        help_asked_at__date__gte=today - HELP_SHOWN_FOR,
        pk=Subquery(latest.values("pk")[:1]),
    ):
        link = by_person[check_in.young_person_id]
        found.setdefault(link.pk, []).append(
            {
                "kind": "help_request",
                "on": timezone.localdate(check_in.help_asked_at),
                "label": _("Asked for help on %(day)s")
                % {"day": timezone.localdate(check_in.help_asked_at).strftime("%d/%m/%Y")},
            }
        )
    return found
