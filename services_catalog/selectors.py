"""Reads on the catalogue: what the app may show, search, distance, eligibility."""

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from time import monotonic

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import (
    Case,
    Count,
    F,
    FloatField,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import ACos, Cos, Greatest, Least, Radians, Sin
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from opening_hours import State

from accounts.dates import age_on, birthday
from accounts.models import SITUATION_FLAGS, YoungPersonProfile
from accounts.roles import Role
from backend import languages

from . import communes, hours
from .communes import Commune
from .models import (
    CLOSURE_NOTICE_DAYS,
    CatalogueVersion,
    Demarche,
    Entry,
    EntryClosure,
    EntryErrorReport,
    EntryRemoval,
    Structure,
)
from .text import crude_stem, search_terms
from .vocabulary import departement_of_commune, departement_of_postcode

EARTH_RADIUS_KM = 6371.0


def entries_visible(today: date | None = None) -> QuerySet[Entry]:
    """Entries the app may show: published, within their validity dates and complete
    enough (Jalon's own entries always score 100: see ``quality``)."""
    today = today or timezone.localdate()
    return Entry.objects.filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=today),
        Q(valid_until__isnull=True) | Q(valid_until__gte=today),
        status=Entry.Status.PUBLISHED,
        quality_score__gte=settings.CATALOGUE_MIN_QUALITY,
    )


_version_read: tuple[int, float] | None = None  # (number, when this process read it)


def catalogue_version() -> int:
    """A number that changes whenever anything the app's lists show changes (database
    triggers move it: see ``CatalogueVersion``).

    Every list request needs it, so a process reuses the number it read for
    ``CATALOGUE_VERSION_MAX_AGE`` seconds; then one row by its key, in plain SQL (a
    quarter of what the ORM's query building costs).
    """
    global _version_read
    now = monotonic()
    if _version_read is not None and now - _version_read[1] < settings.CATALOGUE_VERSION_MAX_AGE:
        return _version_read[0]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT number FROM {CatalogueVersion._meta.db_table} WHERE id = 1")  # noqa: S608 - the model's own table
        row = cursor.fetchone()
    number = row[0] if row else 0
    _version_read = (number, now)
    return number


def reviewed_before(on: date | None = None) -> date:
    """An entry last reviewed before this day (or never) is due for review on ``on``."""
    on = on or timezone.localdate()
    return on - timedelta(days=settings.CATALOGUE_REVIEW_MAX_AGE_DAYS)


def needs_review(on: date | None = None) -> Q:
    """The entries due for review on ``on`` (default: today)."""
    return Q(reviewed_at__isnull=True) | Q(reviewed_at__lt=reviewed_before(on))


def proposed_by_partner() -> Q:
    """The entries a partner organisation proposed (wrote in the admin), as a filter."""
    return Q(proposed_by__role=Role.PARTNER, proposed_by__is_superuser=False)


def entries_for_app() -> QuerySet[Entry]:
    """Visible entries with what the app's list and detail show, in few queries."""
    return (
        entries_visible()
        .select_related("structure", "departement")
        .prefetch_related("thematiques", "steps", "zone_departements", closures_ahead())
    )


def entry_get_visible(*, entry_id: int) -> Entry:
    """A visible entry (raises ``Entry.DoesNotExist`` for drafts, archives and unknowns)."""
    return entries_for_app().get(pk=entry_id)


# --- Where an entry applies -------------------------------------------------------


def _zone_includes(code: str) -> Q:
    # A subquery rather than a join: no duplicate rows, so no DISTINCT to pay for.
    zone = Entry.zone_departements.through.objects.filter(departement_id=code)
    return Q(scope=Entry.Scope.DEPARTEMENTS, pk__in=zone.values("entry_id"))


def applies_in_departement(code: str) -> Q:
    """Entries that apply somewhere in département ``code`` (national ones included)."""
    return (
        Q(scope=Entry.Scope.NATIONAL)
        | _zone_includes(code)
        | Q(scope__in=[Entry.Scope.COMMUNES, Entry.Scope.RADIUS], departement_id=code)
    )


def applies_in_commune(commune_code: str) -> Q:
    """Entries that apply in commune ``commune_code``.

    Radius entries are kept when they are curated in the commune's département: without
    the commune's coordinates we cannot measure, and hiding a nearby service is worse.
    """
    departement = departement_of_commune(commune_code)
    return (
        Q(scope=Entry.Scope.NATIONAL)
        | _zone_includes(departement)
        | Q(scope=Entry.Scope.COMMUNES, zone_communes__contains=commune_code)
        | Q(scope=Entry.Scope.RADIUS, departement_id=departement)
    )


