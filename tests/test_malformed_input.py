"""Bad input never reaches a 500: a table of malformed requests, run against every
writable route and method of the API.

The routes come from the URLconf (``tests.authorization.api_routes``, as the
authorization matrices); each one is asked as the first role its app's ``MATRIX`` lets
through (a 2xx), in its app's world (the ``world`` or ``make_world`` fixture of
``tests/<app>/test_authorization.py``), so that the request passes authorization and
reaches the parsing of its body. Every malformed body must be refused with a 4xx in the
error format and write to none of the project's tables. A route that declares no request
body in the schema may ignore a body (it never reads it), but never answers a 5xx.

A new writable route gets every case for free; one that no role reaches, or whose app
has no world, fails here, named.
"""

import importlib
import io
import json
import pkgutil
from functools import cache as memoized
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.exceptions import RequestDataTooBig
from django.db import connection, transaction
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.test.utils import CaptureQueriesContext
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from backend.api.parsers import MAX_DEPTH, JSONParser
from tests.authorization import API_PREFIX, ROLES, client_as, writes_to_project_tables
from tests.test_route_authorization import matrix_modules, served

pytestmark = pytest.mark.django_db

TESTS = Path(__file__).parent
WRITES = ("POST", "PUT", "PATCH", "DELETE")
MATRICES = matrix_modules()


def _register_fixtures() -> None:
    """Make the worlds of the matrices, and the fixtures of the apps' conftests they use,
    fixtures of this module: ``<app>_world`` / ``<app>_make_world``."""
    module_globals = globals()
    for package in pkgutil.iter_modules([str(TESTS)]):
        if package.ispkg and (TESTS / package.name / "conftest.py").exists():
            conftest = importlib.import_module(f"tests.{package.name}.conftest")
            for name, value in vars(conftest).items():
                # pytest's fixture wrapper, by name: its class is not public API.
                if type(value).__name__ == "FixtureFunctionDefinition":
                    module_globals.setdefault(name, value)
    for app, module in MATRICES.items():
        for name in ("world", "make_world"):
            if hasattr(module, name):
                module_globals[f"{app}_{name}"] = getattr(module, name)


_register_fixtures()


def _app_of(key: tuple[str, str]) -> str | None:
    return next((app for app, module in MATRICES.items() if key in module.MATRIX), None)


def _reaching_role(app: str, key: tuple[str, str]) -> str | None:
    """The first role the matrix lets through ``key`` (a 2xx answer)."""
    statuses = dict(zip(ROLES, MATRICES[app].MATRIX[key], strict=True))
    return next((role for role, status in statuses.items() if 200 <= status < 300), None)


def _world(app: str, key: tuple[str, str], request):
    module = MATRICES[app]
    if hasattr(module, "make_world"):
        states = getattr(module, "STATES", {})
        return request.getfixturevalue(f"{app}_make_world")(states.get(key, "active"))
    return request.getfixturevalue(f"{app}_world")


@memoized
def _schema_operations() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)["paths"]


def _declares_a_body(key: tuple[str, str]) -> bool:
    method, route = key
    operation = _schema_operations().get(API_PREFIX + route, {}).get(method.lower(), {})
    return "requestBody" in operation


WRITABLE = sorted(key for key in served() if key[0] in WRITES)


# --- The table of cases ---------------------------------------------------------------------
# A case is (name, body bytes, Content-Type). Every route gets the shapes a view may trip
# on and its valid body (its matrix's BODIES) spoiled value by value, and field by field
# as the schema declares them; what the parser alone decides (invalid JSON, charsets,
# content types) is asked once, of one route (PARSER_CASES), to keep the table small.

DEEP = 1_000
DEEP_OBJECT = ('{"a": ' * DEEP + "1" + "}" * DEEP).encode()
ROUTE_CASES = [
    ("deep object", DEEP_OBJECT, "application/json"),
    ("array", b"[]", "application/json"),
    ("null", b"null", "application/json"),
]
# When the valid body has no text to spoil, the surrogate goes in a key.
LONE_SURROGATE_KEY = ("lone surrogate key", b'{"\\ud800": 1}', "application/json")
PARSER_CASES = [
    ("deep array", ("[" * DEEP + "]" * DEEP).encode(), "application/json"),
    ("invalid json", b'{"title": ', "application/json"),
    ("trailing garbage", b"{} {}", "application/json"),
    ("not a number", b'{"a": NaN}', "application/json"),
    ("array of objects", b"[{}]", "application/json"),
    ("string", b'"text"', "application/json"),
    ("number", b"42", "application/json"),
    ("invalid utf-8", b'{"title": "\xff\xfe"}', "application/json"),
    # A codec that is not text (it would inflate the body after its size was checked).
    ("non-text charset", b"{}", "application/json; charset=bz2_codec"),
    LONE_SURROGATE_KEY,
    ("number too long to read", b'{"a": ' + b"9" * 5_000 + b"}", "application/json"),
    ("plain text", b"hello", "text/plain"),
    ("form", b"title=x", "application/x-www-form-urlencoded"),
    ("multipart without boundary", b"--x\r\n", "multipart/form-data"),
]


