"""Fixtures of mentoring: approved mentors, young people with a profile, requests."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from mentoring import services
from tests.vault.conftest import make_document  # noqa: F401 - a fixture, shared

from .factories import in_bobigny, mentor_application

REQUEST = "/api/v1/mentoring/request/"
MATCHES = "/api/v1/mentoring/matches/"


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
    return in_bobigny(young_person)


@pytest.fixture
def make_mentee(make_user):
    def _make(email, departement="93", birth_date=date(2008, 5, 1)):
        user = make_user(email, first_name=email.split("@")[0].title())
        user.profile.departement_id = departement
        user.profile.birth_date = birth_date
        user.profile.save()
        return user

    return _make
