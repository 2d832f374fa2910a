import uuid

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from breachdesk.models import Heartbeat, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Display"), {"fields": ("time_zone",)}),
    )
    list_display = ("username", "email", "first_name", "last_name", "is_staff", "is_active")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")

    def save_model(self, request, obj, form, change):
        if change and "is_active" in form.changed_data and not obj.is_active:
            # A deactivated account's calendar links must stay dead if it comes back.
            obj.calendar_token = uuid.uuid4()
        super().save_model(request, obj, form, change)


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ("name", "last_seen_at")
    readonly_fields = ("name", "last_seen_at")

    def has_add_permission(self, request):
        return False
