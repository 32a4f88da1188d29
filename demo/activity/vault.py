"""A few documents in the vault of some young people in 93 and 75, of the types their
situation calls for, stored encrypted through the vault's own service and dated back
to when they were added. The vault figures count the accounts using it and the
documents by type."""

import io
import random
from datetime import timedelta

from django.conf import settings

from accounts.models import YoungPersonProfile
from demo.vault import demo_pdf, demo_png
from vault import keys as vault_keys
from vault import services as vault_services
from vault.models import AccessEvent, Document
from vault.uploads import encrypt_file

from .common import Person, Window, rng_for

VAULT_PEOPLE = {"93": 24, "75": 5}  # young people keeping documents
VAULT_TITLES = {
    "identity_card": ("Carte d'identité", "carte-identite.png"),
    "residence_permit": ("Titre de séjour", "titre-de-sejour.pdf"),
    "health_insurance_card": ("Carte Vitale", "carte-vitale.png"),
    "bank_details": ("RIB", "rib.pdf"),
    "school_certificate": ("Certificat de scolarité", "certificat-scolarite.pdf"),
    "jeune_majeur_contract": ("Contrat jeune majeur", "contrat-jeune-majeur.pdf"),
    "payslip": ("Fiche de paie", "fiche-de-paie.pdf"),
}


def _papers(rng: random.Random, profile: YoungPersonProfile) -> list[str]:
    """The document types a young person keeps, from their situation."""
    papers = ["residence_permit" if profile.unaccompanied_minor else "identity_card"]
    odds = {
        "health_insurance_card": 0.8,
        "bank_details": 0.5,
        "school_certificate": 0.7 if profile.student else 0,
        "jeune_majeur_contract": 0.9 if profile.jeune_majeur_contract else 0,
        "payslip": 0.6 if profile.employed else 0,
    }
    papers += [kind for kind, chance in odds.items() if rng.random() < chance]
    return papers


def make_documents(window: Window, people: list[Person]) -> int:
    """A few encrypted documents, stored through the vault's service (no expiry date:
    nothing to remind of), then dated back to when they were added."""
    rng = rng_for("vault")
    documents = []
    for code, count in VAULT_PEOPLE.items():
        keepers = [p for p in people if p.code == code and p.joined < window.end - timedelta(3)]
        for person in rng.sample(keepers, min(count, len(keepers))):
            user_key = vault_keys.user_key_ensure(person.user)
            earliest = max(person.joined, window.start)
            for kind in _papers(rng, person.profile):
                title, name = VAULT_TITLES[kind]
                content = demo_png() if name.endswith(".png") else demo_pdf(name[:-4])
                upload = encrypt_file(
                    io.BytesIO(content),
                    file_name=name,
                    user_key_id=user_key.id,
                    max_size=settings.VAULT_MAX_FILE_SIZE,
                    chunk_size=settings.VAULT_CHUNK_SIZE,
                )
                document = vault_services.document_create(
                    owner=person.user, upload=upload, document_type=kind, title=title
                )
                added = earliest + (window.end - timedelta(days=1) - earliest) * rng.random()
                document.created_at = document.updated_at = added
                documents.append(document)
                AccessEvent.objects.filter(document_id=document.pk).update(created_at=added)
    Document.objects.bulk_update(documents, ["created_at", "updated_at"])
    return len(documents)
