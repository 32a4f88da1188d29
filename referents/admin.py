"""Staff invite référents from the admin panel; they never see what référents see.

Département staff and coordinators of a département (and superusers) invite its
référents, send a new invitation code, and close accounts. Links, their scopes, notes
and proposals have no admin page: only a count of open links is shown.
"""

from allauth.mfa.models import Authenticator
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import Count, Exists, OuterRef, Q
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import User
from accounts.scoping import DepartementScopedModelAdmin
from backend.admin_actions import ObjectActionsMixin
from backend.errors import DomainError

from . import services
from .models import ReferentProfile


class ReferentInviteForm(forms.ModelForm):
    """Inviting a référent: who they are, where they work."""

    email = forms.EmailField(label=_("Professional e-mail address"))
    first_name = forms.CharField(label=_("First name"), max_length=80)

    class Meta:
        model = ReferentProfile
        fields = ["email", "first_name", "departement", "structure", "profession", "job_title"]

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if User.objects.filter(email__iexact=email).exists():
            # Neither whose nor which kind of account: a young person's address must not
            # tell staff that they use Jalon.
            raise forms.ValidationError(
                _(
                    "This address cannot be invited. Use the person's professional address, "
                    "or ask an administrator."
                )
            )
        return email

    def clean(self):
        cleaned = super().clean()
        structure, departement = cleaned.get("structure"), cleaned.get("departement")
        if structure and departement and structure.departement_id != departement.pk:
            self.add_error("structure", _("Choose a structure of this département."))
        if departement and not services.may_invite_referents(self.inviter, departement):
            self.add_error("departement", _("You invite référents of your départements only."))
        return cleaned


@admin.register(ReferentProfile)
class ReferentProfileAdmin(ObjectActionsMixin, DepartementScopedModelAdmin):
    list_display = [
        "__str__",
        "profession",
        "structure",
        "departement",
        "account_open",
        "second_factor_set_up",
        "open_links",
    ]
    list_filter = ["profession", ("departement", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["user__first_name", "user__email", "structure__name"]
    list_select_related = ["user", "structure", "departement"]
    actions = ["send_new_invitation_code", "close_accounts"]
    object_actions = {
        "send_new_invitation_code": (
            _("Send a new invitation code"),
            _(
                "The référent has not set up their account yet. A new code is e-mailed to "
                "them and shown to you once, valid %(days)d days; the previous one no "
                "longer works."
            ),
        ),
        "close_accounts": (
            _("Close the account"),
            _(
                "The référent can no longer sign in. Each of their links ends at once: "
                "they no longer see those young people, nor the documents shared with them."
            ),
        ),
    }
    object_actions_confirm = {
        "close_accounts": _("Close this account? Each of the référent's links ends at once."),
    }
    # What the référent chose themselves (how to reach them) is theirs to change.
    readonly_fields = [
        "user",
        "contact_way",
        "contact_phone",
        "contact_email",
        "contact_hours",
        "invited_by",
        "created_at",
    ]
    fields = [
        "user",
        "departement",
        "structure",
        "profession",
        "job_title",
        "contact_way",
        "contact_phone",
        "contact_email",
        "contact_hours",
        "invited_by",
        "created_at",
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                open_link_count=Count(
                    "user__young_people_links",
                    filter=Q(user__young_people_links__ended_at__isnull=True),
                ),
                has_totp=Exists(
                    Authenticator.objects.filter(
                        user=OuterRef("user"), type=Authenticator.Type.TOTP
                    )
                ),
            )
        )

    def object_actions_for(self, request, obj: ReferentProfile) -> list[str]:
        """A new code while the account is open and its second factor not set up (as
        ``services.referent_enrolment_issue`` requires); closing while it is open."""
        if not obj.user.is_active:
            return []
        if obj.has_totp:
            return ["close_accounts"]
        return ["send_new_invitation_code", "close_accounts"]

    def object_action_next(self, request, obj, name: str) -> str:
        sentence = super().object_action_next(request, obj, name)
        if name == "send_new_invitation_code":  # the code's validity is a setting
            return sentence % {"days": settings.REFERENT_INVITATION_DAYS}
        return sentence

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ReferentInviteForm
        form = super().get_form(request, obj, **kwargs)
        form.inviter = request.user  # who invites: checked against the chosen département
        return form

    def get_fields(self, request, obj=None):
        if obj is None:
            return ReferentInviteForm.Meta.fields
        return self.fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        data = form.cleaned_data
        profile, code = services.referent_invite(
            email=data["email"],
            first_name=data["first_name"],
            departement=data["departement"],
            structure=data["structure"],
            profession=data["profession"],
            job_title=data.get("job_title", ""),
            invited_by=request.user,
        )
        # The admin goes on with the saved row (its log line), then shows the code once.
        obj.pk, obj.user = profile.pk, profile.user
        obj._state.adding = False
        request.referent_invitation_codes = [(profile, code)]

    def response_add(self, request, obj, post_url_continue=None):
        issued = getattr(request, "referent_invitation_codes", None)
        if issued:
            return self._codes_page(request, issued)
        return super().response_add(request, obj, post_url_continue)

    def _codes_page(self, request, issued):
        # A page of its own, not a message: messages may be stored in a cookie or the
        # session, and the code must not be kept anywhere (the admin's pages are no-store).
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Invitation codes"),
            "issued": issued,
            "days": settings.REFERENT_INVITATION_DAYS,
        }
        return TemplateResponse(
            request, "admin/referents/referentprofile/invitation_codes.html", context
        )

    @admin.display(boolean=True, description=_("account open"))
    def account_open(self, profile) -> bool:
        return profile.user.is_active

    @admin.display(boolean=True, description=_("second factor set up"))
    def second_factor_set_up(self, profile) -> bool:
        return profile.has_totp

    @admin.display(description=_("open links"), ordering="open_link_count")
    def open_links(self, profile) -> int:
        # A count only: who linked them, and what they see, is not the admin's to know.
        return profile.open_link_count

    @admin.action(description=_("Send a new invitation code"))
    def send_new_invitation_code(self, request, queryset):
        issued = []
        for profile in queryset.select_related("user"):
            try:
                code = services.referent_enrolment_issue(
                    referent=profile.user, issued_by=request.user
                )
            except DomainError as error:
                messages.error(request, f"{profile}: {error}")
                continue
            issued.append((profile, code))
        return self._codes_page(request, issued) if issued else None

    @admin.action(description=_("Close the account (ends every link)"))
    def close_accounts(self, request, queryset):
        ended = closed = 0
        for profile in queryset.select_related("user").filter(user__is_active=True):
            ended += services.referent_deactivate(referent=profile.user)
            closed += 1
        messages.success(
            request,
            ngettext(
                "%(closed)d account closed, %(ended)d links ended.",
                "%(closed)d accounts closed, %(ended)d links ended.",
                closed,
            )
            % {"closed": closed, "ended": ended},
        )

    def has_delete_permission(self, request, obj=None) -> bool:
        # Deleting the profile alone would leave the account signed in and linked: a
        # référent is closed here ("Close the account"), and erased as an account by a
        # superuser in Users, which ends links and keeps the young people's data.
        return False
