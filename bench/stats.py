"""A département's steering figures on PostgreSQL against plain COUNT(*)s, in the same run.

100,000 young people (profiles spread over 20 départements, 93 the biggest with 12 %,
birth dates for ages 16 to 25, situation flags, sign-ups over three years), about
500,000 activity days over the last twelve months, 1,000,000 catalogue searches (15 %
found nothing; categories, communes and monthly visitor pseudonyms), 200,000 entry
consultations of 2,000 published entries, 10,000 saved procedures, 8,000 mentors,
20,000 mentoring matches with their requests (active, paused, proposed, declined and
ended with reasons) and 4,000 requests still waiting, about 33,000 meetings, 5,000
reminders with their push and e-mail deliveries, and 5,000 vault documents of 2,500
young people. Generated set-wise (``INSERT ... SELECT generate_series`` and
``bulk_create``), reproducibly (fixed seeds), with the models' constraints kept; the
vault rows are rows only (placeholder bytes, no blob, nothing decryptable): the
figures only count them.

Then ``GET /api/v1/departements/93/stats/`` goes through the whole Django stack in this
process (``django.test.Client``, no network; DEBUG off; signed in as a member of 93's
staff) for the last closed month, the last three closed months and the last twelve:

- cold: ``MonthlyFigures`` emptied first, so the request computes every month of the
  period and keeps it (one run per fresh state, repeated; median);
- kept: the same request again, the months read from ``MonthlyFigures`` (median). A
  period of several months still computes its ``RANGE`` tables (distinct people,
  percentiles) over the whole period at each request.

The baseline is one ``SELECT COUNT(*)`` over each table the figures read (median of a
few runs each, warm), summed; each scenario is printed as a ratio of that sum. Also
printed: ``GET /api/v1/departements/93/`` (same stack, one row) as the floor of a
request, the number of SQL statements of each scenario (``CaptureQueriesContext``,
with the tables the kept month reads most) and the slowest statements of a cold year.
Then the national view, ``GET /api/v1/stats/`` (every département's months, kept,
and the pooled figures), for the last month and the last twelve, cold and kept, as a
national editor. Figures are reported, not asserted: the exit status is 0 either way.

It works in its own database, ``jalon_bench_stats`` on the PostgreSQL server at
127.0.0.1:5432 (user ``postgres``; dropped and created at the start, migrated, dropped
at the end unless ``--keep``), and Redis database 11 at 127.0.0.1:6379 for the cache
(throttles; the broker URL points there too, but nothing is queued), flushed at the
start and at the end; whatever DATABASE_URL or REDIS_URL say. About 2 minutes on 2 cores
at full scale, one of them to generate the data; ``--scale 0.01`` shrinks every count
a hundredfold for a quick run (10 s). Run:

    .venv/bin/python bench/stats.py [--scale 1.0] [--repeat 3] [--keep]
"""

import argparse
import json
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

POSTGRES = "postgres://postgres@127.0.0.1:5432"
DATABASE = "jalon_bench_stats"
REDIS_URL = "redis://127.0.0.1:6379/11"
WORK_DIR = Path(tempfile.mkdtemp(prefix="jalon-bench-stats-"))
os.environ["DJANGO_SETTINGS_MODULE"] = "backend.settings"
os.environ["DJANGO_ENV"] = "development"
os.environ["DEBUG"] = "false"  # as deployed: no query log kept, no debug pages
os.environ["VAR_DIR"] = str(WORK_DIR)
os.environ["DATABASE_URL"] = f"{POSTGRES}/{DATABASE}"
# One connection for the whole run, as a busy worker has: no reconnection inside a
# timed request because the set-up outlasted the default CONN_MAX_AGE.
os.environ["DATABASE_CONN_MAX_AGE"] = "3600"
os.environ["REDIS_URL"] = REDIS_URL  # no task is sent: the broker stays empty
os.environ["REDIS_CACHE_URL"] = REDIS_URL
os.environ["API_THROTTLE_USER"] = "100000000/minute"
os.environ["API_THROTTLE_ANON"] = "100000000/minute"
os.environ["LOG_LEVEL"] = "WARNING"

