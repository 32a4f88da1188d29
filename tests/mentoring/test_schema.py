"""The published schema says exactly what each action of a match or a meeting takes."""

import pytest

pytestmark = pytest.mark.django_db

MATCH = "/api/v1/mentoring/matches/{match_id}/"
MEETING = "/api/v1/mentoring/meetings/{meeting_id}/"


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from rest_framework.test import APIClient

    with django_db_blocker.unblock():
        response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def _body(schema, path: str) -> dict | None:
    """The request body's schema of ``POST path`` (resolved), or None when it takes none."""
    operation = schema["paths"][path]["post"]
    if "requestBody" not in operation:
        return None
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return schema["components"]["schemas"][ref.rsplit("/", 1)[1]]


def test_no_action_is_a_free_path_parameter(schema):
    assert not [path for path in schema["paths"] if "{action}" in path]
    for path, operations in schema["paths"].items():
        for operation in operations.values():
            parameters = operation.get("parameters", []) if isinstance(operation, dict) else []
            in_path = {p["name"] for p in parameters if p.get("in") == "path"}
            assert "action" not in in_path, path


@pytest.mark.parametrize("action", ["accept", "decline", "pause", "resume", "end", "feedback"])
def test_each_match_action_has_its_own_path_and_only_post(schema, action):
    assert set(schema["paths"][f"{MATCH}{action}/"]) == {"post"}


@pytest.mark.parametrize("action", ["accept", "pause", "resume"])
def test_match_actions_without_a_body_take_none(schema, action):
    assert _body(schema, f"{MATCH}{action}/") is None


def test_only_ending_a_match_needs_a_reason(schema):
    end = _body(schema, f"{MATCH}end/")
    assert end["required"] == ["reason"]
    assert set(end["properties"]) == {"reason", "feedback"}
    for action in ("decline", "feedback"):
        body = _body(schema, f"{MATCH}{action}/")
        assert set(body["properties"]) == {"feedback"}
        assert not body.get("required")


@pytest.mark.parametrize("action", ["accept", "decline", "cancel"])
def test_meeting_answers_take_no_body(schema, action):
    assert set(schema["paths"][f"{MEETING}{action}/"]) == {"post"}
    assert _body(schema, f"{MEETING}{action}/") is None


def test_rescheduling_a_meeting_takes_only_what_changes(schema):
    body = _body(schema, f"{MEETING}reschedule/")
    assert {"starts_at", "place", "video_url"} <= set(body["properties"])
    assert not body.get("required")


def test_calendar_files_only_read(schema):
    assert set(schema["paths"]["/api/v1/me/appointments/{appointment_id}/ics/"]) == {"get"}
    assert set(schema["paths"][f"{MEETING}ics/"]) == {"get"}


def test_the_app_developers_find_every_kind_of_push_in_the_schema(schema):
    """Each kind a reminder is sent as is one the schema documents for the app."""
    from mentoring.agenda import channels, reminders
    from mentoring.models import Reminder

    assert set(reminders.NOTIFICATION_KINDS) == set(Reminder.Kind)
    assert set(reminders.NOTIFICATION_KINDS.values()) == set(channels.KINDS)
    described = schema["paths"]["/api/v1/me/devices/"]["post"]["description"]
    assert "`kind`" in described and "`target_id`" in described
    for kind in channels.KINDS:
        assert f"- `{kind}`: " in described
