"""Mentoring in the admin panel: each département's coordinator vets its mentors."""

from collections import Counter

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import Language
from accounts.scoping import DepartementScopedAdminMixin
from backend.admin_actions import ObjectActionsMixin
from backend.admin_history import ReadableHistoryAdmin
from backend.forms import code_labels
from services_catalog import selectors as catalogue

from . import conversations, selectors, services
from .exceptions import MatchConflict
from .models import (
    MEMBER_SIDES,
    ConversationReport,
    DepartementMentoring,
    Match,
    MentoringRequest,
    MentorProfile,
    first_name_of,
)
from .vocabulary import AVAILABILITY_SLOTS, Domain

Status = MentorProfile.Status


class DeclaredWordsMixin:
    """What a volunteer or a young person ticked in the app (domains or needs, languages,
    weekly slots), shown read-only in words, never as the app's codes."""

    @admin.display(description=_("languages spoken"))
    def languages_labels(self, obj) -> str:
        return code_labels(obj.languages, Language.choices)

    @admin.display(description=_("weekly availability"))
    def availability_labels(self, obj) -> str:
        return code_labels(obj.availability, AVAILABILITY_SLOTS)

    @admin.display(description=_("commune"))
    def commune_label(self, obj) -> str:
        return catalogue.commune_label(obj.commune_code) if obj.commune_code else "-"


