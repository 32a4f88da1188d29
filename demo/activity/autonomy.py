"""The path to autonomy of the young people in 93 and 75: when those in care came into
it and those who left it left (their profiles say), the interviews at 17 and six months
after leaving care, the projets they write, their self-assessments and their monthly
check-ins ("Où en es-tu ?"), a few of them calling for help. The path to autonomy's
figures count them: projets, interviews held on time or late, what the check-ins say
at 18, 19, 21 and six months after care, calls for help, and self-assessments that
progressed, each by domain. In 93 each of them needs enough people every month.

Care ends on the last day of a month (a contract's end): for the care leavers young
enough, seven to thirteen months before today, so that their six months after care
fall in the window's closed months, up to eight of them in the same month. Check-ins
are answered on days of use, with where in life the young person was that day (as the
service keeps it). Nothing is left to send: no call for help reaches anyone (nobody
follows these people), and their monthly check-in reminder is off (beat would plan
one to accounts nobody reads).

Not every table can show in 93: too few of the people turn 17 in a month for the
interviews at 17 (on time or late) to pass the threshold, and the months' check-ins at
21 and six months after care are a handful, showing the answer most gave at best.
"""

import random
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta

from django.utils import timezone

from accounts.dates import birthday
from accounts.models import ActivityDay, YoungPersonProfile
from autonomy import selectors as autonomy_selectors
from autonomy import services as autonomy_services
from autonomy.models import (
    Action,
    Actor,
    Assessment,
    AssessmentAnswer,
    CheckIn,
    Domain,
    DomainWishes,
    Goal,
    Interview,
    Projet,
    ProjetChange,
)
from autonomy.selectors import add_months, interview_17_due_on
from figures.periods import last_of_month, months_before
from mentoring.models import Match

from .common import CODES, Person, Window, at_hour, create_dated, rng_for

# In 93, at least this many six-month interviews held each closed month (late ones the
# young people asked for make up the count), and the fewest people on each side of an
# answer of the check-ins at a moment the figures read, when there are enough of them.
MIN_SIX_MONTHS_INTERVIEWS = 6
MIN_PER_ANSWER = 5
MIN_CALLS_FOR_HELP = 6  # in 93, each closed month
MIN_PROJETS_FIRST_MONTH = 7  # in 93: the projets are counted at the end of each month
MIN_PROJETS_75 = 5  # 75 has a little of everything, whatever the day the demo is loaded
# Care leavers whose six months after care fall in the same month, before the next
# month is filled: the months they fill have enough check-ins then to show some answers.
SIX_MONTHS_A_MONTH = 8

PROJET_ODDS = {"93": 0.6, "75": 0.3}
ASSESSMENT_ODDS = {"93": 0.55, "75": 0.3}

