"""Writes on the catalogue: indexing, publication workflow, procedures, figures' events.

The admin, the API, management commands and Celery tasks all go through these functions.
"""

import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.db.models import Value
from django.db.models.fields import TextField
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.scoping import user_sees_all_departements
from backend.pseudonyms import PSEUDONYM_LENGTH, pseudonym, user_subject
from backend.services import counted_without_waiting_for_disk, model_update

from .models import (
    CLOSURE_NOTICE_DAYS,
    Demarche,
    Entry,
    EntryClosure,
    EntryConsultation,
    EntryErrorReport,
    EntryRemoval,
    EntryStep,
    SearchEvent,
    Structure,
    Thematique,
)
from .quality import entry_quality_score
from .text import searchable
from .vocabulary import split_communes

PUBLISH_PERMISSION = "services_catalog.publish_entry"


# --- Search index -----------------------------------------------------------------------


def entry_search_text(entry: Entry) -> str:
    """Everything a young person might type to find ``entry``, normalised."""
    return search_text_of(
        entry,
        structure_name=entry.structure.name if entry.structure_id else "",
        themes=entry.thematiques.all(),
        steps=[step.text for step in entry.steps.all()],
    )


def search_text_of(
    entry: Entry, *, structure_name: str, themes: Iterable[Thematique], steps: Iterable[str]
) -> str:
    """``entry_search_text`` from what the caller already has (imports load it in bulk)."""
    parts = [entry.title, entry.summary, entry.body, entry.commune, entry.frais_precisions]
    if structure_name:
        parts.append(structure_name)
    parts += [f"{theme.label} {theme.categorie_label}" for theme in themes]
    parts += list(steps)
    for translation in (entry.translations or {}).values():
        if isinstance(translation, dict):
            parts += [str(translation.get(key, "")) for key in ("title", "summary", "body")]
    return searchable(" ".join(part for part in parts if part))


def entry_reindex(*, entry: Entry, new: bool = False) -> None:
    """Refresh what is derived from the entry: its theme codes, its search text, its
    quality score and, on PostgreSQL, its French search vector. Call it after every change
    of the entry (``new``: just created, so no offline copy has it to lose or get back
    when its score crosses the quality bar)."""
    search_text = entry_search_text(entry)
    theme_codes = sorted(entry.thematiques.values_list("code", flat=True))
    quality_score = entry_quality_score(entry, theme_codes)
    previous_score = entry.quality_score
    Entry.objects.filter(pk=entry.pk).update(
        search_text=search_text, theme_codes=theme_codes, quality_score=quality_score
    )
    entry.quality_score = quality_score
    if not new:
        entries_follow_quality_bar([(entry, previous_score)])
    if connection.vendor == "postgresql":
        # The title weighs more than the rest of the text.
        Entry.objects.filter(pk=entry.pk).update(
            search_vector=SearchVector(
                Value(searchable(entry.title), output_field=TextField()),
                config="french",
                weight="A",
            )
            + SearchVector(
                Value(search_text, output_field=TextField()), config="french", weight="B"
            )
        )
    entry.search_text = search_text
    entry.theme_codes = theme_codes
    entry.quality_score = quality_score


def entries_follow_quality_bar(scored: list[tuple[Entry, int]]) -> None:
    """Tell offline copies of the published entries that crossed the quality bar.

    ``scored`` pairs an entry, its new ``quality_score`` set, with its score before. An
    entry that falls below ``CATALOGUE_MIN_QUALITY`` leaves the app: a removal, as for an
    archive. One that rises above it comes back: changed now.
    """
    bar = settings.CATALOGUE_MIN_QUALITY
    published = [(entry, old) for entry, old in scored if entry.status == Entry.Status.PUBLISHED]
    fallen = [entry.pk for entry, old in published if old >= bar > entry.quality_score]
    risen = [entry.pk for entry, old in published if old < bar <= entry.quality_score]
    now = timezone.now()
    if fallen:
        EntryRemoval.objects.bulk_create(
            [EntryRemoval(entry_id=pk, removed_at=now) for pk in fallen]
        )
    if risen:
        Entry.objects.filter(pk__in=risen).update(updated_at=now)


