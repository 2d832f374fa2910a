"""Changes to the vendor inventory.

Each function validates the whole record (fields, validators and database
constraints) before it writes, so a caller that is not a form, such as the CSV
import, gets the same checks and the same messages.
"""

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from breachdesk.models import User
from breachdesk.submissions import submission_claim
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
    from vendors.imports import ImportPlan, ImportRow


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
def vendor_create(
    *, actor: User | None, submission_token: UUID | None = None, **fields: Any
) -> Vendor:
    """Raises AlreadySubmitted for a ``submission_token`` seen before (breachdesk.submissions)."""
    submission_claim(submission_token, user=actor)
    return _vendor_create(**fields)


def _vendor_create(**fields: Any) -> Vendor:
    return _save_new(Vendor(**fields), reserved=RESERVED_VENDOR_SLUGS)


@transaction.atomic(durable=True)
def vendor_update(*, vendor: Vendor, actor: User | None, **changes: Any) -> Vendor:
    return _save_changes(vendor, changes)


@transaction.atomic(durable=True)
def vendor_contact_create(
    *, vendor: Vendor, actor: User | None, submission_token: UUID | None = None, **fields: Any
) -> VendorContact:
    submission_claim(submission_token, user=actor)
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
    *,
    actor: User | None,
    contacts: Iterable[dict[str, str]] = (),
    submission_token: UUID | None = None,
    **fields: Any,
) -> Stakeholder:
    submission_claim(submission_token, user=actor)
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
    *,
    stakeholder: Stakeholder,
    actor: User | None,
    submission_token: UUID | None = None,
    **fields: Any,
) -> StakeholderContact:
    submission_claim(submission_token, user=actor)
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
    *,
    actor: User | None,
    stakeholders: Iterable[Stakeholder] = (),
    submission_token: UUID | None = None,
    **fields: Any,
) -> DataAsset:
    submission_claim(submission_token, user=actor)
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
    submission_token: UUID | None = None,
    **fields: Any,
) -> Engagement:
    submission_claim(submission_token, user=actor)
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
    *,
    engagement: Engagement,
    actor: User | None,
    kind: str,
    description: str,
    submission_token: UUID | None = None,
) -> EngagementAccess:
    submission_claim(submission_token, user=actor)
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


# Imported rows are written this many at a time: 5,000 rows take a few dozen
# statements, and no statement nears a database's limit on parameters.
IMPORT_BATCH_SIZE = 500


@transaction.atomic(durable=True)
def inventory_import(*, plan: "ImportPlan", actor: User | None) -> dict[str, int]:
    """Apply a spreadsheet import: every row, or (on any error) none.

    The plan was read, in this same request, by the pages' own forms. Here the
    records it changes are locked and re-read, the status rule is checked
    again on the locked rows, and the rows are written in bulk. The database
    constraints remain the last word, and any failure rolls the whole import
    back.

    Returns how many rows added a record, changed one, and left one as it was
    (``create``, ``update``, ``unchanged``). Raises ValidationError if a status
    moved into or out of "paused" since the plan was read.
    """
    if not plan.ok:
        raise ValueError("an import plan with errors cannot be applied")
    _IMPORTERS[plan.kind](plan.rows, actor=actor)
    return plan.counts


def _import_vendors(rows: list["ImportRow"], *, actor: User | None) -> None:
    written = _import_records(Vendor, rows, actor=actor, reserved=RESERVED_VENDOR_SLUGS)
    wanted = [
        (vendor, extra["security_contact"])
        for vendor, extra in written
        if extra.get("security_contact")
    ]
    # Another request may have added the same contact since the plan was read.
    known = set(
        VendorContact.objects.filter(vendor__in=[vendor for vendor, _ in wanted])
        .annotate(lowered=Lower("email"))
        .values_list("vendor_id", "lowered")
    )
    VendorContact.objects.bulk_create(
        [
            VendorContact(vendor=vendor, **contact)
            for vendor, contact in wanted
            if (vendor.pk, contact["email"].lower()) not in known
        ],
        batch_size=IMPORT_BATCH_SIZE,
    )


def _import_data_assets(rows: list["ImportRow"], *, actor: User | None) -> None:
    _import_records(DataAsset, rows, actor=actor)


