"""The référent's pages of a young person in the professional space ``/pro/``: the legal
milestones and interviews ("Étapes"); the projet, written with them; the assessment side by
side.

"Étapes" needs the profile scope (the milestones come from the birth date and the care
dates), the projet and the assessment the ``projet`` scope; without it the page does not
exist for the référent (404, as for a link not theirs). Each reading is one line in the
young person's access log.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from referents import selectors as referents_selectors
from referents.models import Scope
from referents.pages import referent_page
from vault import services as vault_services
from vault.models import AccessEvent

from . import selectors, services
from .exceptions import (
    AssessmentRefused,
    InterviewAlreadyHeld,
    InterviewRefused,
    NotLeftCare,
    ProjetRefused,
)
from .forms import (
    ActionForm,
    ActionStatusForm,
    AssessmentForm,
    GoalForm,
    GoalStatusForm,
    InterviewHeldForm,
    InterviewScheduleForm,
    ReviewForm,
    WishesForm,
)
from .models import Action, Domain, Goal, Level, Milestone

REFUSALS = (InterviewAlreadyHeld, InterviewRefused, NotLeftCare)


def _link_with_profile(request, link_id: int):
    link = referents_selectors.young_person_link_get_for_user(user=request.user, link_id=link_id)
    if not link.allows(Scope.PROFILE):
        raise Http404
    return link


def _page(request, link, *, schedule_form=None, held_form=None, status=200):
    timeline = selectors.timeline_for_user(user=link.young_person)
    for step in timeline["steps"]:
        # The steps' own titles speak to the young person ("tes 18 ans"): the
        # professional's page names the milestone.
        step.pro_title = Milestone(step.kind).label
    vault_services.reading_record(
        owner=link.young_person,
        actor=AccessEvent.Actor.REFERENT,
        actor_name=referents_selectors.referent_display_name(link.referent),
        scopes=[Scope.PROFILE],
    )
    context = {
        "link": link,
        "first_name": link.young_person.first_name,
        "steps": timeline["steps"],
        "missing": timeline["missing"],
        "schedule_form": schedule_form,
        "held_form": held_form,
        "nav_current": "home",
    }
    return render(request, "autonomy/steps.html", context, status=status)


@require_GET
@referent_page
def steps(request, link_id: int):
    """The young person's milestones, and their interviews (one line in their log)."""
    return _page(request, _link_with_profile(request, link_id))


@require_POST
@referent_page
def interview_schedule(request, link_id: int):
    """Set the date of an interview: an appointment for the young person."""
    link = _link_with_profile(request, link_id)
    form = InterviewScheduleForm(request.POST)
    if form.is_valid():
        try:
            services.interview_schedule(
                link=link,
                kind=form.cleaned_data["kind"],
                starts_at=form.cleaned_data["starts_at"],
                place=form.cleaned_data["place"],
            )
        except REFUSALS as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Scheduled. The young person sees it in their agenda."))
            return redirect("pro-steps", link_id=link.pk)
    return _page(request, link, schedule_form=form, status=400)


@require_POST
@referent_page
def interview_held(request, link_id: int):
    """Record that an interview took place."""
    link = _link_with_profile(request, link_id)
    form = InterviewHeldForm(request.POST)
    if form.is_valid():
        try:
            services.interview_record_held(
                link=link, kind=form.cleaned_data["kind"], held_on=form.cleaned_data["held_on"]
            )
        except REFUSALS as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Recorded: the interview took place."))
            return redirect("pro-steps", link_id=link.pk)
    return _page(request, link, held_form=form, status=400)


# --- The projet, with the ``projet`` scope -----------------------------------------------------


def _link_with_projet(request, link_id: int):
    link = referents_selectors.young_person_link_get_for_user(user=request.user, link_id=link_id)
    if not link.allows(Scope.PROJET):
        raise Http404
    return link


def _record_reading(link, *, with_profile: bool = False) -> None:
    vault_services.reading_record(
        owner=link.young_person,
        actor=AccessEvent.Actor.REFERENT,
        actor_name=referents_selectors.referent_display_name(link.referent),
        scopes=[Scope.PROJET, Scope.PROFILE] if with_profile else [Scope.PROJET],
    )


def _name(link) -> str:
    """The young person's first name is the profile scope's; without it, the référent's
    own label for them (as on their other pages)."""
    if link.allows(Scope.PROFILE):
        return link.young_person.first_name
    return link.label or _("Young person")


def _projet_page(request, link, *, errors=None, bound=None, status=200):
    """The projet page; after a refused form, the form comes back filled, with its errors."""
    _record_reading(link)
    bound = bound or {}
    view = selectors.projet_view(link.young_person)
    for domain in view["domains"]:
        domain["wishes_form"] = bound.get(("wishes", domain["domain"])) or WishesForm(
            initial={"text": domain["wishes"]}, prefix=f"wishes-{domain['domain']}"
        )
    context = {
        "link": link,
        "first_name": _name(link),
        "view": view,
        "history": selectors.history_lines(
            selectors.projet_history(link.young_person)[:50], young_person_name=_name(link)
        ),
        "goal_form": bound.get("goal") or GoalForm(),
        "action_form": ActionForm(),
        "action_form_bound": bound.get("action"),
        "action_goal_id": bound.get("action_goal_id"),
        "review_form": bound.get("review") or ReviewForm(initial={"review_on": view["review_on"]}),
        "goal_statuses": Goal.Status.choices,
        "action_statuses": Action.Status.choices,
        "errors": errors or [],
        "nav_current": "home",
    }
    return render(request, "autonomy/projet.html", context, status=status)