# --- Creation ---------------------------------------------------------------------


@transaction.atomic
def entry_create(
    *,
    thematiques: Iterable[str] = (),
    zone_departements: Iterable[str] = (),
    steps: Iterable[str | dict] = (),
    publish: bool = False,
    **fields,
) -> Entry:
    """Create an entry with its themes, zone and steps; optionally publish it at once.

    ``steps`` are texts, or ``{"text": ..., "translations": {...}}``.
    """
    thematiques = list(thematiques)
    unknown = set(thematiques) - set(
        Thematique.objects.filter(code__in=thematiques).values_list("code", flat=True)
    )
    if unknown:
        raise ValidationError(
            {"thematiques": _("Unknown themes: %(codes)s.") % {"codes": ", ".join(sorted(unknown))}}
        )
    zone_departements = list(zone_departements)
    entry = Entry(**fields)
    entry.zone_communes = ",".join(split_communes(entry.zone_communes))
    if publish:
        # What entry_publish does, in the same checks and the same save (an import, the
        # demo, a test: no one whose rights to check).
        _transition(entry, _PUBLISHABLE, Entry.Status.PUBLISHED)
        _mark_published(entry)
    _full_clean(entry, zone_departements)
    entry.save()
    entry.thematiques.set(thematiques)
    entry.zone_departements.set(zone_departements)
    EntryStep.objects.bulk_create(
        EntryStep(entry=entry, position=position, **step)
        for position, step in enumerate(_steps_as_dicts(steps), start=1)
    )
    entry_reindex(entry=entry, new=True)
    return entry


def _full_clean(entry: Entry, zone_departements: list) -> None:
    """Refuse (``ValidationError``, nothing saved) what the admin form refuses."""
    errors: dict = {}
    for check in (
        lambda: entry.full_clean(exclude=["search_text", "search_vector", "theme_codes"]),
        lambda: Entry.check_zone_departements(entry.scope, zone_departements),
    ):
        try:
            check()
        except ValidationError as error:
            errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def _steps_as_dicts(steps: Iterable[str | dict]) -> list[dict]:
    return [
        {"text": step, "translations": {}}
        if isinstance(step, str)
        else {"text": step["text"], "translations": step.get("translations") or {}}
        for step in steps
    ]


@transaction.atomic
def entry_upsert(
    *,
    source: str,
    source_id: str,
    thematiques: Iterable[str] = (),
    zone_departements: Iterable[str] = (),
    steps: Iterable[str | dict] | None = None,
    publish: bool = False,
    **fields,
) -> tuple[Entry, str]:
    """Create or update the entry known at ``source`` as ``source_id``.

    Returns the entry and what happened: ``"created"``, ``"updated"`` or ``"unchanged"``.
    Giving the same data twice changes nothing, not even ``updated_at``: imports and demo
    loads can run again safely. ``steps=None`` keeps the entry's steps as they are.
    """
    steps = None if steps is None else _steps_as_dicts(steps)
    thematiques, zone_departements = sorted(thematiques), sorted(zone_departements)
    entry = Entry.objects.filter(source=source, source_id=source_id).first()
    if entry is None:
        entry = entry_create(
            source=source,
            source_id=source_id,
            thematiques=thematiques,
            zone_departements=zone_departements,
            steps=steps or (),
            publish=publish,
            **fields,
        )
        return entry, "created"

    if "zone_communes" in fields:
        fields["zone_communes"] = ",".join(split_communes(fields["zone_communes"]))
    changed_fields = [name for name, value in fields.items() if getattr(entry, name) != value]
    current_steps = [{"text": s.text, "translations": s.translations} for s in entry.steps.all()]
    themes_changed = sorted(entry.thematiques.values_list("code", flat=True)) != thematiques
    zone_changed = (
        sorted(entry.zone_departements.values_list("code", flat=True)) != zone_departements
    )
    steps_changed = steps is not None and current_steps != steps
    if not (changed_fields or themes_changed or zone_changed or steps_changed):
        return entry, "unchanged"

    for name in changed_fields:
        setattr(entry, name, fields[name])
    _full_clean(entry, zone_departements)
    entry.save()
    if themes_changed:
        entry.thematiques.set(thematiques)
    if zone_changed:
        entry.zone_departements.set(zone_departements)
    if steps_changed:
        entry.steps.all().delete()
        for position, step in enumerate(steps, start=1):
            EntryStep.objects.create(entry=entry, position=position, **step)
    entry_reindex(entry=entry)
    return entry, "updated"


