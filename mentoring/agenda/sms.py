"""The SMS channel: a person's number and consent, cost caps, providers and receipts.

**Who.** A person receives SMS once they gave a mobile number and agreed to it
(``sms_contact_set``); a young person can then switch SMS off and on in their preferences
(``notify_by_sms``), the others (référents, mentors: a call for help) by removing the
number. Nobody is sent an SMS when ``SMS_BACKEND`` is ``none``.

**Caps.** Each SMS is counted, before the provider is called, against two caps:
``SMS_MAX_PER_PERSON_PER_DAY`` (Paris days) and ``SMS_MAX_PER_DEPARTEMENT_PER_MONTH`` (the
département of the person, who pays). The counters are rows (``SmsDailyCount``,
``SmsMonthlyCount``) raised by one conditional ``UPDATE ... WHERE count < cap``: atomic on
SQLite and PostgreSQL alike, however many workers send at once. A capped SMS is recorded
(``SmsMessage`` in state ``capped``) and the reminder goes by push or e-mail instead
(``route``).

**Once.** The ``SmsMessage`` row is made under the delivery's idempotency key before the
provider is called: a retried reminder counts once, and an SMS the provider accepted is
not sent again. The key is the SMS's tag at the provider, so that a retry after a lost
answer first asks the provider whether it was sent (``BrevoSmsBackend.already_sent``).

**Errors.** A refusal that a retry cannot change (a wrong number, no credits left, a
wrong key) fails the SMS for good, and the reminder's next attempt goes by push or e-mail;
anything else (a timeout, a 5xx, a 429) is retried with the reminder, with the same key.

**Receipts.** The provider posts delivery reports to ``/hooks/sms/<SMS_WEBHOOK_SECRET>/``
(``receipt_record``): the SMS becomes ``delivered`` or ``failed``; a report repeated or late
changes nothing.
"""

import hmac
import json
import logging
import re
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string

from ..models import (
    Device,
    RecordedSend,
    SmsContact,
    SmsDailyCount,
    SmsMessage,
    SmsMonthlyCount,
)
from .channels import Backend, Outgoing

logger = logging.getLogger(__name__)

State = SmsMessage.State
Cap = SmsMessage.Cap


class NotAMobileNumber(ValueError):
    """A number that no SMS can reach in France."""


# --- Numbers ------------------------------------------------------------------------------

# Mobile numbers of metropolitan France and of the overseas départements, as dialled in
# France (10 digits) and their international prefix: 06/07 (+33), 0639 Mayotte and
# 0692/0693 La Réunion (+262), 0690/0691 Guadeloupe (+590), 0694 Guyane (+594), 0696/0697
# Martinique (+596). Landlines receive no SMS; foreign numbers cost more and are refused.
_OVERSEAS = (
    ("639", "262"),
    ("692", "262"),
    ("693", "262"),
    ("690", "590"),
    ("691", "590"),
    ("694", "594"),
    ("696", "596"),
    ("697", "596"),
)
_INTERNATIONAL = re.compile(
    r"^\+(33[67]\d{8}|262(639|69[23])\d{6}|590(69[01])\d{6}|594694\d{6}|596(69[67])\d{6})$"
)


def normalise_mobile(raw: str) -> str:
    """The number in international form (``+33612345678``); ``NotAMobileNumber`` if it is
    not a French mobile. Spaces, dots, dashes and a ``0033`` prefix are accepted."""
    digits = re.sub(r"[\s.\-()]", "", raw or "")
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if re.fullmatch(r"0\d{9}", digits):
        national = digits[1:]
        country = next((code for prefix, code in _OVERSEAS if national.startswith(prefix)), "33")
        digits = f"+{country}{national}"
    elif digits.startswith("+330"):  # "+33 (0)6 ...", written as people often do
        digits = "+33" + digits[4:]
    if not _INTERNATIONAL.match(digits):
        raise NotAMobileNumber(raw)
    return digits


def masked(number: str) -> str:
    """The number with only its last two digits, for lists and the recording backend."""
    return f"{number[:3]}…{number[-2:]}" if number else ""


# --- Who gets SMS -------------------------------------------------------------------------


