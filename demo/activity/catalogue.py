"""The young people's use of the catalogue, in 93 and 75: the visitors of each month (the
active young people under the monthly pseudonyms the API records, and anonymous visitors
by their network address), their searches, found or not, by category and commune, their
readings of the demo catalogue's published entries, the procedures they saved, and the
errors they reported on the entries (most handled by the staff). The catalogue figures
count distinct visitors a month: without enough of them, every search and reading table
would stay hidden."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from accounts.models import User
from backend.pseudonyms import address_subject, pseudonym, user_subject
from demo.catalogue import DEMO_SOURCE
from services_catalog.models import (
    Demarche,
    Entry,
    EntryConsultation,
    EntryErrorReport,
    EntryStep,
    SearchEvent,
)
from services_catalog.services import entry_main_categorie
from services_catalog.vocabulary import thematique_rows

from .common import CODES, COMMUNES, Person, Window, at_hour, create_dated, moment_in, rng_for

# Visitors a month searching each category ("": free text only), found or not.
SEARCHES = {
    "93": (
        ("logement-hebergement", 12, 16),
        ("trouver-un-emploi", 8, 11),
        ("difficultes-administratives-ou-juridiques", 8, 10),
        ("se-former", 6, 9),
        ("difficultes-financieres", 6, 8),
        ("sante", 6, 8),
        ("mobilite", 6, 8),
        ("", 6, 8),
        # Rare ones: hidden each, but together enough people for the others to show.
        ("famille", 2, 3),
        ("numerique", 1, 3),
        ("equipement-et-alimentation", 2, 3),
        ("remobilisation", 1, 2),
    ),
    "75": (
        ("logement-hebergement", 5, 7),
        ("trouver-un-emploi", 3, 5),
        ("difficultes-administratives-ou-juridiques", 2, 4),
        ("sante", 1, 3),
        ("", 2, 3),
    ),
}
# Searches that found nothing: needs the catalogue does not meet, concentrated where
# offers are missing (housing and mobility in Clichy-sous-Bois and Sevran), visitors a
# month; then a few scattered ones, one visitor per category and per commune.
UNMET = {
    "93": (
        ("logement-hebergement", ("93014", "93071"), 8, 10),
        ("mobilite", ("93071", "93014"), 6, 8),
    ),
    "75": (("logement-hebergement", ("75119", "75120"), 2, 3),),
}
# In 75 only: in 93 they would hide the concentrated ones with them (a group of cells
# of one visitor each may be one person, so a larger cell must stand with it).
SCATTERED_UNMET = {
    "75": ((1, 2), ("sante", "famille", "numerique"), ("", "75118", "75111")),
}
ANONYMOUS = {"93": 20, "75": 8}  # anonymous visitors a month (documentation addresses)
ADDRESSES = {
    "93": tuple(f"198.51.100.{n}" for n in range(1, 61)),
    "75": tuple(f"203.0.113.{n}" for n in range(1, 31)),
}
# Entries read most (source ids of the demo catalogue), by how many readers a month;
# every other entry a département's young people see is read now and then.
READ_MOST = {
    "93": (
        (
            "aides-au-logement-caf",
            "ml-saint-denis-accompagnement",
            "accompagnement-jeune-majeur",
            "titre-sejour-18-ans",
            "hj-pantin-logement",
            "faj-93",
        ),
        (6, 9),
        0.45,
    ),
    "75": (("aides-au-logement-caf", "ml-paris-cej", "accompagnement-jeune-majeur"), (2, 4), 0.2),
}
# Saved procedures a month: distinct young people completing, abandoning, starting.
DEMARCHES = {
    "93": {"done": (6, 8), "abandoned": (5, 7), "in_progress": (5, 7)},
    "75": {"done": (1, 2), "abandoned": (0, 1), "in_progress": (1, 3)},
}

# Errors reported a month on the département's own entries ("Signaler une erreur"),
# what they say, and the staff of demo.accounts who handle them.
ERROR_REPORTS = {"93": (2, 4), "75": (1, 2)}
REPORT_HANDLERS = {"93": "agent.93@demo.jalon.fr", "75": "agent.75@demo.jalon.fr"}
REPORT_MESSAGES = (
    (EntryErrorReport.Kind.WRONG_HOURS, "Fermé le samedi matin maintenant."),
    (EntryErrorReport.Kind.WRONG_HOURS, ""),
    (EntryErrorReport.Kind.WRONG_CONTACT, "Le numéro ne répond plus, il faut appeler l'accueil."),
    (EntryErrorReport.Kind.WRONG_ADDRESS, "L'accueil a déménagé deux rues plus loin."),
    (EntryErrorReport.Kind.WRONG_INFORMATION, "Il faut prendre rendez-vous avant de venir."),
    (EntryErrorReport.Kind.CLOSED, ""),
    (EntryErrorReport.Kind.OTHER, "Le lien pour s'inscrire ne marche pas."),
)


class Pseudonyms:
    """Monthly visitor pseudonyms, as the API computes them (``backend.pseudonyms``)."""

    def of_user(self, user: User, moment: datetime) -> str:
        return pseudonym(user_subject(user.pk), moment)

    def of_address(self, address: str, moment: datetime) -> str:
        return pseudonym(address_subject(address), moment)


@dataclass
class Visitor:
    pseudonym: str
    days: list[date]  # the days of the month they came
    commune: str
    person: Person | None  # None: an anonymous visitor


def visitor_pools(window: Window, people: list[Person]) -> dict[tuple, list[Visitor]]:
    """The visitors of the catalogue, by département and month of the window."""
    pseudonyms = Pseudonyms()
    return {
        (code, month): _visitors(window, people, pseudonyms, code, month)
        for code in CODES
        for month in window.months
    }


def _visitors(window, people, pseudonyms, code: str, month: date) -> list[Visitor]:
    """Who came to the catalogue in ``month``: the active young people, and strangers."""
    days = window.days(month)
    if not days:
        return []
    rng = rng_for(f"visitors:{code}:{month:%Y-%m}")
    moment = at_hour(month, 12)
    visitors = [
        Visitor(
            pseudonyms.of_user(person.user, moment),
            person.active[month],
            person.profile.commune_code,
            person,
        )
        for person in people
        if person.code == code and month in person.active
    ]
    anonymous = window.count(rng, ANONYMOUS[code], ANONYMOUS[code], month)
    for address in rng.sample(ADDRESSES[code], anonymous):
        visitors.append(
            Visitor(
                pseudonyms.of_address(address, moment),
                sorted(rng.sample(days, min(len(days), rng.randint(1, 3)))),
                rng.choice(list(COMMUNES[code])),
                None,
            )
        )
    return visitors


def _themes() -> dict[str, list[str]]:
    themes = defaultdict(list)
    for row in thematique_rows():
        themes[row["categorie"]].append(row["code"])
    return themes


def make_searches(window: Window, pools: dict) -> int:
    rng = rng_for("searches")
    themes = _themes()
    events = []

    def search(visitor: Visitor, code: str, categorie: str, found: bool, commune: str | None):
        if commune is None:
            commune = visitor.commune if rng.random() < 0.6 else ""
        theme = rng.choice(themes[categorie]) if categorie and rng.random() < 0.4 else ""
        events.append(
            SearchEvent(
                created_at=moment_in(rng, rng.choice(visitor.days)),
                departement_id=code,
                commune_code=commune,
                categorie=categorie,
                thematique=theme,
                had_text=not categorie or rng.random() < 0.5,
                found=found,
                visitor=visitor.pseudonym,
            )
        )

    for (code, month), pool in pools.items():
        if not pool:
            continue
        for categorie, low, high in SEARCHES[code]:
            count = min(len(pool), window.count(rng, low, high, month))
            for visitor in rng.sample(pool, count):
                for _ in range(rng.choice((1, 1, 2, 3))):
                    search(visitor, code, categorie, True, None)
        for categorie, communes, low, high in UNMET[code]:
            count = min(len(pool), window.count(rng, low, high, month))
            for n, visitor in enumerate(rng.sample(pool, count)):
                for _ in range(rng.choice((1, 1, 2))):
                    search(visitor, code, categorie, False, communes[n % len(communes)])
        if code not in SCATTERED_UNMET:
            continue
        (low, high), categories, communes = SCATTERED_UNMET[code]
        count = min(len(pool), len(categories), window.count(rng, low, high, month))
        scattered = zip(
            rng.sample(pool, count),
            rng.sample(categories, count),
            rng.sample(communes, count),
            strict=True,
        )
        for visitor, categorie, commune in scattered:
            search(visitor, code, categorie, False, commune)
    SearchEvent.objects.bulk_create(events, batch_size=1000)
    return len(events)


def published_entries() -> list[Entry]:
    """The demo catalogue's published entries: what is read and saved."""
    return list(
        Entry.objects.filter(source=DEMO_SOURCE, status=Entry.Status.PUBLISHED).order_by(
            "source_id"
        )
    )


