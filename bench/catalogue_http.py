"""The catalogue through real HTTP, at 10,000 and 100,000 entries, next to a bare endpoint.

What the app's users go through: gunicorn (2 sync workers) with the production settings,
PostgreSQL and Redis, driven over loopback by ``wrk`` (Debian's package ``wrk``). In the
same run, at each size:

- bare: a DRF endpoint answering 20 items from memory (bench/http_urls.py), same server;
- ``/api/v1/departements/``: a simple endpoint over reference data;
- catalogue list: ``/api/v1/catalogue/entries/`` with no filter, pages 1 to 10;
- realistic search: free text + département + a position with a 10 km radius, drawn
  from 200 queries that the phones of a town ask again and again (each asked once
  before the measure: the steady state);
- new searches: the same kind of query, drawn from 50,000 different ones, so that
  nearly every request is a first (nothing cached: what a query costs);
- sync: the offline copy's walk, every page of ``updated_since`` (time for the whole walk).

Prints requests/s and p99 for each, their ratio to bare, and the ratio at 100,000 over
the ratio at 10,000 (does a page cost the same in a big catalogue?).

    apt-get install wrk
    .venv/bin/python bench/catalogue_http.py            # about 6 minutes
    BENCH_SIZES=10000 BENCH_SECONDS=5 .venv/bin/python bench/catalogue_http.py

It builds its own database (``jalon_bench_http``, dropped and created again) on the
PostgreSQL server of ``BENCH_DATABASE_URL`` (default postgres://postgres@127.0.0.1:5432)
and uses Redis database 5 of ``BENCH_REDIS_URL`` (default redis://127.0.0.1:6379).
"""

import base64
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
DATABASE = "jalon_bench_http"
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379").rstrip("/")
SIZES = [int(size) for size in os.environ.get("BENCH_SIZES", "10000,100000").split(",")]
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "4"))
WORKERS = 2
VAR_DIR = Path(tempfile.mkdtemp(prefix="jalon-bench-http-"))

# The production settings, as an operator gives them (secrets made up for the run).
ENVIRONMENT = {
    **os.environ,
    "DJANGO_ENV": "production",
    "DJANGO_SETTINGS_MODULE": "bench.http_settings",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "DATABASE_URL": f"{SERVER}/{DATABASE}",
    "REDIS_URL": f"{REDIS}/5",
    "EMAIL_URL": "smtp://127.0.0.1:2525",
    "VAULT_KEYRING": json.dumps(
        {"current": "1", "keys": {"1": base64.b64encode(os.urandom(32)).decode()}}
    ),
    # Loopback, plain HTTP: no TLS redirect. The load generator stands for the reverse
    # proxy of production and many phones behind it (X-Forwarded-For): the throttles
    # work at their production rates, each address well under its limit.
    "SECURE_SSL_REDIRECT": "false",
    "TRUSTED_PROXY_IPS": "127.0.0.1",
    "VAR_DIR": str(VAR_DIR),
    "LOG_LEVEL": "WARNING",
}
os.environ.update(ENVIRONMENT)
sys.path.insert(0, str(ROOT))

DEPARTEMENTS = ["75", "93", "92", "94", "13", "69", "59", "33"]
CENTRES = {
    "75": (48.86, 2.35),
    "93": (48.91, 2.45),
    "92": (48.84, 2.24),
    "94": (48.79, 2.46),
    "13": (43.30, 5.37),
    "69": (45.76, 4.84),
    "59": (50.63, 3.06),
    "33": (44.84, -0.58),
}
WORDS = [
    "logement",
    "permis",
    "emploi",
    "santé",
    "bourse",
    "budget",
    "banque",
    "formation",
    "apprentissage",
    "hébergement",
    "mobilité",
    "culture",
    "sport",
    "droits",
    "aide",
]

WRK_SCRIPT = """
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
local counter = 0
function setup(thread) counter = counter + 1; thread:set("seed", counter) end
function init(args) math.randomseed(seed * 7919) end
function request()
  local address = string.format(
    "10.%d.%d.%d", math.random(0, 255), math.random(0, 255), math.random(1, 254))
  return wrk.format("GET", paths[math.random(#paths)], {["X-Forwarded-For"] = address})
end
"""


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {DATABASE}")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, check=True
    )


