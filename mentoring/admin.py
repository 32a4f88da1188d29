"""Mentoring in the admin panel: each département's coordinator vets its mentors."""

from collections import Counter

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.scoping import DepartementScopedAdminMixin
from backend.admin_history import ReadableHistoryAdmin

from . import conversations, selectors, services
from .exceptions import MatchConflict
from .models import (
    MEMBER_SIDES,
    ConversationReport,
    DepartementMentoring,
    Match,
    MentoringRequest,
    MentorProfile,
)

Status = MentorProfile.Status


@admin.register(MentorProfile)
class MentorProfileAdmin(DepartementScopedAdminMixin, ReadableHistoryAdmin):
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
    # Not the e-mail: staff never see it, nor find a person by it.
    search_fields = ["user__first_name", "organisation"]
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


@admin.register(DepartementMentoring)
class DepartementMentoringAdmin(DepartementScopedAdminMixin, admin.ModelAdmin):
    list_display = ["departement", "pairing"]


class RequestStatusFilter(admin.SimpleListFilter):
    """The requests' status, the waiting ones unless another is chosen: what a
    coordinator opens the list for."""

    title = _("status")
    parameter_name = "status"
    ALL = "all"

    def lookups(self, request, model_admin):
        return [*MentoringRequest.Status.choices, (self.ALL, _("All"))]

    def _chosen(self) -> str:
        known = {value for value, _label in self.lookup_choices}
        return self.value() if self.value() in known else MentoringRequest.Status.WAITING

    def choices(self, changelist):
        chosen = self._chosen()
        for value, label in self.lookup_choices:
            yield {
                "selected": value == chosen,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        chosen = self._chosen()
        return queryset if chosen == self.ALL else queryset.filter(status=chosen)


@admin.register(MentoringRequest)
class MentoringRequestAdmin(DepartementScopedAdminMixin, admin.ModelAdmin):
    """The waiting list; a request's page proposes mentors, the coordinator confirms one."""

    list_display = ["__str__", "departement", "status", "created_at", "waiting_days"]
    list_filter = [RequestStatusFilter, ("departement", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["young_person", "departement"]
    readonly_fields = [
        "young_person",
        "departement",
        "status",
        "needs",
        "languages",
        "commune_code",
        "meeting_mode",
        "preferred_gender",
        "availability",
        "created_at",
        "closed_at",
    ]
    fields = readonly_fields
    change_form_template = "admin/mentoring/mentoringrequest/change_form.html"
    actions = ["bulk_match"]

    def has_add_permission(self, request) -> bool:
        return False  # young people ask from the app

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("days waiting"))
    def waiting_days(self, obj: MentoringRequest) -> int | None:
        if obj.status != MentoringRequest.Status.WAITING:
            return None
        return (timezone.now() - obj.created_at).days

    @admin.action(
        description=_("Bulk-match the waiting lists of the selected requests' départements"),
        permissions=["change"],
    )
    def bulk_match(self, request, queryset):
        for departement_id in sorted(set(queryset.values_list("departement_id", flat=True))):
            report = services.bulk_match(departement_id=departement_id)
            self.message_user(
                request,
                _(
                    "%(departement)s: %(matched)d pair(s) made, %(waiting)d request(s) still "
                    "waiting (%(reasons)s)."
                )
                % {
                    "departement": departement_id,
                    "matched": len(report.matched),
                    "waiting": len(report.unmatched) + len(report.refused),
                    "reasons": ", ".join(
                        f"{reason}: {count}"
                        for reason, count in sorted(Counter(report.unmatched.values()).items())
                    )
                    or "—",
                },
            )

    def get_urls(self):
        return [
            path(
                "<id:object_id>/confirm/<id:mentor_id>/",
                self.admin_site.admin_view(self.confirm_view),
                name="mentoring_mentoringrequest_confirm",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        proposals = []
        if obj is not None and obj.status == MentoringRequest.Status.WAITING:
            found = selectors.proposals_for(obj, limit=10)
            profiles = selectors.mentor_profiles_by_user([p.mentor_id for p in found])
            proposals = [(profiles[p.mentor_id], p.score) for p in found]
        extra_context = {**(extra_context or {}), "proposals": proposals}
        return super().change_view(request, object_id, form_url, extra_context)

    def confirm_view(self, request, object_id, mentor_id):
        obj = self.get_object(request, object_id)
        if obj is None or not self.has_change_permission(request, obj):
            raise PermissionDenied
        if request.method != "POST":
            raise PermissionDenied
        mentor = MentorProfile.objects.filter(
            user_id=mentor_id, departement_id=obj.departement_id
        ).first()
        try:
            if mentor is None:
                raise MatchConflict("mentor_not_matchable")
            services.match_create(request=obj, mentor=mentor.user, origin=Match.Origin.COORDINATOR)
            self.message_user(request, _("The pair is confirmed."))
        except MatchConflict as refused:
            self.message_user(request, str(refused), level=messages.ERROR)
        return redirect("admin:mentoring_mentoringrequest_change", object_id)


@admin.register(Match)
class MatchAdmin(DepartementScopedAdminMixin, admin.ModelAdmin):
    departement_lookup = "request__departement"
    list_display = ["__str__", "status", "origin", "proposed_at", "activated_at", "end_reason"]
    list_filter = ["status", "end_reason"]
    list_select_related = ["young_person", "mentor"]
    readonly_fields = [
        "young_person",
        "mentor",
        "status",
        "origin",
        "score",
        "proposed_at",
        "activated_at",
        "ended_at",
        "end_reason",
        "young_person_feedback",
        "mentor_feedback",
    ]
    fields = readonly_fields
    actions = ["end_for_safety"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("End the selected matches (safety)"), permissions=["change"])
    def end_for_safety(self, request, queryset):
        ended = 0
        for match in queryset.exclude(status=Match.Status.ENDED):
            services.match_end(match=match, by=request.user, reason=Match.EndReason.SAFETY)
            ended += 1
        self.message_user(
            request,
            ngettext("%(count)d match ended.", "%(count)d matches ended.", ended)
            % {"count": ended},
        )


@admin.register(ConversationReport)
class ConversationReportAdmin(DepartementScopedAdminMixin, admin.ModelAdmin):
    """The coordinator's queue of reported conversations: the only staff access to messages."""

    departement_lookup = "conversation__match__request__departement"
    list_display = ["__str__", "created_at", "resolved_at"]
    list_filter = [("resolved_at", admin.EmptyFieldListFilter)]
    fields = [
        "conversation",
        "reporter",
        "reason",
        "created_at",
        "transcript",
        "resolved_at",
        "resolution_note",
    ]
    readonly_fields = [
        "conversation",
        "reporter",
        "reason",
        "created_at",
        "transcript",
        "resolved_at",
    ]
    actions = ["mark_resolved"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("messages"))
    def transcript(self, report: ConversationReport):
        conversation = report.conversation
        shown = conversation.messages.all()
        if report.resolved_at:  # a resolved report opens nothing written after it
            shown = shown.filter(created_at__lte=report.resolved_at)
        messages_ = conversations.with_bodies(conversation, shown)
        match = conversation.match
        names = {
            side: _("%(side)s (account erased)") % {"side": label} for side, label in MEMBER_SIDES
        }
        for member in (match.young_person, match.mentor):
            if member is not None:
                names[member.pk] = member.first_name or (
                    _("young person") if member.pk == match.young_person_id else _("mentor")
                )
        return format_html_join(
            "",
            "<p{}><strong>{}</strong> · {} — {}</p>",
            (
                (
                    mark_safe(' style="background:#fff3cd"')
                    if message.pk == report.message_id
                    else "",
                    names.get(message.sender_id or message.erased_sender, "?"),
                    timezone.localtime(message.created_at).strftime("%d/%m/%Y %H:%M"),
                    message.body,
                )
                for message in messages_
            ),
        )

    @admin.action(description=_("Mark as resolved"), permissions=["change"])
    def mark_resolved(self, request, queryset):
        queryset.filter(resolved_at__isnull=True).update(
            resolved_at=timezone.now(), resolved_by=request.user
        )