def make_consultations(window: Window, pools: dict, entries: list[Entry]) -> int:
    rng = rng_for("consultations")
    rows = []
    for (code, month), pool in pools.items():
        readable = [entry for entry in entries if entry.departement_id in (None, code)]
        if not pool or not readable:
            continue
        most, (low, high), others = READ_MOST[code]
        for entry in readable:
            if entry.source_id in most:
                count = window.count(rng, low, high, month)
            elif rng.random() < others:
                count = rng.randint(1, 3)
            else:
                continue
            # A national right read anonymously counts for no département: left out.
            readers = [v for v in pool if v.person is not None or entry.departement_id]
            for visitor in rng.sample(readers, min(count, len(readers))):
                for _ in range(rng.choice((1, 1, 2))):
                    rows.append(
                        EntryConsultation(
                            created_at=moment_in(rng, rng.choice(visitor.days)),
                            departement_id=code if visitor.person else entry.departement_id,
                            entry=entry,
                            categorie=entry_main_categorie(entry),
                            visitor=visitor.pseudonym,
                        )
                    )
    EntryConsultation.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def make_demarches(window: Window, people: list[Person], entries: list[Entry]) -> int:
    rng = rng_for("demarches")
    steps = defaultdict(list)
    for entry_id, step_id in EntryStep.objects.filter(entry__in=entries).values_list(
        "entry_id", "pk"
    ):
        steps[entry_id].append(step_id)
    saved: set[tuple[int, int]] = set()
    demarches = []
    for code, plan in DEMARCHES.items():
        readable = [e for e in entries if e.departement_id in (None, code) and steps[e.pk]]
        if not readable:
            continue
        for month in window.months:
            days = window.days(month)
            if not days:
                continue
            for status, (low, high) in plan.items():
                chosen = set()
                for _ in range(window.count(rng, low, high, month)):
                    moment = moment_in(rng, rng.choice(days))
                    lead = timedelta(days=5 if status != "in_progress" else 0)
                    candidates = [
                        p
                        for p in people
                        if p.code == code and p.joined < moment - lead and p.user.pk not in chosen
                    ]
                    if not candidates:
                        continue
                    person = rng.choice(candidates)
                    unsaved = [e for e in readable if (person.user.pk, e.pk) not in saved]
                    if not unsaved:
                        continue
                    entry = rng.choice(unsaved)
                    chosen.add(person.user.pk)
                    saved.add((person.user.pk, entry.pk))
                    total = len(steps[entry.pk])
                    demarches.append(_demarche(rng, person, entry, status, moment, total))
    create_dated(
        Demarche, [demarche for demarche, _ticked in demarches], ["created_at", "updated_at"]
    )
    ticked = [
        Demarche.completed_steps.through(demarche_id=demarche.pk, entrystep_id=step_id)
        for demarche, count in demarches
        for step_id in sorted(steps[demarche.entry_id])[:count]
    ]
    Demarche.completed_steps.through.objects.bulk_create(ticked)
    return len(demarches)