import django  # noqa: E402
from throwaway import drop_database, flush_redis, recreate_database  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import (  # noqa: E402
    ActivityDay,
    Departement,
    User,
    YoungPersonProfile,
)
from accounts.roles import Role  # noqa: E402
from figures.models import MonthlyFigures  # noqa: E402
from figures.periods import Period, first_of_month, paris_midnight  # noqa: E402
from mentoring.models import (  # noqa: E402
    Match,
    Meeting,
    MentoringRequest,
    MentorProfile,
    Reminder,
    ReminderDelivery,
)
from services_catalog.models import (  # noqa: E402
    Demarche,
    Entry,
    EntryConsultation,
    SearchEvent,
    Thematique,
)
from services_catalog.text import normalize  # noqa: E402
from services_catalog.vocabulary import CATEGORIE_CHOICES  # noqa: E402
from vault.document_types import DocumentCategory  # noqa: E402
from vault.models import Document, UserKey  # noqa: E402

CODE = "93"  # the département measured: the biggest
# Départements and their share of everything, in percent (93 first, the biggest).
WEIGHTS = {
    "93": 12,
    "75": 10,
    "13": 9,
    "59": 8,
    "69": 7,
    "92": 6,
    "94": 6,
    "33": 5,
    "31": 5,
    "44": 4,
    "67": 4,
    "34": 4,
    "06": 4,
    "35": 3,
    "76": 3,
    "62": 3,
    "38": 3,
    "77": 2,
    "78": 1,
    "91": 1,
}
WEIGHTED_CODES = [code for code, weight in WEIGHTS.items() for _ in range(weight)]  # 100
# Full-scale counts; --scale multiplies them.
COUNTS = {
    "young_people": 100_000,
    "searches": 1_000_000,
    "consultations": 200_000,
    "entries": 2_000,
    "demarches": 10_000,
    "mentors": 8_000,
    "matches": 20_000,
    "waiting": 4_000,
    "reminders": 5_000,
    "vault_owners": 2_500,
}
ACTIVITY_DAYS_MAX = 10  # each young person: 0 to 10 days of use (5 on average)
SEARCHERS_PER_DEPARTEMENT = 5_000  # visitor pseudonyms drawn from this many people
FLAGS = {
    "in_care": 0.15,
    "care_leaver": 0.2,
    "jeune_majeur_contract": 0.1,
    "student": 0.3,
    "apprentice": 0.1,
    "job_seeker": 0.25,
    "employed": 0.2,
    "parent": 0.05,
    "disability_recognition": 0.04,
    "unaccompanied_minor": 0.06,
}
END_REASONS = {
    Match.EndReason.GOALS_REACHED: 40,
    Match.EndReason.YOUNG_PERSON_LEFT: 25,
    Match.EndReason.MENTOR_LEFT: 15,
    Match.EndReason.MISMATCH: 10,
    Match.EndReason.OTHER: 5,
    Match.EndReason.ACCOUNT_CLOSED: 3,
    Match.EndReason.SAFETY: 2,
}
# The tables the figures read, for the COUNT(*) baseline.
COUNTED = [
    User,
    YoungPersonProfile,
    ActivityDay,
    SearchEvent,
    EntryConsultation,
    Entry,
    Demarche,
    MentorProfile,
    MentoringRequest,
    Match,
    Meeting,
    Reminder,
    ReminderDelivery,
    Document,
]


# --- Isolated database and Redis -----------------------------------------------------------


# --- Data ------------------------------------------------------------------------------------


def sql(statement: str, params: dict | None = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or {})
        return cursor.rowcount


def step(label: str, started: float) -> float:
    print(f"  {label}: {time.perf_counter() - started:.1f} s", flush=True)
    return time.perf_counter()


