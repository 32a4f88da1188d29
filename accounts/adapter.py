from allauth.account.adapter import DefaultAccountAdapter

from . import services
from .roles import Role


class AccountAdapter(DefaultAccountAdapter):
    """allauth's hooks for Jalon."""

    def is_open_for_signup(self, request) -> bool:
        # Young people sign up from the app (headless API). The browser pages only
        # serve staff signing in to the admin; their accounts are made by an administrator.
        return request.path.startswith("/_allauth/")

    def save_user(self, request, user, form, commit=True):
        # A young person unless they signed up as a volunteer mentor (accounts.forms).
        user.role = form.cleaned_data.get("account_type") or Role.YOUNG_PERSON
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            services.young_person_profile_ensure(user=user)
        return user
