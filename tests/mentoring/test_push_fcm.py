"""The FCM backend, through the Firebase Admin SDK, against a local HTTP server standing in
for Google: its OAuth token endpoint (the service account's ``token_uri``) and FCM's
HTTP v1 API (``FCM_ENDPOINT``). Nothing leaves the machine."""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import jwt
import pytest
import time_machine
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from mentoring import agenda
from mentoring.agenda import reminders
from mentoring.agenda.channels import FCMPushBackend, Outgoing, push_backend
from mentoring.models import Device, Reminder, ReminderDelivery

pytestmark = pytest.mark.django_db

PROJECT = "jalon-test"
CLIENT_EMAIL = "push@jalon-test.iam.gserviceaccount.com"
SEND_PATH = f"/v1/projects/{PROJECT}/messages:send"
# What the stand-in answers for each device (by its start: "phone-ok-3:APA91b" is "phone-ok").
# A registration token is "FID:token"; a Firebase installation ID alone has no colon.
UNREGISTERED = {
    "error": {
        "code": 404,
        "message": "Requested entity was not found.",
        "status": "NOT_FOUND",
        "details": [
            {
                "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError",
                "errorCode": "UNREGISTERED",
            }
        ],
    }
}
ANSWERS = {
    "phone-ok": (200, {"name": f"projects/{PROJECT}/messages/1"}),
    "phone-uninstalled": (404, UNREGISTERED),
    "phone-invalid": (
        400,
        {"error": {"code": 400, "message": "Invalid payload", "status": "INVALID_ARGUMENT"}},
    ),
}


