import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vendors.models import DataAsset, Stakeholder, Vendor


def _search(fields):
    def search(queryset, name, value):
        terms = value.split()
        for term in terms:
            condition = Q()
            for field in fields:
                condition |= Q(**{f"{field}__icontains": term})
            queryset = queryset.filter(condition)
        return queryset

    return search


class VendorFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"), method=_search(("name", "services")), max_length=200
    )
    tier = django_filters.ChoiceFilter(choices=Vendor.Tier.choices, empty_label=_("Any tier"))
    status = django_filters.ChoiceFilter(choices=Vendor.Status.choices, empty_label=_("Any status"))
    has_open_incident = django_filters.BooleanFilter(
        label=_("Open incident"),
        widget=django_filters.widgets.BooleanWidget,
    )
    sort = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(
            ("sort_name", "name"),
            ("tier_rank", "tier"),
            ("status", "status"),
            ("updated_at", "updated"),
        ),
        field_labels={
            "sort_name": _("Name"),
            "tier_rank": _("Tier"),
            "status": _("Status"),
            "updated_at": _("Last updated"),
        },
        empty_label=None,
    )

    class Meta:
        model = Vendor
        fields = ["q", "tier", "status"]


class DataAssetFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"), method=_search(("name", "description", "owning_team")), max_length=200
    )
    kind = django_filters.ChoiceFilter(choices=DataAsset.Kind.choices, empty_label=_("Any kind"))
    personal_data = django_filters.BooleanFilter(label=_("Personal data"))

    class Meta:
        model = DataAsset
        fields = ["q", "kind", "personal_data"]


class StakeholderFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method=_search(("name",)), max_length=200)
    kind = django_filters.ChoiceFilter(choices=Stakeholder.Kind.choices, empty_label=_("Any kind"))

    class Meta:
        model = Stakeholder
        fields = ["q", "kind"]
