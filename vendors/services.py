"""Changes to the vendor inventory.

Each function validates the whole record (fields, validators and database
constraints) before it writes, so a caller that is not a form, such as the CSV
import, gets the same checks and the same messages.
"""

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.text import slugify

from breachdesk.models import User
from vendors.models import (
    DataAsset,
    Engagement,
    EngagementAccess,
    Stakeholder,
    StakeholderContact,
    Vendor,
    VendorContact,
)
from vendors.validators import status_change_error

if TYPE_CHECKING:
    from vendors.imports import ImportPlan


# Vendor pages live at /vendors/<slug>/, beside these fixed paths.
RESERVED_VENDOR_SLUGS = frozenset({"new", "assets", "stakeholders", "engagements", "import"})


def unique_slug(
    model: type[models.Model], name: str, reserved: frozenset[str] = frozenset()
) -> str:
    """A slug for ``name`` not yet used by ``model``: ``acme``, ``acme-2``, …"""
    base = slugify(name)[:180] or model._meta.model_name
    slug, suffix = base, 2
    while slug in reserved or model.objects.filter(slug=slug).exists():
        slug = f"{base}-{suffix}"
        suffix += 1
    return slug


def _check_status(current: str | None, new: str | None) -> None:
    """Statuses move into and out of "paused" only through an incident's pause and resume."""
    if new is None:
        return
    error = status_change_error(current=current, new=new)
    if error:
        raise ValidationError({"status": [error]})


def _save_new(instance: models.Model, reserved: frozenset[str] = frozenset()) -> models.Model:
    if isinstance(instance, (Vendor, Engagement)):
        _check_status(None, instance.status)
    instance.slug = unique_slug(type(instance), instance.name, reserved)
    instance.full_clean()
    instance.save()
    return instance


def _save_changes(instance: models.Model, changes: dict[str, Any]) -> models.Model:
    """Apply ``changes`` to the row as it is in the database, locked.

    The instance a caller holds may already carry the new values (a bound
    ModelForm sets them), so the comparison is with a fresh, locked copy.
    """
    current = type(instance).objects.select_for_update().get(pk=instance.pk)
    if isinstance(current, (Vendor, Engagement)):
        _check_status(current.status, changes.get("status"))
    changed = [field for field, value in changes.items() if getattr(current, field) != value]
    for field in changed:
        setattr(current, field, changes[field])
    if changed:
        current.full_clean()
        current.save(update_fields=[*changed, "updated_at"])
    return current


@transaction.atomic(durable=True)
def vendor_create(*, actor: User | None, **fields: Any) -> Vendor:
    return _vendor_create(**fields)


def _vendor_create(**fields: Any) -> Vendor:
    return _save_new(Vendor(**fields), reserved=RESERVED_VENDOR_SLUGS)


@transaction.atomic(durable=True)
def vendor_update(*, vendor: Vendor, actor: User | None, **changes: Any) -> Vendor:
    return _save_changes(vendor, changes)


@transaction.atomic(durable=True)
def vendor_contact_create(*, vendor: Vendor, actor: User | None, **fields: Any) -> VendorContact:
    contact = VendorContact(vendor=vendor, **fields)
    contact.full_clean()
    contact.save()
    return contact


@transaction.atomic(durable=True)
def vendor_contact_update(
    *, contact: VendorContact, actor: User | None, **changes: Any
) -> VendorContact:
    contact = VendorContact.objects.select_for_update().get(pk=contact.pk)
    for field, value in changes.items():
        setattr(contact, field, value)
    contact.full_clean()
    contact.save(update_fields=list(changes))
    return contact


@transaction.atomic(durable=True)
def vendor_contact_delete(*, contact: VendorContact, actor: User | None) -> None:
    contact.delete()


@transaction.atomic(durable=True)
def stakeholder_create(
    *, actor: User | None, contacts: Iterable[dict[str, str]] = (), **fields: Any
) -> Stakeholder:
    stakeholder = _save_new(Stakeholder(**fields))
    for contact in contacts:
        _stakeholder_contact_add(stakeholder=stakeholder, **contact)
    return stakeholder


@transaction.atomic(durable=True)
def stakeholder_update(
    *, stakeholder: Stakeholder, actor: User | None, **changes: Any
) -> Stakeholder:
    return _save_changes(stakeholder, changes)


@transaction.atomic(durable=True)
def stakeholder_contact_create(
    *, stakeholder: Stakeholder, actor: User | None, **fields: Any
) -> StakeholderContact:
    return _stakeholder_contact_add(stakeholder=stakeholder, **fields)


def _stakeholder_contact_add(*, stakeholder: Stakeholder, **fields: Any) -> StakeholderContact:
    contact = StakeholderContact(stakeholder=stakeholder, **fields)
    contact.full_clean()
    contact.save()
    return contact


@transaction.atomic(durable=True)
def stakeholder_contact_delete(*, contact: StakeholderContact, actor: User | None) -> None:
    contact.delete()


