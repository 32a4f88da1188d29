"""The path to autonomy's words for ``GET /api/v1/vocabulary/`` (``backend.vocabulary``)."""

from .models import Action, Actor, CheckIn, Domain, Goal, Level, Milestone

VOCABULARIES = {
    "projet_domains": Domain.choices,
    "goal_statuses": Goal.Status.choices,
    "action_statuses": Action.Status.choices,
    "actors": Actor.choices,
    "assessment_levels": Level.choices,
    "milestones": Milestone.choices,
    "check_in_housing": CheckIn.Housing.choices,
    "check_in_activity": CheckIn.Activity.choices,
    "check_in_resources": CheckIn.Resources.choices,
}
