"""Volunteers apply from the app; their département's coordinator vets them."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from mentoring import selectors, services
from mentoring.models import MentorProfile
from tests.conftest import APP_AUTH, PASSWORD

pytestmark = pytest.mark.django_db

APPLICATION = "/api/v1/mentoring/mentor-application/"
ADMIN = "/admin/mentoring/mentorprofile/"


def application(**overrides):
    return {
        "departement": "93",
        "organisation": "Association Parrains Par Mille",
        "domains": ["housing", "job_training", "housing"],
        "languages": ["fr", "ar"],
        "commune_code": "93008",
        "latitude": 48.9062,
        "longitude": 2.4848,
        "max_distance_km": 15,
        "meeting_mode": "both",
        "availability": ["wed_evening", "sat_morning"],
        "capacity": 2,
        **overrides,
    }


@pytest.fixture
def applied(mentor, client_for):
    response = client_for(mentor).post(APPLICATION, application(), format="json")
    assert response.status_code == 201, response.json()
    return MentorProfile.objects.get(user=mentor)


def test_a_volunteer_signs_up_as_a_mentor_from_the_app(api_client):
    response = api_client.post(
        f"{APP_AUTH}/auth/signup",
        {"email": "claire@example.org", "password": PASSWORD, "account_type": "mentor"},
        format="json",
    )
    assert response.status_code == 401, response.content  # e-mail to verify
    user = User.objects.get(email="claire@example.org")
    assert user.role == Role.MENTOR
    assert not hasattr(user, "profile") or user.profile is None


def test_nobody_signs_up_as_staff(api_client):
    response = api_client.post(
        f"{APP_AUTH}/auth/signup",
        {"email": "eve@example.org", "password": PASSWORD, "account_type": "coordinator"},
        format="json",
    )
    assert response.status_code == 400
    assert not User.objects.filter(email="eve@example.org").exists()


def test_an_application_is_pending_until_vetted(applied, mentor, client_for):
    body = client_for(mentor).get(APPLICATION).json()
    assert body["status"] == "pending"
    assert body["matchable"] is False
    assert body["domains"] == ["housing", "job_training"]  # repeats dropped
    assert body["latitude"] == 48.91  # about a kilometre, not an address
    assert not selectors.matchable_mentors().exists()


def test_an_application_is_made_once_then_changed(applied, mentor, client_for):
    client = client_for(mentor)
    response = client.post(APPLICATION, application(), format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_applied"
    response = client.patch(APPLICATION, {"capacity": 3}, format="json")
    assert response.json()["capacity"] == 3
    response = client.patch(APPLICATION, {"status": "approved"}, format="json")
    assert response.status_code == 400
    assert MentorProfile.objects.get().status == "pending"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("domains", []),
        ("domains", ["astrology"]),
        ("languages", ["xx"]),
        ("availability", ["someday"]),
        ("capacity", 0),
        ("capacity", 6),
        ("max_distance_km", 500),
        ("commune_code", "9300"),
        ("departement", "999"),
        ("latitude", 123),
    ],
)
def test_bad_applications_change_nothing(mentor, client_for, field, value):
    response = client_for(mentor).post(APPLICATION, application(**{field: value}), format="json")
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert any(path == field or path.startswith(f"{field}.") for path in fields), fields
    assert not MentorProfile.objects.exists()


@pytest.mark.parametrize("role", ["young_person", "staff_93", "coordinator_93", "superuser"])
def test_only_mentors_apply(request, client_for, role):
    client = client_for(request.getfixturevalue(role))
    assert client.get(APPLICATION).status_code == 403
    assert client.post(APPLICATION, application(), format="json").status_code == 403
    assert not MentorProfile.objects.exists()


def test_anonymous_gets_401(api_client):
    assert api_client.get(APPLICATION).status_code == 401


def test_approval_needs_a_recent_honourability_check(applied, coordinator_93, settings):
    settings.MENTORING_HONOURABILITY_MAX_AGE_DAYS = 365
    today = timezone.localdate()
    with pytest.raises(ValidationError) as refused:
        services.mentor_decide(profile=applied, status="approved", by=coordinator_93)
    assert "honourability_checked_on" in refused.value.message_dict
    with pytest.raises(ValidationError):
        services.mentor_decide(
            profile=applied,
            status="approved",
            by=coordinator_93,
            honourability_checked_on=today - timedelta(days=366),
        )
    services.mentor_decide(
        profile=applied,
        status="approved",
        by=coordinator_93,
        honourability_checked_on=today - timedelta(days=365),
    )
    applied.refresh_from_db()
    assert applied.status == "approved"
    assert applied.decided_by == coordinator_93
    assert selectors.mentor_is_matchable(applied)
    assert list(selectors.matchable_mentors()) == [applied]
    # A check grows old: the mentor stops being matchable without anyone acting.
    tomorrow = today + timedelta(days=1)
    assert not selectors.mentor_is_matchable(applied, today=tomorrow)
    assert not selectors.matchable_mentors(today=tomorrow).exists()


@pytest.mark.parametrize(
    ("status", "decision"),
    [
        ("pending", "suspended"),  # only an approved mentor is suspended
        ("pending", "pending"),  # nobody decides to keep waiting
        ("approved", "approved"),
        ("approved", "rejected"),  # an approved mentor is suspended, not rejected
        ("rejected", "rejected"),
        ("rejected", "suspended"),
    ],
)
def test_a_decision_the_status_does_not_allow_is_refused(applied, coordinator_93, status, decision):
    applied.status, applied.honourability_checked_on = status, timezone.localdate()
    applied.save()
    with pytest.raises(ValidationError) as refused:
        services.mentor_decide(profile=applied, status=decision, by=coordinator_93)
    assert refused.value.code == "decision_not_allowed"
    applied.refresh_from_db()
    assert applied.status == status and applied.decided_by is None


def test_a_suspension_is_lifted_by_approving_again(applied, coordinator_93):
    today = timezone.localdate()
    services.mentor_decide(
        profile=applied, status="approved", by=coordinator_93, honourability_checked_on=today
    )
    services.mentor_decide(profile=applied, status="suspended", by=coordinator_93)
    assert services.mentor_decisions(applied) == ("approved", "rejected")
    services.mentor_decide(profile=applied, status="approved", by=coordinator_93)
    assert selectors.mentor_is_matchable(applied)


@pytest.mark.parametrize("status", ["rejected", "suspended", "pending"])
def test_only_approved_mentors_are_matchable(applied, coordinator_93, status):
    applied.honourability_checked_on = timezone.localdate()
    applied.status = status
    applied.save()
    assert not selectors.mentor_is_matchable(applied)
    assert not selectors.matchable_mentors().exists()


def test_a_check_cannot_be_dated_in_the_future(applied, coordinator_93):
    with pytest.raises(ValidationError):
        services.mentor_decide(
            profile=applied,
            status="approved",
            by=coordinator_93,
            honourability_checked_on=timezone.localdate() + timedelta(days=1),
        )


def test_moving_to_another_departement_goes_back_to_vetting(
    applied, mentor, client_for, coordinator_93
):
    services.mentor_decide(
        profile=applied,
        status="approved",
        by=coordinator_93,
        honourability_checked_on=timezone.localdate(),
    )
    response = client_for(mentor).patch(APPLICATION, {"departement": "75"}, format="json")
    assert response.json()["status"] == "pending"


def _admin(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_coordinator_vets_in_the_admin(applied, coordinator_93):
    client = _admin(coordinator_93)
    change = f"{ADMIN}{applied.pk}/change/"
    response = client.post(
        change,
        {"honourability_checked_on": timezone.localdate().isoformat(), "decision_note": "ok"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    response = client.post(
        ADMIN, {"action": "approve", "_selected_action": [applied.pk]}, follow=True
    )
    assert response.status_code == 200
    applied.refresh_from_db()
    assert applied.status == "approved"
    assert applied.history.count() >= 3  # the application, the check, the decision


def test_approving_without_a_check_is_refused_in_the_admin(applied, coordinator_93):
    response = _admin(coordinator_93).post(
        ADMIN, {"action": "approve", "_selected_action": [applied.pk]}, follow=True
    )
    assert "honourability" in response.content.decode().lower() or "honorabilit" in (
        response.content.decode().lower()
    )
    applied.refresh_from_db()
    assert applied.status == "pending"


def test_coordinators_see_their_departements_mentors_only(applied, coordinator_75):
    client = _admin(coordinator_75)
    assert client.get(ADMIN).status_code == 200
    assert applied.user.email not in client.get(ADMIN).content.decode()
    assert client.get(f"{ADMIN}{applied.pk}/change/").status_code in (302, 404)
    client.post(ADMIN, {"action": "approve", "_selected_action": [applied.pk]})
    applied.refresh_from_db()
    assert applied.status == "pending"


@pytest.mark.parametrize("role", ["staff_93", "national_editor"])
def test_other_staff_do_not_vet_mentors(request, applied, role):
    response = _admin(request.getfixturevalue(role)).get(ADMIN)
    assert response.status_code == 403
