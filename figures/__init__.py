"""Steering figures for départements: counts, never people.

Each app computes its tables in its ``<app>/figures.py`` (a *provider*, found by name:
``registry``), with aggregate queries (``backend.aggregates``). The figures are then
composed per period (``report``), kept month by month (``models.MonthlyFigures``), and
every cell goes through the suppression of small counts (``suppression``) before anyone
sees it: in the API (``api``), the admin's dashboard (``dashboard``) and the vault's
usage page (``admin``). Who reads them is said once, in ``access``.
"""
