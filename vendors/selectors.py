"""The reads that inventory pages need, each shaped to a bounded number of queries."""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    Prefetch,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Lower
from django.utils.formats import number_format

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


# Whether a vendor has an open incident that a given user may see: the incidents
# app provides those incidents, correlated to the outer vendor's pk
# (IncidentsConfig.ready), so that the inventory never imports the incidents
# app. Without a provider no vendor shows one.
OpenIncidentVendors = Callable[[User], QuerySet]
_open_incident_vendors: OpenIncidentVendors | None = None


def set_open_incident_vendors(provider: OpenIncidentVendors) -> None:
    """Register ``provider(user)``: the open incidents ``user`` may see of ``OuterRef("pk")``."""
    global _open_incident_vendors
    _open_incident_vendors = provider


def vendor_list(*, user: User) -> QuerySet[Vendor]:
    """Vendors, with whether they have an open incident *that this user may see*.

    Counting incidents the user cannot see would hint that they exist.
    """
    has_open_incident = (
        Exists(_open_incident_vendors(user)) if _open_incident_vendors is not None else Value(False)
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


# --- history ------------------------------------------------------------------------------

# The latest changes shown on a page; older ones stay in the admin's history view.
HISTORY_LIMIT = 50
_HISTORY_KINDS = {"+": "created", "~": "changed", "-": "deleted"}


@dataclass(frozen=True)
class Change:
    """One saved change: when (aware, UTC), by whom, to which record, field by field."""

    when: datetime
    who: str
    record: str
    what: str  # created, changed, deleted
    fields: list[tuple[str, str, str]]  # (field label, before, after)


def _shown(model_field, value, names: dict) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if model_field.is_relation:
        return names.get((model_field.related_model, value), f"#{value}")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return number_format(value, force_grouping=True)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _changes(rows: list, model, label) -> list[Change]:
    """Each history row against the one before it (``rows`` newest first, one extra at the end)."""
    pairs = []
    for index, row in enumerate(rows[:HISTORY_LIMIT]):
        before = rows[index + 1] if index + 1 < len(rows) else None
        deltas = []
        if row.history_type == "~" and before is not None:
            deltas = [(c.field, c.old, c.new) for c in row.diff_against(before).changes]
            if not deltas:
                continue  # saved without a change: nothing to tell a reader
        pairs.append((row, deltas))
    wanted = defaultdict(set)
    for _row, deltas in pairs:
        for name, old, new in deltas:
            model_field = model._meta.get_field(name)
            if model_field.is_relation:
                wanted[model_field.related_model] |= {v for v in (old, new) if v is not None}
    names = {
        (related, obj.pk): str(getattr(obj, "display_name", obj))
        for related, ids in wanted.items()
        for obj in related._default_manager.filter(pk__in=ids)
    }
    changes = []
    for row, deltas in pairs:
        fields = []
        for name, old, new in deltas:
            model_field = model._meta.get_field(name)
            fields.append(
                (
                    str(model_field.verbose_name),
                    _shown(model_field, old, names),
                    _shown(model_field, new, names),
                )
            )
        user = row.history_user
        changes.append(
            Change(
                when=row.history_date,
                who=user.display_name if user else "system",
                record=label(row),
                what=_HISTORY_KINDS.get(row.history_type, row.history_type),
                fields=fields,
            )
        )
    return changes


def _history_rows(history) -> list:
    return list(
        history.select_related("history_user").order_by("-history_date", "-history_id")[
            : HISTORY_LIMIT + 1
        ]
    )


def inventory_history(*, record) -> list[Change]:
    """The latest changes to one vendor, data asset or stakeholder, newest first.

    A few queries whatever the history's length: the rows (one), and the
    names of people and records that changed fields point at (one per kind).
    """
    model = type(record)
    return _changes(_history_rows(record.history.all()), model, lambda row: str(record))


def vendor_history(*, vendor: Vendor) -> list[Change]:
    """The vendor's own changes and its engagements' (pauses included), newest first."""
    own = _changes(_history_rows(vendor.history.all()), Vendor, lambda row: vendor.name)
    engagement_rows = _history_rows(Engagement.history.filter(vendor_id=vendor.pk))
    engagements = _engagement_changes(engagement_rows)
    merged = sorted(own + engagements, key=lambda change: change.when, reverse=True)
    return merged[:HISTORY_LIMIT]


def _engagement_changes(rows: list) -> list[Change]:
    """Engagement rows of several engagements: each compared with that engagement's previous row."""
    by_engagement = defaultdict(list)
    for row in rows:
        by_engagement[row.id].append(row)
    changes = []
    for history in by_engagement.values():
        changes += _changes(history, Engagement, lambda row: f"Engagement: {row.name}")
    return changes
