"""An id that is not one, in an admin history page, is a missing page (404), not a 500."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/admin/mentoring/mentorprofile/abc/history/",
        "/admin/services_catalog/entry/abc/history/",
        "/admin/services_catalog/structure/abc/history/",
        "/admin/services_catalog/entry/abc/history/1/",
        "/admin/accounts/departementcontact/abc/history/",
    ],
)
def test_a_non_numeric_id_is_not_found(client, superuser, url):
    client.force_login(superuser)
    assert client.get(url).status_code == 404
