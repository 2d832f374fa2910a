"""The reads that inventory pages need, each shaped to a bounded number of queries."""

from collections.abc import Callable

from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Lower

from breachdesk.models import User
from vendors.models import (
    DataAsset,
    Engagement,
    Stakeholder,
    Vendor,
)

# Most severe first when sorting by tier.
TIER_RANK = Case(
    *(When(tier=tier, then=Value(rank)) for rank, tier in enumerate(Vendor.Tier.values)),
    output_field=IntegerField(),
)


# Which vendors have an open incident that a given user may see: the incidents
# app provides it (IncidentsConfig.ready), so that the inventory never imports
# the incidents app. Without a provider no vendor shows one.
OpenIncidentVendors = Callable[[User], QuerySet]
_open_incident_vendors: OpenIncidentVendors | None = None


def set_open_incident_vendors(provider: OpenIncidentVendors) -> None:
    """Register ``provider(user)``: a values queryset of ids of vendors with an open incident."""
    global _open_incident_vendors
    _open_incident_vendors = provider


def vendor_list(*, user: User) -> QuerySet[Vendor]:
    """Vendors, with whether they have an open incident *that this user may see*.

    Counting incidents the user cannot see would hint that they exist.
    """
    has_open_incident = (
        ExpressionWrapper(Q(pk__in=_open_incident_vendors(user)), output_field=BooleanField())
        if _open_incident_vendors is not None
        else Value(False)
    )
    return (
        Vendor.objects.select_related("relationship_owner")
        .annotate(
            sort_name=Lower("name"),
            tier_rank=TIER_RANK,
            engagement_count=Count("engagements", distinct=True),
            has_open_incident=has_open_incident,
        )
        .order_by("sort_name")
    )


def vendor_detail(*, slug: str) -> QuerySet[Vendor]:
    return (
        Vendor.objects.filter(slug=slug)
        .select_related("relationship_owner")
        .prefetch_related(
            "contacts",
            Prefetch(
                "engagements",
                queryset=Engagement.objects.select_related("owner").prefetch_related(
                    "accesses", Prefetch("data_assets", queryset=DataAsset.objects.order_by("name"))
                ),
            ),
        )
    )


def vendor_held_assets(*, vendor: Vendor) -> QuerySet[DataAsset]:
    """Every data asset the vendor holds through any of its engagements."""
    return (
        DataAsset.objects.filter(engagements__vendor=vendor)
        .distinct()
        .prefetch_related("stakeholders")
        .order_by("name")
    )


def data_asset_list() -> QuerySet[DataAsset]:
    return (
        DataAsset.objects.prefetch_related("stakeholders")
        .annotate(vendor_count=Count("engagements__vendor", distinct=True))
        .order_by(Lower("name"))
    )


def data_asset_detail(*, slug: str) -> QuerySet[DataAsset]:
    return DataAsset.objects.filter(slug=slug).prefetch_related(
        "stakeholders",
        Prefetch(
            "engagements",
            queryset=Engagement.objects.select_related("vendor", "owner").order_by(
                "vendor__name", "name"
            ),
        ),
    )


def stakeholder_list() -> QuerySet[Stakeholder]:
    return (
        Stakeholder.objects.prefetch_related("contacts")
        .annotate(asset_count=Count("data_assets", distinct=True))
        .order_by(Lower("name"))
    )


def stakeholder_detail(*, slug: str) -> QuerySet[Stakeholder]:
    return Stakeholder.objects.filter(slug=slug).prefetch_related(
        "contacts",
        Prefetch(
            "data_assets",
            queryset=DataAsset.objects.prefetch_related(
                Prefetch("engagements", queryset=Engagement.objects.select_related("vendor"))
            ),
        ),
    )
