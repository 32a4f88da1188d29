"""The legal milestones, computed from the profile, with time travel: a birthday today,
entering care at 17 and a half, care ending then the six-month interview, the droit au
retour until 21, the residence permit's year; and what "Mes jeunes" says of them."""

import zoneinfo
from datetime import date, datetime, time

import pytest
import time_machine

from accounts import services as accounts_services
from autonomy.models import Interview
from autonomy.selectors import add_months
from referents import services as referents_services
from tests.referents.pages import browser_client

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
TIMELINE = "/api/v1/me/timeline/"


def on(day: date):
    return time_machine.travel(datetime.combine(day, time(12), tzinfo=PARIS), tick=False)


def _profile(user, **fields):
    profile = user.profile
    for name, value in {
        "in_care": False,
        "care_leaver": False,
        "care_started_on": None,
        "care_ended_on": None,
        "unaccompanied_minor": False,
        **fields,
    }.items():
        setattr(profile, name, value)
    profile.save()


def steps(client_for, user) -> dict:
    """The timeline as the app reads it now (signed in now: a session does not outlive a
    journey of months)."""
    answer = client_for(user).get(TIMELINE)
    assert answer.status_code == 200
    return {step["kind"]: step for step in answer.json()["steps"]}


def test_a_17th_birthday_today_makes_the_interview_due_and_tomorrow_late(client_for, young_person):
    _profile(young_person, birth_date=date(2009, 12, 3), in_care=True)
    with on(date(2026, 12, 3)):
        interview = steps(client_for, young_person)["interview_17"]
        assert (interview["on"], interview["status"]) == ("2026-12-03", "due")
    with on(date(2026, 12, 4)):
        assert steps(client_for, young_person)["interview_17"]["status"] == "late"
    with on(date(2026, 6, 1)):  # more than 90 days before
        assert steps(client_for, young_person)["interview_17"]["status"] == "upcoming"


def test_entering_care_at_17_and_a_half_brings_the_interview_forward_to_that_day(
    client_for, young_person
):
    _profile(
        young_person, birth_date=date(2009, 1, 1), in_care=True, care_started_on=date(2026, 7, 1)
    )
    with on(date(2026, 7, 1)):
        assert steps(client_for, young_person)["interview_17"]["on"] == "2026-07-01"
        assert steps(client_for, young_person)["interview_17"]["status"] == "due"
    with on(date(2026, 7, 2)):
        assert steps(client_for, young_person)["interview_17"]["status"] == "late"


def test_care_ending_starts_the_six_months_and_the_young_person_may_ask_for_it(
    client_for, young_person
):
    _profile(
        young_person,
        birth_date=date(2007, 5, 10),
        care_leaver=True,
        care_ended_on=date(2026, 8, 31),
    )
    with on(date(2026, 9, 1)):
        client = client_for(young_person)
        six = steps(client_for, young_person)["six_months"]
        assert (six["on"], six["status"]) == ("2027-02-28", "upcoming")
        # In care as a minor: the interview at 17 was due too.
        assert "interview_17" in steps(client_for, young_person)
        assert client.post(f"{TIMELINE}six-months-interview/").status_code == 201
        assert steps(client_for, young_person)["six_months"]["status"] == "requested"
        assert steps(client_for, young_person)["six_months"]["interview"]["requested_at"]
    with on(date(2027, 3, 1)):
        assert steps(client_for, young_person)["six_months"]["status"] == "late"


def test_the_right_to_come_back_is_open_until_the_21st_birthday(client_for, young_person):
    _profile(
        young_person,
        birth_date=date(2007, 5, 10),
        care_leaver=True,
        care_ended_on=date(2025, 5, 10),
    )
    with on(date(2028, 5, 9)):
        back = steps(client_for, young_person)["return_right"]
        assert (back["status"], back["until"]) == ("open", "2028-05-10")
        assert steps(client_for, young_person)["end_of_support"]["status"] == "soon"
    with on(date(2028, 5, 10)):
        assert steps(client_for, young_person)["return_right"]["status"] == "past"
        assert steps(client_for, young_person)["end_of_support"]["status"] == "past"


def test_the_residence_permit_year_is_for_those_who_arrived_as_minors(client_for, young_person):
    _profile(young_person, birth_date=date(2008, 3, 15), in_care=True)
    with on(date(2026, 6, 1)):
        assert "residence_permit" not in steps(client_for, young_person)
    _profile(young_person, birth_date=date(2008, 3, 15), in_care=True, unaccompanied_minor=True)
    with on(date(2026, 3, 15)):
        permit = steps(client_for, young_person)["residence_permit"]
        assert (permit["status"], permit["on"], permit["until"]) == (
            "due",
            "2026-03-15",
            "2027-03-15",
        )
    with on(date(2027, 3, 15)):
        assert steps(client_for, young_person)["residence_permit"]["status"] == "past"


def test_without_a_birth_date_the_timeline_says_what_it_needs(client_for, young_person):
    _profile(young_person, birth_date=None, care_leaver=True)
    answer = client_for(young_person).get(TIMELINE).json()
    assert answer["steps"] == []
    assert answer["missing"] == ["birth_date", "care_ended_on"]


