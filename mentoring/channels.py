"""Where reminders go: pluggable backends for push and e-mail.

Every send carries an idempotency key (one per reminder and channel). A backend passes
it to its provider, so that a send retried after a crash is not delivered twice.
``PUSH_BACKEND`` picks the push backend: ``recording`` (development, tests, benchmarks),
``fcm`` (Firebase Cloud Messaging, which reaches Android and, through APNs, iOS), or
``none``.
"""

import json
import logging
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage
from django.db.models import F
from django.utils.module_loading import import_string

from .models import Device, RecordedSend

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outgoing:
    title: str
    body: str
    idempotency_key: str


class RecordingPushBackend:
    """Records every call in ``RecordedSend``; like a provider, it delivers a key once.

    ``calls`` counts the attempts, so a duplicate attempt is visible even though the
    recipient is notified once.
    """

    channel = "push"

    def send(self, user, message: Outgoing) -> None:
        tokens = ",".join(Device.objects.filter(user=user).values_list("token", flat=True))
        record, created = RecordedSend.objects.get_or_create(
            channel=self.channel,
            idempotency_key=message.idempotency_key,
            defaults={"recipient": tokens, "title": message.title},
        )
        if not created:
            RecordedSend.objects.filter(pk=record.pk).update(calls=F("calls") + 1)


class FCMPushBackend:
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

    def send(self, user, message: Outgoing) -> None:
        token = Path(settings.FCM_TOKEN_FILE).read_text().strip()
        for device in Device.objects.filter(user=user):
            payload = {
                "message": {
                    "token": device.token,
                    "notification": {"title": message.title, "body": message.body},
                    "android": {"collapse_key": message.idempotency_key},
                    "apns": {"headers": {"apns-collapse-id": message.idempotency_key[:64]}},
                }
            }
            request = urllib.request.Request(  # noqa: S310 - fixed https endpoint
                self.endpoint.format(project=settings.FCM_PROJECT_ID),
                data=json.dumps(payload).encode(),
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                method="POST",
            )
            with urllib.request.urlopen(request, timeout=10):  # noqa: S310
                pass


class NoPushBackend:
    channel = "push"

    def send(self, user, message: Outgoing) -> None:
        """Push is off: the reminder still reaches the inbox and, if wished, the e-mail."""


class EmailBackend:
    """Django's e-mail (SMTP in production, the console locally, memory in tests)."""

    channel = "email"

    def send(self, user, message: Outgoing) -> None:
        EmailMessage(
            subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{message.title}",
            body=message.body,
            to=[user.email],
            headers={"X-Jalon-Idempotency-Key": message.idempotency_key},
        ).send()


PUSH_BACKENDS = {
    "recording": "mentoring.channels.RecordingPushBackend",
    "fcm": "mentoring.channels.FCMPushBackend",
    "none": "mentoring.channels.NoPushBackend",
}


def push_backend():
    return import_string(PUSH_BACKENDS[settings.PUSH_BACKEND])()


def email_backend():
    return EmailBackend()