def structure_upsert(*, source: str, source_id: str, **fields) -> tuple[Structure, str]:
    """Create or update a structure by its identifier at ``source`` (see ``entry_upsert``)."""
    structure = Structure.objects.filter(source=source, source_id=source_id).first()
    if structure is None:
        structure = Structure(source=source, source_id=source_id, **fields)
        structure.full_clean()
        structure.save()
        return structure, "created"
    structure, changed = model_update(structure, fields=fields, data=fields)
    if not changed:
        return structure, "unchanged"
    structure_touch_entries(structure=structure)
    return structure, "updated"


def structure_touch_entries(*, structure: Structure) -> int:
    """A structure changed: its entries count as changed too (ETags, offline copies)."""
    return Entry.objects.filter(structure=structure).update(updated_at=timezone.now())


def entries_touch_newly_valid() -> int:
    """Entries whose validity starts today count as changed, so offline copies get them."""
    today = timezone.localdate()
    start_of_today = timezone.make_aware(
        timezone.datetime.combine(today, timezone.datetime.min.time())
    )
    return Entry.objects.filter(
        status=Entry.Status.PUBLISHED, valid_from=today, updated_at__lt=start_of_today
    ).update(updated_at=timezone.now())


# --- Closures and exceptional hours ------------------------------------------------------


def entry_touch(*, entry: Entry) -> None:
    """Something the app shows of ``entry`` changed outside its row (its closures): it
    counts as changed, for the ETags and the offline copies."""
    entry.updated_at = timezone.now()
    Entry.objects.filter(pk=entry.pk).update(updated_at=entry.updated_at)


@transaction.atomic
def entry_closures_apply(
    *, entry: Entry, save: Iterable[EntryClosure] = (), delete: Iterable[EntryClosure] = ()
) -> None:
    """Remove the ``delete`` closures of ``entry`` and create or change the ``save`` ones,
    all or nothing: refused (``ValidationError``, nothing saved) when one is invalid or
    when two of the entry's closures would then share a day. The entry counts as changed.
    """
    entry = Entry.objects.select_for_update().get(pk=entry.pk)
    for closure in delete:
        closure.delete()
    for closure in save:
        closure.entry = entry
        closure.full_clean(exclude=["entry"])
        closure.save()
    # Checked once all are saved: two closures whose dates are swapped are no overlap.
    try:
        EntryClosure.check_no_overlap(
            EntryClosure.objects.filter(entry=entry).values_list("starts_on", "ends_on")
        )
    except ValidationError as error:
        raise ValidationError({"starts_on": error}) from None
    entry_touch(entry=entry)


def entry_closure_save(*, closure: EntryClosure) -> EntryClosure:
    """Create or change one closure of ``closure.entry`` (see ``entry_closures_apply``)."""
    entry_closures_apply(entry=closure.entry, save=[closure])
    return closure


def entry_closure_delete(*, closure: EntryClosure) -> None:
    """Remove a closure; the entry counts as changed."""
    entry_closures_apply(entry=closure.entry, delete=[closure])


def entries_touch_closure_notices() -> int:
    """Entries whose closure comes into the list's notice today, or ended yesterday,
    count as changed, so offline copies show (or drop) it. Hourly, like
    ``entries_touch_newly_valid``: touched once a day at most."""
    today = timezone.localdate()
    start_of_today = timezone.make_aware(
        timezone.datetime.combine(today, timezone.datetime.min.time())
    )
    changing = EntryClosure.objects.filter(
        models.Q(starts_on=today + timedelta(days=CLOSURE_NOTICE_DAYS))
        | models.Q(ends_on=today - timedelta(days=1))
    ).values("entry_id")
    return Entry.objects.filter(
        status=Entry.Status.PUBLISHED, pk__in=changing, updated_at__lt=start_of_today
    ).update(updated_at=timezone.now())


