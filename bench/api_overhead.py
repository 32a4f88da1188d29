"""How much the project's API stack costs on top of bare DRF.

Times ``GET /api/v1/departements/`` (auth classes, throttling, pagination, serializer,
database) against a bare DRF view that returns the same kind of list from memory, in
the same process, and prints the ratio. Run: ``.venv/bin/python bench/api_overhead.py``.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="jalon-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
os.environ["API_THROTTLE_ANON"] = "100000000/minute"
os.environ["API_THROTTLE_USER"] = "100000000/minute"

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.urls import include, path  # noqa: E402
from rest_framework.response import Response  # noqa: E402
from rest_framework.views import APIView  # noqa: E402

ROWS = [{"code": f"{n:02d}", "name": f"Département {n}"} for n in range(1, 21)]


class BareView(APIView):
    authentication_classes = []
    permission_classes = []
    throttle_classes = []

    def get(self, request):
        return Response({"count": len(ROWS), "results": ROWS})


urlpatterns = [path("bare/", BareView.as_view()), path("", include("backend.urls"))]


def _time(client: Client, url: str, rounds: int) -> float:
    for _ in range(20):  # warm-up
        client.get(url)
    start = time.perf_counter()
    for _ in range(rounds):
        response = client.get(url)
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    return elapsed / rounds


def main(rounds: int = 500) -> None:
    call_command("migrate", verbosity=0)
    with override_settings(ROOT_URLCONF=__name__):
        client = Client()
        bare = _time(client, "/bare/", rounds)
        api = _time(client, "/api/v1/departements/", rounds)
    print(f"bare DRF view:          {bare * 1e3:.3f} ms/request")
    print(f"/api/v1/departements/:  {api * 1e3:.3f} ms/request")
    print(f"ratio: {api / bare:.2f}x the bare DRF endpoint ({rounds} requests each)")


if __name__ == "__main__":
    main()
