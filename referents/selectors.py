"""Reads on référents and links; the vault relies on ``linked_referent_ids`` (``vault.ports``).

A link shows something to its référent only while it is *active*: not ended, before its
end date, with the référent's account open, and, for a link made while the young person
was a minor, confirmed again once they are 18. ``active_links`` is that rule, in SQL,
for every read; the nightly tasks only write down what it already says.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext

from accounts.dates import age_on, birthday
from accounts.models import SITUATION_FLAGS, User
from accounts.roles import Role
from mentoring.models import Appointment
from services_catalog.models import Demarche
from vault import selectors as vault_selectors

from .models import DemarcheProposal, Link, LinkInvitation, Note, ReferentProfile, Scope

# A procedure in progress that has not moved for this long is shown as stalled.
STALLED_AFTER = timedelta(days=30)
# The HMAC salt of invitation codes and addresses (``keyed_hash``).
INVITATION_HASH_SALT = "jalon.referents.invitation"
# How the access log names the list of documents shared with a référent, beside the scopes.
SHARED_DOCUMENTS = "documents"
# Birthdays that matter by law, and how long before them "Mes jeunes" shows them.
AGE_MILESTONES = (
    (17, 90, "interview_17"),  # the interview at 17 (CASF L.222-5-1)
    (18, 90, "majority"),  # leaving care, the pécule
    (21, 180, "end_of_support"),  # the end of the accompagnement jeune majeur
)


def keyed_hash(digest: str) -> str:
    """A SHA-256 digest keyed with the server's secret (HMAC): an invitation code has
    about 40 bits and an e-mail address is guessable, so a plain hash in a copy of the
    database would give them back in minutes. Keyed, the copy alone gives nothing.
    (Rotating ``SECRET_KEY`` voids the open invitations, which last a week at most.)"""
    return salted_hmac(INVITATION_HASH_SALT, digest, algorithm="sha256").hexdigest()


def email_hash(email: str) -> str:
    """The hash that addresses an invitation to an account (``LinkInvitation.email_hash``)."""
    return keyed_hash(hashlib.sha256(email.strip().lower().encode()).hexdigest())


def code_hash(code: str) -> str:
    """The hash of an invitation code, with spaces, dashes and case ignored."""
    normalised = "".join(code.split()).replace("-", "").upper()
    return keyed_hash(hashlib.sha256(normalised.encode()).hexdigest())


# --- Which links are active ---------------------------------------------------------------


def awaiting_adult_confirmation(today: date) -> Q:
    """Links made while a minor, not yet confirmed, whose young person is now 18 (by the
    birthday kept on the link at acceptance)."""
    return Q(made_while_minor=True, confirmed_as_adult_at__isnull=True, adult_on__lte=today)


def open_links() -> QuerySet[Link]:
    """Links not ended (they may still wait for an adult's confirmation)."""
    return Link.objects.filter(ended_at__isnull=True)


def active_links(today: date | None = None) -> QuerySet[Link]:
    """Links that show something to their référent today (see the module's docstring)."""
    today = today or timezone.localdate()
    return (
        open_links()
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today), referent__is_active=True)
        .exclude(awaiting_adult_confirmation(today))
    )


def linked_referent_ids(young_person_id: int) -> dict[int, datetime]:
    """The référents ``young_person_id`` linked whose link is active, each with when the
    link was accepted (the vault's question before it shows a share to a référent)."""
    return dict(
        active_links()
        .filter(young_person_id=young_person_id)
        .values_list("referent_id", "accepted_at")
    )


def link_status(link: Link, today: date | None = None) -> str:
    """``active``, ``awaiting_confirmation`` (at 18), ``ended`` or ``expired``."""
    today = today or timezone.localdate()
    if link.ended_at is not None:
        return "ended"
    if link.ends_on is not None and link.ends_on < today:
        return "expired"
    if not link.referent.is_active:
        return "ended"
    if (
        link.made_while_minor
        and link.confirmed_as_adult_at is None
        and link.adult_on is not None
        and link.adult_on <= today
    ):
        return "awaiting_confirmation"
    return "active"


