"""The demo's path to autonomy: which demo entries say what to do before each milestone;
jeune.93's interviews, recorded by Léa through the services as a référent would (the
one at 17 held; the six-month one asked for by Aminata and scheduled, an appointment);
and what Aminata wrote and answered since she left care, through the services too: her
projet d'accès à l'autonomie, written with Léa (two goals shared with her mentor, who
moved one on), two self-assessments four months apart and one by Léa, and her check-ins
of the four months before this one ("Où en es-tu ?"; this month's is left for whoever
tries the app).

The services write at the moment they run: what they wrote is then dated back to when
it happened, over the last five months, as only demo data may be. Her check-ins
never say "I need help": the service would send Léa a call for help at once, about a
month long gone. Each part is made once: a projet, assessments or check-ins already there
(a developer's, or a previous load's) are left as they are."""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import User
from autonomy import selectors as autonomy_selectors
from autonomy import services
from autonomy.models import (
    Action,
    Actor,
    Assessment,
    CheckIn,
    Domain,
    DomainWishes,
    Goal,
    Interview,
    Milestone,
    MilestoneEntry,
    Projet,
    ProjetChange,
)
from mentoring.models import Match
from referents import selectors as referents_selectors
from services_catalog.models import Entry

from .catalogue import DEMO_SOURCE

AMINATA = "jeune.93@demo.jalon.fr"
EDUCATOR = "referent.93@demo.jalon.fr"

# The demo catalogue's entries (by key) of each milestone, in order: the HAS check-lists.
MILESTONE_ENTRIES = {
    Milestone.INTERVIEW_17: ["entretien-autonomie-17-ans", "consulter-dossier-ase"],
    Milestone.MAJORITY: [
        "pecule",
        "accompagnement-jeune-majeur",
        "droit-au-compte",
        "assurance-maladie-carte-vitale",
    ],
    Milestone.RESIDENCE_PERMIT: ["titre-sejour-18-ans", "nationalite-francaise-ase"],
    Milestone.SIX_MONTHS: ["mission-locale", "aides-au-logement-caf"],
    Milestone.RETURN_RIGHT: ["accompagnement-jeune-majeur"],
    Milestone.END_OF_SUPPORT: ["demande-logement-social", "complementaire-sante-solidaire"],
}
# The entries Aminata's actions link (they become procedures she follows; "Demande de
# logement social" she follows already, from ``demo.referents``).
ACTION_ENTRIES = (
    "demande-logement-social",
    "aides-au-logement-caf",
    "mission-locale",
    "complementaire-sante-solidaire",
    "points-conseil-budget",
)

# What Aminata wants, in her words.
WISHES = {
    Domain.HOUSING: (
        "Je veux un studio à moi près de mon travail, ou au moins une place en foyer de "
        "jeunes travailleurs. Je ne veux pas me retrouver sans solution quand mon contrat "
        "jeune majeur s'arrête."
    ),
    Domain.SCHOOLING: (
        "Je veux finir mon CAP cuisine en apprentissage, et peut-être continuer vers un "
        "brevet professionnel."
    ),
    Domain.EMPLOYMENT: (
        "J'aimerais être embauchée dans le restaurant où je fais mon apprentissage, ou "
        "trouver un travail en cuisine pas trop loin de Saint-Denis."
    ),
    Domain.RESOURCES: (
        "Je veux savoir gérer mon argent toute seule et mettre un peu de côté chaque mois, "
        "pour la caution de mon futur logement."
    ),
}

