"""The FCM backend against a local HTTP server standing in for Firebase (outside the machine)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from mentoring.channels import FCMPushBackend, Outgoing
from mentoring.models import Device

pytestmark = pytest.mark.django_db

# What the fake provider answers for each device token.
ANSWERS = {"phone-ok": 200, "phone-uninstalled": 404, "phone-broken": 500}


class FakeFirebase(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):
        payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.received.append((self.path, self.headers["Authorization"], payload["message"]))
        self.send_response(ANSWERS[payload["message"]["token"]])
        self.end_headers()
        self.wfile.write(b"{}")

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
