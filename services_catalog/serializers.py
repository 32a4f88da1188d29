from datetime import UTC, datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.selectors import departement_codes
from backend import languages
from backend.api.pagination import decode_cursor
from backend.api.serializers import (
    OptionalEmailField,
    OptionalURLField,
    QueryParamsMixin,
    StrictFieldsMixin,
    VocabularyChoiceField,
)
from vault.document_types import DocumentType

from . import selectors, vocabulary
from .models import CLOSURE_NOTICE_DAYS, Demarche, Entry, EntryErrorReport, EntryStep


def _language() -> str:
    return languages.current()


def translated(entry_or_step, field: str) -> str:
    """The field in the request's language when a translation exists, else in French."""
    language = _language()
    if language != "fr":
        value = (entry_or_step.translations or {}).get(language, {})
        if isinstance(value, dict) and value.get(field):
            return value[field]
    return getattr(entry_or_step, field)


def text_language(entry, fields=("title", "summary")) -> str:
    """The language of the entry's text as returned: the request's when every one of
    ``fields`` (that has French text) is translated into it, else French: a half-
    translated entry is laid out as French, left to right."""
    language = _language()
    value = (entry.translations or {}).get(language, {}) if language != "fr" else {}
    if not isinstance(value, dict):
        return "fr"
    translated_all = all(value.get(name) for name in fields if getattr(entry, name, ""))
    return language if value and translated_all else "fr"


# --- Query parameters -----------------------------------------------------------------


class CatalogueSearchParams(QueryParamsMixin, serializers.Serializer):
    """Query parameters of ``GET /api/v1/catalogue/entries/``."""

    q = serializers.CharField(required=False, max_length=200, allow_blank=True)
    categorie = VocabularyChoiceField(choices=tuple(vocabulary.CATEGORIE_CHOICES), required=False)
    thematique = VocabularyChoiceField(
        choices=tuple((row["code"], row["label"]) for row in vocabulary.thematique_rows()),
        required=False,
    )
    kind = VocabularyChoiceField(choices=tuple(Entry.Kind.choices), required=False)
    type = VocabularyChoiceField(choices=tuple(vocabulary.TYPE_CHOICES), required=False)
    frais = VocabularyChoiceField(choices=tuple(vocabulary.FRAIS_CHOICES), required=False)
    departement = serializers.CharField(required=False, max_length=3)
    commune = serializers.RegexField(
        vocabulary.COMMUNE_CODE, required=False, help_text=_("INSEE commune code.")
    )
    postcode = serializers.RegexField(r"^[0-9]{5}$", required=False)
    lat = serializers.FloatField(required=False, min_value=-90, max_value=90)
    lon = serializers.FloatField(required=False, min_value=-180, max_value=180)
    radius_km = serializers.FloatField(required=False, min_value=0.1, max_value=200)
    open_now = serializers.BooleanField(required=False, default=False)
    updated_since = serializers.DateTimeField(required=False)
    cursor = serializers.CharField(
        required=False,
        max_length=200,
        help_text="With `updated_since`: where the walk resumes (from the `next` link).",
    )

    def validate_cursor(self, value: str) -> tuple:
        try:
            updated_at, pk = decode_cursor(value)
            # In UTC, as stored; a year at the edge of the calendar overflows there.
            moment = datetime.fromisoformat(updated_at).astimezone(UTC)
            if not isinstance(pk, int) or isinstance(pk, bool) or not 0 < pk < 2**63:
                raise ValueError
            if datetime.fromisoformat(updated_at).tzinfo is None or not 2000 <= moment.year <= 9000:
                raise ValueError
        except (ValueError, TypeError, OverflowError) as exc:
            raise serializers.ValidationError(
                _("Not a cursor from a `next` link."), code="invalid_cursor"
            ) from exc
        return moment, pk

    def validate_departement(self, value: str) -> str:
        code = value.upper()
        if code not in departement_codes():
            raise serializers.ValidationError(_("Unknown département."), code="does_not_exist")
        return code

    def validate_commune(self, value: str) -> str:
        return value.upper()

    def validate(self, attrs):
        if ("lat" in attrs) != ("lon" in attrs):
            raise serializers.ValidationError(
                {"lat": _("Give both lat and lon.")}, code="incomplete_position"
            )
        if "cursor" in attrs and "updated_since" not in attrs:
            raise serializers.ValidationError(
                {"cursor": _("A cursor goes with updated_since.")},
                code="cursor_without_updated_since",
            )
        if "radius_km" in attrs and "lat" not in attrs:
            raise serializers.ValidationError(
                {"radius_km": _("A radius needs lat and lon.")}, code="radius_without_position"
            )
        return attrs


# --- Entries ------------------------------------------------------------------------------


class StructureBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ClosureSerializer(serializers.Serializer):
    """A temporary closure or exceptional hours of an entry."""

    starts_on = serializers.DateField()
    ends_on = serializers.DateField(help_text="Included.")
    message = serializers.CharField(help_text="In the request's language, else in French.")
    hours = serializers.CharField(
        allow_null=True,
        help_text="The exceptional hours in words, in the request's language; null: closed.",
    )


def closure_data(entry: Entry, closure) -> dict:
    """What the app shows of ``closure``, an entry's (``ClosureSerializer``)."""
    today = timezone.localdate()
    text = selectors.closure_hours_text(closure, selectors.entry_holiday_departement(entry), today)
    return ClosureSerializer(
        {
            "starts_on": closure.starts_on,
            "ends_on": closure.ends_on,
            "message": translated(closure, "message"),
            "hours": text or None,
        }
    ).data


class EntryListSerializer(serializers.Serializer):
    """An entry in a list. A plain serializer: no model introspection on the hot path."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Entry.Kind.choices)
    title = serializers.SerializerMethodField()
    summary = serializers.SerializerMethodField()
    categories = serializers.SerializerMethodField()
    thematiques = serializers.ListField(source="theme_codes", child=serializers.CharField())
    type = serializers.CharField()
    frais = serializers.CharField()
    departement = serializers.CharField(source="departement_id", allow_null=True)
    scope = serializers.ChoiceField(choices=Entry.Scope.choices)
    structure = serializers.SerializerMethodField()
    commune = serializers.CharField()
    code_postal = serializers.CharField()
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    distance_km = serializers.SerializerMethodField()
    horaires_accueil = serializers.CharField()
    updated_at = serializers.DateTimeField()
    language = serializers.SerializerMethodField(
        help_text="The language of the text returned: the request's, or French when the "
        "entry has no translation in it."
    )
    direction = serializers.SerializerMethodField(help_text="How that text is written.")
    closure = serializers.SerializerMethodField(
        help_text="The closure or exceptional hours under way, or the next one if it starts "
        f"within {CLOSURE_NOTICE_DAYS} days; null otherwise."
    )

    def get_language(self, entry: Entry) -> str:
        return text_language(entry)

    @extend_schema_field(ClosureSerializer(allow_null=True))
    def get_closure(self, entry: Entry) -> dict | None:
        closure = selectors.entry_closure_notice(entry)
        return closure_data(entry, closure) if closure is not None else None

    @extend_schema_field(serializers.ChoiceField(choices=["ltr", "rtl"]))
    def get_direction(self, entry: Entry) -> str:
        return languages.direction(text_language(entry))

    def get_title(self, entry: Entry) -> str:
        return translated(entry, "title")

    def get_summary(self, entry: Entry) -> str:
        return translated(entry, "summary")

    @extend_schema_field(StructureBriefSerializer(allow_null=True))
    def get_structure(self, entry: Entry) -> dict | None:
        if entry.structure_id is None:
            return None
        name = getattr(entry, "structure_name", None)
        if name is None:  # not annotated (detail view): the structure is loaded
            name = entry.structure.name
        return {"id": entry.structure_id, "name": name}

    def get_categories(self, entry: Entry) -> list[str]:
        return entry.categories

    def get_distance_km(self, entry: Entry) -> float | None:
        distance = getattr(entry, "distance_km", None)
        return round(distance, 2) if distance is not None else None


class EntryStepSerializer(serializers.ModelSerializer):
    text = serializers.SerializerMethodField()

    class Meta:
        model = EntryStep
        fields = ["id", "position", "text"]

    def get_text(self, step: EntryStep) -> str:
        return translated(step, "text")


class OpeningIntervalSerializer(serializers.Serializer):
    opens = serializers.CharField(help_text="HH:MM")
    closes = serializers.CharField(help_text="HH:MM, 24:00 for midnight")


class OpeningDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    day = serializers.ChoiceField(choices=list(selectors.WEEKDAYS))
    intervals = OpeningIntervalSerializer(many=True, help_text="Empty: closed that day.")


class OpeningHoursSerializer(serializers.Serializer):
    text = serializers.CharField(help_text="The week in words, in the request's language.")
    open_now = serializers.BooleanField(allow_null=True, help_text="Null: hours unknown.")
    next_change = serializers.DateTimeField(allow_null=True)
    week = OpeningDaySerializer(many=True, help_text="The next seven days, from today.")


class EntryDetailSerializer(EntryListSerializer):
    body = serializers.SerializerMethodField()
    hours = serializers.SerializerMethodField(
        help_text="The opening hours, readable: a structured week, the week in words, and "
        "whether it is open now (from `horaires_accueil`, OpenStreetMap syntax)."
    )
    closures = serializers.SerializerMethodField(
        help_text=f"Closures and exceptional hours under way or to come, soonest first "
        f"({selectors.CLOSURES_SHOWN} at most); `hours` already follows them."
    )
    steps = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()
    publics = serializers.ListField(child=serializers.CharField())
    frais_precisions = serializers.CharField()
    modes_accueil = serializers.ListField(child=serializers.CharField())
    modes_mobilisation = serializers.ListField(child=serializers.CharField())
    mobilisable_par = serializers.ListField(child=serializers.CharField())
    lien_mobilisation = OptionalURLField()
    telephone = serializers.CharField()
    courriel = OptionalEmailField()
    adresse = serializers.CharField()
    zone_departements = serializers.SerializerMethodField()
    zone_communes = serializers.SerializerMethodField()
    radius_km = serializers.FloatField(allow_null=True)
    min_age = serializers.IntegerField(allow_null=True)
    max_age = serializers.IntegerField(allow_null=True)
    situations = serializers.ListField(child=serializers.CharField())
    deadline = serializers.SerializerMethodField()
    source_url = OptionalURLField()
    valid_from = serializers.DateField(allow_null=True)
    valid_until = serializers.DateField(allow_null=True)
    reviewed_at = serializers.DateField(allow_null=True)

    def get_body(self, entry: Entry) -> str:
        return translated(entry, "body")

    def get_language(self, entry: Entry) -> str:
        return text_language(entry, ("title", "summary", "body"))

    @extend_schema_field(serializers.ChoiceField(choices=["ltr", "rtl"]))
    def get_direction(self, entry: Entry) -> str:
        return languages.direction(text_language(entry, ("title", "summary", "body")))

    @extend_schema_field(OpeningHoursSerializer)
    def get_hours(self, entry: Entry) -> dict:
        week = selectors.opening_week(selectors.entry_schedule(entry), timezone.now())
        return OpeningHoursSerializer(
            {
                "text": selectors.opening_text(week),
                "open_now": week.open_now,
                "next_change": week.next_change,
                "week": week.days,
            }
        ).data

    @extend_schema_field(ClosureSerializer(many=True))
    def get_closures(self, entry: Entry) -> list[dict]:
        return [closure_data(entry, closure) for closure in selectors.entry_closures_shown(entry)]

    def get_steps(self, entry: Entry) -> list[dict]:
        return EntryStepSerializer(entry.steps.all(), many=True).data

    def get_documents(self, entry: Entry) -> list[dict]:
        return [
            {"type": code, "label": str(DocumentType(code).label)}
            for code in entry.documents
            if code in DocumentType.values
        ]

    def get_zone_departements(self, entry: Entry) -> list[str]:
        return [departement.code for departement in entry.zone_departements.all()]

    def get_zone_communes(self, entry: Entry) -> list[str]:
        return vocabulary.split_communes(entry.zone_communes)

    def get_deadline(self, entry: Entry) -> dict | None:
        if not entry.deadline_kind:
            return None
        return {
            "kind": entry.deadline_kind,
            "age": entry.deadline_age,
            "years": entry.deadline_years,
        }


class RightSerializer(serializers.Serializer):
    """An entry the signed-in young person can claim, with why and until when."""

    entry = EntryListSerializer()
    reason = serializers.CharField()
    deadline = serializers.DateField(allow_null=True)
    deadline_label = serializers.CharField()


# --- Procedures ---------------------------------------------------------------------


class DemarcheSerializer(serializers.ModelSerializer):
    entry = serializers.SerializerMethodField()
    steps = serializers.SerializerMethodField()

    class Meta:
        model = Demarche
        fields = ["id", "entry", "status", "steps", "created_at", "updated_at", "closed_at"]

    def get_entry(self, demarche: Demarche) -> dict:
        return {
            "id": demarche.entry_id,
            "title": translated(demarche.entry, "title"),
            "summary": translated(demarche.entry, "summary"),
            "still_published": demarche.entry.status == Entry.Status.PUBLISHED,
        }

    def get_steps(self, demarche: Demarche) -> list[dict]:
        done = {step.pk for step in demarche.completed_steps.all()}
        return [
            {"id": step.pk, "text": translated(step, "text"), "done": step.pk in done}
            for step in demarche.entry.steps.all()
        ]


MAX_ID = 2**63 - 1  # the database's bigint


class DemarcheCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    entry = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class DemarcheUpdateSerializer(StrictFieldsMixin, serializers.Serializer):
    status = serializers.ChoiceField(choices=Demarche.Status.choices, required=False)
    completed_steps = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        max_length=100,
    )


class EntryErrorReportCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    kind = serializers.ChoiceField(choices=EntryErrorReport.Kind.choices)
    message = serializers.CharField(
        max_length=EntryErrorReport.MESSAGE_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text="What is wrong, in a few words; needed for `wrong_information` and `other`.",
    )


class EntryErrorReportSerializer(serializers.ModelSerializer):
    """What the app gets back once a report is sent (nothing of the curators' side)."""

    class Meta:
        model = EntryErrorReport
        fields = ["id", "entry", "kind", "message", "created_at"]
        read_only_fields = fields
