"""A document's type and dates are sealed; only a coarse clear category stays, for the
figures, and it follows the type when the owner changes it."""

import pytest

from vault.models import Document

from . import samples
from .conftest import DOCUMENTS, upload

pytestmark = pytest.mark.django_db


def _row(document_id) -> dict:
    """The row's columns as stored (``values()``: no sealed attribute is opened)."""
    return Document.objects.filter(pk=document_id).values()[0]


def test_the_type_is_sealed_and_the_clear_category_follows_it(young_person, client_for):
    client = client_for(young_person)
    created = upload(
        client,
        samples.pdf(),
        document_type="residence_permit",
        issue_date="2025-03-14",
        expiry_date="2030-03-13",
    ).json()
    document = Document.objects.get(pk=created["id"])
    row = _row(document.pk)
    assert "document_type" not in row and "expiry_date" not in row
    assert row["category"] == "identity"  # a permit, a passport, an identity card alike
    assert b"residence_permit" not in bytes(row["document_type_sealed"])
    assert b"2030" not in bytes(row["expiry_date_sealed"])

    url = f"{DOCUMENTS}{created['id']}/"
    changed = client.patch(url, {"document_type": "diploma"}, format="json").json()
    assert changed["document_type"] == "diploma"
    assert changed["expiry_date"] == "2030-03-13"
    assert _row(document.pk)["category"] == "education"
