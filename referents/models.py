"""Référents and the links that young people make with them.

A link is the young person's consent: it exists only once they accepted an invitation,
it says scope by scope what the référent may see, and it ends when they say so.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.crypto.sealed import Sealed, SealedModel


class Profession(models.TextChoices):
    ASE_EDUCATOR = "ase_educator", _("ASE educator")
    CARE_HOME_EDUCATOR = "care_home_educator", _("Educator of a MECS, foyer or service de suite")
    MISSION_LOCALE = "mission_locale", _("Mission locale adviser")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    SCHOOL = "school", _("School professional")
    HEALTH = "health", _("Health professional")
    JUSTICE = "justice", _("Justice professional")
    OTHER = "other", _("Other professional")


class ContactWay(models.TextChoices):
    """How a référent chose to be reached by the young people who linked them."""

    PHONE = "phone", _("By phone")
    SMS = "sms", _("By text message")
    EMAIL = "email", _("By e-mail")
    IN_PERSON = "in_person", _("In person, at the structure")


class ReferentProfile(models.Model):
    """What a référent's account adds: where they work, and how they may be reached."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="referent_profile",
        verbose_name=_("account"),
    )
    departement = models.ForeignKey(
        "accounts.Departement",
        verbose_name=_("département"),
        on_delete=models.PROTECT,
        related_name="referents",
    )
    # The catalogue's structures: where the référent works (a MECS, a mission locale...).
    # Kept if the structure leaves the catalogue: the référent still works somewhere.
    structure = models.ForeignKey(
        "services_catalog.Structure",
        verbose_name=_("structure"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referents",
    )
    profession = models.CharField(_("profession"), max_length=32, choices=Profession.choices)
    job_title = models.CharField(
        _("job title"), max_length=120, blank=True, help_text=_("As the young people know it.")
    )
    contact_way = models.CharField(
        _("preferred way to be reached"),
        max_length=16,
        choices=ContactWay.choices,
        default=ContactWay.PHONE,
    )
    contact_phone = models.CharField(_("professional phone"), max_length=32, blank=True)
    contact_email = models.EmailField(_("professional e-mail"), blank=True)
    contact_hours = models.CharField(
        _("when to reach me"), max_length=200, blank=True, help_text=_("For example: Mon-Fri 9-17.")
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("référent")
        verbose_name_plural = _("référents")

    def __str__(self) -> str:
        return str(self.user)


class Scope(models.TextChoices):
    """What a young person may let a référent see, one by one."""

    PROFILE = "profile", _("My first name, age, commune and situation")
    DEMARCHES = "demarches", _("My procedures and how far I got")
    APPOINTMENTS = "appointments", _("The appointments I mark as shared")
    PROJET = "projet", _("My projet d'accès à l'autonomie and my assessments")


class LinkInvitation(models.Model):
    """A référent's invitation to link: a short code given in person, or one sent to an
    account. Nothing is linked until the young person accepts it."""

    class Kind(models.TextChoices):
        CODE = "code", _("Code given in person")
        ACCOUNT = "account", _("Sent to the young person's account")

    referent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="link_invitations_sent",
        verbose_name=_("référent"),
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    # Only the code's keyed hash (HMAC with the server's secret): the database alone
    # links no one.
    code_hash = models.CharField(
        _("hash of the code"), max_length=64, unique=True, null=True, blank=True
    )
    # An invitation to an account is addressed by the hash of an e-mail address: whether
    # an account has that address is never told to the référent, and a young person who
    # signs up later with it finds the invitation waiting.
    email_hash = models.CharField(
        _("hash of the e-mail address"), max_length=64, blank=True, db_index=True
    )
    # The référent's own words to find the young person again in their list ("Aminata,
    # foyer de Bondy"): theirs, not the young person's data.
    label = models.CharField(_("label"), max_length=80, blank=True)
    # The scopes the référent suggests; the young person chooses at acceptance.
    suggested_scopes = models.JSONField(
        _("what the référent suggests to see"), default=list, blank=True
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    declined_at = models.DateTimeField(_("declined at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("link invitation")
        verbose_name_plural = _("link invitations")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="code", code_hash__isnull=False, email_hash="")
                    | (Q(kind="account", code_hash__isnull=True) & ~Q(email_hash=""))
                ),
                name="referents_invitation_code_xor_account",
            )
        ]
        # A référent's invitations (the "invite" page); a young person's by email_hash.
        indexes = [models.Index(fields=["referent", "-created_at"])]

    def __str__(self) -> str:
        return f"invitation {self.pk}"

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.accepted_at is None
            and self.declined_at is None
            and self.withdrawn_at is None
            and self.expires_at > now
        )