# Routes whose body is all optional fields, where ``{}`` means "the defaults".
EMPTY_BODY_ACCEPTED = {
    ("POST", "me/notifications/read/"): "no ids: mark the whole inbox read",
    ("POST", "mentoring/matches/{match_id}/decline/"): "declining needs no word",
    ("POST", "mentoring/matches/{match_id}/feedback/"): "an empty word withdraws one's word",
}


def _mutate(value, spoil):
    """``value`` with every string and number spoiled by ``spoil`` (which returns the
    value unchanged for the kinds it leaves alone)."""
    if isinstance(value, dict):
        return {key: _mutate(item, spoil) for key, item in value.items()}
    if isinstance(value, list):
        return [_mutate(item, spoil) for item in value]
    return spoil(value)


SPOILERS = {
    "lone surrogate": lambda v: "\ud800" + v if isinstance(v, str) else v,
    "null character": lambda v: v + "\x00" if isinstance(v, str) else v,
    "overlong string": lambda v: "x" * 200_000 if isinstance(v, str) else v,
    "null value": lambda v: None,
    "wrong type": lambda v: {"a": [v]},
}


def _json_bytes(data) -> bytes:
    # ensure_ascii: a lone surrogate travels as "\ud800", as a client would send it.
    return json.dumps(data, ensure_ascii=True).encode()


def _mutated_cases(valid) -> list[tuple[str, bytes, str]]:
    if not isinstance(valid, dict) or not any(isinstance(v, str) for v in valid.values()):
        return [LONE_SURROGATE_KEY]
    found = []
    for name, spoil in SPOILERS.items():
        spoiled = _mutate(valid, spoil)
        if spoiled != valid:
            found.append((name, _json_bytes(spoiled), "application/json"))
    return found


def _multipart_cases(valid: dict) -> list[tuple[str, bytes, str]]:
    """Spoiled text fields of a multipart body (its files kept), as raw bytes: a lone
    surrogate travels as the bytes UTF-8 would give it (``ED A0 80``), which no decoder
    accepts."""
    spoilers = (
        ("null character", b"\x00"),
        ("overlong string", b"x" * 200_000),
        ("lone surrogate", b"\xed\xa0\x80"),
        ("invalid utf-8", b"\xff\xfe"),
    )
    texts = [key for key, value in valid.items() if isinstance(value, str)]
    placeholder = "SPOILED-FIELD-VALUE"
    cases = []
    for name, spoiled in spoilers:
        data = {}
        for key, value in valid.items():
            if hasattr(value, "seek"):
                value.seek(0)
            data[key] = placeholder if key in texts else value
        body = encode_multipart(BOUNDARY, data).replace(placeholder.encode(), spoiled)
        cases.append((name, body, MULTIPART_CONTENT))
    return cases


# Per field of the request body (as the schema declares it), merged into the valid body:
# values past what the column or the date arithmetic holds. Numbers no column holds are
# refused; dates at the ends of the calendar are valid dates, that a route may take, but
# nothing computed from them (a reminder 30 days before) may crash.
FIELD_VALUES = {
    "integer": [2**64],
    "number": [1e308],
    "date": ["9999-12-31", "0001-01-01"],
    # Valid ISO 8601, but UTC of these is out of Python's range.
    "date-time": ["9999-12-31T23:59:59-23:59"],
}


def _resolved(schema: dict) -> dict:
    components = _schema_components()
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


@memoized
def _schema_components() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]


def _kind(schema: dict) -> str | None:
    schema = _resolved(schema)
    if schema.get("format") in ("date", "date-time"):
        return schema["format"]
    return schema.get("type") if schema.get("type") in ("integer", "number") else None


# Kinds whose extreme values are still valid: a route may take them (a 2xx).
MAY_BE_TAKEN = {"date", "date-time"}


