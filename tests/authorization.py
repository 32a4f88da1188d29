"""The API's endpoint x role matrices: the roles, the route walker and the runner.

Each app's ``tests/<app>/test_authorization.py`` holds a ``MATRIX``: for every route under
``/api/v1/`` and every method it answers, the exact status each role of DESIGN.md gets on
real objects owned by someone. ``tests/test_route_authorization.py`` checks that the
matrices cover every route and method of the URLconf, so a new route without its cases
fails the suite.
"""

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern
from rest_framework.test import APIClient

from .conftest import signed_in_token

API_PREFIX = "/api/v1/"

# The roles of DESIGN.md, and the side (93 or 75) where it matters: the objects of a
# world belong to the young person of 93, their mentor and the staff of 93.
ROLES = (
    "anonymous",
    "young_person",  # 93: owns the objects
    "other_young_person",  # 75: an outsider
    "mentor",  # the young person's mentor, in 93
    "mentor_75",  # a mentor in no match with them
    "referent",  # 93, linked by the young person with every scope
    "referent_few_scopes",  # 93, linked with the profile scope only
    "referent_unlinked",  # 93, linked by nobody
    "referent_ended",  # 93, the young person ended the link
    "referent_75",  # a référent of Paris, linked by nobody
    "coordinator_93",
    "staff_93",  # département staff (curators)
    "staff_75",
    "partner_93",
    "national_editor",
    "superuser",
)
# Methods a route answers, in the order the matrices list them; OPTIONS and HEAD are
# DRF's and Django's own, the same for every view.
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

# Written by every authenticated request (the figures' active days), refused or not.
UNWATCHED_MODELS = frozenset({"accounts.ActivityDay"})


# --- Routes -------------------------------------------------------------------------------

_NAMED_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>")
_CONVERTER = re.compile(r"<(?:\w+:)?(?P<name>\w+)>")
_LITERALS = re.compile(r"[\w-]+(?:\|[\w-]+)*")


def _group_end(regex: str, start: int) -> int:
    """Index just past the parenthesis that closes the group opened before ``start``."""
    depth, index, in_class = 1, start, False
    while depth:
        char = regex[index]
        if char == "\\":
            index += 1
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        index += 1
    return index


def _regex_routes(regex: str) -> list[str]:
    """``^matches/(?P<match_id>[0-9]+)/(?P<action>accept|end)/$`` as routes:
    ``matches/{match_id}/accept/`` and ``matches/{match_id}/end/``.

    A named group of plain words is one route per word (what a view that switches on a
    URL segment serves: one operation each); any other named group is a parameter.
    """
    regex = regex.removeprefix("^").removesuffix("$").removesuffix(r"\Z")
    found = _NAMED_GROUP.search(regex)
    if found is None:
        return [regex.replace("\\", "")]
    end = _group_end(regex, found.end())
    body = regex[found.end() : end - 1]
    before, after = regex[: found.start()].replace("\\", ""), regex[end:]
    if _LITERALS.fullmatch(body):
        heads = [before + word for word in body.split("|")]
    else:
        heads = [before + "{" + found["name"] + "}"]
    return [head + tail for head in heads for tail in _regex_routes(after)]


def _pattern_routes(pattern) -> list[str]:
    if isinstance(pattern, RegexPattern):
        return _regex_routes(str(pattern))
    return [_CONVERTER.sub(lambda match: "{" + match["name"] + "}", str(pattern))]


def _view_methods(callback) -> set[str]:
    """The methods a view answers (besides OPTIONS and HEAD), or an empty set if unknown."""
    if actions := getattr(callback, "actions", None):  # a DRF viewset's route
        return {method.upper() for method in actions} - {"OPTIONS", "HEAD"}
    view = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if view is None:
        return set()
    return {
        method.upper()
        for method in view.http_method_names
        if method.upper() in METHODS and hasattr(view, method)
    }


def api_routes() -> Iterator[tuple[str, set[str], object]]:
    """Every route under ``/api/v1/`` (as ``vault/documents/{document_id}/``), the methods
    it answers and its view, walking the URLconf recursively."""

    def walk(patterns, prefixes):
        for entry in patterns:
            routes = [
                prefix + route for prefix in prefixes for route in _pattern_routes(entry.pattern)
            ]
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, routes)
            elif isinstance(entry, URLPattern):
                for route in routes:
                    yield "/" + route, entry.callback

    for route, callback in walk(get_resolver().url_patterns, [""]):
        if route.startswith(API_PREFIX):
            yield route.removeprefix(API_PREFIX), _view_methods(callback), callback


# --- The runner -----------------------------------------------------------------------------


def _first_party_models() -> list:
    base = Path(settings.BASE_DIR)
    return [
        model
        for config in apps.get_app_configs()
        if Path(config.path).is_relative_to(base) and "site-packages" not in config.path
        for model in config.get_models()
        if model._meta.label not in UNWATCHED_MODELS
    ]


_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


