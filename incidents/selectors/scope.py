"""Reads for the scope review: what the vendor held, and whom the exposure concerns."""

from dataclasses import dataclass, field

from django.db.models import QuerySet

from incidents.models import Incident, ScopeItem
from vendors.models import DataAsset


@dataclass
class ScopeSummary:
    """What the scope review says about whom we must tell, derived, never typed."""

    stakeholders: list[dict] = field(default_factory=list)
    jurisdictions: list[str] = field(default_factory=list)
    data_categories: list[str] = field(default_factory=list)
    records_affected: int = 0
    records_unknown: bool = False
    counts: dict[str, int] = field(default_factory=dict)
    unreviewed: int = 0


def summarise_scope(items: list[ScopeItem], held_count: int) -> ScopeSummary:
    summary = ScopeSummary(counts={status: 0 for status in ScopeItem.Status.values})
    stakeholders: dict[int, dict] = {}
    jurisdictions: set[str] = set()
    categories: set[str] = set()
    for item in items:
        summary.counts[item.status] += 1
        if not item.is_affected:
            continue
        for stakeholder in item.snapshot.get("stakeholders", []):
            stakeholders[stakeholder["id"]] = stakeholder
        jurisdictions.update(item.snapshot.get("subject_jurisdictions", []))
        categories.update(item.snapshot.get("data_categories", []))
        if item.records_affected is None:
            summary.records_unknown = True
        else:
            summary.records_affected += item.records_affected
    summary.stakeholders = sorted(stakeholders.values(), key=lambda s: s["name"].lower())
    summary.jurisdictions = sorted(jurisdictions)
    summary.data_categories = sorted(categories)
    summary.unreviewed = max(held_count - len(items), 0)
    return summary


def held_assets(incident: Incident) -> QuerySet[DataAsset]:
    """Every data asset the incident's vendors hold through any engagement."""
    return DataAsset.objects.filter(engagements__vendor__in=incident.vendors.all()).distinct()


def incident_scope_items(*, incident: Incident) -> list[ScopeItem]:
    return list(incident.scope_items.select_related("reviewed_by"))


def scope_rows(*, incident: Incident) -> list[tuple[DataAsset, ScopeItem | None]]:
    """Every held asset, with its review so far (None: not reviewed yet), by name."""
    items = {item.data_asset_id: item for item in incident_scope_items(incident=incident)}
    assets = held_assets(incident).prefetch_related("stakeholders").order_by("name")
    return [(asset, items.get(asset.pk)) for asset in assets]
