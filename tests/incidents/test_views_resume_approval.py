"""Approving a resume through the page: the reason is validated, not dropped."""

import pytest
from django.urls import reverse

from incidents.services.triage import MAX_REASON_LENGTH

pytestmark = pytest.mark.django_db


def test_a_reason_too_long_is_refused_for_its_length_and_the_resume_is_not_approved(
    client, scripted
):
    pause = scripted.incident.pauses.get(pk=scripted.ids["pause_id"])
    client.force_login(scripted.personas["legal"])
    url = reverse("incidents:pause-approve-resume", args=[scripted.incident.reference, pause.pk])

    response = client.post(
        url, {"reason": "x" * (MAX_REASON_LENGTH + 1)}, headers={"HX-Request": "true"}
    )

    pause.refresh_from_db()
    assert response.status_code == 422
    assert pause.legal_approved_by_id is None
    # Django's max_length message, not the service's "say why" for a reason it never got.
    assert f"(it has {MAX_REASON_LENGTH + 1})" in response.text
