"""Writes on référents and links: invitations, consent, scopes, notes and proposals.

Every function here is what the API (the young person's side), the ``/pro/`` pages (the
référent's side), the admin (staff inviting référents) and the nightly tasks call.
"""

import logging
import secrets
from datetime import date, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import services as accounts_services
from accounts.dates import age_on, birthday
from accounts.exceptions import EnrolmentRefused
from accounts.models import Departement, User
from accounts.roles import Role
from backend.services import model_update
from services_catalog import selectors as catalog_selectors
from services_catalog import services as catalog_services
from services_catalog.models import Entry, Structure
from vault import services as vault_services
from vault.models import AccessEvent

from . import selectors
from .exceptions import (
    AlreadyLinked,
    EntryNotFound,
    InvitationInvalid,
    InvitationRefused,
    LinkConflict,
    TooManyCodeAttempts,
)
from .models import DemarcheProposal, Link, LinkInvitation, Note, ReferentProfile, Scope

logger = logging.getLogger(__name__)

# Invitation codes: no 0/O, 1/I/L, easy to read out and to type on a phone.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
# Wrong codes a young person may type in an hour before being asked to wait.
CODE_ATTEMPTS_PER_HOUR = 10
# Failed welcome forms per client address and per e-mail address, an hour.
WELCOME_ATTEMPTS_PER_HOUR = 10
NO_SUCH_INVITATION = gettext_lazy(
    "This e-mail address and invitation code match no valid invitation."
)


# --- Référent accounts ------------------------------------------------------------------


def may_invite_referents(user: User, departement: Departement) -> bool:
    """Staff and coordinators of ``departement`` (and superusers) invite its référents."""
    if not (user.is_active and user.is_staff):
        return False
    if user.is_superuser:
        return True
    return user.role in (Role.DEPARTEMENT_STAFF, Role.COORDINATOR) and (
        user.departements.filter(pk=departement.pk).exists()
    )


@transaction.atomic
def referent_invite(
    *,
    email: str,
    first_name: str,
    departement: Departement,
    structure: Structure | None,
    profession: str,
    job_title: str = "",
    invited_by: User,
) -> tuple[ReferentProfile, str]:
    """Create a référent's account and return it with its enrolment code (shown once).

    The account has no password: the référent chooses one on ``/pro/bienvenue/`` with
    the code, and sets up their second factor in the same step, before seeing anything.
    The code is e-mailed to them too.
    """
    if not may_invite_referents(invited_by, departement):
        raise InvitationRefused()
    user = accounts_services.user_create(
        email=email,
        password=None,
        role=Role.REFERENT,
        first_name=first_name,
        email_verified=True,
    )
    profile = ReferentProfile.objects.create(
        user=user,
        departement=departement,
        structure=structure,
        profession=profession,
        job_title=job_title,
        invited_by=invited_by,
    )
    code = referent_enrolment_issue(referent=user, issued_by=invited_by)
    return profile, code


def referent_enrolment_issue(*, referent: User, issued_by: User | None) -> str:
    """A new enrolment code for ``referent`` (an invitation again), e-mailed and returned.

    Only for an open account that has not set up its second factor yet: an e-mailed code
    must never replace a second factor (the mailbox alone would then be the account).
    """
    if referent.role != Role.REFERENT:
        raise InvitationRefused()
    if not referent.is_active:
        raise InvitationRefused(_("This account is closed."))
    if _has_totp(referent):
        raise InvitationRefused(
            _(
                "This référent has already set up their account. If they lost their phone, "
                "a superuser first removes their second factor (Authenticators)."
            )
        )
    profile = ReferentProfile.objects.get(user=referent)
    if issued_by is not None and not may_invite_referents(issued_by, profile.departement):
        raise InvitationRefused()
    code = accounts_services.enrolment_code_create(
        user=referent, issued_by=issued_by, hours=settings.REFERENT_INVITATION_DAYS * 24
    )
    transaction.on_commit(lambda: _send_welcome(referent, code))
    return code


