from datetime import timedelta

import factory
from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.text import slugify

from breachdesk.models import User
from breachdesk.roles import ensure_roles
from incidents import services
from incidents.models import Incident
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


class IncidentFactory(factory.django.DjangoModelFactory):
    """An incident for tests that are not about opening one.

    Built through ``services.incident_open`` all the same: an incident without
    its opening timeline entry, deadlines and playbook tasks would be one the
    product can never hold. ``commander`` opens and commands it;
    ``team={user: "responder", ...}`` adds members as the commander would.
    """

    class Meta:
        model = Incident
        skip_postgeneration_save = True

    commander = factory.SubFactory(UserFactory, roles=["Commander"])
    vendors = factory.LazyFunction(lambda: [VendorFactory()])
    title = factory.Sequence(lambda n: f"Vendor breach {n}")
    source = "press_report"
    discovered_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=2))
    # None: severity left unchosen at opening (SEV2, its "Set severity" task open).
    severity = None

    @classmethod
    def _create(cls, model_class, *, commander, **fields):
        return services.incident_open(actor=commander, **fields)

    @factory.post_generation
    def team(self, create, extracted, **kwargs):
        for user, role in (extracted or {}).items():
            services.member_add(incident=self, actor=self.commander, user=user, role=role)
