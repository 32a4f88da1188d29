"""Refusals of mentoring, each with its own status and code in the API's error format."""

from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException


class AlreadyApplied(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "already_applied"
    default_detail = _("You have already applied: change your application instead.")