@transaction.atomic(durable=True)
def data_asset_create(
    *, actor: User | None, stakeholders: Iterable[Stakeholder] = (), **fields: Any
) -> DataAsset:
    return _data_asset_create(stakeholders=stakeholders, **fields)


def _data_asset_create(*, stakeholders: Iterable[Stakeholder] = (), **fields: Any) -> DataAsset:
    asset = _save_new(DataAsset(**fields))
    asset.stakeholders.set(stakeholders)
    return asset


@transaction.atomic(durable=True)
def data_asset_update(
    *,
    asset: DataAsset,
    actor: User | None,
    stakeholders: Iterable[Stakeholder] | None = None,
    **changes: Any,
) -> DataAsset:
    return _data_asset_update(asset=asset, stakeholders=stakeholders, **changes)


def _data_asset_update(
    *, asset: DataAsset, stakeholders: Iterable[Stakeholder] | None = None, **changes: Any
) -> DataAsset:
    asset = _save_changes(asset, changes)
    if stakeholders is not None:
        asset.stakeholders.set(stakeholders)
    return asset


@transaction.atomic(durable=True)
def engagement_create(
    *,
    vendor: Vendor,
    actor: User | None,
    data_assets: Iterable[DataAsset] = (),
    accesses: Iterable[dict[str, str]] = (),
    **fields: Any,
) -> Engagement:
    return _engagement_create(vendor=vendor, data_assets=data_assets, accesses=accesses, **fields)


def _engagement_create(
    *,
    vendor: Vendor,
    data_assets: Iterable[DataAsset] = (),
    accesses: Iterable[dict[str, str]] = (),
    **fields: Any,
) -> Engagement:
    engagement = Engagement(vendor=vendor, **fields)
    _check_status(None, engagement.status)
    engagement.full_clean()
    engagement.save()
    engagement.data_assets.set(data_assets)
    for access in accesses:
        _engagement_access_add(engagement=engagement, **access)
    return engagement


@transaction.atomic(durable=True)
def engagement_update(
    *,
    engagement: Engagement,
    actor: User | None,
    data_assets: Iterable[DataAsset] | None = None,
    **changes: Any,
) -> Engagement:
    return _engagement_update(engagement=engagement, data_assets=data_assets, **changes)


def _engagement_update(
    *, engagement: Engagement, data_assets: Iterable[DataAsset] | None = None, **changes: Any
) -> Engagement:
    engagement = _save_changes(engagement, changes)
    if data_assets is not None:
        engagement.data_assets.set(data_assets)
    return engagement


@transaction.atomic(durable=True)
def engagement_access_add(
    *, engagement: Engagement, actor: User | None, kind: str, description: str
) -> EngagementAccess:
    return _engagement_access_add(engagement=engagement, kind=kind, description=description)


def _engagement_access_add(
    *, engagement: Engagement, kind: str, description: str
) -> EngagementAccess:
    access = EngagementAccess(engagement=engagement, kind=kind, description=description)
    access.full_clean()
    access.save()
    return access


@transaction.atomic(durable=True)
def engagement_access_delete(*, access: EngagementAccess, actor: User | None) -> None:
    access.delete()


@transaction.atomic(durable=True)
def inventory_import(*, plan: "ImportPlan", actor: User | None) -> dict[str, int]:
    """Apply a spreadsheet import: every row, or (on any error) none.

    The plan was checked when it was read; the database constraints remain the
    last word, and any failure rolls the whole import back.
    """
    if not plan.ok:
        raise ValueError("an import plan with errors cannot be applied")
    counts = {"create": 0, "update": 0}
    apply_row = _IMPORTERS[plan.kind]
    for row in plan.rows:
        apply_row(dict(row.fields), row.existing)
        counts[row.action] += 1
    return counts


def _import_vendor(fields: dict[str, Any], existing: Vendor | None) -> None:
    contact = fields.pop("security_contact", None)
    vendor = _save_changes(existing, fields) if existing else _vendor_create(**fields)
    if contact and not vendor.contacts.filter(email__iexact=contact["email"]).exists():
        new_contact = VendorContact(vendor=vendor, **contact)
        new_contact.full_clean()
        new_contact.save()


def _import_data_asset(fields: dict[str, Any], existing: DataAsset | None) -> None:
    stakeholders = fields.pop("stakeholders")
    if existing:
        _data_asset_update(asset=existing, stakeholders=stakeholders, **fields)
    else:
        _data_asset_create(stakeholders=stakeholders, **fields)


def _import_engagement(fields: dict[str, Any], existing: Engagement | None) -> None:
    accesses = fields.pop("accesses")
    data_assets = fields.pop("data_assets")
    if existing:
        fields.pop("vendor")
        engagement = _engagement_update(engagement=existing, data_assets=data_assets, **fields)
        granted = {a.description.lower() for a in engagement.accesses.all()}
        for access in accesses:
            if access["description"].lower() not in granted:
                _engagement_access_add(engagement=engagement, **access)
    else:
        _engagement_create(data_assets=data_assets, accesses=accesses, **fields)


_IMPORTERS = {
    "vendors": _import_vendor,
    "data-assets": _import_data_asset,
    "engagements": _import_engagement,
}
