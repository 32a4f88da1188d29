"""Refusals of the vault, each with its own status and code in the API's error format."""

from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException


class FileTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "file_too_large"
    default_detail = _("This file is too large for the vault.")


class QuotaExceeded(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "quota_exceeded"
    default_detail = _("Your vault is full: delete a document to make room for this one.")


class UnsupportedFileType(APIException):
    status_code = status.HTTP_415_UNSUPPORTED_MEDIA_TYPE
    default_code = "unsupported_file_type"
    default_detail = _("Only PDF, JPEG, PNG, WebP and HEIC files can go in the vault.")


class DocumentCorrupted(APIException):
    """The stored document failed its integrity check: nothing of it is sent."""

    status_code = status.HTTP_500_INTERNAL_SERVER_ERROR
    default_code = "document_integrity_error"
    default_detail = _(
        "This document failed its integrity check and was not sent. Our team has been told."
    )


class NoActiveMentor(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "no_active_mentor"
    default_detail = _("You have no mentor to share this document with.")


class ShareGone(APIException):
    status_code = status.HTTP_410_GONE
    default_code = "share_gone"
    default_detail = _("This link has expired or was withdrawn by its owner.")


class ShareCodeRequired(APIException):
    status_code = status.HTTP_403_FORBIDDEN
    default_code = "share_code_invalid"
    default_detail = _("This link needs the code its owner gave you.")
