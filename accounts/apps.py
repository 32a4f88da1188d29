from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and départements")

    def ready(self):
        from . import figures, personal_data, selectors
        from .figures import young_people

        # Activity days are personal data: they leave with the export. Erasure needs no
        # eraser, the rows go with the account by cascade.
        personal_data.register_exporter("activity_days", selectors.activity_days_export)
        figures.register_provider("young_people", young_people.provider, young_people.TABLES)
