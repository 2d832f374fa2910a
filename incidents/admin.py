from django.contrib import admin
from django.utils.html import format_html_join

from incidents.models import (
    Deadline,
    EmailTemplate,
    EngagementPause,
    Incident,
    IncidentMember,
    Notification,
    OrganisationProfile,
    Playbook,
    PlaybookStep,
    ScopeItem,
    Task,
    TimelineEntry,
)
from incidents.notices import CONTEXT_VARIABLES
from incidents.selectors import visible_incidents


class PlaybookStepInline(admin.TabularInline):
    model = PlaybookStep
    extra = 1
    fields = (
        "order",
        "phase",
        "title",
        "guidance",
        "due_offset_hours",
        "default_role",
        "required",
        "action",
    )


@admin.register(Playbook)
class PlaybookAdmin(admin.ModelAdmin):
    list_display = ("name", "is_default")
    inlines = (PlaybookStepInline,)


class ReadOnlyAdmin(admin.ModelAdmin):
    """The incident record changes only through the application, which writes the timeline.

    It is also read under the application's need-to-know gate: staff see in the
    admin only the incidents (and their rows) that they could open in the app.
    Privileged notes' texts are not in the admin at all.
    """

    # The lookup from this model to its incident; "" for the incident itself.
    incident_path = "incident"

    def get_queryset(self, request):
        visible = visible_incidents(user=request.user).values("pk")
        lookup = f"{self.incident_path}__in" if self.incident_path else "pk__in"
        return super().get_queryset(request).filter(**{lookup: visible})

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class IncidentMemberInline(admin.TabularInline):
    model = IncidentMember
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    incident_path = ""
    list_display = (
        "reference",
        "title",
        "severity",
        "phase",
        "commander",
        "discovered_at",
        "restricted",
    )
    list_filter = ("phase", "severity", "source", "restricted", "legal_hold")
    search_fields = ("reference", "title", "summary")
    list_select_related = ("commander",)
    inlines = (IncidentMemberInline,)


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ("title", "incident", "phase", "status", "assignee", "due_at")
    list_filter = ("status", "phase", "required")
    search_fields = ("title", "incident__reference")
    list_select_related = ("incident", "assignee")


@admin.register(TimelineEntry)
class TimelineEntryAdmin(ReadOnlyAdmin):
    list_display = ("incident", "seq", "kind", "actor_name", "occurred_at", "recorded_at")
    list_filter = ("kind",)
    search_fields = ("incident__reference", "summary")
    list_select_related = ("incident",)


@admin.register(ScopeItem)
class ScopeItemAdmin(ReadOnlyAdmin):
    list_display = ("incident", "data_asset", "status", "records_affected", "reviewed_at")
    list_filter = ("status",)
    list_select_related = ("incident", "data_asset")


@admin.register(EngagementPause)
class EngagementPauseAdmin(ReadOnlyAdmin):
    list_display = ("engagement", "incident", "paused_at", "resumed_at")
    list_select_related = ("engagement__vendor", "incident")


@admin.register(EmailTemplate)
class EmailTemplateAdmin(admin.ModelAdmin):
    list_display = ("kind", "subject", "updated_at")
    readonly_fields = ("kind", "variables")
    fields = ("kind", "subject", "body", "variables")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Variables you can use")
    def variables(self, obj):
        return format_html_join(
            "", "<p><code>{{{{ {} }}}}</code>: {}</p>", CONTEXT_VARIABLES.items()
        )


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("incident", "kind", "recipient_email", "status", "attempts", "sent_at")
    list_filter = ("status", "kind")
    search_fields = ("incident__reference", "recipient_email", "subject")
    list_select_related = ("incident",)


@admin.register(OrganisationProfile)
class OrganisationProfileAdmin(admin.ModelAdmin):
    """One row: the standing facts every incident's clocks start from."""

    list_display = ("__str__", "role", "sec_registrant", "nis2", "dora_financial_entity", "hipaa")

    def has_add_permission(self, request):
        return not OrganisationProfile.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Deadline)
class DeadlineAdmin(ReadOnlyAdmin):
    list_display = ("incident", "rule_id", "recipient", "due_at", "status", "confidence")
    list_filter = ("status", "regime", "confidence")
    search_fields = ("incident__reference", "rule_id", "recipient")
    list_select_related = ("incident",)