def writes_to_project_tables(queries: list[dict]) -> list[str]:
    """The project's tables that ``queries`` (as ``CaptureQueriesContext`` saw them) wrote
    to: a refused request must write to none (not even to undo it)."""
    tables = {model._meta.db_table for model in _first_party_models()}
    written = (_WRITE.match(query["sql"]) for query in queries)
    return sorted({found[1] for found in written if found and found[1] in tables})


def is_list_answer(response) -> bool:
    """A JSON array, or a page of one (``{"results": [...]}``)."""
    if response.status_code != 200 or response.get("Content-Type") != "application/json":
        return False
    data = json.loads(response.content)
    return isinstance(data, list) or (isinstance(data, dict) and "results" in data)


def client_as(user) -> APIClient:
    """An API client signed in as ``user`` (a real session token), or anonymous."""
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_X_SESSION_TOKEN=signed_in_token(user))
    return client


def run_case(
    *,
    method: str,
    url: str,
    expected: dict[str, int],
    users: Callable[[str], object],
    body: Callable[[], object] | None = None,
    format: str = "json",
    headers: dict | None = None,
) -> tuple[list[str], bool]:
    """Ask ``method url`` as each role of ``expected``, each in a savepoint rolled back
    afterwards, so that every role meets the same world.

    Every role signs in first (a real session token). Returns the differences
    from ``expected`` (each naming the role), and whether any answer was a list. A
    refused request writes to none of the project's tables.
    """
    problems, answered_a_list = [], False
    clients = {role: client_as(None if role == "anonymous" else users(role)) for role in expected}
    for role, status in expected.items():
        with transaction.atomic():
            cache.clear()  # throttles and rate limits: each role starts from zero
            call = getattr(clients[role], method.lower())
            payload = body() if body is not None else None
            with CaptureQueriesContext(connection) as queries:
                extra = headers or {}
                if payload is None:
                    response = call(url, **extra)
                else:
                    response = call(url, payload, format=format, **extra)
            answered_a_list |= is_list_answer(response)
            if response.status_code != status:
                problems.append(f"{role}: expected {status}, got {response.status_code}")
            elif status >= 400 and (written := writes_to_project_tables(queries)):
                problems.append(f"{role}: refused with {status} but wrote to {written}")
            transaction.set_rollback(True)
    return problems, answered_a_list


# --- Worlds ---------------------------------------------------------------------------------


# --- What each app's matrix module uses -------------------------------------------------------


@dataclass(frozen=True)
class World:
    """The objects a matrix is asked about: ``args`` fill the routes' parameters
    (``{document_id}``), ``route_args`` override them for one route, ``query`` adds a
    query string to a route, ``headers`` request headers (``HTTP_X_...``) to a route."""

    args: dict = field(default_factory=dict)
    route_args: dict = field(default_factory=dict)
    query: dict = field(default_factory=dict)
    objects: dict = field(default_factory=dict)
    headers: dict = field(default_factory=dict)

    def url(self, route: str) -> str:
        url = API_PREFIX + route.format(**{**self.args, **self.route_args.get(route, {})})
        return url + ("?" + self.query[route] if route in self.query else "")


def cases(matrix: dict, xfail: dict | None = None) -> list:
    """The matrix as pytest parameters, one per route and method, named ``GET route``.

    ``xfail`` maps a key to the reason it fails today (strict: fixing it fails the test,
    so whoever fixes it removes the mark)."""
    xfail = xfail or {}
    for statuses in matrix.values():
        assert len(statuses) == len(ROLES), statuses
    return [
        pytest.param(
            key,
            statuses,
            id=f"{key[0]} {key[1]}",
            marks=[pytest.mark.xfail(strict=True, reason=xfail[key])] if key in xfail else [],
        )
        for key, statuses in matrix.items()
    ]


def check(
    key: tuple[str, str],
    statuses: tuple[int, ...],
    *,
    world: World,
    request,
    bodies: dict | None = None,
    formats: dict | None = None,
) -> None:
    """Ask ``key`` (``("GET", route)``) as every role and compare each status with
    ``statuses`` (one per role of ``ROLES``). A body is a callable of the world's objects,
    called once per role; a GET that answers a list needs a query-count case."""
    method, route = key
    expected = dict(zip(ROLES, statuses, strict=True))
    users = {role: request.getfixturevalue(role) for role in expected if role != "anonymous"}
    make_body = (bodies or {}).get(key)
    problems, answered_a_list = run_case(
        method=method,
        url=world.url(route),
        expected=expected,
        users=users.get,
        body=(lambda: make_body(world.objects)) if make_body else None,
        format=(formats or {}).get(key, "json"),
        headers=world.headers.get(route),
    )
    assert not problems, f"{method} {world.url(route)}:\n  " + "\n  ".join(problems)
    if method == "GET" and answered_a_list:
        from .test_list_query_counts import LIST_CASES

        assert route in LIST_CASES, (
            f"GET {API_PREFIX}{route} answers a list: give it a case in "
            "tests/test_list_query_counts.py (its query count must not grow with its rows)"
        )
