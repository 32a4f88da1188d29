"""Six months of fictitious past activity in the demo départements (local use only).

The other demo loaders give a handful of accounts, the catalogue, a vault and a mentor:
too few people for any steering figure to pass the suppression of small counts. This
adds what the figures are made of, mostly in 93 and a little in 75, one module a part:
the young people and their days of use (``people``), their use of the catalogue and
the errors they reported on it (``catalogue``), mentoring in 93 (``mentoring``),
meetings, appointments and their reminders (``meetings``), documents in the vault
(``vault``), and their path to autonomy: care dates, interviews, projets,
self-assessments and monthly check-ins (``autonomy``); ``common`` holds what they share.

Everything is drawn from fixed seeds, relative to today: the six months that are over
and the current month up to yesterday. It relies on the demo catalogue (readings and
procedures are about its published entries; none without it) and on the 93
coordinator of ``demo.accounts`` (who approved the mentors), not on the other demo
accounts.

Idempotent: the marker account (``MARKER_EMAIL``) signed up on the first day of the
window its data was made for. The same window loads nothing; a later window (a month
went by) replaces the demo activity with a new one. Replacing removes only what this
module made: its own accounts (``demo.jeune.*`` and ``demo.mentor.*``) with what is
theirs, and the searches and readings under their pseudonyms or the documentation
addresses; the named demo accounts and what a developer did stay. The stored monthly
figures of 93 and 75 are dropped whenever the activity is (re)made, so that they are
computed again over it: in a demo base only, since a real closed month's figures never
change.
"""

from collections import Counter
from datetime import date

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from figures.models import MonthlyFigures
from figures.periods import first_of_month, next_month
from services_catalog.models import EntryConsultation, EntryErrorReport, SearchEvent
from vault import services as vault_services
from vault.models import UserKey

from .autonomy import (
    make_assessments,
    make_care_dates,
    make_check_ins,
    make_interviews,
    make_projets,
)
from .catalogue import (
    ADDRESSES,
    Pseudonyms,
    make_consultations,
    make_demarches,
    make_error_reports,
    make_searches,
    published_entries,
    visitor_pools,
)
from .common import CODES, DOMAIN, MARKER_EMAIL, Window, at_hour
from .meetings import make_appointments, make_meetings, make_reminders
from .mentoring import make_mentors, make_requests_and_matches
from .people import make_activity_days, make_people
from .vault import make_documents

__all__ = ["MARKER_EMAIL", "Window", "load_demo_activity"]


@transaction.atomic
def load_demo_activity(today: date | None = None) -> Counter:
    """Create the demo activity of 93 and 75 for the window ending ``today``.

    Returns what was created, by kind (empty when the activity of this window is
    already there). A previous window's activity is replaced (see the module).
    """
    window = Window.ending(today or timezone.localdate())
    outcome: Counter = Counter()
    marker = User.objects.filter(email=MARKER_EMAIL).first()
    if marker is not None:
        if timezone.localdate(marker.date_joined) == window.months[0]:
            return outcome
        _remove_previous(marker, window)
        outcome["previous demo activity replaced"] = 1

    people = make_people(window)
    outcome["young people"] = len(people)
    outcome["activity days"] = make_activity_days(window, people)
    pools = visitor_pools(window, people)
    outcome["searches"] = make_searches(window, pools)
    entries = published_entries()
    outcome["entry consultations"] = make_consultations(window, pools, entries)
    outcome["saved procedures"] = make_demarches(window, people, entries)
    outcome["catalogue error reports"] = make_error_reports(window, entries)
    mentors = make_mentors(window)
    outcome["mentors"] = len(mentors)
    matches, requests = make_requests_and_matches(window, people, mentors)
    outcome["mentoring requests"] = requests
    outcome["matches"] = len(matches)
    meetings = make_meetings(window, matches)
    outcome["meetings"] = len(meetings)
    appointments = make_appointments(window, people)
    outcome["appointments"] = len(appointments)
    reminders, deliveries = make_reminders(window, people, meetings, appointments)
    outcome["reminders"], outcome["reminder deliveries"] = reminders, deliveries
    outcome["vault documents"] = make_documents(window, people)
    outcome["profiles with care dates"] = make_care_dates(window, people)
    at_17, outcome["six-month interviews"] = make_interviews(window, people)
    outcome["interviews at 17"] = len(at_17)
    outcome["projets"] = make_projets(window, people, at_17)
    outcome["self-assessments"] = make_assessments(window, people)
    check_ins, calls, returns = make_check_ins(window, people, matches)
    outcome["check-ins"], outcome["calls for help"] = check_ins, calls
    outcome["activity days"] += returns  # the days some came back to check in
    # Months computed before this activity existed would hide it: computed again.
    MonthlyFigures.objects.filter(departement_id__in=CODES).delete()
    return outcome


def _demo_accounts():
    return User.objects.filter(email__endswith=f"@{DOMAIN}").filter(
        email__regex=r"^demo\.(jeune|mentor)\.[0-9]+\.[0-9]+@"
    )


def _made_here(rows) -> list[int]:
    """The ids of ``rows`` this module made: they happen on a whole minute (``at_hour``),
    which an event the API records (at ``timezone.now()``) does once in sixty million, so
    that a developer's own searches and readings of a kept month stay."""
    moments = rows.filter(created_at__second=0).values_list("pk", "created_at")
    return [pk for pk, moment in moments if moment.microsecond == 0]


def _remove_previous(marker: User, window: Window) -> None:
    """Remove the activity made for an earlier window: accounts and what they did, and
    the searches and readings under their pseudonyms (and the anonymous visitors')."""
    accounts = list(_demo_accounts())
    pseudonyms = Pseudonyms()
    visitors = set()
    month = first_of_month(timezone.localdate(marker.date_joined))
    while month <= window.current:
        moment = at_hour(month, 12)
        visitors.update(pseudonyms.of_user(user, moment) for user in accounts)
        for code in CODES:
            visitors.update(pseudonyms.of_address(address, moment) for address in ADDRESSES[code])
        month = next_month(month)
    visitors = list(visitors)
    # Months kept since have their pseudonyms blanked (figures.registry.forgetters).
    since = at_hour(first_of_month(timezone.localdate(marker.date_joined)), 0)
    blanked = {"visitor": "", "created_at__gte": since}
    searches = SearchEvent.objects.filter(departement_id__in=CODES, **blanked)
    SearchEvent.objects.filter(pk__in=_made_here(searches)).delete()
    readings = EntryConsultation.objects.filter(**blanked)
    EntryConsultation.objects.filter(pk__in=_made_here(readings)).delete()
    reports = EntryErrorReport.objects.filter(departement_id__in=CODES, created_at__gte=since)
    EntryErrorReport.objects.filter(pk__in=_made_here(reports)).delete()
    for start in range(0, len(visitors), 500):
        chunk = visitors[start : start + 500]
        SearchEvent.objects.filter(departement_id__in=CODES, visitor__in=chunk).delete()
        EntryConsultation.objects.filter(visitor__in=chunk).delete()
    for user in _demo_accounts().filter(pk__in=UserKey.objects.values("user")):
        vault_services.vault_erase(user)  # keys shredded, blobs deleted on commit
    User.objects.filter(pk__in=[account.pk for account in accounts]).delete()
