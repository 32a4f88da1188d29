"""Refusals of mentoring: domain errors, each with its code (the API adds the status)."""

from http import HTTPStatus

from django.utils.translation import gettext_lazy as _

from backend.errors import DomainError


class AlreadyApplied(DomainError):
    status = HTTPStatus.CONFLICT
    code = "already_applied"
    message = _("You have already applied: change your application instead.")


class MatchConflict(DomainError):
    """A pairing that cannot happen now; ``code`` says why."""

    status = HTTPStatus.CONFLICT
    code = "match_conflict"
    message = _("This pairing is not possible.")

    def __init__(self, code: str, message=None):
        super().__init__(message or MATCH_CONFLICTS[code], code=code)


class NotTheMentor(DomainError):
    """Only the mentor of a match answers the young person's pick."""

    status = HTTPStatus.FORBIDDEN
    code = "permission_denied"
    message = _("Only the mentor answers a proposal.")


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
