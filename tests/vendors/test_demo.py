import pytest
from django.core.management import call_command
from django.urls import reverse

from breachdesk.models import User
from vendors.demo import TRAINING_DATA_VENDOR
from vendors.models import DataAsset, Stakeholder, Vendor

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("seed_demo")


def test_demo_vendor_page_shows_which_partners_data_it_held(client, demo):
    vendor = Vendor.objects.get(name=TRAINING_DATA_VENDOR)
    client.force_login(User.objects.get(username="responder"))

    response = client.get(reverse("vendors:detail", kwargs={"slug": vendor.slug}))

    partners = [
        s.name for s in response.context["held_stakeholders"] if s.kind == Stakeholder.Kind.PARTNER
    ]
    assert partners == ["Helix Health Research GmbH", "Orbital Robotics Inc."]
    assert vendor.engagements.count() == 2


def test_demo_inventory_has_eu_personal_data_a_credential_and_a_regulator(demo):
    personal = DataAsset.objects.filter(personal_data=True)

    assert DataAsset.objects.filter(kind=DataAsset.Kind.CREDENTIALS).exists()
    assert Stakeholder.objects.filter(kind=Stakeholder.Kind.REGULATOR).exists()
    assert set(Vendor.objects.values_list("tier", flat=True)) == set(Vendor.Tier.values)
    assert any("DE" in asset.subject_jurisdictions for asset in personal)


def test_loading_the_demo_twice_adds_nothing(settings, demo):
    counts = (Vendor.objects.count(), DataAsset.objects.count(), Stakeholder.objects.count())

    call_command("seed_demo")

    assert (
        Vendor.objects.count(),
        DataAsset.objects.count(),
        Stakeholder.objects.count(),
    ) == counts
