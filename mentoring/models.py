"""Mentoring: volunteer mentors vetted by their département's coordinator."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Departement, commune_code_validator

from .vocabulary import Gender, MeetingMode


class MentorProfile(models.Model):
    """A volunteer's application, and what the coordinator decided of it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for vetting")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SUSPENDED = "suspended", _("Suspended")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentor_profile"
    )
    departement = models.ForeignKey(
        Departement, on_delete=models.PROTECT, verbose_name=_("département")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    organisation = models.CharField(_("company or association"), max_length=200, blank=True)
    domains = models.JSONField(_("domains of help"), default=list)
    languages = models.JSONField(_("languages spoken"), default=list)
    commune_code = models.CharField(
        _("INSEE commune code"), max_length=5, validators=[commune_code_validator]
    )
    # Approximate (about 1 km): enough for distances, not an address.
    latitude = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    longitude = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    max_distance_km = models.PositiveSmallIntegerField(_("distance accepted (km)"), default=10)
    meeting_mode = models.CharField(
        _("meetings"), max_length=16, choices=MeetingMode.choices, default=MeetingMode.BOTH
    )
    availability = models.JSONField(_("weekly availability"), default=list)
    capacity = models.PositiveSmallIntegerField(_("mentees at once"), default=1)
    gender = models.CharField(_("gender"), max_length=16, choices=Gender.choices, blank=True)
    honourability_checked_on = models.DateField(
        _("honourability check done on"),
        null=True,
        blank=True,
        help_text=_("Required to work with minors (FIJAIS and criminal record check)."),
    )
    decision_note = models.TextField(_("note on the decision"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    applied_at = models.DateTimeField(_("applied at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("mentor")
        verbose_name_plural = _("mentors")
        ordering = ["-applied_at"]
        indexes = [models.Index(fields=["departement", "status"])]

    def __str__(self) -> str:
        return f"{self.user.first_name or self.user.email} ({self.get_status_display()})"

    def clean(self):
        checked = self.honourability_checked_on
        if checked is not None and checked > timezone.localdate():
            raise ValidationError(
                {
                    "honourability_checked_on": ValidationError(
                        _("The honourability check cannot be in the future."), code="future"
                    )
                }
            )
