import io

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from accounts.demo import DEMO_PASSWORD
from accounts.models import User
from tests.conftest import login_token
from vault.models import Document

from .conftest import DOCUMENTS, read_content

pytestmark = pytest.mark.django_db


def test_demo_young_people_find_openable_documents_in_their_vault():
    call_command("load_demo_data", stdout=io.StringIO())
    call_command("load_demo_vault", stdout=io.StringIO())
    aminata = User.objects.get(email="jeune.93@demo.jalon.fr")
    client = client_for_demo(aminata)
    listing = client.get(f"{DOCUMENTS}?expiring_within_days=90").json()
    assert [d["title"] for d in listing["results"]] == ["Titre de séjour"]
    pdf = read_content(client.get(f"{DOCUMENTS}{listing['results'][0]['id']}/content/"))
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")

    call_command("load_demo_vault", stdout=io.StringIO())  # again: nothing doubled
    assert Document.objects.filter(owner=aminata).count() == 3


def client_for_demo(user):
    client = APIClient()
    client.credentials(HTTP_X_SESSION_TOKEN=login_token(client, user.email, DEMO_PASSWORD))
    return client


def test_demo_data_reloads_over_a_filled_vault():
    for _ in range(2):
        call_command("load_demo_data", stdout=io.StringIO())
        call_command("load_demo_vault", stdout=io.StringIO())
    aminata = User.objects.get(email="jeune.93@demo.jalon.fr")
    assert Document.objects.filter(owner=aminata).count() == 3