def _field_cases(key: tuple[str, str], valid) -> list[tuple[str, bytes, str, bool]]:
    """``(name, body, Content-Type, may be taken)`` for each number and date field."""
    method, route = key
    operation = _schema_operations().get(API_PREFIX + route, {}).get(method.lower(), {})
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" not in content:
        return []
    base = valid if isinstance(valid, dict) else {}
    properties = _resolved(content["application/json"]["schema"]).get("properties", {})
    cases = []
    for name, schema in properties.items():
        schema = _resolved(schema)
        if schema.get("readOnly"):
            continue
        many = schema.get("type") == "array"
        kind = _kind(schema.get("items", {}) if many else schema)
        for value in FIELD_VALUES.get(kind, []):
            body = {**base, name: [value] if many else value}
            cases.append(
                (f"{name}={value!r}", _json_bytes(body), "application/json", kind in MAY_BE_TAKEN)
            )
    return cases


def _valid_body(app: str, key: tuple[str, str], world):
    make = getattr(MATRICES[app], "BODIES", {}).get(key)
    return make(world.objects) if make else None


# --- Checks --------------------------------------------------------------------------------


def _error_format_problem(response) -> str | None:
    if response.get("Content-Type") != "application/json":
        return f"answered {response.get('Content-Type')!r}, not JSON"
    try:
        body = json.loads(response.content)
    except ValueError:
        return "answered a body that is not JSON"
    error = body.get("error") if isinstance(body, dict) else None
    if not (
        isinstance(error, dict)
        and set(body) == {"error"}
        and set(error) == {"status", "code", "message", "fields"}
        and error["status"] == response.status_code
        and isinstance(error["code"], str)
        and isinstance(error["message"], str)
        and error["message"]
        and isinstance(error["fields"], dict)
    ):
        return f"answered outside the error format: {response.content[:200]!r}"
    return None


def _ask(client: APIClient, method: str, url: str, send) -> tuple[object, list[str]]:
    """Send one request in a savepoint rolled back afterwards; returns the answer and the
    project tables it wrote to."""
    with transaction.atomic():
        cache.clear()  # throttles: the table is many requests from one person
        with CaptureQueriesContext(connection) as queries:
            response = send(client, method, url)
        written = writes_to_project_tables(queries)
        transaction.set_rollback(True)
    return response, written


def _raw(body: bytes, content_type: str):
    def send(client, method, url):
        return client.generic(method, url, body, content_type=content_type)

    return send


def _valid(data, format: str):
    def send(client, method, url):
        if data is None:
            return getattr(client, method.lower())(url)
        for value in data.values():
            if hasattr(value, "seek"):
                value.seek(0)  # a file another request of the table has read
        return getattr(client, method.lower())(url, data, format=format)

    return send


