"""Legal hold: Legal places and lifts it with a reason; while on, nothing can be deleted and
every page of the incident says so."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from incidents import services
from incidents.models import Evidence, Incident, TimelineEntry
from incidents.services.legal_hold import HOLD_REASON_EMPTY, ON_LEGAL_HOLD

pytestmark = pytest.mark.django_db

BANNER = "is on legal hold: nothing of it can be deleted"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def held(incident, legal):
    return services.incident_place_legal_hold(
        incident=incident, actor=legal, reason="Litigation hold: Helix v. Us."
    )


def _pdf(name="notice.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")


def test_legal_places_the_hold_with_its_reason_on_the_timeline(held):
    entry = held.timeline.order_by("-seq").first()

    assert Incident.objects.get(pk=held.pk).legal_hold
    assert (entry.kind, entry.data) == (
        TimelineEntry.Kind.LEGAL_HOLD_PLACED,
        {"reason": "Litigation hold: Helix v. Us."},
    )


def test_legal_lifts_the_hold_with_its_reason_on_the_timeline(held, legal):
    services.incident_lift_legal_hold(incident=held, actor=legal, reason="Matter settled.")

    entry = held.timeline.order_by("-seq").first()
    assert not Incident.objects.get(pk=held.pk).legal_hold
    assert (entry.kind, entry.data["reason"]) == (
        TimelineEntry.Kind.LEGAL_HOLD_LIFTED,
        "Matter settled.",
    )


@pytest.mark.parametrize("person", ["commander", "responder", "viewer"])
def test_only_legal_places_a_hold(incident, request, person):
    with pytest.raises(PermissionDenied):
        services.incident_place_legal_hold(
            incident=incident, actor=request.getfixturevalue(person), reason="Because."
        )

    assert not Incident.objects.get(pk=incident.pk).legal_hold


def test_a_hold_needs_a_reason(incident, legal):
    before = incident.timeline.count()

    with pytest.raises(ValidationError) as refused:
        services.incident_place_legal_hold(incident=incident, actor=legal, reason="   ")

    assert refused.value.message_dict["reason"] == [HOLD_REASON_EMPTY]
    assert incident.timeline.count() == before


def test_evidence_cannot_be_deleted_while_on_hold(incident, responder, legal, settings):
    item = services.evidence_add(incident=incident, actor=responder, upload=_pdf())
    services.incident_place_legal_hold(incident=incident, actor=legal, reason="Claim expected.")
    before = incident.timeline.count()

    with pytest.raises(ValidationError) as refused:
        services.evidence_delete(evidence=item, actor=responder, reason="Duplicate.")

    assert refused.value.messages == [ON_LEGAL_HOLD.format(reference=incident.reference)]
    assert Evidence.objects.filter(pk=item.pk).exists()
    assert (settings.MEDIA_ROOT / item.file.name).exists()
    assert incident.timeline.count() == before


def test_the_delete_form_says_why_it_is_refused_on_hold(client, incident, responder, legal):
    item = services.evidence_add(incident=incident, actor=responder, upload=_pdf())
    services.incident_place_legal_hold(incident=incident, actor=legal, reason="Claim expected.")
    client.force_login(responder)

    response = client.post(
        reverse(
            "incidents:evidence-delete",
            kwargs={"reference": incident.reference, "evidence_id": item.pk},
        ),
        {"reason": "Duplicate."},
    )

    assert response.status_code == 422
    assert BANNER in response.content.decode()
    assert Evidence.objects.filter(pk=item.pk).exists()


def test_an_incident_on_hold_cannot_be_deleted(held):
    with pytest.raises(Exception, match="protected"):
        held.delete()


@pytest.mark.parametrize(
    "page",
    [
        "incidents:detail",
        "incidents:timeline",
        "incidents:timeline-verify",
        "incidents:timeline-export-json",
        "incidents:timeline-export-csv",
        "incidents:timeline-export-pdf",
        "incidents:evidence",
        "incidents:scope",
    ],
)
def test_every_page_of_an_incident_on_hold_says_so(client, held, viewer, page):
    client.force_login(viewer)

    response = client.get(reverse(page, kwargs={"reference": held.reference}))

    assert response.status_code == 200
    assert BANNER in response.content.decode()


def test_a_page_of_an_incident_not_on_hold_says_nothing_of_it(client, incident, viewer):
    client.force_login(viewer)

    response = client.get(reverse("incidents:timeline", kwargs={"reference": incident.reference}))

    assert BANNER not in response.content.decode()


def test_legal_places_the_hold_from_the_timeline_page(client, incident, legal):
    client.force_login(legal)

    response = client.post(
        reverse("incidents:legal-hold", kwargs={"reference": incident.reference}),
        {"reason": "Regulator inquiry."},
    )

    assert response.status_code == 302
    assert Incident.objects.get(pk=incident.pk).legal_hold


def test_an_outsider_cannot_place_a_hold(client, incident, outsider):
    client.force_login(outsider)

    response = client.post(
        reverse("incidents:legal-hold", kwargs={"reference": incident.reference}),
        {"reason": "Regulator inquiry."},
    )

    assert response.status_code == 404
    assert not Incident.objects.get(pk=incident.pk).legal_hold