class Link(models.Model):
    """A young person's consent that a référent accompanies them, with what they may see."""

    class EndReason(models.TextChoices):
        BY_YOUNG_PERSON = "young_person", _("Ended by the young person")
        BY_REFERENT = "referent", _("Ended by the référent")
        REFERENT_DEACTIVATED = "referent_deactivated", _("The référent's account was closed")
        END_DATE = "end_date", _("Reached its end date")
        NOT_CONFIRMED = "not_confirmed", _("Not confirmed at 18")

    young_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="referent_links",
        verbose_name=_("young person"),
    )
    referent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="young_people_links",
        verbose_name=_("référent"),
    )
    invitation = models.OneToOneField(
        LinkInvitation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="link",
        verbose_name=_("invitation"),
    )
    scopes = models.JSONField(_("what the référent may see"), default=list, blank=True)
    label = models.CharField(_("label"), max_length=80, blank=True)  # the invitation's
    accepted_at = models.DateTimeField(_("accepted at"), default=timezone.now)
    # At acceptance, the young person was under 18: at 18 they decide anew.
    made_while_minor = models.BooleanField(_("made while a minor"), default=False)
    # Their 18th birthday as the profile gave it at acceptance, kept on the link: a birth
    # date changed or removed later must not spare the link the adult's decision.
    adult_on = models.DateField(_("turns 18 on"), null=True, blank=True)
    confirmed_as_adult_at = models.DateTimeField(
        _("confirmed as an adult at"), null=True, blank=True
    )
    # When the young person was asked, at 18, to confirm it (asked once: the nightly task).
    adult_confirmation_asked_at = models.DateTimeField(
        _("confirmation at 18 requested at"), null=True, blank=True
    )
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    end_reason = models.CharField(
        _("end reason"), max_length=24, choices=EndReason.choices, blank=True
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("link with a référent")
        verbose_name_plural = _("links with référents")
        ordering = ["-accepted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["young_person", "referent"],
                condition=Q(ended_at__isnull=True),
                name="referents_one_open_link_per_pair",
            )
        ]
        # A référent's young people ("Mes jeunes"); a young person's référents (the app).
        indexes = [
            models.Index(fields=["referent", "ended_at"]),
            models.Index(fields=["young_person", "ended_at"]),
        ]

    def __str__(self) -> str:
        return f"link {self.pk}"

    def allows(self, scope: str) -> bool:
        return scope in self.scopes


class Note(SealedModel):
    """A note a référent writes for a young person, who reads it in the app.

    Sealed with the young person's own key: it is theirs, and it stays with them when the
    référent leaves (the author's name is kept as it was, sealed too).
    """

    young_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="referent_notes",
        verbose_name=_("young person"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author's account"),
    )
    author_name = Sealed(verbose_name=_("author"))
    body = Sealed(verbose_name=_("note"))
    author_name_sealed = models.BinaryField(_("author (sealed)"), default=b"", blank=True)
    body_sealed = models.BinaryField(_("note (sealed)"), default=b"", blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("référent's note")
        verbose_name_plural = _("référents' notes")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["young_person", "-created_at"])]

    def __str__(self) -> str:
        return f"note {self.pk}"

    def sealing_key(self) -> bytes:
        from vault.keys import person_secret

        return person_secret(self.young_person)


class DemarcheProposal(models.Model):
    """A procedure of the catalogue that a référent proposes; the young person accepts it
    in the app (it becomes one of their démarches) or declines it."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    young_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="demarche_proposals",
        verbose_name=_("young person"),
    )
    referent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="demarche_proposals_made",
        verbose_name=_("référent"),
    )
    entry = models.ForeignKey(
        "services_catalog.Entry",
        on_delete=models.CASCADE,
        related_name="proposals",
        verbose_name=_("catalogue entry"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PROPOSED
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("proposed procedure")
        verbose_name_plural = _("proposed procedures")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["young_person", "entry"],
                condition=Q(status="proposed"),
                name="referents_one_open_proposal_per_entry",
            )
        ]

    def __str__(self) -> str:
        return f"proposal {self.pk}"