@pytest.mark.parametrize("key", WRITABLE, ids=[f"{method} {route}" for method, route in WRITABLE])
def test_malformed_bodies_are_refused_in_the_error_format_and_change_nothing(key, request):
    method, route = key
    app = _app_of(key)
    assert app, f"{method} {API_PREFIX}{route}: no authorization case, so no role to ask it as"
    role = _reaching_role(app, key)
    assert role, f"{method} {API_PREFIX}{route}: no role of its matrix reaches it (a 2xx)"
    module = MATRICES[app]
    assert hasattr(module, "world") or hasattr(module, "make_world"), (
        f"tests/{app}/test_authorization.py: no world or make_world fixture to ask it in"
    )
    world = _world(app, key, request)
    url = world.url(route)
    user = None if role == "anonymous" else request.getfixturevalue(role)
    client = client_as(user)
    client.raise_request_exception = False  # a crash is a 500 in the table, not a stop
    valid = _valid_body(app, key, world)
    multipart = getattr(module, "FORMATS", {}).get(key) == "multipart"

    # (name, how to send it, whether a 2xx is allowed: the value is valid, if extreme)
    sends = [(name, _raw(body, ct), False) for name, body, ct in ROUTE_CASES]
    if multipart:
        sends += [(name, _raw(body, ct), False) for name, body, ct in _multipart_cases(valid)]
    else:
        sends += [(name, _raw(body, ct), False) for name, body, ct in _mutated_cases(valid)]
        sends += [(name, _raw(body, ct), ok) for name, body, ct, ok in _field_cases(key, valid)]

    # The control: the route's valid request, from the same person in the same world, is
    # answered 2xx; the refusals below are the body's, not a wrong address or role.
    control, _written = _ask(
        client, method, url, _valid(valid, "multipart" if multipart else "json")
    )
    assert 200 <= control.status_code < 300, (
        f"{method} {url} as {role}: the valid request answered {control.status_code}"
    )

    may_ignore_a_body = not _declares_a_body(key)
    # An empty body says nothing: refused, but by a partial update (a PATCH that changes
    # nothing) and where the route says why it takes one.
    if not may_ignore_a_body and method != "PATCH" and key not in EMPTY_BODY_ACCEPTED:
        sends += [
            ("empty object", _raw(b"{}", "application/json"), False),
            ("no body", _raw(b"", ""), False),
        ]
    problems = []
    for name, send, may_be_taken in sends:
        response, written = _ask(client, method, url, send)
        status = response.status_code
        if 200 <= status < 300 and (may_ignore_a_body or may_be_taken):
            continue  # takes no body, reads none; or a date at the end of the calendar
        if not 400 <= status < 500:
            problems.append(f"{name}: answered {status}")
            continue
        if problem := _error_format_problem(response):
            problems.append(f"{name}: {problem}")
        if written:
            problems.append(f"{name}: refused with {status} but wrote to {written}")
    assert not problems, f"{method} {url} as {role}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize(
    ("name", "body", "content_type"), PARSER_CASES, ids=[case[0] for case in PARSER_CASES]
)
def test_what_the_parser_refuses_is_a_4xx_in_the_error_format(
    client_for, young_person, name, body, content_type
):
    """Asked of one route: the parser (and DRF's content negotiation) decides these alone,
    the same for every route that parses JSON."""
    client = client_for(young_person)
    client.raise_request_exception = False

    def send(client, method, url):
        return client.generic(method, url, body, content_type=content_type)

    response, written = _ask(client, "PATCH", "/api/v1/me/", send)
    assert 400 <= response.status_code < 500, response.content[:200]
    assert _error_format_problem(response) is None, _error_format_problem(response)
    assert not written


# --- Query parameters -----------------------------------------------------------------------

# As a client sends them, percent-encoded: a null character, the UTF-8 bytes of a lone
# surrogate (no decoder accepts them) and, for a number, one no column holds.
QUERY_VALUES = {"null character": "%00", "lone surrogate": "%ED%A0%80"}
QUERY_NUMBER = {"huge number": "9" * 30}
READS = sorted(key for key in served() if key[0] == "GET")


def _query_parameters(route: str) -> dict[str, dict]:
    """The query parameters the schema declares for ``GET route``: name -> values."""
    operation = _schema_operations().get(API_PREFIX + route, {}).get("get", {})
    return {
        param["name"]: {
            **QUERY_VALUES,
            **(QUERY_NUMBER if _kind(param.get("schema", {})) in ("integer", "number") else {}),
        }
        for param in operation.get("parameters", [])
        if param["in"] == "query"
    }


@pytest.mark.parametrize(
    "key",
    [key for key in READS if _query_parameters(key[1])],
    ids=lambda key: f"{key[0]} {key[1]}",
)
def test_malformed_query_parameters_never_reach_a_500(key, request):
    """Every query parameter the schema declares, spoiled: refused in the error format, or
    ignored; never a 5xx."""
    method, route = key
    app = _app_of(key)
    role = _reaching_role(app, key)
    assert role, f"{method} {API_PREFIX}{route}: no role of its matrix reaches it (a 2xx)"
    world = _world(app, key, request)
    client = client_as(None if role == "anonymous" else request.getfixturevalue(role))
    client.raise_request_exception = False
    problems = []
    for parameter, values in _query_parameters(route).items():
        for name, value in values.items():
            url = world.url(route)
            url += ("&" if "?" in url else "?") + f"{parameter}={value}"
            cache.clear()
            response = client.get(url)
            if response.status_code >= 500:
                problems.append(f"{parameter}: {name}: answered {response.status_code}")
            elif response.status_code >= 400 and (problem := _error_format_problem(response)):
                problems.append(f"{parameter}: {name}: {problem}")
    assert not problems, f"GET {world.url(route)} as {role}:\n  " + "\n  ".join(problems)


# --- Addresses that resolve to no view ----------------------------------------------------------

OUT_OF_RANGE = "9223372036854775808"  # 2**63: past the database's bigint


def _signed_in_with_a_session_cookie(user) -> APIClient:
    """A browser's client: the session cookie, and CSRF checks as a browser meets them."""
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    client.raise_request_exception = False
    return client