def populate(counts: dict[str, int], window_start: datetime, now: datetime) -> dict[str, int]:
    """Every row of the data set; returns how many of each were written."""
    rng = random.Random(2026)  # noqa: S311 - reproducible test data, not secrets
    sql("SELECT setseed(0.2026)")
    started = time.perf_counter()
    today = timezone.localdate(now)
    common = {"codes": WEIGHTED_CODES, "start": window_start, "now": now, "today": today}

    # Young people: accounts joined over three years, profiles in the 20 départements.
    sql(
        f"""
        INSERT INTO {User._meta.db_table}
            (password, is_superuser, email, first_name, role, is_staff, is_active, date_joined)
        SELECT %(password)s, false, 'bench.young.' || g || '@example.org', 'Jeune', %(role)s,
            false, true, %(now)s - random() * interval '1095 days'
        FROM generate_series(1, %(n)s) g
        """,  # noqa: S608 - table names from the models
        {**common, "password": make_password(None), "role": Role.YOUNG_PERSON}
        | {"n": counts["young_people"]},
    )
    flags = ", ".join(FLAGS)
    draws = ", ".join(f"random() < {share}" for share in FLAGS.values())
    sql(
        f"""
        INSERT INTO {YoungPersonProfile._meta.db_table}
            (user_id, birth_date, departement_id, postcode, commune_code, {flags},
             languages, notify_by_push, notify_by_email, notify_by_sms, updated_at)
        SELECT id,
            CASE WHEN random() < 0.05 THEN NULL
                 ELSE %(today)s::date - (365.25 * (16 + 10 * random()))::int END,
            CASE WHEN random() < 0.02 THEN NULL
                 ELSE (%(codes)s::text[])[1 + floor(random() * 100)::int] END,
            '', '', {draws}, '[]'::jsonb, true, true, false, date_joined
        FROM {User._meta.db_table} WHERE role = %(role)s
        """,  # noqa: S608
        {**common, "role": Role.YOUNG_PERSON},
    )
    started = step(f"{counts['young_people']:,} young people", started)

    # Days of use since sign-up, within the twelve months.
    days = sql(
        f"""
        INSERT INTO {ActivityDay._meta.db_table} (user_id, day)
        SELECT u.id, u.low + floor(random() * greatest(1, %(today)s::date - u.low))::int
        FROM (
            SELECT id, greatest(date_joined::date, %(start)s::date) AS low,
                floor(random() * (%(most)s + 1))::int AS n
            FROM {User._meta.db_table} WHERE role = %(role)s
        ) u, generate_series(1, u.n)
        ON CONFLICT DO NOTHING
        """,  # noqa: S608
        {**common, "role": Role.YOUNG_PERSON, "most": ACTIVITY_DAYS_MAX},
    )
    started = step(f"{days:,} activity days", started)

    # Searches: 5 % without a département, 20 % without a category, 30 % without a
    # commune, 15 % that found nothing; visitors are monthly pseudonyms of a pool per
    # département, so that a busy person counts once a month.
    categories = [value for value, _label in CATEGORIE_CHOICES]
    sql(
        f"""
        INSERT INTO {SearchEvent._meta.db_table}
            (created_at, departement_id, commune_code, categorie, thematique, had_text, found,
             visitor)
        SELECT s.at, s.code,
            CASE WHEN s.code IS NULL OR random() < 0.3 THEN ''
                 ELSE s.code || lpad((1 + floor(40 * power(random(), 2)))::int::text, 3, '0') END,
            CASE WHEN random() < 0.2 THEN ''
                 ELSE (%(categories)s::text[])[1 + floor(%(k)s * power(random(), 1.5))::int] END,
            '', random() < 0.5, random() >= 0.15,
            substr(md5(coalesce(s.code, '-') || ':'
                || floor(random() * %(pool)s)::int || ':'
                || to_char(s.at AT TIME ZONE 'Europe/Paris', 'YYYY-MM')), 1, 16)
        FROM (
            SELECT %(start)s::timestamptz + random() * (%(now)s::timestamptz - %(start)s) AS at,
                CASE WHEN random() < 0.05 THEN NULL
                     ELSE (%(codes)s::text[])[1 + floor(random() * 100)::int] END AS code
            FROM generate_series(1, %(n)s) OFFSET 0
        ) s
        """,  # noqa: S608
        {**common, "categories": categories, "k": len(categories)}
        | {"pool": SEARCHERS_PER_DEPARTEMENT, "n": counts["searches"]},
    )
    started = step(f"{counts['searches']:,} searches", started)

    # Published entries, one theme each, then consultations of them.
    themes = list(Thematique.objects.values_list("code", flat=True))
    entries = []
    for number in range(counts["entries"]):
        code = rng.choice(WEIGHTED_CODES)
        theme = rng.choice(themes)
        title = f"Offre {number} {theme.split('--')[-1]}"
        entries.append(
            Entry(
                kind=Entry.Kind.OFFER,
                status=Entry.Status.PUBLISHED,
                departement_id=code,
                title=title,
                summary=title,
                body=f"Service pour les jeunes du {code}.",
                horaires_accueil="Mo-Fr 09:00-17:00",
                published_at=now,
                reviewed_at=today - timedelta(days=rng.randrange(400)),
                search_text=normalize(title),
                theme_codes=[theme],
            )
        )
    Entry.objects.bulk_create(entries, batch_size=2000)
    Through = Entry.thematiques.through
    Through.objects.bulk_create(
        [Through(entry_id=e.pk, thematique_id=e.theme_codes[0]) for e in entries],
        batch_size=5000,
    )
    entry_table = Entry._meta.db_table
    sql(
        f"""
        INSERT INTO {EntryConsultation._meta.db_table}
            (created_at, departement_id, entry_id, categorie, visitor)
        SELECT c.at, e.departement_id, e.id, split_part(e.theme_codes ->> 0, '--', 1),
            substr(md5(e.departement_id || ':' || floor(random() * %(pool)s)::int || ':'
                || to_char(c.at AT TIME ZONE 'Europe/Paris', 'YYYY-MM')), 1, 16)
        FROM (
            SELECT %(start)s::timestamptz + random() * (%(now)s::timestamptz - %(start)s) AS at,
                (%(ids)s::bigint[])[1 + floor(random() * %(k)s)::int] AS entry_id
            FROM generate_series(1, %(n)s) OFFSET 0
        ) c JOIN {entry_table} e ON e.id = c.entry_id
        """,  # noqa: S608
        {**common, "ids": [e.pk for e in entries], "k": len(entries)}
        | {"pool": SEARCHERS_PER_DEPARTEMENT, "n": counts["consultations"]},
    )
    demarches = sql(
        f"""
        INSERT INTO {Demarche._meta.db_table}
            (user_id, entry_id, status, created_at, updated_at, closed_at)
        SELECT d.user_id, d.entry_id, d.status, d.at, d.at,
            CASE WHEN d.status = 'in_progress' THEN NULL
                 ELSE least(%(now)s, d.at + random() * interval '90 days') END
        FROM (
            SELECT (array['in_progress', 'in_progress', 'done', 'abandoned'])
                    [1 + floor(random() * 4)::int] AS status,
                %(start)s::timestamptz + random() * (%(now)s::timestamptz - %(start)s) AS at,
                (SELECT min(user_id) FROM {YoungPersonProfile._meta.db_table})
                    + floor(random() * %(people)s)::int AS user_id,
                (%(ids)s::bigint[])[1 + floor(random() * %(k)s)::int] AS entry_id
            FROM generate_series(1, %(n)s) OFFSET 0
        ) d
        ON CONFLICT DO NOTHING
        """,  # noqa: S608
        {**common, "ids": [e.pk for e in entries], "k": len(entries)}
        | {"people": counts["young_people"], "n": counts["demarches"]},
    )
    started = step(
        f"{len(entries):,} entries, {counts['consultations']:,} consultations,"
        f" {demarches:,} procedures",
        started,
    )

    matched = mentoring(rng, counts, window_start, now)
    started = step(
        f"{counts['mentors']:,} mentors, {matched:,} matches, {counts['waiting']:,} waiting",
        started,
    )

    # Meetings of the matches that started; reminders of some, delivered on two channels.
    meetings = sql(
        f"""
        INSERT INTO {Meeting._meta.db_table}
            (match_id, proposed_by_id, starts_at, duration_minutes, place_sealed, video_url_sealed,
             status,
             reminder_offsets, created_at, updated_at)
        SELECT m.id, CASE WHEN random() < 0.5 THEN m.young_person_id ELSE m.mentor_id END,
            m.activated_at + random() * (coalesce(m.ended_at, %(now)s) - m.activated_at),
            60, ''::bytea, ''::bytea,
            (array['accepted', 'accepted', 'accepted', 'accepted', 'accepted', 'accepted',
                   'accepted', 'accepted', 'declined', 'cancelled'])
                [1 + floor(random() * 10)::int],
            '[1440, 60]'::jsonb, m.activated_at, m.activated_at
        FROM (
            SELECT id, young_person_id, mentor_id, activated_at, ended_at,
                floor(random() * 5)::int AS n
            FROM {Match._meta.db_table} WHERE activated_at IS NOT NULL
        ) m, generate_series(1, m.n)
        """,  # noqa: S608
        common,
    )
    sql(
        f"""
        INSERT INTO {Reminder._meta.db_table}
            (user_id, kind, meeting_id, offset_minutes, due_at, state, attempts, claimed_by,
             sent_at, last_error, created_at)
        SELECT r.young_person_id, 'meeting', r.id, 60, r.due,
            CASE WHEN r.failed THEN 'failed' ELSE 'sent' END, 1, '',
            CASE WHEN r.failed THEN NULL ELSE r.due + interval '2 seconds' END,
            CASE WHEN r.failed THEN 'bench: provider refused' ELSE '' END, r.due
        FROM (
            SELECT mt.id, m.young_person_id, mt.starts_at - interval '1 hour' AS due,
                random() < 0.04 AS failed
            FROM {Meeting._meta.db_table} mt JOIN {Match._meta.db_table} m ON m.id = mt.match_id
            WHERE mt.status = 'accepted' AND mt.starts_at < %(now)s
            ORDER BY random() LIMIT %(n)s
        ) r
        """,  # noqa: S608
        {**common, "n": counts["reminders"]},
    )
    deliveries = sql(
        f"""
        INSERT INTO {ReminderDelivery._meta.db_table}
            (reminder_id, channel, idempotency_key, state, attempts, sent_at, last_error)
        SELECT r.id, c.channel, 'bench-' || r.id || '-' || c.channel, r.state, 1, r.sent_at,
            r.last_error
        FROM {Reminder._meta.db_table} r CROSS JOIN (VALUES ('push'), ('email')) c(channel)
        """  # noqa: S608
    )
    started = step(
        f"{meetings:,} meetings, {deliveries // 2:,} reminders, {deliveries:,} deliveries",
        started,
    )

    # The vault: keys and document rows (no blob, placeholder bytes).
    sql(
        f"""
        INSERT INTO {UserKey._meta.db_table}
            (id, user_id, master_key_version, wrapped_key, created_at)
        SELECT gen_random_uuid(), user_id, 'bench', '\\x00'::bytea, %(now)s
        FROM (
            SELECT user_id FROM {YoungPersonProfile._meta.db_table}
            ORDER BY random() LIMIT %(n)s
        ) p
        """,  # noqa: S608
        {**common, "n": counts["vault_owners"]},
    )
    documents = sql(
        f"""
        INSERT INTO {Document._meta.db_table}
            (id, owner_id, user_key_id, category, content_type, size, wrapped_data_key,
             encrypted_title, encrypted_filename, encrypted_tags, encrypted_sha256, blob_name,
             document_type_sealed, issue_date_sealed, expiry_date_sealed,
             created_at, updated_at)
        SELECT gen_random_uuid(), k.user_id, k.id,
            (%(types)s::text[])[1 + floor(random() * %(t)s)::int], 'application/pdf', 100000,
            '\\x00', '\\x00', '\\x00', '\\x00', '\\x00', 'bench/' || gen_random_uuid(),
            ''::bytea, ''::bytea, ''::bytea,
            %(now)s - random() * interval '730 days', %(now)s
        FROM (
            SELECT id, user_id, 1 + floor(random() * 3)::int AS n FROM {UserKey._meta.db_table}
        ) k, generate_series(1, k.n)
        """,  # noqa: S608
        {**common, "types": list(DocumentCategory.values), "t": len(DocumentCategory.values)},
    )
    step(f"{documents:,} vault documents", started)
    sql("VACUUM ANALYZE")
    return {model._meta.db_table: model.objects.count() for model in COUNTED}


