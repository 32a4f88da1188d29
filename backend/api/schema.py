"""The OpenAPI schema declares every status an operation can answer.

Views declare their success answer and the refusals of their own domain (409 when a
match is not active, 410 when a link has expired...). The errors that come from the
API's conventions are added here, from what the view is made of, so that no operation
forgets one and a generated client knows every answer it may get:

- 400 when the operation takes a body or query parameters (they are validated);
- 401 and 403 when the view needs a signed-in user (403: the role or the object is
  not theirs, or ``reauthentication_required``); 403 also wherever credentials are
  read: a staff session without its second factor (``mfa_required``), and a write with a
  session cookie (CSRF);
- 404 when the path names an object, or the list is paginated (a page beyond the end);
- 413 and 415 when the operation takes a body (too large, not a media type it reads);
- 429 when the view is throttled.

Every one of them has the body of the ``Error`` component (``backend.api.exceptions``).
"""

from drf_spectacular import openapi
from rest_framework import permissions

from .serializers import ErrorSerializer

# A bad page or cursor is a 404 and a bad page size falls back to the default: no 400.
PAGE_PARAMETERS = {"page", "page_size", "cursor"}

DESCRIPTIONS = {
    "400": "Invalid body or parameters (see `fields`).",
    "401": "Not signed in, or the session has ended.",
    "403": (
        "Not allowed: the role, or the object is not theirs (or a CSRF check failed); "
        "`mfa_required`: a staff session without its second factor; "
        "`reauthentication_required`: confirm the password first."
    ),
    "404": "No such object, or not visible to this account.",
    "413": "The request is too large.",
    "415": "The body is not in a media type this operation reads.",
    "429": "Too many requests: wait for the time given in `Retry-After`.",
}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, with the error answers of the API's conventions."""

    def _get_serializer_field_meta(self, field, direction):
        # ``Meta.null_in_answers``: fields answered ``null`` that a request may not send
        # ``null`` (the account's profile, for roles without one). The option lives on the
        # serializer because DRF copies its fields, attributes lost.
        meta = super()._get_serializer_field_meta(field, direction)
        options = getattr(getattr(field, "parent", None), "Meta", None)
        if direction == "response" and field.field_name in getattr(options, "null_in_answers", ()):
            meta["nullable"] = True
        return meta

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        """Describe the operation, then add the error statuses it can answer."""
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        error = {"$ref": self.resolve_serializer(ErrorSerializer, "response").ref["$ref"]}
        responses = operation.setdefault("responses", {})
        for code in self._error_statuses(operation):
            responses.setdefault(
                code,
                {
                    "content": {"application/json": {"schema": error}},
                    "description": DESCRIPTIONS[code],
                },
            )
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _error_statuses(self, operation: dict) -> list[str]:
        codes = []
        has_body = "requestBody" in operation
        parameters = operation.get("parameters", [])
        if has_body or any(
            p["in"] == "query" and p["name"] not in PAGE_PARAMETERS for p in parameters
        ):
            codes.append("400")
        if self._needs_sign_in():
            codes += ["401", "403"]
        elif self.view.get_authenticators():
            # Open to anyone, but a staff session without its second factor is refused
            # (mfa_required), and a write with a session cookie may fail its CSRF check.
            codes.append("403")
        if any(p["in"] == "path" for p in parameters) or self._is_paginated_list():
            codes.append("404")
        if has_body:
            codes += ["413", "415"]
        if self.view.get_throttles():
            codes.append("429")
        return codes

    def _needs_sign_in(self) -> bool:
        return any(
            not isinstance(permission, permissions.AllowAny)
            for permission in self.view.get_permissions()
        )

    def _is_paginated_list(self) -> bool:
        return self.method == "GET" and self._is_list_view() and self._get_paginator() is not None
