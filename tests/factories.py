from datetime import timedelta

import factory
from django.contrib.auth.models import Group
from django.utils.text import slugify

from breachdesk.models import User
from breachdesk.roles import ensure_roles
from vendors.models import (
    DataAsset,
    Engagement,
    Stakeholder,
    StakeholderContact,
    Vendor,
    VendorContact,
)

TEST_PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda user: f"{user.username}@breachdesk.example")
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        """``UserFactory(roles=["Commander"])`` puts the user in those groups."""
        if create and extracted:
            ensure_roles()
            self.groups.add(*Group.objects.filter(name__in=extracted))


class VendorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vendor

    name = factory.Sequence(lambda n: f"Vendor {n}")
    slug = factory.LazyAttribute(lambda vendor: slugify(vendor.name))
    services = "Data labelling"
    tier = Vendor.Tier.MEDIUM
    notify_us_within_hours = 24
    jurisdictions = factory.LazyFunction(lambda: ["IE"])


class VendorContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VendorContact

    vendor = factory.SubFactory(VendorFactory)
    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"contact{n}@vendor.example")
    role = "Security"
    is_security_contact = True


class StakeholderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stakeholder

    name = factory.Sequence(lambda n: f"Partner {n}")
    slug = factory.LazyAttribute(lambda stakeholder: slugify(stakeholder.name))
    kind = Stakeholder.Kind.PARTNER
    notify_within_hours = 48


class StakeholderContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StakeholderContact

    stakeholder = factory.SubFactory(StakeholderFactory)
    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"privacy{n}@partner.example")


class DataAssetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DataAsset
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Dataset {n}")
    slug = factory.LazyAttribute(lambda asset: slugify(asset.name))
    kind = DataAsset.Kind.DATASET
    classification = DataAsset.Classification.CONFIDENTIAL
    approx_records = 1000

    @factory.post_generation
    def stakeholders(self, create, extracted, **kwargs):
        if create and extracted:
            self.stakeholders.set(extracted)


class EngagementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Engagement
        skip_postgeneration_save = True

    vendor = factory.SubFactory(VendorFactory)
    name = factory.Sequence(lambda n: f"Engagement {n}")

    @factory.post_generation
    def data_assets(self, create, extracted, **kwargs):
        if create and extracted:
            self.data_assets.set(extracted)


def open_incident(*, commander: User, vendors=None, **overrides):
    """An incident opened the way users open one: through the service."""
    from django.utils import timezone

    from incidents import services

    fields = {
        "title": "Vendor breach",
        "source": "press_report",
        "discovered_at": timezone.now() - timedelta(hours=2),
        "severity": "sev2",
        **overrides,
    }
    return services.incident_open(actor=commander, vendors=vendors or [VendorFactory()], **fields)