# --- Search --------------------------------------------------------------------------


def search_text(queryset: QuerySet[Entry], query: str, *, ranked: bool = True):
    """Free-text search, accent- and case-insensitive; French stemming on PostgreSQL.

    With ``ranked`` (PostgreSQL), rows get a ``rank`` to order by relevance.
    """
    terms = search_terms(query)
    if not terms:
        return queryset
    if connection.vendor == "postgresql":
        search_query = SearchQuery(" ".join(terms), config="french", search_type="plain")
        queryset = queryset.filter(search_vector=search_query)
        if ranked:
            queryset = queryset.annotate(rank=SearchRank(F("search_vector"), search_query))
        return queryset
    for term in terms:
        queryset = queryset.filter(search_text__contains=crude_stem(term))
    return queryset


def annotate_distance(queryset: QuerySet[Entry], lat: float, lon: float) -> QuerySet[Entry]:
    """Great-circle distance in km from (lat, lon) to each located entry (null otherwise)."""
    # Spherical law of cosines; the clamp keeps ACOS defined despite rounding.
    cosine = Sin(Radians(F("latitude"))) * math.sin(math.radians(lat)) + Cos(
        Radians(F("latitude"))
    ) * math.cos(math.radians(lat)) * Cos(Radians(F("longitude")) - math.radians(lon))
    distance = ACos(Least(Greatest(cosine, -1.0), 1.0), output_field=FloatField()) * (
        EARTH_RADIUS_KM
    )
    # PostgreSQL's GREATEST skips NULLs: keep unlocated entries' distance NULL explicitly.
    located = Q(latitude__isnull=False, longitude__isnull=False)
    return queryset.annotate(
        distance_km=Case(When(located, then=distance), default=None, output_field=FloatField())
    )


def within_radius(queryset: QuerySet[Entry], lat: float, lon: float, radius_km: float):
    """Located entries within ``radius_km`` of (lat, lon), prefiltered by a bounding box."""
    lat_delta = radius_km / 111.0
    lon_delta = radius_km / max(111.0 * math.cos(math.radians(lat)), 1e-6)
    return annotate_distance(
        queryset.filter(
            latitude__range=(lat - lat_delta, lat + lat_delta),
            longitude__range=(lon - lon_delta, lon + lon_delta),
        ),
        lat,
        lon,
    ).filter(distance_km__lte=radius_km)


def entry_holiday_departement(entry: Entry) -> str | None:
    """The département whose public holidays ``entry`` keeps: its own, else (a national
    entry) that of its commune or postcode, else None (France's holidays only)."""
    if entry.departement_id:
        return entry.departement_id
    if entry.commune_code:
        return departement_of_commune(entry.commune_code)
    if entry.code_postal:
        return departement_of_postcode(entry.code_postal)
    return None


def entry_schedule(entry: Entry) -> hours.Schedule:
    """``entry``'s opening over time: its hours, its département's public holidays and
    its closures (those prefetched by ``closures_ahead``, else read now)."""
    closures = getattr(entry, CLOSURES_ATTR, None)
    if closures is None:
        closures = entry.closures.filter(ends_on__gte=timezone.localdate())
    return hours.Schedule(
        entry.horaires_accueil, departement=entry_holiday_departement(entry), closures=closures
    )


def open_at(entry: Entry, moment: datetime) -> bool:
    """Whether ``entry`` is open at ``moment`` (unknown hours count as not open)."""
    local = timezone.localtime(moment).replace(tzinfo=None)
    return entry_schedule(entry).is_open(local)


def open_now_ids(queryset: QuerySet[Entry], moment: datetime) -> list[int]:
    """Ids of the entries of ``queryset`` that are open at ``moment``: two queries, the
    hours and the closures of that day, whatever the number of entries."""
    day = timezone.localtime(moment).date()
    rows = queryset.exclude(horaires_accueil="").values_list(
        "pk", "horaires_accueil", "departement_id", "commune_code", "code_postal"
    )
    closures: dict[int, list[EntryClosure]] = {}
    for closure in EntryClosure.objects.filter(
        entry__in=queryset.values("pk"), starts_on__lte=day, ends_on__gte=day
    ):
        closures.setdefault(closure.entry_id, []).append(closure)
    ids = []
    # Most entries share a few expressions: without a closure that day, an entry is open
    # exactly when another with the same hours and holidays is. Each pair is read once.
    open_by_hours: dict[tuple[str, str | None], bool] = {}
    for pk, hours_text, departement_id, commune_code, code_postal in rows:
        probe = Entry(
            pk=pk,
            horaires_accueil=hours_text,
            departement_id=departement_id,
            commune_code=commune_code,
            code_postal=code_postal,
        )
        own_closures = closures.get(pk, [])
        setattr(probe, CLOSURES_ATTR, own_closures)
        if own_closures:
            is_open = open_at(probe, moment)
        else:
            key = (hours_text, entry_holiday_departement(probe))
            is_open = open_by_hours.get(key)
            if is_open is None:
                is_open = open_by_hours[key] = open_at(probe, moment)
        if is_open:
            ids.append(pk)
    return ids