def _refused(request, link, form, key, **extra):
    return _projet_page(
        request,
        link,
        errors=[error for errors in form.errors.values() for error in errors],
        bound={key: form, **extra},
        status=400,
    )


def _write(request, link, form, key, write, message: str, **extra):
    """Run ``write`` for a valid form; a refusal of the services comes back on the page,
    the form filled as it was sent."""
    if not form.is_valid():
        return _refused(request, link, form, key, **extra)
    try:
        write(form.cleaned_data)
    except ProjetRefused as error:
        form.add_error(None, str(error))
        return _refused(request, link, form, key, **extra)
    messages.success(request, message)
    return redirect("pro-projet", link_id=link.pk)


@require_GET
@referent_page
def projet(request, link_id: int):
    """The young person's projet, to read and write with them (one line in their log)."""
    return _projet_page(request, _link_with_projet(request, link_id))


@require_GET
@referent_page
def projet_print(request, link_id: int):
    """The printable projet (for the interview, for a move)."""
    link = _link_with_projet(request, link_id)
    # The steps come from the birth date and the care dates: printed with the profile
    # scope only.
    with_steps = link.allows(Scope.PROFILE)
    _record_reading(link, with_profile=with_steps)
    return HttpResponse(
        selectors.projet_printable(link.young_person, name=_name(link), with_steps=with_steps)
    )


@require_POST
@referent_page
def goal_add(request, link_id: int):
    link = _link_with_projet(request, link_id)
    author = services.author_referent(link)
    return _write(
        request,
        link,
        GoalForm(request.POST),
        "goal",
        lambda data: services.goal_add(young_person=link.young_person, author=author, data=data),
        _("Goal added. The young person sees it in their projet."),
    )


@require_POST
@referent_page
def goal_status(request, link_id: int, goal_id: int):
    link = _link_with_projet(request, link_id)
    goal = selectors.goal_get_for_user(user=link.young_person, goal_id=goal_id)
    author = services.author_referent(link)
    return _write(
        request,
        link,
        GoalStatusForm(request.POST),
        "goal_status",
        lambda data: services.goal_update(goal=goal, author=author, data=data),
        _("Saved."),
    )


@require_POST
@referent_page
def action_add(request, link_id: int, goal_id: int):
    link = _link_with_projet(request, link_id)
    goal = selectors.goal_get_for_user(user=link.young_person, goal_id=goal_id)
    author = services.author_referent(link)
    return _write(
        request,
        link,
        ActionForm(request.POST, prefix=f"action-{goal.pk}"),
        "action",
        lambda data: services.action_add(goal=goal, author=author, data=data),
        _("Action added."),
        action_goal_id=goal.pk,
    )


@require_POST
@referent_page
def action_status(request, link_id: int, action_id: int):
    link = _link_with_projet(request, link_id)
    action = selectors.action_get_for_user(user=link.young_person, action_id=action_id)
    author = services.author_referent(link)
    return _write(
        request,
        link,
        ActionStatusForm(request.POST),
        "action_status",
        lambda data: services.action_update(action=action, author=author, data=data),
        _("Saved."),
    )


@require_POST
@referent_page
def wishes_save(request, link_id: int, domain: str):
    link = _link_with_projet(request, link_id)
    if domain not in Domain.values:
        raise Http404
    form = WishesForm(request.POST, prefix=f"wishes-{domain}")  # the domain is the URL's
    author = services.author_referent(link)
    return _write(
        request,
        link,
        form,
        ("wishes", domain),
        lambda data: services.wishes_set(
            young_person=link.young_person, author=author, domain=domain, text=data["text"]
        ),
        _("Saved."),
    )


@require_POST
@referent_page
def review_save(request, link_id: int):
    link = _link_with_projet(request, link_id)
    author = services.author_referent(link)
    return _write(
        request,
        link,
        ReviewForm(request.POST),
        "review",
        lambda data: services.projet_update(
            young_person=link.young_person, author=author, data={"review_on": data["review_on"]}
        ),
        _("Saved."),
    )


# --- The assessment, side by side -------------------------------------------------------------


def _assessment_page(request, link, *, form=None, status=200):
    _record_reading(link)
    items = selectors.referentiel_for_user(link.young_person)
    overview = selectors.assessment_overview(link.young_person)
    domains = list(Domain)
    progress = [
        {
            "created_at": row["created_at"],
            "by_role": row["by_role"],
            "scores": [row["scores"].get(domain.value) for domain in domains],
        }
        for row in overview["progress"]
    ]
    context = {
        "link": link,
        "first_name": _name(link),
        "rows": overview["rows"],
        "referent_name": overview["referent_name"],
        "levels": dict(Level.choices),
        "domains": domains,
        "progress": progress,
        "form": form or AssessmentForm(items=items),
        "nav_current": "home",
    }
    return render(request, "autonomy/assessment.html", context, status=status)


@require_GET
@referent_page
def assessment(request, link_id: int):
    """The young person's assessment next to the référent's, and the progress per domain."""
    return _assessment_page(request, _link_with_projet(request, link_id))


@require_POST
@referent_page
def assessment_submit(request, link_id: int):
    """The référent's own assessment of the young person."""
    link = _link_with_projet(request, link_id)
    items = selectors.referentiel_for_user(link.young_person)
    form = AssessmentForm(request.POST, items=items)
    if form.is_valid():
        try:
            services.assessment_submit(
                young_person=link.young_person,
                author=services.author_referent(link),
                answers=form.answers(),
            )
        except AssessmentRefused as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your assessment is recorded, next to theirs."))
            return redirect("pro-assessment", link_id=link.pk)
    return _assessment_page(request, link, form=form, status=400)
