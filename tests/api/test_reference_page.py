"""The schema and its reference page: served from our own files, under the strict CSP."""

import re

import pytest
import yaml

from tests.api.conftest import api_as

pytestmark = pytest.mark.django_db


def test_the_schema_is_openapi_3_and_lists_the_resources(responder):
    response = api_as(responder).get("/api/v1/schema/")

    schema = yaml.safe_load(response.content)
    assert response.status_code == 200
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/incidents/{reference}/timeline/" in schema["paths"]
    assert schema["components"]["securitySchemes"]["apiToken"]["scheme"] == "bearer"


def test_the_reference_page_loads_only_our_own_scripts_and_styles(client, responder):
    client.force_login(responder)

    page = client.get("/api/v1/docs/")

    html = page.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    csp = page["Content-Security-Policy"]
    assert page.status_code == 200
    assert sources and all(source.startswith("/") for source in sources)
    assert "<style" not in html and "<script>" not in html
    assert "unsafe-inline" not in csp and "script-src 'self'" in csp
    bundle = next(source for source in sources if source.endswith("swagger-ui-bundle.js"))
    assert client.get(bundle).status_code == 200


def test_the_reference_pages_script_is_a_file_of_its_own(client, responder):
    client.force_login(responder)

    script = client.get("/api/v1/docs/?script=")

    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/v1/schema/" in script.content.decode()


def test_the_schema_is_also_served_as_json(responder):
    response = api_as(responder).get("/api/v1/schema/", {"format": "json"})

    assert response.status_code == 200
    assert response.json()["info"]["title"] == "BreachDesk API"