def mentoring(rng: random.Random, counts: dict, window_start: datetime, now: datetime) -> int:
    """Mentors (approved, most of them), requests, and matches at every stage."""
    today = timezone.localdate(now)
    password = make_password(None)
    mentors = User.objects.bulk_create(
        [
            User(
                email=f"bench.mentor.{n}@example.org",
                first_name="Mentor",
                role=Role.MENTOR,
                password=password,
            )
            for n in range(counts["mentors"])
        ],
        batch_size=2000,
    )
    by_code: dict[str, list[int]] = {code: [] for code in WEIGHTS}
    profiles = []
    for n, user in enumerate(mentors):
        # Every département has mentors, even at a small scale.
        code = list(WEIGHTS)[n] if n < len(WEIGHTS) else rng.choice(WEIGHTED_CODES)
        by_code[code].append(user.pk)
        profiles.append(
            MentorProfile(
                user=user,
                departement_id=code,
                status=(
                    MentorProfile.Status.APPROVED
                    if rng.random() < 0.9
                    else MentorProfile.Status.PENDING
                ),
                commune_code=f"{code}001",
                capacity=rng.choice((1, 1, 2, 2, 3)),
                honourability_checked_on=today - timedelta(days=rng.randrange(900)),
                decided_at=now - timedelta(days=rng.randrange(900)),
            )
        )
    MentorProfile.objects.bulk_create(profiles, batch_size=2000)

    young = list(
        YoungPersonProfile.objects.filter(departement__isnull=False)
        .order_by("user_id")
        .values_list("user_id", "departement_id", "user__date_joined")
    )
    rng.shuffle(young)
    total = counts["matches"] + counts["waiting"]
    chosen, waiting = young[: counts["matches"]], young[counts["matches"] : total]
    requests, fates = [], []
    turn = Counter()
    for user_id, code, joined in chosen:
        asked = max(joined, window_start - timedelta(days=90))
        asked += timedelta(seconds=rng.random() * max(0, (now - asked).total_seconds() - 86400))
        proposed = asked + timedelta(days=rng.expovariate(1 / 12))
        started = proposed + timedelta(days=rng.expovariate(1 / 5))
        if proposed >= now:
            proposed = started = asked + (now - asked) / 2
        mentor = by_code[code][turn[code] % len(by_code[code])]
        turn[code] += 1
        fates.append((user_id, mentor, proposed, started))
        requests.append(
            MentoringRequest(
                young_person_id=user_id,
                departement_id=code,
                status=MentoringRequest.Status.MATCHED,
                commune_code=f"{code}001",
                created_at=asked,
                closed_at=proposed,
            )
        )
    for user_id, code, joined in waiting:
        asked = max(joined, now - timedelta(days=120))
        asked += timedelta(seconds=rng.random() * (now - asked).total_seconds())
        requests.append(
            MentoringRequest(
                young_person_id=user_id,
                departement_id=code,
                status=MentoringRequest.Status.WAITING,
                commune_code=f"{code}001",
                created_at=asked,
            )
        )
    MentoringRequest.objects.bulk_create(requests, batch_size=2000)
    matches = []
    reasons, weights = list(END_REASONS), list(END_REASONS.values())
    for request, (user_id, mentor, proposed, started) in zip(requests, fates, strict=False):
        match = Match(
            request=request,
            young_person_id=user_id,
            mentor_id=mentor,
            origin=Match.Origin.COORDINATOR,
            proposed_at=proposed,
        )
        fate = rng.random()
        if fate < 0.06 or started >= now:
            match.status = Match.Status.PROPOSED
        elif fate < 0.14:
            match.status = Match.Status.ENDED
            match.end_reason = Match.EndReason.DECLINED
            match.ended_at = min(now, proposed + timedelta(days=2))
        else:
            match.activated_at = started
            ends = started + timedelta(days=rng.expovariate(1 / 150))
            if ends < now:
                match.status = Match.Status.ENDED
                match.ended_at = ends
                match.end_reason = rng.choices(reasons, weights)[0]
            else:
                match.status = Match.Status.PAUSED if rng.random() < 0.1 else Match.Status.ACTIVE
        matches.append(match)
    Match.objects.bulk_create(matches, batch_size=2000)
    return len(matches)


