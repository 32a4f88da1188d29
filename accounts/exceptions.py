"""What the accounts' services refuse (``backend.errors.DomainError`` subclasses)."""

from http import HTTPStatus

from django.utils.translation import gettext_lazy as _

from backend.errors import DomainError


class EnrolmentRefused(DomainError):
    """A staff second factor cannot be set up (or a code issued) this way."""

    status = HTTPStatus.FORBIDDEN
    code = "enrolment_refused"
    message = _("Setting up two-factor authentication needs a valid enrolment code.")