# --- Closures ---------------------------------------------------------------------------

# Where ``closures_ahead`` puts an entry's closures that are not over.
CLOSURES_ATTR = "closures_ahead"
# At most this many of them are read per entry (they cannot overlap: a week holds 7).
CLOSURES_AHEAD = 10
# The detail shows this many; the list one, when it starts within CLOSURE_NOTICE_DAYS.
CLOSURES_SHOWN = 5


def closures_ahead(today: date | None = None) -> Prefetch:
    """Prefetch of each entry's current and upcoming closures, soonest first (a bounded
    number each): the list and the detail show them without a query per entry."""
    today = today or timezone.localdate()
    return Prefetch(
        "closures",
        queryset=EntryClosure.objects.filter(ends_on__gte=today).order_by("starts_on", "pk")[
            :CLOSURES_AHEAD
        ],
        to_attr=CLOSURES_ATTR,
    )


def entries_with_closures(entries: list[Entry]) -> list[Entry]:
    """``entries`` (a page already read) with their closures ahead: one query."""
    prefetch_related_objects(entries, closures_ahead())
    return entries


def entry_closures_shown(entry: Entry, today: date | None = None) -> list[EntryClosure]:
    """The entry's current and upcoming closures the detail shows, soonest first."""
    today = today or timezone.localdate()
    closures = getattr(entry, CLOSURES_ATTR, None)
    if closures is None:
        closures = entry.closures.filter(ends_on__gte=today).order_by("starts_on", "pk")
    return [closure for closure in closures if closure.ends_on >= today][:CLOSURES_SHOWN]


def entry_closure_notice(entry: Entry, today: date | None = None) -> EntryClosure | None:
    """The closure a list mentions: the current one, or the next if it starts within
    ``CLOSURE_NOTICE_DAYS``."""
    today = today or timezone.localdate()
    for closure in entry_closures_shown(entry, today)[:1]:
        if closure.starts_on <= today + timedelta(days=CLOSURE_NOTICE_DAYS):
            return closure
    return None


def closure_hours_text(closure: EntryClosure, departement: str | None, today: date) -> str:
    """A closure's exceptional hours in words (like ``opening_text``), over its first
    seven days from today; "" when it has none (closed)."""
    if not closure.hours:
        return ""
    first = max(closure.starts_on, today)
    length = min(7, (closure.ends_on - first).days + 1)
    schedule = hours.Schedule(closure.hours, departement=departement)
    week = _week(schedule, datetime.combine(first, time.min), length)
    return opening_text(week)


def removed_since(since: datetime) -> list[int]:
    """Ids of entries that left the app since ``since`` and are not back in it."""
    removed = set(
        EntryRemoval.objects.filter(removed_at__gte=since).values_list("entry_id", flat=True)
    )
    if not removed:
        return []
    back = set(entries_visible().filter(pk__in=removed).values_list("pk", flat=True))
    return sorted(removed - back)


# --- Eligibility --------------------------------------------------------------------

SITUATION_PHRASES = {
    "in_care": "you are in the care of child protection (ASE)",
    "care_leaver": "you have left care (ASE)",
    "jeune_majeur_contract": "you have an accompagnement jeune majeur contract",
    "student": "you are a student",
    "apprentice": "you are an apprentice",
    "job_seeker": "you are looking for a job",
    "employed": "you have a job",
    "parent": "you are a parent",
    "disability_recognition": "your disability is recognised",
    "unaccompanied_minor": "you came to France as an unaccompanied minor",
}


def _situation_phrase(flag: str) -> str:
    # The phrases are marked for translation in ``_situation_phrases_for_translators``.
    return _(SITUATION_PHRASES[flag])


