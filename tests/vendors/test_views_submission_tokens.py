"""Every inventory form that creates something creates it once, however often it is sent."""

import uuid

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from breachdesk.submissions import ALREADY_SAVED
from tests.factories import EngagementFactory, StakeholderFactory, VendorFactory
from vendors.models import (
    DataAsset,
    Engagement,
    EngagementAccess,
    Stakeholder,
    StakeholderContact,
    Vendor,
    VendorContact,
)

pytestmark = pytest.mark.django_db


def _vendor():
    return VendorFactory(name="Parallax")


# (url name, url kwargs from the fixtures, form data, model whose rows are counted)
CREATES = {
    "vendor": (
        lambda: ("vendors:create", {}),
        {"name": "Lattice Labs", "tier": "high", "status": "active", "jurisdictions": "IE"},
        Vendor,
    ),
    "vendor contact": (
        lambda: ("vendors:contact-add", {"slug": _vendor().slug}),
        {"name": "Ana", "email": "ana@parallax.example", "role": "CISO"},
        VendorContact,
    ),
    "engagement": (
        lambda: ("vendors:engagement-create", {"slug": _vendor().slug}),
        {"name": "Annotation", "status": "active", "started_on": "2026-02-01"},
        Engagement,
    ),
    "engagement access": (
        lambda: (
            "vendors:engagement-access-add",
            {"pk": EngagementFactory(vendor=_vendor(), data_assets=[]).pk},
        ),
        {"kind": "key", "description": "S3 upload token"},
        EngagementAccess,
    ),
    "data asset": (
        lambda: ("vendors:asset-create", {}),
        {"name": "Clinical samples", "kind": "dataset", "classification": "restricted"},
        DataAsset,
    ),
    "stakeholder": (
        lambda: ("vendors:stakeholder-create", {}),
        {"name": "Helix Health", "kind": "partner", "notify_within_hours": "48"},
        Stakeholder,
    ),
    "stakeholder contact": (
        lambda: (
            "vendors:stakeholder-contact-add",
            {"slug": StakeholderFactory(name="Orbital").slug},
        ),
        {"name": "Mira", "email": "privacy@orbital.example"},
        StakeholderContact,
    ),
}


@pytest.fixture(params=CREATES, ids=str)
def create(request):
    target, data, model = CREATES[request.param]
    name, kwargs = target()
    return reverse(name, kwargs=kwargs), data, model


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_a_create_form_sent_twice_creates_once_and_says_so(client, commander, create, htmx):
    url, data, model = create
    client.force_login(commander)
    form = {**data, "submission_token": str(uuid.uuid4())}
    headers = {"HX-Request": "true"} if htmx else {}
    before = model.objects.count()

    first = client.post(url, form, headers=headers)
    again = client.post(url, form, headers=headers)

    assert first.status_code in (200, 302), first.content.decode()[:500]
    assert model.objects.count() == before + 1
    assert again.status_code in (200, 302)
    assert str(ALREADY_SAVED) in [str(m) for m in get_messages(again.wsgi_request)]


def test_two_sends_with_their_own_tokens_create_two(client, commander):
    client.force_login(commander)
    url = reverse("vendors:contact-add", kwargs={"slug": _vendor().slug})

    for address in ("ana@parallax.example", "ben@parallax.example"):
        client.post(url, {"name": "Ana", "email": address, "submission_token": str(uuid.uuid4())})

    assert VendorContact.objects.count() == 2


def test_every_create_form_carries_a_token(client, commander):
    client.force_login(commander)
    vendor = _vendor()

    for name, kwargs in [
        ("vendors:create", {}),
        ("vendors:asset-create", {}),
        ("vendors:stakeholder-create", {}),
        ("vendors:engagement-create", {"slug": vendor.slug}),
        ("vendors:detail", {"slug": vendor.slug}),
    ]:
        assert 'name="submission_token"' in client.get(reverse(name, kwargs=kwargs)).text, name