def _demarche(rng, person: Person, entry: Entry, status: str, moment: datetime, total: int):
    """A procedure ``status`` at ``moment`` (started then, or closed then), and how many
    of its ``total`` steps are ticked."""
    if status == "in_progress":
        created, closed = moment, None
        ticked = rng.randint(0, total - 1)
    else:
        earliest = max(person.joined + timedelta(hours=2), moment - timedelta(days=70))
        latest = moment - timedelta(days=3)
        created = earliest + (latest - earliest) * rng.random()
        closed = moment
        ticked = total if status == "done" else rng.randint(0, total - 1)
    demarche = Demarche(
        user=person.user,
        entry=entry,
        status=status,
        created_at=created,
        updated_at=closed or created,
        closed_at=closed,
    )
    return demarche, ticked


def _one_handled_in_last_month(window, own, code, handler, reports) -> list[EntryErrorReport]:
    """A report handled within the last month over, if the draw handled none there: the
    handling time's figure then has a value whatever the day the demo is loaded."""
    month = window.months[-2]
    start, end = at_hour(month, 0), at_hour(window.current, 0)
    if any(
        report.departement_id == code and report.handled_at and start <= report.handled_at < end
        for report in reports
    ):
        return []
    kind, message = REPORT_MESSAGES[0]
    return [
        EntryErrorReport(
            entry=own[0],
            departement_id=code,
            kind=kind,
            message=message,
            created_at=at_hour(month + timedelta(days=2), 10),
            state=EntryErrorReport.State.HANDLED,
            handled_by=handler,
            handled_at=at_hour(month + timedelta(days=4), 15),
        )
    ]


