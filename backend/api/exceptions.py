"""The API's single error format, for every 4xx and 5xx.

Every error answer has the same body (documented in README.md, "Errors")::

    {"error": {"status": 400, "code": "invalid", "message": "...",
               "fields": {"profile.birth_date": [{"code": "...", "message": "..."}]}}}

``fields`` is empty unless the request body was invalid; its keys are dotted paths
into the submitted JSON (``non_field_errors`` for errors about the whole object).
"""

import logging
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django.views import csrf, defaults
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler

from backend.errors import DomainError

logger = logging.getLogger(__name__)

NON_FIELD_ERRORS = "non_field_errors"


def error_body(
    *, status_code: int, code: str, message: str, fields: dict | None = None
) -> dict[str, Any]:
    """Build the body of an error answer."""
    return {
        "error": {
            "status": status_code,
            "code": code,
            "message": message,
            "fields": fields or {},
        }
    }


def _flatten_field_errors(detail: Any, path: str = "") -> Iterator[tuple[str, dict]]:
    if isinstance(detail, dict):
        for key, value in detail.items():
            yield from _flatten_field_errors(value, f"{path}.{key}" if path else str(key))
    elif isinstance(detail, list):
        for index, item in enumerate(detail):
            if isinstance(item, dict | list):
                yield from _flatten_field_errors(item, f"{path}.{index}" if path else str(index))
            else:
                yield from _flatten_field_errors(item, path)
    else:
        yield (
            path or NON_FIELD_ERRORS,
            {"code": getattr(detail, "code", "invalid"), "message": str(detail)},
        )


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"
    default_detail = gettext_lazy("The request is too large.")


def field_errors(detail: Any) -> dict[str, list[dict]]:
    """Turn DRF's nested validation detail into ``{"a.b": [{"code", "message"}]}``."""
    fields: dict[str, list[dict]] = {}
    for path, error in _flatten_field_errors(detail):
        fields.setdefault(path, []).append(error)
    return fields


def _domain_refusal(error: DomainError) -> exceptions.APIException:
    exc = exceptions.APIException(detail=error.message, code=error.code)
    exc.status_code = error.status
    return exc


def api_exception_handler(exc: Exception, context: dict) -> Response:
    """DRF exception handler: every exception becomes an answer in the error format.

    Domain refusals (``backend.errors.DomainError``) get their status and code here, and
    only here: services never raise HTTP exceptions.
    """
    if isinstance(exc, DomainError):
        exc = _domain_refusal(exc)
    elif isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    elif isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        exc = exceptions.ParseError(_("The request has too many fields."), "too_many_fields")
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=as_serializer_error(exc))

    response = exception_handler(exc, context)
    if response is None:
        logger.exception("Unhandled error in %s", context.get("view"), exc_info=exc)
        return Response(
            error_body(
                status_code=500,
                code="server_error",
                message=_("An unexpected error occurred. Please try again later."),
            ),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )

    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body(
            status_code=response.status_code,
            code="invalid",
            message=_("The submitted data is not valid."),
            fields=field_errors(exc.detail),
        )
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        response.data = error_body(
            status_code=response.status_code,
            code=str(getattr(detail, "code", None) or getattr(exc, "default_code", "error")),
            message=str(detail),
        )
    return response


def _django_error_view(status_code: int, code: str, message: str):
    """Make a Django error view (404, 500...) that answers in the API format under /api/."""
    default_views = {
        400: defaults.bad_request,
        403: defaults.permission_denied,
        404: defaults.page_not_found,
        500: defaults.server_error,
    }

    def view(request, exception=None):
        if request.path.startswith("/api/"):
            return JsonResponse(
                error_body(status_code=status_code, code=code, message=_(message)),
                status=status_code,
            )
        if status_code == 500:
            return default_views[500](request)
        return default_views[status_code](request, exception)

    return view


bad_request = _django_error_view(400, "bad_request", gettext_noop("Bad request."))
permission_denied = _django_error_view(
    403, "permission_denied", gettext_noop("You do not have permission to perform this action.")
)
# Exempt from CSRF: a write to an unknown path under /api/ is a 404, not a CSRF refusal.
page_not_found = csrf_exempt(_django_error_view(404, "not_found", gettext_noop("Not found.")))
server_error = _django_error_view(
    500, "server_error", gettext_noop("An unexpected error occurred. Please try again later.")
)


def csrf_failure(request, reason=""):
    """``CSRF_FAILURE_VIEW``: a 403 in the error format under /api/, Django's page elsewhere.

    A session cookie authenticates the browser (the admin, the API docs); a write with
    the cookie but without the CSRF token is refused before any API view runs.
    """
    if request.path.startswith("/api/"):
        return JsonResponse(
            error_body(
                status_code=403,
                code="csrf_failed",
                message=_("The CSRF check failed: send the X-CSRFToken header."),
            ),
            status=403,
        )
    return csrf.csrf_failure(request, reason)