WISHES = {
    Domain.HOUSING: (
        "Je veux un studio à moi.",
        "J'aimerais une place en foyer de jeunes travailleurs.",
        "Je veux rester dans mon quartier, près de ma famille.",
    ),
    Domain.SCHOOLING: (
        "Je veux passer mon bac pro.",
        "J'aimerais faire un BTS en alternance.",
        "Je veux reprendre une formation.",
    ),
    Domain.EMPLOYMENT: (
        "Je veux trouver un CDI.",
        "J'aimerais travailler dans la vente.",
        "Je veux un petit boulot pendant mes études.",
    ),
    Domain.RESOURCES: (
        "Je veux mettre de l'argent de côté.",
        "Je veux arriver à payer mes factures sans stress.",
    ),
    Domain.HEALTH: ("Je veux un médecin qui me suit.", "Je veux mieux dormir."),
    Domain.SOCIAL: ("Je veux faire du sport avec d'autres.", "Je veux revoir mes frères."),
}
GOALS = {
    Domain.HOUSING: (
        "Trouver une place en foyer de jeunes travailleurs",
        "Déposer une demande de logement social",
        "Constituer mon dossier de location avec Visale",
    ),
    Domain.SCHOOLING: (
        "M'inscrire en formation à la rentrée",
        "Obtenir mon CAP",
        "Demander une bourse",
    ),
    Domain.EMPLOYMENT: (
        "Trouver un contrat d'apprentissage",
        "Faire mon CV",
        "M'inscrire à la mission locale",
    ),
    Domain.RESOURCES: (
        "Faire mon budget du mois",
        "Ouvrir un compte bancaire à mon nom",
        "Demander mon pécule",
    ),
    Domain.HEALTH: ("Avoir ma carte Vitale", "Choisir un médecin traitant"),
    Domain.RIGHTS: ("Renouveler mon titre de séjour", "Créer mon compte CAF"),
    Domain.MOBILITY: ("Passer le code de la route", "Demander une réduction Navigo"),
    Domain.SOCIAL: ("Rejoindre un club de sport", "Participer à un groupe d'entraide"),
}
ACTIONS = (
    "Prendre rendez-vous",
    "Rassembler les papiers",
    "En parler à mon éducateur ou mon éducatrice",
    "Remplir le formulaire en ligne",
)
# Goals are drawn from these domains: housing and resources most often.
GOAL_DOMAINS = (
    Domain.HOUSING,
    Domain.HOUSING,
    Domain.EMPLOYMENT,
    Domain.SCHOOLING,
    Domain.RESOURCES,
    Domain.RESOURCES,
    Domain.HEALTH,
    Domain.RIGHTS,
    Domain.MOBILITY,
    Domain.SOCIAL,
)


def _cared_for(profile: YoungPersonProfile) -> bool:
    return profile.in_care or profile.care_leaver or profile.jeune_majeur_contract


def _day_between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, (last - first).days))


def make_care_dates(window: Window, people: list[Person]) -> int:
    """When care started and ended, in the profiles of those the ASE took care of.

    Care leavers whose six months after care can fall in a closed month of the window
    get one, the months filled in turn (per département); the others left care on their
    18th birthday or later, until 21. Everyone's monthly check-in reminder is off.
    Returns how many profiles were given care dates."""
    rng = rng_for("care")
    yesterday = window.today - timedelta(days=1)
    closed = window.months[:-1]
    filled = {code: Counter() for code in CODES}
    for person in people:
        profile = person.profile
        profile.notify_check_in = False
        born = profile.birth_date
        if not _cared_for(profile):
            continue
        if born is None:
            if profile.care_leaver:
                profile.care_ended_on = yesterday - timedelta(days=rng.randint(1100, 2900))
            continue
        years = rng.uniform(14.5, 17.6) if profile.unaccompanied_minor else rng.uniform(2, 15.5)
        started = born + timedelta(days=round(365.25 * years))
        profile.care_started_on = min(started, yesterday - timedelta(days=30))
        if not profile.care_leaver:
            continue
        first = max(birthday(born, 18), profile.care_started_on + timedelta(days=60))
        last = min(birthday(born, 21), yesterday)
        if first > last:
            continue
        # Ended on the last day of a month: the check-ins of the seventh month after are
        # those "six months after care" (ended on 31 May: December's).
        fitting = [
            month for month in closed if first <= last_of_month(months_before(month, 7)) <= last
        ]
        if fitting:  # a month filled up to a few people before the next: enough to count
            month = min(
                fitting,
                key=lambda m: (
                    filled[person.code][m] >= SIX_MONTHS_A_MONTH,
                    -filled[person.code][m],
                    rng.random(),
                ),
            )
            filled[person.code][month] += 1
            profile.care_ended_on = last_of_month(months_before(month, 7))
        else:
            end = rng.choice((first, first, _day_between(rng, first, last)))
            profile.care_ended_on = last_of_month(end) if last_of_month(end) <= last else end
    YoungPersonProfile.objects.bulk_update(
        [person.profile for person in people],
        ["care_started_on", "care_ended_on", "notify_check_in"],
    )
    return sum(1 for p in people if p.profile.care_started_on or p.profile.care_ended_on)