def make_error_reports(window: Window, entries: list[Entry]) -> int:
    """A few errors reported each month on each département's own entries, anonymous:
    most handled or dismissed by the département's staff within days, the latest new
    (the curators' queue in the admin), for the figures' freshness tables."""
    rng = rng_for("error reports")
    handlers = {
        code: User.objects.filter(email=email).first() for code, email in REPORT_HANDLERS.items()
    }
    reports = []
    for code, (low, high) in ERROR_REPORTS.items():
        own = [entry for entry in entries if entry.departement_id == code]
        if not own:
            continue
        for month in window.months:
            days = window.days(month)
            for _ in range(window.count(rng, low, high, month) if days else 0):
                entry = rng.choice(own)
                kind, message = rng.choice(REPORT_MESSAGES)
                reported = moment_in(rng, rng.choice(days))
                handled = reported + timedelta(days=rng.randint(1, 12), hours=rng.randint(1, 6))
                state = EntryErrorReport.State.NEW
                if handled < window.end and rng.random() < 0.85:
                    state = (
                        EntryErrorReport.State.DISMISSED
                        if rng.random() < 0.2
                        else EntryErrorReport.State.HANDLED
                    )
                closed = state != EntryErrorReport.State.NEW
                reports.append(
                    EntryErrorReport(
                        entry=entry,
                        departement_id=code,
                        kind=kind,
                        message=message,
                        created_at=reported,
                        state=state,
                        handled_by=handlers[code] if closed else None,
                        # A whole minute, as every moment made here (see _made_here).
                        handled_at=handled.replace(second=0, microsecond=0) if closed else None,
                    )
                )
        reports += _one_handled_in_last_month(window, own, code, handlers[code], reports)
    create_dated(EntryErrorReport, reports, ["created_at"])
    return len(reports)
