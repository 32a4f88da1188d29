"""Mentoring in the admin panel: each département's coordinator vets its mentors."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from accounts.scoping import DepartementScopedAdminMixin

from . import selectors, services
from .models import MentorProfile

Status = MentorProfile.Status


@admin.register(MentorProfile)
class MentorProfileAdmin(DepartementScopedAdminMixin, SimpleHistoryAdmin):
    list_display = [
        "__str__",
        "departement",
        "status",
        "honourability_checked_on",
        "is_matchable",
        "capacity",
        "applied_at",
    ]
    list_filter = ["status", ("departement", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["user__first_name", "user__email", "organisation"]
    list_select_related = ["user", "departement"]
    actions = ["approve", "reject", "suspend"]
    # What the volunteer declared is theirs to change (through the app); the coordinator
    # records the check and decides.
    fields = [
        "user",
        "departement",
        "organisation",
        "domains",
        "languages",
        "commune_code",
        "max_distance_km",
        "meeting_mode",
        "availability",
        "capacity",
        "status",
        "honourability_checked_on",
        "decision_note",
        "decided_at",
        "decided_by",
    ]
    readonly_fields = [
        "user",
        "departement",
        "organisation",
        "domains",
        "languages",
        "commune_code",
        "max_distance_km",
        "meeting_mode",
        "availability",
        "capacity",
        "status",
        "decided_at",
        "decided_by",
    ]

    def has_add_permission(self, request) -> bool:
        return False  # volunteers apply from the app

    @admin.display(boolean=True, description=_("matchable"))
    def is_matchable(self, profile: MentorProfile) -> bool:
        return selectors.mentor_is_matchable(profile)

    def _decide(self, request, queryset, status: str) -> None:
        decided, refused = 0, []
        for profile in queryset:
            try:
                services.mentor_decide(profile=profile, status=status, by=request.user)
                decided += 1
            except ValidationError as error:
                refused.append(f"{profile}: {' '.join(error.messages)}")
        if decided:
            self.message_user(
                request,
                ngettext("%(count)d mentor updated.", "%(count)d mentors updated.", decided)
                % {"count": decided},
            )
        for line in refused:
            self.message_user(request, line, level=messages.ERROR)

    @admin.action(description=_("Approve the selected mentors"), permissions=["change"])
    def approve(self, request, queryset):
        self._decide(request, queryset, Status.APPROVED)

    @admin.action(description=_("Reject the selected applications"), permissions=["change"])
    def reject(self, request, queryset):
        self._decide(request, queryset, Status.REJECTED)

    @admin.action(description=_("Suspend the selected mentors"), permissions=["change"])
    def suspend(self, request, queryset):
        self._decide(request, queryset, Status.SUSPENDED)
