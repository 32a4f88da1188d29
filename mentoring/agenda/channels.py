"""Where reminders go: pluggable backends for push and e-mail.

Every send carries an idempotency key (one per reminder and channel). A backend passes
it to its provider, so that a send retried after a crash is not delivered twice.
``PUSH_BACKEND`` picks the push backend: ``recording`` (development, tests, benchmarks),
``fcm`` (Firebase Cloud Messaging, which reaches Android and, through APNs, iOS), or
``none``.
"""

import json
import logging
import urllib.error
import urllib.request
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.module_loading import import_string

from ..models import Device, RecordedSend

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outgoing:
    title: str
    body: str
    idempotency_key: str


class Backend:
    """A channel. ``send`` delivers one message; ``send_many`` a dispatch's batch.

    ``send_many`` returns the failures, by position in ``items``, as text. A backend
    that shares work across a batch (one connection, one query for the phones) gives
    it to each ``send`` through ``batch``. If ``send_many`` raises, every item of the
    batch counts as failed.
    """

    channel = ""

    def send(self, user, message: Outgoing, **shared) -> None:
        raise NotImplementedError

    @contextmanager
    def batch(self, users: list):
        """What the sends of a batch share, as keyword arguments of ``send``."""
        yield {}

    def send_many(self, items: list[tuple[object, Outgoing]]) -> dict[int, str]:
        failures = {}
        with self.batch([user for user, _message in items]) as shared:
            for position, (user, message) in enumerate(items):
                try:
                    self.send(user, message, **shared)
                except Exception as error:  # a provider's failure for this message only
                    failures[position] = str(error) or error.__class__.__name__
        return failures


def devices_by_user(users: list) -> dict[int, list[Device]]:
    """The registered phones of ``users``, in one query."""
    found = defaultdict(list)
    for device in Device.objects.filter(user__in={user.pk for user in users}).order_by("pk"):
        found[device.user_id].append(device)
    return found


class RecordingPushBackend(Backend):
    """Records every call in ``RecordedSend``; like a provider, it delivers a key once.

    ``calls`` counts the attempts, so a duplicate attempt is visible even though the
    recipient is notified once.
    """

    channel = "push"

    def send(self, user, message: Outgoing, devices=None) -> None:
        record, created = RecordedSend.objects.get_or_create(
            channel=self.channel,
            idempotency_key=message.idempotency_key,
            defaults={"recipient": self._recipient(user, devices), "title": message.title},
        )
        if not created:
            RecordedSend.objects.filter(pk=record.pk).update(calls=F("calls") + 1)

    @contextmanager
    def batch(self, users: list):
        yield {"devices": devices_by_user(users)}

    def send_many(self, items: list[tuple[object, Outgoing]]) -> dict[int, str]:
        """One query for the phones, one insert; a key seen before is counted one by one."""
        devices = devices_by_user([user for user, _message in items])
        records = [
            RecordedSend(
                channel=self.channel,
                idempotency_key=message.idempotency_key,
                recipient=self._recipient(user, devices),
                title=message.title,
            )
            for user, message in items
        ]
        try:
            with transaction.atomic():
                RecordedSend.objects.bulk_create(records)
        except IntegrityError:  # a repeated key: ``send`` counts the extra call
            return super().send_many(items)
        return {}

    @staticmethod
    def _recipient(user, devices) -> str:
        phones = devices_by_user([user]) if devices is None else devices
        return ",".join(device.token for device in phones.get(user.pk, []))


