"""Reading the inventory spreadsheets people already keep, and writing them back.

An upload is read into an ``ImportPlan``: every row with what it will do
(add a record, or update one, naming the columns that change) and, in plain
words, everything wrong with it. Each row is checked by the form its page uses
(``VendorForm``, ``DataAssetForm``, ``EngagementForm``, and the contact and
access forms), so the import and the pages cannot disagree; what the rows look
up (people, stakeholders, data assets, vendors, the records they update) is
fetched once per file, never once per row. Nothing is written here;
``services.inventory_import`` applies a plan with no errors, all rows or none.

Each sheet's export (``export_rows``) writes the columns of its import
template, spelt the way the import reads them, so that an export imports back
unchanged.
"""

import codecs
import copy
import csv
import io
import operator
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache, cached_property
from typing import Any, ClassVar

import charset_normalizer
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import F, Prefetch, Q
from django.db.models.functions import Lower
from django.forms.boundfield import BoundField
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from breachdesk.models import User
from breachdesk.spreadsheets import is_formula, unneutralise
from vendors.forms import (
    DataAssetForm,
    EngagementAccessForm,
    EngagementForm,
    VendorContactForm,
    VendorForm,
)
from vendors.models import (
    DataAsset,
    Engagement,
    EngagementAccess,
    Stakeholder,
    Vendor,
    VendorContact,
)
from vendors.validators import status_change_error

# An inventory of a few thousand rows is a few hundred kilobytes of UTF-8;
# anything far larger is the wrong file, and holding it in the session would
# hurt. UTF-16, which Excel's "Unicode Text" writes, takes twice the bytes.
MAX_IMPORT_BYTES = 2_000_000
MAX_IMPORT_ROWS = 5_000
# The preview lists at most this many rows, which a person can check by eye
# and a browser shows at once; the counts cover the rest.
PREVIEW_ROWS = 500
LIST_SEPARATOR = ";"

NOT_TEXT = gettext_lazy("This is not a CSV file: it contains binary data.")
A_WORKBOOK = gettext_lazy(
    "This is an Excel workbook (or another zip file), not CSV. In Excel choose Save As › "
    "“CSV UTF-8 (comma delimited)” or “Unicode Text”."
)
UNKNOWN_ENCODING = gettext_lazy(
    "The file is not UTF-8 text, and we could not tell which encoding it is in. In Excel "
    "choose Save As › “CSV UTF-8 (comma delimited)”; in other tools pick the UTF-8 encoding."
)
SAME_RECORD_TWICE = gettext_lazy("The same record is already on line %(line)d.")

# Excel on Windows in Western Europe and the Americas saves "CSV" in
# Windows-1252. A short file often decodes as well in several single-byte
# encodings (é and ü sit at the same place in most), and the detector's
# first choice among equals is arbitrary: take Windows-1252 when it is one.
PREFERRED_SINGLE_BYTE = "cp1252"
ENCODING_NAMES = {
    "utf_8": "UTF-8",
    "utf_16": "UTF-16",
    "utf_16_le": "UTF-16",
    "utf_16_be": "UTF-16",
    "cp1252": "Windows-1252",
    "latin_1": "Latin-1",
}
DELIMITER_NAMES = {
    ",": gettext_lazy("commas"),
    ";": gettext_lazy("semicolons"),
    "\t": gettext_lazy("tabs"),
}

# Bytes a spreadsheet's text never holds once decoded; tab, line feed and
# carriage return are text.
_CONTROL = {chr(code) for code in range(32)} - {"\t", "\n", "\r"}


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
    """One line of the file.

    ``fields`` holds what the service writes: the form's cleaned model fields
    (many-to-many ones as lists), plus ``security_contact`` or ``accesses``.
    ``changes`` names, for an update, the columns whose value would change.
    """

    line: int
    values: dict[str, str]
    action: str = ""
    fields: dict[str, Any] = field(default_factory=dict)
    existing: models.Model | None = None
    changes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class ImportPlan:
    """A file as read: its rows, or why it could not be read at all.

    ``text`` is the decoded file, kept so that the confirmation reads it
    again; ``encoding`` and ``delimiter`` say how it was read, in words.
    """

    listed_limit: ClassVar[int] = PREVIEW_ROWS

    kind: str
    rows: list[ImportRow] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    text: str = ""
    encoding: str = ""
    delimiter: str = ""

    @property
    def ok(self) -> bool:
        return not self.file_errors and bool(self.rows) and not any(r.errors for r in self.rows)

    @property
    def error_count(self) -> int:
        return len(self.file_errors) + sum(1 for row in self.rows if row.errors)

    @property
    def listed_rows(self) -> list[ImportRow]:
        """The rows the preview lists: those with problems, if any, else those that change."""
        if any(row.errors for row in self.rows):
            rows = [row for row in self.rows if row.errors]
        else:
            rows = [row for row in self.rows if row.action == "create" or row.changes]
        return rows[:PREVIEW_ROWS]

    @property
    def counts(self) -> dict[str, int]:
        """Rows that add a record, change one, and leave one as it is."""
        return {
            "create": sum(1 for row in self.rows if row.action == "create"),
            "update": sum(1 for row in self.rows if row.action == "update" and row.changes),
            "unchanged": sum(1 for row in self.rows if row.action == "update" and not row.changes),
        }


