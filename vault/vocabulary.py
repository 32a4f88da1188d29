"""The vault's words for ``GET /api/v1/vocabulary/`` (``backend.vocabulary``)."""

from .document_types import DocumentType

VOCABULARIES = {"document_types": DocumentType.choices}