def _situation_phrases_for_translators() -> None:  # pragma: no cover - for makemessages
    _("you are in the care of child protection (ASE)")
    _("you have left care (ASE)")
    _("you have an accompagnement jeune majeur contract")
    _("you are a student")
    _("you are an apprentice")
    _("you are looking for a job")
    _("you have a job")
    _("you are a parent")
    _("your disability is recognised")
    _("you came to France as an unaccompanied minor")


@dataclass(frozen=True)
class Eligibility:
    entry: Entry
    reason: str
    deadline: date | None  # last day to claim, or first day it can be claimed
    deadline_label: str


def _deadline(entry: Entry, birth_date: date | None, today: date) -> tuple[date | None, str, bool]:
    """(date, label, still possible) of the entry's age-based deadline for this person."""
    if not entry.deadline_kind or entry.deadline_age is None or birth_date is None:
        return None, "", True
    kind = entry.deadline_kind
    if kind == Entry.DeadlineKind.FROM_AGE:
        start = birthday(birth_date, entry.deadline_age)
        if start > today:
            return start, _("from %(date)s") % {"date": start.strftime("%d/%m/%Y")}, True
        return None, "", True
    if kind == Entry.DeadlineKind.BEFORE_AGE:
        last_day = birthday(birth_date, entry.deadline_age) - _ONE_DAY
    else:
        last_day = birthday(birth_date, entry.deadline_age + (entry.deadline_years or 0)) - _ONE_DAY
    label = _("claim before %(date)s") % {"date": (last_day + _ONE_DAY).strftime("%d/%m/%Y")}
    return last_day, label, last_day >= today


_ONE_DAY = date.resolution


def evaluate_eligibility(
    entry: Entry, profile: YoungPersonProfile, today: date
) -> Eligibility | None:
    """Whether the person of ``profile`` can claim ``entry`` today, and why (None if not).

    Age limits are inclusive. An entry with age limits needs a known birth date.
    """
    age = age_on(profile.birth_date, today) if profile.birth_date else None
    reasons = []
    if entry.min_age is not None or entry.max_age is not None:
        if age is None:
            return None
        if entry.min_age is not None and age < entry.min_age:
            return None
        if entry.max_age is not None and age > entry.max_age:
            return None
        reasons.append(_("you are %(age)d") % {"age": age})
    if entry.situations:
        matching = [
            flag for flag in SITUATION_FLAGS if flag in entry.situations and getattr(profile, flag)
        ]
        if not matching:
            return None
        reasons.append(_situation_phrase(matching[0]))
    deadline, label, still_possible = _deadline(entry, profile.birth_date, today)
    if not still_possible:
        return None
    if reasons:
        reason = " ".join(reasons[:1] + [_("and") + " " + part for part in reasons[1:]])
        reason = reason[0].upper() + reason[1:] + "."
    else:
        reason = _("Open to every young person where you live.")
    return Eligibility(entry=entry, reason=reason, deadline=deadline, deadline_label=label)


def rights_for(
    *, profile: YoungPersonProfile, today: date | None = None, categories=None
) -> list[Eligibility]:
    """Entries the young person can claim, upcoming deadlines first, then by title;
    only those of data·inclusion ``categories`` if given (filtered in the database)."""
    today = today or timezone.localdate()
    candidates = entries_for_app()
    if categories is not None:
        candidates = candidates.filter(
            pk__in=Entry.objects.filter(thematiques__categorie__in=list(categories)).values("pk")
        )
    if profile.commune_code:
        candidates = candidates.filter(applies_in_commune(profile.commune_code))
    elif profile.departement_id:
        candidates = candidates.filter(applies_in_departement(profile.departement_id))
    else:
        candidates = candidates.filter(scope=Entry.Scope.NATIONAL)
    eligible = [
        result
        for entry in candidates
        if (result := evaluate_eligibility(entry, profile, today)) is not None
    ]
    return sorted(
        eligible,
        key=lambda item: (
            item.deadline is None,
            item.deadline or today,
            item.entry.title.lower(),
        ),
    )


def demarches_for_user(*, user) -> QuerySet[Demarche]:
    """The procedures of ``user``, with their entry and ticked steps."""
    return (
        Demarche.objects.filter(user=user)
        .select_related("entry")
        .prefetch_related("completed_steps", "entry__steps")
    )


def demarche_get_for_user(*, user, demarche_id: int) -> Demarche:
    """One of ``user``'s procedures; anyone else's is ``DoesNotExist`` (404)."""
    return demarches_for_user(user=user).get(pk=demarche_id)


# --- Error reports ----------------------------------------------------------------------


