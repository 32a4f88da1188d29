"""The FCM backend against a local HTTP server standing in for Firebase (outside the machine)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from mentoring.agenda.channels import FCMPushBackend, Outgoing
from mentoring.models import Device

pytestmark = pytest.mark.django_db

# What the fake provider answers for each device token.
ANSWERS = {  # by the start of the device token
    "phone-ok": 200,
    "phone-uninstalled": 404,
    "phone-broken": 500,
}
# FCM's documented body for an uninstalled app.
BODIES = {
    404: {
        "error": {
            "code": 404,
            "status": "NOT_FOUND",
            "details": [
                {
                    "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError",
                    "errorCode": "UNREGISTERED",
                }
            ],
        }
    }
}


class FakeFirebase(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):
        payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.received.append((self.path, self.headers["Authorization"], payload["message"]))
        token = payload["message"]["token"]  # "phone-ok-3" answers as "phone-ok"
        status = next(answer for prefix, answer in ANSWERS.items() if token.startswith(prefix))
        self.send_response(status)
        self.end_headers()
        self.wfile.write(json.dumps(BODIES.get(status, {})).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def firebase(settings, tmp_path, monkeypatch):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeFirebase)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    token_file = tmp_path / "fcm-token"
    token_file.write_text("access-token-1\n")
    settings.FCM_PROJECT_ID = "jalon-test"
    settings.FCM_TOKEN_FILE = str(token_file)
    monkeypatch.setattr(
        FCMPushBackend,
        "endpoint",
        f"http://127.0.0.1:{server.server_port}/v1/projects/{{project}}/messages:send",
    )
    FakeFirebase.received = []
    yield FakeFirebase.received
    server.shutdown()
    server.server_close()


def _devices(user, *tokens):
    for token in tokens:
        Device.objects.create(user=user, platform=Device.Platform.ANDROID, token=token)


def test_every_phone_gets_the_message_with_its_idempotency_key(firebase, young_person):
    _devices(young_person, "phone-ok")
    message = Outgoing("Vous avez un rappel", "Ouvrez l'application", "reminder-7-push")
    assert FCMPushBackend().send_many([(young_person, message)]) == {}
    path, authorization, sent = firebase[0]
    assert path == "/v1/projects/jalon-test/messages:send"
    assert authorization == "Bearer access-token-1"
    assert sent["android"]["collapse_key"] == "reminder-7-push"
    assert sent["notification"]["title"] == "Vous avez un rappel"


def test_an_uninstalled_app_is_forgotten_and_the_other_phone_still_reached(firebase, young_person):
    _devices(young_person, "phone-uninstalled", "phone-ok")
    message = Outgoing("Rappel", "", "reminder-8-push")
    assert FCMPushBackend().send_many([(young_person, message)]) == {}
    assert list(Device.objects.values_list("token", flat=True)) == ["phone-ok"]
    assert len(firebase) == 2


def test_a_provider_error_fails_that_person_only(firebase, young_person, other_young_person):
    _devices(young_person, "phone-broken")
    _devices(other_young_person, "phone-ok")
    failures = FCMPushBackend().send_many(
        [
            (young_person, Outgoing("Rappel", "", "reminder-9-push")),
            (other_young_person, Outgoing("Rappel", "", "reminder-10-push")),
        ]
    )
    assert list(failures) == [0] and "HTTP 500" in failures[0]
    assert Device.objects.count() == 2  # a server error is not a reason to forget a phone


def test_a_not_found_that_is_not_an_uninstalled_app_forgets_no_phone(
    firebase, young_person, monkeypatch
):
    # A wrong project or endpoint answers 404 too, without UNREGISTERED.
    monkeypatch.setitem(BODIES, 404, {"error": {"code": 404, "status": "NOT_FOUND"}})
    _devices(young_person, "phone-uninstalled")
    failures = FCMPushBackend().send_many([(young_person, Outgoing("Rappel", "", "r-11-push"))])
    assert "HTTP 404" in failures[0]
    assert Device.objects.count() == 1


def test_a_batch_reads_the_phones_in_one_query(firebase, make_user, django_assert_max_num_queries):
    people = [make_user(f"jeune{n}@example.org") for n in range(20)]
    for n, person in enumerate(people):
        _devices(person, f"phone-ok-{n}" if n else "phone-uninstalled")
    items = [(person, Outgoing("Rappel", "", f"r-{n}-push")) for n, person in enumerate(people)]
    with django_assert_max_num_queries(3):  # the phones, and forgetting the uninstalled one
        assert FCMPushBackend().send_many(items) == {}
    assert len(firebase) == 20 and Device.objects.count() == 19
