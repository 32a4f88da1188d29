"""Where reminders go: pluggable backends for push and e-mail.

Every send carries an idempotency key (one per reminder and channel). A backend passes
it to its provider, so that a send retried after a crash is not delivered twice.
``PUSH_BACKEND`` picks the push backend: ``recording`` (development, tests, benchmarks),
``fcm`` (Firebase Cloud Messaging through the Firebase Admin SDK, which reaches Android
and, through APNs, iOS), or ``none``.

Every message also says what it is about (``kind``) and which object (``target_id``,
its identifier in the API), so that the app opens the right screen when it is tapped.
"""

import logging
import os
import threading
import warnings
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass

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
    """One message to one person on one channel.

    ``kind`` and ``target_id`` tell the app which screen to open: ``kind`` is one of
    ``KINDS``, ``target_id`` the object's identifier as the API gives it (a meeting's,
    an appointment's, a match's or a link's number, a document's UUID, a check-in's
    month), or empty. Both default to empty: a caller about no object leaves them out.
    """

    title: str
    body: str
    idempotency_key: str
    kind: str = ""
    target_id: str = ""


# What a notification can be about, for the app (README, "Push notifications"; the
# OpenAPI of /me/devices/): each opens its own screen with ``target_id``.
KINDS = {
    "meeting": "a meeting of a mentoring pair; target_id: the meeting's id",
    "appointment": "an appointment in the person's agenda; target_id: the appointment's id",
    "document": "a document of the vault expires soon; target_id: the document's id (UUID)",
    "check_in": "the monthly check-in is open; target_id: its month (YYYY-MM-01)",
    "help_request": (
        "a young person asks for help; target_id: the match's id (to the mentor) or the "
        "link's id (to a référent)"
    ),
}


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
            defaults={
                "recipient": self._recipient(user, devices),
                "title": message.title,
                "kind": message.kind,
                "target_id": message.target_id,
            },
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
                kind=message.kind,
                target_id=message.target_id,
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


# One message per phone; the SDK sends a batch from one thread per message.
FCM_BATCH = 100
FCM_TIMEOUT_SECONDS = 10
_firebase_lock = threading.Lock()
_firebase = {}  # the process's Firebase app, kept across dispatches (and its OAuth token)


def _firebase_app():
    """The Firebase app of this process, for the credentials and project configured now.

    Kept across dispatches so that its OAuth access token, which the SDK fetches with the
    service account's key and refreshes before it expires, is reused while valid. A key
    file replaced on disk (a rotated key) is read again at the next dispatch.
    """
    import firebase_admin
    from firebase_admin import credentials, messaging
    from google.auth.exceptions import GoogleAuthError

    key_file = settings.FCM_CREDENTIALS_FILE or os.environ.get("GOOGLE_APPLICATION_CREDENTIALS", "")
    if not key_file:
        raise ImproperlyConfigured(
            "PUSH_BACKEND=fcm needs FCM_CREDENTIALS_FILE (a service account's JSON key) or "
            "GOOGLE_APPLICATION_CREDENTIALS; FCM_TOKEN_FILE is no longer read."
        )
    try:
        modified = os.stat(key_file).st_mtime_ns
    except OSError as error:
        raise ImproperlyConfigured(f"FCM credentials {key_file}: {error.strerror}") from error
    wanted = (key_file, modified, settings.FCM_PROJECT_ID, settings.FCM_ENDPOINT)
    with _firebase_lock:
        if _firebase.get("config") == wanted:
            return _firebase["app"]
        try:
            if settings.FCM_CREDENTIALS_FILE:
                credential = credentials.Certificate(key_file)
            else:  # any kind Google's libraries read (service account, workload identity)
                credential = credentials.ApplicationDefault()
        except (OSError, ValueError) as error:
            raise ImproperlyConfigured(f"FCM credentials {key_file}: {error}") from error
        options = {"httpTimeout": FCM_TIMEOUT_SECONDS}
        if settings.FCM_PROJECT_ID:
            options["projectId"] = settings.FCM_PROJECT_ID
        previous = _firebase.pop("app", None)
        if previous is not None:
            firebase_admin.delete_app(previous)
        app = firebase_admin.initialize_app(credential, options, name="jalon-push")
        try:
            project = app.project_id  # the key is read here for ApplicationDefault
        except GoogleAuthError as error:
            firebase_admin.delete_app(app)
            raise ImproperlyConfigured(f"FCM credentials {key_file}: {error}") from error
        if not project:
            firebase_admin.delete_app(app)
            raise ImproperlyConfigured("PUSH_BACKEND=fcm needs FCM_PROJECT_ID.")
        if settings.FCM_ENDPOINT:
            # The SDK has no emulator variable for messaging: its service's URL is the
            # one place that says where FCM is (a local stand-in, an egress proxy).
            service = messaging._get_messaging_service(app)
            service._fcm_url = (
                f"{settings.FCM_ENDPOINT.rstrip('/')}/v1/projects/{project}/messages:send"
            )
        _firebase.update(config=wanted, app=app)
        return app


