"""The catalogue: structures, and the rights and offers young people can claim.

Aligned with the national schema data·inclusion v1: enumerations (types, fees, publics,
modes...) come from the ``data-inclusion-schema`` package, never copied by hand. What
data·inclusion lacks and Jalon's users need (eligibility by age and situation, deadlines,
steps, documents, publication workflow, translations) is added here.
"""

from datetime import date, timedelta
from itertools import pairwise

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Departement

from . import vocabulary


def latitude_field() -> models.FloatField:
    """An optional WGS 84 latitude, as data·inclusion gives it."""
    return models.FloatField(
        _("latitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )


def longitude_field() -> models.FloatField:
    """An optional WGS 84 longitude, as data·inclusion gives it."""
    return models.FloatField(
        _("longitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )


class Thematique(models.Model):
    """A data·inclusion theme ("categorie--sous-theme"); loaded from the package."""

    code = models.CharField(_("code"), max_length=120, primary_key=True)
    label = models.CharField(_("label"), max_length=200)
    categorie = models.CharField(_("category"), max_length=80, db_index=True)
    categorie_label = models.CharField(_("category label"), max_length=200)

    class Meta:
        ordering = ["code"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self) -> str:
        return f"{self.categorie_label} / {self.label}"


class Structure(models.Model):
    """An organisation that provides services: mission locale, CAF, FJT, association..."""

    departement = models.ForeignKey(
        Departement,
        verbose_name=_("département"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="structures",
        help_text=_("Département whose staff curate it; empty for national bodies."),
    )
    source = models.CharField(_("source"), max_length=100, default=vocabulary.JALON_SOURCE)
    source_id = models.CharField(_("identifier at the source"), max_length=200, blank=True)
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    adresse = models.CharField(_("address"), max_length=300, blank=True)
    complement_adresse = models.CharField(_("address complement"), max_length=300, blank=True)
    code_postal = models.CharField(_("postcode"), max_length=5, blank=True)
    commune = models.CharField(_("commune"), max_length=150, blank=True)
    commune_code = models.CharField(_("INSEE commune code"), max_length=5, blank=True)
    latitude = latitude_field()
    longitude = longitude_field()
    telephone = models.CharField(_("phone"), max_length=32, blank=True)
    courriel = models.EmailField(_("e-mail"), blank=True)
    site_web = models.URLField(_("website"), blank=True)
    horaires_accueil = models.CharField(
        _("opening hours (OSM format)"),
        max_length=500,
        blank=True,
        validators=[vocabulary.validate_opening_hours],
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("structure")
        verbose_name_plural = _("structures")
        constraints = [
            # Imports match records by (source, source_id): importing twice changes nothing.
            models.UniqueConstraint(
                fields=["source", "source_id"],
                condition=~models.Q(source_id=""),
                name="structure_unique_source_id",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Entry(models.Model):
    """A right (legal entitlement) or an offer of a partner, as the app shows it."""

    class Kind(models.TextChoices):
        RIGHT = "right", _("Right")
        OFFER = "offer", _("Offer")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted for review")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    class Scope(models.TextChoices):
        NATIONAL = "national", _("National")
        DEPARTEMENTS = "departements", _("Départements")
        COMMUNES = "communes", _("Communes")
        RADIUS = "radius", _("Around a place")

    class DeadlineKind(models.TextChoices):
        FROM_AGE = "from_age", _("From an age")
        BEFORE_AGE = "before_age", _("Before an age")
        WITHIN_YEARS_AFTER_AGE = "within_years_after_age", _("Within some years after an age")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    departement = models.ForeignKey(
        Departement,
        verbose_name=_("curating département"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="catalogue_entries",
        help_text=_("Département whose staff curate this entry; empty for national rights."),
    )
    structure = models.ForeignKey(
        Structure,
        verbose_name=_("structure"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    source = models.CharField(_("source"), max_length=100, default=vocabulary.JALON_SOURCE)
    source_id = models.CharField(_("identifier at the source"), max_length=200, blank=True)

    # Text, in French; other languages in ``translations``.
    title = models.CharField(_("title"), max_length=150)
    summary = models.CharField(_("summary"), max_length=300)
    body = models.TextField(_("description"))
    translations = models.JSONField(
        _("translations"),
        default=dict,
        blank=True,
        help_text=_('{"en": {"title": ..., "summary": ..., "body": ..., "steps": [...]}}'),
    )
    # Per language of the app, how far its translation is: to translate (also when
    # absent), machine-translated, reviewed by a person. For the curators (admin).
    translation_states = models.JSONField(
        _("state of the translations"),
        default=dict,
        blank=True,
        validators=[vocabulary.validate_translation_states],
    )

    # data·inclusion fields.
    thematiques = models.ManyToManyField(
        Thematique, verbose_name=_("themes"), blank=True, related_name="entries"
    )
    type = models.CharField(
        _("type of service"), max_length=40, choices=vocabulary.TYPE_CHOICES, blank=True
    )
    frais = models.CharField(_("fees"), max_length=20, choices=vocabulary.FRAIS_CHOICES, blank=True)
    frais_precisions = models.CharField(_("fees, details"), max_length=300, blank=True)
    publics = models.JSONField(
        _("publics"), default=list, blank=True, validators=[vocabulary.validate_publics]
    )
    modes_accueil = models.JSONField(
        _("modes of reception"),
        default=list,
        blank=True,
        validators=[vocabulary.validate_modes_accueil],
    )
    modes_mobilisation = models.JSONField(
        _("how to reach it"),
        default=list,
        blank=True,
        validators=[vocabulary.validate_modes_mobilisation],
    )
    mobilisable_par = models.JSONField(
        _("who can reach it"),
        default=list,
        blank=True,
        validators=[vocabulary.validate_mobilisable_par],
    )
    lien_mobilisation = models.URLField(_("link to apply"), blank=True)
    telephone = models.CharField(_("phone"), max_length=32, blank=True)
    courriel = models.EmailField(_("e-mail"), blank=True)
    horaires_accueil = models.CharField(
        _("opening hours (OSM format)"),
        max_length=500,
        blank=True,
        validators=[vocabulary.validate_opening_hours],
    )

    # Where it is and where it applies.
    adresse = models.CharField(_("address"), max_length=300, blank=True)
    code_postal = models.CharField(_("postcode"), max_length=5, blank=True)
    commune = models.CharField(_("commune"), max_length=150, blank=True)
    commune_code = models.CharField(_("INSEE commune code"), max_length=5, blank=True)
    latitude = latitude_field()
    longitude = longitude_field()
    scope = models.CharField(
        _("territorial scope"), max_length=20, choices=Scope.choices, default=Scope.DEPARTEMENTS
    )
    zone_departements = models.ManyToManyField(
        Departement,
        verbose_name=_("départements where it applies"),
        blank=True,
        related_name="+",
    )
    zone_communes = models.CharField(
        _("communes where it applies"),
        max_length=2000,
        blank=True,
        validators=[vocabulary.validate_commune_list],
        help_text=_("INSEE commune codes, separated by commas."),
    )
    radius_km = models.FloatField(
        _("radius (km)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0.1), MaxValueValidator(500)],
    )

    # Eligibility and deadline.
    min_age = models.PositiveSmallIntegerField(
        _("minimum age"), null=True, blank=True, validators=[MaxValueValidator(40)]
    )
    max_age = models.PositiveSmallIntegerField(
        _("maximum age"), null=True, blank=True, validators=[MaxValueValidator(40)]
    )
    situations = models.JSONField(
        _("situations"),
        default=list,
        blank=True,
        validators=[vocabulary.validate_situations],
        help_text=_("Eligible if the person is in at least one; empty: any situation."),
    )
    deadline_kind = models.CharField(
        _("deadline"), max_length=30, choices=DeadlineKind.choices, blank=True
    )
    deadline_age = models.PositiveSmallIntegerField(
        _("deadline age"), null=True, blank=True, validators=[MaxValueValidator(40)]
    )
    deadline_years = models.PositiveSmallIntegerField(
        _("deadline years"), null=True, blank=True, validators=[MaxValueValidator(60)]
    )

    documents = models.JSONField(
        _("documents to bring"),
        default=list,
        blank=True,
        validators=[vocabulary.validate_documents],
    )
    source_url = models.URLField(_("official source"), blank=True)
    internal_note = models.TextField(
        _("note for curators"),
        blank=True,
        help_text=_("Never shown in the app: what to check, who to call..."),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    reviewed_at = models.DateField(_("last reviewed on"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    # Copy of the themes' codes, kept by services.entry_reindex: the list endpoint shows
    # them without a query per page.
    theme_codes = models.JSONField(_("codes of the themes"), default=list, editable=False)
    # Unaccented lower-case text of the entry: the search on every database.
    search_text = models.TextField(_("text for the search"), editable=False, default="")
    # PostgreSQL only: French stemming over ``search_text`` (kept up to date by services).
    search_vector = SearchVectorField(_("full-text search index"), null=True, editable=False)
    # How complete an imported entry is, 0 to 100 (services_catalog.quality); the app
    # shows none below CATALOGUE_MIN_QUALITY. Jalon's own entries always score 100.
    quality_score = models.PositiveSmallIntegerField(
        _("quality score"), default=100, editable=False
    )

    history = HistoricalRecords(
        excluded_fields=["search_text", "search_vector", "theme_codes", "quality_score"]
    )

    class Meta:
        ordering = ["title"]
        verbose_name = _("catalogue entry")
        verbose_name_plural = _("catalogue entries")
        permissions = [
            ("publish_entry", _("Can publish and archive catalogue entries")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_id"],
                condition=~models.Q(source_id=""),
                name="entry_unique_source_id",
            ),
            models.CheckConstraint(
                condition=models.Q(min_age__isnull=True)
                | models.Q(max_age__isnull=True)
                | models.Q(min_age__lte=models.F("max_age")),
                name="entry_age_range_ordered",
            ),
        ]
        indexes = [
            # The app's list: published entries of a département, newest changes first.
            models.Index(fields=["status", "departement"], name="entry_status_dept_idx"),
            # Geographic prefilter (bounding box) before the exact distance.
            models.Index(fields=["latitude", "longitude"], name="entry_lat_lon_idx"),
            # The app's list without a position nor a text: published entries by title. A
            # page is read off this index whatever the size of the catalogue.
            models.Index(
                fields=["title", "id"],
                condition=models.Q(status="published"),
                name="entry_published_title_idx",
            ),
            # The offline copy's walk (``updated_since``), page after page by keyset.
            models.Index(fields=["updated_at", "id"], name="entry_updated_id_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def categories(self) -> list[str]:
        """Its data·inclusion categories, sorted (from ``theme_codes``: no query)."""
        return sorted({code.split("--", 1)[0] for code in self.theme_codes or []})

    def clean(self) -> None:
        """The entry's invariants: the admin form, the services and the imports all call
        this (through ``full_clean``), so none of them can save an entry the others refuse.
        The zone's départements are a many-to-many: see ``check_zone_departements``."""
        errors: dict[str, ValidationError] = {}
        # data·inclusion: "tous-publics" means no specific public; it stands alone.
        if "tous-publics" in (self.publics or []) and len(self.publics) > 1:
            errors["publics"] = ValidationError(
                _("“tous-publics” cannot be combined with other publics."), code="invalid"
            )
        if self.scope == self.Scope.COMMUNES and not self.zone_communes:
            errors["zone_communes"] = ValidationError(
                _("List the communes where it applies."), code="zone_required"
            )
        if self.scope == self.Scope.RADIUS and (
            self.radius_km is None or self.latitude is None or self.longitude is None
        ):
            errors["radius_km"] = ValidationError(
                _("A radius needs a place (latitude, longitude)."), code="radius_without_position"
            )
        if self.deadline_kind and self.deadline_age is None:
            errors["deadline_age"] = ValidationError(
                _("A deadline needs an age."), code="deadline_without_age"
            )
        if errors:
            raise ValidationError(errors)

    @classmethod
    def check_zone_departements(cls, scope: str, zone_departements) -> None:
        """An entry scoped to départements names at least one. A many-to-many is set after
        the entry is saved, so this is checked apart from ``clean``, before saving."""
        if scope == cls.Scope.DEPARTEMENTS and not list(zone_departements):
            raise ValidationError(
                {
                    "zone_departements": ValidationError(
                        _("Choose the départements where it applies."), code="zone_required"
                    )
                }
            )


class CatalogueVersion(models.Model):
    """One row whose number changes with every write to what the app's lists show.

    Database triggers (migration 0009) move it on any insert, update or delete of the
    entries, their structures, themes, zones and removals: bulk imports, ``update()``
    and raw SQL included, which signals would miss. The lists' ETags and cached answers
    are keyed by it, so a change is never served stale.
    """

    number = models.BigIntegerField(_("number"), default=0)

    class Meta:
        verbose_name = _("catalogue version")
        verbose_name_plural = _("catalogue versions")

    def __str__(self) -> str:
        return str(self.number)


class EntryStep(models.Model):
    """One step of what to do to get a right or use a service."""

    entry = models.ForeignKey(
        Entry, verbose_name=_("catalogue entry"), on_delete=models.CASCADE, related_name="steps"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.CharField(_("step"), max_length=500)
    translations = models.JSONField(_("translations"), default=dict, blank=True)

    class Meta:
        ordering = ["entry", "position", "id"]
        verbose_name = _("step")
        verbose_name_plural = _("steps")

    def __str__(self) -> str:
        return self.text


# A closure is temporary: longer than this, change the entry's hours or archive it.
CLOSURE_MAX_DAYS = 366
# How far ahead a closure may be announced.
CLOSURE_MAX_DAYS_AHEAD = 2 * 366
# The app's list tells of a closure this many days before it starts.
CLOSURE_NOTICE_DAYS = 14
# Closures before this are not plausible (a typo in the year).
CLOSURE_EARLIEST = date(2020, 1, 1)


class EntryClosure(models.Model):
    """A temporary closure or exceptional hours of an entry: summer closing, a strike,
    the holidays. From ``starts_on`` to ``ends_on`` (both included) the entry follows
    ``hours`` (OpenStreetMap syntax) instead of its usual hours; empty: closed."""

    entry = models.ForeignKey(
        Entry, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="closures"
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to (included)"))
    message = models.CharField(
        _("message (French)"),
        max_length=300,
        help_text=_("Shown in the app, e.g. “Fermeture estivale : réouverture le 24 août.”"),
    )
    translations = models.JSONField(
        _("translations"),
        default=dict,
        blank=True,
        validators=[vocabulary.validate_closure_translations],
        help_text=_('{"en": {"message": ...}, "ar": {"message": ...}}'),
    )
    hours = models.CharField(
        _("exceptional hours (OSM format)"),
        max_length=500,
        blank=True,
        validators=[vocabulary.validate_opening_hours],
        help_text=_("Empty: closed for the whole period."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["entry", "starts_on", "id"]
        verbose_name = _("closure or exceptional hours")
        verbose_name_plural = _("closures and exceptional hours")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="entry_closure_dates_ordered",
            )
        ]
        indexes = [
            # The app's list and detail: an entry's closures that are not over yet.
            models.Index(fields=["entry", "ends_on"], name="closure_entry_end_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.starts_on:%d/%m/%Y} - {self.ends_on:%d/%m/%Y}"

    def clean(self) -> None:
        """A period in the right order, of plausible dates and length (the admin's inline
        and ``services.entry_closure_save`` both call this through ``full_clean``)."""
        if self.starts_on is None or self.ends_on is None:
            return  # the fields' own errors say so
        if self.ends_on < self.starts_on:
            raise ValidationError(
                {"ends_on": ValidationError(_("The end must not be before the start."), "order")}
            )
        if self.starts_on < CLOSURE_EARLIEST:
            raise ValidationError(
                {"starts_on": ValidationError(_("This date is too far in the past."), "too_old")}
            )
        if self.starts_on > timezone.localdate() + timedelta(days=CLOSURE_MAX_DAYS_AHEAD):
            raise ValidationError(
                {
                    "starts_on": ValidationError(
                        _("A closure is announced at most two years ahead."), "too_far"
                    )
                }
            )
        if (self.ends_on - self.starts_on).days + 1 > CLOSURE_MAX_DAYS:
            raise ValidationError(
                {
                    "ends_on": ValidationError(
                        _(
                            "A closure lasts a year at most: change the usual hours or "
                            "archive the entry instead."
                        ),
                        "too_long",
                    )
                }
            )

    @staticmethod
    def check_no_overlap(periods) -> None:
        """Two closures of one entry cannot share a day: which hours would hold?
        ``periods``: ``(starts_on, ends_on)`` pairs of the entry's closures."""
        ordered = sorted(p for p in periods if p[0] is not None and p[1] is not None)
        for (_start, end), (next_start, _end) in pairwise(ordered):
            if next_start <= end:
                raise ValidationError(
                    _("Two closures overlap (%(day)s): one period at a time."),
                    code="overlap",
                    params={"day": next_start.strftime("%d/%m/%Y")},
                )


class EntryRemoval(models.Model):
    """An entry that left the app (archived, unpublished, expired or deleted).

    The app keeps an offline copy; ``updated_since`` tells it which entries to drop.
    """

    entry_id = models.BigIntegerField(_("number of the removed entry"), db_index=True)
    removed_at = models.DateTimeField(_("removed at"), db_index=True)

    class Meta:
        ordering = ["removed_at"]
        verbose_name = _("removed entry")
        verbose_name_plural = _("removed entries")

    def __str__(self) -> str:
        return f"entry #{self.entry_id} removed at {self.removed_at:%Y-%m-%d %H:%M}"


class EntryAlias(models.Model):
    """A record of another source that is the same service as ``entry``: an import keeps
    the service once and skips this record, now and at every later import."""

    entry = models.ForeignKey(
        Entry, verbose_name=_("catalogue entry"), on_delete=models.CASCADE, related_name="aliases"
    )
    source = models.CharField(_("source"), max_length=100)
    source_id = models.CharField(_("identifier at the source"), max_length=200)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("duplicate of another source")
        verbose_name_plural = _("duplicates of other sources")
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="entry_alias_unique")
        ]

    def __str__(self) -> str:
        return f"{self.source_id} = entry #{self.entry_id}"


class SearchEvent(models.Model):
    """One search of the catalogue, counted for the département's figures.

    Nobody is identified: no user, no free text, no IP; only what was looked for,
    whether anything was found, and a monthly pseudonym of the visitor so figures can
    count distinct people (see ``backend.pseudonyms``).
    """

    created_at = models.DateTimeField(_("searched at"), db_index=True)
    departement = models.ForeignKey(
        Departement,
        verbose_name=_("département"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    commune_code = models.CharField(_("INSEE commune code"), max_length=5, blank=True)
    categorie = models.CharField(_("category"), max_length=80, blank=True)
    thematique = models.CharField(_("theme"), max_length=120, blank=True)
    had_text = models.BooleanField(_("with a text"), default=False)
    found = models.BooleanField(_("something found"))
    visitor = models.CharField(_("monthly pseudonym of the visitor"), max_length=16, blank=True)

    class Meta:
        verbose_name = _("catalogue search")
        verbose_name_plural = _("catalogue searches")
        indexes = [
            # Figures per département and period.
            models.Index(fields=["departement", "created_at"], name="search_dept_time_idx"),
        ]

    def __str__(self) -> str:
        return f"search {self.created_at:%Y-%m-%d %H:%M} ({'found' if self.found else 'nothing'})"


class EntryConsultation(models.Model):
    """One opening of an entry's detail in the app, counted for a département's figures.

    Nobody is identified: no user, no IP; only which entry, its main category, the
    département the figure belongs to and a monthly pseudonym of the visitor so figures
    can count distinct people (see ``backend.pseudonyms``).
    """

    created_at = models.DateTimeField(_("consulted at"), db_index=True)
    # The reader's département when a young person with a profile reads it, otherwise
    # the entry's own; None for a national entry read anonymously.
    departement = models.ForeignKey(
        Departement,
        verbose_name=_("département"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Figures outlive the entries they count: a deleted entry leaves its consultations.
    entry = models.ForeignKey(
        Entry,
        verbose_name=_("catalogue entry"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The same vocabulary as SearchEvent.categorie: a data·inclusion category.
    categorie = models.CharField(_("category"), max_length=80, blank=True)
    visitor = models.CharField(_("monthly pseudonym of the visitor"), max_length=16, blank=True)

    class Meta:
        verbose_name = _("consultation of an entry")
        verbose_name_plural = _("consultations of entries")
        indexes = [
            # Figures per département and period.
            models.Index(fields=["departement", "created_at"], name="consult_dept_time_idx"),
        ]

    def __str__(self) -> str:
        return f"consultation {self.created_at:%Y-%m-%d %H:%M} of entry #{self.entry_id}"


class Demarche(models.Model):
    """A procedure a young person follows: an entry they saved, with the steps they ticked."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        ABANDONED = "abandoned", _("Abandoned")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("young person"),
        on_delete=models.CASCADE,
        related_name="demarches",
    )
    entry = models.ForeignKey(
        Entry,
        verbose_name=_("catalogue entry"),
        on_delete=models.PROTECT,
        related_name="demarches",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.IN_PROGRESS
    )
    completed_steps = models.ManyToManyField(
        EntryStep, verbose_name=_("completed steps"), blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")
        constraints = [
            models.UniqueConstraint(fields=["user", "entry"], name="demarche_one_per_entry")
        ]

    def __str__(self) -> str:
        return f"démarche #{self.pk}"


class EntryErrorReport(models.Model):
    """Someone using the app says an entry is wrong ("Signaler une erreur"): a signal
    for the curators of the entry's département, and for its freshness figures.

    Anonymous reports keep nothing of who sent them (no IP, no pseudonym); a signed-in
    reporter is kept so the report is in their export, and detached (not deleted) when
    their account is erased: the entry still needs checking.
    """

    class Kind(models.TextChoices):
        WRONG_HOURS = "wrong_hours", _("Wrong opening hours")
        WRONG_ADDRESS = "wrong_address", _("Wrong address")
        WRONG_CONTACT = "wrong_contact", _("Wrong phone number or e-mail")
        CLOSED = "closed", _("Closed for good")
        WRONG_INFORMATION = "wrong_information", _("Wrong information")
        OTHER = "other", _("Other")

    class State(models.TextChoices):
        NEW = "new", _("New")
        HANDLED = "handled", _("Handled")
        DISMISSED = "dismissed", _("Dismissed")

    # Kinds that say nothing the curators can act on without a few words.
    KINDS_NEEDING_A_MESSAGE = frozenset({Kind.WRONG_INFORMATION, Kind.OTHER})
    MESSAGE_MAX_LENGTH = 1000

    # An archived entry keeps its reports; a deleted one takes them with it.
    entry = models.ForeignKey(
        Entry,
        verbose_name=_("catalogue entry"),
        on_delete=models.CASCADE,
        related_name="error_reports",
    )
    # The entry's département when reported: whose curators handle it and whose figures
    # count it (empty for a national entry: the national editors').
    departement = models.ForeignKey(
        Departement,
        verbose_name=_("département"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(_("what is wrong"), max_length=20, choices=Kind.choices)
    message = models.CharField(_("message"), max_length=MESSAGE_MAX_LENGTH, blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True, db_index=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.NEW, db_index=True
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    note = models.TextField(
        _("note for curators"), blank=True, help_text=_("What was checked or changed.")
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("error report")
        verbose_name_plural = _("error reports")
        constraints = [
            # A new report is not handled yet; a handled or dismissed one says when.
            models.CheckConstraint(
                condition=models.Q(state="new", handled_at__isnull=True)
                | (~models.Q(state="new") & models.Q(handled_at__isnull=False)),
                name="entryerrorreport_handled_at_follows_state",
            ),
        ]
        indexes = [
            # Figures per département and period.
            models.Index(fields=["departement", "created_at"], name="report_dept_time_idx"),
            models.Index(fields=["departement", "handled_at"], name="report_dept_handled_idx"),
            # An entry's open reports (the entry's admin page and list).
            models.Index(fields=["entry", "state"], name="report_entry_state_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.entry}"

    def clean(self) -> None:
        """The message is stripped, and needed for the kinds that say too little alone."""
        self.message = (self.message or "").strip()
        if self.kind in self.KINDS_NEEDING_A_MESSAGE and not self.message:
            raise ValidationError(
                {"message": ValidationError(_("Tell us what is wrong."), code="required")}
            )