def _interview(rng, person: Person, kind: str, day: date, asked: date | None = None):
    """An interview held on ``day``, scheduled a week or more before (asked for by the
    young person before that, if ``asked``), recorded the evening it was held."""
    joined = person.joined
    created = max(joined, at_hour(day - timedelta(days=rng.randint(7, 30)), 10))
    recorded = max(joined, at_hour(day, 17))
    requested = at_hour(asked, 20) if asked else None
    return Interview(
        young_person=person.user,
        kind=kind,
        requested_at=requested if requested and joined <= requested < recorded else None,
        scheduled_for=at_hour(day, rng.choice((9, 10, 14, 15))),
        held_on=day,
        created_at=min(created, recorded),
        updated_at=recorded,
    )


def make_interviews(window: Window, people: list[Person]) -> tuple[dict[int, date], int]:
    """The interviews held in the window: at 17 for those in care as minors (on time or
    late), and six months after leaving care (in 93, late ones asked for by the young
    people to make up each closed month). Returns the days of the interviews at 17, by
    user id, and how many six-month interviews were held."""
    rng = rng_for("interviews")
    start, yesterday = window.months[0], window.today - timedelta(days=1)
    interviews: list[Interview] = []
    at_17: dict[int, date] = {}
    six_months: dict[int, Interview] = {}
    for person in people:
        profile = person.profile
        born, ended = profile.birth_date, profile.care_ended_on
        if born is None or not _cared_for(profile):
            continue
        eighteen = birthday(born, 18)
        started = profile.care_started_on
        minor = started is None or started < eighteen
        if minor and not (ended and ended < birthday(born, 17)) and rng.random() < 0.85:
            due = interview_17_due_on(born, started)
            first = max(birthday(born, 16), started or born, start)
            last = min(eighteen - timedelta(days=1), yesterday)
            on_time = (max(first, due - timedelta(days=120)), min(last, due))
            late = (max(first, due + timedelta(days=1)), min(last, due + timedelta(days=100)))
            spans = [on_time, late] if rng.random() < 0.6 else [late, on_time]
            span = next((span for span in spans if span[0] <= span[1]), None)
            if span is not None:
                day = _day_between(rng, *span)
                interviews.append(_interview(rng, person, Interview.Kind.AT_17, day))
                at_17[person.user.pk] = day
        if ended is None or ended < eighteen:
            continue
        due = add_months(ended, 6)
        if due >= start - timedelta(days=30) and rng.random() < 0.85:
            day = due + timedelta(days=rng.randint(-10, 40))
            day = min(max(day, ended + timedelta(days=1), start), yesterday)
            if day >= due - timedelta(days=10):
                asked = day - timedelta(days=rng.randint(10, 40)) if rng.random() < 0.3 else None
                asked = max(asked, ended + timedelta(days=1)) if asked else None
                six_months[person.user.pk] = _interview(
                    rng, person, Interview.Kind.SIX_MONTHS, day, asked
                )
    # In 93, late interviews the young people asked for make up the closed months.
    for month in window.months[:-1]:
        held = sum(
            1
            for person in people
            if person.code == "93"
            and person.user.pk in six_months
            and six_months[person.user.pk].held_on.replace(day=1) == month
        )
        overdue = [
            person
            for person in people
            if person.code == "93"
            and person.user.pk not in six_months
            and person.profile.care_ended_on is not None
            and person.profile.birth_date is not None
            and person.profile.care_ended_on >= birthday(person.profile.birth_date, 18)
            and add_months(person.profile.care_ended_on, 6) < month
        ]
        rng.shuffle(overdue)
        for person in overdue[: max(0, MIN_SIX_MONTHS_INTERVIEWS - held)]:
            day = rng.choice(window.days(month))
            asked = day - timedelta(days=rng.randint(14, 45))
            six_months[person.user.pk] = _interview(
                rng, person, Interview.Kind.SIX_MONTHS, day, asked
            )
    interviews += six_months.values()
    create_dated(Interview, interviews, ["created_at", "updated_at"])
    return at_17, len(six_months)