# --- what a file's rows look up, fetched once per file ---------------------------------


def _key(name: str) -> str:
    """A name as the forms compare it: spaces collapsed, case ignored."""
    return " ".join(name.split()).lower()


class Lookups:
    """The records one file's rows name or update, each table read once for the whole file.

    An inventory is thousands of rows, so reading a table whole costs less
    than a query per row and keeps the number of queries the same for a file
    of ten rows or five thousand.
    """

    def __init__(self):
        self._choice_fields: dict[tuple, forms.ModelChoiceField] = {}
        self._related: dict[str, dict[int, set[int]]] = {}

    @cached_property
    def new_vendor(self) -> Vendor:
        """The vendor a new vendor's contact belongs to while it is checked; never saved."""
        return Vendor()

    @cached_property
    def users(self) -> dict[str, User]:
        return {str(user.pk): user for user in User.objects.all()}

    @cached_property
    def _logins(self) -> dict[str, dict[str, list[User]]]:
        logins = {index: defaultdict(list) for index in ("username", "username_ci", "email_ci")}
        for user in self.users.values():
            logins["username"][user.username].append(user)
            logins["username_ci"][user.username.lower()].append(user)
            if user.email:
                logins["email_ci"][user.email.lower()].append(user)
        return logins

    def person(self, login: str) -> User | None:
        """The one user with this username (exactly, then in any case) or email, else None."""
        for index, key in (
            ("username", login),
            ("username_ci", login.lower()),
            ("email_ci", login.lower()),
        ):
            matches = self._logins[index].get(key, [])
            if len(matches) == 1:
                return matches[0]
        return None

    @cached_property
    def vendors(self) -> dict[str, Vendor]:
        return {_key(vendor.name): vendor for vendor in Vendor.objects.all()}

    @cached_property
    def data_assets(self) -> dict[str, DataAsset]:
        return {_key(asset.name): asset for asset in DataAsset.objects.all()}

    @cached_property
    def stakeholders(self) -> dict[str, Stakeholder]:
        return {_key(stakeholder.name): stakeholder for stakeholder in Stakeholder.objects.all()}

    @cached_property
    def engagements(self) -> dict[tuple[int, str], Engagement]:
        return {(e.vendor_id, _key(e.name)): e for e in Engagement.objects.all()}

    @cached_property
    def contact_emails(self) -> dict[int, set[str]]:
        emails = defaultdict(set)
        for vendor_id, email in VendorContact.objects.values_list("vendor_id", "email"):
            emails[vendor_id].add(email.lower())
        return emails

    @cached_property
    def access_descriptions(self) -> dict[int, set[str]]:
        descriptions = defaultdict(set)
        for engagement_id, description in EngagementAccess.objects.values_list(
            "engagement_id", "description"
        ):
            descriptions[engagement_id].add(description.lower())
        return descriptions

    def related_ids(self, model_field: models.ManyToManyField) -> dict[int, set[int]]:
        """For each record, the ids a many-to-many field holds: one query on its table."""
        name = f"{model_field.model._meta.label}.{model_field.name}"
        if name not in self._related:
            through = model_field.remote_field.through
            source = model_field.m2m_field_name() + "_id"
            target = model_field.m2m_reverse_field_name() + "_id"
            held = defaultdict(set)
            for owner_id, target_id in through.objects.values_list(source, target):
                held[owner_id].add(target_id)
            self._related[name] = held
        return self._related[name]

    def choice_field(self, form: forms.Form, name: str) -> forms.ModelChoiceField:
        """A form's model choice field, choosing among its objects as read once per file.

        The forms build the same queryset for every instance (active people,
        every stakeholder, every data asset), so one reading, and one field,
        serves all rows; cleaning does not change a field.
        """
        key = (type(form).__name__, name)
        if key not in self._choice_fields:
            original = form.fields[name]
            fetched = {str(obj.pk): obj for obj in original.queryset.all()}
            if isinstance(original, forms.ModelMultipleChoiceField):
                self._choice_fields[key] = _SomeFromFile(original, fetched)
            else:
                self._choice_fields[key] = _OneFromFile(original, fetched)
        return self._choice_fields[key]

    def existing(self, instance: models.Model, name: str) -> models.Model | None:
        """The record that already has this name (per vendor, for an engagement)."""
        if isinstance(instance, Engagement):
            return self.engagements.get((instance.vendor_id, _key(name)))
        if isinstance(instance, Vendor):
            return self.vendors.get(_key(name))
        return self.data_assets.get(_key(name))


