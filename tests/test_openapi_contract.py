"""The published OpenAPI contract matches every answer of the API.

A property-based run (schemathesis) over every operation of ``/api/schema/``, as each
role of DESIGN.md: anonymous, young person, mentor and departement staff, signed in with
real allauth session tokens. Every answer must have a declared status, a declared
content type and a body that validates against the declared schema; no answer is a 5xx.
A second pass calls each operation with the ids of real objects (a match, a meeting,
an entry...), which random ids would almost never hit.

Bounded so that CI stays quick and deterministic: a few examples per operation,
derandomized, no shrinking. Each role is one test in its own transaction.
"""

import itertools
from contextlib import contextmanager
from datetime import timedelta

import pytest
import schemathesis
from django.core import signals
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import DepartementContact
from backend.wsgi import application
from services_catalog import services as catalog_services
from services_catalog.models import Entry
from tests.conftest import login_token
from tests.mentoring.factories import mentoring_match
from tests.vault import samples

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
ROLES = ["anonymous", "young_person", "mentor", "staff"]

BOUNDED = hypothesis_settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(scope="session")
def _schema_document(django_db_blocker):
    """The schema as the app publishes it, fetched once (it does not depend on the data)."""
    with django_db_blocker.unblock():
        return APIClient().get("/api/schema/", HTTP_ACCEPT="application/json").json()


@pytest.fixture(autouse=True)
def _cache_in_memory(settings):
    # Throttles count every request in the cache: in memory, the run is I/O-free.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture
def contract(_schema_document):
    schema = schemathesis.openapi.from_dict(_schema_document)
    schema.app = application  # requests go to the WSGI application, in this process
    return schema


