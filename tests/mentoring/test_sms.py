"""The SMS channel: a number given with consent, Brevo's API (a local HTTP server stands in
for it, outside the machine), the cost caps, delivery receipts, and the number's erasure."""

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from mentoring.agenda import reminders, sms
from mentoring.agenda.channels import Outgoing
from mentoring.models import (
    Device,
    RecordedSend,
    Reminder,
    ReminderDelivery,
    SmsContact,
    SmsDailyCount,
    SmsMessage,
    SmsMonthlyCount,
)
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

SMS = "/api/v1/me/sms/"
SECRET = "receipts-5b1f0c9e7a-4d2b8c61f0e3a9d7"
RECEIPTS = f"/hooks/sms/{SECRET}/"


class FakeBrevo(BaseHTTPRequestHandler):
    """Brevo's transactional SMS API as documented: ``POST /v3/transactionalSMS/send``
    answers 201 ``{"messageId": ...}``; the events' list answers the SMS sent by tag."""

    sent: list = []  # (api key, body) of each SMS accepted
    posts: list = []  # every body posted, accepted or not
    lookups: list = []  # the tags asked for in the events' list
    # What a recipient (by the end of the number) gets instead of a 201.
    refusals: dict = {}
    # Recipients whose SMS is sent, but the answer lost (a 503 after sending).
    lose_answer: set = set()

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).posts.append(body)
        for ending, (status, code) in self.refusals.items():
            if body["recipient"].endswith(ending):
                return self._answer(status, {"code": code, "message": f"{body['recipient']} ?"})
        type(self).sent.append((self.headers["api-key"], body))
        message_id = 1_511_882_900_176_220 + len(self.sent)
        if body["recipient"] in self.lose_answer:
            return self._answer(503, {})
        return self._answer(201, {"messageId": message_id})

    def do_GET(self):
        url = urlsplit(self.path)
        assert url.path == "/v3/transactionalSMS/statistics/events"
        tag = parse_qs(url.query)["tags"][0]
        type(self).lookups.append(tag)
        events = [
            {
                "phoneNumber": body["recipient"],
                "messageId": 1_511_882_900_176_221 + position,
                "event": "sent",
                "tag": body["tag"],
            }
            for position, (_key, body) in enumerate(self.sent)
            if body["tag"] == tag
        ]
        self._answer(200, {"events": events})

    def _answer(self, status, payload):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps(payload).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def brevo(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeBrevo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_BACKEND = "brevo"
    settings.SMS_API_KEY = "xkeysib-test-key"
    settings.SMS_API_URL = f"http://127.0.0.1:{server.server_port}"
    settings.SMS_SENDER = "Jalon"
    settings.SMS_WEBHOOK_SECRET = SECRET
    settings.JALON_PUBLIC_URL = "https://jalon.example.fr"
    FakeBrevo.sent, FakeBrevo.posts, FakeBrevo.lookups = [], [], []
    FakeBrevo.refusals, FakeBrevo.lose_answer = {}, set()
    yield FakeBrevo
    server.shutdown()
    server.server_close()


def give_number(client_for, user, number="06 12 34 56 78"):
    response = client_for(user).put(SMS, {"number": number, "consent": True}, format="json")
    assert response.status_code == 200, response.json()
    return response.json()


def sms_only(user):
    """The person keeps SMS only: no push, no e-mail."""
    user.profile.refresh_from_db()  # SMS switched on by giving the number, since loaded
    user.profile.notify_by_push = False
    user.profile.notify_by_email = False
    user.profile.save()


def due_check_ins(user, count=1):
    """``count`` monthly check-in reminders due now (the discreet "Où en es-tu ?")."""
    now = timezone.now()
    return Reminder.objects.bulk_create(
        Reminder(user=user, kind=Reminder.Kind.CHECK_IN, offset_minutes=0, due_at=now)
        for _ in range(count)
    )


# --- The number and the consent -----------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("07.12.34.56.78", "+33712345678"),
        ("+33 (0)6 12 34 56 78", "+33612345678"),
        ("0033612345678", "+33612345678"),
        ("0692 12 34 56", "+262692123456"),  # La Réunion
        ("0639 12 34 56", "+262639123456"),  # Mayotte
        ("0690 12 34 56", "+590690123456"),  # Guadeloupe
        ("0694 12 34 56", "+594694123456"),  # Guyane
        ("0696 12 34 56", "+596696123456"),  # Martinique
    ],
)
def test_french_mobiles_are_stored_in_international_form(typed, stored):
    assert sms.normalise_mobile(typed) == stored