def _later_day(rng, person: Person, after: date, within: int) -> date | None:
    """A day of use of ``person`` in the ``within`` days after ``after``, if any."""
    days = [
        day
        for days in person.active.values()
        for day in days
        if after < day <= after + timedelta(days=within)
    ]
    return rng.choice(days) if days else None


class _Projets:
    """The rows of the projets, with their history lines as the services write them."""

    def __init__(self):
        self.projets: list[Projet] = []
        self.wishes: list[DomainWishes] = []
        self.goals: list[Goal] = []
        self.actions: list[Action] = []
        self.changes: list[tuple[Projet, ProjetChange]] = []

    def change(self, projet, person, moment, what, subject, fields):
        line = ProjetChange(
            at=moment,
            by=person.user,
            by_role=Actor.YOUNG_PERSON,
            by_name=person.user.first_name,
            what=what,
            subject=subject[:200],
            fields=fields,
        )
        self.changes.append((projet, line))
        projet.updated_at = max(projet.updated_at, moment)

    def save(self) -> None:
        create_dated(Projet, self.projets, ["created_at", "updated_at"])
        for row in (*self.wishes, *self.goals):
            row.projet_id = row.projet.pk
        create_dated(DomainWishes, self.wishes, ["updated_at"])
        create_dated(Goal, self.goals, ["created_at", "updated_at"])
        for action in self.actions:
            action.goal_id = action.goal.pk
        create_dated(Action, self.actions, ["created_at", "updated_at"])
        for projet, line in self.changes:
            line.projet_id = projet.pk
        ProjetChange.objects.bulk_create([line for _projet, line in self.changes], batch_size=500)


def make_projets(window: Window, people: list[Person], at_17: dict[int, date]) -> int:
    """Projets of many young people: begun at their interview at 17, or on a day of use;
    their wishes in a domain or two, goals (some under way or reached since) and a few
    actions, each with its history line. Returns how many projets."""
    rng = rng_for("projets")
    begun: dict[int, datetime] = {}
    for person in people:
        months = sorted(person.active)
        interviewed = at_17.get(person.user.pk)
        if interviewed is None and (not months or rng.random() >= PROJET_ODDS[person.code]):
            continue
        if interviewed is not None:
            moment = at_hour(interviewed, 16)
        else:
            earlier = months[: max(1, len(months) - 1)]
            month = min(rng.choice(earlier), rng.choice(earlier))  # the earlier, the likelier
            moment = at_hour(rng.choice(person.active[month]), rng.randint(12, 21))
        begun[person.user.pk] = max(moment, person.joined)
    # In 93, enough projets begun in the first month for it to count them.
    first = window.months[0]
    early = sum(
        1
        for person in people
        if person.code == "93"
        and person.user.pk in begun
        and timezone.localdate(begun[person.user.pk]) < window.months[1]
    )
    idle = [p for p in people if p.code == "93" and p.user.pk not in begun and first in p.active]
    rng.shuffle(idle)
    for person in idle[: max(0, MIN_PROJETS_FIRST_MONTH - early)]:
        moment = at_hour(rng.choice(person.active[first]), rng.randint(12, 21))
        begun[person.user.pk] = max(moment, person.joined)
    # In 75, a few projets whatever the draw: its people (and so the odds) follow the day.
    in_75 = [p for p in people if p.code == "75" and p.user.pk not in begun and p.active]
    missing = MIN_PROJETS_75 - sum(1 for p in people if p.code == "75" and p.user.pk in begun)
    for person in in_75[: max(0, missing)]:
        month = min(person.active)
        moment = at_hour(rng.choice(person.active[month]), rng.randint(12, 21))
        begun[person.user.pk] = max(moment, person.joined)
    made = _Projets()
    for person in people:
        if person.user.pk not in begun:
            continue
        begun_at = begun[person.user.pk]
        projet = Projet(young_person=person.user, created_at=begun_at, updated_at=begun_at)
        made.projets.append(projet)
        for domain in rng.sample(list(WISHES), rng.choice((0, 1, 1, 2))):
            text = rng.choice(WISHES[domain])
            made.wishes.append(DomainWishes(projet=projet, domain=domain, text=text))
            made.wishes[-1].updated_at = begun_at
            made.change(
                projet,
                person,
                begun_at,
                "wishes.changed",
                str(Domain(domain).label),
                {"text": ["", text]},
            )
        domains = []
        for _ in range(rng.randint(1, 4)):
            domain = rng.choice(GOAL_DOMAINS)
            if domains.count(domain) < len(GOALS[domain]):
                domains.append(domain)
        titles = {domain: rng.sample(GOALS[domain], len(GOALS[domain])) for domain in domains}
        for position, domain in enumerate(domains):
            added = begun_at + timedelta(minutes=5 * position)
            title = titles[domain].pop()
            goal = Goal(
                projet=projet,
                domain=domain,
                title=title,
                position=position,
                created_at=added,
                updated_at=added,
            )
            made.goals.append(goal)
            made.change(
                projet,
                person,
                added,
                "goal.added",
                title,
                {"domain": ["", domain], "title": ["", title]},
            )
            if rng.random() < 0.5:
                what = rng.choice(ACTIONS)
                action = Action(goal=goal, title=what, created_at=added, updated_at=added)
                made.actions.append(action)
                made.change(projet, person, added, "action.added", what, {"title": ["", what]})
            later = _later_day(rng, person, timezone.localdate(added), 120)
            if later is not None and rng.random() < 0.55:
                status = rng.choice(
                    (Goal.Status.IN_PROGRESS, Goal.Status.IN_PROGRESS, Goal.Status.REACHED)
                )
                moment = at_hour(later, rng.randint(12, 21))
                goal.status, goal.updated_at = status, moment
                made.change(
                    projet,
                    person,
                    moment,
                    "goal.changed",
                    title,
                    {"status": [Goal.Status.PLANNED.value, str(status)]},
                )
    made.save()
    return len(made.projets)