def contact_of(user) -> SmsContact | None:
    """The person's number and consent (no query when loaded with ``select_related``)."""
    try:
        return user.sms_contact
    except ObjectDoesNotExist:
        return None


def wants_sms(user) -> bool:
    """Whether the SMS channel is on for ``user``: a number given with consent, SMS not
    switched off in a young person's preferences, and an SMS backend configured."""
    if settings.SMS_BACKEND == "none" or contact_of(user) is None:
        return False
    profile = getattr(user, "profile", None)
    return profile is None or profile.notify_by_sms


def departement_of(user) -> str | None:
    """The département that pays for ``user``'s SMS: a young person's, a mentor's or a
    référent's (read through the reverse relations: the référents' app sits above this one)."""
    for relation in ("profile", "mentor_profile", "referent_profile"):
        try:
            departement = getattr(user, relation).departement_id
        except (ObjectDoesNotExist, AttributeError):
            continue
        if departement:
            return departement
    return None


@transaction.atomic
def sms_contact_set(*, user, number: str) -> SmsContact:
    """Give (or change) one's number, agreeing to SMS; SMS are switched on in a young
    person's preferences. ``NotAMobileNumber`` if the number cannot receive SMS."""
    number = normalise_mobile(number)
    contact = contact_of(user) or SmsContact(user=user)
    if contact.pk is None or contact.number != number:
        contact.consented_at = timezone.now()
    contact.number = number
    contact.save()
    profile = getattr(user, "profile", None)
    if profile is not None and not profile.notify_by_sms:
        profile.notify_by_sms = True
        profile.save(update_fields=["notify_by_sms", "updated_at"])
    user.sms_contact = contact
    return contact


@transaction.atomic
def sms_contact_remove(*, user) -> None:
    """Take one's number back: consent withdrawn, no SMS any more."""
    SmsContact.objects.filter(user=user).delete()
    user._state.fields_cache.pop("sms_contact", None)  # no stale number on this instance
    profile = getattr(user, "profile", None)
    if profile is not None and profile.notify_by_sms:
        profile.notify_by_sms = False
        profile.save(update_fields=["notify_by_sms", "updated_at"])


def export(user) -> dict:
    """The SMS part of the person's data export: their number, consent and SMS sent."""
    contact = contact_of(user)
    return {
        "number": contact.number if contact else "",
        "consented_at": contact.consented_at.isoformat() if contact else None,
        "messages": [
            {
                "state": message.state,
                "created_at": message.created_at.isoformat(),
                "sent_at": message.sent_at.isoformat() if message.sent_at else None,
            }
            for message in SmsMessage.objects.filter(user=user).order_by("created_at", "id")
        ],
    }


# --- Caps ---------------------------------------------------------------------------------


def _increment(model, cap: int, **row) -> bool:
    """Raise ``model``'s counter for ``row`` by one unless it reached ``cap``; atomic: the
    condition and the increment are one statement, which a concurrent one waits for."""
    model.objects.bulk_create([model(**row)], ignore_conflicts=True)
    return model.objects.filter(**row, count__lt=cap).update(count=F("count") + 1) == 1


def _take_quota(user, departement_id: str | None) -> str:
    """Count one SMS against both caps: ``""`` if it may go, else the cap that stops it
    (and nothing counted)."""
    if departement_id is None:
        return Cap.NO_DEPARTEMENT
    today = timezone.localdate()
    # A savepoint: the person's count goes back if the département's is full.
    with transaction.atomic():
        if not _increment(
            SmsDailyCount, settings.SMS_MAX_PER_PERSON_PER_DAY, user_id=user.pk, day=today
        ):
            return Cap.PERSON_DAY
        if not _increment(
            SmsMonthlyCount,
            settings.SMS_MAX_PER_DEPARTEMENT_PER_MONTH,
            departement_id=departement_id,
            month=today.replace(day=1),
        ):
            transaction.set_rollback(True)
            return Cap.DEPARTEMENT_MONTH
    return ""


def month_counts() -> list[tuple[str, int]]:
    """This month's SMS of each département that sent any, by code."""
    month = timezone.localdate().replace(day=1)
    return list(
        SmsMonthlyCount.objects.filter(month=month)
        .order_by("departement_id")
        .values_list("departement_id", "count")
    )