def _import_engagements(rows: list["ImportRow"], *, actor: User | None) -> None:
    written = _import_records(Engagement, rows, actor=actor)
    EngagementAccess.objects.bulk_create(
        [
            EngagementAccess(engagement=engagement, **access)
            for engagement, extra in written
            for access in extra.get("accesses", ())
        ],
        batch_size=IMPORT_BATCH_SIZE,
    )


def _import_records(
    model: type[models.Model],
    rows: list["ImportRow"],
    *,
    actor: User | None,
    reserved: frozenset[str] = frozenset(),
) -> list[tuple[models.Model, dict[str, Any]]]:
    """Add and change the rows' records in bulk, with their many-to-many fields.

    Each added or changed record gets its history row (django-simple-history's
    bulk helpers; a plain bulk_create would leave no trace of who imported it).

    Returns each record written with what the row holds beyond the model's
    fields (``security_contact``, ``accesses``). Rows that change nothing are
    skipped.
    """
    many = {f.name for f in model._meta.many_to_many}
    concrete = {f.name for f in model._meta.concrete_fields}
    locked = model.objects.select_for_update().in_bulk(
        [row.existing.pk for row in rows if row.existing is not None and row.changes]
    )
    now = timezone.now()
    new, changed, changed_fields, written = [], [], set(), []
    for row in rows:
        if row.existing is not None and not row.changes:
            continue
        fields = {name: value for name, value in row.fields.items() if name in concrete}
        extra = {name: value for name, value in row.fields.items() if name not in concrete}
        if row.existing is None:
            record = model(**fields)
            if model in (Vendor, Engagement):
                _check_status(None, record.status)
            new.append(record)
        else:
            record = locked[row.existing.pk]
            if model in (Vendor, Engagement):
                _check_status(record.status, fields.get("status"))
            differ = [
                name for name, value in fields.items() if _import_differs(record, name, value)
            ]
            for name in differ:
                setattr(record, name, fields[name])
            if differ:
                record.updated_at = now
                changed.append(record)
                changed_fields.update(differ)
        written.append((record, extra))
    if "slug" in concrete:
        _import_slugs(model, new, reserved)
    bulk_create_with_history(new, model, batch_size=IMPORT_BATCH_SIZE, default_user=actor)
    if changed:
        bulk_update_with_history(
            changed,
            model,
            [*sorted(changed_fields), "updated_at"],
            batch_size=IMPORT_BATCH_SIZE,
            default_user=actor,
        )
    for name in many:
        _import_many(
            model._meta.get_field(name),
            {record.pk: extra.pop(name) for record, extra in written if name in extra},
        )
    return written


def _import_differs(record: models.Model, name: str, value: Any) -> bool:
    """Whether a field would change; relations compare ids, so no related row is read."""
    model_field = record._meta.get_field(name)
    if model_field.is_relation:
        return getattr(record, model_field.attname) != (value.pk if value is not None else None)
    return getattr(record, name) != value


def _import_many(model_field: models.ManyToManyField, wanted: dict[int, list]) -> None:
    """Make each record's many-to-many field hold exactly the objects wanted for it."""
    through = model_field.remote_field.through
    source = f"{model_field.m2m_field_name()}_id"
    target = f"{model_field.m2m_reverse_field_name()}_id"
    wanted_ids = {pk: {obj.pk for obj in objects} for pk, objects in wanted.items()}
    held = defaultdict(set)
    stale = []
    for link, owner, item in through.objects.filter(**{f"{source}__in": list(wanted)}).values_list(
        "pk", source, target
    ):
        held[owner].add(item)
        if item not in wanted_ids[owner]:
            stale.append(link)
    through.objects.filter(pk__in=stale).delete()
    through.objects.bulk_create(
        [
            through(**{source: owner, target: item})
            for owner, items in wanted_ids.items()
            for item in items - held[owner]
        ],
        batch_size=IMPORT_BATCH_SIZE,
    )


def _import_slugs(
    model: type[models.Model], records: list[models.Model], reserved: frozenset[str]
) -> None:
    """Give new records the slugs ``unique_slug`` would, against slugs read once."""
    taken = set(model.objects.values_list("slug", flat=True))
    for record in records:
        base = slugify(record.name)[:180] or model._meta.model_name
        slug, suffix = base, 2
        while slug in reserved or slug in taken:
            slug = f"{base}-{suffix}"
            suffix += 1
        taken.add(slug)
        record.slug = slug


_IMPORTERS = {
    "vendors": _import_vendors,
    "data-assets": _import_data_assets,
    "engagements": _import_engagements,
}
