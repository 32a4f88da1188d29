"""The API pages work offline: /api/docs/ (drf-spectacular) and allauth's
/_allauth/openapi.html load their viewer from our own static files, never from a CDN.

Each page's HTML names no other host, and every file it names is one the server has (a
page naming a missing file would be as blank as one naming a CDN). The browser test
(tests/browser/test_api_docs.py) checks that the viewer then shows the operations.
"""

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

PAGES = ["/api/docs/", "/_allauth/openapi.html"]


class _Links(HTMLParser):
    """Every ``src`` and ``href`` of a page."""

    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        self.links += [value for name, value in attrs if name in {"src", "href"} and value]


def _links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.links


@pytest.mark.parametrize("path", PAGES)
def test_the_api_page_names_no_other_host(client, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    links = _links(html)
    assert any(link.endswith(".js") for link in links), links  # the viewer is there
    elsewhere = [link for link in links if urlsplit(link).netloc or urlsplit(link).scheme]
    assert elsewhere == []
    assert "cdn." not in html and "jsdelivr" not in html and "unpkg" not in html


@pytest.mark.parametrize("path", PAGES)
def test_every_file_the_api_page_names_is_served(client, path):
    links = _links(client.get(path).content.decode())
    static = [link for link in links if link.startswith(settings.STATIC_URL)]
    assert len(static) >= 3, links  # the viewer's script, its preset and its style
    missing = [
        link
        for link in static
        if not (found := finders.find(link.removeprefix(settings.STATIC_URL)))
        or Path(found).stat().st_size == 0
    ]
    assert missing == []
    # Whatever else the page names is one of the server's own routes.
    for link in links:
        if not link.startswith(settings.STATIC_URL):
            assert client.get(link).status_code == 200, link