def _has_totp(user: User) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def _send_welcome(referent: User, code: str) -> None:
    send_mail(
        _("Your Jalon professional space"),
        _(
            "Hello %(name)s,\n\n"
            "The département invites you to Jalon's professional space, to accompany the "
            "young people who choose to link you.\n\n"
            "Open %(url)s and enter your e-mail address and this code: %(code)s\n"
            "You will choose your password and set up your second factor (an "
            "authenticator app on your phone). The code is valid for %(days)s days.\n"
        )
        % {
            "name": referent.first_name,
            "url": settings.JALON_PUBLIC_URL.rstrip("/") + "/pro/bienvenue/",
            "code": code,
            "days": settings.REFERENT_INVITATION_DAYS,
        },
        None,
        [referent.email],
    )


def referent_welcome(
    *,
    email: str,
    code: str,
    password: str,
    totp_secret: str,
    totp_code: str,
    client_address: str,
) -> User:
    """The welcome page's form: find the invited référent and activate their account.

    The TOTP code is checked first, against the secret the page showed (it depends on no
    account); every other failure gives one message, so the page never tells whether an
    address belongs to a référent. ``WELCOME_ATTEMPTS_PER_HOUR`` failures per client
    address and per e-mail address, then ``TooManyCodeAttempts``.
    """
    from allauth.mfa.totp.internal.auth import validate_totp_code

    keys = [
        f"referents:welcome-attempts:address:{client_address}",
        f"referents:welcome-attempts:email:{selectors.email_hash(email)}",
    ]
    if any(cache.get(key, 0) >= WELCOME_ATTEMPTS_PER_HOUR for key in keys):
        raise TooManyCodeAttempts(_("Too many attempts. Try again in an hour."))
    try:
        if not validate_totp_code(totp_secret, totp_code):
            raise InvitationInvalid(_("This code from your authenticator app is not right."))
        referent = User.objects.filter(
            email__iexact=email, role=Role.REFERENT, is_active=True
        ).first()
        if referent is None:
            raise InvitationInvalid(NO_SUCH_INVITATION)
        try:
            referent_account_activate(
                referent=referent,
                code=code,
                password=password,
                totp_secret=totp_secret,
                totp_code=totp_code,
            )
        except (InvitationInvalid, EnrolmentRefused):
            raise InvitationInvalid(NO_SUCH_INVITATION) from None
    except InvitationInvalid:
        for key in keys:
            cache.add(key, 0, timeout=3600)
            cache.incr(key)
        raise
    return referent


@transaction.atomic
def referent_account_activate(
    *, referent: User, code: str, password: str, totp_secret: str, totp_code: str
) -> None:
    """The référent's first sign-in: the invitation's code, a password and a second
    factor, all at once. Nothing changes unless all three are right."""
    from allauth.mfa.totp.internal.auth import TOTP, validate_totp_code

    if referent.role != Role.REFERENT or not referent.is_active or _has_totp(referent):
        raise InvitationInvalid()
    if not validate_totp_code(totp_secret, totp_code):
        raise InvitationInvalid(_("This code from your authenticator app is not right."))
    accounts_services.staff_enrolment_consume(user=referent, code=code)
    referent.set_password(password)
    referent.save(update_fields=["password"])
    TOTP.activate(referent, totp_secret)


@transaction.atomic
def referent_deactivate(*, referent: User) -> int:
    """Close a référent's account: their links end at once (the young people are told by
    their list), and they see nothing more. Returns how many links ended."""
    referent.is_active = False
    referent.save(update_fields=["is_active"])
    return _links_end(
        selectors.open_links().filter(referent=referent), Link.EndReason.REFERENT_DEACTIVATED
    )


def _links_end(links, reason: str) -> int:
    """End these open links and revoke the documents shared through them: consent given
    to a link does not carry over to a later one with the same référent."""
    ending = list(links.select_for_update().values_list("pk", "young_person_id", "referent_id"))
    if not ending:
        return 0
    Link.objects.filter(
        pk__in=[pk for pk, _young, _referent in ending], ended_at__isnull=True
    ).update(ended_at=timezone.now(), end_reason=reason)
    by_referent: dict[int, set[int]] = {}
    for _pk, young_person_id, referent_id in ending:
        by_referent.setdefault(referent_id, set()).add(young_person_id)
    for referent in User.objects.filter(pk__in=by_referent):
        vault_services.shares_revoke_for_referent(
            young_person_ids=by_referent[referent.pk], referent=referent
        )
    return len(ending)


