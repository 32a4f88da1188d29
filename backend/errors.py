"""Domain errors: what a service refuses, independent of HTTP.

Services raise a subclass of ``DomainError``; the admin, management commands and Celery
tasks catch it like any exception (``str(error)`` is its message, for people). The API's
exception handler (``backend.api.exceptions``) is the one place that turns it into an
answer in the error format, with the class's ``status`` and the error's ``code``.
"""

from http import HTTPStatus

from django.utils.translation import gettext_lazy


class DomainError(Exception):
    """A refusal of the domain. Subclasses set ``status``, ``code`` and ``message``."""

    status: int = HTTPStatus.CONFLICT  # what the API answers with
    code: str = "conflict"
    message = gettext_lazy("This is not possible now.")

    def __init__(self, message=None, *, code: str | None = None):
        if message is not None:
            self.message = message
        if code is not None:
            self.code = code
        super().__init__(str(self.message))
