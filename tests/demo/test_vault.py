import pytest
from rest_framework.test import APIClient

from accounts.models import User
from demo.accounts import DEMO_PASSWORD, load_demo_accounts
from demo.vault import load_demo_vault
from tests.conftest import login_token
from tests.vault.conftest import DOCUMENTS, read_content
from vault.models import Document

pytestmark = pytest.mark.django_db


def test_demo_young_people_find_openable_documents_in_their_vault():
    load_demo_accounts()
    load_demo_vault()
    aminata = User.objects.get(email="jeune.93@demo.jalon.fr")
    client = client_for_demo(aminata)
    listing = client.get(f"{DOCUMENTS}?expiring_within_days=90").json()
    assert [d["title"] for d in listing["results"]] == ["Titre de séjour"]
    pdf = read_content(client.get(f"{DOCUMENTS}{listing['results'][0]['id']}/content/"))
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")

    load_demo_vault()  # again: nothing doubled
    assert Document.objects.filter(owner=aminata).count() == 3


def client_for_demo(user):
    client = APIClient()
    client.credentials(HTTP_X_SESSION_TOKEN=login_token(client, user.email, DEMO_PASSWORD))
    return client


def test_demo_data_reloads_over_a_filled_vault():
    for _ in range(2):
        load_demo_accounts()
        load_demo_vault()
    aminata = User.objects.get(email="jeune.93@demo.jalon.fr")
    assert Document.objects.filter(owner=aminata).count() == 3
