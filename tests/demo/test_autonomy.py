"""jeune.93's path to autonomy after ``make run``: her projet, written with Léa and shared
in part with her mentor, her assessments months apart, her check-ins; made once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.dates import age_on
from accounts.models import User
from autonomy import selectors, services
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
from autonomy.selectors import timeline_for_user
from mentoring.models import Match, Reminder
from services_catalog.models import Demarche

from .common import JEUNE_93, make_run

# Each test starts from the demo as make run loaded it (one load for the module).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_loaded")]

MODELS = (
    Projet,
    DomainWishes,
    Goal,
    Action,
    ProjetChange,
    Assessment,
    AssessmentAnswer,
    CheckIn,
    Interview,
    Demarche,
    Reminder,
)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_jeune_93_has_a_projet_written_with_lea_and_shared_in_part_with_her_mentor():
    aminata = User.objects.get(email=JEUNE_93)
    view = selectors.projet_view(aminata)
    with_goals = {domain["domain"] for domain in view["domains"] if domain["goals"]}
    assert {
        Domain.HOUSING,
        Domain.SCHOOLING,
        Domain.EMPLOYMENT,
        Domain.RESOURCES,
        Domain.RIGHTS,
        Domain.HEALTH,
    } <= with_goals
    wishes = [domain["wishes"] for domain in view["domains"] if domain["wishes"]]
    assert len(wishes) >= 3
    assert all(text.startswith(("Je ", "J'")) for text in wishes)  # in her words
    assert view["review_on"] > timezone.localdate()
    assert view["trusted_person"]["name"] and view["trusted_person"]["relation"]

    # Every change is in her history, by her, by Léa and by her mentor, over months.
    history = list(selectors.projet_history(aminata))
    assert {change.by_role for change in history} == set(Actor.values)
    assert {
        "wishes.changed",
        "goal.added",
        "goal.changed",
        "action.added",
        "action.changed",
        "projet.changed",
    } <= {change.what for change in history}
    assert any(change.by_name.startswith("Léa") for change in history)
    now = timezone.now()
    assert max(change.at for change in history) < now - timedelta(days=5)
    assert min(change.at for change in history) < now - timedelta(days=120)
    assert [change.at for change in history] == sorted((c.at for c in history), reverse=True)
    lines = selectors.history_lines(history)
    assert len(lines) == len(history) and all(line["details"] for line in lines)

    # The catalogue entries her actions link are procedures she follows.
    linked = Action.objects.filter(goal__projet__young_person=aminata, entry__isnull=False)
    assert linked.count() >= 3
    assert all(action.demarche.user_id == aminata.pk for action in linked)
    assert Action.objects.filter(goal__projet__young_person=aminata, actor=Actor.REFERENT).exists()

    # Her mentor sees the goals she shares with him, and only those.
    match = Match.objects.get(young_person=aminata, status=Match.Status.ACTIVE)
    shared = {goal.domain for goal in selectors.shared_goals_of_match(match)}
    assert shared == {Domain.HOUSING, Domain.EMPLOYMENT}


def test_jeune_93_has_assessed_herself_twice_months_apart_and_lea_once():
    aminata = User.objects.get(email=JEUNE_93)
    own = list(
        Assessment.objects.filter(young_person=aminata, by_role=Actor.YOUNG_PERSON).order_by(
            "created_at"
        )
    )
    assert len(own) == 2
    assert own[1].created_at - own[0].created_at >= timedelta(days=100)  # about four months
    first, latest = selectors.domain_scores(own[0]), selectors.domain_scores(own[1])
    assert set(first) == set(latest) == set(Domain.values)
    better = {domain for domain in Domain.values if latest[domain] > first[domain]}
    assert {Domain.HOUSING, Domain.RESOURCES, Domain.RIGHTS} <= better
    assert all(latest[domain] >= first[domain] for domain in Domain.values)
    (lea,) = Assessment.objects.filter(young_person=aminata, by_role=Actor.REFERENT)
    assert lea.by.email == "referent.93@demo.jalon.fr"
    assert own[0].created_at < lea.created_at < own[1].created_at
    # The app's page shows both sides, item by item, and the three over time.
    overview = selectors.assessment_overview(aminata)
    assert overview["latest_self"] == own[1] and overview["latest_referent"] == lea
    assert all(row["self"] is not None and row["referent"] is not None for row in overview["rows"])
    assert [row["id"] for row in overview["progress"]] == [own[0].pk, lea.pk, own[1].pk]


def test_jeune_93_checked_in_the_months_before_this_one_without_a_call_for_help():
    aminata = User.objects.get(email=JEUNE_93)
    check_ins = list(CheckIn.objects.filter(young_person=aminata).order_by("month"))
    this_month = selectors.month_of(timezone.localdate())
    assert len(check_ins) == 4
    assert check_ins[-1].month == selectors.month_of(this_month - timedelta(days=1))
    assert selectors.check_in_of_month(aminata) is None  # this month's is hers to try
    profile = aminata.profile
    for check_in in check_ins:
        day = timezone.localdate(check_in.created_at)
        assert selectors.month_of(day) == check_in.month
        assert check_in.age == age_on(profile.birth_date, day)
        assert check_in.departement_id == "93"
        assert check_in.housing and check_in.activity and check_in.resources
        assert not check_in.needs_help and check_in.help_asked_at is None
    assert {c.resources for c in check_ins} == {"enough", "not_enough"}
    # Nothing was sent to Léa nor to her mentor.
    assert not Reminder.objects.filter(kind=Reminder.Kind.HELP_REQUEST).exists()


def test_loading_again_adds_nothing_and_keeps_what_she_changed():
    before = counts()
    make_run()
    assert counts() == before

    aminata = User.objects.get(email=JEUNE_93)
    herself = services.author_young_person(aminata)
    goal = Goal.objects.get(projet__young_person=aminata, domain=Domain.HEALTH)
    services.goal_delete(goal=goal, author=herself)
    services.goal_add(
        young_person=aminata,
        author=herself,
        data={"domain": Domain.MOBILITY, "title": "Passer mon permis de conduire"},
    )
    CheckIn.objects.filter(young_person=aminata).order_by("month").first().delete()
    changed = counts()
    make_run()
    assert counts() == changed
    assert not Goal.objects.filter(projet__young_person=aminata, domain=Domain.HEALTH).exists()
    assert Goal.objects.filter(projet__young_person=aminata, domain=Domain.MOBILITY).exists()
    assert CheckIn.objects.filter(young_person=aminata).count() == 3


def test_the_demo_gives_jeune_93_a_timeline_with_her_interviews_and_procedures():
    aminata = User.objects.get(email=JEUNE_93)
    shown = {step.kind: step for step in timeline_for_user(user=aminata)["steps"]}
    assert shown["interview_17"].status == "held"
    assert shown["six_months"].status == "scheduled"
    assert shown["majority"].entries[0].title.startswith("Récupérer")
