"""The OpenAPI schema run against the app (schemathesis): no 500, and every answer is one the
schema describes (status code, content type, body).

Every operation of ``/api/v1/schema/`` gets ``MAX_EXAMPLES`` generated
requests of valid data and as many of invalid data (which must get a
documented 4xx, never a 500) from the demo incident's commander (a token that may write), with
path parameters pinned to real records so that generated bodies reach the
forms and services rather than a 404. Bounded to about two minutes
(``MAX_EXAMPLES``, no shrinking, no example database).
"""

import itertools
import re

import pytest
import schemathesis
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = [pytest.mark.django_db, pytest.mark.schemathesis]

# 28 operations, valid (positive) and invalid (negative) data, 15 examples each:
# about 840 requests, some 70 s on one core.
MAX_EXAMPLES = 15
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _pinned(path: str, seeded) -> dict:
    """Real values for the operation's path parameters (the demo's incident and inventory)."""
    from vendors.models import DataAsset

    ids = seeded.ids
    slug = ids["vendor_slug"]
    if path.startswith("/api/v1/data-assets/"):
        slug = DataAsset.objects.get(pk=ids["asset_id"]).slug
    elif path.startswith("/api/v1/stakeholders/"):
        slug = ids["stakeholder_slug"]
    values = {
        "reference": ids["reference"],
        "deadline_id": ids["deadline_id"],
        "notification_id": ids["notification_id"],
        "slug": slug,
        "id": ids["engagement_id"],
    }
    return {name: values[name] for name in re.findall(r"{(\w+)}", path)}


@pytest.fixture
def wsgi_app():
    """The project's WSGI app, keeping the test's database connection between requests.

    Django's handler closes the connection when a request finishes (as a
    server should); the test client turns that off, and so does this. The
    handler is made directly: ``get_wsgi_application()`` runs ``django.setup()``
    again, which configures logging a second time (a second beat log filter).
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_every_operation_answers_as_the_schema_says(seeded_api, wsgi_app):
    from breachdesk.models import User
    from tests.api.conftest import token_for

    auth = {"Authorization": f"Bearer {token_for(User.objects.get(username='commander'))}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", wsgi_app, headers=auth)
    failures = []

    for result, mode in itertools.product(schema.get_all_operations(), GenerationMode):
        operation = result.ok()
        strategy = operation.as_strategy(
            generation_mode=mode, path_parameters=_pinned(operation.path, seeded_api)
        )

        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def call(case):
            # The throttle counts at a frozen clock: start each request at zero.
            cache.clear()
            # A made-up Host is refused by ALLOWED_HOSTS before any API code runs,
            # with Django's own page: the deployment's concern, not the schema's.
            for name in [name for name in case.headers or {} if name.lower() == "host"]:
                del case.headers[name]
            case.call_and_validate(headers=auth, checks=CHECKS)

        try:
            call()
        except (Exception, BaseExceptionGroup) as exc:  # every operation's failure is reported
            failures.append(f"{operation.label} ({mode.value}): {exc}")

    assert failures == [], "\n\n".join(failures)