def reserve(user, key: str) -> SmsMessage:
    """The SMS of idempotency key ``key``: found if made before, else made now and counted
    against the caps (state ``sending``, or ``capped``)."""
    existing = SmsMessage.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    departement_id = departement_of(user)
    try:
        with transaction.atomic():
            message = SmsMessage.objects.create(
                user=user, departement_id=departement_id, idempotency_key=key
            )
            capped = _take_quota(user, departement_id)
            if capped:
                message.state, message.capped_by = State.CAPPED, capped
                message.save(update_fields=["state", "capped_by"])
    except IntegrityError:  # the same key reserved at the same moment: that one counts
        return SmsMessage.objects.get(idempotency_key=key)
    if capped:
        logger.info("SMS %s capped (%s): push or e-mail instead", key, capped)
    return message


def _fallback(user, channels: list[str]) -> str | None:
    """The channel that reaches the person instead of an SMS: their phone by push if it
    has the app, else their mailbox; None if they already get both."""
    if "push" not in channels and Device.objects.filter(user=user).exists():
        return "push"
    if "email" not in channels and user.email:
        return "email"
    return None


def route(items: list[tuple[object, list[str], str]]) -> None:
    """Replace the SMS channel by push or e-mail where the SMS cannot go.

    ``items`` are (user, channels wanted, the SMS's idempotency key); ``channels`` is
    changed in place. The SMS is reserved here (the caps counted once, before any send);
    capped, or refused for good by the provider on an earlier attempt, it is replaced.
    """
    for user, channels, key in items:
        if "sms" not in channels:
            continue
        message = reserve(user, key)
        if message.state in (State.CAPPED, State.FAILED):
            channels.remove("sms")
            fallback = _fallback(user, channels)
            if fallback:
                channels.append(fallback)


# --- Backends -----------------------------------------------------------------------------


class SmsRefused(Exception):
    """The provider refused the SMS for a reason a retry would not change."""


def sms_text(message: Outgoing) -> str:
    """What the SMS says: the reminder's discreet words (nothing of the appointment)."""
    return f"{message.title}\n{message.body}".strip()


def contacts_by_user(users: list) -> dict[int, SmsContact]:
    """The numbers of ``users``, in one query (their keys with them)."""
    return {
        contact.user_id: contact
        for contact in SmsContact.objects.filter(user__in={user.pk for user in users})
        .select_related("user")
        .order_by("pk")
    }


class SmsBackend(Backend):
    """An SMS provider. ``submit`` sends one SMS and returns the provider's id for it."""

    channel = "sms"

    def submit(self, number: str, text: str, key: str) -> str:
        raise NotImplementedError

    def already_sent(self, key: str) -> str:
        """The provider's id of an SMS sent under ``key`` earlier, or ``""``."""
        return ""

    def send(self, user, message: Outgoing, **shared) -> None:
        failures = self.send_many([(user, message)])
        if failures:
            raise ConnectionError(failures[0])

    def send_many(self, items: list[tuple[object, Outgoing]]) -> dict[int, str]:
        """Send each SMS not sent yet; failures by position (see the module on errors)."""
        contacts = contacts_by_user([user for user, _message in items])
        keys = [message.idempotency_key for _user, message in items]
        records = {
            m.idempotency_key: m for m in SmsMessage.objects.filter(idempotency_key__in=keys)
        }
        failures = {}
        for position, (user, message) in enumerate(items):
            key = message.idempotency_key
            record = records.get(key) or reserve(user, key)
            error = self._send_one(record, contacts.get(user.pk), message)
            if error:
                failures[position] = error
        return failures

    def _send_one(self, record: SmsMessage, contact, message: Outgoing) -> str:
        """Send ``record``'s SMS unless done or impossible; the error, or ``""``."""
        if record.state in (State.SENT, State.DELIVERED):
            return ""
        if record.state == State.CAPPED:
            return f"SMS capped ({record.capped_by})"
        if record.state == State.FAILED:
            return f"SMS refused: {record.last_error}"
        mine = SmsMessage.objects.filter(pk=record.pk)
        if contact is None or not contact.number:  # taken back since the reminder was routed
            mine.update(state=State.FAILED, last_error="no number")
            return "SMS refused: no number"
        # Counted before the call: a worker dying in the middle leaves an attempt behind,
        # and whoever sends it next asks the provider first.
        mine.update(attempts=F("attempts") + 1)
        try:
            provider_id = (record.attempts and self.already_sent(record.idempotency_key)) or (
                self.submit(contact.number, sms_text(message), record.idempotency_key)
            )
        except SmsRefused as error:
            logger.warning("SMS %s refused: %s", record.idempotency_key, error)
            mine.update(state=State.FAILED, last_error=str(error))
            return f"SMS refused: {error}"
        except Exception as error:  # the provider unreachable or busy: retried later
            text = str(error) or error.__class__.__name__
            mine.update(last_error=text[:1000])
            return text
        mine.filter(state=State.SENDING).update(
            state=State.SENT, provider_id=provider_id, sent_at=timezone.now(), last_error=""
        )
        return ""


