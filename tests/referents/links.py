"""What the référent tests share: a young person's référent world made through the real
services (invitations, acceptance, notes, proposals), and what a refused request must leave
as it was."""

from referents import services
from referents.models import DemarcheProposal, Link, LinkInvitation, Note
from services_catalog import services as catalogue
from services_catalog.models import Demarche, Entry

REFERENTS = "/api/v1/me/referents/"


def catalogue_entry(title: str = "Ouvrir un compte bancaire") -> Entry:
    """A published national right, with one step: what a référent proposes."""
    return catalogue.entry_create(
        title=title,
        publish=True,
        kind=Entry.Kind.RIGHT,
        summary=f"{title}: résumé.",
        body=f"{title}: description détaillée.",
        scope=Entry.Scope.NATIONAL,
        steps=["Prendre rendez-vous"],
    )


def code_invitation(referent, scopes=("profile",)) -> tuple[LinkInvitation, str]:
    """A code the référent gives in person, and the code itself (shown once)."""
    return services.invitation_code_create(
        referent=referent, label="Rencontré au foyer", suggested_scopes=scopes
    )


def link(referent, young_person, scopes) -> Link:
    """The young person accepts the référent's code with ``scopes``: a link."""
    invitation, _code = code_invitation(referent, scopes)
    return services.invitation_accept(
        young_person=young_person, invitation=invitation, scopes=scopes
    )


def account_invitation(referent, young_person) -> LinkInvitation:
    """An invitation the référent sends to the young person's account."""
    return services.invitation_send(
        referent=referent, email=young_person.email, suggested_scopes=["profile", "demarches"]
    )


def snapshot() -> dict:
    """Every row of the référents' tables, and the young people's démarches."""
    return {
        "links": list(
            Link.objects.order_by("pk").values_list(
                "pk",
                "young_person_id",
                "referent_id",
                "scopes",
                "ends_on",
                "ended_at",
                "confirmed_as_adult_at",
            )
        ),
        "invitations": list(
            LinkInvitation.objects.order_by("pk").values_list(
                "pk", "accepted_at", "declined_at", "withdrawn_at"
            )
        ),
        "notes": list(Note.objects.order_by("pk").values_list("pk", "young_person_id")),
        "proposals": list(
            DemarcheProposal.objects.order_by("pk").values_list("pk", "status", "decided_at")
        ),
        "demarches": list(Demarche.objects.order_by("pk").values_list("pk", "user_id")),
    }
