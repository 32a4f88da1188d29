"""Reads on accounts, profiles and départements."""

import functools
import hashlib
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from backend import personal_data

from .models import SITUATION_FLAGS, ActivityDay, Departement, User, YoungPersonProfile
from .roles import Role


@functools.cache
def departement_codes() -> frozenset[str]:
    """The INSEE codes of the départements: reference data, read once per process."""
    return frozenset(Departement.objects.values_list("code", flat=True))


@functools.cache
def departements_digest() -> str:
    """A digest of the départements' rows, read once per process (reference data)."""
    rows = Departement.objects.order_by("code").values_list(
        "code", "name", "region_code", "region_name"
    )
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()[:16]


def departement_list() -> QuerySet[Departement]:
    return Departement.objects.order_by("code")


def departement_get(*, code: str) -> Departement:
    """The département of INSEE ``code`` with its contacts (raises ``DoesNotExist``)."""
    return Departement.objects.prefetch_related("contacts").get(code=code.upper())


def profile_for(user: User) -> YoungPersonProfile | None:
    try:
        return user.profile
    except YoungPersonProfile.DoesNotExist:
        return None


def young_person_profile(user) -> YoungPersonProfile | None:
    """The profile of a young person (None for anyone else, anonymous included); no
    query for other roles."""
    if getattr(user, "role", None) != Role.YOUNG_PERSON:
        return None
    return profile_for(user)


def _profile_as_dict(profile: YoungPersonProfile | None) -> dict[str, Any] | None:
    if profile is None:
        return None
    return {
        "birth_date": profile.birth_date.isoformat() if profile.birth_date else None,
        "departement": profile.departement_id,
        "postcode": profile.postcode,
        "commune_code": profile.commune_code,
        "situation": {flag: getattr(profile, flag) for flag in SITUATION_FLAGS},
        "care_started_on": profile.care_started_on.isoformat() if profile.care_started_on else None,
        "care_ended_on": profile.care_ended_on.isoformat() if profile.care_ended_on else None,
        "languages": list(profile.languages),
        "notifications": {
            "push": profile.notify_by_push,
            "email": profile.notify_by_email,
            "sms": profile.notify_by_sms,
            "check_in": profile.notify_check_in,
        },
        "updated_at": profile.updated_at.isoformat(),
    }


def _account_export(user: User) -> dict[str, Any]:
    return {
        "email": user.email,
        "first_name": user.first_name,
        "role": user.role,
        "date_joined": user.date_joined.isoformat(),
        "last_login": user.last_login.isoformat() if user.last_login else None,
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in user.emailaddress_set.all()
        ],
    }


def activity_days_export(user: User) -> list[str]:
    """The days ``user`` used the app, as ISO dates, oldest first (their export section)."""
    days = ActivityDay.objects.filter(user=user).order_by("day").values_list("day", flat=True)
    return [day.isoformat() for day in days]


def personal_data_export(*, user: User) -> dict[str, Any]:
    """All personal data of ``user``, as JSON-ready data (GDPR Art. 20).

    Each app adds its own section in its ``personal_data.py`` (``backend.personal_data``).
    """
    export: dict[str, Any] = {
        "format": "jalon-personal-data/1",
        "exported_at": timezone.now().isoformat(),
        "account": _account_export(user),
        "profile": _profile_as_dict(profile_for(user)),
    }
    for section, exporter in personal_data.exporters().items():
        export[section] = exporter(user)
    return export


def departement_with_contacts(*, code: str) -> Departement | None:
    """The département of INSEE ``code`` with the contacts its staff publish, or None."""
    return Departement.objects.prefetch_related("contacts").filter(code=code.upper()).first()
