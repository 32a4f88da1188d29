"""allauth's browser pages never invite to sign up: signing up is closed there (accounts
are made by the département, or in the app), so neither a page nor an e-mail links to it."""

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGES = [
    "account_login",
    "account_signup",
    "account_reset_password",
    "account_password_reset_completed",
]


@pytest.mark.parametrize("name", PAGES)
def test_no_sign_in_page_links_to_signing_up(client, name):
    response = client.get(reverse(name), HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'href="/accounts/signup/' not in page
    assert "enregistrer" not in page.lower()
    assert 'lang="fr"' in page and "· Jalon</title>" in page


def test_a_reset_for_an_unknown_address_says_who_makes_accounts_without_a_sign_up_link(client):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    (message,) = mail.outbox
    assert "/accounts/signup/" not in message.body and "signup" not in message.body
    assert "nobody@example.org" in message.body
    assert "Jalon" in message.body
