"""Writes of the figures: keeping a month that is over (beat, on the 1st, and the
``compute_monthly_figures`` command)."""

from datetime import date

from accounts.models import Departement

from . import selectors
from .models import MonthlyFigures
from .periods import Period
from .registry import forgetters


def month_archive(month: date) -> tuple[int, int]:
    """Compute and keep ``month`` (a month that is over) for every département.

    Returns how many départements were computed now and how many were already kept
    (those are left as they are: a kept month never moves). Then the providers forget
    what served only to count it (the catalogue's monthly pseudonyms).
    """
    codes = list(Departement.objects.values_list("code", flat=True))
    kept = MonthlyFigures.objects.filter(month=month, departement_id__in=codes).count()
    selectors.kept_months(codes, [month])
    # Every département's month is kept: what only served to count it can go.
    for forget in forgetters():
        forget(*Period.month(month.year, month.month).bounds())
    return len(codes) - kept, kept