# Her self-assessments and Léa's: per domain, the level of each item in order.
FIRST_SELF_ASSESSMENT = {
    Domain.SCHOOLING: [2, 2, 1, 1, 2],
    Domain.EMPLOYMENT: [1, 2, 0, 1, 2],
    Domain.HOUSING: [1, 0, 0, 1, 2],
    Domain.RESOURCES: [1, 2, 1, 0, 0],
    Domain.HEALTH: [2, 1, 3, 1, 2],
    Domain.RIGHTS: [2, 1, 1, 0, 1],
    Domain.MOBILITY: [1, 0, 0, 2],  # low: the app suggests a transport pass, the licence
    Domain.SOCIAL: [2, 2, 1, 2, 1],
}
# Four months on: better in housing, resources, rights and employment.
SECOND_SELF_ASSESSMENT = {
    **FIRST_SELF_ASSESSMENT,
    Domain.EMPLOYMENT: [2, 2, 1, 2, 3],
    Domain.HOUSING: [2, 2, 2, 1, 3],
    Domain.RESOURCES: [2, 3, 2, 1, 1],
    Domain.RIGHTS: [2, 2, 2, 1, 2],
}
REFERENT_ASSESSMENT = {
    **FIRST_SELF_ASSESSMENT,
    Domain.EMPLOYMENT: [2, 2, 1, 2, 2],
    Domain.HOUSING: [1, 1, 1, 1, 2],
    Domain.RESOURCES: [1, 2, 2, 1, 1],
    Domain.HEALTH: [2, 1, 2, 1, 2],
    Domain.RIGHTS: [2, 1, 2, 1, 2],
}
# Her check-ins, the oldest first: still in her foyer, in apprenticeship, short of money
# at first.
CHECK_INS = (
    {"housing": "temporary", "activity": "apprenticeship", "resources": "not_enough"},
    {"housing": "temporary", "activity": "apprenticeship", "resources": "not_enough"},
    {"housing": "temporary", "activity": "apprenticeship", "resources": "enough"},
    {"housing": "temporary", "activity": "apprenticeship", "resources": "enough"},
)


def load_demo_autonomy() -> int:
    """Load (again) the milestones' entries, jeune.93's interviews, projet, assessments
    and check-ins; returns how many milestone entries there are. What a référent or
    Aminata recorded since is kept."""
    entries = {
        entry.source_id: entry
        for entry in Entry.objects.filter(
            source=DEMO_SOURCE,
            source_id__in={key for keys in MILESTONE_ENTRIES.values() for key in keys},
        )
    }
    count = 0
    for milestone, keys in MILESTONE_ENTRIES.items():
        for position, key in enumerate(keys):
            if key in entries:
                MilestoneEntry.objects.update_or_create(
                    milestone=milestone, entry=entries[key], defaults={"position": position}
                )
                count += 1
    aminata = User.objects.filter(email=AMINATA).first()
    educator = User.objects.filter(email=EDUCATOR).first()
    link = (
        referents_selectors.active_links().filter(young_person=aminata, referent=educator).first()
        if aminata and educator
        else None
    )
    if link is not None:
        _interviews(aminata, link)
        today = timezone.localdate()
        if not Projet.objects.filter(young_person=aminata).exists():
            _projet(aminata, link, today)
        if not Assessment.objects.filter(young_person=aminata).exists():
            _assessments(aminata, link, today)
        if not CheckIn.objects.filter(young_person=aminata).exists():
            _check_ins(aminata, today)
    return count


def _interviews(aminata: User, link) -> None:
    interviews = {interview.kind: interview for interview in aminata.interviews.all()}
    if Interview.Kind.AT_17 not in interviews:
        services.interview_record_held(
            link=link, kind=Interview.Kind.AT_17, held_on=date(2024, 3, 5)
        )
    if Interview.Kind.SIX_MONTHS not in interviews:
        services.six_months_interview_request(user=aminata)
        day = timezone.localtime() + timedelta(days=10)
        while day.weekday() >= 5:  # the ASE service receives on weekdays
            day += timedelta(days=1)
        services.interview_schedule(
            link=link,
            kind=Interview.Kind.SIX_MONTHS,
            starts_at=day.replace(hour=14, minute=0, second=0, microsecond=0),
            place="Service de l'ASE, Bobigny",
        )


def _moment(today: date, days_ago: int, hour: int) -> datetime:
    """``days_ago`` days before ``today``, at ``hour`` (Paris time)."""
    day = today - timedelta(days=days_ago)
    return timezone.make_aware(datetime.combine(day, time(hour)), timezone.get_default_timezone())