# --- the pages' forms, reading one row -----------------------------------------------


class _OneFromFile(forms.ModelChoiceField):
    """A form's model choice field, choosing among its objects as read once for the file."""

    def __init__(self, original: forms.ModelChoiceField, fetched: dict[str, models.Model]):
        super().__init__(
            original.queryset, required=original.required, error_messages=original.error_messages
        )
        self.fetched = fetched

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return self.fetched[str(value)]
        except KeyError:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            ) from None


class _SomeFromFile(forms.ModelMultipleChoiceField):
    """A form's model multiple choice field, choosing among objects read once for the file."""

    def __init__(self, original: forms.ModelMultipleChoiceField, fetched: dict[str, models.Model]):
        super().__init__(
            original.queryset, required=original.required, error_messages=original.error_messages
        )
        self.fetched = fetched

    def _check_values(self, value):
        chosen = list(dict.fromkeys(str(pk) for pk in value))
        for pk in chosen:
            if pk not in self.fetched:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return [self.fetched[pk] for pk in chosen]


class _SharedFields(dict):
    """A row form's fields, shared by every row instead of deep-copied for each.

    Django copies a form's fields so that one form may change its own without
    touching another's, and that copy is most of the cost of making a form.
    Cleaning changes no field, and what the forms' ``__init__`` does change
    (the status choices) it sets alike on every row.
    """

    def __deepcopy__(self, memo):
        return dict(self)


def _shares_fields(form_class):
    """Set after the class is made: Django's metaclass sets ``base_fields`` last."""
    form_class.base_fields = _SharedFields(form_class.base_fields)
    return form_class


class _UnshownBoundField(BoundField):
    """A row form's bound field: its data and cleaning as ever, without what a page shows.

    Working out each field's label and translated help text was a quarter of
    the cost of checking a vendor row, for a form that is never shown.
    """

    def __init__(self, form, field, name):
        self.form = form
        self.field = field
        self.name = name
        self.html_name = form.add_prefix(name)
        self.html_initial_name = form.add_initial_prefix(name)
        self.html_initial_id = form.add_initial_prefix(self.auto_id)
        self.label = name
        self.help_text = ""
        self.renderer = form.renderer


class _ReadsOneRow:
    """A page's form reading one row: its own fields and checks, its lookups read once per file.

    Mixed in before the form class, it changes only where answers come from,
    and skips what only a shown form needs (ids, labels, help text):

    - model choice fields choose among their own queryset, read once per file;
      an existing record's current choice stays acceptable (a person who has
      left still owns a vendor until someone picks another owner, and an
      export names them);
    - ``name_taken`` answers from the names read once per file, and the model
      does not query again for the chosen objects the fields have found;
    - check constraints are evaluated in Python (``_condition_holds``), and a
      condition it cannot evaluate goes to the database as on the pages;
      unique constraints are the names ``name_taken`` checks, and the
      database remains the last word when the rows are saved.
    """

    bound_field_class = _UnshownBoundField

    def __init__(self, *args, lookups: Lookups, **kwargs):
        # A row form is never shown: no ids or label suffixes to work out.
        super().__init__(*args, auto_id=False, label_suffix="", **kwargs)
        self.lookups = lookups
        self.fetched_once = set()
        for name, original in list(self.fields.items()):
            if not isinstance(original, forms.ModelChoiceField):
                continue
            self.fetched_once.add(name)
            field = lookups.choice_field(self, name)
            # The only single choices are people (owners); see the docstring.
            current = getattr(self.instance, f"{name}_id", None) if self.instance.pk else None
            if current is not None and str(current) not in field.fetched:
                field = _OneFromFile(
                    field, {**field.fetched, str(current): lookups.users[str(current)]}
                )
            self.fields[name] = field

    def _get_validation_exclusions(self):
        # The model would check again, with a query, that each chosen object
        # exists; the field has just found it among the objects read for the file.
        # Cleaning asks three times, and the answer changes only with the
        # fields that have errors, so it is worked out again only then.
        errors = frozenset(self._errors or ())
        if getattr(self, "_exclusions_for", None) != errors:
            self._exclusions = super()._get_validation_exclusions() | self.fetched_once
            self._exclusions_for = errors
        return set(self._exclusions)

    def name_taken(self, name: str) -> bool:
        other = self.lookups.existing(self.instance, name)
        return other is not None and other.pk != self.instance.pk

    def validate_constraints(self):
        exclude = self._get_validation_exclusions()
        model = type(self.instance)
        errors = []
        for constraint in model._meta.constraints:
            if not isinstance(constraint, models.CheckConstraint):
                continue
            if _referenced_fields(model, constraint.name) & exclude:
                continue
            try:
                holds = _condition_holds(constraint.condition, self.instance)
            except NotImplementedError:
                try:
                    constraint.validate(model, self.instance, exclude=exclude)
                except ValidationError as exc:
                    errors.append(exc)
                continue
            if holds is False:
                errors.append(
                    ValidationError(
                        constraint.get_violation_error_message(),
                        code=constraint.violation_error_code,
                    )
                )
        if errors:
            self._update_errors(ValidationError(errors))


