"""The référent's "Étapes" page of a young person, in the professional space ``/pro/``:
the legal milestones, and the interviews to schedule and to record as held.

It needs the profile scope (the milestones come from the birth date and the care dates);
without it the page does not exist for the référent (404, as for a link not theirs).
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from referents import selectors as referents_selectors
from referents.models import Scope
from referents.pages import referent_page
from vault import services as vault_services
from vault.models import AccessEvent

from . import selectors, services
from .exceptions import InterviewAlreadyHeld, InterviewRefused, NotLeftCare
from .forms import InterviewHeldForm, InterviewScheduleForm

REFUSALS = (InterviewAlreadyHeld, InterviewRefused, NotLeftCare)


def _link_with_profile(request, link_id: int):
    link = referents_selectors.young_person_link_get_for_user(user=request.user, link_id=link_id)
    if not link.allows(Scope.PROFILE):
        raise Http404
    return link


def _page(request, link, *, schedule_form=None, held_form=None, status=200):
    timeline = selectors.timeline_for_user(user=link.young_person)
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
