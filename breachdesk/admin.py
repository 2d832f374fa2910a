import uuid

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from breachdesk.models import Heartbeat, User

CANNOT_DELETE = _(
    "{name} appears on incident records (timelines, pauses, commands), which must keep saying "
    "who did what, so the account cannot be deleted. Deactivate it instead: untick "
    "“Active” below and save; they can no longer sign in or receive mail."
)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Display"), {"fields": ("time_zone",)}),
        (_("Single sign-on"), {"fields": ("oidc_subject",)}),
    )
    readonly_fields = ("oidc_subject",)
    list_display = ("username", "email", "first_name", "last_name", "is_staff", "is_active")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")

    actions = ("deactivate",)

    @admin.action(description=_("Deactivate the selected users (they keep their record)"))
    def deactivate(self, request, queryset):
        for user in queryset.filter(is_active=True):
            user.is_active = False
            user.calendar_token = uuid.uuid4()
            user.save(update_fields=["is_active", "calendar_token"])
        messages.success(request, _("Deactivated: they can no longer sign in or get mail."))

    def delete_view(self, request, object_id, extra_context=None):
        """A person who appears on a record (a timeline, a pause, a command) is kept.

        The records are append-only and must go on saying who did what, so the
        account is refused deletion with the reason, and deactivation offered.
        """
        user = self.get_object(request, object_id)
        if user is not None:
            _, _, _, protected = self.get_deleted_objects([user], request)
            if protected:
                messages.error(request, str(CANNOT_DELETE).format(name=user.get_username()))
                return redirect("admin:breachdesk_user_change", user.pk)
        return super().delete_view(request, object_id, extra_context)

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


# django-otp's own admin shows any device's secret and QR code to staff, who
# could then copy someone's authenticator. Here staff only see who has a
# second factor and remove a lost one (the person then enrols again).
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)


class SecondFactorAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "confirmed", "created_at", "last_used_at")
    list_filter = ("confirmed",)
    search_fields = ("user__username", "user__email")
    fields = ("user", "name", "confirmed", "created_at", "last_used_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


admin.site.register(TOTPDevice, SecondFactorAdmin)
admin.site.register(StaticDevice, SecondFactorAdmin)


@login_not_required
@never_cache
def _sign_in_through_the_sign_in_page(request, extra_context=None):
    """The admin's own sign-in form would skip the code (and single sign-on): use ours.

    A staff member already signed in goes on to the admin.
    """
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = ""
    next_url = next_url or reverse("admin:index")
    if request.user.is_authenticated and request.user.is_active and request.user.is_staff:
        return redirect(next_url)
    return redirect_to_login(next_url, reverse("login"))


admin.site.login = _sign_in_through_the_sign_in_page