class RecordingSmsBackend(SmsBackend):
    """Records each SMS in ``RecordedSend`` (development, tests, the demo), the number
    masked; like a provider, it sends a key once and counts the attempts."""

    def submit(self, number: str, text: str, key: str) -> str:
        record, created = RecordedSend.objects.get_or_create(
            channel=self.channel,
            idempotency_key=key,
            defaults={"recipient": masked(number), "title": text[:200]},
        )
        if not created:
            RecordedSend.objects.filter(pk=record.pk).update(calls=F("calls") + 1)
        return f"recorded-{record.pk}"


class NoSmsBackend(SmsBackend):
    def send_many(self, items: list[tuple[object, Outgoing]]) -> dict[int, str]:
        """SMS are off: nobody is routed to them (``wants_sms``), nothing to do."""
        return {}


# The provider's answers that a retry cannot change: a wrong request or number (400), a
# wrong or revoked key (401, 403), no credits left (402), a wrong address (404). The
# reminder goes by push or e-mail instead; the log tells the operator.
PERMANENT_STATUSES = {400, 401, 402, 403, 404}
GSM_7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)


class BrevoSmsBackend(SmsBackend):
    """Brevo's transactional SMS API (``POST /v3/transactionalSMS/send``).

    The API key goes in the ``api-key`` header; the idempotency key is the SMS's ``tag``,
    which a retry looks up first (``already_sent``); with ``SMS_WEBHOOK_SECRET`` set, each
    SMS names the receipts' address (``webUrl``), so nothing need be set up at Brevo.
    """

    send_path = "/v3/transactionalSMS/send"
    events_path = "/v3/transactionalSMS/statistics/events"

    def __init__(self):
        if not settings.SMS_API_KEY:
            raise ImproperlyConfigured("SMS_BACKEND=brevo needs SMS_API_KEY or SMS_API_KEY_FILE.")
        sender = settings.SMS_SENDER
        if not re.fullmatch(r"[A-Za-z0-9]{1,11}|\d{1,15}", sender):
            raise ImproperlyConfigured("SMS_SENDER: 11 letters or digits at most.")

    def submit(self, number: str, text: str, key: str) -> str:
        payload = {
            "sender": settings.SMS_SENDER,
            "recipient": number.removeprefix("+"),  # Brevo's form: 33612345678
            "content": text,
            "type": "transactional",
            "tag": key,
            # Without it Brevo turns ê, î, ô... into e, i, o; with it an SMS holds 70
            # characters instead of 160: only when the text needs it.
            "unicodeEnabled": not set(text) <= GSM_7,
        }
        url = receipts_url()
        if url:
            payload["webUrl"] = url
        answer = self._call("POST", self.send_path, payload)
        message_id = answer.get("messageId") if isinstance(answer, dict) else None
        if message_id in (None, ""):
            raise ConnectionError("Brevo: no messageId in the answer")
        return str(message_id)

    def already_sent(self, key: str) -> str:
        query = urllib.parse.urlencode({"tags": key, "limit": 10, "sort": "desc"})
        answer = self._call("GET", f"{self.events_path}?{query}")
        for event in (answer or {}).get("events", []) if isinstance(answer, dict) else []:
            if event.get("tag") == key and event.get("messageId"):
                return str(event["messageId"])
        return ""

    def _call(self, method: str, path: str, payload: dict | None = None):
        request = urllib.request.Request(  # noqa: S310 - the configured https endpoint
            settings.SMS_API_URL.rstrip("/") + path,
            data=json.dumps(payload).encode() if payload is not None else None,
            headers={
                "api-key": settings.SMS_API_KEY,
                "accept": "application/json",
                "content-type": "application/json",
            },
            method=method,
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                body = response.read()
        except urllib.error.HTTPError as error:
            # Brevo's error code ("invalid_parameter", "not_enough_credits"), never its
            # message, which may quote the number.
            reason = _error_code(error)
            if error.code in PERMANENT_STATUSES:
                logger.error("Brevo refused an SMS: HTTP %s %s", error.code, reason)
                raise SmsRefused(f"HTTP {error.code} {reason}".strip()) from None
            raise ConnectionError(f"Brevo: HTTP {error.code} {reason}".strip()) from None
        return json.loads(body) if body else {}


def _error_code(error: urllib.error.HTTPError) -> str:
    try:
        return str(json.loads(error.read() or b"{}").get("code", ""))[:100]
    except (ValueError, AttributeError):
        return ""


SMS_BACKENDS = {
    "recording": "mentoring.agenda.sms.RecordingSmsBackend",
    "brevo": "mentoring.agenda.sms.BrevoSmsBackend",
    "none": "mentoring.agenda.sms.NoSmsBackend",
}


def sms_backend() -> SmsBackend:
    """The backend ``SMS_BACKEND`` names."""
    return import_string(SMS_BACKENDS[settings.SMS_BACKEND])()


# --- Delivery receipts --------------------------------------------------------------------


def receipts_url() -> str:
    """Where the provider posts delivery receipts (to set at the provider, or sent with
    each SMS); empty while ``SMS_WEBHOOK_SECRET`` is not set."""
    if not settings.SMS_WEBHOOK_SECRET:
        return ""
    return f"{settings.JALON_PUBLIC_URL.rstrip('/')}/hooks/sms/{settings.SMS_WEBHOOK_SECRET}/"


def receipt_secret_valid(secret: str) -> bool:
    """Whether ``secret`` is the configured one (compared in constant time)."""
    expected = settings.SMS_WEBHOOK_SECRET
    return bool(expected) and hmac.compare_digest(secret.encode(), expected.encode())


# Brevo's SMS events (``msg_status`` of a webhook, ``event`` of the events' list).
DELIVERED_EVENTS = {"delivered"}
FAILED_EVENTS = {"softbounce", "hardbounce", "rejected", "skip", "blocked", "error"}
UNSUBSCRIBE_EVENTS = {"unsubscribe", "unsubscribed"}


def receipt_record(report) -> int:
    """Apply a delivery report (one event, or a list of them); how many SMS changed.

    Idempotent: a report repeated changes nothing, a late "sent" does not undo
    "delivered", and nothing undoes it. A reply STOP (``unsubscribe``) withdraws the
    person's consent: their number is forgotten.
    """
    events = report if isinstance(report, list) else [report]
    changed = 0
    now = timezone.now()
    for event in events:
        if not isinstance(event, dict):
            continue
        provider_id = str(event.get("messageId") or event.get("message_id") or "")
        status = str(event.get("msg_status") or event.get("event") or "").lower()
        status = status.replace("_", "")
        if not provider_id:
            continue
        sms = SmsMessage.objects.filter(provider_id=provider_id)
        if status in DELIVERED_EVENTS:
            changed += sms.exclude(state=State.DELIVERED).update(
                state=State.DELIVERED, status_at=now, last_error=""
            )
        elif status in FAILED_EVENTS:
            changed += sms.filter(state__in=[State.SENDING, State.SENT]).update(
                state=State.FAILED, status_at=now, last_error=f"receipt: {status}"[:1000]
            )
        elif status in UNSUBSCRIBE_EVENTS:
            for message in sms.select_related("user", "user__profile"):
                sms_contact_remove(user=message.user)
                changed += 1
    return changed