def birth_date_of(user: User) -> date | None:
    """The young person's birth date, or None when their profile does not say it."""
    profile = getattr(user, "profile", None)
    return profile.birth_date if profile is not None else None


# --- The young person's side --------------------------------------------------------------


def links_for_user(*, user) -> QuerySet[Link]:
    """The young person's links that have not ended, with their référents' profiles."""
    return (
        open_links()
        .filter(young_person=user, referent__is_active=True)
        .select_related(
            "referent__referent_profile__structure",
            "young_person__profile",
        )
    )


def link_get_for_user(*, user, link_id: int) -> Link:
    """One of the young person's own open links, or Http404."""
    link = links_for_user(user=user).filter(pk=link_id).first()
    if link is None:
        raise Http404
    return link


def invitations_for_user(*, user) -> QuerySet[LinkInvitation]:
    """Open invitations addressed to the young person's account (by e-mail address)."""
    return (
        LinkInvitation.objects.filter(
            kind=LinkInvitation.Kind.ACCOUNT,
            email_hash=email_hash(user.email),
            accepted_at__isnull=True,
            declined_at__isnull=True,
            withdrawn_at__isnull=True,
            expires_at__gt=timezone.now(),
            referent__is_active=True,
        )
        .select_related("referent__referent_profile__structure")
        .order_by("-created_at")
    )


def invitation_get_for_user(*, user, invitation_id: int) -> LinkInvitation:
    """An open invitation to the young person's account, or Http404."""
    invitation = invitations_for_user(user=user).filter(pk=invitation_id).first()
    if invitation is None:
        raise Http404
    return invitation


def invitation_by_code(code: str) -> LinkInvitation | None:
    """The open code invitation behind ``code``, or None."""
    return (
        LinkInvitation.objects.filter(
            kind=LinkInvitation.Kind.CODE,
            code_hash=code_hash(code),
            accepted_at__isnull=True,
            declined_at__isnull=True,
            withdrawn_at__isnull=True,
            expires_at__gt=timezone.now(),
            referent__is_active=True,
        )
        .select_related("referent__referent_profile__structure")
        .first()
    )


def notes_for_user(*, user) -> QuerySet[Note]:
    """Notes référents wrote for the young person, newest first (theirs to keep)."""
    return Note.objects.filter(young_person=user).select_related("young_person__vault_key")


def proposals_for_user(*, user) -> QuerySet[DemarcheProposal]:
    """Procedures référents proposed to the young person, open ones first."""
    return (
        DemarcheProposal.objects.filter(young_person=user)
        .select_related("entry", "referent")
        .order_by("-status", "-created_at", "-id")  # "proposed" sorts before the others
    )


def proposal_get_for_user(*, user, proposal_id: int) -> DemarcheProposal:
    proposal = proposals_for_user(user=user).filter(pk=proposal_id).first()
    if proposal is None:
        raise Http404
    return proposal


# --- The référent's side ------------------------------------------------------------------


def referent_profile_get_for_user(*, user) -> ReferentProfile:
    """The signed-in référent's profile, or Http404 for anyone else."""
    if user.role != Role.REFERENT:
        raise Http404
    profile = ReferentProfile.objects.select_related("structure", "departement").filter(user=user)
    found = profile.first()
    if found is None:
        raise Http404
    return found


def young_people_links_for_user(*, user, today: date | None = None) -> QuerySet[Link]:
    """The référent's active links ("Mes jeunes"), with the young people's profiles."""
    return (
        active_links(today)
        .filter(referent=user)
        .select_related("young_person__profile__departement", "young_person__vault_key")
        .order_by("label", "accepted_at")
    )


def young_person_link_get_for_user(*, user, link_id: int, today: date | None = None) -> Link:
    """One active link of the référent, or Http404 (ended, unconfirmed, someone else's)."""
    link = young_people_links_for_user(user=user, today=today).filter(pk=link_id).first()
    if link is None:
        raise Http404
    return link


