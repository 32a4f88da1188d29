"""Outside the API, errors are pages in French with a way back; the API keeps its format."""

import pytest
from django.test import Client, RequestFactory

from backend.api.exceptions import server_error

pytestmark = pytest.mark.django_db


def test_an_unknown_page_is_french_and_leads_to_the_sign_in(client):
    response = client.get("/nulle-part/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Cette page n'existe pas" in page
    assert 'href="/accounts/login/"' in page


def test_an_unknown_admin_page_leads_back_to_the_admin_home(client, staff_93):
    client.force_login(staff_93)
    response = client.get("/admin/nulle-part/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Cette page n'existe pas" in page
    assert 'href="/admin/"' in page


def test_a_refused_admin_page_is_french_with_a_way_back(client, partner_93):
    client.force_login(partner_93)
    response = client.get("/admin/accounts/user/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "Vous ne pouvez pas ouvrir cette page" in page
    assert 'href="/admin/"' in page
    assert "403 Forbidden" not in page


def test_a_server_error_page_is_french_and_needs_nothing():
    response = server_error(RequestFactory().get("/pro/jeunes/"))
    assert response.status_code == 500
    page = response.content.decode()
    assert "Un problème est survenu de notre côté" in page
    assert 'href="/accounts/login/"' in page


def test_the_api_keeps_its_error_format(client):
    response = client.get("/api/v1/nulle-part/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_the_root_and_a_sign_out_lead_to_the_sign_in(client, staff_93):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    client.force_login(staff_93)
    signed_out = client.post("/accounts/logout/", follow=True)
    assert signed_out.status_code == 200
    assert signed_out.redirect_chain[-1][0] == "/accounts/login/"


def test_the_admin_has_no_view_site_link(client, staff_93):
    client.force_login(staff_93)
    page = client.get("/admin/").content.decode()
    assert "Voir le site" not in page and "View site" not in page


def test_an_expired_form_is_a_french_page_with_a_way_back():
    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/accounts/login/", {"login": "a@example.org", "password": "x"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "Ce formulaire a expiré" in page
    assert 'href="/accounts/login/"' in page
