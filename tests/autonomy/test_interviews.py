"""A référent schedules the legal interviews and records them held, from /pro/; the young
person sees them in their timeline and agenda. Bad input says why and changes nothing."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from autonomy.models import Interview
from mentoring.models import Appointment, Reminder
from referents import selectors as referents_selectors
from referents import services as referents_services
from tests.referents.pages import browser_client

pytestmark = pytest.mark.django_db

ACCESS_LOG = "/api/v1/vault/access-log/"


@pytest.fixture
def aminata(young_person):
    profile = young_person.profile
    profile.birth_date = date(2009, 1, 1)
    profile.in_care = True
    profile.care_ended_on = None
    profile.save()
    return young_person


def _link(referent):
    [link] = referents_selectors.young_people_links_for_user(user=referent)
    return link


def _in(days: int) -> str:
    return (timezone.localtime() + timedelta(days=days)).strftime("%Y-%m-%dT10:00")


def _state():
    return (
        list(Interview.objects.values_list("kind", "scheduled_for", "held_on")),
        Appointment.objects.count(),
    )


def test_a_referent_schedules_the_interview_at_17_as_an_appointment_then_records_it(
    aminata, referent, client_for
):
    link = _link(referent)
    client = browser_client(referent)
    page = client.get(f"/pro/jeunes/{link.pk}/etapes/")
    assert page.status_code == 200 and "Entretien à 17 ans (projet d" in page.content.decode()
    reads = client_for(aminata).get(f"{ACCESS_LOG}?action=read").json()["results"]
    assert reads[0]["scopes"] == ["profile"] and reads[0]["who"].startswith("Léa")

    scheduled = client.post(
        f"/pro/jeunes/{link.pk}/etapes/planifier/",
        {"kind": "interview_17", "starts_at": _in(10), "place": "Service ASE de Bobigny"},
    )
    assert scheduled.status_code == 302
    interview = Interview.objects.get(young_person=aminata, kind="interview_17")
    appointment = interview.appointment
    assert appointment.owner == aminata and appointment.shared_with_referents
    assert Reminder.objects.filter(appointment=appointment).exists()
    timeline = client_for(aminata).get("/api/v1/me/timeline/").json()
    [step] = [step for step in timeline["steps"] if step["kind"] == "interview_17"]
    assert step["status"] == "scheduled"

    held = client.post(
        f"/pro/jeunes/{link.pk}/etapes/tenu/", {"kind": "interview_17", "held_on": "2026-11-20"}
    )
    assert held.status_code == 302
    interview.refresh_from_db()
    assert interview.held_on == date(2026, 11, 20) and interview.recorded_by == referent


@pytest.mark.parametrize(
    ("route", "body", "says"),
    [
        ("planifier", {"kind": "interview_17", "starts_at": _in(-1)}, "futur"),
        ("planifier", {"kind": "interview_17", "starts_at": "demain"}, "date"),
        ("planifier", {"kind": "birthday", "starts_at": _in(3)}, "choix"),
        ("planifier", {"kind": "six_months", "starts_at": _in(3)}, "fin de la prise en charge"),
        ("tenu", {"kind": "interview_17", "held_on": "2099-01-01"}, "futur"),
        ("tenu", {"kind": "interview_17"}, "obligatoire"),
        ("planifier", {"kind": "interview_17", "starts_at": _in(900)}, "deux ans"),
        ("tenu", {"kind": "interview_17", "held_on": "1990-01-01"}, "trop ancienne"),
    ],
    ids=[
        "past",
        "not-a-date",
        "unknown-kind",
        "care-not-ended",
        "held-in-future",
        "no-date",
        "too-far",
        "too-early",
    ],
)
def test_bad_input_says_why_in_french_and_changes_nothing(aminata, referent, route, body, says):
    link = _link(referent)
    before = _state()
    response = browser_client(referent).post(f"/pro/jeunes/{link.pk}/etapes/{route}/", body)
    assert response.status_code == 400
    assert says in response.content.decode().lower()
    assert _state() == before


def test_without_the_profile_scope_the_steps_are_not_the_referents_to_see(
    aminata, referent, client_for
):
    link = _link(referent)
    referents_services.link_update(link=link, data={"scopes": ["demarches"]})
    client = browser_client(referent)
    assert client.get(f"/pro/jeunes/{link.pk}/etapes/").status_code == 404
    refused = client.post(
        f"/pro/jeunes/{link.pk}/etapes/tenu/", {"kind": "interview_17", "held_on": "2026-11-20"}
    )
    assert refused.status_code == 404
    assert not Interview.objects.exists()


def test_no_interview_at_17_for_someone_never_in_care(young_person, referent):
    profile = young_person.profile
    profile.birth_date, profile.in_care, profile.care_leaver = date(2009, 1, 1), False, False
    profile.care_started_on = profile.care_ended_on = None
    profile.save()
    response = browser_client(referent).post(
        f"/pro/jeunes/{_link(referent).pk}/etapes/planifier/",
        {"kind": "interview_17", "starts_at": _in(5)},
    )
    assert response.status_code == 400
    assert "n&#x27;a pas droit à cet entretien" in response.content.decode()
    assert not Interview.objects.exists() and not Appointment.objects.exists()


def test_a_refused_date_comes_back_in_the_form_to_correct(aminata, referent):
    link = _link(referent)
    response = browser_client(referent).post(
        f"/pro/jeunes/{link.pk}/etapes/planifier/",
        {"kind": "interview_17", "starts_at": _in(900), "place": "Service ASE de Bobigny"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert f'value="{_in(900)}"' in page and 'value="Service ASE de Bobigny"' in page
