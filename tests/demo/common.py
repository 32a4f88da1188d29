"""What the demo's tests share: the figures' tables to read, the rows to count, the demo
accounts signed in."""

import io
from datetime import timedelta

from django.core.management import call_command
from rest_framework.test import APIClient

from accounts.models import ActivityDay, User
from autonomy.models import Assessment, CheckIn, Interview, Projet, ProjetChange
from demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo_accounts
from demo.catalogue import load_demo_catalogue
from demo.mentoring import load_demo_mentoring
from demo.vault import load_demo_vault
from figures.periods import Period, first_of_month
from mentoring.models import (
    Appointment,
    Match,
    Meeting,
    MentoringRequest,
    MentorProfile,
    Reminder,
    ReminderDelivery,
)
from services_catalog.models import Demarche, EntryConsultation, EntryErrorReport, SearchEvent
from tests.conftest import login_token
from vault.models import Document

NAMED = [email for email, _role, _name, _codes in DEMO_ACCOUNTS]
JEUNE_93 = "jeune.93@demo.jalon.fr"

MODELS = (
    User,
    ActivityDay,
    SearchEvent,
    EntryConsultation,
    Demarche,
    EntryErrorReport,
    MentorProfile,
    MentoringRequest,
    Match,
    Meeting,
    Appointment,
    Reminder,
    ReminderDelivery,
    Document,
    Projet,
    ProjetChange,
    Assessment,
    CheckIn,
    Interview,
)
# The tables a département's officer reads first: each must show something.
KEY_TABLES = (
    "young_people.active_by_age",
    "young_people.signups",
    "catalogue.searches_by_category",
    "catalogue.unmet_by_category",
    "catalogue.unmet_by_commune",
    "mentoring.time_to_match",
    "mentoring.meetings",
    "reminders.sent",
)
BANDS = {"16-17", "18-20", "21-25"}


def load_others() -> None:
    """The demo loaders that come before the activity's."""
    load_demo_accounts()
    load_demo_catalogue()
    load_demo_vault()
    load_demo_mentoring()


def make_run() -> None:
    """What ``make run`` does to the database: ``load_demo``."""
    call_command("load_demo", stdout=io.StringIO())


def counts() -> dict[str, int]:
    """How many rows of each model the demo's activity writes to."""
    return {model.__name__: model.objects.count() for model in MODELS}


def shown(report, key: str) -> dict:
    """The cells of a table of ``report`` that are shown (not hidden as too few)."""
    return {row.key: row.value for row in report.table(key).rows if row.value is not None}


def last_quarter() -> Period:
    """The last three months that are over."""
    last = Period.last_closed_month()
    first = last.first
    for _ in range(2):
        first = first_of_month(first - timedelta(days=1))
    return Period.from_dates(first, last.last)


def named_pks() -> dict[str, int]:
    """The ids of the demo's named accounts, by e-mail."""
    return dict(User.objects.filter(email__in=NAMED).values_list("email", "pk"))


def app_client(email: str) -> APIClient:
    """Signed in through allauth's app API with the demo password."""
    client = APIClient()
    client.credentials(HTTP_X_SESSION_TOKEN=login_token(client, email, DEMO_PASSWORD))
    return client