@_shares_fields
class VendorRowForm(_ReadsOneRow, VendorForm):
    pass


@_shares_fields
class VendorContactRowForm(_ReadsOneRow, VendorContactForm):
    pass


@_shares_fields
class DataAssetRowForm(_ReadsOneRow, DataAssetForm):
    pass


@_shares_fields
class EngagementRowForm(_ReadsOneRow, EngagementForm):
    pass


@_shares_fields
class EngagementAccessRowForm(_ReadsOneRow, EngagementAccessForm):
    pass


_COMPARISONS = {
    "exact": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
    "in": lambda value, options: value in options,
}


@cache
def _referenced_fields(model: type[models.Model], constraint_name: str) -> frozenset[str]:
    """The fields a check constraint's condition names."""
    constraint = next(c for c in model._meta.constraints if c.name == constraint_name)
    return frozenset(_names_in(constraint.condition))


def _names_in(condition: Q) -> set[str]:
    names = set()
    for child in condition.children:
        if isinstance(child, Q):
            names |= _names_in(child)
            continue
        lookup, expected = child
        names.add(lookup.split("__")[0])
        if isinstance(expected, F):
            names.add(expected.name)
    return names


def _condition_holds(condition: Q, instance: models.Model) -> bool | None:
    """What the database would answer for a check constraint: True, False or None (unknown).

    As in SQL, a comparison with NULL is unknown, and a constraint fails only
    on False. Only plain comparisons of the record's own fields are
    understood; anything else raises NotImplementedError.
    """
    answers = []
    for child in condition.children:
        if isinstance(child, Q):
            answers.append(_condition_holds(child, instance))
            continue
        lookup, expected = child
        name, _, comparison = lookup.partition("__")
        value = getattr(instance, instance._meta.get_field(name).attname)
        if comparison == "isnull":
            answers.append((value is None) == expected)
            continue
        if isinstance(expected, F):
            expected = getattr(instance, instance._meta.get_field(expected.name).attname)
        elif hasattr(expected, "resolve_expression"):
            raise NotImplementedError(lookup)
        compare = _COMPARISONS.get(comparison or "exact")
        if compare is None:
            raise NotImplementedError(lookup)
        answers.append(None if value is None or expected is None else compare(value, expected))
    if condition.connector == Q.AND:
        result = False if False in answers else None if None in answers else True
    elif condition.connector == Q.OR:
        result = True if True in answers else None if None in answers else False
    else:
        raise NotImplementedError(condition.connector)
    if condition.negated and result is not None:
        return not result
    return result


def _form_errors(form: forms.BaseForm, columns: dict[str, str] | None = None) -> list[str]:
    """The form's own messages, each led by the column it is about."""
    columns = columns or {}
    return [
        message if name == NON_FIELD_ERRORS else f"{columns.get(name, name)}: {message}"
        for name, messages in form.errors.items()
        for message in messages
    ]


# --- cell spellings: what a spreadsheet holds, as the form takes it --------------------
# These only translate; the forms decide what is valid.


def _spelt(text: str) -> str:
    return text.strip().lower().replace(" ", "_").replace("-", "_")


