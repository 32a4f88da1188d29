"""Fixtures of mentoring: approved mentors, young people with a profile, requests."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Departement
from mentoring import services
from tests.vault.conftest import make_document  # noqa: F401 - a fixture, shared

REQUEST = "/api/v1/mentoring/request/"
MATCHES = "/api/v1/mentoring/matches/"


def mentor_application(**overrides) -> dict:
    data = {
        "departement": Departement.objects.get(code="93"),
        "organisation": "Parrains de Bobigny",
        "domains": ["housing", "job_training"],
        "languages": ["fr", "ar"],
        "commune_code": "93008",
        "latitude": Decimal("48.91"),
        "longitude": Decimal("2.44"),
        "max_distance_km": 15,
        "meeting_mode": "both",
        "availability": ["wed_evening", "sat_morning"],
        "capacity": 1,
    }
    data.update(overrides)
    return data


def request_data(**overrides) -> dict:
    return {
        "needs": ["housing"],
        "languages": ["fr"],
        "commune_code": "93008",
        "latitude": 48.9,
        "longitude": 2.45,
        "meeting_mode": "both",
        "availability": ["wed_evening"],
        **overrides,
    }


def service_request_data(**overrides) -> dict:
    """``request_data`` as the services take it (validated: positions as decimals)."""
    return request_data(latitude=Decimal("48.90"), longitude=Decimal("2.45"), **overrides)


@pytest.fixture
def approve(coordinator_93):
    """Approve a mentor's application (made with ``mentor_application``)."""

    def _approve(user, **overrides):
        profile = services.mentor_apply(user=user, data=mentor_application(**overrides))
        return services.mentor_decide(
            profile=profile,
            status="approved",
            by=coordinator_93,
            honourability_checked_on=timezone.localdate() - timedelta(days=10),
        )

    return _approve


@pytest.fixture
def approved_mentor(mentor, approve):
    approve(mentor)
    return mentor


@pytest.fixture
def mentee(young_person):
    """The 93 young person, 17 and a half, in Bobigny."""
    profile = young_person.profile
    profile.birth_date = timezone.localdate().replace(day=1) - timedelta(days=365 * 17 + 180)
    profile.postcode = "93000"
    profile.commune_code = "93008"
    profile.save()
    return young_person


@pytest.fixture
def make_mentee(make_user):
    def _make(email, departement="93", birth_date=date(2008, 5, 1)):
        user = make_user(email, first_name=email.split("@")[0].title())
        user.profile.departement_id = departement
        user.profile.birth_date = birth_date
        user.profile.save()
        return user

    return _make
