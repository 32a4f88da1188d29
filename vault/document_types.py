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