def entry_get_reportable(*, entry_id: int) -> Entry:
    """An entry the app shows, which anyone may report as wrong (``Entry.DoesNotExist``
    for drafts, archives and unknowns: what the app does not show cannot be reported)."""
    return entries_visible().only("pk", "departement_id").get(pk=entry_id)


def error_reports_for_user(*, user) -> QuerySet[EntryErrorReport]:
    """The error reports ``user`` sent while signed in, newest first, with their entry."""
    return EntryErrorReport.objects.filter(reporter=user).select_related("entry")


def open_error_reports() -> Q:
    """The reports still to look at, as a filter on ``EntryErrorReport``."""
    return Q(state=EntryErrorReport.State.NEW)


# --- The app's search ----------------------------------------------------------------

# The columns the app's list shows (EntryListSerializer).
LIST_FIELDS = (
    "id",
    "kind",
    "title",
    "summary",
    "translations",
    "theme_codes",
    "type",
    "frais",
    "departement_id",
    "scope",
    "structure_id",
    "commune",
    "code_postal",
    "commune_code",  # the public holidays of a national entry's place (closures' hours)
    "latitude",
    "longitude",
    "horaires_accueil",
    "updated_at",
)


def entry_search(params: dict) -> QuerySet[Entry]:
    """The app's catalogue query, from validated parameters (see CatalogueSearchParams).

    Ordering: by distance when a position is given, else by relevance for a text
    search, else by title.
    """
    # Only what the list shows: the search vector alone weighs more than a whole row.
    # The structures' names come apart, for the page only (``with_structure_names``): a
    # join would read every structure of the country for a search of 20 rows.
    queryset = entries_visible().only(*LIST_FIELDS)
    if params.get("updated_since"):
        queryset = queryset.filter(updated_at__gte=params["updated_since"])
    for field in ("kind", "type", "frais"):
        if params.get(field):
            queryset = queryset.filter(**{field: params[field]})
    if params.get("thematique"):
        queryset = queryset.filter(
            pk__in=Entry.thematiques.through.objects.filter(
                thematique_id=params["thematique"]
            ).values("entry_id")
        )
    if params.get("categorie"):
        queryset = queryset.filter(
            pk__in=Entry.thematiques.through.objects.filter(
                thematique__categorie=params["categorie"]
            ).values("entry_id")
        )
    if params.get("commune"):
        queryset = queryset.filter(applies_in_commune(params["commune"]))
    elif params.get("postcode"):
        departement = departement_of_postcode(params["postcode"])
        queryset = queryset.filter(
            applies_in_departement(departement) if departement else Q(pk__in=[])
        )
    if params.get("departement"):
        queryset = queryset.filter(applies_in_departement(params["departement"]))

    ordering: list = ["title", "pk"]
    by_distance = "lat" in params
    if params.get("q"):
        # Ranking is only worth computing when relevance, not distance, orders the list.
        queryset = search_text(queryset, params["q"], ranked=not by_distance)
        # A query of no word worth searching ("!!", one letter) ranks nothing.
        if "rank" in queryset.query.annotations:
            ordering = ["-rank", "title", "pk"]
    if by_distance:
        lat, lon = params["lat"], params["lon"]
        if params.get("radius_km"):
            queryset = within_radius(queryset, lat, lon, params["radius_km"])
        else:
            queryset = annotate_distance(queryset, lat, lon)
        ordering = [F("distance_km").asc(nulls_last=True), "title", "pk"]
    if params.get("open_now"):
        queryset = queryset.filter(pk__in=open_now_ids(queryset, timezone.now()))
    if params.get("updated_since"):
        # The offline copy's walk goes by keyset (``entries_after``) on this order, which
        # ``entry_updated_id_idx`` serves: a page costs the same at its start and its end.
        ordering = ["updated_at", "pk"]
    return queryset.order_by(*ordering)


def with_structure_names(rows: list[Entry]) -> list[Entry]:
    """Give each row of a page its structure's ``structure_name``, in one query."""
    ids = {row.structure_id for row in rows if row.structure_id}
    names = dict(Structure.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}
    for row in rows:
        row.structure_name = names.get(row.structure_id)
    return rows


def entry_cursor(entry: Entry) -> list:
    """Where an offline copy's walk resumes after ``entry`` (see ``entries_after``)."""
    return [entry.updated_at.isoformat(), entry.pk]


def entries_after(queryset: QuerySet[Entry], cursor: tuple[datetime, int]) -> QuerySet[Entry]:
    """The rows of an ``updated_since`` walk that come after ``cursor``."""
    updated_at, pk = cursor
    # The first condition alone bounds the index scan; the second tells ties apart.
    return queryset.filter(updated_at__gte=updated_at).exclude(updated_at=updated_at, pk__lte=pk)