def ended_links_for_user(*, user) -> QuerySet[Link]:
    """The référent's links that ended or wait for confirmation (shown without data)."""
    return (
        Link.objects.filter(referent=user)
        .exclude(pk__in=active_links().filter(referent=user).values("pk"))
        .order_by("-updated_at")
    )


def ended_links_with_status(*, user, limit: int) -> list[tuple[Link, str]]:
    """The référent's links that show nothing now, newest first, each with why
    (``link_status``): for "Mes jeunes" and "Mes liens"."""
    links = ended_links_for_user(user=user).select_related("referent", "young_person__profile")
    return [(link, link_status(link)) for link in links[:limit]]


def invitations_sent_by_user(*, user) -> QuerySet[LinkInvitation]:
    """The référent's invitations, newest first."""
    return LinkInvitation.objects.filter(referent=user).order_by("-created_at")


def invitation_sent_get_for_user(*, user, invitation_id: int) -> LinkInvitation:
    invitation = invitations_sent_by_user(user=user).filter(pk=invitation_id).first()
    if invitation is None:
        raise Http404
    return invitation


# --- What a référent sees of one young person -------------------------------------------


@dataclass
class YoungPersonFile:
    """What one link shows, scope by scope; a scope not granted stays ``None``."""

    link: Link
    profile: dict | None = None
    demarches: list[dict] | None = None
    appointments: list[dict] | None = None
    documents: list = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    proposals: list[DemarcheProposal] = field(default_factory=list)
    attention: list[dict] = field(default_factory=list)

    @property
    def scopes_read(self) -> list[str]:
        """What of the young person this file shows, as their log names it: the scopes
        read, and ``documents`` when the titles of documents shared with the référent
        are listed (their answers to the référent's own proposals are not their data)."""
        read = []
        if self.profile is not None:
            read.append(Scope.PROFILE)
        if self.demarches is not None:
            read.append(Scope.DEMARCHES)
        if self.appointments is not None:
            read.append(Scope.APPOINTMENTS)
        if self.documents:
            read.append(SHARED_DOCUMENTS)
        return read


def _profile_subset(young_person: User, today: date) -> dict:
    profile = young_person.profile
    birth_date = profile.birth_date
    return {
        "first_name": young_person.first_name,
        "age": age_on(birth_date, today) if birth_date else None,
        "commune": profile.postcode,
        "departement": profile.departement.name if profile.departement else "",
        "situation": [flag for flag in SITUATION_FLAGS if getattr(profile, flag, False)],
        "situation_labels": [
            str(profile._meta.get_field(flag).verbose_name)
            for flag in SITUATION_FLAGS
            if getattr(profile, flag, False)
        ],
    }


def _demarches(young_person: User, now: datetime) -> list[dict]:
    demarches = (
        Demarche.objects.filter(user=young_person)
        .select_related("entry")
        .prefetch_related("entry__steps", "completed_steps")
        .order_by("-updated_at")
    )
    rows = []
    for demarche in demarches:
        steps = list(demarche.entry.steps.all())
        done = {step.pk for step in demarche.completed_steps.all()}
        rows.append(
            {
                "id": demarche.pk,
                "title": demarche.entry.title,
                "status": demarche.status,
                "status_label": demarche.get_status_display(),
                "steps": [{"text": step.text, "done": step.pk in done} for step in steps],
                "done_count": len(done),
                "step_count": len(steps),
                "updated_at": demarche.updated_at,
                "stalled": demarche.status == Demarche.Status.IN_PROGRESS
                and now - demarche.updated_at > STALLED_AFTER,
            }
        )
    return rows


def _shared_appointments(young_person: User, now: datetime) -> list[dict]:
    appointments = Appointment.objects.filter(
        owner=young_person, shared_with_referents=True, starts_at__gte=now - timedelta(days=30)
    ).select_related("owner__vault_key")
    return [
        {
            "id": appointment.pk,
            "title": appointment.title,
            "place": appointment.place,
            "starts_at": appointment.starts_at,
            "this_week": now <= appointment.starts_at <= now + timedelta(days=7),
            "past": appointment.starts_at < now,
        }
        for appointment in appointments
    ]


