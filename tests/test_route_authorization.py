"""Every route under /api/v1/ and every method it answers has its authorization cases.

The URLconf is walked recursively (``tests.authorization.api_routes``); the methods of a
view are the handlers it defines among GET, POST, PUT, PATCH and DELETE. The cases are the
``MATRIX`` of each ``tests/<app>/test_authorization.py``, found by that name. A route or
a method without a case fails here, named; so does a case for a route that is gone.
"""

import importlib
import pkgutil
from pathlib import Path

from drf_spectacular.generators import SchemaGenerator

from tests.authorization import API_PREFIX, ROLES, api_routes
from tests.test_list_query_counts import LIST_CASES

TESTS = Path(__file__).parent


def matrix_modules() -> dict[str, object]:
    """``tests/<app>/test_authorization.py`` of every app that has one."""
    found = {}
    for package in pkgutil.iter_modules([str(TESTS)]):
        if package.ispkg and (TESTS / package.name / "test_authorization.py").exists():
            found[package.name] = importlib.import_module(
                f"tests.{package.name}.test_authorization"
            )
    return found


def served() -> dict[tuple[str, str], str]:
    """``(method, route)`` -> the view's name, for every method of every API route."""
    pairs = {}
    for route, methods, callback in api_routes():
        assert methods, f"{API_PREFIX}{route}: cannot tell which methods {callback!r} answers"
        view = getattr(callback, "cls", None) or getattr(callback, "view_class", callback)
        for method in methods:
            pairs[(method, route)] = view.__name__
    return pairs


def covered() -> tuple[dict[tuple[str, str], str], set[tuple[str, str]]]:
    """The cases of the matrices (``(method, route)`` -> app) and those for a method a
    route must refuse (``NOT_SERVED``)."""
    cases, not_served = {}, set()
    for app, module in matrix_modules().items():
        for key, statuses in module.MATRIX.items():
            assert key not in cases, f"{key} has cases in {cases.get(key)} and {app}"
            assert len(statuses) == len(ROLES), f"{app}: {key} needs one status per role"
            cases[key] = app
        not_served |= getattr(module, "NOT_SERVED", set())
    return cases, not_served


def test_every_route_and_method_of_the_api_has_an_authorization_case():
    found = served()
    cases, _not_served = covered()
    missing = [
        f"{method} {API_PREFIX}{route} ({view}): no case in any tests/<app>/test_authorization.py"
        for (method, route), view in sorted(found.items())
        if (method, route) not in cases
    ]
    assert not missing, "\n".join(missing)


def test_every_case_is_for_a_route_and_method_the_api_serves():
    found = served()
    routes = {route for _method, route in found}
    cases, not_served = covered()
    stale = [
        f"{method} {API_PREFIX}{route}: a case in tests/{app}/test_authorization.py, "
        "but the URLconf serves no such route and method"
        for (method, route), app in sorted(cases.items())
        if (method, route) not in found and not ((method, route) in not_served and route in routes)
    ]
    assert not stale, "\n".join(stale)


def test_the_walker_finds_the_routes_and_methods_of_every_kind_of_pattern():
    found = served()
    # path() with converters, re_path() with a parameter, and a view that switches on a
    # URL segment: one route per operation.
    assert found[("PATCH", "vault/documents/{document_id}/")] == "DocumentDetailView"
    assert ("GET", "mentoring/meetings/{meeting_id}/ics/") in found
    assert ("POST", "mentoring/matches/{match_id}/feedback/") in found
    assert ("POST", "mentoring/meetings/{meeting_id}/reschedule/") in found
    assert ("GET", "departements/") in found
    assert not any(route.startswith(("^", "api/")) for _method, route in found)
    assert not {method for method, _route in found} - {"GET", "POST", "PUT", "PATCH", "DELETE"}


def _is_list(schema: dict, components: dict) -> bool:
    if "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema.get("type") == "array" or "results" in schema.get("properties", {})


def test_every_list_of_the_api_has_a_query_count_case():
    """Lists as the OpenAPI schema declares them (the matrices also fail for a GET that
    answers a list without a case, whatever its schema says)."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    lists = set()
    for path, operations in schema["paths"].items():
        answer = operations.get("get", {}).get("responses", {}).get("200", {})
        body = answer.get("content", {}).get("application/json", {}).get("schema")
        if path.startswith(API_PREFIX) and body and _is_list(body, components):
            lists.add(path.removeprefix(API_PREFIX))
    assert lists, "no list found in the schema: the check is broken"
    missing = sorted(lists - set(LIST_CASES))
    assert not missing, f"lists with no case in tests/test_list_query_counts.py: {missing}"
    get_routes = {route for method, route in served() if method == "GET"}
    stale = sorted(set(LIST_CASES) - get_routes)
    assert not stale, f"query-count cases for routes with no GET: {stale}"