@cache
def _spellings(choices: type[models.TextChoices], language: str | None) -> dict[str, str]:
    """Each choice's value and label, as a cell may spell them, to the value."""
    spellings = {}
    for choice in choices:
        spellings[_spelt(str(choice.label))] = choice.value
        spellings[choice.value] = choice.value
    return spellings


def _choice(value: str, column: str, choices: type[models.TextChoices], default: str) -> str:
    if not value:
        return default
    try:
        return _spellings(choices, get_language())[_spelt(value)]
    except KeyError:
        raise RowError(
            _("%(column)s “%(value)s” is not one of: %(allowed)s.")
            % {"column": column, "value": value, "allowed": ", ".join(choices.values)}
        ) from None


def _number(value: str) -> str:
    """``120,000`` or ``120 000`` as the form's number field takes it."""
    return value.replace(",", "").replace("_", "").replace(" ", "")


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


def _date(value: str, column: str) -> str:
    """Only ISO dates: 03/04/2026 is March in one country and April in the next."""
    if not value:
        return ""
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise RowError(
            _("%(column)s “%(value)s” is not a date like 2026-03-31.")
            % {"column": column, "value": value}
        ) from None


def _person(value: str, column: str, lookups: Lookups) -> str:
    if not value:
        return ""
    user = lookups.person(value)
    if user is None:
        raise RowError(
            _("%(column)s “%(value)s” is not the username or email of one BreachDesk user.")
            % {"column": column, "value": value}
        )
    return str(user.pk)


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(LIST_SEPARATOR) if part.strip()]


def _names(
    value: str, column: str, records: dict[str, models.Model], what: str
) -> list[models.Model]:
    wanted = _split(value)
    missing = [name for name in wanted if _key(name) not in records]
    if missing:
        raise RowError(
            _("%(column)s: no %(what)s named %(names)s. Add them first, or fix the spelling.")
            % {"column": column, "what": what, "names": ", ".join(f"“{n}”" for n in missing)}
        )
    return [records[_key(name)] for name in wanted]


def _accesses(value: str) -> list[dict[str, str]]:
    """``key: S3 upload token; SSO group`` → kind and description of each grant."""
    accesses = []
    for entry in _split(value):
        kind, separator, description = entry.partition(":")
        if separator and kind.strip().lower() in EngagementAccess.Kind.values:
            accesses.append({"kind": kind.strip().lower(), "description": description.strip()})
        else:
            accesses.append({"kind": EngagementAccess.Kind.SYSTEM, "description": entry})
    return accesses


# --- reading a row of each sheet -----------------------------------------------------


def _editable(record: models.Model | None) -> models.Model | None:
    """A copy for the form to fill in, so that the record still says what it was."""
    return copy.copy(record) if record is not None else None


def _status(row: ImportRow, model: type[Vendor | Engagement], existing) -> str:
    """The status the row asks for; an empty cell keeps the current one.

    Importing never moves a status into or out of "paused" (an incident's
    pause and two-person resume do): a refused move is a row error, and the
    form is given the current status so that it checks the rest of the row.
    """
    current = existing.status if existing is not None else None
    default = current or model.Status.ACTIVE
    wanted = _choice(row.values.get("status", ""), "status", model.Status, default)
    error = status_change_error(current=current, new=wanted)
    if error:
        row.errors.append(f"status: {error}")
        return default
    return wanted


def _fields(form: forms.ModelForm) -> dict[str, Any]:
    """The cleaned values of the model's own fields, as the service writes them."""
    names = {f.name for f in form._meta.model._meta.get_fields()}
    return {
        name: list(value) if isinstance(value, models.QuerySet) else value
        for name, value in form.cleaned_data.items()
        if name in names
    }


def _changed_columns(record: models.Model, fields: dict[str, Any], lookups: Lookups) -> list[str]:
    """The columns whose value differs from the record's."""
    changed = []
    for name, value in fields.items():
        model_field = record._meta.get_field(name)
        if model_field.many_to_many:
            current = lookups.related_ids(model_field).get(record.pk, set())
            if current != {obj.pk for obj in value}:
                changed.append(name)
        elif model_field.is_relation:
            if getattr(record, model_field.attname) != (value.pk if value else None):
                changed.append(name)
        elif getattr(record, name) != value:
            changed.append(name)
    return changed