def search_departement(params: dict) -> str | None:
    """The département a search is about, for the figures (None if it is national)."""
    if params.get("departement"):
        return params["departement"]
    if params.get("commune"):
        return departement_of_commune(params["commune"])
    if params.get("postcode"):
        return departement_of_postcode(params["postcode"])
    return None


# --- Reception places ("vers qui me tourner") --------------------------------------------

# A reception place is where someone receives a young person in person to listen, inform
# and point them on: a mission locale, a CCAS, a point d'accueil écoute jeunes, a maison
# des adolescents, France services, a CAF or CPAM counter, a point information jeunesse...
# The catalogue has no structure typology, so the rule reads the entry: a visible entry of
# data·inclusion type "accompagnement" or "information", received in person
# ("en-presentiel"), with a place to go to (an address or a position). Workshops, trainings,
# financial and material aid are services one is sent to, not places to turn to.
RECEPTION_TYPES = ("accompagnement", "information")
IN_PERSON = "en-presentiel"
# Farther than this, a place is not "near" (and the bounding box keeps the query small).
RECEPTION_RADIUS_KM = 30.0


# What a reception place shows (``referents.contacts``): not the body nor the search vector.
PLACE_FIELDS = (
    "id",
    "title",
    "scope",
    "radius_km",
    "departement_id",
    "adresse",
    "code_postal",
    "commune",
    "commune_code",
    "latitude",
    "longitude",
    "telephone",
    "courriel",
    "horaires_accueil",
    "structure__name",
    "structure__adresse",
    "structure__code_postal",
    "structure__commune",
    "structure__latitude",
    "structure__longitude",
    "structure__telephone",
    "structure__courriel",
    "structure__site_web",
    "structure__horaires_accueil",
)


def reception_places() -> QuerySet[Entry]:
    """Visible entries that are reception places (the rule above), with their structure."""
    return (
        entries_visible()
        .filter(type__in=RECEPTION_TYPES, modes_accueil__icontains=f'"{IN_PERSON}"')
        .filter(~Q(adresse="") | Q(latitude__isnull=False, longitude__isnull=False))
        .select_related("structure")
        .only(*PLACE_FIELDS)
    )


def commune_position(*, commune_code: str = "", postcode: str = "") -> tuple[float, float] | None:
    """Where a commune is, estimated from the catalogue's own located places in it.

    The project keeps no table of commune coordinates: the average position of the located
    structures and visible entries of ``commune_code``, else of ``postcode``; None when
    the catalogue knows no place there. Two queries, whatever the catalogue's size.
    """
    columns = {"code_postal": postcode, "commune_code": commune_code}
    wanted = {column: value for column, value in columns.items() if value}
    if not wanted:
        return None
    totals = dict.fromkeys(wanted, (0.0, 0.0, 0))
    for queryset in (Structure.objects.all(), entries_visible()):
        aggregates, anywhere = {}, Q(pk__in=[])
        for column, value in wanted.items():
            match = Q(**{column: value})
            anywhere |= match
            aggregates[f"{column}_lat"] = Sum("latitude", filter=match)
            aggregates[f"{column}_lon"] = Sum("longitude", filter=match)
            aggregates[f"{column}_count"] = Count("pk", filter=match)
        row = queryset.filter(anywhere, latitude__isnull=False, longitude__isnull=False).aggregate(
            **aggregates
        )
        for column, (lat_sum, lon_sum, count) in totals.items():
            if row[f"{column}_count"]:
                totals[column] = (
                    lat_sum + row[f"{column}_lat"],
                    lon_sum + row[f"{column}_lon"],
                    count + row[f"{column}_count"],
                )
    for column in ("commune_code", "code_postal"):  # the commune first, else the postcode
        lat_sum, lon_sum, count = totals.get(column, (0.0, 0.0, 0))
        if count:
            return lat_sum / count, lon_sum / count
    return None


def _applies_around(*, commune_code: str, departement_code: str) -> Q:
    """Entries that serve someone of ``commune_code`` (or only ``departement_code``), once
    the query has measured ``distance_km``: radius entries within their radius, wherever
    they are curated (a neighbouring département's place across the street counts)."""
    if commune_code:
        by_zone = (
            Q(scope=Entry.Scope.NATIONAL)
            | _zone_includes(departement_code)
            | Q(scope=Entry.Scope.COMMUNES, zone_communes__contains=commune_code)
        )
    else:
        by_zone = (
            Q(scope=Entry.Scope.NATIONAL)
            | _zone_includes(departement_code)
            | Q(scope=Entry.Scope.COMMUNES, departement_id=departement_code)
        )
    return by_zone | Q(scope=Entry.Scope.RADIUS, distance_km__lte=F("radius_km"))


