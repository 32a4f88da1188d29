from allauth.account.adapter import DefaultAccountAdapter

from . import services


class AccountAdapter(DefaultAccountAdapter):
    """allauth's hooks for Jalon."""

    def is_open_for_signup(self, request) -> bool:
        # Young people sign up from the app (headless API). The browser pages only
        # serve staff signing in to the admin; their accounts are made by an administrator.
        return request.path.startswith("/_allauth/")

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            services.young_person_profile_ensure(user=user)
        return user
