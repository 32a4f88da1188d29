"""The vault's figures at the end of October 2026: accounts and documents kept, by kind
(the clear category: the document type itself is sealed)."""

import pytest

from tests.vault.conftest import make_document  # noqa: F401 - a fixture, shared
from vault.figures import provider
from vault.models import Document

from .conftest import figures, paris

pytestmark = pytest.mark.django_db


@pytest.fixture
def kept(person, make_document):  # noqa: F811 - the fixture imported above
    """Documents uploaded at ``at``: ``kept(owner, at, "payslip", "payslip")``."""

    def _keep(owner, at, *types):
        for document_type in types:
            document = make_document(owner, document_type=document_type)
            Document.objects.filter(pk=document.pk).update(created_at=at)

    return _keep


@pytest.fixture
def vaults(person, kept):
    aminata, bilal, chloe = person("aminata"), person("bilal"), person("chloe")
    kept(aminata, paris(2026, 3, 2), "identity_card", "payslip")
    kept(aminata, paris(2026, 10, 31, 23, 30), "payslip")  # 22:30 UTC, still October
    kept(aminata, paris(2026, 11, 1, 0, 30), "passport")  # after the end
    kept(bilal, paris(2026, 10, 2), "identity_card")
    kept(chloe, paris(2026, 11, 3), "passport", "bank_details")  # nothing yet on 31 October
    kept(person("yanis", "75"), paris(2026, 7, 14), "bank_details")


def test_accounts_keeping_documents_at_the_end_of_the_window(vaults):
    assert figures(provider, "vault.accounts") == {"93": {"all": (2, 2)}, "75": {"all": (1, 1)}}


def test_documents_kept_by_kind_at_the_end_of_the_window(vaults):
    assert figures(provider, "vault.documents_by_type") == {
        "93": {"identity": (2, 2), "money": (2, 1)},
        "75": {"money": (1, 1)},
    }


def test_bytes_kept_by_kind_at_the_end_of_the_window(vaults):
    def size(owner_email, category):
        return sum(
            Document.objects.filter(
                owner__email=owner_email,
                category=category,
                created_at__lt=paris(2026, 11, 1),
            ).values_list("size", flat=True)
        )

    identity = size("aminata@example.org", "identity") + size("bilal@example.org", "identity")
    assert identity > 0
    assert figures(provider, "vault.size_by_type") == {
        "93": {
            "identity": (identity, 2),
            "money": (size("aminata@example.org", "money"), 1),
        },
        "75": {"money": (size("yanis@example.org", "money"), 1)},
    }
