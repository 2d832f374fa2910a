"""The timeline review page's filters (django-filter): the filter state lives in the URL."""

from datetime import date, datetime, time, timedelta

import django_filters
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.models import TimelineEntry

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