class _Dating:
    """Dates back what the services just wrote in a projet: its history lines since the
    last call, the goals and actions made (or changed) then, and the projet itself."""

    def __init__(self, young_person: User):
        self.young_person = young_person
        self.seen = self._last_change()

    def _last_change(self) -> int:
        changes = ProjetChange.objects.filter(projet__young_person=self.young_person)
        return changes.aggregate(last=Max("pk"))["last"] or 0

    def on(self, moment: datetime, made=(), changed=()) -> None:
        ProjetChange.objects.filter(
            projet__young_person=self.young_person, pk__gt=self.seen
        ).update(at=moment)
        self.seen = self._last_change()
        for row in made:
            dates = {"updated_at": moment}
            if hasattr(row, "created_at"):  # the wishes keep only when they were written
                dates["created_at"] = moment
            type(row).objects.filter(pk=row.pk).update(**dates)
        for row in changed:
            type(row).objects.filter(pk=row.pk).update(updated_at=moment)
        projet = Projet.objects.filter(young_person=self.young_person)
        projet.filter(created_at__gt=moment).update(created_at=moment)
        projet.update(updated_at=moment)


# Whole or not at all: a part stopped halfway would be skipped by every later load.
@transaction.atomic
def _projet(aminata: User, link, today: date) -> None:
    """Her projet, step by step over the last five months: her wishes and goals, Léa's
    goals and actions at their meetings, her mentor's step, and at last a review date
    and her personne de confiance."""
    entries = {
        entry.source_id: entry.pk
        for entry in Entry.objects.filter(source=DEMO_SOURCE, source_id__in=ACTION_ENTRIES)
    }
    match = Match.objects.filter(young_person=aminata, status=Match.Status.ACTIVE).first()
    herself = services.author_young_person(aminata)
    lea = services.author_referent(link)
    dating = _Dating(aminata)

    def wishes(domain: str, author=herself) -> DomainWishes:
        return services.wishes_set(
            young_person=aminata, author=author, domain=domain, text=WISHES[domain]
        )

    def goal(author, domain: str, title: str, shared: bool = False) -> Goal:
        data = {"domain": domain, "title": title}
        if shared and match is not None:  # only with a mentor she has
            data["shared_with_mentor"] = True
        return services.goal_add(young_person=aminata, author=author, data=data)

    def action(author, goal: Goal, title: str, key=None, actor=None, due=None, status=None):
        data = {"title": title}
        if key in entries:
            data["entry"] = entries[key]
        if actor is not None:
            data["actor"] = actor
        if due is not None:
            data["due_on"] = today + timedelta(days=due)
        if status is not None:
            data["status"] = status
        return services.action_add(goal=goal, author=author, data=data)

    # Five months ago: her wishes, and her first goals.
    made = [wishes(Domain.HOUSING), wishes(Domain.SCHOOLING)]
    housing = goal(
        herself,
        Domain.HOUSING,
        "Trouver une place en foyer de jeunes travailleurs avant la fin de mon contrat "
        "jeune majeur",
        shared=True,
    )
    social_housing = action(
        herself,
        housing,
        "Déposer ma demande de logement social",
        key="demande-logement-social",
        status=Action.Status.DOING,
    )
    caf = action(
        herself, housing, "Demander l'aide au logement à la CAF", "aides-au-logement-caf", due=-60
    )
    schooling = goal(herself, Domain.SCHOOLING, "Obtenir mon CAP cuisine en juin")
    revisions = action(
        herself, schooling, "Réviser les épreuves écrites avec le soutien du CFA", due=180
    )
    dating.on(
        _moment(today, 150, 19),
        made=[*made, housing, social_housing, caf, schooling, revisions],
    )

    # At a meeting with Léa: her papers.
    rights = goal(lea, Domain.RIGHTS, "Renouveler mon titre de séjour avant son expiration")
    papers = action(
        lea,
        rights,
        "Rassembler les pièces du dossier de renouvellement avec Léa",
        actor=Actor.REFERENT,
        due=20,
    )
    prefecture = action(lea, rights, "Prendre rendez-vous sur le site de la préfecture", due=45)
    dating.on(_moment(today, 120, 15), made=[rights, papers, prefecture])

    # What she wants for work and money, and goals for them.
    made = [wishes(Domain.EMPLOYMENT), wishes(Domain.RESOURCES)]
    employment = goal(
        herself, Domain.EMPLOYMENT, "Être embauchée à la fin de mon apprentissage", shared=True
    )
    cv = action(
        herself,
        employment,
        "Mettre mon CV à jour avec mon parrain",
        actor=Actor.MENTOR if match is not None else None,
        due=14,
    )
    resources = goal(
        herself, Domain.RESOURCES, "Faire mon budget chaque mois et mettre 50 € de côté"
    )
    budget = action(
        herself,
        resources,
        "Prendre rendez-vous au point conseil budget",
        key="points-conseil-budget",
        due=30,
    )
    dating.on(_moment(today, 95, 20), made=[*made, employment, cv, resources, budget])

    mission_locale = action(
        lea, employment, "Rencontrer un conseiller de la mission locale", key="mission-locale"
    )
    dating.on(_moment(today, 90, 11), made=[mission_locale])

    health = goal(lea, Domain.HEALTH, "Avoir une complémentaire santé à mon nom")
    css = action(
        lea,
        health,
        "Faire la demande de complémentaire santé solidaire",
        key="complementaire-sante-solidaire",
        due=15,
    )
    dating.on(_moment(today, 60, 14), made=[health, css])

    caf = services.action_update(action=caf, author=herself, data={"status": Action.Status.DONE})
    dating.on(_moment(today, 45, 18), changed=[caf])
    rights = services.goal_update(goal=rights, author=lea, data={"status": Goal.Status.IN_PROGRESS})
    papers = services.action_update(action=papers, author=lea, data={"status": Action.Status.DONE})
    dating.on(_moment(today, 40, 10), changed=[rights, papers])

    if match is not None:  # her mentor moves a goal she shares with him
        housing = services.goal_update(
            goal=housing,
            author=services.author_mentor(match),
            data={"status": Goal.Status.IN_PROGRESS},
        )
        dating.on(_moment(today, 20, 21), changed=[housing])

    services.projet_update(
        young_person=aminata,
        author=herself,
        data={
            "review_on": today + timedelta(days=80),
            "trusted_person_name": "Fatoumata Diallo",
            "trusted_person_relation": "Ma tante",
            "trusted_person_phone": "06 00 00 93 21",
        },
    )
    dating.on(_moment(today, 10, 20))