# --- Publication workflow ------------------------------------------------------------


# The statuses each step of the workflow starts from: the services below refuse the
# others, and ``entry_next_steps`` offers a step only from them.
_SUBMITTABLE = (Entry.Status.DRAFT,)
_PUBLISHABLE = (Entry.Status.DRAFT, Entry.Status.SUBMITTED, Entry.Status.ARCHIVED)
_ARCHIVABLE = (Entry.Status.DRAFT, Entry.Status.SUBMITTED, Entry.Status.PUBLISHED)
_RETURNABLE = (Entry.Status.SUBMITTED, Entry.Status.PUBLISHED, Entry.Status.ARCHIVED)


def entry_next_steps(*, entry: Entry, by: User) -> list[str]:
    """The steps of the workflow ``by`` may take on ``entry`` as it is now, in this order:
    ``submit_for_review``, ``publish``, ``archive``, ``return_to_draft``, ``mark_reviewed``
    (the names of the functions below without ``entry_``, as the admin's actions).

    The rules are those of ``entry_submit``, ``entry_publish``... (each refuses what is
    not offered here), except ``mark_reviewed``: the service marks any entry, but a
    review is only asked of a published one (what the app shows).
    """
    can_publish = by.has_perm(PUBLISH_PERMISSION)
    status = entry.status
    steps = []
    if status in _SUBMITTABLE:
        steps.append("submit_for_review")
    if (
        can_publish
        and status in _PUBLISHABLE
        and (entry.scope != Entry.Scope.NATIONAL or user_sees_all_departements(by))
    ):
        steps.append("publish")
    if can_publish and status in _ARCHIVABLE:
        steps.append("archive")
    if status in _RETURNABLE and (can_publish or status != Entry.Status.PUBLISHED):
        steps.append("return_to_draft")
    if can_publish and status == Entry.Status.PUBLISHED:
        steps.append("mark_reviewed")
    return steps


def _record_removal(entry: Entry) -> None:
    EntryRemoval.objects.create(entry_id=entry.pk, removed_at=timezone.now())


def _check_can_publish(user: User | None) -> None:
    if user is not None and not user.has_perm(PUBLISH_PERMISSION):
        raise PermissionDenied(_("Only département staff can publish or archive entries."))


def _transition(entry: Entry, allowed_from: Iterable[str], to: str) -> None:
    if entry.status not in allowed_from:
        raise ValidationError(
            _("A %(status)s entry cannot become %(target)s.")
            % {
                "status": entry.get_status_display().lower(),
                "target": Entry.Status(to).label.lower(),
            },
            code="invalid_transition",
        )


@transaction.atomic
def entry_submit(*, entry: Entry, by: User | None = None) -> Entry:
    """A draft is sent for review by the département's staff."""
    _transition(entry, _SUBMITTABLE, Entry.Status.SUBMITTED)
    entry.status = Entry.Status.SUBMITTED
    entry.save(update_fields=["status", "updated_at"])
    return entry


@transaction.atomic
def entry_publish(*, entry: Entry, by: User | None = None) -> Entry:
    """The entry appears in the app. Publishing counts as a review.

    Only national roles publish an entry that applies everywhere.
    """
    _check_can_publish(by)
    if (
        entry.scope == Entry.Scope.NATIONAL
        and by is not None
        and not user_sees_all_departements(by)
    ):
        raise PermissionDenied(_("Only national editors publish entries that apply everywhere."))
    _transition(entry, _PUBLISHABLE, Entry.Status.PUBLISHED)
    entry.full_clean()
    _mark_published(entry)
    entry.save(update_fields=["status", "published_at", "reviewed_at", "updated_at"])
    return entry


def _mark_published(entry: Entry) -> None:
    entry.status = Entry.Status.PUBLISHED
    entry.published_at = timezone.now()
    entry.reviewed_at = timezone.localdate()  # publishing counts as a review