class FCMPushBackend(Backend):
    """Firebase Cloud Messaging (HTTP v1) through the Firebase Admin SDK, one message per
    registered phone, sent by batches (``messaging.send_each``).

    Credentials: a service account's JSON key, ``FCM_CREDENTIALS_FILE`` or else
    ``GOOGLE_APPLICATION_CREDENTIALS``; the project is ``FCM_PROJECT_ID`` or the key's.
    FCM has no idempotency header: the key goes in the message's ``collapse_key`` and
    ``apns-collapse-id``, so that a repeat replaces rather than adds; sending once is the
    reminder's delivery rows' job. ``kind`` and ``target_id`` travel in the data payload.
    """

    channel = "push"

    def __init__(self):
        self.app = _firebase_app()

    def send(self, user, message: Outgoing, **shared) -> None:
        """To each of the user's phones; fails only if a phone that still exists failed."""
        failures = self.send_many([(user, message)])
        if failures:
            raise ConnectionError(failures[0])

    def send_many(self, items: list[tuple[object, Outgoing]]) -> dict[int, str]:
        """Every phone of every item, in batches; failures by position in ``items``.

        A phone FCM says is no longer registered (the app was uninstalled) is forgotten,
        and the user's other phones are still reached. A failure to get an access token
        raises: the whole set waits for a retry.
        """
        from firebase_admin import messaging

        devices = devices_by_user([user for user, _message in items])
        sends = [
            (position, device, _fcm_message(device.token, message))
            for position, (user, message) in enumerate(items)
            for device in devices.get(user.pk, [])
        ]
        errors, forgotten = defaultdict(list), []
        for start in range(0, len(sends), FCM_BATCH):
            batch = sends[start : start + FCM_BATCH]
            self._fresh_token()
            answer = messaging.send_each([fcm for _p, _d, fcm in batch], app=self.app)
            for (position, device, _fcm), result in zip(batch, answer.responses, strict=True):
                if result.success:
                    continue
                if isinstance(result.exception, messaging.UnregisteredError):
                    logger.info("FCM: device %s unregistered, forgotten", device.pk)
                    forgotten.append(device.pk)
                else:
                    errors[position].append(_describe(result.exception))
        if forgotten:
            Device.objects.filter(pk__in=forgotten).delete()
        return {position: "FCM: " + "; ".join(texts) for position, texts in errors.items()}

    def _fresh_token(self) -> None:
        """Refresh an expired access token once, before the batch's threads each would."""
        from google.auth.transport.requests import Request

        credential = self.app.credential.get_credential()
        if not credential.valid:
            credential.refresh(Request())


def _fcm_message(device_token: str, message: Outgoing):
    """The FCM message to one phone.

    A phone registered with an FCM registration token (``FID:token``, from the app's
    ``getToken()``) is reached by ``token``, which Firebase's SDKs now deprecate; one
    registered with its Firebase installation ID (no colon, from the newer ``register()``)
    by ``fid``.
    """
    if ":" in device_token:
        with warnings.catch_warnings():  # still served: no warning at every send
            warnings.simplefilter("ignore", DeprecationWarning)
            return _fcm_message_to(message, token=device_token)
    return _fcm_message_to(message, fid=device_token)


def _fcm_message_to(message: Outgoing, **target):
    from firebase_admin import messaging

    return messaging.Message(
        **target,
        notification=messaging.Notification(title=message.title, body=message.body),
        # Data values are strings; the app reads them when the notification is tapped.
        data={"kind": message.kind, "target_id": message.target_id},
        android=messaging.AndroidConfig(collapse_key=message.idempotency_key),
        apns=messaging.APNSConfig(headers={"apns-collapse-id": message.idempotency_key[:64]}),
    )


def _describe(error) -> str:
    """A send's failure, without the device token: HTTP status and FCM's error code."""
    response = getattr(error, "http_response", None)
    status = f"HTTP {response.status_code} " if response is not None else ""
    return f"{status}{getattr(error, 'code', '') or error.__class__.__name__}"


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
            headers=_email_headers(message),
            connection=connection,
        ).send()

    @contextmanager
    def batch(self, users: list):
        with get_connection() as connection:
            yield {"connection": connection}


def _email_headers(message: Outgoing) -> dict[str, str]:
    """The key against a second send, and what the mail is about (for a mail client or a
    filter: the same ``kind`` and ``target_id`` as a push)."""
    headers = {"X-Jalon-Idempotency-Key": message.idempotency_key}
    if message.kind:
        headers["X-Jalon-Kind"] = message.kind
    if message.target_id:
        headers["X-Jalon-Target-Id"] = message.target_id
    return headers


PUSH_BACKENDS = {
    "recording": "mentoring.agenda.channels.RecordingPushBackend",
    "fcm": "mentoring.agenda.channels.FCMPushBackend",
    "none": "mentoring.agenda.channels.NoPushBackend",
}


def push_backend():
    return import_string(PUSH_BACKENDS[settings.PUSH_BACKEND])()


def email_backend():
    return EmailBackend()
