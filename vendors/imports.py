"""Reading the inventory spreadsheets people already keep.

An upload is read into an ``ImportPlan``: every row with what it will do
(create or update) and, in plain words, everything wrong with it. Nothing is
written here; ``services.inventory_import`` applies a plan with no errors, all
rows or none.
"""

import copy
import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from breachdesk.models import User
from breachdesk.spreadsheets import FORMULA_PREFIXES
from vendors.jurisdictions import split_codes, unknown_codes
from vendors.models import (
    MAX_RECORDS,
    MAX_WINDOW_HOURS,
    DataAsset,
    Engagement,
    EngagementAccess,
    Stakeholder,
    Vendor,
)
from vendors.validators import status_change_error

# An inventory of a few thousand rows is a few hundred kilobytes; anything
# far larger is the wrong file, and holding it in the session would hurt.
MAX_IMPORT_BYTES = 1_000_000
MAX_IMPORT_ROWS = 5_000
LIST_SEPARATOR = ";"


class RowError(Exception):
    """A cell that cannot be used, with the message the responder will read."""


@dataclass(frozen=True)
class Column:
    name: str
    help: str
    example: str
    required: bool = False


@dataclass
class ImportRow:
    line: int
    values: dict[str, str]
    action: str = ""
    fields: dict[str, Any] = field(default_factory=dict)
    existing: models.Model | None = None
    errors: list[str] = field(default_factory=list)


@dataclass
class ImportPlan:
    kind: str
    rows: list[ImportRow] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.file_errors and bool(self.rows) and not any(r.errors for r in self.rows)

    @property
    def error_count(self) -> int:
        return len(self.file_errors) + sum(1 for row in self.rows if row.errors)


# --- cell parsers: each returns a value or raises RowError -----------------


def _text(value: str, column: str, max_length: int) -> str:
    if len(value) > max_length:
        raise RowError(
            _("%(column)s is %(length)d characters long; the limit is %(limit)d.")
            % {"column": column, "length": len(value), "limit": max_length}
        )
    return value


def _required_text(value: str, column: str, max_length: int) -> str:
    if not value:
        raise RowError(_("%(column)s is empty; every row needs one.") % {"column": column})
    return _text(value, column, max_length)


def _email(value: str, column: str) -> str:
    _required_text(value, column, 254)
    try:
        validate_email(value)
    except ValidationError:
        raise RowError(
            _("%(column)s “%(value)s” is not an email address.")
            % {"column": column, "value": value}
        ) from None
    return value


def _choice(value: str, column: str, choices: type[models.TextChoices], default: str) -> str:
    if not value:
        return default
    normalised = value.strip().lower().replace(" ", "_").replace("-", "_")
    for choice in choices:
        if normalised in (choice.value, str(choice.label).lower().replace(" ", "_")):
            return choice.value
    raise RowError(
        _("%(column)s “%(value)s” is not one of: %(allowed)s.")
        % {"column": column, "value": value, "allowed": ", ".join(choices.values)}
    )


def _whole_number(value: str, column: str, minimum: int, maximum: int) -> int | None:
    if not value:
        return None
    cleaned = value.replace(",", "").replace("_", "").replace(" ", "")
    try:
        number = int(cleaned)
    except ValueError:
        raise RowError(
            _("%(column)s “%(value)s” is not a whole number.") % {"column": column, "value": value}
        ) from None
    if number < minimum:
        raise RowError(
            _("%(column)s must be at least %(minimum)d, not %(value)s.")
            % {"column": column, "minimum": minimum, "value": value}
        )
    if number > maximum:
        raise RowError(
            _("%(column)s %(value)s is not plausible; the most we accept is %(maximum)s.")
            % {"column": column, "value": value, "maximum": f"{maximum:,}"}
        )
    return number


_YES = {"yes", "y", "true", "1", "x"}
_NO = {"no", "n", "false", "0", ""}


