from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    # ``figures.py`` and ``personal_data.py`` are found by name; ready() wires the rest.
    name = "accounts"
    verbose_name = _("Accounts and départements")

    def ready(self):
        from allauth.mfa.signals import authenticator_added

        from backend.crypto import keyring

        from . import enrolment, mfa

        # Rotating the master key re-seals the TOTP secrets and recovery-code seeds.
        keyring.register_rewrapper(
            "MFA secrets", mfa.rewrap_all, count_by_version=mfa.count_by_version
        )
        authenticator_added.connect(
            enrolment.mark_session_enrolled, dispatch_uid="accounts-mfa-enrolled"
        )
