"""Catalogue search against a bare DRF endpoint over the same table, in the same run.

10,000 published entries on PostgreSQL (a throw-away test database). Both endpoints go
through the whole Django stack in this process (no network):

- baseline: a plain DRF ``ListAPIView`` of the same entries (one model serializer,
  default pagination, no filter): what any list endpoint costs;
- search: ``GET /api/v1/catalogue/entries/`` with free text, a département and a
  position with a radius, as the app sends it, drawn from a pool of realistic queries.

Prints requests/s and p95 latency of each and their ratio (search / baseline).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jalon .venv/bin/python bench/catalogue_search.py
"""

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="jalon-bench-"))
os.environ["API_THROTTLE_ANON"] = "100000000/minute"
os.environ["API_THROTTLE_USER"] = "100000000/minute"

import django

django.setup()

from django.contrib.postgres.search import SearchVector  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.urls import include, path  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework import generics, permissions, serializers  # noqa: E402

from services_catalog.models import Entry, Thematique  # noqa: E402
from services_catalog.text import normalize  # noqa: E402

ENTRIES = 10_000
ROUNDS = 400
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


class BaselineSerializer(serializers.ModelSerializer):
    class Meta:
        model = Entry
        fields = [
            "id",
            "kind",
            "title",
            "summary",
            "type",
            "frais",
            "departement",
            "scope",
            "commune",
            "code_postal",
            "latitude",
            "longitude",
            "updated_at",
        ]


class BaselineView(generics.ListAPIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    throttle_classes = []
    serializer_class = BaselineSerializer
    queryset = Entry.objects.filter(status=Entry.Status.PUBLISHED).order_by("pk")


urlpatterns = [path("baseline/", BaselineView.as_view()), path("", include("backend.urls"))]


def populate() -> None:
    rng = random.Random(7)  # noqa: S311 - reproducible test data, not secrets
    themes = list(Thematique.objects.values_list("code", flat=True))
    now = timezone.now()
    entries = []
    for number in range(ENTRIES):
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
                scope=rng.choice([Entry.Scope.DEPARTEMENTS, Entry.Scope.RADIUS]),
                radius_km=10,
                title=title,
                summary=f"{words.capitalize()}.",
                body=body,
                latitude=lat + rng.uniform(-0.15, 0.15),
                longitude=lon + rng.uniform(-0.2, 0.2),
                horaires_accueil="Mo-Fr 09:00-17:00",
                published_at=now,
                search_text=normalize(f"{title} {words} {body}"),
                theme_codes=[theme],
            )
        )
    Entry.objects.bulk_create(entries, batch_size=2000)
    created = list(Entry.objects.values_list("pk", "departement_id", "theme_codes"))
    Through = Entry.zone_departements.through
    Through.objects.bulk_create(
        [Through(entry_id=pk, departement_id=code) for pk, code, _themes in created],
        batch_size=5000,
    )
    ThemeThrough = Entry.thematiques.through
    ThemeThrough.objects.bulk_create(
        [ThemeThrough(entry_id=pk, thematique_id=themes[0]) for pk, _code, themes in created],
        batch_size=5000,
    )
    Entry.objects.update(
        search_vector=SearchVector("title", weight="A", config="french")
        + SearchVector("search_text", weight="B", config="french")
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def search_queries(count: int) -> list[dict]:
    rng = random.Random(11)  # noqa: S311 - reproducible test data, not secrets
    queries = []
    for _ in range(count):
        departement = rng.choice(DEPARTEMENTS)
        lat, lon = CENTRES[departement]
        queries.append(
            {
                "q": rng.choice(WORDS),
                "departement": departement,
                "lat": f"{lat + rng.uniform(-0.05, 0.05):.4f}",
                "lon": f"{lon + rng.uniform(-0.05, 0.05):.4f}",
                "radius_km": "10",
            }
        )
    return queries


def measure(client: Client, url: str, params: list[dict]) -> tuple[float, float]:
    """(requests per second, p95 latency in ms) over ``params``."""
    for query in params[:20]:  # warm-up
        client.get(url, query)
    latencies = []
    start = time.perf_counter()
    for query in params:
        begin = time.perf_counter()
        response = client.get(url, query)
        latencies.append(time.perf_counter() - begin)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}: {response.content[:200]}")
    elapsed = time.perf_counter() - start
    p95 = statistics.quantiles(latencies, n=20)[18]
    return len(params) / elapsed, p95 * 1000


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL server: this benchmark is about PostgreSQL.")
    test_database = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        populate()
        with override_settings(ROOT_URLCONF=__name__):
            client = Client()
            baseline_rps, baseline_p95 = measure(client, "/baseline/", [{}] * ROUNDS)
            search_rps, search_p95 = measure(
                client, "/api/v1/catalogue/entries/", search_queries(ROUNDS)
            )
        found = client.get("/api/v1/catalogue/entries/", search_queries(1)[0]).json()["count"]
    finally:
        connection.creation.destroy_test_db(test_database, verbosity=0)
    print(f"{ENTRIES} entries on PostgreSQL, {ROUNDS} requests each (in-process client)")
    print(f"baseline DRF list:  {baseline_rps:7.1f} req/s   p95 {baseline_p95:6.2f} ms")
    print(
        f"catalogue search:   {search_rps:7.1f} req/s   p95 {search_p95:6.2f} ms"
        f"   (a sample search found {found} entries)"
    )
    print(
        f"ratio search/baseline: {search_rps / baseline_rps:.2f} in req/s "
        f"(target >= 0.5), p95 x{search_p95 / baseline_p95:.2f}"
    )


if __name__ == "__main__":
    main()