def _yes_no(value: str, column: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _YES:
        return True
    if lowered in _NO:
        return False
    raise RowError(
        _("%(column)s “%(value)s” should be yes or no.") % {"column": column, "value": value}
    )


def _jurisdictions(value: str, column: str) -> list[str]:
    codes = split_codes(value)
    unknown = unknown_codes(codes)
    if unknown:
        raise RowError(
            _(
                "%(column)s: we do not know %(codes)s. Use ISO codes such as DE, FR, GB, "
                "or US-CA for a US state."
            )
            % {"column": column, "codes": ", ".join(unknown)}
        )
    return codes


def _user(value: str, column: str) -> User | None:
    if not value:
        return None
    matches = list(
        User.objects.filter(models.Q(username__iexact=value) | models.Q(email__iexact=value))[:2]
    )
    if len(matches) != 1:
        raise RowError(
            _("%(column)s “%(value)s” is not the username or email of one BreachDesk user.")
            % {"column": column, "value": value}
        )
    return matches[0]


def _date(value: str, column: str):
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise RowError(
            _("%(column)s “%(value)s” is not a date like 2026-03-31.")
            % {"column": column, "value": value}
        ) from None


def _names(value: str, column: str, model: type[models.Model], what: str) -> list:
    wanted = [part.strip() for part in value.split(LIST_SEPARATOR) if part.strip()]
    if not wanted:
        return []
    found = {
        obj.name.lower(): obj
        for obj in model.objects.annotate(lowered=Lower("name")).filter(
            lowered__in=[name.lower() for name in wanted]
        )
    }
    missing = [name for name in wanted if name.lower() not in found]
    if missing:
        raise RowError(
            _("%(column)s: no %(what)s named %(names)s. Add them first, or fix the spelling.")
            % {"column": column, "what": what, "names": ", ".join(f"“{n}”" for n in missing)}
        )
    return [found[name.lower()] for name in wanted]


def _accesses(value: str, column: str) -> list[dict[str, str]]:
    accesses = []
    for entry in (part.strip() for part in value.split(LIST_SEPARATOR)):
        if not entry:
            continue
        kind, separator, description = entry.partition(":")
        if separator and kind.strip().lower() in EngagementAccess.Kind.values:
            accesses.append({"kind": kind.strip().lower(), "description": description.strip()})
        else:
            accesses.append({"kind": EngagementAccess.Kind.SYSTEM, "description": entry})
    for access in accesses:
        _required_text(access["description"], column, 300)
    return accesses


# --- the three spreadsheets ------------------------------------------------


@dataclass(frozen=True)
class ImportKind:
    slug: str
    label: str
    model: type[models.Model]
    columns: tuple[Column, ...]
    read_row: Callable[[dict[str, str]], dict[str, Any]]
    find_existing: Callable[[dict[str, Any]], models.Model | None]
    identity: Callable[[dict[str, Any]], tuple]

    @property
    def header(self) -> list[str]:
        return [column.name for column in self.columns]


def _read_vendor(values: dict[str, str]) -> dict[str, Any]:
    fields = {
        "name": _required_text(values.get("name", ""), "name", 200),
        "services": values.get("services", ""),
        "tier": _choice(values.get("tier", ""), "tier", Vendor.Tier, Vendor.Tier.MEDIUM),
        "status": _choice(values.get("status", ""), "status", Vendor.Status, Vendor.Status.ACTIVE),
        "relationship_owner": _user(values.get("relationship_owner", ""), "relationship_owner"),
        "notify_us_within_hours": _whole_number(
            values.get("notify_us_within_hours", ""), "notify_us_within_hours", 1, MAX_WINDOW_HOURS
        ),
        "jurisdictions": _jurisdictions(values.get("jurisdictions", ""), "jurisdictions"),
    }
    contact_name = values.get("security_contact_name", "")
    contact_email = values.get("security_contact_email", "")
    if contact_name or contact_email:
        fields["security_contact"] = {
            "name": _required_text(contact_name, "security_contact_name", 200),
            "email": _email(contact_email, "security_contact_email"),
            "role": _("Security contact"),
            "is_security_contact": True,
        }
    return fields


def _read_data_asset(values: dict[str, str]) -> dict[str, Any]:
    return {
        "name": _required_text(values.get("name", ""), "name", 200),
        "kind": _choice(values.get("kind", ""), "kind", DataAsset.Kind, DataAsset.Kind.DATASET),
        "classification": _choice(
            values.get("classification", ""),
            "classification",
            DataAsset.Classification,
            DataAsset.Classification.CONFIDENTIAL,
        ),
        "owning_team": _text(values.get("owning_team", ""), "owning_team", 120),
        "approx_records": _whole_number(
            values.get("approx_records", ""), "approx_records", 0, MAX_RECORDS
        ),
        "personal_data": _yes_no(values.get("personal_data", ""), "personal_data"),
        "special_category_data": _yes_no(
            values.get("special_category_data", ""), "special_category_data"
        ),
        "health_data": _yes_no(values.get("health_data", ""), "health_data"),
        "financial_data": _yes_no(values.get("financial_data", ""), "financial_data"),
        "subject_jurisdictions": _jurisdictions(
            values.get("subject_jurisdictions", ""), "subject_jurisdictions"
        ),
        "stakeholders": _names(
            values.get("stakeholders", ""), "stakeholders", Stakeholder, _("stakeholder")
        ),
        "description": values.get("description", ""),
    }


def _read_engagement(values: dict[str, str]) -> dict[str, Any]:
    vendors = _names(
        _required_text(values.get("vendor", ""), "vendor", 200), "vendor", Vendor, _("vendor")
    )
    return {
        "vendor": vendors[0],
        "name": _required_text(values.get("name", ""), "name", 200),
        "description": values.get("description", ""),
        "owner": _user(values.get("owner", ""), "owner"),
        "status": _choice(
            values.get("status", ""), "status", Engagement.Status, Engagement.Status.ACTIVE
        ),
        "started_on": _date(values.get("started_on", ""), "started_on"),
        "ended_on": _date(values.get("ended_on", ""), "ended_on"),
        "data_assets": _names(
            values.get("data_assets", ""), "data_assets", DataAsset, _("data asset")
        ),
        "accesses": _accesses(values.get("access", ""), "access"),
    }


def _by_name(model):
    return lambda fields: model.objects.filter(name__iexact=fields["name"]).first()


KINDS: dict[str, ImportKind] = {
    kind.slug: kind
    for kind in (
        ImportKind(
            slug="vendors",
            label=gettext_lazy("Vendors"),
            model=Vendor,
            columns=(
                Column(
                    "name",
                    gettext_lazy("Vendor name; a row with an existing name updates it."),
                    "Parallax Data Services",
                    True,
                ),
                Column(
                    "services",
                    gettext_lazy("What the vendor does for us."),
                    "Training-data labelling",
                ),
                Column(
                    "tier",
                    gettext_lazy("critical, high, medium or low (default medium)."),
                    "critical",
                ),
                Column(
                    "status",
                    gettext_lazy("active, paused or offboarded (default active)."),
                    "active",
                ),
                Column(
                    "relationship_owner",
                    gettext_lazy("Username or email of the owner in BreachDesk."),
                    "commander",
                ),
                Column(
                    "notify_us_within_hours",
                    gettext_lazy("Contract: hours the vendor has to tell us of a breach."),
                    "24",
                ),
                Column(
                    "jurisdictions",
                    gettext_lazy("Where they process our data, codes separated by ;"),
                    "IE; US-CA",
                ),
                Column(
                    "security_contact_name",
                    gettext_lazy("Their security contact (optional)."),
                    "Dana Ruiz",
                ),
                Column(
                    "security_contact_email",
                    gettext_lazy("That contact's email."),
                    "security@parallax.example",
                ),
            ),
            read_row=_read_vendor,
            find_existing=_by_name(Vendor),
            identity=lambda fields: (fields["name"].lower(),),
        ),
        ImportKind(
            slug="data-assets",
            label=gettext_lazy("Data assets"),
            model=DataAsset,
            columns=(
                Column(
                    "name",
                    gettext_lazy("Asset name; a row with an existing name updates it."),
                    "Helix clinical notes v3",
                    True,
                ),
                Column(
                    "kind",
                    gettext_lazy(
                        "dataset, model_weights, source_code, credentials, documents or other."
                    ),
                    "dataset",
                ),
                Column(
                    "classification",
                    gettext_lazy("public, internal, confidential or restricted."),
                    "restricted",
                ),
                Column("owning_team", gettext_lazy("The team that owns it."), "Data partnerships"),
                Column(
                    "approx_records",
                    gettext_lazy("Roughly how many rows, files or people."),
                    "120000",
                ),
                Column("personal_data", gettext_lazy("yes or no."), "yes"),
                Column(
                    "special_category_data", gettext_lazy("yes or no (GDPR Art. 9 data)."), "no"
                ),
                Column("health_data", gettext_lazy("yes or no."), "yes"),
                Column("financial_data", gettext_lazy("yes or no."), "no"),
                Column(
                    "subject_jurisdictions",
                    gettext_lazy("Where the people in it live, codes separated by ;"),
                    "DE; FR",
                ),
                Column(
                    "stakeholders",
                    gettext_lazy("Whose data it is: stakeholder names separated by ;"),
                    "Helix Health Research",
                ),
                Column("description", gettext_lazy("Anything else worth knowing."), ""),
            ),
            read_row=_read_data_asset,
            find_existing=_by_name(DataAsset),
            identity=lambda fields: (fields["name"].lower(),),
        ),
        ImportKind(
            slug="engagements",
            label=gettext_lazy("Engagements"),
            model=Engagement,
            columns=(
                Column(
                    "vendor",
                    gettext_lazy("Name of an existing vendor."),
                    "Parallax Data Services",
                    True,
                ),
                Column(
                    "name",
                    gettext_lazy("Engagement name; existing vendor + name updates it."),
                    "Labelling 2026",
                    True,
                ),
                Column("description", gettext_lazy("What the work is."), ""),
                Column(
                    "owner",
                    gettext_lazy("Username or email of the owner in BreachDesk."),
                    "commander",
                ),
                Column(
                    "status", gettext_lazy("active, paused or ended (default active)."), "active"
                ),
                Column("started_on", gettext_lazy("Date, YYYY-MM-DD."), "2026-01-15"),
                Column("ended_on", gettext_lazy("Date, YYYY-MM-DD, if it has ended."), ""),
                Column(
                    "data_assets",
                    gettext_lazy("Data shared: asset names separated by ;"),
                    "Helix clinical notes v3",
                ),
                Column(
                    "access",
                    gettext_lazy(
                        "Access granted, separated by ;. Start an entry with its kind (system, "
                        "account, key, network) and a colon to say what it is."
                    ),
                    "key: S3 upload token",
                ),
            ),
            read_row=_read_engagement,
            find_existing=lambda fields: Engagement.objects.filter(
                vendor=fields["vendor"], name__iexact=fields["name"]
            ).first(),
            identity=lambda fields: (fields["vendor"].pk, fields["name"].lower()),
        ),
    )
}


# --- reading a file ---------------------------------------------------------


def file_too_large(size: int) -> str | None:
    if size <= MAX_IMPORT_BYTES:
        return None
    return _(
        "The file is %(size).1f MB; imports are limited to %(limit).0f MB. "
        "Split it into smaller files."
    ) % {"size": size / 1_000_000, "limit": MAX_IMPORT_BYTES / 1_000_000}


def _decode(data: bytes) -> str:
    too_large = file_too_large(len(data))
    if too_large:
        raise RowError(too_large)
    if b"\x00" in data:
        raise RowError(_("This is not a CSV file: it contains binary data."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RowError(
            _(
                "The file is not UTF-8 text. In Excel choose Save As › “CSV UTF-8 (comma "
                "delimited)”; in other tools pick the UTF-8 encoding."
            )
        ) from None


def _delimiter(first_line: str) -> str:
    counts = {delimiter: first_line.count(delimiter) for delimiter in (",", ";", "\t")}
    return max(counts, key=counts.get)


def _check_header(kind: ImportKind, header: list[str]) -> list[str]:
    errors = []
    known = set(kind.header)
    unknown = [name for name in header if name and name not in known]
    missing = [
        column.name for column in kind.columns if column.required and column.name not in header
    ]
    duplicated = sorted({name for name in header if name and header.count(name) > 1})
    if missing:
        errors.append(_("Missing required column(s): %s.") % ", ".join(missing))
    if unknown:
        errors.append(
            _("Unknown column(s): %(unknown)s. The %(label)s template has: %(expected)s.")
            % {
                "unknown": ", ".join(unknown),
                "label": kind.label,
                "expected": ", ".join(kind.header),
            }
        )
    if duplicated:
        errors.append(_("Column(s) appear twice: %s.") % ", ".join(duplicated))
    return errors


_NUMBER = re.compile(r"[+-]?\d[\d,._ ]*")


def _formula_cells(values: dict[str, str]) -> list[str]:
    """Cells a spreadsheet would run; a signed number such as -4 is only a number."""
    return [
        _(
            "%(column)s starts with “%(char)s”, which a spreadsheet would run as a formula "
            "(“%(value)s”). Remove the leading character."
        )
        % {"column": column, "char": value[0], "value": value[:40]}
        for column, value in values.items()
        if value.startswith(FORMULA_PREFIXES) and not _NUMBER.fullmatch(value)
    ]


def _model_errors(kind: ImportKind, row: ImportRow) -> list[str]:
    """Checks the record as the database would, so the import cannot fail half-way."""
    instance = copy.copy(row.existing) if row.existing else kind.model()
    for name, value in row.fields.items():
        model_field = next((f for f in kind.model._meta.concrete_fields if f.name == name), None)
        if model_field is not None:
            setattr(instance, name, value)
    try:
        instance.full_clean(exclude=["slug"], validate_unique=False, validate_constraints=True)
    except ValidationError as exc:
        return [
            f"{'' if field_name == '__all__' else field_name + ': '}{message}"
            for field_name, messages in exc.message_dict.items()
            for message in messages
        ]
    return []


def read_import(kind_slug: str, data: bytes) -> ImportPlan:
    kind = KINDS[kind_slug]
    plan = ImportPlan(kind=kind_slug)
    try:
        text = _decode(data)
    except RowError as exc:
        plan.file_errors.append(str(exc))
        return plan
    if not text.strip():
        plan.file_errors.append(_("The file is empty."))
        return plan

    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text.splitlines()[0]))
    try:
        records = list(reader)
    except csv.Error as exc:
        plan.file_errors.append(
            _("The file could not be read as CSV near line %(line)d: %(error)s.")
            % {"line": reader.line_num, "error": exc}
        )
        return plan
    header = [name.strip().lower() for name in records[0]]
    plan.file_errors.extend(_check_header(kind, header))
    if plan.file_errors:
        return plan
    body = [
        (line, cells)
        for line, cells in enumerate(records[1:], start=2)
        if any(c.strip() for c in cells)
    ]
    if not body:
        plan.file_errors.append(_("The file has a header but no rows."))
        return plan
    if len(body) > MAX_IMPORT_ROWS:
        plan.file_errors.append(
            _("The file has %(rows)d rows; imports are limited to %(limit)d. Split it.")
            % {"rows": len(body), "limit": MAX_IMPORT_ROWS}
        )
        return plan

    seen: dict[tuple, int] = {}
    for line, cells in body:
        if len(cells) > len(header):
            row = ImportRow(line=line, values={})
            row.errors.append(
                _("This row has %(cells)d cells but the header has %(columns)d columns.")
                % {"cells": len(cells), "columns": len(header)}
            )
            plan.rows.append(row)
            continue
        values = {name: cell.strip() for name, cell in zip(header, cells, strict=False) if name}
        row = ImportRow(line=line, values=values)
        plan.rows.append(row)
        row.errors.extend(_formula_cells(values))
        if row.errors:
            continue
        try:
            row.fields = kind.read_row(values)
        except RowError as exc:
            row.errors.append(str(exc))
            continue
        identity = kind.identity(row.fields)
        if identity in seen:
            row.errors.append(
                _("The same record is already on line %(line)d.") % {"line": seen[identity]}
            )
            continue
        seen[identity] = line
        row.existing = kind.find_existing(row.fields)
        row.action = "update" if row.existing else "create"
        if "status" in row.fields:
            if row.existing and not values.get("status"):
                # An empty status cell leaves the status as it is.
                row.fields["status"] = row.existing.status
            status_error = status_change_error(
                current=row.existing.status if row.existing else None, new=row.fields["status"]
            )
            if status_error:
                row.errors.append(f"status: {status_error}")
        row.errors.extend(_model_errors(kind, row))
    return plan


def template_csv(kind_slug: str) -> str:
    kind = KINDS[kind_slug]
    out = io.StringIO()
    csv.writer(out).writerow(kind.header)
    return out.getvalue()
