"""Recording a deadline as met takes the filing time as given, never a preset "now"."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from incidents.models import Deadline

pytestmark = pytest.mark.django_db


@pytest.fixture
def deadline(incident):
    return Deadline.objects.create(
        incident=incident,
        rule_id="contract:1",
        regime="Contract",
        recipient="Partner",
        citation="Contract with Partner",
        confidence="A",
        standard="48 hours",
        trigger="aware_at",
        starts_at=incident.discovered_at,
        due_at=incident.discovered_at + timedelta(hours=48),
    )


def _url(deadline, name):
    return reverse(
        name, kwargs={"reference": deadline.incident.reference, "deadline_id": deadline.pk}
    )


def test_the_met_form_starts_without_a_filing_time(client, legal, deadline):
    client.force_login(legal)

    html = client.get(_url(deadline, "incidents:deadline")).content.decode()

    filed_at = re.search(r'<input[^>]*name="filed_at"[^>]*>', html).group(0)
    assert "value=" not in filed_at


def test_recording_met_without_a_filing_time_is_refused(client, legal, deadline):
    client.force_login(legal)

    response = client.post(_url(deadline, "incidents:deadline-met"), {"reference": "DPC-42"})

    assert response.status_code == 422
    assert response.context["met_form"].errors["filed_at"]
    deadline.refresh_from_db()
    assert deadline.status == Deadline.Status.PENDING