def _read_vendor(row: ImportRow, lookups: Lookups) -> None:
    values = row.values
    existing = lookups.vendors.get(_key(values.get("name", "")))
    data = {
        "name": values.get("name", ""),
        "services": values.get("services", ""),
        "tier": _choice(values.get("tier", ""), "tier", Vendor.Tier, Vendor.Tier.MEDIUM),
        "status": _status(row, Vendor, existing),
        "relationship_owner": _person(
            values.get("relationship_owner", ""), "relationship_owner", lookups
        ),
        "notify_us_within_hours": _number(values.get("notify_us_within_hours", "")),
        "jurisdictions": values.get("jurisdictions", ""),
    }
    form = VendorRowForm(data, instance=_editable(existing), lookups=lookups)
    row.errors.extend(_form_errors(form))
    contact = None
    contact_name = values.get("security_contact_name", "")
    contact_email = values.get("security_contact_email", "")
    # A contact the vendor already has (the same email) is left as it is.
    known = existing is not None and contact_email.lower() in lookups.contact_emails[existing.pk]
    if (contact_name or contact_email) and not known:
        contact_form = VendorContactRowForm(
            {
                "name": contact_name,
                "email": contact_email,
                "role": _("Security contact"),
                "is_security_contact": True,
            },
            vendor=existing or lookups.new_vendor,
            lookups=lookups,
        )
        row.errors.extend(
            _form_errors(
                contact_form,
                {"name": "security_contact_name", "email": "security_contact_email"},
            )
        )
        contact = _fields(contact_form) if contact_form.is_valid() else None
    if row.errors:
        return
    row.existing = existing
    row.fields = _fields(form)
    if existing is not None and not values.get("status"):
        row.fields.pop("status", None)
    if existing is not None:
        row.changes = _changed_columns(existing, row.fields, lookups)
    if contact is not None:
        row.fields["security_contact"] = contact
        if existing is not None:
            row.changes.append("security_contact_email")


def _read_data_asset(row: ImportRow, lookups: Lookups) -> None:
    values = row.values
    existing = lookups.data_assets.get(_key(values.get("name", "")))
    stakeholders = _names(
        values.get("stakeholders", ""), "stakeholders", lookups.stakeholders, _("stakeholder")
    )
    data = {
        "name": values.get("name", ""),
        "kind": _choice(values.get("kind", ""), "kind", DataAsset.Kind, DataAsset.Kind.DATASET),
        "classification": _choice(
            values.get("classification", ""),
            "classification",
            DataAsset.Classification,
            DataAsset.Classification.CONFIDENTIAL,
        ),
        "owning_team": values.get("owning_team", ""),
        "approx_records": _number(values.get("approx_records", "")),
        "personal_data": _yes_no(values.get("personal_data", ""), "personal_data"),
        "special_category_data": _yes_no(
            values.get("special_category_data", ""), "special_category_data"
        ),
        "health_data": _yes_no(values.get("health_data", ""), "health_data"),
        "financial_data": _yes_no(values.get("financial_data", ""), "financial_data"),
        "subject_jurisdictions": values.get("subject_jurisdictions", ""),
        "stakeholders": [str(stakeholder.pk) for stakeholder in stakeholders],
        "description": values.get("description", ""),
    }
    form = DataAssetRowForm(data, instance=_editable(existing), lookups=lookups)
    row.errors.extend(_form_errors(form))
    if row.errors:
        return
    row.existing = existing
    row.fields = _fields(form)
    if existing is not None:
        row.changes = _changed_columns(existing, row.fields, lookups)


def _read_engagement(row: ImportRow, lookups: Lookups) -> None:
    values = row.values
    vendor_name = values.get("vendor", "")
    if not vendor_name:
        raise RowError(_("vendor is empty; every row needs one."))
    vendor = _names(vendor_name, "vendor", lookups.vendors, _("vendor"))[0]
    existing = lookups.engagements.get((vendor.pk, _key(values.get("name", ""))))
    data_assets = _names(
        values.get("data_assets", ""), "data_assets", lookups.data_assets, _("data asset")
    )
    data = {
        "name": values.get("name", ""),
        "description": values.get("description", ""),
        "owner": _person(values.get("owner", ""), "owner", lookups),
        "status": _status(row, Engagement, existing),
        "started_on": _date(values.get("started_on", ""), "started_on"),
        "ended_on": _date(values.get("ended_on", ""), "ended_on"),
        "data_assets": [str(asset.pk) for asset in data_assets],
    }
    form = EngagementRowForm(data, instance=_editable(existing), vendor=vendor, lookups=lookups)
    row.errors.extend(_form_errors(form))
    accesses = []
    for access in _accesses(values.get("access", "")):
        access_form = EngagementAccessRowForm(access, lookups=lookups)
        row.errors.extend(_form_errors(access_form, {"description": "access", "kind": "access"}))
        if access_form.is_valid():
            accesses.append(_fields(access_form))
    if row.errors:
        return
    row.existing = existing
    row.fields = {"vendor": vendor, **_fields(form)}
    if existing is not None and not values.get("status"):
        row.fields.pop("status", None)
    if existing is not None:
        row.changes = _changed_columns(existing, row.fields, lookups)
        granted = lookups.access_descriptions[existing.pk]
        accesses = [a for a in accesses if a["description"].lower() not in granted]
        if accesses:
            row.changes.append("access")
    row.fields["accesses"] = accesses