@transaction.atomic
def entry_archive(*, entry: Entry, by: User | None = None) -> Entry:
    """The entry leaves the app (and the app's offline copies) but stays in the admin."""
    _check_can_publish(by)
    _transition(entry, _ARCHIVABLE, Entry.Status.ARCHIVED)
    was_published = entry.status == Entry.Status.PUBLISHED
    entry.status = Entry.Status.ARCHIVED
    entry.save(update_fields=["status", "updated_at"])
    if was_published:
        _record_removal(entry)
    return entry


@transaction.atomic
def entry_return_to_draft(*, entry: Entry, by: User | None = None) -> Entry:
    """Send an entry back to its authors (a proposal that needs work, an old entry)."""
    _transition(entry, _RETURNABLE, Entry.Status.DRAFT)
    if entry.status == Entry.Status.PUBLISHED:
        _check_can_publish(by)
        _record_removal(entry)
    entry.status = Entry.Status.DRAFT
    entry.save(update_fields=["status", "updated_at"])
    return entry


def entry_mark_reviewed(*, entry: Entry, by: User | None = None) -> Entry:
    """Staff checked the entry is still right: it is no longer flagged as stale."""
    entry.reviewed_at = timezone.localdate()
    entry.save(update_fields=["reviewed_at", "updated_at"])
    return entry


@transaction.atomic
def entry_delete(*, entry: Entry) -> None:
    """Delete an entry; the app's offline copies drop it at their next sync."""
    if entry.status == Entry.Status.PUBLISHED:
        _record_removal(entry)
    entry.delete()


def entries_archive_expired() -> int:
    """Archive published entries whose validity ended; returns how many."""
    today = timezone.localdate()
    expired = Entry.objects.filter(status=Entry.Status.PUBLISHED, valid_until__lt=today)
    count = 0
    for entry in expired:
        entry_archive(entry=entry)
        count += 1
    return count


# --- Procedures (démarches) --------------------------------------------------------


@transaction.atomic
def demarche_start(*, user: User, entry: Entry) -> Demarche:
    """The young person saves ``entry`` as a procedure to follow."""
    if Demarche.objects.filter(user=user, entry=entry).exists():
        raise ValidationError(
            {"entry": _("You already follow this procedure.")}, code="already_following"
        )
    return Demarche.objects.create(user=user, entry=entry)


@transaction.atomic
def demarche_update(
    *,
    demarche: Demarche,
    status: str | None = None,
    completed_step_ids: list[int] | None = None,
) -> Demarche:
    """Tick steps (by id), mark the procedure done or abandoned (or in progress again)."""
    if completed_step_ids is not None:
        completed_steps = list(EntryStep.objects.filter(pk__in=completed_step_ids))
        if len(completed_steps) != len(set(completed_step_ids)):
            raise ValidationError(
                {"completed_steps": ValidationError(_("Unknown steps."), "does_not_exist")}
            )
        foreign = [step.pk for step in completed_steps if step.entry_id != demarche.entry_id]
        if foreign:
            raise ValidationError(
                {"completed_steps": _("These steps belong to another procedure.")},
                code="foreign_step",
            )
        demarche.completed_steps.set(completed_steps)
    if status is not None and status != demarche.status:
        demarche.status = status
        demarche.closed_at = None if status == Demarche.Status.IN_PROGRESS else timezone.now()
    demarche.save()
    return demarche


def demarche_forget(*, demarche: Demarche) -> None:
    """The young person no longer wants to see this procedure."""
    demarche.delete()


# --- Figures --------------------------------------------------------------------------


def search_event_record(
    *,
    departement_code: str | None,
    commune_code: str = "",
    categorie: str = "",
    thematique: str = "",
    had_text: bool,
    found: bool,
    visitor: str = "",
) -> SearchEvent:
    """Count one search for the département's figures, identifying nobody.

    ``visitor`` is the searcher's monthly pseudonym (``backend.pseudonyms``).
    """
    with counted_without_waiting_for_disk():
        return SearchEvent.objects.create(
            created_at=timezone.now(),
            departement_id=departement_code,
            commune_code=commune_code,
            categorie=categorie,
            thematique=thematique,
            had_text=had_text,
            found=found,
            visitor=visitor,
        )


