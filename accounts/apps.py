from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    # Nothing to wire in ready(): ``figures.py`` and ``personal_data.py`` are found by name.
    name = "accounts"
    verbose_name = _("Accounts and départements")