@pytest.mark.parametrize("typed", ["01 23 45 67 89", "06 12 34 56", "+44 7700 900123", "", "06x"])
def test_landlines_foreign_and_broken_numbers_are_refused(typed):
    with pytest.raises(sms.NotAMobileNumber):
        sms.normalise_mobile(typed)


def test_a_young_person_gives_a_number_agreeing_to_sms_and_takes_it_back(client_for, young_person):
    client = client_for(young_person)
    assert client.get(SMS).json() == {"number": "", "consented_at": None}
    answer = give_number(client_for, young_person)
    assert answer["number"] == "+33612345678" and answer["consented_at"]
    young_person.profile.refresh_from_db()
    assert young_person.profile.notify_by_sms is True
    # Sealed with the person's key: the digits are not in the column.
    contact = SmsContact.objects.get(user=young_person)
    assert b"612345678" not in bytes(contact.number_sealed)

    assert client.delete(SMS).status_code == 204
    assert not SmsContact.objects.filter(user=young_person).exists()
    young_person.profile.refresh_from_db()
    assert young_person.profile.notify_by_sms is False


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"number": "06 12 34 56 78", "consent": False}, "consent", "consent_required"),
        ({"number": "06 12 34 56 78"}, "consent", "required"),
        ({"number": "01 23 45 67 89", "consent": True}, "number", "not_a_mobile"),
    ],
)
def test_a_number_needs_consent_and_must_be_a_mobile(client_for, young_person, body, field, code):
    response = client_for(young_person).put(SMS, body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"][field][0]["code"] == code
    assert not SmsContact.objects.exists()


# --- Brevo --------------------------------------------------------------------------------


def test_a_reminder_reaches_the_phone_through_brevo_with_its_key_as_tag(
    brevo, client_for, young_person
):
    give_number(client_for, young_person)
    [reminder] = due_check_ins(young_person)
    stats = reminders.dispatch()
    assert stats.sent == 1
    [(api_key, body)] = brevo.sent
    assert api_key == "xkeysib-test-key"
    assert body["recipient"] == "33612345678"
    assert body["sender"] == "Jalon"
    assert body["type"] == "transactional"
    assert body["tag"] == f"reminder-{reminder.pk}-sms"
    assert body["content"] == "Où en es-tu ?\nTon point du mois est ouvert, si tu veux."
    assert body["unicodeEnabled"] is False  # every character fits in one GSM SMS
    assert body["webUrl"] == f"https://jalon.example.fr{RECEIPTS}"
    message = SmsMessage.objects.get()
    assert message.state == SmsMessage.State.SENT
    assert message.provider_id == "1511882900176221"
    delivery = ReminderDelivery.objects.get(channel="sms")
    assert delivery.state == ReminderDelivery.State.SENT
    # Push and e-mail, on by default, went too.
    assert {d.channel for d in ReminderDelivery.objects.all()} == {"push", "email", "sms"}


def test_text_beyond_the_gsm_alphabet_is_sent_as_unicode(brevo, young_person):
    sms.sms_contact_set(user=young_person, number="0612345678")
    message = Outgoing("Tu es prêt ?", "Ouvre Jalon.", "reminder-1-sms")
    assert sms.sms_backend().send_many([(young_person, message)]) == {}
    assert brevo.sent[0][1]["unicodeEnabled"] is True


def test_a_call_for_help_reaches_the_referent_by_sms(brevo, client_for, referent, young_person):
    give_number(client_for, referent, "07 11 22 33 44")
    answered = client_for(young_person).post(
        "/api/v1/me/check-ins/", {"housing": "temporary", "needs_help": True}, format="json"
    )
    assert answered.status_code == 201, answered.json()
    assert reminders.dispatch().sent == 1
    [(_key, body)] = brevo.sent
    assert body["recipient"] == "33711223344"
    # Discreet: the young person is not named; "·" needs Unicode.
    assert body["content"] == (
        "Un·e jeune que vous accompagnez demande de l'aide\nOuvrez Jalon pour voir qui."
    )
    assert young_person.first_name not in body["content"]
    assert body["unicodeEnabled"] is True
    # Counted against the référent's département.
    assert SmsMonthlyCount.objects.get().departement_id == "93"


def test_a_lost_answer_is_looked_up_by_tag_before_sending_again(brevo, client_for, young_person):
    give_number(client_for, young_person)
    sms_only(young_person)
    brevo.lose_answer.add("33612345678")
    [reminder] = due_check_ins(young_person)
    assert reminders.dispatch().retried == 1
    assert len(brevo.sent) == 1

    stats = reminders.dispatch(now=timezone.now() + timedelta(minutes=5))
    assert stats.sent == 1
    assert len(brevo.posts) == 1  # not sent twice
    assert brevo.lookups == [f"reminder-{reminder.pk}-sms"]
    message = SmsMessage.objects.get()
    assert (message.state, message.provider_id) == ("sent", "1511882900176221")
    assert SmsDailyCount.objects.get().count == 1  # counted once


def test_a_provider_outage_is_retried_with_the_same_key(brevo, client_for, young_person):
    give_number(client_for, young_person)
    sms_only(young_person)
    brevo.refusals = {"78": (502, "")}
    due_check_ins(young_person)
    assert reminders.dispatch().retried == 1
    assert SmsMessage.objects.get().state == SmsMessage.State.SENDING

    brevo.refusals = {}
    assert reminders.dispatch(now=timezone.now() + timedelta(minutes=5)).sent == 1
    assert [body["tag"] for body in brevo.posts] == [brevo.posts[0]["tag"]] * 2
    assert SmsMessage.objects.get().state == SmsMessage.State.SENT
    assert SmsDailyCount.objects.get().count == 1
    assert mail.outbox == []


def test_a_number_brevo_refuses_fails_for_good_and_the_reminder_goes_by_email(
    brevo, client_for, young_person
):
    give_number(client_for, young_person)
    sms_only(young_person)
    brevo.refusals = {"78": (400, "invalid_parameter")}
    due_check_ins(young_person)
    assert reminders.dispatch().retried == 1
    message = SmsMessage.objects.get()
    assert message.state == SmsMessage.State.FAILED
    assert message.last_error == "HTTP 400 invalid_parameter"  # not Brevo's words: the number

    assert reminders.dispatch(now=timezone.now() + timedelta(minutes=5)).sent == 1
    assert len(brevo.posts) == 1  # no second try of a refused number
    [email] = mail.outbox
    assert email.to == [young_person.email]


# --- Caps ---------------------------------------------------------------------------------


def test_the_fourth_sms_of_the_day_is_not_sent_and_goes_by_email(
    brevo, client_for, young_person, settings
):
    settings.SMS_MAX_PER_PERSON_PER_DAY = 3
    give_number(client_for, young_person)
    sms_only(young_person)
    due_check_ins(young_person, 4)
    assert reminders.dispatch().sent == 4
    assert len(brevo.sent) == 3
    states = sorted(SmsMessage.objects.values_list("state", "capped_by"))
    assert states == [("capped", "person_day")] + [("sent", "")] * 3
    [email] = mail.outbox  # the fourth reminder, by e-mail instead
    assert email.to == [young_person.email]
    assert SmsDailyCount.objects.get().count == 3
    assert set(Reminder.objects.values_list("state", flat=True)) == {"sent"}


def test_a_capped_sms_goes_by_push_when_the_phone_has_the_app(
    brevo, client_for, young_person, settings
):
    settings.SMS_MAX_PER_PERSON_PER_DAY = 1
    give_number(client_for, young_person)
    sms_only(young_person)
    Device.objects.create(user=young_person, platform="android", token="phone-1")
    first, second = due_check_ins(young_person, 2)
    assert reminders.dispatch().sent == 2
    [(_key, body)] = brevo.sent
    assert body["tag"] == f"reminder-{first.pk}-sms"
    pushed = RecordedSend.objects.get(channel="push")
    assert (pushed.idempotency_key, pushed.recipient) == (f"reminder-{second.pk}-push", "phone-1")
    assert mail.outbox == []


def test_the_next_day_counts_from_zero(brevo, client_for, young_person, settings, time_machine):
    settings.SMS_MAX_PER_PERSON_PER_DAY = 1
    give_number(client_for, young_person)
    sms_only(young_person)
    time_machine.move_to(timezone.now().replace(hour=10), tick=False)
    due_check_ins(young_person)
    reminders.dispatch()
    time_machine.shift(timedelta(days=1))
    due_check_ins(young_person)
    reminders.dispatch()
    assert len(brevo.sent) == 2
    assert SmsMessage.objects.filter(state="capped").count() == 0


def test_a_departements_monthly_cap_stops_its_sms_not_another_departements(
    brevo, client_for, young_person, other_young_person, make_user, settings
):
    settings.SMS_MAX_PER_DEPARTEMENT_PER_MONTH = 2
    second_93 = make_user("ines@example.org", first_name="Inès")
    second_93.profile.departement_id = "93"
    second_93.profile.save()
    for person, number in (
        (young_person, "0611111111"),
        (second_93, "0622222222"),
        (other_young_person, "0633333333"),
    ):
        give_number(client_for, person, number)
        sms_only(person)
    due_check_ins(young_person, 2)
    due_check_ins(second_93, 1)
    due_check_ins(other_young_person, 1)
    assert reminders.dispatch().sent == 4
    recipients = sorted(body["recipient"] for _key, body in brevo.sent)
    assert recipients == ["33611111111", "33611111111", "33633333333"]
    capped = SmsMessage.objects.get(state="capped")
    assert (capped.user, capped.capped_by) == (second_93, "departement_month")
    counts = dict(SmsMonthlyCount.objects.values_list("departement_id", "count"))
    assert counts == {"93": 2, "75": 1}
    # The capped SMS is not counted against its person's day either.
    assert not SmsDailyCount.objects.filter(user=second_93, count__gt=0).exists()
    [email] = mail.outbox
    assert email.to == [second_93.email]


def test_a_capped_sms_is_counted_once_however_often_the_reminder_is_retried(
    brevo, client_for, young_person, settings
):
    settings.SMS_MAX_PER_PERSON_PER_DAY = 0
    give_number(client_for, young_person)
    sms_only(young_person)
    [reminder] = due_check_ins(young_person)
    key = f"reminder-{reminder.pk}-sms"
    for _ in range(3):
        assert sms.reserve(young_person, key).state == SmsMessage.State.CAPPED
    assert SmsMessage.objects.count() == 1


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent workers need PostgreSQL's row locks"
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_workers_sending_at_once_never_pass_the_caps(make_user, settings):
    settings.SMS_MAX_PER_PERSON_PER_DAY = 3
    settings.SMS_MAX_PER_DEPARTEMENT_PER_MONTH = 20
    for n in range(10):
        person = make_user(f"jeune{n}@example.org", first_name=f"Jeune{n}")
        person.profile.departement_id = "93"
        person.profile.save()
        sms.sms_contact_set(user=person, number=f"06000000{n:02d}")
        sms_only(person)
        due_check_ins(person, 4)
    barrier = threading.Barrier(4)

    def run(worker):
        barrier.wait()
        try:
            return reminders.dispatch(worker=f"w{worker}", batch=5).sent
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert sum(pool.map(run, range(4))) == 40
    sent = SmsMessage.objects.filter(state="sent")
    assert sent.count() == 20 == RecordedSend.objects.filter(channel="sms").count()
    assert SmsMessage.objects.filter(state="capped").count() == 20
    assert SmsMonthlyCount.objects.get(departement_id="93").count == 20
    per_person = {}
    for user_id in sent.values_list("user_id", flat=True):
        per_person[user_id] = per_person.get(user_id, 0) + 1
    assert max(per_person.values()) <= 3
    assert dict(SmsDailyCount.objects.values_list("user_id", "count")) == per_person
    assert len(mail.outbox) == 20  # every capped one by e-mail instead


# --- Receipts -----------------------------------------------------------------------------


def sent_sms(brevo, client_for, user, number="06 12 34 56 78") -> SmsMessage:
    give_number(client_for, user, number)
    due_check_ins(user)
    reminders.dispatch()
    return SmsMessage.objects.get(user=user)


def receipt(message_id, status):
    """A receipt as Brevo posts it for a transactional SMS."""
    return {
        "id": 26570,
        "to": "33612345678",
        "sms_count": 1,
        "credits_used": 1.5,
        "messageId": int(message_id),
        "remaining_credit": 11488.845,
        "msg_status": status,
        "date": "2026-11-02 10:00:00",
        "type": "transactional",
        "reference": "ab1cde2fgh3i4jklmno",
    }


def test_a_delivery_receipt_marks_the_sms_delivered_once(brevo, client_for, young_person, client):
    message = sent_sms(brevo, client_for, young_person)
    answer = client.post(
        RECEIPTS, receipt(message.provider_id, "delivered"), content_type="application/json"
    )
    assert answer.status_code == 200 and answer.json() == {"updated": 1}
    message.refresh_from_db()
    assert message.state == SmsMessage.State.DELIVERED and message.status_at
    # Repeated, or followed by a late "sent" or a bounce: nothing changes.
    for status in ("delivered", "sent", "hard_bounce"):
        again = client.post(
            RECEIPTS, receipt(message.provider_id, status), content_type="application/json"
        )
        assert again.json() == {"updated": 0}
    message.refresh_from_db()
    assert message.state == SmsMessage.State.DELIVERED


def test_a_bounce_receipt_marks_the_sms_failed(brevo, client_for, young_person, client):
    message = sent_sms(brevo, client_for, young_person)
    client.post(
        RECEIPTS, receipt(message.provider_id, "hard_bounce"), content_type="application/json"
    )
    message.refresh_from_db()
    assert (message.state, message.last_error) == ("failed", "receipt: hardbounce")


def test_a_reply_stop_withdraws_the_consent(brevo, client_for, young_person, client):
    message = sent_sms(brevo, client_for, young_person)
    client.post(
        RECEIPTS, receipt(message.provider_id, "unsubscribe"), content_type="application/json"
    )
    assert not SmsContact.objects.filter(user=young_person).exists()
    young_person.profile.refresh_from_db()
    assert young_person.profile.notify_by_sms is False


@pytest.mark.parametrize("path", ["/hooks/sms/wrong-secret/", "/hooks/sms/receipts-5b1f0c9e7/"])
def test_receipts_with_a_wrong_secret_are_not_found(brevo, client_for, young_person, client, path):
    message = sent_sms(brevo, client_for, young_person)
    answer = client.post(
        path, receipt(message.provider_id, "delivered"), content_type="application/json"
    )
    assert answer.status_code == 404
    message.refresh_from_db()
    assert message.state == SmsMessage.State.SENT


def test_without_a_secret_configured_there_is_no_receipts_address(client, settings):
    settings.SMS_WEBHOOK_SECRET = ""
    assert client.post("/hooks/sms/x/", {}, content_type="application/json").status_code == 404
    assert sms.receipts_url() == ""


def test_receipts_are_posted_json_only(brevo, client):
    assert client.get(RECEIPTS).status_code == 405
    assert client.post(RECEIPTS, "not json", content_type="application/json").status_code == 400


# --- Recording, off, erasure --------------------------------------------------------------


def test_the_recording_backend_keeps_each_sms_once_with_the_number_masked(
    client_for, young_person, settings
):
    assert settings.SMS_BACKEND == "recording"  # the embedded default
    give_number(client_for, young_person)
    sms_only(young_person)
    [reminder] = due_check_ins(young_person)
    assert reminders.dispatch().sent == 1
    recorded = RecordedSend.objects.get(channel="sms")
    assert recorded.idempotency_key == f"reminder-{reminder.pk}-sms"
    assert recorded.recipient == "+33…78"
    assert recorded.title.startswith("Où en es-tu ?")


def test_with_sms_off_nobody_is_sent_one(client_for, young_person, settings):
    settings.SMS_BACKEND = "none"
    give_number(client_for, young_person)
    due_check_ins(young_person)
    reminders.dispatch()
    assert not SmsMessage.objects.exists()
    assert not ReminderDelivery.objects.filter(channel="sms").exists()


def test_the_number_is_exported_and_erased_with_the_account(brevo, client_for, young_person):
    sent_sms(brevo, client_for, young_person)
    client = client_for(young_person)
    export = client.get("/api/v1/me/export/").json()
    assert export["mentoring"]["sms"]["number"] == "+33612345678"
    assert [m["state"] for m in export["mentoring"]["sms"]["messages"]] == ["sent"]

    assert client.delete("/api/v1/me/", {"password": PASSWORD}, format="json").status_code == 204
    assert not SmsContact.objects.exists()
    assert not SmsMessage.objects.exists()
    assert not SmsDailyCount.objects.exists()
    # The département's count stays: those SMS were paid for, and it names nobody.
    assert SmsMonthlyCount.objects.get().count == 1


def test_the_operator_sees_the_receipts_address_and_this_months_counts(
    brevo, client_for, young_person, capsys
):
    sent_sms(brevo, client_for, young_person)
    call_command("sms_status")
    shown = capsys.readouterr().out
    assert f"Delivery receipts: https://jalon.example.fr{RECEIPTS}" in shown
    assert "93: 1 / 500" in shown
    assert "SMS backend: brevo (http://127.0.0.1:" in shown