def reception_places_near(
    *,
    commune_code: str = "",
    postcode: str = "",
    departement_code: str = "",
    position: tuple[float, float] | None = None,
    limit: int = 8,
) -> list[Entry]:
    """The reception places that serve a young person, nearest first; one query.

    With ``position`` (see ``commune_position``): located places within
    ``RECEPTION_RADIUS_KM`` (a bounding box first, on the latitude/longitude index), each
    with ``distance_km``. Without: the places curated in the département or in the same
    postcode, same commune first, then same postcode, then the rest of the département,
    each with ``distance_km`` None. Several entries of one structure are one place: the
    nearest (or first by title) stands for it, the others are in its ``other_entries``.
    """
    if not departement_code:
        departement_code = (
            departement_of_commune(commune_code)
            if commune_code
            else departement_of_postcode(postcode) or ""
        )
    if not departement_code:
        return []
    places = reception_places()
    if position is not None:
        lat, lon = position
        places = within_radius(places, lat, lon, RECEPTION_RADIUS_KM).filter(
            _applies_around(commune_code=commune_code, departement_code=departement_code)
        )
        ordering = [F("distance_km").asc(), "title", "pk"]
    else:
        nearby = Q(departement_id=departement_code)
        if postcode:
            nearby |= Q(code_postal=postcode)
        places = places.filter(nearby).filter(
            applies_in_commune(commune_code)
            if commune_code
            else applies_in_departement(departement_code)
        )
        closeness = Case(
            When(Q(commune_code=commune_code) & ~Q(commune_code=""), then=0),
            When(Q(code_postal=postcode) & ~Q(code_postal=""), then=1),
            default=2,
        )
        places = places.annotate(closeness=closeness, distance_km=Value(None, FloatField()))
        ordering = ["closeness", "title", "pk"]
    # A few rows more than shown, for structures that have several entries; still bounded.
    rows = list(places.order_by(*ordering)[: limit * 4])
    chosen: dict[tuple[str, int], Entry] = {}
    for entry in rows:
        key = ("structure", entry.structure_id) if entry.structure_id else ("entry", entry.pk)
        if key in chosen:
            chosen[key].other_entries.append(entry)
        elif len(chosen) < limit:
            entry.other_entries = []
            chosen[key] = entry
    return list(chosen.values())


def opening_state(
    hours_text: str, moment: datetime, *, departement: str | None = None, closures=()
) -> tuple[bool, datetime | None]:
    """(open at ``moment``, when that changes next) for OpenStreetMap ``hours_text``, with
    the public holidays of ``departement`` and the ``closures`` (see ``hours.Schedule``).

    Unknown or unreadable hours are (False, None): not known to be open. The change is
    an aware datetime in the project's time zone, None if never within the hours.
    """
    return schedule_state(
        hours.Schedule(hours_text, departement=departement, closures=closures), moment
    )


def schedule_state(schedule: hours.Schedule, moment: datetime) -> tuple[bool, datetime | None]:
    """(open at ``moment``, when that changes next) of ``schedule`` (see ``opening_state``)."""
    if not schedule.known:
        return False, None
    local = timezone.localtime(moment).replace(tzinfo=None)
    change = schedule.next_change(local)
    return schedule.is_open(local), timezone.make_aware(change) if change else None


def entry_opening_state(entry: Entry, moment: datetime) -> tuple[bool, datetime | None]:
    """``opening_state`` of ``entry``, with its département's holidays and its closures."""
    return schedule_state(entry_schedule(entry), moment)


@dataclass
class OpeningWeek:
    """An entry's hours as the app shows them: the next seven days, each with its
    opening intervals, and whether it is open now (None when the hours are unknown)."""

    days: list[dict]
    open_now: bool | None
    next_change: datetime | None