@pytest.fixture(scope="module")
def private_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class StandIn(BaseHTTPRequestHandler):
    """Google's token endpoint (``/token``) and FCM's send endpoint, on 127.0.0.1."""

    public_key = None
    token_uri = ""
    tokens: list = []  # every token request's decoded assertion
    sent: list = []  # every message: (path, Authorization header, message)
    expires_in = 3600
    refuse_tokens = False  # a revoked key: the token endpoint answers invalid_grant
    revoked: set = set()  # access tokens FCM answers 401 to

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.path == "/token":
            self._token(parse_qs(body.decode()))
        else:
            self._send(json.loads(body))

    def _token(self, form):
        if self.refuse_tokens:
            return self._answer(400, {"error": "invalid_grant", "error_description": "Invalid"})
        assert form["grant_type"] == ["urn:ietf:params:oauth:grant-type:jwt-bearer"]
        # The SDK signs its request with the service account's private key.
        claims = jwt.decode(
            form["assertion"][0],
            self.public_key,
            algorithms=["RS256"],
            audience="https://oauth2.googleapis.com/token",  # Google's, whatever the URI
            options={"verify_iat": False},
        )
        self.tokens.append(claims)
        self._answer(
            200,
            {
                "access_token": f"access-token-{len(self.tokens)}",
                "expires_in": self.expires_in,
                "token_type": "Bearer",
            },
        )

    def _send(self, payload):
        authorization = self.headers["Authorization"]
        self.sent.append((self.path, authorization, payload["message"]))
        if authorization.removeprefix("Bearer ") in self.revoked:
            return self._answer(401, {"error": {"code": 401, "status": "UNAUTHENTICATED"}})
        message = payload["message"]
        token = message.get("token") or message["fid"]
        status, body = next(answer for start, answer in ANSWERS.items() if token.startswith(start))
        self._answer(status, body)

    def _answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def google(settings, tmp_path, private_key, monkeypatch):
    """The stand-in running, a service account's key pointing at it, PUSH_BACKEND=fcm."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    StandIn.public_key = private_key.public_key()
    StandIn.token_uri = f"{base}/token"
    StandIn.tokens, StandIn.sent, StandIn.revoked = [], [], set()
    StandIn.expires_in, StandIn.refuse_tokens = 3600, False
    key_file = tmp_path / "service-account.json"
    key_file.write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": PROJECT,
                "private_key_id": "key-1",
                "private_key": private_key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                ).decode(),
                "client_email": CLIENT_EMAIL,
                "client_id": "1",
                "token_uri": StandIn.token_uri,
            }
        )
    )
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    settings.PUSH_BACKEND = "fcm"
    settings.FCM_CREDENTIALS_FILE = str(key_file)
    settings.FCM_PROJECT_ID = ""  # the key's
    settings.FCM_ENDPOINT = base
    yield StandIn
    server.shutdown()
    server.server_close()


def _devices(user, *tokens):
    for token in tokens:
        Device.objects.create(user=user, platform=Device.Platform.ANDROID, token=token)


def _authorizations(google):
    return [authorization for _path, authorization, _message in google.sent]


def test_a_phone_gets_the_words_the_kind_and_the_target(google, young_person):
    _devices(young_person, "phone-ok:APA91b-1")
    message = Outgoing(
        "Un rendez-vous bientôt",
        "Ouvrez Jalon pour voir le détail.",
        "reminder-7-push",
        kind="meeting",
        target_id="42",
    )
    assert push_backend().send_many([(young_person, message)]) == {}
    [(path, authorization, sent)] = google.sent
    assert path == SEND_PATH
    assert authorization == "Bearer access-token-1"
    assert sent["token"] == "phone-ok:APA91b-1"
    assert sent["notification"] == {
        "title": "Un rendez-vous bientôt",
        "body": "Ouvrez Jalon pour voir le détail.",
    }
    assert sent["data"] == {"kind": "meeting", "target_id": "42"}
    # FCM has no idempotency header: a repeat replaces the shown notification instead.
    assert sent["android"]["collapse_key"] == "reminder-7-push"
    assert sent["apns"]["headers"]["apns-collapse-id"] == "reminder-7-push"
    # The SDK got its token with the service account's signed assertion.
    [claims] = google.tokens
    assert claims["iss"] == CLIENT_EMAIL
    assert "https://www.googleapis.com/auth/cloud-platform" in claims["scope"].split()


def test_a_phone_registered_by_its_installation_id_is_reached_by_fid(google, young_person):
    _devices(young_person, "phone-ok-fid")  # from the newer client SDKs' register()
    assert push_backend().send_many([(young_person, Outgoing("Rappel", "", "r-0-push"))]) == {}
    [(_path, _auth, sent)] = google.sent
    assert sent["fid"] == "phone-ok-fid" and "token" not in sent


def test_the_access_token_is_reused_then_refreshed_once_it_expires(google, young_person):
    _devices(young_person, "phone-ok:APA91b-1")
    with time_machine.travel(timezone.now()) as clock:
        for n in range(3):
            message = Outgoing("Rappel", "", f"reminder-{n}-push", kind="check_in")
            assert push_backend().send_many([(young_person, message)]) == {}
            clock.shift(timedelta(minutes=31))  # the token lasts an hour
    assert _authorizations(google) == [
        "Bearer access-token-1",
        "Bearer access-token-1",  # 31 minutes later, still valid: no new token asked
        "Bearer access-token-2",  # 62 minutes after the first: a new one
    ]
    assert len(google.tokens) == 2


def test_a_token_fcm_refuses_is_replaced_and_the_message_still_sent(google, young_person):
    _devices(young_person, "phone-ok:APA91b-1")
    backend = push_backend()
    assert backend.send_many([(young_person, Outgoing("Rappel", "", "r-1-push"))]) == {}
    google.revoked.add("access-token-1")  # revoked before it expired
    assert backend.send_many([(young_person, Outgoing("Rappel", "", "r-2-push"))]) == {}
    assert _authorizations(google)[-2:] == ["Bearer access-token-1", "Bearer access-token-2"]


def test_an_uninstalled_app_is_forgotten_and_the_other_phone_still_reached(google, young_person):
    _devices(young_person, "phone-uninstalled:APA91b-2", "phone-ok:APA91b-1")
    message = Outgoing("Rappel", "", "reminder-8-push")
    assert push_backend().send_many([(young_person, message)]) == {}
    assert list(Device.objects.values_list("token", flat=True)) == ["phone-ok:APA91b-1"]
    assert {sent["token"] for _path, _auth, sent in google.sent} == {
        "phone-uninstalled:APA91b-2",
        "phone-ok:APA91b-1",
    }


def test_a_refused_message_fails_that_person_only(google, young_person, other_young_person):
    _devices(young_person, "phone-invalid:APA91b-3")
    _devices(other_young_person, "phone-ok:APA91b-1")
    failures = push_backend().send_many(
        [
            (young_person, Outgoing("Rappel", "", "reminder-9-push")),
            (other_young_person, Outgoing("Rappel", "", "reminder-10-push")),
        ]
    )
    assert list(failures) == [0]
    assert "HTTP 400" in failures[0] and "INVALID_ARGUMENT" in failures[0]
    assert "APA91b" not in failures[0]  # the error is stored: no device token in it
    assert Device.objects.count() == 2  # a refused message is no reason to forget a phone


def test_a_not_found_that_is_not_an_uninstalled_app_forgets_no_phone(
    google, young_person, monkeypatch
):
    # A wrong project or endpoint answers 404 too, without UNREGISTERED.
    monkeypatch.setitem(
        ANSWERS, "phone-uninstalled", (404, {"error": {"code": 404, "status": "NOT_FOUND"}})
    )
    _devices(young_person, "phone-uninstalled:APA91b-2")
    failures = push_backend().send_many([(young_person, Outgoing("Rappel", "", "r-11-push"))])
    assert "HTTP 404" in failures[0]
    assert Device.objects.count() == 1


def test_a_batch_reads_the_phones_in_one_query(google, make_user, django_assert_max_num_queries):
    people = [make_user(f"jeune{n}@example.org") for n in range(20)]
    for n, person in enumerate(people):
        _devices(person, f"phone-ok-{n}:APA91b" if n else "phone-uninstalled:APA91b-2")
    items = [(person, Outgoing("Rappel", "", f"r-{n}-push")) for n, person in enumerate(people)]
    backend = push_backend()
    with django_assert_max_num_queries(3):  # the phones, and forgetting the uninstalled one
        assert backend.send_many(items) == {}
    assert len(google.sent) == 20 and Device.objects.count() == 19
    assert len(google.tokens) == 1  # one token for the whole batch, not one per thread


def test_a_due_reminder_reaches_the_phone_with_its_appointment(google, young_person):
    _devices(young_person, "phone-ok:APA91b-1")
    appointment = agenda.appointment_save(
        owner=young_person,
        data={
            "title": "CAF",
            "starts_at": timezone.now() + timedelta(minutes=61),
            "reminder_offsets": [60],
        },
    )
    stats = reminders.dispatch(now=timezone.now() + timedelta(minutes=2))
    assert stats.sent == 1
    [(_path, _auth, sent)] = google.sent
    assert sent["data"] == {"kind": "appointment", "target_id": str(appointment.pk)}
    assert "CAF" not in json.dumps(sent)  # discreet: the title stays in the app
    delivery = ReminderDelivery.objects.get(channel="push")
    assert delivery.state == "sent"
    assert sent["android"]["collapse_key"] == delivery.idempotency_key


def test_a_refused_service_account_leaves_the_push_to_a_retry(google, young_person):
    google.refuse_tokens = True  # the key was revoked in the Firebase console
    _devices(young_person, "phone-ok:APA91b-1")
    agenda.appointment_save(
        owner=young_person,
        data={
            "title": "CAF",
            "starts_at": timezone.now() + timedelta(minutes=61),
            "reminder_offsets": [60],
        },
    )
    stats = reminders.dispatch(now=timezone.now() + timedelta(minutes=2))
    assert (stats.sent, stats.retried) == (0, 1)
    assert not google.sent
    assert ReminderDelivery.objects.get(channel="push").state == "failed"
    assert Reminder.objects.get().state == "pending"  # tried again later


def test_google_application_credentials_is_read_when_no_file_is_set(
    google, young_person, settings, monkeypatch
):
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", settings.FCM_CREDENTIALS_FILE)
    settings.FCM_CREDENTIALS_FILE = ""
    _devices(young_person, "phone-ok:APA91b-1")
    assert push_backend().send_many([(young_person, Outgoing("Rappel", "", "r-12-push"))]) == {}
    assert _authorizations(google) == ["Bearer access-token-1"]


def test_fcm_without_credentials_says_what_it_needs(settings, monkeypatch, tmp_path):
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    settings.FCM_CREDENTIALS_FILE = ""
    with pytest.raises(ImproperlyConfigured, match="FCM_CREDENTIALS_FILE"):
        FCMPushBackend()
    settings.FCM_CREDENTIALS_FILE = str(tmp_path / "missing.json")
    with pytest.raises(ImproperlyConfigured, match=r"missing\.json"):
        FCMPushBackend()
    (tmp_path / "user.json").write_text(json.dumps({"type": "authorized_user"}))
    settings.FCM_CREDENTIALS_FILE = str(tmp_path / "user.json")
    with pytest.raises(ImproperlyConfigured, match="service account"):
        FCMPushBackend()
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "user.json"))
    settings.FCM_CREDENTIALS_FILE = ""
    with pytest.raises(ImproperlyConfigured, match="FCM_PROJECT_ID"):  # such a file has none
        FCMPushBackend()
