"""The share link's page, ``/partage/#<token>``, as the professional who got the link
uses it: in a real browser, against a real server, with a document uploaded through the
API (real storage, real encryption)."""

import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.utils import timezone

from tests.browser.axe import accessibility_violations
from tests.vault import samples
from tests.vault.conftest import DOCUMENTS, upload
from vault.models import Share

PAGE = "/partage/"
CODE_LABEL = "Code donné par la personne qui a partagé ce document"
CODE_WRONG = "Ce code n'est pas le bon. Après cinq codes erronés, le lien se ferme."
# A live server needs a transactional database; the rows the migrations wrote
# (départements) are put back before each test, as the rest of the suite expects.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

GONE = "Ce lien a expiré ou a été retiré par la personne qui l'a créé."


@pytest.fixture
def content():
    return samples.pdf(size=20_000, marker=b"attestation-caf")


@pytest.fixture
def document_id(client_for, young_person, content):
    response = upload(
        client_for(young_person), content, name="attestation-caf.pdf", title="Attestation CAF"
    )
    assert response.status_code == 201, response.content
    return response.json()["id"]


@pytest.fixture
def new_link(client_for, young_person, document_id):
    """``new_link(with_code=True)``: a link made by the young person through the API."""
    owner = client_for(young_person)

    def _new(**fields):
        response = owner.post(
            f"{DOCUMENTS}{document_id}/shares/", {"kind": "link", **fields}, format="json"
        )
        assert response.status_code == 201, response.content
        return response.json()

    return _new


def download(page) -> tuple[str, bytes]:
    """Click the page's download button; the file's name and bytes as the browser saved it."""
    with page.expect_download() as started:
        page.get_by_role("button", name="Télécharger le document").click()
    saved = started.value
    assert saved.failure() is None
    return saved.suggested_filename, Path(saved.path()).read_bytes()


def enter_code(page, code):
    page.get_by_label(CODE_LABEL).fill(code)
    page.get_by_role("button", name="Ouvrir").click()


def test_a_link_with_a_code_asks_for_it_and_then_gives_the_exact_file(visit, new_link, content):
    new = new_link(with_code=True)
    wrong = f"{(int(new['code']) + 1) % 10**6:06d}"

    def steps(page, log):
        assert page.locator("html").get_attribute("lang") == "fr"
        status = page.get_by_role("status")
        document = page.locator("#document")
        page.get_by_label(CODE_LABEL).wait_for()
        assert status.inner_text() == "Ce lien demande le code que la personne vous a donné."
        assert document.is_hidden()

        enter_code(page, wrong)
        page.get_by_text(CODE_WRONG).wait_for()
        assert document.is_hidden()
        assert page.get_by_label(CODE_LABEL).is_visible()
        assert "Attestation CAF" not in page.content()

        enter_code(page, new["code"])
        page.get_by_role("heading", name="Attestation CAF").wait_for()
        assert page.get_by_label(CODE_LABEL).is_hidden()
        assert status.is_hidden()
        assert page.locator("#expires").inner_text().startswith("Lien valable jusqu'au ")
        saved = download(page)
        return saved, log.errors

    (name, saved), errors = visit(f"{PAGE}#{new['token']}", steps)
    assert saved == content
    assert name.endswith(".pdf")
    assert errors == []
    # Opening the details and the file each count as one use of the link.
    assert Share.objects.get().use_count == 2


def test_a_link_without_a_code_opens_at_once(visit, new_link, content):
    new = new_link()

    def steps(page, log):
        page.get_by_role("heading", name="Attestation CAF").wait_for()
        assert page.locator("#code-form").is_hidden()
        return download(page)[1], log.errors

    saved, errors = visit(f"{PAGE}#{new['token']}", steps)
    assert saved == content
    assert errors == []


@pytest.mark.parametrize("ending", ["expired", "revoked"])
def test_a_closed_link_says_so_in_french(
    visit, new_link, client_for, young_person, document_id, ending
):
    new = new_link()
    if ending == "expired":
        Share.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    else:
        owner = client_for(young_person)
        response = owner.delete(f"{DOCUMENTS}{document_id}/shares/{new['id']}/")
        assert response.status_code == 204

    def steps(page, log):
        page.get_by_text(GONE).wait_for()
        assert page.locator("#document").is_hidden()
        assert page.locator("#code-form").is_hidden()
        assert "Attestation CAF" not in page.content()
        return log.errors

    assert visit(f"{PAGE}#{new['token']}", steps) == []