def _answers(items, levels: dict[str, list[int]]) -> dict[str, int]:
    """Item keys to levels: the domain's items in order, as far as ``levels`` goes."""
    by_domain: dict[str, list] = {}
    for item in items:
        by_domain.setdefault(item.domain, []).append(item)
    return {
        item.key: level
        for domain, domain_items in by_domain.items()
        for item, level in zip(domain_items, levels.get(domain, []), strict=False)
    }


# Whole or not at all: a part stopped halfway would be skipped by every later load.
@transaction.atomic
def _assessments(aminata: User, link, today: date) -> None:
    """Her two self-assessments, four months apart, and Léa's between them."""
    items = autonomy_selectors.referentiel_for_user(aminata)
    for author, levels, days_ago in (
        (services.author_young_person(aminata), FIRST_SELF_ASSESSMENT, 148),
        (services.author_referent(link), REFERENT_ASSESSMENT, 60),
        (services.author_young_person(aminata), SECOND_SELF_ASSESSMENT, 28),
    ):
        answers = _answers(items, levels)
        if not answers:
            continue
        assessment = services.assessment_submit(
            young_person=aminata, author=author, answers=answers
        )
        Assessment.objects.filter(pk=assessment.pk).update(
            created_at=_moment(today, days_ago, 15 if author.role == Actor.REFERENT else 21)
        )


# Whole or not at all: a part stopped halfway would be skipped by every later load.
@transaction.atomic
def _check_ins(aminata: User, today: date) -> None:
    """Her check-ins of the four months before this one, each answered on the 20th."""
    month = autonomy_selectors.month_of(today)
    months = []
    for _ in CHECK_INS:
        month = autonomy_selectors.month_of(month - timedelta(days=1))
        months.insert(0, month)
    for month, answers in zip(months, CHECK_INS, strict=True):
        day = month.replace(day=20)
        check_in = services.check_in_submit(young_person=aminata, data=answers, today=day)
        moment = timezone.make_aware(
            datetime.combine(day, time(19, 30)), timezone.get_default_timezone()
        )
        CheckIn.objects.filter(pk=check_in.pk).update(created_at=moment, updated_at=moment)
