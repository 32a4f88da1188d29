"""Forms of the professional space ``/pro/``: they check input; the services decide."""

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import ContactWay, ReferentProfile, Scope


class WelcomeForm(forms.Form):
    """The first sign-in of an invited référent: invitation code, password, second factor."""

    email = forms.EmailField(label=_("Your professional e-mail address"))
    invitation_code = forms.CharField(
        label=_("Invitation code"),
        max_length=20,
        help_text=_("In the e-mail from your département (as ABCD-EFGH-JKLM-NPQR)."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    password1 = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        help_text=_("At least 12 characters."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("The same password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    totp_code = forms.RegexField(
        label=_("Code shown by your authenticator app"),
        regex=r"^\s*[0-9]{6}\s*$",
        error_messages={"invalid": _("Enter the 6 digits your authenticator app shows.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            try:
                validate_password(first)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class ScopesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", Scope.choices)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)


class InviteByCodeForm(forms.Form):
    label = forms.CharField(
        label=_("Who is it for? (for you only)"),
        max_length=80,
        required=False,
        help_text=_("For example: Aminata, foyer de Bondy. The young person does not see it."),
    )
    suggested_scopes = ScopesField(
        label=_("What you suggest they share (they choose)"),
    )


class InviteByEmailForm(InviteByCodeForm):
    email = forms.EmailField(label=_("The young person's e-mail address in Jalon"))


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("A note for the young person"),
        max_length=2000,
        help_text=_("They read it in the app. 2,000 characters at most."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise ValidationError(_("Write something first."))
        return body


class CatalogueSearchForm(forms.Form):
    q = forms.CharField(label=_("Search the catalogue"), max_length=100, required=False)


class ProposeForm(forms.Form):
    entry = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ProfileForm(forms.ModelForm):
    class Meta:
        model = ReferentProfile
        fields = ["job_title", "contact_way", "contact_phone", "contact_email", "contact_hours"]
        widgets = {"contact_way": forms.RadioSelect(choices=ContactWay.choices)}
