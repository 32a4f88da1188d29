"""Extra fields of the sign-up (allauth's ``ACCOUNT_SIGNUP_FORM_CLASS``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .roles import Role

# Who may create their own account from the app; staff accounts are made by a superuser.
SELF_SIGNUP_ROLES = [
    (Role.YOUNG_PERSON, Role.YOUNG_PERSON.label),
    (Role.MENTOR, Role.MENTOR.label),
]


class SignupExtraForm(forms.Form):
    """``account_type``: a young person (the default) or a volunteer mentor."""

    account_type = forms.ChoiceField(label=_("I am"), choices=SELF_SIGNUP_ROLES, required=False)

    def signup(self, request, user) -> None:
        """Nothing more to do: the adapter gives the account its role as it is saved."""