# --- Measures --------------------------------------------------------------------------------


def timed_get(client: Client, url: str, params: dict) -> tuple[float, dict]:
    start = time.perf_counter()
    response = client.get(url, params)
    seconds = time.perf_counter() - start
    if response.status_code != 200:
        raise RuntimeError(f"{url} {params} answered {response.status_code}: {response.content}")
    return seconds, json.loads(response.content)


def forget_months() -> None:
    MonthlyFigures.objects.all().delete()


def count_baseline(repeat: int) -> dict[str, float]:
    """Seconds of one ``SELECT COUNT(*)`` per table (median of ``repeat`` runs, warm)."""
    found = {}
    with connection.cursor() as cursor:
        for model in COUNTED:
            table = model._meta.db_table
            runs = []
            for _ in range(repeat + 1):  # the first run warms the cache
                start = time.perf_counter()
                cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608
                cursor.fetchone()
                runs.append(time.perf_counter() - start)
            found[table] = statistics.median(runs[1:])
    return found


TABLE = re.compile(r'(?:FROM|JOIN)\s+"(\w+)"')


def tables_of(statement: str) -> str:
    return " + ".join(dict.fromkeys(TABLE.findall(statement))) or statement[:40]


def summary(statement: str) -> str:
    """What a statement computes, over which days: "[days] figures FROM tables"."""
    days = re.findall(r"'(\d{4}-\d\d-\d\d)", statement.partition(" WHERE ")[2])
    span = f"[{days[0]}..{days[1]}) " if len(days) >= 2 and days[0] < days[1] else ""
    selected = re.match(r"SELECT (.*?) FROM ", statement, re.S)
    figures = re.sub(r'"\w+"\.', "", selected.group(1)).replace('"', "") if selected else ""
    figures = re.sub(r"\s+", " ", re.sub(r"^departement_id AS \w+, ", "", figures))
    figures = figures if len(figures) <= 90 else figures[:87] + "..."
    return f"{span}{figures} FROM {tables_of(statement)}"