def test_the_expiry_is_written_the_french_way_whatever_the_browser(visit, new_link):
    new = new_link()

    def steps(page, log):
        # A German browser gets the page in French (the site's language): its date too.
        assert page.locator("html").get_attribute("lang") == "fr"
        page.get_by_role("heading", name="Attestation CAF").wait_for()
        return page.locator("#expires").inner_text()

    expires = visit(f"{PAGE}#{new['token']}", steps, locale="de-DE")
    assert re.fullmatch(r"Lien valable jusqu'au \d{1,2} \w+ \d{4} à \d{2}:\d{2}", expires), expires


def test_the_token_and_code_travel_in_headers_never_in_a_url(visit, new_link, live_server):
    new = new_link(with_code=True)
    token, code = new["token"], new["code"]

    def steps(page, log):
        enter_code(page, code)
        download(page)
        # What a server, a proxy or their logs see: the URL (the fragment is never sent)
        # and the Referer; and the secret headers of the calls to the API.
        return [
            (request.url.split("#")[0], request.headers.get("referer") or "", request.headers)
            for request in log.requests
        ]

    requests = visit(f"{PAGE}#{token}", steps)
    for url, referer, _headers in requests:
        assert token not in unquote(url) + unquote(referer)
        assert code not in unquote(url) + unquote(referer)
    api_calls = [(url, headers) for url, _, headers in requests if "/api/" in url]
    assert {url.removeprefix(live_server.url) for url, _ in api_calls} == {
        "/api/v1/vault/shared/",
        "/api/v1/vault/shared/content/",
    }
    assert all(headers["x-share-token"] == token for _, headers in api_calls)
    assert api_calls[-1][1]["x-share-code"] == code


def test_the_page_fits_a_small_phone(visit, new_link):
    new = new_link(with_code=True)

    def steps(page, log):
        page.get_by_label(CODE_LABEL).wait_for()
        widths = [page.evaluate("document.documentElement.scrollWidth")]
        enter_code(page, new["code"])
        page.get_by_role("heading", name="Attestation CAF").wait_for()
        widths.append(page.evaluate("document.documentElement.scrollWidth"))
        assert page.get_by_role("button", name="Télécharger le document").is_visible()
        return widths, log.errors

    widths, errors = visit(f"{PAGE}#{new['token']}", steps, width=360, height=640)
    assert max(widths) <= 360
    assert errors == []


@pytest.mark.parametrize("width", [360, 1280])
def test_a_shared_image_is_shown_in_the_page_and_the_page_passes_axe(
    visit, client_for, young_person, width
):
    image = samples.png(size=6_000)
    owner = client_for(young_person)
    uploaded = upload(owner, image, name="carte.png", title="Carte Vitale")
    assert uploaded.status_code == 201, uploaded.content
    new = owner.post(
        f"{DOCUMENTS}{uploaded.json()['id']}/shares/",
        {"kind": "link", "with_code": True},
        format="json",
    ).json()

    def steps(page, log):
        page.get_by_label(CODE_LABEL).wait_for()
        problems = accessibility_violations(page)  # the code form
        enter_code(page, new["code"])
        page.get_by_role("heading", name="Carte Vitale").wait_for()
        page.get_by_role("button", name="Voir le document").click()
        shown = page.get_by_role("img", name="Carte Vitale")
        shown.wait_for()
        assert shown.get_attribute("src").startswith("blob:")
        problems += accessibility_violations(page)  # the document and its preview
        return problems, log.errors

    problems, errors = visit(f"{PAGE}#{new['token']}", steps, width=width, height=800)
    assert problems == []
    assert errors == []
    opened = [
        event
        for event in owner.get("/api/v1/vault/access-log/").json()["results"]
        if event["action"] == "share_access"
    ]
    assert len(opened) == 2  # the details, then the image: each opening is in the log
