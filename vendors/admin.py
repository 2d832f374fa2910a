from django.contrib import admin

from vendors.models import (
    DataAsset,
    Engagement,
    EngagementAccess,
    Stakeholder,
    StakeholderContact,
    Vendor,
    VendorContact,
)
from vendors.validators import PAUSED


class StatusOutsidePauseAdmin(admin.ModelAdmin):
    """As in the inventory pages: "paused" comes and goes only with an incident."""

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if obj is not None and obj.status == PAUSED:
            return (*readonly, "status")
        return readonly

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "status":
            kwargs["choices"] = [
                (value, label) for value, label in db_field.choices if value != PAUSED
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)


class VendorContactInline(admin.TabularInline):
    model = VendorContact
    extra = 0


class EngagementInline(admin.TabularInline):
    model = Engagement
    extra = 0
    fields = ("name", "status", "owner", "started_on", "ended_on")
    readonly_fields = ("status",)
    show_change_link = True


@admin.register(Vendor)
class VendorAdmin(StatusOutsidePauseAdmin):
    list_display = ("name", "tier", "status", "relationship_owner", "notify_us_within_hours")
    list_filter = ("tier", "status")
    search_fields = ("name", "services", "contacts__email")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("relationship_owner",)
    inlines = (VendorContactInline, EngagementInline)


class StakeholderContactInline(admin.TabularInline):
    model = StakeholderContact
    extra = 0


@admin.register(Stakeholder)
class StakeholderAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "notify_within_hours")
    list_filter = ("kind",)
    search_fields = ("name", "contacts__email")
    prepopulated_fields = {"slug": ("name",)}
    inlines = (StakeholderContactInline,)


@admin.register(DataAsset)
class DataAssetAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "classification", "approx_records", "personal_data")
    list_filter = (
        "kind",
        "classification",
        "personal_data",
        "special_category_data",
        "health_data",
        "financial_data",
    )
    search_fields = ("name", "description", "owning_team")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("stakeholders",)


class EngagementAccessInline(admin.TabularInline):
    model = EngagementAccess
    extra = 0


@admin.register(Engagement)
class EngagementAdmin(StatusOutsidePauseAdmin):
    list_display = ("name", "vendor", "status", "owner", "started_on", "ended_on")
    list_filter = ("status", "vendor__tier")
    search_fields = ("name", "vendor__name", "description")
    list_select_related = ("vendor", "owner")
    autocomplete_fields = ("vendor", "owner")
    filter_horizontal = ("data_assets",)
    inlines = (EngagementAccessInline,)
