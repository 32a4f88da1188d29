"""What every endpoint of the API shares: error format, languages, schema, throttling."""

import json
from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from rest_framework.throttling import SimpleRateThrottle

from backend.api.exceptions import csrf_failure
from services_catalog import services as catalog_services
from services_catalog.models import Entry

pytestmark = pytest.mark.django_db


def test_unknown_api_path_is_404_in_the_error_format(api_client):
    response = api_client.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json() == {
        "error": {"status": 404, "code": "not_found", "message": "Non trouvé.", "fields": {}}
    }


def test_method_not_allowed_is_405_in_the_error_format(client_for, young_person):
    response = client_for(young_person).put("/api/v1/me/export/", {}, format="json")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_unsupported_media_type_is_415(client_for, young_person):
    response = client_for(young_person).generic(
        "PATCH", "/api/v1/me/", "first_name=Zed", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


def test_english_on_request(api_client):
    response = api_client.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["error"]["message"] == "Authentication credentials were not provided."
    assert response["Content-Language"] == "en"


def test_french_by_default(api_client):
    response = api_client.get("/api/v1/me/")
    assert response["Content-Language"] == "fr"
    assert "authentification" in response.json()["error"]["message"].lower()


def test_throttling_answers_429_in_the_error_format(api_client, monkeypatch):
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/minute", "user": "3/minute"}
    )
    statuses = [api_client.get("/api/v1/departements/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = api_client.get("/api/v1/departements/")
    assert response["Retry-After"]
    assert response.json()["error"]["code"] == "throttled"


def test_a_rate_of_zero_refuses_every_request_and_says_to_wait_the_window(api_client, monkeypatch):
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": "0/minute", "user": "0/minute"}
    )
    response = api_client.get("/api/v1/departements/")
    assert response.status_code == 429
    assert response["Retry-After"] == "60"


def test_throttled_requests_leave_the_window_one_by_one(api_client, monkeypatch):
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": "2/minute", "user": "2/minute"}
    )
    with time_machine.travel(datetime(2026, 12, 3, 10, 0, 0, tzinfo=UTC), tick=False) as now:
        assert api_client.get("/api/v1/departements/").status_code == 200
        now.shift(20)
        assert api_client.get("/api/v1/departements/").status_code == 200
        now.shift(20)
        refused = api_client.get("/api/v1/departements/")
        assert refused.status_code == 429
        assert refused["Retry-After"] == "20"  # when the first leaves the minute
        now.shift(21)
        assert api_client.get("/api/v1/departements/").status_code == 200
        assert api_client.get("/api/v1/departements/").status_code == 429


def test_openapi_schema_describes_the_api(api_client):
    response = api_client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/me/", "/api/v1/me/export/", "/api/v1/departements/"} <= set(schema["paths"])
    assert "Error" in schema["components"]["schemas"]


def test_docs_ui_is_served_without_a_cdn(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger" in html.lower()
    assert "cdn." not in html and "jsdelivr" not in html


def test_forged_forwarded_for_does_not_escape_the_throttle(api_client, monkeypatch):
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/minute", "user": "3/minute"}
    )
    statuses = [
        api_client.get("/api/v1/departements/", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code
        for n in range(5)
    ]
    assert statuses[-1] == 429


def test_unknown_api_path_is_json_even_in_debug_and_without_slash(client, settings, young_person):
    settings.DEBUG = True
    for path in ("/api/v1/nothing-here/", "/api/v1/me"):
        response = client.patch(path, "{}", content_type="application/json")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


def test_schema_generates_without_warnings():
    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert "/api/v1/catalogue/entries/{entry_id}/" in schema["paths"]
    assert not GENERATOR_STATS._warn_cache and not GENERATOR_STATS._error_cache


def test_a_write_with_a_session_cookie_and_no_csrf_token_is_403_in_the_error_format(
    young_person,
):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(young_person)
    response = browser.post("/api/v1/me/notifications/read/", {}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["error"]["status"] == 403


def test_a_write_to_an_unknown_api_path_is_404_not_a_csrf_refusal(young_person):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(young_person)
    response = browser.post("/api/v1/nothing-here/", {}, content_type="application/json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_any_csrf_refusal_under_the_api_is_in_the_error_format(rf):
    response = csrf_failure(rf.post("/api/v1/me/"), reason="CSRF cookie not set.")
    assert response.status_code == 403
    assert json.loads(response.content)["error"]["code"] == "csrf_failed"


def test_a_csrf_refusal_outside_the_api_stays_djangos_page(young_person):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(young_person)
    response = browser.post("/accounts/logout/")
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")


def test_every_operation_declares_the_errors_of_the_conventions(api_client):
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    error = {"$ref": "#/components/schemas/Error"}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            expected = {"429"}
            if "{" in path:
                expected.add("404")
            if "requestBody" in operation:
                expected |= {"400", "413", "415"}
            if {} not in operation.get("security", [{}]):  # sign-in required
                expected |= {"401", "403"}
            assert expected <= set(responses), (method, path, expected - set(responses))
            for code in expected:
                assert responses[code]["content"]["application/json"]["schema"] == error


def test_lists_are_described_as_the_pages_they_answer(api_client):
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for path in ("/api/v1/me/rights/", "/api/v1/me/demarches/", "/api/v1/catalogue/entries/"):
        answer = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
        page = schema["components"]["schemas"][answer["schema"]["$ref"].split("/")[-1]]
        assert {"count", "next", "previous", "results"} <= set(page["properties"]), path


def test_an_optional_email_or_link_is_null_not_an_empty_string(api_client):
    entry = catalog_services.entry_create(
        title="Aide au logement",
        kind=Entry.Kind.RIGHT,
        summary="Résumé.",
        body="Description.",
        scope=Entry.Scope.NATIONAL,
        publish=True,
    )
    detail = api_client.get(f"/api/v1/catalogue/entries/{entry.pk}/").json()
    assert (detail["courriel"], detail["lien_mobilisation"], detail["source_url"]) == (
        None,
        None,
        None,
    )
    entry.courriel = "contact@caf.fr"
    entry.save()
    assert api_client.get(f"/api/v1/catalogue/entries/{entry.pk}/").json()["courriel"] == (
        "contact@caf.fr"
    )
