"""Services refuse with plain domain errors; the API's handler alone gives them a status."""

from http import HTTPStatus

import pytest
from rest_framework.exceptions import APIException

from backend.api.exceptions import api_exception_handler
from backend.errors import DomainError
from mentoring.exceptions import AlreadyApplied, MatchConflict, NotTheMentor
from vault.exceptions import QuotaExceeded, ShareGone


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (MatchConflict("mentor_full"), 409, "mentor_full"),
        (AlreadyApplied(), 409, "already_applied"),
        (NotTheMentor(), 403, "permission_denied"),
        (QuotaExceeded(), 413, "quota_exceeded"),
        (ShareGone(), 410, "share_gone"),
    ],
)
def test_the_handler_gives_each_domain_error_its_status_and_code(error, status, code):
    assert isinstance(error, DomainError)
    assert not isinstance(error, APIException)  # the admin, commands, tasks see no HTTP
    response = api_exception_handler(error, {})
    assert response.status_code == status
    assert response.data["error"]["status"] == status
    assert response.data["error"]["code"] == code
    assert response.data["error"]["message"] == str(error)


def test_a_domain_error_reads_as_its_message():
    class Refused(DomainError):
        status = HTTPStatus.CONFLICT
        code = "refused"
        message = "Not now."

    assert str(Refused()) == "Not now."
    assert str(Refused("Not today.", code="other")) == "Not today."
    assert Refused(code="other").code == "other"
    assert api_exception_handler(Refused(), {}).data["error"]["code"] == "refused"
