"""Form fields that keep out-of-range ids, dates and times away from the code behind a form.

A browser sends whatever it is given: ``vendors=9223372036854775808``, a
400-digit person id, a date in year 1. Django guards ``pk=`` lookups against
integers the database cannot hold, but not ``pk__in``, and SQLite's driver
raises ``OverflowError`` on them; a year-1 time cannot even be moved to UTC
from a zone east of Greenwich, and the clock engine refuses it. These fields
answer such input with the field's own message instead, before any query.
"""

import difflib
from collections.abc import Callable
from datetime import date, datetime
from functools import cache

from django import forms
from django.core.exceptions import ValidationError
from django.db import connections
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from breachdesk.validators import UNKNOWN_TIME_ZONE, available_time_zones

# Nothing BreachDesk records (a breach, a decision, a filing, an engagement)
# happened before 1990 or is planned after 2099; a year outside is a typo.
EARLIEST_DATE = date(1990, 1, 1)
LATEST_DATE = date(2099, 12, 31)

TOO_EARLY = _("Check the year: nothing before 1990 is plausible here.")
TOO_LATE = _("Check the year: nothing after 2099 is plausible here.")


def _is_out_of_range_id(queryset, value) -> bool:
    """True for a whole number that cannot be an id of ``queryset``'s model.

    Anything that is not a whole number is left to the field, which already
    refuses it with its own message.
    """
    field = queryset.model._meta.pk
    ops = connections[queryset.db].ops
    if field.get_internal_type() not in ops.integer_field_ranges:
        return False
    try:
        number = int(str(value).strip())
    except ValueError:
        return False
    _lowest, highest = ops.integer_field_range(field.get_internal_type())
    # Ids start at 1; zero and negatives name nothing either.
    return not 1 <= number <= highest


class OneQueryChoices(forms.models.ModelChoiceIterator):
    """A model field's choices, read with one plain query.

    Django reads them through ``QuerySet.iterator()``, which on PostgreSQL
    opens a server-side cursor (DECLARE, FETCH and CLOSE: three round trips,
    and a cursor held to the end of the transaction) for what is a short list
    of choices drawn into a page.
    """

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


class IdChoiceField(forms.ModelChoiceField):
    """A ``ModelChoiceField`` that answers an impossible id with its "invalid choice" message."""

    iterator = OneQueryChoices

    def to_python(self, value):
        if (
            value not in self.empty_values
            and self.to_field_name is None
            and not isinstance(value, self.queryset.model)
            and _is_out_of_range_id(self.queryset, value)
        ):
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return super().to_python(value)


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A ``ModelMultipleChoiceField`` that refuses impossible ids before its ``pk__in`` query."""

    iterator = OneQueryChoices

    def clean(self, value):
        if self.to_field_name is None and isinstance(value, (list, tuple)):
            for pk in value:
                if _is_out_of_range_id(self.queryset, pk):
                    raise ValidationError(
                        self.error_messages["invalid_choice"],
                        code="invalid_choice",
                        params={"value": pk},
                    )
        return super().clean(value)


class MomentField(forms.DateTimeField):
    """A date and time from 1990 to 2099, and no later than ``latest()`` when given.

    Pass ``latest`` for events that have already happened (a breach, a
    decision, a filing), so that a time in the future is refused with the
    ``too_late`` message the form gives. The years are checked on the clock
    as typed, in the zone it was typed in, so the message means what it says.
    """

    default_error_messages = {"too_early": TOO_EARLY, "too_late": TOO_LATE}

    def __init__(self, *, latest: Callable[[], datetime] | None = None, **kwargs):
        self.latest = latest
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if getattr(widget, "input_type", "") == "datetime-local":
            attrs["min"] = f"{EARLIEST_DATE.isoformat()}T00:00"
        return attrs

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        if value.date() < EARLIEST_DATE:
            raise ValidationError(self.error_messages["too_early"], code="too_early")
        if value.date() > LATEST_DATE or (self.latest and value > self.latest()):
            raise ValidationError(self.error_messages["too_late"], code="too_late")


class PlausibleDateField(forms.DateField):
    """A calendar date from 1990 to 2099."""

    default_error_messages = {"too_early": TOO_EARLY, "too_late": TOO_LATE}

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if isinstance(widget, forms.DateInput):
            attrs.update(min=EARLIEST_DATE.isoformat(), max=LATEST_DATE.isoformat())
        return attrs

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        if value < EARLIEST_DATE:
            raise ValidationError(self.error_messages["too_early"], code="too_early")
        if value > LATEST_DATE:
            raise ValidationError(self.error_messages["too_late"], code="too_late")


@cache
def _zone_options() -> str:
    """Every zone as ``<option>`` tags, built once per process (the list never changes)."""
    return format_html_join("", '<option value="{}">', ((zone,) for zone in available_time_zones()))


@cache
def _zones_by_folded_name() -> dict[str, str]:
    return {zone.casefold(): zone for zone in available_time_zones()}


class TimeZoneInput(forms.TextInput):
    """A text box tied to a ``<datalist>`` of every zone: the browser filters it as one types.

    Searching needs no script (HTML Living Standard, "The datalist element"),
    and the page carries the ~600 names as one prebuilt string instead of a
    ``<select>`` rendered option by option.
    """

    def render(self, name, value, attrs=None, renderer=None):
        attrs = dict(attrs or {})
        list_id = f"{attrs.get('id') or 'id_' + name}-zones"
        attrs.update(list=list_id, autocomplete="off", spellcheck="false")
        box = super().render(name, value, attrs, renderer)
        return format_html('{}<datalist id="{}">{}</datalist>', box, list_id, _zone_options())


class TimeZoneField(forms.CharField):
    """An IANA zone name, typed with suggestions; cleans to the name's exact spelling.

    "europe/berlin" is taken as ``Europe/Berlin``; a near miss ("Europe/Berln")
    is refused with the nearest names offered; empty is allowed when
    ``required=False`` and cleans to "". Legacy aliases (``US/Pacific``) are
    not offered and not accepted: each has a regional name.
    """

    widget = TimeZoneInput

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("error_messages", {})
        kwargs["error_messages"].setdefault(
            "max_length",
            _("A time zone name has at most %(limit_value)d characters, such as Europe/Berlin."),
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        zone = _zones_by_folded_name().get(value.casefold())
        if zone:
            return zone
        nearest = difflib.get_close_matches(value, available_time_zones(), n=3, cutoff=0.6)
        if nearest:
            raise ValidationError(
                _("“%(value)s” is not a time zone we know. Did you mean %(nearest)s?"),
                code="unknown_time_zone",
                params={"value": value, "nearest": _(" or ").join(nearest)},
            )
        raise ValidationError(UNKNOWN_TIME_ZONE, code="unknown_time_zone", params={"value": value})