def referent_profile_update(*, profile: ReferentProfile, data: dict) -> ReferentProfile:
    """The référent changes how young people may reach them."""
    profile, _changed = model_update(
        profile,
        fields=("job_title", "contact_way", "contact_phone", "contact_email", "contact_hours"),
        data=data,
    )
    return profile


# --- Invitations to link ------------------------------------------------------------------


def _clean_scopes(scopes) -> list[str]:
    return sorted({str(scope) for scope in scopes} & set(Scope.values))


def invitation_code_create(
    *, referent: User, label: str = "", suggested_scopes=()
) -> tuple[LinkInvitation, str]:
    """A short code the référent gives a young person in person; returns it, shown once."""
    _check_referent(referent)
    for _attempt in range(5):
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        try:
            with transaction.atomic():
                invitation = LinkInvitation.objects.create(
                    referent=referent,
                    kind=LinkInvitation.Kind.CODE,
                    code_hash=selectors.code_hash(code),
                    label=label,
                    suggested_scopes=_clean_scopes(suggested_scopes),
                    expires_at=timezone.now() + timedelta(days=settings.REFERENT_LINK_CODE_DAYS),
                )
        except IntegrityError:  # the same code twice: draw again
            continue
        return invitation, f"{code[:4]}-{code[4:]}"
    raise LinkConflict()


def invitation_send(
    *, referent: User, email: str, label: str = "", suggested_scopes=()
) -> LinkInvitation:
    """An invitation to the young person's account with this address, accepted in the
    app. Whether such an account exists is not told: it waits for whoever has the
    address (and is a young person) to sign in."""
    _check_referent(referent)
    return LinkInvitation.objects.create(
        referent=referent,
        kind=LinkInvitation.Kind.ACCOUNT,
        email_hash=selectors.email_hash(email),
        label=label,
        suggested_scopes=_clean_scopes(suggested_scopes),
        expires_at=timezone.now() + timedelta(days=settings.REFERENT_LINK_CODE_DAYS),
    )


def invitation_withdraw(*, invitation: LinkInvitation) -> LinkInvitation:
    """The référent withdraws an invitation not yet answered (twice changes nothing).

    One the young person already answered stays as it is: ``LinkConflict``.
    """
    withdrawn = LinkInvitation.objects.filter(
        pk=invitation.pk,
        accepted_at__isnull=True,
        declined_at__isnull=True,
        withdrawn_at__isnull=True,
    ).update(withdrawn_at=timezone.now())
    invitation.refresh_from_db()
    if not withdrawn and invitation.withdrawn_at is None:
        raise LinkConflict(
            _("The young person already answered this invitation."), code="already_answered"
        )
    return invitation


def _check_referent(referent: User) -> None:
    if referent.role != Role.REFERENT or not referent.is_active:
        raise InvitationRefused()


def _code_attempts_key(young_person: User) -> str:
    return f"referents:code-attempts:{young_person.pk}"


def invitation_find_by_code(*, young_person: User, code: str) -> LinkInvitation:
    """The invitation behind a code a young person typed, to show them who it is from
    before they accept. Wrong codes are counted: ``CODE_ATTEMPTS_PER_HOUR`` at most."""
    key = _code_attempts_key(young_person)
    if cache.get(key, 0) >= CODE_ATTEMPTS_PER_HOUR:
        raise TooManyCodeAttempts()
    invitation = selectors.invitation_by_code(code)
    if invitation is None:
        cache.add(key, 0, timeout=3600)
        cache.incr(key)
        raise InvitationInvalid()
    return invitation