class FCMPushBackend(Backend):
    """Firebase Cloud Messaging (HTTP v1), one message per registered device.

    Needs ``FCM_PROJECT_ID`` and an OAuth access token in the file ``FCM_TOKEN_FILE``
    (kept fresh by the platform's credential helper). The idempotency key goes in the
    message's ``collapse_key``/``apns-collapse-id`` so a repeat replaces, not adds.
    """

    channel = "push"
    endpoint = "https://fcm.googleapis.com/v1/projects/{project}/messages:send"

    def __init__(self):
        if not (settings.FCM_PROJECT_ID and settings.FCM_TOKEN_FILE):
            raise ImproperlyConfigured("PUSH_BACKEND=fcm needs FCM_PROJECT_ID and FCM_TOKEN_FILE.")

    @contextmanager
    def batch(self, users: list):
        """The access token read once, and every phone of the batch in one query."""
        yield {"access_token": self._access_token(), "devices": devices_by_user(users)}

    def send(self, user, message: Outgoing, access_token=None, devices=None) -> None:
        """To each of the user's phones; fails only if a phone that still exists failed.

        A phone FCM says is no longer registered (the app was uninstalled) is
        forgotten, and the user's other phones are still reached.
        """
        access_token = access_token or self._access_token()
        phones = (devices_by_user([user]) if devices is None else devices).get(user.pk, [])
        errors = []
        for device in phones:
            try:
                self._post(access_token, device.token, message)
            except urllib.error.HTTPError as error:
                if _unregistered(error):
                    logger.info("FCM: device %s unregistered, forgotten", device.pk)
                    device.delete()
                else:
                    errors.append(f"HTTP {error.code}")
            except OSError as error:
                errors.append(str(error))
        if errors:
            raise ConnectionError("FCM: " + "; ".join(errors))

    @staticmethod
    def _access_token() -> str:
        return Path(settings.FCM_TOKEN_FILE).read_text().strip()

    def _post(self, access_token: str, device_token: str, message: Outgoing) -> None:
        payload = {
            "message": {
                "token": device_token,
                "notification": {"title": message.title, "body": message.body},
                "android": {"collapse_key": message.idempotency_key},
                "apns": {"headers": {"apns-collapse-id": message.idempotency_key[:64]}},
            }
        }
        request = urllib.request.Request(  # noqa: S310 - fixed https endpoint
            self.endpoint.format(project=settings.FCM_PROJECT_ID),
            data=json.dumps(payload).encode(),
            headers={
                "Authorization": f"Bearer {access_token}",
                "Content-Type": "application/json",
            },
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10):  # noqa: S310
            pass


def _unregistered(error: urllib.error.HTTPError) -> bool:
    """FCM's answer for an uninstalled app: 404 with the error code ``UNREGISTERED``
    (a 404 alone may be a wrong project or endpoint: no reason to forget every phone)."""
    if error.code != 404:
        return False
    try:
        details = json.loads(error.read() or b"{}").get("error", {}).get("details", [])
    except (ValueError, AttributeError):
        return False
    return any(detail.get("errorCode") == "UNREGISTERED" for detail in details)


class NoPushBackend(Backend):
    channel = "push"

    def send(self, user, message: Outgoing, **shared) -> None:
        """Push is off: the reminder still reaches the inbox and, if wished, the e-mail."""


class EmailBackend(Backend):
    """Django's e-mail (SMTP in production, the console locally, memory in tests).

    A batch shares one SMTP session; a refused address fails its message only.
    """

    channel = "email"

    def send(self, user, message: Outgoing, connection=None) -> None:
        EmailMessage(
            subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{message.title}",
            body=message.body,
            to=[user.email],
            headers={"X-Jalon-Idempotency-Key": message.idempotency_key},
            connection=connection,
        ).send()

    @contextmanager
    def batch(self, users: list):
        with get_connection() as connection:
            yield {"connection": connection}


PUSH_BACKENDS = {
    "recording": "mentoring.agenda.channels.RecordingPushBackend",
    "fcm": "mentoring.agenda.channels.FCMPushBackend",
    "none": "mentoring.agenda.channels.NoPushBackend",
}


def push_backend():
    return import_string(PUSH_BACKENDS[settings.PUSH_BACKEND])()


def email_backend():
    return EmailBackend()
