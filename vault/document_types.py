"""Kinds of papers a young person keeps in the vault.

Defined ahead of the vault itself because the catalogue already says which papers each
right or service asks for.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentType(models.TextChoices):
    IDENTITY_CARD = "identity_card", _("Identity card")
    PASSPORT = "passport", _("Passport")
    RESIDENCE_PERMIT = "residence_permit", _("Residence permit")
    BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
    HEALTH_INSURANCE_CARD = "health_insurance_card", _("Health insurance card (carte Vitale)")
    CSS_CERTIFICATE = "css_certificate", _("Complémentaire santé solidaire certificate")
    BANK_DETAILS = "bank_details", _("Bank details (RIB)")
    PAYSLIP = "payslip", _("Payslip")
    TAX_NOTICE = "tax_notice", _("Tax notice")
    SCHOOL_CERTIFICATE = "school_certificate", _("School certificate")
    DIPLOMA = "diploma", _("Diploma")
    PLACEMENT_ORDER = "placement_order", _("Placement order")
    JEUNE_MAJEUR_CONTRACT = "jeune_majeur_contract", _("Accompagnement jeune majeur contract")
    HOUSING_DOCUMENT = "housing_document", _("Housing document")
    OTHER = "other", _("Other document")


class DocumentCategory(models.TextChoices):
    """What the figures count documents by, kept in clear instead of the sealed type.

    Coarse on purpose: "identity papers" does not tell a residence permit from a
    passport, so a count or a row says nothing of anyone's immigration status.
    """

    IDENTITY = "identity", _("Identity and civil status papers")
    HEALTH = "health", _("Health papers")
    MONEY = "money", _("Money, work and tax papers")
    EDUCATION = "education", _("School and diplomas")
    CARE = "care", _("Child protection papers")
    HOUSING = "housing", _("Housing papers")
    OTHER = "other", _("Other papers")


CATEGORY_OF = {
    DocumentType.IDENTITY_CARD: DocumentCategory.IDENTITY,
    DocumentType.PASSPORT: DocumentCategory.IDENTITY,
    DocumentType.RESIDENCE_PERMIT: DocumentCategory.IDENTITY,
    DocumentType.BIRTH_CERTIFICATE: DocumentCategory.IDENTITY,
    DocumentType.HEALTH_INSURANCE_CARD: DocumentCategory.HEALTH,
    DocumentType.CSS_CERTIFICATE: DocumentCategory.HEALTH,
    DocumentType.BANK_DETAILS: DocumentCategory.MONEY,
    DocumentType.PAYSLIP: DocumentCategory.MONEY,
    DocumentType.TAX_NOTICE: DocumentCategory.MONEY,
    DocumentType.SCHOOL_CERTIFICATE: DocumentCategory.EDUCATION,
    DocumentType.DIPLOMA: DocumentCategory.EDUCATION,
    DocumentType.PLACEMENT_ORDER: DocumentCategory.CARE,
    DocumentType.JEUNE_MAJEUR_CONTRACT: DocumentCategory.CARE,
    DocumentType.HOUSING_DOCUMENT: DocumentCategory.HOUSING,
    DocumentType.OTHER: DocumentCategory.OTHER,
}


def category_of(document_type: str) -> str:
    """The clear category of a (sealed) document type."""
    return str(CATEGORY_OF.get(document_type, DocumentCategory.OTHER))