# --- Self-assessments -----------------------------------------------------------------------


def _levels(rng: random.Random, person: Person) -> dict[str, float]:
    """Where a young person stands in each domain at first (a mean level, 0 to 3)."""
    profile = person.profile
    levels = {domain: rng.uniform(0.4, 2.1) for domain in Domain.values}
    if profile.employed or profile.apprentice:
        levels[Domain.EMPLOYMENT] += 0.6
    if profile.student:
        levels[Domain.SCHOOLING] += 0.5
    if profile.care_leaver:
        levels[Domain.HOUSING] -= 0.3
    return {domain: min(max(level, 0.0), 2.6) for domain, level in levels.items()}


def make_assessments(window: Window, people: list[Person]) -> int:
    """Self-assessments of about half the young people of 93 (fewer in 75): a first one
    in the window's first months, a second two to four months later, a third for some,
    each better in some domains. A domain is sometimes left out. Returns how many."""
    rng = rng_for("self-assessments")
    items = {code: autonomy_selectors.referentiel_for(code) for code in CODES}
    version = autonomy_selectors.referentiel_version()
    assessments, answers = [], []
    for person in people:
        early = [month for month in window.months[:3] if month in person.active]
        if not early or rng.random() >= ASSESSMENT_ODDS[person.code]:
            continue
        day = rng.choice(person.active[min(rng.choice(early), rng.choice(early))])
        levels = _levels(rng, person)
        for number in range(3):
            if number:
                wait = (35, 130) if number == 1 else (45, 100)
                later = [
                    d
                    for days in person.active.values()
                    for d in days
                    if day + timedelta(days=wait[0]) <= d <= day + timedelta(days=wait[1])
                ]
                if not later or (number == 2 and rng.random() < 0.7):
                    break
                day = rng.choice(later)
                for domain, level in levels.items():
                    step = rng.uniform(0.5, 1.0) if rng.random() < 0.55 else rng.uniform(-0.4, 0.1)
                    levels[domain] = min(max(level + step, 0.0), 3.0)
            assessment = Assessment(
                young_person=person.user,
                by=person.user,
                by_role=Actor.YOUNG_PERSON,
                by_name=person.user.first_name,
                version=version,
                created_at=max(person.joined, at_hour(day, rng.randint(12, 22))),
            )
            assessments.append(assessment)
            left_out = {rng.choice((Domain.MOBILITY, Domain.SOCIAL))} if rng.random() < 0.1 else ()
            for item in items[person.code]:
                if item.domain not in left_out:
                    level = round(levels[item.domain] + rng.uniform(-0.6, 0.6))
                    answers.append((assessment, item, min(max(level, 0), 3)))
    Assessment.objects.bulk_create(assessments, batch_size=500)
    AssessmentAnswer.objects.bulk_create(
        [
            AssessmentAnswer(assessment=assessment, item=item, level=level)
            for assessment, item, level in answers
        ],
        batch_size=1000,
    )
    return len(assessments)


