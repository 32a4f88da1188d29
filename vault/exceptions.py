"""Refusals of the vault: domain errors, each with its code (the API adds the status)."""

from http import HTTPStatus

from django.utils.translation import gettext_lazy as _

from backend.errors import DomainError


class FileTooLarge(DomainError):
    status = HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    code = "file_too_large"
    message = _("This file is too large for the vault.")


class QuotaExceeded(DomainError):
    status = HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    code = "quota_exceeded"
    message = _("Your vault is full: delete a document to make room for this one.")


class UnsupportedFileType(DomainError):
    status = HTTPStatus.UNSUPPORTED_MEDIA_TYPE
    code = "unsupported_file_type"
    message = _("Only PDF, JPEG, PNG, WebP and HEIC files can go in the vault.")


class DocumentCorrupted(DomainError):
    """The stored document failed its integrity check: nothing of it is sent."""

    status = HTTPStatus.INTERNAL_SERVER_ERROR
    code = "document_integrity_error"
    message = _(
        "This document failed its integrity check and was not sent. Our team has been told."
    )


class NoActiveMentor(DomainError):
    status = HTTPStatus.CONFLICT
    code = "no_active_mentor"
    message = _("You have no mentor to share this document with.")


class NotLinkedReferent(DomainError):
    status = HTTPStatus.CONFLICT
    code = "not_linked_referent"
    message = _("This person is not one of your référents: link them first.")


class ShareGone(DomainError):
    status = HTTPStatus.GONE
    code = "share_gone"
    message = _("This link has expired or was withdrawn by its owner.")


class ShareCodeRequired(DomainError):
    status = HTTPStatus.FORBIDDEN
    code = "share_code_invalid"
    message = _("This link needs the code its owner gave you.")
