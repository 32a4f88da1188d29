"""The admin's history pages read as the object's page does: field labels, choices and
code lists by their labels, dates and times in Paris time and French, a deleted account
as "compte supprimé", never a raw code, a UTC timestamp or a Python repr. Staff of
another département never open them."""

import re
from datetime import date, timedelta
from html import unescape

import pytest
from django.test import Client
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import strip_tags

from mentoring.models import MentorProfile
from services_catalog.models import Entry
from tests.services_catalog.conftest import entry_form_data

pytestmark = pytest.mark.django_db

MENTORS = "/admin/mentoring/mentorprofile/"
ENTRIES = "/admin/services_catalog/entry/"
APPLICATION = "/api/v1/mentoring/mentor-application/"

RAW = [
    re.compile(r"\d{2}:\d{2}:\d{2}\.\d{6}"),  # microseconds
    re.compile(r"\+00:00"),  # a UTC offset
    re.compile(r"\bNone\b"),
    re.compile(r"Deleted|pk="),  # django-simple-history's "Deleted utilisateur (pk=5)"
    re.compile(r"\[\""),  # a JSON list
]


def history_text(client, url) -> str:
    """The history table as a person reads it (French), in one line."""
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    html = response.content.decode()
    start = html.index('id="change-history"')
    table = html[start : html.index("</table>", start)]
    return " ".join(unescape(strip_tags(table)).split())


def paris(moment) -> str:
    with translation.override("fr"):
        return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def assert_nothing_raw(text):
    for pattern in RAW:
        assert not pattern.search(text), (pattern.pattern, text)


@pytest.fixture
def applied(mentor, client_for):
    """A volunteer's application from the app, for 93, checked for honourability."""
    response = client_for(mentor).post(
        APPLICATION,
        {
            "departement": "93",
            "organisation": "Association Parrains Par Mille",
            "domains": ["housing"],
            "languages": ["fr"],
            "commune_code": "93008",
            "latitude": 48.9062,
            "longitude": 2.4848,
            "max_distance_km": 15,
            "meeting_mode": "both",
            "availability": ["wed_evening"],
            "capacity": 1,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    profile = MentorProfile.objects.get(user=mentor)
    profile.honourability_checked_on = timezone.localdate() - timedelta(days=10)
    profile.save()
    return profile


def test_a_coordinators_decision_reads_in_words_and_paris_time_and_survives_their_account(
    applied, mentor, client_for, coordinator_93, make_user
):
    # The volunteer changes their domains in the app; the coordinator approves in the admin.
    changed = client_for(mentor).patch(
        APPLICATION, {"domains": ["housing", "studies"]}, format="json"
    )
    assert changed.status_code == 200, changed.json()
    coordinator = Client()
    coordinator.force_login(coordinator_93)
    response = coordinator.post(MENTORS, {"action": "approve", "_selected_action": [applied.pk]})
    assert response.status_code == 302
    applied.refresh_from_db()
    assert applied.status == MentorProfile.Status.APPROVED

    text = history_text(coordinator, f"{MENTORS}{applied.pk}/history/")
    assert "Statut : En attente de validation → Approuvé" in text
    assert f"Décidé le : - → {paris(applied.decided_at)}" in text
    assert f"Décidé par : - → {coordinator_93}" in text
    with translation.override("fr"):
        checked = date_format(applied.honourability_checked_on, "DATE_FORMAT")
    assert f"- → {checked}" in text
    assert "Domaines d'aide : Logement → Logement, Études" in text
    assert "studies" not in text and "approved" not in text and "pending" not in text
    assert str(coordinator_93) in text  # who made the change
    assert_nothing_raw(text)

    # The coordinator leaves; their colleague reads the same history.
    coordinator_93.delete()
    colleague = Client()
    colleague.force_login(make_user("coord.93.bis@example.org", "coordinator", departements=["93"]))
    text = history_text(colleague, f"{MENTORS}{applied.pk}/history/")
    assert "Décidé par : - → compte supprimé" in text
    assert_nothing_raw(text)


def test_an_entry_edited_in_the_admin_shows_its_labels_and_the_choice_words(
    client, staff_93, staff_75
):
    client.force_login(staff_93)
    added = client.post(f"{ENTRIES}add/", entry_form_data())
    assert added.status_code == 302
    entry = Entry.objects.get(title="Atelier budget")
    changed = client.post(
        f"{ENTRIES}{entry.pk}/change/",
        entry_form_data(
            title="Atelier budget du jeudi",
            frais="payant",
            valid_until="31/12/2026",
        ),
    )
    assert changed.status_code == 302, changed.context["adminform"].form.errors
    url = f"{ENTRIES}{entry.pk}/history/"

    text = history_text(client, url)
    assert "Titre : Atelier budget → Atelier budget du jeudi" in text
    assert "Frais : - → Payant" in text and "payant" not in text
    with translation.override("fr"):
        assert f"Valable jusqu'au : - → {date_format(date(2026, 12, 31), 'DATE_FORMAT')}" in text
    assert "Création" in text and "Modification" in text
    assert text.count(str(staff_93)) == 2  # the author of both versions
    assert paris(entry.history.latest().history_date) in text
    assert_nothing_raw(text)

    other = Client()
    other.force_login(staff_75)
    assert other.get(url).status_code == 404