def test_asking_for_the_six_month_interview_before_care_ended_is_refused(client_for, young_person):
    _profile(young_person, birth_date=date(2008, 3, 15), in_care=True)
    refused = client_for(young_person).post(f"{TIMELINE}six-months-interview/")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "care_not_ended"


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2026, 1, 15), 6, date(2026, 7, 15)),
        (date(2026, 10, 31), 6, date(2027, 4, 30)),
    ],
)
def test_six_months_later_is_the_same_day_or_the_months_last(day, months, expected):
    assert add_months(day, months) == expected


def test_mes_jeunes_lists_a_late_interview_only_with_the_profile_scope(
    young_person, referent, referent_few_scopes
):
    _profile(young_person, birth_date=date(2009, 1, 1), in_care=True)
    with on(date(2026, 3, 1)):
        for who in (referent, referent_few_scopes):  # both links share the profile
            page = browser_client(who).get("/pro/").content.decode()
            assert "Entretien à 17 ans (projet d&#x27;accès à l&#x27;autonomie) : en retard" in page
        [link] = referents_services.selectors.young_people_links_for_user(user=referent)
        page = browser_client(referent).get(f"/pro/jeunes/{link.pk}/").content.decode()
        assert "Entretien à 17 ans (projet d&#x27;accès à l&#x27;autonomie) : en retard" in page
        referents_services.link_update(link=link, data={"scopes": ["demarches"]})
        page = browser_client(referent).get("/pro/").content.decode()
        assert "Entretien à 17 ans (projet" not in page


def test_interviews_are_in_the_export_and_go_with_the_account(client_for, young_person):
    _profile(young_person, birth_date=date(2007, 5, 10), care_ended_on=date(2026, 6, 30))
    client = client_for(young_person)
    client.post(f"{TIMELINE}six-months-interview/")
    exported = client.get("/api/v1/me/export/").json()["autonomy"]
    [interview] = exported["interviews"]
    assert interview["kind"] == "six_months" and interview["requested_at"]
    accounts_services.user_erase(user=young_person)
    assert not Interview.objects.exists()


def test_national_editors_choose_the_procedures_of_each_milestone(
    client, national_editor, staff_93
):
    from django.urls import reverse

    url = reverse("admin:autonomy_milestoneentry_changelist")
    client.force_login(staff_93)
    assert client.get(url).status_code == 403
    client.force_login(national_editor)
    assert client.get(url).status_code == 200


def test_placed_after_16_the_residence_permit_is_due_two_months_after_18(client_for, young_person):
    _profile(
        young_person,
        birth_date=date(2008, 3, 15),
        in_care=True,
        unaccompanied_minor=True,
        care_started_on=date(2024, 6, 1),  # at 16 and a quarter
    )
    with on(date(2026, 4, 1)):
        assert steps(client_for, young_person)["residence_permit"]["until"] == "2026-05-15"


def test_a_date_that_passed_without_the_interview_makes_it_late_and_at_18_missed(
    client_for, young_person
):
    _profile(young_person, birth_date=date(2009, 1, 1), in_care=True)
    Interview.objects.create(
        young_person=young_person,
        kind="interview_17",
        scheduled_for=datetime(2026, 2, 1, 10, tzinfo=PARIS),
    )
    with on(date(2026, 1, 20)):
        assert steps(client_for, young_person)["interview_17"]["status"] == "scheduled"
    with on(date(2026, 2, 2)):
        assert steps(client_for, young_person)["interview_17"]["status"] == "late"
    with on(date(2027, 1, 1)):
        assert steps(client_for, young_person)["interview_17"]["status"] == "missed"


def test_the_six_months_and_the_right_to_come_back_are_for_those_who_left_care_as_adults(
    client_for, young_person
):
    _profile(young_person, birth_date=date(2009, 1, 1), care_ended_on=date(2021, 9, 1))
    with on(date(2026, 6, 1)):
        shown = steps(client_for, young_person)
    assert "six_months" not in shown and "return_right" not in shown


@pytest.mark.parametrize(
    ("sent", "field"),
    [
        ({"care_started_on": "2026-03-01", "care_ended_on": "2026-01-01"}, "care_ended_on"),
        ({"birth_date": "2009-01-01", "care_started_on": "2008-06-01"}, "care_started_on"),
        ({"birth_date": "2009-01-01", "care_ended_on": "2008-12-31"}, "care_ended_on"),
    ],
)
def test_care_dates_out_of_order_are_refused_and_change_nothing(
    client_for, young_person, sent, field
):
    _profile(young_person, birth_date=date(2009, 1, 1))
    client = client_for(young_person)
    before = client.get("/api/v1/me/").json()["profile"]
    refused = client.patch("/api/v1/me/", {"profile": sent}, format="json")
    assert refused.status_code == 400
    assert field in str(refused.json()["error"]["fields"])
    assert client.get("/api/v1/me/").json()["profile"] == before


def test_mes_jeunes_says_the_interview_at_17_once(young_person, referent):
    _profile(young_person, birth_date=date(2009, 1, 1), in_care=True)
    with on(date(2025, 12, 15)):  # turns 17 in a fortnight
        page = browser_client(referent).get("/pro/").content.decode()
    assert "Entretien à 17 ans (projet d&#x27;accès à l&#x27;autonomie) : à organiser" in page
    assert "17 ans le" not in page and page.count("Entretien à 17 ans") == 1
