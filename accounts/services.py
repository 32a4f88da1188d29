"""Writes on accounts and profiles. Views, admin, commands and tasks all call these."""

import logging
import secrets
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import DatabaseError, router, transaction
from django.db.models import Q
from django.db.models.deletion import Collector
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend import personal_data
from backend.services import model_update

from .exceptions import EnrolmentRefused
from .models import ActivityDay, Departement, StaffEnrolment, User, YoungPersonProfile
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

    Each app's ``personal_data.erase`` runs first (files, keys, sessions, what others keep
    of the person); rows go with the user by cascade, and so do the admin log's lines about
    them (``admin_log_forget``).
    """
    for eraser in personal_data.erasers().values():
        eraser(user)
    admin_log_forget(user)
    user.delete()


def admin_log_forget(user: User) -> int:
    """Delete the admin log's lines about ``user`` and about everything that goes with the
    account: their ``object_repr`` names the person ("Nour · n° 042817 (Approuvé)").

    Lines written *by* the person go with the account (Django's log cascades on its user).
    """
    collector = Collector(using=router.db_for_write(User))
    collector.collect([user])
    going = [
        (model, [instance.pk for instance in instances])
        for model, instances in collector.data.items()
    ]
    # Rows the collector deletes in one query (no signals) are only querysets.
    going += [
        (rows.model, list(rows.values_list("pk", flat=True))) for rows in collector.fast_deletes
    ]
    about = Q(pk__in=[])
    for model, pks in going:
        if pks and not model._meta.auto_created:
            about |= Q(
                content_type=ContentType.objects.get_for_model(model),
                object_id__in=[str(pk) for pk in pks],
            )
    deleted, _ = LogEntry.objects.filter(about).delete()
    return deleted


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


# Enrolment codes: 16 characters of an alphabet with no look-alikes (80 bits), in groups
# of four, read out or sent to the staff member by someone who already has access.
_ENROLMENT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_ENROLMENT_LENGTH = 16


def _enrolment_code_normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").upper()


@transaction.atomic
def staff_enrolment_issue(*, user: User, issued_by: User | None = None) -> str:
    """Issue a single-use code that lets the staff account ``user`` set up TOTP; return it.

    ``issued_by`` is the superuser who asks for it in the admin (``None``: an operator on
    the server, through ``manage.py issue_staff_enrolment``). The code is shown once and
    kept hashed; it replaces any earlier unused one and expires after
    ``STAFF_ENROLMENT_CODE_HOURS``.
    """
    if not (user.is_active and user.is_staff):
        raise EnrolmentRefused(_("Only an active staff account receives an enrolment code."))
    if issued_by is not None and not (issued_by.is_active and issued_by.is_superuser):
        raise EnrolmentRefused(_("Only a superuser issues enrolment codes."))
    return enrolment_code_create(
        user=user, issued_by=issued_by, hours=settings.STAFF_ENROLMENT_CODE_HOURS
    )


def enrolment_code_create(*, user: User, issued_by: User | None, hours: int) -> str:
    """Issue ``user``'s single-use enrolment code, valid ``hours``; return it, shown once.

    It replaces any earlier unused one. Who may issue it is the caller's check: a
    superuser for staff (``staff_enrolment_issue``), the département's staff for a
    référent they invite (``referents.services``).
    """
    StaffEnrolment.objects.filter(user=user, used_at__isnull=True).delete()
    code = "".join(secrets.choice(_ENROLMENT_ALPHABET) for _ in range(_ENROLMENT_LENGTH))
    now = timezone.now()
    StaffEnrolment.objects.create(
        user=user,
        issued_by=issued_by,
        code_hash=make_password(code),
        created_at=now,
        expires_at=now + timedelta(hours=hours),
    )
    logger.info("Enrolment code issued for account %s by %s", user.pk, issued_by and issued_by.pk)
    return "-".join(code[i : i + 4] for i in range(0, _ENROLMENT_LENGTH, 4))


def staff_enrolment_required(user: User) -> bool:
    """Whether ``user`` needs an enrolment code to set up TOTP: every staff account, and
    référents (their invitation carries the code)."""
    return bool(user.is_staff or user.is_superuser or user.role == Role.REFERENT)


def staff_enrolment_consume(*, user: User, code: str) -> None:
    """Spend ``user``'s enrolment code ``code``, or raise ``EnrolmentRefused``.

    The code must be the latest issued, unused and unexpired; spending it is one
    conditional update, so two requests cannot both spend it.
    """
    enrolment = (
        StaffEnrolment.objects.filter(
            user=user, used_at__isnull=True, expires_at__gt=timezone.now()
        )
        .order_by("-created_at")
        .first()
    )
    if enrolment is None or not check_password(
        _enrolment_code_normalise(code), enrolment.code_hash
    ):
        raise EnrolmentRefused(_("This enrolment code is not valid or has expired."))
    spent = StaffEnrolment.objects.filter(pk=enrolment.pk, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    if not spent:
        raise EnrolmentRefused(_("This enrolment code is not valid or has expired."))
