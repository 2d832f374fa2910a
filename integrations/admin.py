"""Webhook and chat endpoints, registered by administrators, and the delivery log.

Only superusers register endpoints: an endpoint sends incident facts out of
BreachDesk, and one registered for a restricted incident carries that
incident's events, which is its commander's call made through an
administrator. Staff see deliveries only for incidents they could open.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from incidents.selectors import visible_incidents
from integrations.addresses import AddressRefused, check_url
from integrations.delivery import webhook_deliveries_retry
from integrations.models import EventKind, WebhookDelivery, WebhookEndpoint

NO_EVENTS = _("Choose at least one event to send.")


class WebhookEndpointForm(forms.ModelForm):
    event_kinds = forms.MultipleChoiceField(
        label=_("Events"),
        choices=EventKind.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": NO_EVENTS},
    )

    class Meta:
        model = WebhookEndpoint
        fields = ("name", "url", "format", "secret", "event_kinds", "incident", "active")

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        try:
            check_url(url)
        except AddressRefused as exc:
            raise ValidationError(str(exc)) from None
        return url

    def clean_event_kinds(self) -> list[str]:
        # Stored in the choices' order, whatever order the browser sent.
        kinds = self.cleaned_data["event_kinds"]
        return [kind for kind in EventKind.values if kind in kinds]


class SuperuserOnly:
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(SuperuserOnly, admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ("name", "format", "url", "for_incident", "active")
    list_filter = ("format", "active")
    raw_id_fields = ("incident",)
    list_select_related = ("incident",)

    @admin.display(description=_("incident"))
    def for_incident(self, obj: WebhookEndpoint) -> str:
        # The reference only: a restricted incident's title is for its team.
        return obj.incident.reference if obj.incident else _("every incident not restricted")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The delivery log: read only, with "try again now" for failed deliveries."""

    list_display = (
        "created_at",
        "event_kind",
        "incident",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "short_error",
        "next_attempt_at",
        "delivered_at",
    )
    list_filter = ("status", "event_kind", "endpoint")
    list_select_related = ("incident", "endpoint")
    readonly_fields = (
        "event_id",
        "event_kind",
        "incident",
        "endpoint",
        "status",
        "attempts",
        "created_at",
        "next_attempt_at",
        "delivered_at",
        "last_status_code",
        "last_error",
        "payload",
    )
    exclude = ("entry", "published_at", "claimed_at")
    actions = ("retry",)

    def get_queryset(self, request):
        visible = visible_incidents(user=request.user).values("pk")
        return super().get_queryset(request).filter(incident__in=visible)

    @admin.display(description=_("last error"))
    def short_error(self, obj: WebhookDelivery) -> str:
        return obj.last_error[:120]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Try the selected failed deliveries again now"))
    def retry(self, request, queryset):
        count = webhook_deliveries_retry(delivery_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext(
                "%(count)d delivery will be tried again.",
                "%(count)d deliveries will be tried again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