def captured(client: Client, url: str, params: dict) -> CaptureQueriesContext:
    with CaptureQueriesContext(connection) as context:
        timed_get(client, url, params)
    return context


def measure(client: Client, url: str, periods: dict[str, Period], repeat: int) -> dict:
    """Cold and kept timings (seconds, median) per period, and a JSON of each kind."""
    results = {}
    for name, period in periods.items():
        params = {"from": period.first.isoformat(), "to": period.last.isoformat()}
        cold, kept, bodies = [], [], []
        for _ in range(repeat):
            forget_months()
            seconds, body = timed_get(client, url, params)
            cold.append(seconds)
            bodies.append(body)
            for _ in range(2):
                seconds, body = timed_get(client, url, params)
                kept.append(seconds)
                bodies.append(body)
        results[name] = {
            "period": period,
            "params": params,
            "cold": cold,
            "kept": kept,
            "same": all(body == bodies[0] for body in bodies),
            "body": bodies[0],
        }
        print(
            f"  {name}: cold {1000 * statistics.median(cold):.0f} ms,"
            f" kept {1000 * statistics.median(kept):.0f} ms",
            flush=True,
        )
    return results


def queries(client: Client, url: str, results: dict) -> dict:
    """Statements of each scenario, cold then kept (one more run of each)."""
    found = {}
    for name, result in results.items():
        forget_months()
        cold = captured(client, url, result["params"])
        kept = captured(client, url, result["params"])
        found[name] = (cold.captured_queries, kept.captured_queries)
    return found