def _name_identity(values: dict[str, str], lookups: Lookups) -> tuple:
    return (_key(values.get("name", "")),)


def _engagement_identity(values: dict[str, str], lookups: Lookups) -> tuple:
    vendor = lookups.vendors.get(_key(values.get("vendor", "")))
    return (vendor.pk if vendor else _key(values.get("vendor", "")), _key(values.get("name", "")))


# --- writing each sheet: the same columns, spelt as they are read --------------------


def _login(user: User | None) -> str:
    return user.username if user else ""


def _optional(value) -> str:
    return "" if value is None else str(value)


def _yes_or_no(value: bool) -> str:
    return "yes" if value else "no"


def _joined(names: Iterable[str]) -> str:
    return f"{LIST_SEPARATOR} ".join(sorted(names, key=str.lower))


def _vendor_cells(vendor: Vendor) -> list[str]:
    contact = vendor.security_contacts[0] if vendor.security_contacts else None
    return [
        vendor.name,
        vendor.services,
        vendor.tier,
        vendor.status,
        _login(vendor.relationship_owner),
        _optional(vendor.notify_us_within_hours),
        f"{LIST_SEPARATOR} ".join(vendor.jurisdictions),
        contact.name if contact else "",
        contact.email if contact else "",
    ]


def _data_asset_cells(asset: DataAsset) -> list[str]:
    return [
        asset.name,
        asset.kind,
        asset.classification,
        asset.owning_team,
        _optional(asset.approx_records),
        _yes_or_no(asset.personal_data),
        _yes_or_no(asset.special_category_data),
        _yes_or_no(asset.health_data),
        _yes_or_no(asset.financial_data),
        f"{LIST_SEPARATOR} ".join(asset.subject_jurisdictions),
        _joined(stakeholder.name for stakeholder in asset.stakeholders.all()),
        asset.description,
    ]


def _engagement_cells(engagement: Engagement) -> list[str]:
    return [
        engagement.vendor.name,
        engagement.name,
        engagement.description,
        _login(engagement.owner),
        engagement.status,
        _optional(engagement.started_on),
        _optional(engagement.ended_on),
        _joined(asset.name for asset in engagement.data_assets.all()),
        f"{LIST_SEPARATOR} ".join(
            f"{access.kind}: {access.description}" for access in engagement.accesses.all()
        ),
    ]


def _vendors_for_export(queryset):
    return queryset.select_related("relationship_owner").prefetch_related(
        Prefetch(
            "contacts",
            queryset=VendorContact.objects.filter(is_security_contact=True),
            to_attr="security_contacts",
        )
    )


def _data_assets_for_export(queryset):
    return queryset.prefetch_related("stakeholders")


def _engagements_for_export(queryset):
    return (
        queryset.select_related("vendor", "owner")
        .prefetch_related("data_assets", "accesses")
        .order_by(Lower("vendor__name"), Lower("name"))
    )


# --- the three spreadsheets ------------------------------------------------


@dataclass(frozen=True)
class ImportKind:
    slug: str
    label: str
    model: type[models.Model]
    columns: tuple[Column, ...]
    read_row: Callable[[ImportRow, Lookups], None]
    identity: Callable[[dict[str, str], Lookups], tuple]
    for_export: Callable[[models.QuerySet], models.QuerySet]
    cells: Callable[[models.Model], list[str]]

    @property
    def header(self) -> list[str]:
        return [column.name for column in self.columns]


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
                    gettext_lazy(
                        "active or offboarded (default active); empty keeps the current status."
                    ),
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
                    gettext_lazy("Their security contact (optional); added if new."),
                    "Dana Ruiz",
                ),
                Column(
                    "security_contact_email",
                    gettext_lazy("That contact's email."),
                    "security@parallax.example",
                ),
            ),
            read_row=_read_vendor,
            identity=_name_identity,
            for_export=_vendors_for_export,
            cells=_vendor_cells,
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
            identity=_name_identity,
            for_export=_data_assets_for_export,
            cells=_data_asset_cells,
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
                    "status",
                    gettext_lazy(
                        "active or ended (default active); empty keeps the current status."
                    ),
                    "active",
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
                        "account, key, network) and a colon to say what it is; new entries "
                        "are added."
                    ),
                    "key: S3 upload token",
                ),
            ),
            read_row=_read_engagement,
            identity=_engagement_identity,
            for_export=_engagements_for_export,
            cells=_engagement_cells,
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