@contextmanager
def _connection_kept_open():
    """As Django's test client does, keep the connection open between requests.

    Django closes it at the end of each request, which would end the test's transaction
    (on PostgreSQL; SQLite's in-memory database is never closed).
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def world(young_person, mentor, coordinator_93, staff_93):
    """One of everything, made through the API where the app does it, for each role to see."""
    _request, match = mentoring_match(
        young_person=young_person, mentor=mentor, coordinator=coordinator_93
    )
    # An entry with every optional contact empty (the schema promises an e-mail, a URI).
    DepartementContact.objects.create(departement_id="93", kind="ase_service", name="ASE 93")
    entry = catalog_services.entry_create(
        title="Aide au logement",
        kind=Entry.Kind.RIGHT,
        summary="Résumé.",
        body="Description détaillée pour les jeunes.",
        scope=Entry.Scope.NATIONAL,
        publish=True,
    )

    clients = {}
    tokens = {"anonymous": None}
    for role, user in (("young_person", young_person), ("mentor", mentor), ("staff", staff_93)):
        client = APIClient()
        tokens[role] = login_token(client, user.email)
        client.credentials(HTTP_X_SESSION_TOKEN=tokens[role])
        clients[role] = client
    yp, mc = clients["young_person"], clients["mentor"]

    def ok(response):
        assert response.status_code < 300, response.content
        return response.json() if response.content else None

    start = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    meeting = ok(
        yp.post(
            f"/api/v1/mentoring/matches/{match.pk}/meetings/",
            {"starts_at": start.isoformat(), "duration_minutes": 60, "place": "Mairie"},
            format="json",
        )
    )
    ok(
        mc.post(
            f"/api/v1/mentoring/matches/{match.pk}/messages/", {"body": "Bonjour"}, format="json"
        )
    )
    demarche = ok(yp.post("/api/v1/me/demarches/", {"entry": entry.pk}, format="json"))
    appointment = ok(
        yp.post(
            "/api/v1/me/appointments/",
            {"title": "CAF", "starts_at": start.isoformat()},
            format="json",
        )
    )
    device = ok(
        yp.post("/api/v1/me/devices/", {"platform": "android", "token": "tok-1"}, format="json")
    )
    document = ok(
        yp.post(
            "/api/v1/vault/documents/",
            {
                "document_type": "other",
                "file": SimpleUploadedFile("releve.pdf", samples.pdf(), "application/pdf"),
            },
            format="multipart",
        )
    )
    share = ok(
        yp.post(
            f"/api/v1/vault/documents/{document['id']}/shares/",
            {"kind": "mentor"},
            format="json",
        )
    )
    # Links for a professional: one behind a code, one withdrawn by its owner.
    coded = ok(
        yp.post(
            f"/api/v1/vault/documents/{document['id']}/shares/",
            {"kind": "link", "with_code": True},
            format="json",
        )
    )
    withdrawn = ok(
        yp.post(
            f"/api/v1/vault/documents/{document['id']}/shares/", {"kind": "link"}, format="json"
        )
    )
    ok(yp.delete(f"/api/v1/vault/documents/{document['id']}/shares/{withdrawn['id']}/"))
    ids = {
        "token": [coded["token"], withdrawn["token"]],
        "entry_id": entry.pk,
        "match_id": match.pk,
        "meeting_id": meeting["id"],
        "demarche_id": demarche["id"],
        "appointment_id": appointment["id"],
        "device_id": device["id"],
        "document_id": document["id"],
        "share_id": share["id"],
        "code": "93",
    }
    return {"tokens": tokens, "ids": ids}


def _headers(world, role):
    token = world["tokens"][role]
    return {"X-Session-Token": token} if token else {}


# Reads first, then writes, deletions last: a deletion does not hide what the reads see.
METHOD_ORDER = {"GET": 0, "POST": 1, "PUT": 2, "PATCH": 3, "DELETE": 4}


def _operations(schema):
    operations = [result.ok() for result in schema.get_all_operations()]
    return sorted(operations, key=lambda op: (METHOD_ORDER[op.method.upper()], op.path))


def _check_operation(operation, headers, **fixed):
    """Run a bounded property-based test of one operation; return its failure, or None."""

    @BOUNDED
    @given(case=operation.as_strategy(**fixed))
    def check(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    try:
        check()
    except FailureGroup as group:
        return _summary(group)
    return None


def _summary(group: FailureGroup) -> str:
    """What failed and how to reproduce it, without the schema dumps."""
    lines = []
    for failure in group.exceptions:
        first_line = failure.message.splitlines()[0] if failure.message else ""
        lines.append(f"  - {failure.title}: {first_line}")
    lines += [
        f"    {line.strip()}"
        for line in str(group.message).splitlines()
        if line.startswith("[") or line.strip().startswith("curl ")
    ]
    return "\n".join(lines)


def _check_contract(schema, world, role):
    """Every operation as ``role``; all the failures reported at once."""
    headers = _headers(world, role)
    with _connection_kept_open():
        failures = [
            failure
            for operation in _operations(schema)
            for failure in _check_runs(operation, world, headers)
        ]
    assert not failures, f"{len(failures)} operations break the contract as {role}:\n\n" + (
        "\n\n".join(failures)
    )


def _check_runs(operation, world, headers):
    """Generated requests, then again with the ids of the world's objects in the path.

    An id given as a list (the share tokens) makes one run for each of its values.
    """
    known = {p.name: world["ids"].get(p.name) for p in operation.path_parameters}
    known = {name: value for name, value in known.items() if value is not None}
    runs = [{}]
    if known:
        choices = [value if isinstance(value, list) else [value] for value in known.values()]
        runs += [
            {"path_parameters": dict(zip(known, values, strict=True))}
            for values in itertools.product(*choices)
        ]
    for fixed in runs:
        failure = _check_operation(operation, headers, **fixed)
        if failure is not None:
            yield f"{operation.label} {fixed or ''}\n{failure}"


@pytest.mark.parametrize("role", ROLES)
def test_every_answer_matches_the_contract(contract, world, role):
    _check_contract(contract, world, role)