def age_milestones(birth_date: date | None, today: date) -> list[dict]:
    """The legal birthdays coming up soon (``AGE_MILESTONES``), nearest first."""
    if birth_date is None:
        return []
    found = []
    for age, days_before, kind in AGE_MILESTONES:
        day = birthday(birth_date, age)
        if today <= day <= today + timedelta(days=days_before):
            found.append({"kind": kind, "age": age, "on": day})
    return found


def attention_of(file: YoungPersonFile, today: date) -> list[dict]:
    """What needs the référent's attention first, from what the link shows only."""
    items = []
    for appointment in file.appointments or []:
        if appointment["this_week"]:
            items.append({"kind": "appointment", "on": appointment["starts_at"].date()})
    for demarche in file.demarches or []:
        if demarche["stalled"]:
            items.append({"kind": "stalled", "title": demarche["title"]})
    if file.profile is not None:
        items.extend(age_milestones(birth_date_of(file.link.young_person), today))
    return items


def young_person_file(link: Link, *, today: date | None = None, full: bool = True):
    """What ``link`` shows of its young person today. ``full`` adds the documents shared
    with the référent and the notes (a young person's page; the list needs neither)."""
    now = timezone.now()
    today = today or timezone.localdate()
    young_person = link.young_person
    file = YoungPersonFile(link=link)
    if link.allows(Scope.PROFILE):
        file.profile = _profile_subset(young_person, today)
    if link.allows(Scope.DEMARCHES):
        file.demarches = _demarches(young_person, now)
    if link.allows(Scope.APPOINTMENTS):
        file.appointments = _shared_appointments(young_person, now)
    if full:
        file.documents = vault_selectors.referent_shares_from(
            referent=link.referent, young_person_id=young_person.pk
        )
        file.notes = list(
            Note.objects.filter(young_person=young_person, author=link.referent).select_related(
                "young_person__vault_key"
            )[:50]
        )
        # The référent's own proposals and what became of them (no scope needed: the
        # young person's answer to a proposal is addressed to its author).
        file.proposals = list(
            DemarcheProposal.objects.filter(
                young_person=young_person, referent=link.referent
            ).select_related("entry")[:20]
        )
    file.attention = attention_of(file, today)
    for provider in _attention_providers:  # the apps above: the legal milestones
        file.attention.extend(provider([link], today).get(link.pk, []))
    file.attention = _without_replaced(file.attention)
    return file


def _without_replaced(items: list[dict]) -> list[dict]:
    """An app above may say more of a reminder made here: its item ``replaces`` the kind
    of ours (the interview at 17 due or late, rather than "turns 17 on...")."""
    replaced = {item["replaces"] for item in items if item.get("replaces")}
    return [item for item in items if item["kind"] not in replaced]


def referent_display_name(referent: User) -> str:
    """How a young person sees one of their référents: "Léa, ASE educator, MECS ..."."""
    profile = getattr(referent, "referent_profile", None)
    parts = [referent.first_name or gettext("Your référent")]
    if profile is not None:
        parts.append(profile.job_title or str(profile.get_profession_display()))
        if profile.structure is not None:
            parts.append(profile.structure.name)
    return ", ".join(str(part) for part in parts if part)