# --- Report ---------------------------------------------------------------------------------


def report(
    written: dict[str, int],
    counts: dict[str, float],
    floor: float,
    results: dict,
    statements: dict,
    scale: float,
    setup: float,
    seconds: float,
) -> None:
    baseline = sum(counts.values())
    rows = sum(written.values())
    print()
    print(
        f"{rows:,} rows (scale {scale:g}), département {CODE}"
        f" ({Departement.objects.get(pk=CODE).name}), PostgreSQL"
        f" {connection.pg_version // 10000}, {os.cpu_count()} CPUs, set-up {setup:.0f} s"
    )
    print()
    print("Baseline: SELECT COUNT(*) per table (median, warm)")
    for table, value in counts.items():
        print(f"  {table:<36} {written[table]:>10,} rows {1000 * value:9.2f} ms")
    print(f"  {'sum':<36} {rows:>10,} rows {1000 * baseline:9.2f} ms")
    print()
    print(f"GET /api/v1/departements/{CODE}/stats/ (whole Django stack, in process)")
    print(f"{'scenario':<34} {'months':>6} {'ms':>9} {'x COUNT(*)':>11} {'SQL':>5}  runs")
    print(
        f"{f'floor: GET /departements/{CODE}/':<34} {'':>6} {1000 * floor:9.1f}"
        f" {floor / baseline:11.2f} {'':>5}  median of 20"
    )
    for name, result in results.items():
        months = len(result["period"].months())
        cold_sql, kept_sql = statements[name]
        for kind, runs, count in (
            ("cold", result["cold"], len(cold_sql)),
            ("kept", result["kept"], len(kept_sql)),
        ):
            value = statistics.median(runs)
            print(
                f"{f'{name} {kind}':<34} {months:>6} {1000 * value:9.1f}"
                f" {value / baseline:11.2f} {count:>5}"
                f"  median of {len(runs)} ({1000 * min(runs):.0f}-{1000 * max(runs):.0f})"
            )
    print(
        "  cold: MonthlyFigures emptied before each run (every month computed and kept);"
        " kept: the same request again. x COUNT(*): time / the baseline's sum."
    )
    same = all(result["same"] for result in results.values())
    print(f"  every reading of a period gave the same JSON, cold or kept: {same}")
    month = results["month"]["body"]
    searches = next(t for t in month["tables"] if t["key"] == "catalogue.searches_by_category")
    active = next(t for t in month["tables"] if t["key"] == "young_people.active_by_age")
    print(
        f"  {month['from']} to {month['to']}: {searches['total']} searches,"
        f" {active['total']} active young people, {len(month['tables'])} tables"
    )
    print()
    cold_sql, kept_sql = statements["month"]
    for label, captured_sql in (("cold month", cold_sql), ("kept month", kept_sql)):
        tally = Counter(tables_of(q["sql"]) for q in captured_sql)
        print(f"Statements of the {label}: {len(captured_sql)}, most frequent:")
        for tables, n in tally.most_common(4):
            print(f"  {n:>4}  {tables}")
    year_cold = statements["year"][0]
    total = sum(float(q["time"]) for q in year_cold)
    print(f"Slowest statements of the cold year ({len(year_cold)}, {1000 * total:.0f} ms in SQL):")
    for query in sorted(year_cold, key=lambda q: -float(q["time"]))[:8]:
        print(f"  {1000 * float(query['time']):7.1f} ms  {summary(query['sql'])}")
    print(f"({seconds:.0f} s)")


