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


# --- Mon projet: the projet d'accès à l'autonomie (CASF art. L.222-5-1) ----------------------


class Domain(models.TextChoices):
    """The domains of the projet and of the assessment: those the law names ("en matière
    éducative, sociale, de santé, de logement, de formation, d'emploi et de ressources"),
    with papers, mobility and ties, which the HAS check-lists add."""

    SCHOOLING = "schooling", _("School and training")
    EMPLOYMENT = "employment", _("Employment")
    HOUSING = "housing", _("Housing")
    RESOURCES = "resources", _("Resources and budget")
    HEALTH = "health", _("Health")
    RIGHTS = "rights", _("Rights and papers")
    MOBILITY = "mobility", _("Mobility")
    SOCIAL = "social", _("Social life and ties")


class Actor(models.TextChoices):
    """Who writes in a projet, and who does an action."""

    YOUNG_PERSON = "young_person", _("Me")
    REFERENT = "referent", _("A référent")
    MENTOR = "mentor", _("My mentor")


class Projet(models.Model):
    """A young person's projet d'accès à l'autonomie: theirs, written with the référents
    they linked with the ``projet`` scope. One per young person, made on first write."""

    young_person = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="projet",
        verbose_name=_("young person"),
    )
    review_on = models.DateField(_("to review on"), null=True, blank=True)
    # The personne de confiance who may attend the interviews (CASF art. L.222-5-1): the
    # young person's choice, as they name them.
    trusted_person_name = models.CharField(_("personne de confiance"), max_length=120, blank=True)
    trusted_person_relation = models.CharField(_("who they are to me"), max_length=80, blank=True)
    trusted_person_phone = models.CharField(_("their phone number"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("projet d'accès à l'autonomie")
        verbose_name_plural = _("projets d'accès à l'autonomie")

    def __str__(self) -> str:
        return f"projet {self.pk}"


class DomainWishes(models.Model):
    """The young person's own words for a domain: what they want."""

    projet = models.ForeignKey(
        Projet, on_delete=models.CASCADE, related_name="wishes", verbose_name=_("projet")
    )
    domain = models.CharField(_("domain"), max_length=16, choices=Domain.choices)
    text = models.TextField(_("what I want"), max_length=2000, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("wishes for a domain")
        verbose_name_plural = _("wishes for the domains")
        ordering = ["projet", "domain"]
        constraints = [
            models.UniqueConstraint(fields=["projet", "domain"], name="autonomy_wishes_per_domain")
        ]

    def __str__(self) -> str:
        return f"{self.domain}: {self.projet_id}"


class Goal(models.Model):
    """A goal of the projet, in one domain; shared with the mentor only if the young
    person says so (CASF art. L.221-2-6: mentoring "en établissant des objectifs")."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Not started")
        IN_PROGRESS = "in_progress", _("Under way")
        REACHED = "reached", _("Reached")
        DROPPED = "dropped", _("Given up")

    projet = models.ForeignKey(
        Projet, on_delete=models.CASCADE, related_name="goals", verbose_name=_("projet")
    )
    domain = models.CharField(_("domain"), max_length=16, choices=Domain.choices)
    title = models.CharField(_("goal"), max_length=200)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PLANNED
    )
    shared_with_mentor = models.BooleanField(_("shared with my mentor"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["projet", "domain", "position", "id"]
        indexes = [models.Index(fields=["projet", "shared_with_mentor"])]

    def __str__(self) -> str:
        return self.title


class Action(models.Model):
    """A step towards a goal: who does it, by when, how far it is. It may link a catalogue
    entry, which then becomes one of the young person's saved procedures (démarches)."""

    class Status(models.TextChoices):
        TODO = "todo", _("To do")
        DOING = "doing", _("Under way")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Given up")

    goal = models.ForeignKey(
        Goal, on_delete=models.CASCADE, related_name="actions", verbose_name=_("goal")
    )
    title = models.CharField(_("action"), max_length=200)
    entry = models.ForeignKey(
        "services_catalog.Entry",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("catalogue entry"),
    )
    demarche = models.ForeignKey(
        "services_catalog.Demarche",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("procedure"),
    )
    actor = models.CharField(
        _("who does it"), max_length=16, choices=Actor.choices, default=Actor.YOUNG_PERSON
    )
    due_on = models.DateField(_("due by"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.TODO
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["goal", "due_on", "id"]

    def __str__(self) -> str:
        return self.title


class ProjetChange(models.Model):
    """One change of a projet: who, when, what. Kept for the young person to read; the
    words of the author's name and of the subject are copied, so the line still reads
    right once the goal is deleted or the référent's account closed."""

    projet = models.ForeignKey(
        Projet, on_delete=models.CASCADE, related_name="changes", verbose_name=_("projet")
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author's account"),
    )
    by_role = models.CharField(_("by"), max_length=16, choices=Actor.choices)
    by_name = models.CharField(_("by whom"), max_length=160, blank=True)
    # "goal.added", "action.changed", "wishes.changed", "projet.changed"...
    what = models.CharField(_("what"), max_length=32)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    # {field: [before, after]}, as the app shows them.
    fields = models.JSONField(_("changed fields"), default=dict, blank=True)

    class Meta:
        verbose_name = _("change of a projet")
        verbose_name_plural = _("changes of the projets")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["projet", "-at"])]

    def __str__(self) -> str:
        return f"{self.what} {self.subject}"


# --- Mon autonomie: the assessment (HAS 2024: an assessment of autonomy from 16) -----------


class Level(models.IntegerChoices):
    """The answer to one item: how the young person manages it."""

    NOT_YET = 0, _("Not yet")
    MUCH_HELP = 1, _("With a lot of help")
    LITTLE_HELP = 2, _("With a little help")
    ALONE = 3, _("I can do it on my own")


class AssessmentItem(models.Model):
    """One item of the référentiel, in plain French. Items are never rewritten once
    answered: a new wording is a new item of a new version that ``replaces`` the old one,
    so a past answer keeps the meaning it was given."""

    key = models.SlugField(_("key"), max_length=60, unique=True)
    domain = models.CharField(_("domain"), max_length=16, choices=Domain.choices)
    text = models.CharField(_("item"), max_length=300)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # The référentiel's version the item entered, and the one it left (None: still asked).
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    retired_in = models.PositiveSmallIntegerField(_("retired in version"), null=True, blank=True)
    replaces = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("replaces"),
    )
    # An item a département added: asked only there. National items have none.
    departement = models.ForeignKey(
        "accounts.Departement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by the département"),
    )
    # Written by Jalon's team from the HAS recommendations, not by the département: each
    # one waits for the département's professionals to validate it.
    to_validate = models.BooleanField(_("to be validated by the département"), default=True)

    class Meta:
        verbose_name = _("assessment item")
        verbose_name_plural = _("assessment items (référentiel)")
        ordering = ["domain", "position", "id"]

    def __str__(self) -> str:
        return self.text


class DepartementItemChoice(models.Model):
    """A département's adaptation of a national item: hidden there, or validated."""

    departement = models.ForeignKey(
        "accounts.Departement",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("département"),
    )
    item = models.ForeignKey(
        AssessmentItem, on_delete=models.CASCADE, related_name="choices", verbose_name=_("item")
    )
    hidden = models.BooleanField(_("hidden in this département"), default=False)
    validated = models.BooleanField(_("validated by the département"), default=False)

    class Meta:
        verbose_name = _("département's choice for an item")
        verbose_name_plural = _("départements' choices for the items")
        constraints = [
            models.UniqueConstraint(
                fields=["departement", "item"], name="autonomy_one_choice_per_item"
            )
        ]

    def __str__(self) -> str:
        return f"{self.departement_id}: {self.item}"


class AssessmentAuthor(models.TextChoices):
    YOUNG_PERSON = Actor.YOUNG_PERSON.value, _("the young person")
    REFERENT = Actor.REFERENT.value, _("a référent")


class Assessment(models.Model):
    """One filling of the assessment: by the young person (self-assessment) or by a
    référent they linked with the ``projet`` scope."""

    young_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="assessments",
        verbose_name=_("young person"),
    )
    by_role = models.CharField(
        _("filled by"),
        max_length=16,
        choices=AssessmentAuthor.choices,
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author's account"),
    )
    by_name = models.CharField(_("by whom"), max_length=160, blank=True)
    version = models.PositiveSmallIntegerField(_("version of the référentiel"))
    created_at = models.DateTimeField(_("filled on"), default=timezone.now)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["young_person", "-created_at"])]

    def __str__(self) -> str:
        return f"assessment {self.pk}"


