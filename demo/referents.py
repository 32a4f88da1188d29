"""The demo's référents: an ASE educator in 93 and a mission locale adviser in 75, both
linked by ``jeune.93`` through the real invitation and acceptance, with some scopes.

Their second factor has a fixed, public TOTP key (README.md), so that anyone can sign in
to ``/pro/`` with an authenticator app or ``oathtool``. Loading again brings the scopes
back and adds nothing twice.
"""

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.db import transaction

from accounts.models import User
from mentoring.models import Appointment
from referents import selectors, services
from referents.models import DemarcheProposal, Note, Profession, ReferentProfile, Scope
from services_catalog import selectors as catalogue_selectors
from services_catalog import services as catalogue_services
from services_catalog.models import Demarche, Structure
from vault import services as vault_services
from vault.models import Document, Share

from .catalogue import DEMO_SOURCE

# (e-mail, département, structure's demo key, profession, job title, TOTP key, scopes)
DEMO_REFERENTS = [
    (
        "referent.93@demo.jalon.fr",
        "93",
        "cd93",
        Profession.ASE_EDUCATOR,
        "Éducatrice ASE, service jeunes majeurs",
        "JALONDEMOREFERENTSEINESAINTDENIS",  # documented, local demo only
        [Scope.PROFILE, Scope.DEMARCHES, Scope.APPOINTMENTS, Scope.PROJET],
    ),
    (
        "referent.75@demo.jalon.fr",
        "75",
        "ml-paris",
        Profession.MISSION_LOCALE,
        "Conseiller mission locale",
        "JALONDEMOREFERENTPARISMISSIONLOC",  # documented, local demo only
        [Scope.PROFILE],
    ),
]
DEMO_YOUNG_PERSON = "jeune.93@demo.jalon.fr"
DEMO_NOTE = (
    "Bonjour Aminata, pense à apporter ton titre de séjour et ton dernier bulletin de "
    "salaire au rendez-vous de la mission locale."
)


@transaction.atomic
def load_demo_referents() -> int:
    """Profiles, second factors and links of the demo référents; returns how many."""
    young_person = User.objects.get(email=DEMO_YOUNG_PERSON)
    for email, departement, structure_key, profession, job_title, secret, scopes in DEMO_REFERENTS:
        referent = User.objects.get(email=email)
        ReferentProfile.objects.update_or_create(
            user=referent,
            defaults={
                "departement_id": departement,
                "structure": Structure.objects.filter(
                    source=DEMO_SOURCE, source_id=structure_key
                ).first(),
                "profession": profession,
                "job_title": job_title,
                "contact_way": "phone",
                "contact_phone": f"01 00 00 {departement} 10",
                "contact_hours": "Du lundi au vendredi, 9 h - 17 h",
            },
        )
        if not Authenticator.objects.filter(user=referent, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(referent, secret)
        link = selectors.open_links().filter(young_person=young_person, referent=referent).first()
        if link is None:
            invitation, _code = services.invitation_code_create(
                referent=referent, label="Aminata (démo)", suggested_scopes=scopes
            )
            link = services.invitation_accept(
                young_person=young_person, invitation=invitation, scopes=scopes
            )
        else:
            services.link_update(link=link, data={"scopes": scopes})
    _demo_activity(young_person, User.objects.get(email=DEMO_REFERENTS[0][0]))
    return len(DEMO_REFERENTS)


def _demo_activity(young_person: User, educator: User) -> None:
    """What Léa and Aminata did together: a procedure under way, a shared appointment, a
    note, a proposed procedure and a document shared with her (each once)."""
    Appointment.objects.filter(owner=young_person).update(shared_with_referents=True)
    _demo_procedure(young_person)
    link = selectors.open_links().get(young_person=young_person, referent=educator)
    if not Note.objects.filter(young_person=young_person, author=educator).exists():
        services.note_add(link=link, body=DEMO_NOTE)
    if not DemarcheProposal.objects.filter(young_person=young_person, referent=educator).exists():
        entry = (
            catalogue_selectors.entries_visible()
            .filter(title__icontains="pécule")
            .exclude(demarches__user=young_person)
            .first()
        )
        if entry is not None:
            services.demarche_propose(link=link, entry_id=entry.pk)
    if not Share.objects.filter(kind=Share.Kind.REFERENT, referent=educator).exists():
        document = Document.objects.filter(owner=young_person).order_by("created_at").first()
        if document is not None:
            vault_services.share_with_referent(document=document, referent_id=educator.pk)


def _demo_procedure(young_person: User) -> None:
    """A procedure Aminata follows with its first step ticked, so that Léa's page shows
    progress; only when she follows none (what she did with the demo stays hers)."""
    if Demarche.objects.filter(user=young_person).exists():
        return
    entry = (
        catalogue_selectors.entries_visible()
        .filter(title__startswith="Demande de logement social")
        .order_by("pk")
        .first()
    )
    if entry is None:
        return
    demarche = catalogue_services.demarche_start(user=young_person, entry=entry)
    first_step = entry.steps.order_by("pk").first()
    catalogue_services.demarche_update(demarche=demarche, completed_step_ids=[first_step.pk])
