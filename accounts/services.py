"""Writes on accounts and profiles. Views, admin, commands and tasks all call these."""

import logging
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.utils import timezone

from backend import personal_data
from backend.services import model_update

from .models import ActivityDay, Departement, User, YoungPersonProfile
from .roles import ADMIN_ROLES, Role

logger = logging.getLogger(__name__)


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str | None,
    role: str = Role.YOUNG_PERSON,
    first_name: str = "",
    departements: Iterable[Departement] = (),
    email_verified: bool = False,
    is_superuser: bool = False,
) -> User:
    """Create an account of ``role``, with its e-mail address known to allauth.

    Admin roles get ``is_staff``; young people get an empty profile.
    """
    user = User(
        email=User.objects.normalize_email(email).lower(),
        first_name=first_name,
        role=role,
        is_staff=is_superuser or role in ADMIN_ROLES,
        is_superuser=is_superuser,
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    user.departements.set(departements)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=email_verified)
    if role == Role.YOUNG_PERSON:
        young_person_profile_ensure(user=user)
    return user


def young_person_profile_ensure(*, user: User) -> YoungPersonProfile | None:
    """Give a young person their (empty) profile if they have none yet."""
    if user.role != Role.YOUNG_PERSON:
        return None
    profile, _created = YoungPersonProfile.objects.get_or_create(user=user)
    return profile


@transaction.atomic
def me_update(*, user: User, data: dict[str, Any]) -> User:
    """Update the account fields and the profile of ``user`` from validated data.

    Only the given keys change, and only those that differ are saved (``model_update``);
    ``data["profile"]`` holds the profile's fields.
    """
    profile_data = data.pop("profile", None) or {}
    model_update(user, fields=list(data), data=data, exclude=["password"])
    if profile_data:
        profile = young_person_profile_ensure(user=user)
        model_update(profile, fields=list(profile_data), data=profile_data)
    return user


@transaction.atomic
def user_erase(*, user: User) -> None:
    """Erase the account and everything that belongs to it (GDPR Art. 17).

    Each app's ``personal_data.erase`` runs first (files, keys); rows go with the user by cascade.
    Session tokens die with the user: a session whose user is gone authenticates no one.
    """
    for eraser in personal_data.erasers().values():
        eraser(user)
    user.delete()


def user_apply_role(*, user: User) -> User:
    """Bring an account made or changed in the admin in line with its role.

    Admin access follows the role; the e-mail address is known to allauth (an
    administrator vouches for it); a young person has a profile.
    """
    is_staff = user.is_superuser or user.role in ADMIN_ROLES
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])
    user.emailaddress_set.exclude(email=user.email).update(primary=False)
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"primary": True, "verified": True}
    )
    young_person_profile_ensure(user=user)
    return user


# A key names one person and one day, so it is only asked for during that day.
ACTIVITY_CACHE_TIMEOUT = int(timedelta(days=1).total_seconds())


def activity_cache_key(user_id: int, day: date) -> str:
    """The cache key saying that user ``user_id`` is already recorded as active on ``day``."""
    return f"accounts:activity:{user_id}:{day.isoformat()}"


def activity_record(user: User, day: date | None = None) -> bool:
    """Record that a young person used the app on ``day`` (default: today, in Paris).

    Called on every authenticated API request, so the usual case costs one cache call
    and no query: ``cache.add`` both checks and claims the key. Only the request that
    claims it writes, and the unique constraint on (user, day) keeps a single row even
    when the cache was flushed or evicted the key. Other roles are not counted.
    Returns True when the database was written to.
    """
    if user.role != Role.YOUNG_PERSON:
        return False
    day = day or timezone.localdate()
    key = activity_cache_key(user.pk, day)
    if not cache.add(key, True, timeout=ACTIVITY_CACHE_TIMEOUT):
        return False
    try:
        ActivityDay.objects.bulk_create([ActivityDay(user=user, day=day)], ignore_conflicts=True)
    except DatabaseError:
        # Counting is for the figures: the person's request goes on. The key was claimed
        # but nothing was written, so the next request tries again.
        logger.exception("Activity day of user %s not recorded", user.pk)
        cache.delete(key)
        return False
    return True
