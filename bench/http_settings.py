"""Settings of the HTTP benchmark's server: the project's own, plus the bare endpoint."""

from backend.settings import *  # noqa: F403

ROOT_URLCONF = "bench.http_urls"