@transaction.atomic
def invitation_accept(
    *,
    young_person: User,
    invitation: LinkInvitation,
    scopes,
    ends_on: date | None = None,
    today: date | None = None,
) -> Link:
    """The young person accepts: the link exists from now, with the scopes they chose."""
    today = today or timezone.localdate()
    if young_person.role != Role.YOUNG_PERSON:
        raise InvitationRefused()
    locked = LinkInvitation.objects.select_for_update().get(pk=invitation.pk)
    if not locked.is_open() or not locked.referent.is_active:
        raise InvitationInvalid()
    if ends_on is not None and ends_on < today:
        raise LinkConflict(_("The end date must be today or later."), code="ends_on_past")
    if selectors.open_links().filter(young_person=young_person, referent=locked.referent).exists():
        raise AlreadyLinked()
    profile = getattr(young_person, "profile", None)
    birth_date = profile.birth_date if profile is not None else None
    # Without a birth date the young person is taken at their word as an adult: the app
    # asks for it at sign-up, and a minor's link is the department's to follow up.
    minor = birth_date is not None and age_on(birth_date, today) < 18
    link = Link.objects.create(
        young_person=young_person,
        referent=locked.referent,
        invitation=locked,
        scopes=_clean_scopes(scopes),
        label=locked.label,
        made_while_minor=minor,
        adult_on=birthday(birth_date, 18) if minor else None,
        ends_on=ends_on,
    )
    locked.accepted_at = timezone.now()
    locked.save(update_fields=["accepted_at"])
    cache.delete(_code_attempts_key(young_person))
    return link


def invitation_decline(*, invitation: LinkInvitation) -> None:
    """The young person declines an invitation to their account."""
    LinkInvitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
        declined_at=timezone.now()
    )


# --- The link: the young person's consent ---------------------------------------------


@transaction.atomic
def link_update(*, link: Link, data: dict, today: date | None = None) -> Link:
    """The young person changes what a référent sees, or the end date: at once."""
    today = today or timezone.localdate()
    if "scopes" in data:
        data = {**data, "scopes": _clean_scopes(data["scopes"])}
    if data.get("ends_on") is not None and data["ends_on"] < today:
        raise LinkConflict(_("The end date must be today or later."), code="ends_on_past")
    link, _changed = model_update(link, fields=("scopes", "ends_on"), data=data)
    return link


def link_confirm_as_adult(*, link: Link, today: date | None = None) -> Link:
    """At 18, the young person confirms a link they made as a minor (an adult decides).

    Not before: a confirmation at 17 would be a minor's, and would spare the link the
    adult's decision. A link made as an adult has nothing to confirm (it is unchanged).
    """
    if not link.made_while_minor:
        return link
    today = today or timezone.localdate()
    if link.adult_on is None or link.adult_on > today:
        raise LinkConflict(
            _("You can confirm this link from your 18th birthday."), code="not_yet_adult"
        )
    if link.confirmed_as_adult_at is None:
        link.confirmed_as_adult_at = timezone.now()
        link.save(update_fields=["confirmed_as_adult_at", "updated_at"])
    return link


@transaction.atomic
def link_end(*, link: Link, reason: str = Link.EndReason.BY_YOUNG_PERSON) -> Link:
    """End a link at once: the référent sees nothing more, and the documents shared with
    them are revoked (a later link needs them shared anew)."""
    _links_end(selectors.open_links().filter(pk=link.pk), reason)
    link.refresh_from_db()
    return link


@transaction.atomic
def links_end_past_end_date(today: date | None = None) -> int:
    """Write down the end of links whose end date has passed (the reads already hide them),
    and revoke what was shared through them."""
    today = today or timezone.localdate()
    return _links_end(selectors.open_links().filter(ends_on__lt=today), Link.EndReason.END_DATE)


def links_ask_adult_confirmation(today: date | None = None) -> int:
    """Tell each young person with links made as a minor, once they are 18, to confirm
    them (until they do, those référents see nothing). Asked once per link; returns how
    many young people were told."""
    from mentoring.models import Notification

    today = today or timezone.localdate()
    links = selectors.open_links().filter(
        selectors.awaiting_adult_confirmation(today), adult_confirmation_asked_at__isnull=True
    )
    young_people = set(links.values_list("young_person_id", flat=True))
    with transaction.atomic():
        updated = links.update(adult_confirmation_asked_at=timezone.now())
        if updated:
            Notification.objects.bulk_create(
                Notification(
                    user_id=young_person_id,
                    # Discreet: an inbox line may show on a locked phone.
                    title=_("Confirm who accompanies you"),
                    body=_(
                        "You are 18: your référents see nothing until you confirm them in Jalon."
                    ),
                )
                for young_person_id in young_people
            )
    return len(young_people) if updated else 0