@admin.register(MentorProfile)
class MentorProfileAdmin(
    ObjectActionsMixin, DeclaredWordsMixin, DepartementScopedAdminMixin, ReadableHistoryAdmin
):
    list_display = [
        "mentor",
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
    # What the decisions really do (services.mentor_decide): no e-mail is sent, the app
    # shows the volunteer their status.
    object_actions = {
        "approve": (
            _("Approve"),
            _(
                "Needs a recent honourability check, dated above. The volunteer can then "
                "be proposed to the young people waiting in the département; the app "
                "shows them approved (no e-mail is sent)."
            ),
        ),
        "reject": (
            _("Reject"),
            _(
                "The volunteer is proposed to no young person, and any pair they are "
                "still in ends (for safety). The app shows the application rejected (no "
                "e-mail is sent)."
            ),
        ),
        "suspend": (
            _("Suspend"),
            _(
                "The volunteer is no longer proposed, and each of their pairs ends at once "
                "(for safety): meetings to come are cancelled, the documents young people "
                "shared with them are no longer shown to them. Approve again to lift it."
            ),
        ),
    }
    object_actions_confirm = {
        "reject": _("Reject this application? Any pair of this volunteer ends at once."),
        "suspend": _("Suspend this mentor? Each of their pairs ends at once."),
    }
    _DECISION_ACTIONS = {
        Status.APPROVED: "approve",
        Status.REJECTED: "reject",
        Status.SUSPENDED: "suspend",
    }
    # What the volunteer declared is theirs to change (through the app); the coordinator
    # records the check and decides.
    fields = [
        "user",
        "departement",
        "organisation",
        "domains_labels",
        "languages_labels",
        "commune_label",
        "max_distance_km",
        "meeting_mode",
        "availability_labels",
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
        "domains_labels",
        "languages_labels",
        "commune_label",
        "max_distance_km",
        "meeting_mode",
        "availability_labels",
        "capacity",
        "status",
        "decided_at",
        "decided_by",
    ]

    def has_add_permission(self, request) -> bool:
        return False  # volunteers apply from the app

    @admin.display(description=_("mentor"), ordering="user__first_name")
    def mentor(self, profile: MentorProfile) -> str:
        return str(profile.user)  # the status has its own column

    @admin.display(description=_("domains of help"))
    def domains_labels(self, profile: MentorProfile) -> str:
        return code_labels(profile.domains, Domain.choices)

    def object_actions_for(self, request, obj: MentorProfile) -> list[str]:
        """The decisions the mentor's status allows (``services.mentor_decisions``)."""
        return [self._DECISION_ACTIONS[status] for status in services.mentor_decisions(obj)]

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


# Why bulk matching left a request waiting (``matching.assignment``), in words.
UNMATCHED_REASONS = {
    "no_compatible_mentor": _("no approved mentor fits"),
    "compatible_mentors_full": _("every mentor who fits is full"),
    "outcompeted": _("the mentors who fit went to requests that fitted them better"),
}


# The refusals whose words are the young person's ("You already have a mentor"), as a
# coordinator reads them.
COORDINATOR_CONFLICTS = {
    "already_matched": _(
        "This young person already has a mentor, or one is considering their request."
    ),
}


@admin.register(MentoringRequest)
class MentoringRequestAdmin(DeclaredWordsMixin, DepartementScopedAdminMixin, admin.ModelAdmin):
    """The waiting list; a request's page proposes mentors, the coordinator confirms one."""

    list_display = ["young_person_name", "departement", "status", "created_at", "waiting_days"]
    list_filter = [RequestStatusFilter, ("departement", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["young_person", "departement"]
    readonly_fields = [
        "young_person",
        "departement",
        "status",
        "needs_labels",
        "languages_labels",
        "commune_label",
        "meeting_mode",
        "preferred_gender",
        "availability_labels",
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

    @admin.display(description=_("young person"), ordering="young_person__first_name")
    def young_person_name(self, obj: MentoringRequest) -> str:
        return first_name_of(obj.young_person)  # the status has its own column

    @admin.display(description=_("needs"))
    def needs_labels(self, obj: MentoringRequest) -> str:
        return code_labels(obj.needs, Domain.choices)

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
                        _("%(reason)s: %(count)d")
                        % {"reason": UNMATCHED_REASONS.get(reason, reason), "count": count}
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
            said = COORDINATOR_CONFLICTS.get(refused.code, str(refused))
            self.message_user(request, said, level=messages.ERROR)
        return redirect("admin:mentoring_mentoringrequest_change", object_id)


# The parts of a pair's score (``matching.scoring.Score``), as the request's page names them.
SCORE_PARTS = {
    "domains": _("Domains"),
    "language": _("Language"),
    "distance": _("Distance"),
    "availability": _("Availability"),
    "preference": _("Preference"),
}


def _score_part_order(item) -> tuple[int, str]:
    """A part of a score by its place in ``SCORE_PARTS`` (an unknown one last)."""
    names = list(SCORE_PARTS)
    return (names.index(item[0]) if item[0] in names else len(names), item[0])


@admin.register(Match)
class MatchAdmin(ObjectActionsMixin, DepartementScopedAdminMixin, admin.ModelAdmin):
    departement_lookup = "request__departement"
    list_display = ["__str__", "status", "origin", "proposed_at", "activated_at", "end_reason"]
    list_filter = ["status", "end_reason"]
    list_select_related = ["young_person", "mentor"]
    readonly_fields = [
        "young_person",
        "mentor",
        "status",
        "origin",
        "score_labels",
        "proposed_at",
        "activated_at",
        "ended_at",
        "end_reason",
        "young_person_feedback",
        "mentor_feedback",
    ]
    fields = readonly_fields
    actions = ["end_for_safety"]
    object_actions = {
        "end_for_safety": (
            _("End this pair (safety)"),
            _(
                "The pair ends at once: no more messages in their conversation, meetings "
                "to come are cancelled, and the mentor no longer sees the documents the "
                "young person shared."
            ),
        )
    }
    object_actions_confirm = {
        "end_for_safety": _("End this pair now? This cannot be undone."),
    }

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def object_actions_for(self, request, obj: Match) -> list[str]:
        return [] if obj.status == Match.Status.ENDED else ["end_for_safety"]

    @admin.display(description=_("score and its parts"))
    def score_labels(self, match: Match) -> str:
        score = match.score or {}
        if "total" not in score:
            return "-"
        parts = score.get("parts", {})
        return _("%(total)s out of 100 (%(parts)s)") % {
            "total": number_format(score["total"]),
            "parts": ", ".join(
                _("%(part)s: %(points)s")
                % {"part": SCORE_PARTS.get(name, name), "points": number_format(value)}
                # In SCORE_PARTS' order: PostgreSQL's jsonb keeps no order of its own.
                for name, value in sorted(parts.items(), key=_score_part_order)
            ),
        }

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
class ConversationReportAdmin(ObjectActionsMixin, DepartementScopedAdminMixin, admin.ModelAdmin):
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
    object_actions = {
        "mark_resolved": (
            _("Mark as resolved"),
            _(
                "The report leaves the queue, with what was done as written above. Its "
                "page will no longer show the messages written after now."
            ),
        )
    }

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def object_actions_for(self, request, obj: ConversationReport) -> list[str]:
        return ["mark_resolved"] if obj.resolved_at is None else []

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
        resolved = queryset.filter(resolved_at__isnull=True).update(
            resolved_at=timezone.now(), resolved_by=request.user
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d report marked as resolved.",
                "%(count)d reports marked as resolved.",
                resolved,
            )
            % {"count": resolved},
        )