def _week(schedule: hours.Schedule, first: datetime, length: int = 7) -> OpeningWeek:
    """``length`` days of ``schedule`` from ``first`` (naive midnight); no "now"."""
    spans = list(schedule.spans(first, first + timedelta(days=length)))
    days = []
    for offset in range(length):
        day = (first + timedelta(days=offset)).date()
        day_start = datetime.combine(day, time.min)
        day_end = day_start + timedelta(days=1)
        intervals, unknown = [], False
        for start, end, state in spans:
            # An interval over midnight is cut at each day's end.
            opens, closes = max(start, day_start), min(end, day_end)
            if opens >= closes:
                continue
            if state == State.UNKNOWN:
                unknown = True
            elif state == State.OPEN:
                intervals.append(
                    {
                        "opens": opens.strftime("%H:%M"),
                        "closes": "24:00" if closes == day_end else closes.strftime("%H:%M"),
                    }
                )
        days.append(
            {
                "date": day,
                "day": WEEKDAYS[day.weekday()],
                "intervals": intervals,
                # Not said to be open nor closed ("Sa unknown"): the words leave it out.
                "unknown": unknown and not intervals,
            }
        )
    return OpeningWeek(days=days, open_now=None, next_change=None)


def opening_week(schedule: hours.Schedule, moment: datetime) -> OpeningWeek:
    """The seven days from ``moment``'s day (Paris time) of ``schedule`` (its holidays
    and closures included):
    ``[{"date", "day", "intervals": [{"opens": "09:00", "closes": "12:00"}]}]``."""
    if not schedule.known:
        return OpeningWeek(days=[], open_now=None, next_change=None)
    local = timezone.localtime(moment)
    first = local.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    week = _week(schedule, first)
    week.open_now, week.next_change = schedule_state(schedule, moment)
    return week


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DASH = "\u2013"  # an en dash between two times or two days


def _time_words(value: str) -> str:
    """ "14:30" as French writes it ("14 h 30", "9 h"); other languages keep "14:30"."""
    if languages.current() != "fr":
        return value
    hour, minute = value.split(":")
    return f"{int(hour)} h" if minute == "00" else f"{int(hour)} h {minute}"


def _day_ranges(days: list[date]) -> str:
    """Days (in weekday order) in words: runs of three or more as ranges
    ("lundi-mercredi, vendredi", with an en dash), two neighbours side by side
    ("samedi, dimanche")."""
    runs: list[list[date]] = []
    for day in days:
        if runs and day.weekday() == runs[-1][-1].weekday() + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    names = []
    for run in runs:
        if len(run) >= 3:
            names.append(f"{date_format(run[0], 'l')}{DASH}{date_format(run[-1], 'l')}")
        else:
            names += [date_format(day, "l") for day in run]
    return ", ".join(names)


def opening_text(week: OpeningWeek) -> str:
    """The week in words, in the active language: days with the same hours together, as
    ranges of weekdays ("lundi-vendredi 9 h-12 h 30, 14 h-17 h · samedi, dimanche
    fermé", with en dashes). Days whose hours are unknown are left out; comments are not words for
    the app (they are not translated)."""
    groups: dict[tuple, list[date]] = {}
    for day in sorted(week.days, key=lambda d: d["date"].weekday()):
        if day.get("unknown"):
            continue
        key = tuple((i["opens"], i["closes"]) for i in day["intervals"])
        groups.setdefault(key, []).append(day["date"])
    parts = []
    closed = _("closed")  # outside the f-string below: makemessages does not look inside
    # The opening days in the order of each group's first weekday, the closed ones last.
    for key, days in sorted(groups.items(), key=lambda group: not group[0]):
        spans = ", ".join(
            f"{_time_words(opens)}{DASH}{_time_words(closes)}" for opens, closes in key
        )
        parts.append(f"{_day_ranges(days)} {spans or closed}")
    return " · ".join(parts)


# --- Communes (reference data, see ``communes``) ---------------------------------------


def communes_matching(query: str, *, departements=None, limit: int = 10) -> list[Commune]:
    """The current communes whose name starts with ``query`` (accents, case, hyphens and
    "st" for "saint" put aside), or whose postcode or INSEE code does; only those of
    ``departements`` (codes) unless it is None. For the admin's autocomplete."""
    return communes.search(query, departements=departements, limit=limit)


def commune_named(code: str) -> Commune | None:
    """The current commune of INSEE code ``code``, or None (a former or mistyped code)."""
    return communes.get(code)


def communes_called(name: str, *, departements=None) -> list[Commune]:
    """The current communes named ``name`` (compared as ``communes_matching`` does), of
    ``departements`` (codes) unless None: what a name typed without the autocomplete
    may mean."""
    return communes.find_by_name(name, departements=departements)


def commune_label(code: str) -> str:
    """``"Saint-Denis (93066)"``: a commune as staff read it; an INSEE code the reference
    does not know (a former commune) is shown as it is."""
    commune = communes.get(code)
    return commune.label if commune is not None else code