def report_national(results: dict, baseline: float) -> None:
    """The national view (every département, then pooled), next to the same baseline."""
    print()
    print("GET /api/v1/stats/ (national view: every département, and pooled)")
    for name, result in results.items():
        months = len(result["period"].months())
        for kind in ("cold", "kept"):
            runs = result[kind]
            value = statistics.median(runs)
            print(
                f"{f'{name} {kind}':<34} {months:>6} {1000 * value:9.1f}"
                f" {value / baseline:11.2f}"
                f"  median of {len(runs)} ({1000 * min(runs):.0f}-{1000 * max(runs):.0f})"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies every count")
    parser.add_argument("--repeat", type=int, default=3, help="cold runs per period")
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    options = parser.parse_args()
    counts = {name: max(1, round(n * options.scale)) for name, n in COUNTS.items()}
    counts["entries"] = max(counts["entries"], 40)
    counts["mentors"] = max(counts["mentors"], 2 * len(WEIGHTS))
    started = time.perf_counter()
    recreate_database(POSTGRES, DATABASE)
    flush_redis(REDIS_URL)
    try:
        call_command("migrate", verbosity=0)
        now = timezone.now()
        this_month = first_of_month(timezone.localdate(now))
        last = Period.last_closed_month()
        quarter_start = (this_month - timedelta(days=85)).replace(day=1)
        year_start = date(this_month.year - 1, this_month.month, 1)
        periods = {
            "month": last,
            "quarter": Period(quarter_start, last.last),
            "year": Period(year_start, last.last),
        }
        print("Set-up:", flush=True)
        written = populate(counts, paris_midnight(year_start), now)
        setup = time.perf_counter() - started
        staff = User.objects.create_user(
            "bench.staff.93@example.org", role=Role.DEPARTEMENT_STAFF, is_staff=True
        )
        staff.departements.set([CODE])
        client = Client()
        client.force_login(staff)
        url = f"/api/v1/departements/{CODE}/stats/"
        # Warm-up: the stack's first request (imports, translations, URL resolver) and
        # the tables' pages, through a small département's month.
        client.get(f"/api/v1/departements/{CODE}/")
        warm = Client()
        warm.force_login(
            User.objects.create_user("bench.editor@example.org", role=Role.NATIONAL_EDITOR)
        )
        params = {"from": last.first.isoformat(), "to": last.last.isoformat()}
        timed_get(warm, "/api/v1/departements/91/stats/", params)
        floor = statistics.median(
            timed_get(client, f"/api/v1/departements/{CODE}/", {})[0] for _ in range(20)
        )
        print("Measures:", flush=True)
        counted = count_baseline(5)
        results = measure(client, url, periods, options.repeat)
        statements = queries(client, url, results)
        national = measure(
            warm,
            "/api/v1/stats/",
            {"national month": periods["month"], "national year": periods["year"]},
            options.repeat,
        )
        report(
            written,
            counted,
            floor,
            results,
            statements,
            options.scale,
            setup,
            time.perf_counter() - started,
        )
        report_national(national, sum(counted.values()))
    finally:
        if options.keep:
            connections.close_all()
            print(f"(database {DATABASE} kept)")
        else:
            drop_database(POSTGRES, DATABASE)
        flush_redis(REDIS_URL)
        shutil.rmtree(WORK_DIR, ignore_errors=True)


if __name__ == "__main__":
    main()
