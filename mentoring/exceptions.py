"""Refusals of mentoring, each with its own status and code in the API's error format."""

from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException


class AlreadyApplied(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "already_applied"
    default_detail = _("You have already applied: change your application instead.")


class MatchConflict(APIException):
    """A pairing that cannot happen now; ``code`` says why."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "match_conflict"
    default_detail = _("This pairing is not possible.")

    def __init__(self, code: str, detail=None):
        super().__init__(detail=detail or MATCH_CONFLICTS[code], code=code)


MATCH_CONFLICTS = {
    "request_not_waiting": _("This request is no longer waiting for a mentor."),
    "already_matched": _("You already have a mentor, or one is considering your request."),
    "mentor_not_matchable": _("This mentor cannot take a mentee at the moment."),
    "mentor_full": _("This mentor has no room for another mentee."),
    "not_compatible": _("This mentor does not fit this request."),
    "wrong_status": _("This match cannot do that in its current state."),
    "pairing_by_coordinator": _("In your département, the coordinator proposes your mentor."),
    "no_departement": _("Tell us your département in your profile first."),
}