# --- What a référent does for a young person ----------------------------------------------


def young_person_file_read(*, link: Link, full: bool = True) -> selectors.YoungPersonFile:
    """What the link shows of its young person, and one line in their access log saying
    who saw which scopes (nothing is written when the link shows nothing)."""
    file = selectors.young_person_file(link, full=full)
    scopes = list(file.scopes_read)
    if scopes:
        vault_services.reading_record(
            owner=link.young_person,
            actor=AccessEvent.Actor.REFERENT,
            actor_name=selectors.referent_display_name(link.referent),
            scopes=scopes,
        )
    return file


def note_add(*, link: Link, body: str) -> Note:
    """A note the référent writes for the young person, who reads it in the app."""
    body = body.strip()
    if not body:
        raise LinkConflict(_("Write something first."), code="empty_note")
    with transaction.atomic():
        note = Note(
            young_person=link.young_person,
            author=link.referent,
            author_name=selectors.referent_display_name(link.referent),
            body=body,
        )
        note.save()
    return note


def demarche_propose(*, link: Link, entry_id: int) -> DemarcheProposal:
    """Propose a procedure of the catalogue; the young person accepts it in the app."""
    try:
        entry = catalog_selectors.entry_get_visible(entry_id=entry_id)
    except Entry.DoesNotExist:
        raise EntryNotFound() from None
    try:
        with transaction.atomic():
            return DemarcheProposal.objects.create(
                young_person=link.young_person, referent=link.referent, entry=entry
            )
    except IntegrityError:
        raise LinkConflict(
            _("This procedure is already proposed and waits for an answer."),
            code="already_proposed",
        ) from None


@transaction.atomic
def proposal_accept(*, proposal: DemarcheProposal):
    """The young person accepts a proposed procedure: it becomes one of their démarches."""
    locked = DemarcheProposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.status != DemarcheProposal.Status.PROPOSED:
        raise LinkConflict(_("This proposal was already answered."), code="already_answered")
    demarche = catalog_services.demarche_start(user=locked.young_person, entry=locked.entry)
    locked.status = DemarcheProposal.Status.ACCEPTED
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_at"])
    return demarche


def proposal_decline(*, proposal: DemarcheProposal) -> DemarcheProposal:
    updated = DemarcheProposal.objects.filter(
        pk=proposal.pk, status=DemarcheProposal.Status.PROPOSED
    ).update(status=DemarcheProposal.Status.DECLINED, decided_at=timezone.now())
    if not updated:
        raise LinkConflict(_("This proposal was already answered."), code="already_answered")
    proposal.refresh_from_db()
    return proposal


# --- Erasure ---------------------------------------------------------------------------


def referents_erase(user: User) -> None:
    """Before an account goes: invitations addressed to its e-mail address go too, and
    the invitations the young person accepted (their label, the référent's words, names
    them: "Aminata, foyer de Bondy"), which the links' cascade would leave behind.

    A référent's links, invitations and profile go with the account by cascade; the
    notes they wrote stay with the young people (their author's name kept, sealed).
    """
    LinkInvitation.objects.filter(
        Q(email_hash=selectors.email_hash(user.email)) | Q(link__young_person=user)
    ).delete()


def young_people_overview_read(*, referent: User) -> list:
    """ "Mes jeunes": every active link of ``referent`` with what needs attention, and one
    line in each young person's access log whose data the list shows."""
    links = list(selectors.young_people_links_for_user(user=referent))
    files = selectors.young_people_overview(links)
    name = selectors.referent_display_name(referent) if files else ""
    for file in files:
        if file.scopes_read:
            vault_services.reading_record(
                owner=file.link.young_person,
                actor=AccessEvent.Actor.REFERENT,
                actor_name=name,
                scopes=list(file.scopes_read),
            )
    return files
