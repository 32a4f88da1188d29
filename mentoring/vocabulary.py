"""The words mentors and young people share: domains of help, ways to meet, time slots."""

from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _


class Domain(models.TextChoices):
    HOUSING = "housing", _("Housing")
    JOB_TRAINING = "job_training", _("Job and training")
    STUDIES = "studies", _("Studies")
    BUDGET_BANK = "budget_bank", _("Budget and bank")
    ADMIN_PROCEDURES = "admin_procedures", _("Administrative procedures")
    HEALTH = "health", _("Health")
    MOBILITY = "mobility", _("Mobility")
    CULTURE_SPORT = "culture_sport", _("Culture and sport")


class MeetingMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    REMOTE = "remote", _("Remote")
    BOTH = "both", _("In person or remote")


class Gender(models.TextChoices):
    FEMALE = "female", _("Woman")
    MALE = "male", _("Man")
    OTHER = "other", _("Other")


_DAYS = [
    ("mon", _("Monday")),
    ("tue", _("Tuesday")),
    ("wed", _("Wednesday")),
    ("thu", _("Thursday")),
    ("fri", _("Friday")),
    ("sat", _("Saturday")),
    ("sun", _("Sunday")),
]
_PARTS = [("morning", _("morning")), ("afternoon", _("afternoon")), ("evening", _("evening"))]

# A week in 21 slots ("wed_evening"): coarse on purpose, people plan in half-days.
AVAILABILITY_SLOTS = [
    (f"{day}_{part}", format_lazy("{} {}", day_label, part_label))
    for day, day_label in _DAYS
    for part, part_label in _PARTS
]

# For ``GET /api/v1/vocabulary/`` (``backend.vocabulary``).
VOCABULARIES = {
    "mentoring_domains": Domain.choices,
    "meeting_modes": MeetingMode.choices,
    "genders": Gender.choices,
    "availability_slots": AVAILABILITY_SLOTS,
}