def populate(start: int, stop: int) -> None:
    """Published entries ``start`` to ``stop``, spread over eight départements."""
    import django

    django.setup()
    from django.contrib.postgres.search import SearchVector
    from django.db import connection
    from django.utils import timezone

    from services_catalog.models import Entry, Structure, Thematique
    from services_catalog.text import normalize

    rng = random.Random(start)  # noqa: S311 - reproducible test data, not secrets
    themes = list(Thematique.objects.values_list("code", flat=True))
    structures = Structure.objects.bulk_create(
        [
            Structure(
                departement_id=rng.choice(DEPARTEMENTS),
                name=f"Structure {number}",
                source="bench",
                source_id=str(number),
            )
            for number in range(start // 10, stop // 10)
        ]
    )
    now = timezone.now()
    entries = []
    for number in range(start, stop):
        departement = rng.choice(DEPARTEMENTS)
        lat, lon = CENTRES[departement]
        words = " ".join(rng.sample(WORDS, 4))
        title = f"Offre {number} {words.split()[0]}"
        body = f"Service pour les jeunes : {words}. Accompagnement gratuit, sur rendez-vous."
        theme = rng.choice(themes)
        entries.append(
            Entry(
                kind=Entry.Kind.OFFER,
                status=Entry.Status.PUBLISHED,
                departement_id=departement,
                structure=rng.choice(structures),
                scope=rng.choice([Entry.Scope.DEPARTEMENTS, Entry.Scope.RADIUS]),
                radius_km=10,
                title=title,
                summary=f"{words.capitalize()}.",
                body=body,
                latitude=lat + rng.uniform(-0.15, 0.15),
                longitude=lon + rng.uniform(-0.2, 0.2),
                horaires_accueil="Mo-Fr 09:00-12:30,14:00-17:00; PH off",
                published_at=now,
                search_text=normalize(f"{title} {words} {body}"),
                theme_codes=[theme],
            )
        )
    created = Entry.objects.bulk_create(entries, batch_size=2000)
    zone = Entry.zone_departements.through
    zone.objects.bulk_create(
        [
            zone(entry_id=entry.pk, departement_id=entry.departement_id)
            for entry in created
            if entry.scope == Entry.Scope.DEPARTEMENTS
        ],
        batch_size=5000,
    )
    by_theme = Entry.thematiques.through
    by_theme.objects.bulk_create(
        [by_theme(entry_id=entry.pk, thematique_id=entry.theme_codes[0]) for entry in created],
        batch_size=5000,
    )
    Entry.objects.filter(pk__gte=created[0].pk).update(
        search_vector=SearchVector("title", weight="A", config="french")
        + SearchVector("search_text", weight="B", config="french")
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn with the production settings on a loopback port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(  # noqa: S603 - our own server
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "--config",
                "python:backend.gunicorn_conf",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(WORKERS),
                "--access-logfile",
                "/dev/null",
                "backend.wsgi:application",
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{self.base}/bare/", timeout=1)  # noqa: S310
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def get(self, path: str) -> dict:
        address = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"  # noqa: S311
        request = urllib.request.Request(  # noqa: S310 - our own loopback server
            self.base + path, headers={"X-Forwarded-For": address}
        )
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
            return json.load(answer)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def _milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000}[unit]


def load(server: Server, paths: list[str], warm: int = 20) -> tuple[float, float]:
    """(requests per second, p99 in ms) of ``wrk`` over ``paths`` drawn at random, after
    asking the first ``warm`` of them once."""
    workdir = Path(tempfile.mkdtemp(prefix="jalon-wrk-"))
    (workdir / "paths.txt").write_text("\n".join(paths) + "\n")
    (workdir / "pick.lua").write_text(WRK_SCRIPT)
    for path in paths[:warm]:  # warm every worker's connections and imports
        server.get(path)
    result = subprocess.run(  # noqa: S603 - wrk from the PATH, as installed
        [
            shutil.which("wrk"),
            "--threads",
            "2",
            "--connections",
            str(CONNECTIONS),
            "--duration",
            f"{SECONDS}s",
            "--latency",
            "--script",
            str(workdir / "pick.lua"),
            "--header",
            "Accept-Language: fr",
            server.base,
        ],
        env={**os.environ, "BENCH_PATHS": str(workdir / "paths.txt")},
        capture_output=True,
        text=True,
        check=True,
    )
    shutil.rmtree(workdir)
    output = result.stdout
    if "Non-2xx" in output or "Socket errors" in output:
        raise RuntimeError(f"errors under load:\n{output}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p99 = _milliseconds(re.search(r"^\s*99%\s+(\S+)", output, re.MULTILINE).group(1))
    return rate, p99


def search_paths(count: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    paths = []
    for _ in range(count):
        departement = rng.choice(DEPARTEMENTS)
        lat, lon = CENTRES[departement]
        word = urllib.request.quote(rng.choice(WORDS))
        paths.append(
            f"/api/v1/catalogue/entries/?q={word}&departement={departement}"
            f"&lat={lat + rng.uniform(-0.05, 0.05):.5f}&lon={lon + rng.uniform(-0.05, 0.05):.5f}"
            "&radius_km=10"
        )
    return paths


def sync_walk(server: Server) -> tuple[float, int]:
    """(seconds, entries) to walk the whole offline copy by its ``next`` links."""
    path = "/api/v1/catalogue/entries/?updated_since=2000-01-01T00:00:00Z&page_size=200"
    start = time.perf_counter()
    seen = 0
    while path:
        page = server.get(path)
        seen += len(page["results"])
        path = page["next"] and page["next"].removeprefix("http://127.0.0.1").split("/", 1)[1]
        path = path and "/" + path
    return time.perf_counter() - start, seen


def measure(size: int) -> dict:
    server = Server()
    try:
        figures = {
            "bare": load(server, ["/bare/"]),
            "departements": load(server, ["/api/v1/departements/"]),
            "list": load(
                server, [f"/api/v1/catalogue/entries/?page={page}" for page in range(1, 11)]
            ),
            # The town's phones have asked each of them before: the steady state.
            "search": load(server, search_paths(200), warm=200),
            "new": load(server, search_paths(50_000, seed=13)),
        }
        figures["sync"] = sync_walk(server)
        figures["found"] = server.get(search_paths(1)[0])["count"]
    finally:
        server.stop()
    return figures


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("This benchmark drives the server with wrk: apt-get install wrk")
    recreate_database()
    results = {}
    built = 0
    for size in sorted(SIZES):
        print(f"building the catalogue up to {size:,} entries...", file=sys.stderr)
        subprocess.run(  # noqa: S603 - this script, populating in its own process
            [sys.executable, __file__, "populate", str(built), str(size)], check=True
        )
        built = size
        print(f"measuring at {size:,} entries...", file=sys.stderr)
        results[size] = measure(size)

    print(
        f"\nHTTP, gunicorn {WORKERS} workers, production settings, PostgreSQL + Redis; "
        f"wrk, {CONNECTIONS} connections, {SECONDS} s per line\n"
    )
    print(
        "| entries | bare DRF | `/api/v1/departements/` | catalogue list (no filter) "
        "| realistic search (text + département + 10 km) | new searches (never asked before) "
        "| offline sync, whole walk |"
    )
    print("|---|---|---|---|---|---|---|")
    for size, figures in results.items():
        bare = figures["bare"][0]
        cells = [f"{bare:,.0f} req/s"]
        for name in ("departements", "list", "search", "new"):
            rate, p99 = figures[name]
            cells.append(f"{rate:,.0f} req/s ({rate / bare:.2f} of bare, p99 {p99:.0f} ms)")
        seconds, seen = figures["sync"]
        cells.append(f"{seen:,} entries in {seconds:.1f} s")
        print(f"| {size:,} | " + " | ".join(cells) + " |")
    if len(results) > 1:
        small, big = results[min(results)], results[max(results)]
        print()
        for name in ("departements", "list", "search", "new"):
            ratio_small = small[name][0] / small["bare"][0]
            ratio_big = big[name][0] / big["bare"][0]
            print(
                f"{name}: ratio at {max(results):,} over ratio at {min(results):,} = "
                f"{ratio_big / ratio_small:.2f}"
            )
    print(f"\na sample search found {results[max(results)]['found']} entries")


if __name__ == "__main__":
    if sys.argv[1:2] == ["populate"]:
        populate(int(sys.argv[2]), int(sys.argv[3]))
    else:
        main()
