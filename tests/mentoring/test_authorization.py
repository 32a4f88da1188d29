"""Who reaches what in mentoring: a match, its messages and meetings are its two members'
only; applications are mentors', requests and appointments young people's; devices and
the inbox everyone's own (endpoint x role matrix, see tests/authorization.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from mentoring import agenda, conversations
from mentoring.models import Notification
from tests.authorization import World, cases, check

from .factories import mentor_application, mentoring_match, request_data

pytestmark = pytest.mark.django_db

MATCH = "mentoring/matches/{match_id}/"
MEETING = "mentoring/meetings/{meeting_id}/"
APPOINTMENT = "me/appointments/{appointment_id}/"

# The world: the 93 young person and their mentor in an active match, a message, a meeting
# the mentor proposed, the young person's appointment, device and notification. Outsiders
# (the young person of 75, a mentor in no match with them, staff) get 404 on the pair's
# objects, as for objects that do not exist.
# fmt: off
MATRIX = {
    #   anon   yp yp75  mtr  m75  ref rfew runl rend  r75 co93 st93 st75 pa93  nat   su
    # Only a mentor's account applies: a référent is a professional, vetted by the
    # département, not a volunteer (403 like staff, whatever their links).
    ("GET", "mentoring/mentor-application/"):
        (401, 403, 403, 200, 404, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "mentoring/mentor-application/"):
        (401, 403, 403, 409, 201, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("PATCH", "mentoring/mentor-application/"):
        (401, 403, 403, 200, 404, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("GET", "mentoring/request/"):
        (401, 200, 404, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    # With a waiting request (the young person of 75 has none: they may ask).
    ("POST", "mentoring/request/"):
        (401, 409, 201, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("DELETE", "mentoring/request/"):
        (401, 204, 404, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("GET", "mentoring/request/proposals/"):
        (401, 200, 404, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "mentoring/request/pick/"):
        (401, 201, 404, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    # Anyone signed in has a list of matches (theirs: empty but for the pair).
    ("GET", "mentoring/matches/"):
        (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", MATCH):
        (401, 200, 404, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    # A proposed match (the young person picked): only the mentor answers.
    ("POST", MATCH + "accept/"):
        (401, 403, 404, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    ("POST", MATCH + "decline/"):
        (401, 403, 404, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    ("POST", MATCH + "pause/"):
        (401, 200, 404, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    # Paused by the mentor: only they resume it.
    ("POST", MATCH + "resume/"):
        (401, 409, 404, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    ("POST", MATCH + "end/"):
        (401, 200, 404, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    # An ended match.
    ("POST", MATCH + "feedback/"):
        (401, 200, 404, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    ("GET", MATCH + "messages/"):
        (401, 200, 404, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    ("POST", MATCH + "messages/"):
        (401, 201, 404, 201, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    ("POST", MATCH + "messages/read/"):
        (401, 204, 404, 204, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    ("POST", MATCH + "report/"):
        (401, 201, 404, 201, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    ("GET", MATCH + "meetings/"):
        (401, 200, 404, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    ("POST", MATCH + "meetings/"):
        (401, 201, 404, 201, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    ("GET", MEETING):
        (401, 200, 404, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    ("GET", MEETING + "ics/"):
        (401, 200, 404, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    # The mentor proposed the meeting: the young person answers it.
    ("POST", MEETING + "accept/"):
        (401, 200, 404, 409, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    ("POST", MEETING + "decline/"):
        (401, 200, 404, 409, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    ("POST", MEETING + "reschedule/"):
        (401, 200, 404, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    ("POST", MEETING + "cancel/"):
        (401, 200, 404, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    ("GET", "me/appointments/"):
        (401, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "me/appointments/"):
        (401, 201, 201, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("GET", APPOINTMENT):
        (401, 200, 404, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("PATCH", APPOINTMENT):
        (401, 200, 404, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("DELETE", APPOINTMENT):
        (401, 204, 404, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("GET", APPOINTMENT + "ics/"):
        (401, 200, 404, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    # The .ics file is read-only: PATCH and DELETE are not served (405) once the view
    # stops inheriting them from the detail view.
    ("PATCH", APPOINTMENT + "ics/"):
        (401, 405, 405, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("DELETE", APPOINTMENT + "ics/"):
        (401, 405, 405, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("GET", "me/devices/"):
        (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("POST", "me/devices/"):
        (401, 201, 201, 201, 201, 201, 201, 201, 201, 201, 201, 201, 201, 201, 201, 201),
    ("DELETE", "me/devices/{device_id}/"):
        (401, 204, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    # One's own number for SMS: anyone signed in (a référent or a mentor gets the calls for help).
    ("GET", "me/sms/"):
        (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("PUT", "me/sms/"):
        (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("DELETE", "me/sms/"):
        (401, 204, 204, 204, 204, 204, 204, 204, 204, 204, 204, 204, 204, 204, 204, 204),
    ("GET", "me/notifications/"):
        (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("POST", "me/notifications/read/"):
        (401, 204, 204, 204, 204, 204, 204, 204, 204, 204, 204, 204, 204, 204, 204, 204),
}
# fmt: on
# Methods a route must refuse (405): cases the route walker does not ask the URLconf for.
NOT_SERVED = {("PATCH", APPOINTMENT + "ics/"), ("DELETE", APPOINTMENT + "ics/")}
XFAIL: dict = {}
# The state of the pair's match a case needs (default: active).
STATES = {
    ("POST", "mentoring/request/"): "waiting",
    ("DELETE", "mentoring/request/"): "waiting",
    ("GET", "mentoring/request/proposals/"): "waiting",
    ("POST", "mentoring/request/pick/"): "waiting",
    ("POST", MATCH + "accept/"): "proposed",
    ("POST", MATCH + "decline/"): "proposed",
    ("POST", MATCH + "resume/"): "paused",
    ("POST", MATCH + "feedback/"): "ended",
}
SOON = timezone.now() + timedelta(days=7)
BODIES = {
    ("POST", "mentoring/mentor-application/"): lambda objects: {
        **mentor_application(departement="93", latitude=48.91, longitude=2.44)
    },
    ("PATCH", "mentoring/mentor-application/"): lambda objects: {"organisation": "Parrainage"},
    ("POST", "mentoring/request/"): lambda objects: request_data(),
    ("POST", "mentoring/request/pick/"): lambda objects: {"mentor": objects["mentor"].pk},
    ("POST", MATCH + "decline/"): lambda objects: {"feedback": "Pas disponible"},
    ("POST", MATCH + "end/"): lambda objects: {"reason": "goals_reached"},
    ("POST", MATCH + "feedback/"): lambda objects: {"feedback": "Merci"},
    ("POST", MATCH + "messages/"): lambda objects: {"body": "Bonjour"},
    ("POST", MATCH + "report/"): lambda objects: {"reason": "Propos déplacés"},
    ("POST", MATCH + "meetings/"): lambda objects: {
        "starts_at": (SOON + timedelta(days=1)).isoformat(),
        "place": "Médiathèque",
    },
    ("POST", MEETING + "reschedule/"): lambda objects: {
        "starts_at": (SOON + timedelta(days=2)).isoformat()
    },
    ("POST", "me/appointments/"): lambda objects: {
        "title": "Mission locale",
        "starts_at": SOON.isoformat(),
    },
    ("PATCH", APPOINTMENT): lambda objects: {"title": "CAF"},
    ("PATCH", APPOINTMENT + "ics/"): lambda objects: {"title": "CAF"},
    ("POST", "me/devices/"): lambda objects: {"platform": "android", "token": "new-token"},
    ("POST", "me/notifications/read/"): lambda objects: {},
    ("PUT", "me/sms/"): lambda objects: {"number": "06 12 34 56 78", "consent": True},
}


@pytest.fixture
def make_world(young_person, mentor, coordinator_93):
    def _make(state: str) -> World:
        _request, match = mentoring_match(
            young_person=young_person,
            mentor=mentor,
            coordinator=coordinator_93,
            state=state,
            picked=True,
        )
        args = {}
        if match is not None:
            args["match_id"] = match.pk
        if state == "active":
            conversations.message_send(match=match, sender=mentor, body="Bienvenue")
            meeting = agenda.meeting_propose(
                match=match, by=mentor, data={"starts_at": SOON, "place": "Médiathèque"}
            )
            args["meeting_id"] = meeting.pk
        appointment = agenda.appointment_save(
            owner=young_person, data={"title": "Préfecture", "starts_at": SOON}
        )
        device = agenda.device_register(user=young_person, platform="ios", token="phone-1")
        # Delivered reminders write these rows; no service makes one by hand.
        Notification.objects.create(user=young_person, title="Rendez-vous demain")
        return World(
            args={**args, "appointment_id": appointment.pk, "device_id": device.pk},
            objects={"mentor": mentor},
        )

    return _make


@pytest.mark.parametrize(("key", "statuses"), cases(MATRIX, XFAIL))
def test_matrix(key, statuses, make_world, request):
    world = make_world(STATES.get(key, "active"))
    check(key, statuses, world=world, request=request, bodies=BODIES)
