"""The path to autonomy's refusals, in the project's one error format."""

from http import HTTPStatus

from django.utils.translation import gettext_lazy as _

from backend.errors import DomainError


class NotLeftCare(DomainError):
    """The six-month interview follows the end of care: the profile must say when."""

    status = HTTPStatus.CONFLICT
    code = "care_not_ended"
    message = _("Tell us in your profile when your care ended first.")


class InterviewAlreadyHeld(DomainError):
    status = HTTPStatus.CONFLICT
    code = "interview_already_held"
    message = _("This interview has already taken place.")


class InterviewRefused(DomainError):
    status = HTTPStatus.BAD_REQUEST
    code = "interview_refused"
    message = _("This interview cannot be recorded.")


class ProjetRefused(DomainError):
    """A write of the projet that does not hold (an entry not in the catalogue...)."""

    status = HTTPStatus.BAD_REQUEST
    code = "projet_refused"
    message = _("This change of the projet cannot be made.")


class AssessmentRefused(DomainError):
    status = HTTPStatus.BAD_REQUEST
    code = "assessment_refused"
    message = _("These answers cannot be recorded.")


class CheckInRefused(DomainError):
    status = HTTPStatus.BAD_REQUEST
    code = "check_in_refused"
    message = _("This check-in cannot be recorded.")
