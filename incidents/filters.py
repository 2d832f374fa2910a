"""Filters (django-filter) whose state lives in the URL: the incident list and the timeline review.

Every filter of the incident list and its sorts reads an index; every date
is range-checked so that a typed year 9999 is a message, not an overflow.
"""

from datetime import date, datetime, time, timedelta

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from breachdesk.fields import OneQueryChoices
from breachdesk.models import User
from breachdesk.roles import COMMANDER
from incidents.models import OPEN_PHASES, Incident, TimelineEntry
from incidents.selectors.lists import NEAREST_DEADLINE, NEWEST_FIRST, URGENCY, incident_search

OPEN = "open"
ALL = "all"
# Dates outside these years are typing mistakes, not incidents.
EARLIEST_YEAR = 1990
LATEST_YEAR = 2100
DATE_OUT_OF_RANGE = _("Give a date between %(first)s and %(last)s.") % {
    "first": EARLIEST_YEAR,
    "last": LATEST_YEAR,
}
RANGE_REVERSED = _("The first date is after the second.")

SORTS = {"urgency": URGENCY, "deadline": NEAREST_DEADLINE, "newest": NEWEST_FIRST}


class _DateRangeField(django_filters.fields.DateRangeField):
    """Two dates (``aware_after``, ``aware_before``), each a plausible year, in order."""

    def clean(self, value):
        cleaned = super().clean(value)
        if cleaned:
            first, last = cleaned.start, cleaned.stop
            for moment in (first, last):
                if moment and not (EARLIEST_YEAR <= moment.year <= LATEST_YEAR):
                    raise ValidationError(DATE_OUT_OF_RANGE, code="out_of_range")
            if first and last and first > last:
                raise ValidationError(RANGE_REVERSED, code="reversed")
        return cleaned


class _DateRangeFilter(django_filters.DateFromToRangeFilter):
    field_class = _DateRangeField


class _YesNoAny(django_filters.widgets.BooleanWidget):
    """``true``/``false``/empty, shown as Yes, No and Any (django-filter says "Unknown")."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", _("Any")), ("true", _("Yes")), ("false", _("No"))]


class _PersonField(django_filters.fields.ModelChoiceField):
    # No "none" choice (null_label) here, which django-filter's own iterator adds.
    iterator = OneQueryChoices


class _PersonFilter(django_filters.ModelChoiceFilter):
    field_class = _PersonField


def _commanders(request) -> QuerySet[User]:
    return User.objects.filter(is_active=True, groups__name=COMMANDER).order_by("username")


class IncidentFilter(django_filters.FilterSet):
    """``?state=&severity=&vendor=&commander=&aware_after=&aware_before=&overdue=&restricted=&q=&sort=``.

    ``state`` is ``open`` (the default), ``all`` or one phase; ``vendor`` a
    vendor's slug; ``commander`` a user id; the aware dates are ISO dates
    (local midnight bounds, as django-filter's DateFromToRangeFilter reads
    them); ``overdue`` and ``restricted`` are ``true``/``false``; ``sort`` is
    ``urgency`` (the default: nearest owed deadline, then severity, then
    overdue tasks), ``deadline`` or ``newest``. Every filter and sort reads an
    index (incidents/models.py, migration ``0010_speed_at_scale``).
    """

    q = django_filters.CharFilter(label=_("Search"), method="filter_search", max_length=200)
    state = django_filters.ChoiceFilter(
        label=_("Phase"),
        choices=[(OPEN, _("All open")), (ALL, _("All")), *Incident.Phase.choices],
        method="filter_state",
        empty_label=None,
    )
    severity = django_filters.ChoiceFilter(choices=Incident.Severity.choices, empty_label=_("Any"))
    vendor = django_filters.CharFilter(label=_("Vendor"), method="filter_vendor", max_length=200)
    commander = _PersonFilter(label=_("Commander"), queryset=_commanders, empty_label=_("Anyone"))
    aware = _DateRangeFilter(
        label=_("Aware between"),
        field_name="discovered_at",
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )
    overdue = django_filters.BooleanFilter(
        label=_("Has an overdue deadline"),
        method="filter_overdue",
        widget=_YesNoAny,
    )
    restricted = django_filters.BooleanFilter(label=_("Restricted"), widget=_YesNoAny)
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=[
            ("urgency", _("Most urgent first")),
            ("deadline", _("Next deadline")),
            ("newest", _("Newest first")),
        ],
        method="filter_sort",
        empty_label=None,
    )

    class Meta:
        model = Incident
        fields = ["q", "state", "severity", "vendor", "commander", "restricted"]

    def __init__(self, data: QueryDict | None = None, *args, **kwargs):
        # The default view is the open incidents, most urgent first; a bound
        # form always, so that those defaults apply without a query string.
        data = data.copy() if data is not None else QueryDict(mutable=True)
        data.setdefault("state", OPEN)
        data.setdefault("sort", "urgency")
        super().__init__(data, *args, **kwargs)

    def filter_state(self, queryset, name, value):
        if value == OPEN:
            # "IN (the open phases)", not "<> closed": an index condition,
            # so the COUNT is an index-only scan of incident_visibility_idx.
            return queryset.filter(phase__in=OPEN_PHASES)
        if value == ALL:
            # Every phase, spelled out for the same reason: without an index
            # condition the commander's COUNT of all incidents read the table.
            return queryset.filter(phase__in=Incident.Phase.values)
        return queryset.filter(phase=value)

    def filter_vendor(self, queryset, name, value):
        # EXISTS on the join table's (incident, vendor) index: no join, no DISTINCT.
        links = Incident.vendors.through.objects.filter(incident=OuterRef("pk"), vendor__slug=value)
        return queryset.filter(Exists(links))

    def filter_overdue(self, queryset, name, value):
        overdue = Q(next_deadline_at__lt=timezone.now())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_search(self, queryset, name, value):
        return incident_search(queryset, value)

    def filter_sort(self, queryset, name, value):
        return queryset.order_by(*SORTS[value])


# Range-checked so that a typed year 9999 (or 0001) is a message, not an overflow.
EARLIEST_DATE = date(1990, 1, 1)
LATEST_DATE = date(2100, 12, 31)
_DATE_RANGE = [
    MinValueValidator(EARLIEST_DATE, _("Pick a date from 1990 on.")),
    MaxValueValidator(LATEST_DATE, _("Pick a date before 2101.")),
]


def _start_of(day: date) -> datetime:
    """Midnight of ``day`` in the reader's zone (the middleware activates it), as aware time."""
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


class TimelineFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=200)
    kind = django_filters.ChoiceFilter(
        label=_("What"), choices=TimelineEntry.Kind.choices, empty_label=_("Everything")
    )
    actor = django_filters.ChoiceFilter(
        label=_("Who"), field_name="actor_name", empty_label=_("Anyone")
    )
    occurred_from = django_filters.DateFilter(
        label=_("From (your time zone)"),
        method="occurred_from_day",
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=_DATE_RANGE,
    )
    occurred_to = django_filters.DateFilter(
        label=_("To (your time zone)"),
        method="occurred_to_day",
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=_DATE_RANGE,
    )
    privileged = django_filters.ChoiceFilter(
        label=_("Privileged"),
        method="privileged_only",
        choices=[("yes", _("Privileged notes only")), ("no", _("Leave them out"))],
        empty_label=_("Include"),
    )
    sort = django_filters.OrderingFilter(
        label=_("Order"),
        fields=(("seq", "recorded"), ("occurred_at", "occurred")),
        field_labels={"seq": _("As recorded"), "occurred_at": _("When it happened")},
        empty_label=None,
    )

    class Meta:
        model = TimelineEntry
        fields = ["q", "kind", "actor", "occurred_from", "occurred_to", "privileged"]

    def __init__(self, *args, actors: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["actor"].extra["choices"] = [(name, name) for name in actors]

    def search(self, queryset, name, value):
        """Every word must appear in the entry's summary or in who recorded it."""
        for term in value.split():
            queryset = queryset.filter(Q(summary__icontains=term) | Q(actor_name__icontains=term))
        return queryset

    def occurred_from_day(self, queryset, name, value):
        return queryset.filter(occurred_at__gte=_start_of(value))

    def occurred_to_day(self, queryset, name, value):
        return queryset.filter(occurred_at__lt=_start_of(value + timedelta(days=1)))

    def privileged_only(self, queryset, name, value):
        if value == "yes":
            return queryset.filter(data__privileged=True)
        # Not exclude(data__privileged=True): on SQLite, Django's negated JSON
        # boolean lookup also drops entries that have no "privileged" key.
        return queryset.filter(Q(data__privileged=False) | Q(data__privileged__isnull=True))

    def filter_queryset(self, queryset):
        """Filters, then a stable order: ties (same occurred time) fall back to seq."""
        queryset = super().filter_queryset(queryset)
        chosen = self.form.cleaned_data.get("sort") or ["recorded"]
        order = [self.filters["sort"].get_ordering_value(param) for param in chosen]
        tiebreak = "-seq" if order[0].startswith("-") else "seq"
        return queryset.order_by(*order, tiebreak)
