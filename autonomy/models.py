"""The path to autonomy's rows: the legal interviews as they happen, and which catalogue
entries say what to do before each milestone (the HAS check-lists)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Milestone(models.TextChoices):
    """The steps the law gives a young person in care, in the order they come."""

    INTERVIEW_17 = "interview_17", _("Interview at 17 (projet d'accès à l'autonomie)")
    MAJORITY = "majority", _("18: majority, the pécule, the contrat jeune majeur")
    RESIDENCE_PERMIT = "residence_permit", _("Residence permit, within the year after 18")
    SIX_MONTHS = "six_months", _("Interview six months after leaving care")
    RETURN_RIGHT = "return_right", _("Right to come back (droit au retour) until 21")
    END_OF_SUPPORT = "end_of_support", _("21: the end of the support")


class Interview(models.Model):
    """One of the two interviews the law requires (CASF L.222-5-1 at 17, L.222-5-2-1 six
    months after leaving care): asked for, scheduled, held. One per kind and person."""

    class Kind(models.TextChoices):
        AT_17 = Milestone.INTERVIEW_17.value, Milestone.INTERVIEW_17.label
        SIX_MONTHS = Milestone.SIX_MONTHS.value, Milestone.SIX_MONTHS.label

    young_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="interviews",
        verbose_name=_("young person"),
    )
    kind = models.CharField(_("interview"), max_length=16, choices=Kind.choices)
    # The young person may ask for the six-month interview themselves (L.222-5-2-1).
    requested_at = models.DateTimeField(_("requested at"), null=True, blank=True)
    scheduled_for = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    held_on = models.DateField(_("held on"), null=True, blank=True)
    # The young person's appointment for it (with its reminders), when a référent set it.
    appointment = models.ForeignKey(
        "mentoring.Appointment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("appointment"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")
        constraints = [
            models.UniqueConstraint(
                fields=["young_person", "kind"], name="autonomy_one_interview_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk}"


class MilestoneEntry(models.Model):
    """A catalogue entry that says what to do before a milestone (the HAS check-lists as
    entries of the catalogue), in the order staff give."""

    milestone = models.CharField(_("milestone"), max_length=20, choices=Milestone.choices)
    entry = models.ForeignKey(
        "services_catalog.Entry",
        on_delete=models.CASCADE,
        related_name="milestones",
        verbose_name=_("entry"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("procedure of a milestone")
        verbose_name_plural = _("procedures of the milestones")
        ordering = ["milestone", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["milestone", "entry"], name="autonomy_entry_once_per_milestone"
            )
        ]

    def __str__(self) -> str:
        return f"{self.milestone}: {self.entry_id}"