def visitor_pseudonyms_erase(*, user_id: int) -> int:
    """Replace the monthly pseudonyms of account ``user_id`` in the searches and readings
    whose month is not yet forgotten (``figures.forget`` blanks them once it is kept).

    With the server's secret a pseudonym leads back to the account, so an erasure cannot
    wait for the month to be archived. Each month's pseudonym is replaced by a random one,
    the same for all of that month's events: the month's figures still count one person,
    who can no longer be told. Returns how many events changed.
    """
    pending = [
        moment
        for events in (SearchEvent.objects, EntryConsultation.objects)
        if (
            moment := events.exclude(visitor="")
            .order_by("created_at")
            .values_list("created_at", flat=True)
            .first()
        )
    ]
    if not pending:
        return 0
    changed = 0
    for month in months_between(min(pending), timezone.now()):
        mine = pseudonym(user_subject(user_id), month)
        stand_in = secrets.token_hex(PSEUDONYM_LENGTH // 2)
        for events in (SearchEvent.objects, EntryConsultation.objects):
            changed += events.filter(visitor=mine).update(visitor=stand_in)
    return changed


def months_between(start, end) -> list:
    """A moment in each calendar month (Paris time) from ``start``'s to ``end``'s."""
    paris = timezone.get_default_timezone()
    first = timezone.localtime(start, paris).replace(day=15, hour=12, minute=0, second=0)
    last = timezone.localtime(end, paris)
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(first.replace(year=year, month=month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def entry_main_categorie(entry: Entry) -> str:
    """The data·inclusion category an entry is counted under ("" if it has no theme).

    Entries have no "main" theme: the first category in alphabetical order is taken, so
    that the same entry always counts under the same one.
    """
    return (entry.categories or [""])[0]


def entry_consultation_record(
    *, entry: Entry, departement_code: str | None, visitor: str
) -> EntryConsultation:
    """Count one opening of ``entry``'s detail for département ``departement_code``'s
    figures, identifying nobody: ``visitor`` is the reader's monthly pseudonym."""
    categorie = entry_main_categorie(entry)
    with counted_without_waiting_for_disk():
        return EntryConsultation.objects.create(
            created_at=timezone.now(),
            departement_id=departement_code,
            entry=entry,
            categorie=categorie,
            visitor=visitor,
        )


# --- Error reports ("Signaler une erreur") ----------------------------------------------


def entry_error_report_create(
    *, entry: Entry, kind: str, message: str = "", reporter: User | None = None
) -> EntryErrorReport:
    """Record that someone found ``entry`` wrong, for the curators of its département.

    ``reporter`` is the signed-in person, or None: an anonymous report keeps nothing of
    who sent it. Refuses (``ValidationError``, nothing saved) an unknown kind, a message
    too long, or a kind that needs a message without one.
    """
    report = EntryErrorReport(
        entry=entry,
        departement_id=entry.departement_id,
        kind=kind,
        message=message or "",
        reporter=reporter if reporter is not None and reporter.is_authenticated else None,
    )
    report.full_clean(exclude=["entry", "departement", "reporter", "handled_by"])
    report.save()
    return report


def entry_error_report_set_state(
    *, report: EntryErrorReport, state: str, by: User | None
) -> EntryErrorReport:
    """Mark ``report`` handled or dismissed by ``by`` now, or back to new (nobody yet).

    Setting the state it already has changes nothing (not who handled it, nor when).
    """
    if state not in EntryErrorReport.State.values:
        raise ValidationError({"state": _("Unknown state.")}, code="invalid_choice")
    if state == report.state:
        return report
    report.state = state
    if state == EntryErrorReport.State.NEW:
        report.handled_by, report.handled_at = None, None
    else:
        report.handled_by, report.handled_at = by, timezone.now()
    report.save(update_fields=["state", "handled_by", "handled_at"])
    return report
