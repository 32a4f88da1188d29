"""The catalogue's work on the admin's home (see ``backend.admin_site``): entries to
review, partners' proposals, published entries due for review, error reports from the
app; for a partner, their own drafts and proposals."""

from django.utils.translation import ngettext_lazy

from . import selectors
from .admin import ProposedByFilter, StaleFilter, _is_partner
from .models import Entry, EntryErrorReport

Status = Entry.Status


def work_counters(request, site) -> list:
    """The catalogue's counters for ``request.user``; each link's filters keep exactly the
    rows counted (the list's own filters: status, ``StaleFilter``, ``ProposedByFilter``,
    the reports' state)."""
    if _is_partner(request.user):
        # The entry list shows a partner their own proposals only (EntryAdmin.get_queryset).
        return [
            site.work_counter(
                request,
                Entry,
                ngettext_lazy("%(count)d draft to submit", "%(count)d drafts to submit", "count"),
                {"status__exact": Status.DRAFT},
                lambda rows: rows.filter(status=Status.DRAFT),
            ),
            site.work_counter(
                request,
                Entry,
                ngettext_lazy(
                    "%(count)d proposal waiting for a curator",
                    "%(count)d proposals waiting for a curator",
                    "count",
                ),
                {"status__exact": Status.SUBMITTED},
                lambda rows: rows.filter(status=Status.SUBMITTED),
            ),
        ]
    return [
        site.work_counter(
            request,
            Entry,
            ngettext_lazy("%(count)d entry to review", "%(count)d entries to review", "count"),
            {"status__exact": Status.SUBMITTED},
            lambda rows: rows.filter(status=Status.SUBMITTED),
        ),
        site.work_counter(
            request,
            Entry,
            ngettext_lazy(
                "%(count)d partner proposal to review",
                "%(count)d partner proposals to review",
                "count",
            ),
            {"status__exact": Status.SUBMITTED, ProposedByFilter.parameter_name: "partner"},
            lambda rows: rows.filter(selectors.proposed_by_partner(), status=Status.SUBMITTED),
        ),
        site.work_counter(
            request,
            Entry,
            ngettext_lazy(
                "%(count)d published entry not reviewed for six months",
                "%(count)d published entries not reviewed for six months",
                "count",
            ),
            {"status__exact": Status.PUBLISHED, StaleFilter.parameter_name: "yes"},
            lambda rows: rows.filter(selectors.needs_review(), status=Status.PUBLISHED),
        ),
        site.work_counter(
            request,
            EntryErrorReport,
            ngettext_lazy(
                "%(count)d error reported in the app to look at",
                "%(count)d errors reported in the app to look at",
                "count",
            ),
            {"state": EntryErrorReport.State.NEW},
            lambda rows: rows.filter(selectors.open_error_reports()),
        ),
    ]
