"""The inventory's REST resources: vendors, engagements, data assets and stakeholders.

Read by those whose role reads the inventory; created and changed by
inventory editors, through the same forms (the same words) and services as
the pages. A PATCH sends only what changes: the record's current values
fill the rest of the form.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.response import Response

from breachdesk.api.forms import current_values, form_data, form_serializer, valid_form
from breachdesk.api.schema import DETAIL_RESPONSES, LIST_RESPONSES, WRITE_RESPONSES
from breachdesk.api.views import ApiListView, ApiView, Cursor, detail_response
from breachdesk.roles import may_change_inventory, may_read_inventory
from vendors import services
from vendors.forms import DataAssetForm, EngagementForm, StakeholderForm, VendorForm
from vendors.models import (
    DataAsset,
    Engagement,
    EngagementStatus,
    Stakeholder,
    Vendor,
    VendorStatus,
)
from vendors.permissions import CANNOT_EDIT, CANNOT_READ


class InventoryAccess(permissions.BasePermission):
    """The inventory's rules per role (``breachdesk.roles``): read; change for editors."""

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            self.message = CANNOT_READ
            return may_read_inventory(request.user)
        self.message = CANNOT_EDIT
        return may_change_inventory(request.user)


# --- serializers ------------------------------------------------------------------------------


class VendorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Vendor
        fields = [
            "slug",
            "name",
            "services",
            "tier",
            "status",
            "relationship_owner",
            "notify_us_within_hours",
            "jurisdictions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class EngagementSerializer(serializers.ModelSerializer):
    vendor = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Engagement
        fields = [
            "id",
            "vendor",
            "name",
            "description",
            "owner",
            "status",
            "started_on",
            "ended_on",
            "data_assets",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class DataAssetSerializer(serializers.ModelSerializer):
    class Meta:
        model = DataAsset
        fields = [
            "id",
            "slug",
            "name",
            "kind",
            "classification",
            "description",
            "owning_team",
            "approx_records",
            "personal_data",
            "special_category_data",
            "health_data",
            "financial_data",
            "subject_jurisdictions",
            "stakeholders",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class StakeholderSerializer(serializers.ModelSerializer):
    class Meta:
        model = Stakeholder
        fields = ["id", "slug", "name", "kind", "notify_within_hours", "notes"]
        read_only_fields = fields


# --- request bodies, described from the pages' forms -----------------------------------------

# The statuses a form may set ("paused" comes only from pausing an engagement), named in
# the schema by SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].
VENDOR_STATUS_SETTABLE = [c for c in VendorStatus.choices if c[0] != VendorStatus.PAUSED]
ENGAGEMENT_STATUS_SETTABLE = [
    c for c in EngagementStatus.choices if c[0] != EngagementStatus.PAUSED
]

_FORMS = {
    "Vendor": (VendorForm, {}),
    "Engagement": (EngagementForm, {"vendor": Vendor()}),
    "DataAsset": (DataAssetForm, {}),
    "Stakeholder": (StakeholderForm, {}),
}
INPUTS = {
    name: (
        form_serializer(form, f"{name}Input", **kwargs),
        form_serializer(form, f"{name}Patch", partial=True, **kwargs),
    )
    for name, (form, kwargs) in _FORMS.items()
}


def _create(request, form_class, create, **form_kwargs):
    form = valid_form(form_class(form_data(form_class, request.data, **form_kwargs), **form_kwargs))
    return create(actor=request.user, **form.cleaned_data)


def _update(request, form_class, record, update, **form_kwargs):
    """Apply a PATCH: the record's current values, the request's on top, the form, the service."""
    form_kwargs["instance"] = record
    base = current_values(form_class(**form_kwargs))
    base.pop("submission_token", None)
    data = form_data(form_class, request.data, base=base, **form_kwargs)
    form = valid_form(form_class(data, **form_kwargs))
    changes = {k: v for k, v in form.cleaned_data.items() if k != "submission_token"}
    return update(**changes)


class _InventoryList(ApiListView):
    permission_classes = [*ApiListView.permission_classes, InventoryAccess]
    pagination_class = Cursor


class _InventoryDetail(ApiView):
    permission_classes = [*ApiView.permission_classes, InventoryAccess]


# --- vendors ----------------------------------------------------------------------------------


class VendorCursor(Cursor):
    ordering = "slug"


class VendorList(_InventoryList):
    serializer_class = VendorSerializer
    pagination_class = VendorCursor

    def get_queryset(self):
        return Vendor.objects.all()

    @extend_schema(responses=LIST_RESPONSES(VendorSerializer))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=INPUTS["Vendor"][0], responses=WRITE_RESPONSES(VendorSerializer, created=True)
    )
    def post(self, request):
        vendor = _create(request, VendorForm, services.vendor_create)
        return Response(VendorSerializer(vendor).data, status=status.HTTP_201_CREATED)


class VendorDetail(_InventoryDetail):
    @extend_schema(responses=DETAIL_RESPONSES(VendorSerializer))
    def get(self, request, slug: str):
        return detail_response(request, VendorSerializer(get_object_or_404(Vendor, slug=slug)).data)

    @extend_schema(request=INPUTS["Vendor"][1], responses=WRITE_RESPONSES(VendorSerializer))
    def patch(self, request, slug: str):
        vendor = get_object_or_404(Vendor, slug=slug)
        vendor = _update(
            request,
            VendorForm,
            vendor,
            lambda **changes: services.vendor_update(vendor=vendor, actor=request.user, **changes),
        )
        return Response(VendorSerializer(vendor).data)


class VendorEngagementCreate(_InventoryDetail):
    @extend_schema(
        request=INPUTS["Engagement"][0],
        responses=WRITE_RESPONSES(EngagementSerializer, created=True),
        description="Add an engagement with this vendor.",
    )
    def post(self, request, slug: str):
        vendor = get_object_or_404(Vendor, slug=slug)
        engagement = _create(
            request,
            EngagementForm,
            lambda **fields: services.engagement_create(vendor=vendor, **fields),
            vendor=vendor,
        )
        return Response(EngagementSerializer(engagement).data, status=status.HTTP_201_CREATED)


# --- engagements ------------------------------------------------------------------------------


class EngagementList(_InventoryList):
    serializer_class = EngagementSerializer

    def get_queryset(self):
        return Engagement.objects.select_related("vendor").prefetch_related("data_assets")

    @extend_schema(responses=LIST_RESPONSES(EngagementSerializer))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class EngagementDetail(_InventoryDetail):
    def _engagement(self, pk: int) -> Engagement:
        return get_object_or_404(
            Engagement.objects.select_related("vendor").prefetch_related("data_assets"), pk=pk
        )

    @extend_schema(responses=DETAIL_RESPONSES(EngagementSerializer))
    def get(self, request, pk: int):
        return detail_response(request, EngagementSerializer(self._engagement(pk)).data)

    @extend_schema(request=INPUTS["Engagement"][1], responses=WRITE_RESPONSES(EngagementSerializer))
    def patch(self, request, pk: int):
        engagement = self._engagement(pk)
        engagement = _update(
            request,
            EngagementForm,
            engagement,
            lambda **changes: services.engagement_update(
                engagement=engagement, actor=request.user, **changes
            ),
            vendor=engagement.vendor,
        )
        return Response(EngagementSerializer(self._engagement(pk)).data)


# --- data assets ------------------------------------------------------------------------------


class DataAssetCursor(Cursor):
    ordering = "slug"


class DataAssetList(_InventoryList):
    serializer_class = DataAssetSerializer
    pagination_class = DataAssetCursor

    def get_queryset(self):
        return DataAsset.objects.prefetch_related("stakeholders")

    @extend_schema(responses=LIST_RESPONSES(DataAssetSerializer))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=INPUTS["DataAsset"][0],
        responses=WRITE_RESPONSES(DataAssetSerializer, created=True),
    )
    def post(self, request):
        asset = _create(request, DataAssetForm, services.data_asset_create)
        return Response(DataAssetSerializer(asset).data, status=status.HTTP_201_CREATED)


class DataAssetDetail(_InventoryDetail):
    def _asset(self, slug: str) -> DataAsset:
        return get_object_or_404(DataAsset.objects.prefetch_related("stakeholders"), slug=slug)

    @extend_schema(responses=DETAIL_RESPONSES(DataAssetSerializer))
    def get(self, request, slug: str):
        return detail_response(request, DataAssetSerializer(self._asset(slug)).data)

    @extend_schema(request=INPUTS["DataAsset"][1], responses=WRITE_RESPONSES(DataAssetSerializer))
    def patch(self, request, slug: str):
        asset = self._asset(slug)
        asset = _update(
            request,
            DataAssetForm,
            asset,
            lambda **changes: services.data_asset_update(
                asset=asset, actor=request.user, **changes
            ),
        )
        return Response(DataAssetSerializer(self._asset(asset.slug)).data)


# --- stakeholders -----------------------------------------------------------------------------


class StakeholderCursor(Cursor):
    ordering = "slug"


class StakeholderList(_InventoryList):
    serializer_class = StakeholderSerializer
    pagination_class = StakeholderCursor

    def get_queryset(self):
        return Stakeholder.objects.all()

    @extend_schema(responses=LIST_RESPONSES(StakeholderSerializer))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=INPUTS["Stakeholder"][0],
        responses=WRITE_RESPONSES(StakeholderSerializer, created=True),
    )
    def post(self, request):
        stakeholder = _create(request, StakeholderForm, services.stakeholder_create)
        return Response(StakeholderSerializer(stakeholder).data, status=status.HTTP_201_CREATED)


class StakeholderDetail(_InventoryDetail):
    @extend_schema(responses=DETAIL_RESPONSES(StakeholderSerializer))
    def get(self, request, slug: str):
        stakeholder = get_object_or_404(Stakeholder, slug=slug)
        return detail_response(request, StakeholderSerializer(stakeholder).data)

    @extend_schema(
        request=INPUTS["Stakeholder"][1], responses=WRITE_RESPONSES(StakeholderSerializer)
    )
    def patch(self, request, slug: str):
        stakeholder = get_object_or_404(Stakeholder, slug=slug)
        stakeholder = _update(
            request,
            StakeholderForm,
            stakeholder,
            lambda **changes: services.stakeholder_update(
                stakeholder=stakeholder, actor=request.user, **changes
            ),
        )
        return Response(StakeholderSerializer(stakeholder).data)