def _assert_json_404(response, what: str) -> None:
    assert response.status_code == 404, f"{what}: answered {response.status_code}"
    assert _error_format_problem(response) is None, f"{what}: {_error_format_problem(response)}"
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("method", ["GET", *WRITES])
@pytest.mark.parametrize(
    "path", ["/api/v1/nothing-here/", "/api/v1/me/nothing-here/", "/api/nothing", "/api/v2/me/"]
)
def test_an_unknown_api_path_is_a_json_404_for_every_method_even_with_a_session(
    method, path, young_person
):
    """Not Django's HTML CSRF page: the session cookie does not turn a 404 into a 403."""
    client = _signed_in_with_a_session_cookie(young_person)
    response = client.generic(method, path, b"{}", content_type="application/json")
    _assert_json_404(response, f"{method} {path}")


def test_an_out_of_range_id_is_a_json_404_on_every_route_and_method(young_person):
    """Every route with a parameter, every method it serves, with ids past the database's
    range: a 404 in the error format (not a 500, nor a CSRF refusal)."""
    client = _signed_in_with_a_session_cookie(young_person)
    routes = {}
    for method, route in served():
        if "{" in route:
            routes.setdefault(route, set()).add(method)
    assert routes, "no route with a parameter: the walker is broken"
    problems = []
    for route, methods in sorted(routes.items()):
        names = [part.split("}")[0] for part in route.split("{")[1:]]
        url = API_PREFIX + route.format(**dict.fromkeys(names, OUT_OF_RANGE))
        for method in sorted(methods):
            response = client.generic(method, url, b"{}", content_type="application/json")
            try:
                _assert_json_404(response, f"{method} {url}")
            except AssertionError as error:
                problems.append(str(error))
    assert not problems, "\n".join(problems)


def test_a_body_larger_than_the_upload_limit_is_refused_with_413(
    client_for, young_person, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = json.dumps({"first_name": "x" * 20_000}).encode()
    response = client_for(young_person).generic(
        "PATCH", "/api/v1/me/", body, content_type="application/json"
    )
    assert response.status_code == 413
    assert _error_format_problem(response) is None
    assert response.json()["error"]["code"] == "request_too_large"
    young_person.refresh_from_db()
    assert young_person.first_name == "Aminata"


# --- What the refusals say --------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        '{"first_name": ' + "[" * DEEP + "]" * DEEP + "}",
        '{"first_name": "\\ud800"}',
        '{"first_name": "Cam\\udfffille"}',
        '{"first_name": "Cam\\u0000ille"}',
        '{"\\ud800": "Camille"}',
    ],
    ids=["deep", "lone high surrogate", "lone low surrogate", "null character", "in a key"],
)
def test_what_json_cannot_store_is_a_400_parse_error(client_for, young_person, body):
    response = client_for(young_person).generic(
        "PATCH", "/api/v1/me/", body.encode(), content_type="application/json"
    )
    assert response.status_code == 400
    assert _error_format_problem(response) is None
    assert response.json()["error"]["code"] == "parse_error"
    assert response.json()["error"]["message"].startswith("Erreur d'analyse JSON : ")
    young_person.refresh_from_db()
    assert young_person.first_name == "Aminata"


def test_a_surrogate_pair_is_an_ordinary_character(client_for, young_person):
    """``"\\ud83d\\ude00"`` is how JSON writes an emoji: a pair, not a lone surrogate."""
    body = b'{"first_name": "Camille \\ud83d\\ude00"}'
    response = client_for(young_person).generic(
        "PATCH", "/api/v1/me/", body, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    young_person.refresh_from_db()
    assert young_person.first_name == "Camille \U0001f600"


def test_nesting_up_to_the_bound_is_parsed(client_for, young_person):
    """The bound refuses attacks, not bodies: at the bound, the serializer answers."""
    nested = "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)
    response = client_for(young_person).generic(
        "PATCH", "/api/v1/me/", f'{{"first_name": {nested}}}'.encode(), "application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"  # the serializer's, not the parser's


def test_the_parser_bounds_a_body_it_reads_itself(settings):
    """When nothing read the body before it (a direct stream), the parser still stops at
    ``DATA_UPLOAD_MAX_MEMORY_SIZE``: it never reads more than one byte past it."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    stream = io.BytesIO(b'{"a": "' + b"x" * 10_000 + b'"}')
    with pytest.raises(RequestDataTooBig):
        JSONParser().parse(stream, "application/json", {"encoding": "utf-8"})
    assert stream.tell() == 101
    assert JSONParser().parse(io.BytesIO(b'{"a": 1}'), "application/json", {}) == {"a": 1}
