from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Departement


class MonthlyFigures(models.Model):
    """A département's raw figures for one closed month, computed once and then kept.

    Kept so that a month's figures do not move afterwards (an account erased later would
    otherwise show as a difference between two readings) and so that ranges are sums of
    stored months. Only counts: no person is in here. Never shown raw: every reading goes
    through the suppression of small counts.
    """

    departement = models.ForeignKey(
        Departement,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("département"),
    )
    month = models.DateField(
        verbose_name=_("month"), help_text=_("First day of the month (Europe/Paris).")
    )
    computed_at = models.DateTimeField(default=timezone.now, verbose_name=_("computed at"))
    tables = models.JSONField(default=dict, verbose_name=_("tables of figures"))

    class Meta:
        # The name it had in accounts, where the table was made: kept, not renamed.
        constraints = [
            models.UniqueConstraint(
                fields=["departement", "month"], name="accounts_figures_once_a_month"
            )
        ]
        verbose_name = _("monthly figures")
        verbose_name_plural = _("monthly figures")

    def __str__(self) -> str:
        return f"{self.departement_id} {self.month:%Y-%m}"
