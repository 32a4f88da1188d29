"""The API pages in a real browser, with no network beyond this server (as offline): the
viewer of /api/docs/ and of allauth's /_allauth/openapi.html shows the operations, and
every request the page makes goes to the server itself, never to a CDN."""

from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.mark.parametrize(
    ("path", "operation"),
    [
        ("/api/docs/", "/api/v1/me/"),
        ("/_allauth/openapi.html", "/_allauth/app/v1/auth/login"),
    ],
)
def test_the_api_page_shows_its_operations_from_this_server_alone(
    visit, live_server, path, operation
):
    def steps(page, log):
        # Swagger UI draws one block per operation once it has fetched the schema.
        page.locator(".opblock-summary-path", has_text=operation).first.wait_for()
        return {
            "operations": page.locator(".opblock").count(),
            "hosts": {urlsplit(request.url).netloc for request in log.requests},
            "errors": log.errors,
        }

    seen = visit(path, steps, locale="en-GB")
    assert seen["operations"] > 5
    assert seen["hosts"] == {urlsplit(live_server.url).netloc}
    assert seen["errors"] == []
