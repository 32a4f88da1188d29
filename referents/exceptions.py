"""What the referents' services refuse (``backend.errors.DomainError`` subclasses)."""

from http import HTTPStatus

from django.utils.translation import gettext_lazy as _

from backend.errors import DomainError


class InvitationInvalid(DomainError):
    """The code or invitation does not open a link (wrong, expired, withdrawn, used)."""

    status = HTTPStatus.BAD_REQUEST
    code = "invitation_invalid"
    message = _(
        "This invitation code is not valid or has expired. Check it with the professional "
        "who gave it to you."
    )


class TooManyCodeAttempts(DomainError):
    status = HTTPStatus.TOO_MANY_REQUESTS
    code = "too_many_code_attempts"
    message = _("Too many wrong codes. Try again in an hour.")


class InvitationRefused(DomainError):
    """Only a référent invites to link, and only staff of the département invite référents."""

    status = HTTPStatus.FORBIDDEN
    code = "invitation_refused"
    message = _("You cannot send this invitation.")


class AlreadyLinked(DomainError):
    status = HTTPStatus.CONFLICT
    code = "already_linked"
    message = _("You are already linked with this professional.")


class LinkConflict(DomainError):
    status = HTTPStatus.CONFLICT
    code = "link_conflict"
    message = _("This is not possible now.")


class EntryNotFound(DomainError):
    """The procedure proposed is not (or no longer) in the catalogue."""

    status = HTTPStatus.NOT_FOUND
    code = "entry_not_found"
    message = _("This procedure is no longer in the catalogue.")