def personal_data_export(user) -> dict:
    """What referents keeps of ``user``: as a young person, their links, notes and
    proposals; as a référent, their profile and their links (without others' data)."""
    if user.role == Role.REFERENT:
        profile = ReferentProfile.objects.filter(user=user).select_related("structure").first()
        return {
            "profile": {
                "departement": profile.departement_id,
                "structure": profile.structure.name if profile.structure else "",
                "profession": profile.profession,
                "job_title": profile.job_title,
                "contact_way": profile.contact_way,
                "contact_phone": profile.contact_phone,
                "contact_email": profile.contact_email,
                "contact_hours": profile.contact_hours,
            }
            if profile
            else None,
            "links": [
                {
                    "label": link.label,
                    "accepted_at": link.accepted_at.isoformat(),
                    "ended_at": link.ended_at.isoformat() if link.ended_at else None,
                }
                for link in Link.objects.filter(referent=user)
            ],
        }
    return {
        "links": [
            {
                "referent": referent_display_name(link.referent),
                "scopes": link.scopes,
                "accepted_at": link.accepted_at.isoformat(),
                "ends_on": link.ends_on.isoformat() if link.ends_on else None,
                "ended_at": link.ended_at.isoformat() if link.ended_at else None,
                "end_reason": link.end_reason,
            }
            for link in Link.objects.filter(young_person=user).select_related(
                "referent__referent_profile__structure"
            )
        ],
        "notes": [
            {"at": note.created_at.isoformat(), "author": note.author_name, "body": note.body}
            for note in notes_for_user(user=user)
        ],
        "proposals": [
            {
                "entry": proposal.entry.title,
                "status": proposal.status,
                "at": proposal.created_at.isoformat(),
            }
            for proposal in proposals_for_user(user=user)
        ],
    }


# --- "Mes jeunes": every linked young person at once ---------------------------------------

# Functions ``(links, today) -> {link id: [attention items]}`` that apps above this one
# register (the path to autonomy's milestones), asked for the whole list at once.
_attention_providers: list = []


def register_attention_provider(provider) -> None:
    """Add what needs a référent's attention from an app above (at start-up)."""
    if provider not in _attention_providers:
        _attention_providers.append(provider)


def young_people_overview(links: list[Link], *, today: date | None = None) -> list:
    """``young_person_file(link, full=False)`` for every link of "Mes jeunes", in a fixed
    number of queries however many young people (an educator may follow thirty): the
    procedures and the shared appointments of all of them are read at once."""
    now = timezone.now()
    today = today or timezone.localdate()
    with_demarches = [link.young_person_id for link in links if link.allows(Scope.DEMARCHES)]
    with_appointments = [link.young_person_id for link in links if link.allows(Scope.APPOINTMENTS)]
    demarches: dict[int, list[dict]] = {}
    for demarche in (
        Demarche.objects.filter(user_id__in=with_demarches)
        .select_related("entry")
        .order_by("-updated_at")
    ):
        demarches.setdefault(demarche.user_id, []).append(
            {
                "id": demarche.pk,
                "title": demarche.entry.title,
                "status": demarche.status,
                "status_label": demarche.get_status_display(),
                "updated_at": demarche.updated_at,
                "stalled": demarche.status == Demarche.Status.IN_PROGRESS
                and now - demarche.updated_at > STALLED_AFTER,
            }
        )
    appointments: dict[int, list[dict]] = {}
    for appointment in Appointment.objects.filter(
        owner_id__in=with_appointments,
        shared_with_referents=True,
        starts_at__gte=now,
        starts_at__lte=now + timedelta(days=7),
    ).select_related("owner__vault_key"):
        appointments.setdefault(appointment.owner_id, []).append(
            {
                "id": appointment.pk,
                "title": appointment.title,
                "place": appointment.place,
                "starts_at": appointment.starts_at,
                "this_week": True,
                "past": False,
            }
        )
    files = []
    for link in links:
        file = YoungPersonFile(link=link)
        if link.allows(Scope.PROFILE):
            file.profile = _profile_subset(link.young_person, today)
        if link.allows(Scope.DEMARCHES):
            file.demarches = demarches.get(link.young_person_id, [])
        if link.allows(Scope.APPOINTMENTS):
            file.appointments = appointments.get(link.young_person_id, [])
        file.attention = attention_of(file, today)
        files.append(file)
    for provider in _attention_providers:
        extra = provider(links, today)
        for file in files:
            file.attention.extend(extra.get(file.link.pk, []))
    for file in files:
        file.attention = _without_replaced(file.attention)
    # What needs attention first, then by label.
    files.sort(key=lambda file: (not file.attention, file.link.label.lower()))
    return files