class AssessmentAnswer(models.Model):
    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.CASCADE,
        related_name="answers",
        verbose_name=_("assessment"),
    )
    # PROTECT: an answered item stays, so the answer keeps its meaning.
    item = models.ForeignKey(
        AssessmentItem, on_delete=models.PROTECT, related_name="answers", verbose_name=_("item")
    )
    level = models.PositiveSmallIntegerField(_("answer"), choices=Level.choices)

    class Meta:
        verbose_name = _("answer to an item")
        verbose_name_plural = _("answers to the items")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "item"], name="autonomy_one_answer_per_item"
            )
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.level}"


# --- Où en es-tu ? The monthly check-in -------------------------------------------------------


class CheckIn(models.Model):
    """A young person's short check-in for one month. Every answer may be left out.

    Where they are in life (age, months since care ended, département) is kept as it was
    that month, so that the figures count "at 19" or "six months after leaving care"
    without reading a profile that has changed since."""

    class Housing(models.TextChoices):
        STABLE = "stable", _("Stable housing")
        TEMPORARY = "temporary", _("Temporary housing")
        NONE = "none", _("No housing")

    class Activity(models.TextChoices):
        SCHOOL = "school", _("School")
        TRAINING = "training", _("Training")
        APPRENTICESHIP = "apprenticeship", _("Apprenticeship")
        JOB = "job", _("Job")
        NONE = "none", _("None at the moment")

    class Resources(models.TextChoices):
        ENOUGH = "enough", _("Enough to live on")
        NOT_ENOUGH = "not_enough", _("Not enough")

    young_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="check_ins",
        verbose_name=_("young person"),
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    housing = models.CharField(_("housing"), max_length=16, choices=Housing.choices, blank=True)
    activity = models.CharField(_("activity"), max_length=16, choices=Activity.choices, blank=True)
    resources = models.CharField(
        _("resources"), max_length=16, choices=Resources.choices, blank=True
    )
    needs_help = models.BooleanField(_("I need help"), default=False)
    tell_mentor = models.BooleanField(_("tell my mentor too"), default=False)
    help_asked_at = models.DateTimeField(_("help asked at"), null=True, blank=True)
    # When the mentor was told (once a month, as the référents are at ``help_asked_at``).
    mentor_told_at = models.DateTimeField(_("mentor told at"), null=True, blank=True)
    age = models.PositiveSmallIntegerField(_("age"), null=True, blank=True)
    months_after_care = models.PositiveSmallIntegerField(
        _("months since care ended"), null=True, blank=True
    )
    departement = models.ForeignKey(
        "accounts.Departement",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("département"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("monthly check-in")
        verbose_name_plural = _("monthly check-ins")
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(
                fields=["young_person", "month"], name="autonomy_one_check_in_per_month"
            )
        ]
        indexes = [models.Index(fields=["month", "departement"])]

    def __str__(self) -> str:
        return f"check-in {self.month:%Y-%m}"