# --- Où en es-tu ? ----------------------------------------------------------------------------

# Each question's two sides, as the figures count them, and what turns one into the other.
SIDES = {
    "housing": ({"stable"}, {"temporary", "none"}),
    "activity": ({"school", "training", "apprenticeship", "job"}, {"none"}),
    "resources": ({"enough"}, {"not_enough"}),
}


def _activity(rng: random.Random, profile: YoungPersonProfile, age: int | None) -> str:
    if profile.apprentice:
        return CheckIn.Activity.APPRENTICESHIP
    if profile.employed:
        return CheckIn.Activity.JOB
    if profile.student:
        return CheckIn.Activity.SCHOOL if (age or 18) < 18 else CheckIn.Activity.TRAINING
    if profile.job_seeker:
        return CheckIn.Activity.NONE
    return rng.choice(
        (CheckIn.Activity.SCHOOL, CheckIn.Activity.TRAINING, CheckIn.Activity.JOB, "none", "none")
    )


def _situation(rng: random.Random, person: Person, age: int | None) -> dict[str, str]:
    """Where a young person is at first: housing, activity, resources."""
    profile = person.profile
    stable = 0.7 if profile.in_care else 0.65 if profile.employed else 0.5
    housing = "stable" if rng.random() < stable else rng.choice(("temporary", "temporary", "none"))
    enough = 0.65 if profile.employed else 0.45
    return {
        "housing": housing,
        "activity": _activity(rng, profile, age),
        "resources": "enough" if rng.random() < enough else "not_enough",
    }


def _flip(rng: random.Random, question: str, answer: str) -> str:
    """The other side of ``answer``."""
    yes, no = SIDES[question]
    other = no if answer in yes else yes
    if question == "housing" and other == no:
        return rng.choice(("temporary", "temporary", "none"))
    if question == "activity" and other == yes:
        return rng.choice(("training", "apprenticeship", "job"))
    return next(iter(other))


def _moments(check_in: CheckIn) -> list[str]:
    """The figures' moments a check-in is read at."""
    moments = [f"age {check_in.age}"] if check_in.age in (18, 19, 21) else []
    if check_in.months_after_care == 6:
        moments.append("six months after care")
    return moments