def _decode(data: bytes) -> tuple[str, str]:
    """The text of an upload and the name of its encoding, or RowError saying why not.

    UTF-8 (with or without a byte-order mark) is taken as it is; anything else
    (Excel's UTF-16 "Unicode Text", Windows-1252 and Latin-1 "CSV") is
    detected. NUL bytes are text in UTF-16, so binary files are recognised by
    the control characters left once decoded.
    """
    too_large = file_too_large(len(data))
    if too_large:
        raise RowError(too_large)
    if data.startswith(b"PK\x03\x04"):
        raise RowError(str(A_WORKBOOK))
    try:
        text, encoding = data.decode("utf-8-sig"), "utf_8"
    except UnicodeDecodeError:
        text, encoding = _detect(data)
    if not _CONTROL.isdisjoint(text):
        raise RowError(str(NOT_TEXT))
    return text, ENCODING_NAMES.get(encoding, codecs.lookup(encoding).name)


def _detect(data: bytes) -> tuple[str, str]:
    matches = charset_normalizer.from_bytes(data)
    best = matches.best()
    if best is None:
        if b"\x00" in data:
            raise RowError(str(NOT_TEXT))
        raise RowError(str(UNKNOWN_ENCODING))
    if not best.bom:
        for match in matches:
            if (match.chaos, match.coherence) != (best.chaos, best.coherence):
                continue
            if PREFERRED_SINGLE_BYTE in match.could_be_from_charset:
                return data.decode(PREFERRED_SINGLE_BYTE), PREFERRED_SINGLE_BYTE
    return str(best), best.encoding


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


def _formula_cells(values: dict[str, str]) -> list[str]:
    """Cells a spreadsheet would run, spaces first or not; a signed number such as -4 is not."""
    return [
        _(
            "%(column)s starts with “%(char)s”, which a spreadsheet would run as a formula "
            "(“%(value)s”). Remove the leading character."
        )
        % {"column": column, "char": value.lstrip()[0], "value": value[:40]}
        for column, value in values.items()
        if is_formula(value)
    ]


def read_import(kind_slug: str, data: bytes) -> ImportPlan:
    kind = KINDS[kind_slug]
    plan = ImportPlan(kind=kind_slug)
    try:
        text, plan.encoding = _decode(data)
    except RowError as exc:
        plan.file_errors.append(str(exc))
        return plan
    if not text.strip():
        plan.file_errors.append(_("The file is empty."))
        return plan
    plan.text = text

    delimiter = _delimiter(text.splitlines()[0])
    plan.delimiter = str(DELIMITER_NAMES[delimiter])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
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

    lookups = Lookups()
    seen: dict[tuple, int] = {}
    for line, cells in body:
        row = ImportRow(line=line, values={})
        plan.rows.append(row)
        if len(cells) > len(header):
            row.errors.append(
                _("This row has %(cells)d cells but the header has %(columns)d columns.")
                % {"cells": len(cells), "columns": len(header)}
            )
            continue
        raw = {name: cell.strip() for name, cell in zip(header, cells, strict=False) if name}
        row.errors.extend(_formula_cells(raw))
        # A cell our export neutralised reads back as it was.
        row.values = {name: unneutralise(value).strip() for name, value in raw.items()}
        if row.errors:
            continue
        identity = kind.identity(row.values, lookups)
        if identity in seen:
            row.errors.append(SAME_RECORD_TWICE % {"line": seen[identity]})
            continue
        seen[identity] = line
        try:
            kind.read_row(row, lookups)
        except RowError as exc:
            row.errors.append(str(exc))
            continue
        if not row.errors:
            row.action = "update" if row.existing is not None else "create"
    return plan


def template_csv(kind_slug: str) -> str:
    kind = KINDS[kind_slug]
    out = io.StringIO()
    csv.writer(out).writerow(kind.header)
    return out.getvalue()


def export_rows(kind_slug: str, queryset: models.QuerySet) -> Iterable[list[str]]:
    """Each record of ``queryset`` as a row under the kind's template header."""
    kind = KINDS[kind_slug]
    return (kind.cells(record) for record in kind.for_export(queryset).iterator(chunk_size=500))
