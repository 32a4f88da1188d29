"""A share link's secrets never travel in a URL that a server logs.

The token and the code go in request headers (``X-Share-Token``, ``X-Share-Code``); the
link handed to a person carries the token after ``#``, which browsers never send.
"""

from urllib.parse import urlsplit

import pytest

from vault.models import Share

from .conftest import DOCUMENTS, read_content
from .test_shares import assert_error, share_events

pytestmark = pytest.mark.django_db

SHARED = "/api/v1/vault/shared/"


@pytest.fixture
def owner(client_for, young_person):
    return client_for(young_person)


@pytest.fixture
def document(young_person, make_document):
    from . import samples

    return make_document(young_person, samples.pdf(marker=b"releve"), title="Relevé")


def new_link(owner, document, **fields) -> dict:
    response = owner.post(
        f"{DOCUMENTS}{document.id}/shares/", {"kind": "link", **fields}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_the_link_given_to_a_person_keeps_its_token_out_of_what_is_sent(owner, document):
    new = new_link(owner, document)
    url = urlsplit(new["url"])
    # Everything before "#" reaches servers (and their logs); the fragment never does.
    assert new["token"] not in url.path + url.query
    assert url.fragment == new["token"]
    assert url.path == "/partage/"


def test_the_page_of_a_link_opens_without_an_account(api_client, owner, document):
    new = new_link(owner, document)
    page = api_client.get(urlsplit(new["url"]).path)
    assert page.status_code == 200
    assert page["Content-Type"].startswith("text/html")
    assert page["Referrer-Policy"] == "no-referrer"
    assert "script-src 'self'" in page["Content-Security-Policy"]
    # The page reads the token from the fragment and sends it in a header itself.
    assert b'<script src="/static/vault/shared-link.js"' in page.content
    assert new["token"].encode() not in page.content
    assert "Télécharger le document" in page.content.decode()  # in French by default


def test_the_token_and_code_go_in_headers(api_client, owner, document):
    new = new_link(owner, document, with_code=True)
    headers = {"HTTP_X_SHARE_TOKEN": new["token"], "HTTP_X_SHARE_CODE": new["code"]}
    details = api_client.get(SHARED, **headers)
    assert details.status_code == 200, details.content
    assert details.json()["title"] == "Relevé"
    file = api_client.get(f"{SHARED}content/", **headers)
    assert file.status_code == 200
    assert read_content(file).startswith(b"%PDF")


def test_the_old_path_with_the_token_serves_nothing(api_client, owner, document):
    new = new_link(owner, document)
    for path in (f"{new['token']}/", f"{new['token']}/content/"):
        assert_error(api_client.get(f"{SHARED}{path}"), 404, "not_found")
    assert share_events(document) == []
    assert Share.objects.get().use_count == 0


def test_a_code_in_the_query_string_opens_nothing(api_client, owner, document):
    new = new_link(owner, document, with_code=True)
    token = {"HTTP_X_SHARE_TOKEN": new["token"]}
    for path in (SHARED, f"{SHARED}content/"):
        response = api_client.get(path, {"code": new["code"]}, **token)
        assert_error(response, 403, "share_code_invalid")
    # Nor a token in the query string.
    assert_error(api_client.get(SHARED, {"token": new["token"]}), 404, "not_found")
    assert share_events(document) == []


def test_without_a_token_the_link_is_404(api_client, owner, document):
    new_link(owner, document)
    for path in (SHARED, f"{SHARED}content/"):
        assert_error(api_client.get(path), 404, "not_found")