def make_check_ins(
    window: Window, people: list[Person], matches: list[Match]
) -> tuple[int, int, int]:
    """The monthly check-ins, on a day of use: nearly everyone at a moment the figures
    read (18, 19, 21, six months after care) answers, coming back for it if they had
    not used the app that month (the day becomes a day of use); the others answer in
    more than half the months they use it. A situation changes now and then, an answer
    is sometimes left blank. Some ask for help (and to tell their mentor, if they have
    one then). In 93, each side of an answer at a moment gets a few people when there
    are enough for both. Returns how many check-ins, calls for help and days of use
    added."""
    rng = rng_for("check-ins")
    mentored = defaultdict(list)
    for match in matches:
        mentored[match.young_person_id].append((match.activated_at, match.ended_at))
    situations: dict[int, dict[str, str]] = {}
    check_ins: list[CheckIn] = []
    returns: list[ActivityDay] = []
    for month in window.months:
        for person in people:
            active = person.active.get(month)
            days = active or person.days_in(window, month)
            if not days:
                continue
            day = rng.choice(days)
            where = autonomy_services.where_in_life(person.user, day)
            check_in = CheckIn(young_person=person.user, month=month, **where)
            if not (active or _moments(check_in)):
                continue
            if rng.random() >= (0.95 if _moments(check_in) else 0.6):
                continue
            if not active:  # the monthly reminder brought them back, for the check-in
                person.active[month] = [day]
                returns.append(ActivityDay(user=person.user, day=day))
            pk = person.user.pk
            if pk not in situations:
                situations[pk] = _situation(rng, person, where["age"])
            else:
                for question in SIDES:
                    if rng.random() < 0.12:
                        situations[pk][question] = _flip(rng, question, situations[pk][question])
            for question, answer in situations[pk].items():
                setattr(check_in, question, "" if rng.random() < 0.05 else answer)
            if not (check_in.housing or check_in.activity or check_in.resources):
                check_in.housing = situations[pk]["housing"]
            moment = max(person.joined, at_hour(day, rng.randint(9, 22), rng.randrange(60)))
            check_in.created_at = check_in.updated_at = moment
            check_ins.append(check_in)
    _balance(rng, [c for c in check_ins if c.departement_id == "93"])
    calls = 0
    for check_in in check_ins:
        odds = 0.06
        odds += 0.12 if check_in.housing in ("temporary", "none") else 0
        odds += 0.1 if check_in.resources == "not_enough" else 0
        if rng.random() < odds:
            calls += 1
            moment = check_in.created_at
            check_in.needs_help, check_in.help_asked_at = True, moment
            check_in.tell_mentor = rng.random() < 0.5 and any(
                started <= moment and (ended is None or moment < ended)
                for started, ended in mentored.get(check_in.young_person_id, ())
            )
    # In 93, enough calls for help every closed month: from those short of a home or
    # of money that month.
    for month in window.months[:-1]:
        this_month = [c for c in check_ins if c.month == month and c.departement_id == "93"]
        callers = {c.young_person_id for c in this_month if c.needs_help}
        worried = [
            c
            for c in this_month
            if not c.needs_help
            and (c.housing in ("temporary", "none") or c.resources == "not_enough")
        ]
        rng.shuffle(worried)
        for check_in in worried[: max(0, MIN_CALLS_FOR_HELP - len(callers))]:
            calls += 1
            check_in.needs_help, check_in.help_asked_at = True, check_in.created_at
    create_dated(CheckIn, check_ins, ["created_at", "updated_at"])
    ActivityDay.objects.bulk_create(returns)
    return len(check_ins), calls, len(returns)


def _balance(rng: random.Random, check_ins: list[CheckIn]) -> None:
    """At each moment of each month, turn answers of the larger side of a question until
    the smaller has ``MIN_PER_ANSWER`` people, when the larger keeps as many; with too
    few for that, turn answers of the smaller side until the larger has as many."""
    groups = defaultdict(list)
    for check_in in check_ins:
        for moment in _moments(check_in):
            groups[(check_in.month, moment)].append(check_in)
    for _key, group in sorted(groups.items(), key=lambda item: (item[0][0], item[0][1])):
        for question, (yes, no) in SIDES.items():
            sides = [
                [c for c in group if getattr(c, question) in yes],
                [c for c in group if getattr(c, question) in no],
            ]
            small, large = sorted(sides, key=len)
            rng.shuffle(large)
            while len(small) < MIN_PER_ANSWER and len(large) > MIN_PER_ANSWER:
                check_in = large.pop()
                setattr(check_in, question, _flip(rng, question, getattr(check_in, question)))
                small.append(check_in)
            # Too few for both sides: at least the answer most gave, for enough of them.
            rng.shuffle(small)
            while len(large) < MIN_PER_ANSWER <= len(small) + len(large):
                check_in = small.pop()
                setattr(check_in, question, _flip(rng, question, getattr(check_in, question)))
                large.append(check_in)
