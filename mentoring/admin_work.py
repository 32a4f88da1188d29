"""Mentoring's work on the admin's home (see ``backend.admin_site``): mentors to vet,
young people waiting for a mentor, reported conversations not yet resolved."""

from django.utils.translation import ngettext_lazy

from .admin import RequestStatusFilter
from .models import ConversationReport, MentoringRequest, MentorProfile


def work_counters(request, site) -> list:
    """Mentoring's counters for ``request.user`` (the coordinators'); each link's filters
    keep exactly the rows counted."""
    return [
        site.work_counter(
            request,
            MentorProfile,
            ngettext_lazy("%(count)d mentor to vet", "%(count)d mentors to vet", "count"),
            {"status__exact": MentorProfile.Status.PENDING},
            lambda rows: rows.filter(status=MentorProfile.Status.PENDING),
        ),
        site.work_counter(
            request,
            MentoringRequest,
            ngettext_lazy(
                "%(count)d young person waiting for a mentor",
                "%(count)d young people waiting for a mentor",
                "count",
            ),
            {RequestStatusFilter.parameter_name: MentoringRequest.Status.WAITING},
            lambda rows: rows.filter(status=MentoringRequest.Status.WAITING),
        ),
        site.work_counter(
            request,
            ConversationReport,
            ngettext_lazy(
                "%(count)d reported conversation to look at",
                "%(count)d reported conversations to look at",
                "count",
            ),
            # The list's EmptyFieldListFilter on resolved_at: "1" is "empty".
            {"resolved_at__isempty": "1"},
            lambda rows: rows.filter(resolved_at__isnull=True),
        ),
    ]
