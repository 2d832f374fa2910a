from django import forms
from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from breachdesk.fields import TimeZoneField
from incidents.clocks import RULES_BY_ID
from incidents.models import (
    OPTIONAL_RULE_IDS,
    Deadline,
    EmailTemplate,
    EngagementPause,
    Incident,
    IncidentMember,
    Notification,
    OrganisationProfile,
    Playbook,
    PlaybookStep,
    QuestionnaireTemplate,
    QuestionnaireTemplateQuestion,
    ScopeItem,
    Task,
    TimelineEntry,
)
from incidents.notices import CONTEXT_VARIABLES
from incidents.selectors import visible_incidents
from vendors.jurisdictions import jurisdictions


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


class QuestionnaireTemplateQuestionInline(admin.StackedInline):
    model = QuestionnaireTemplateQuestion
    extra = 1
    fields = ("order", "text", "help_text", "kind", "choices", "required", "feeds")


@admin.register(QuestionnaireTemplate)
class QuestionnaireTemplateAdmin(admin.ModelAdmin):
    """Questions to ask a breached vendor; a questionnaire copies them when drafted, so an
    edit here never changes what a vendor was already asked."""

    list_display = ("name", "is_default")
    inlines = (QuestionnaireTemplateQuestionInline,)


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


class OrganisationProfileForm(forms.ModelForm):
    """Choices where the engine needs an exact value: a zone, a country, rule ids."""

    time_zone = TimeZoneField(
        label=_("Our time zone"),
        required=False,
        help_text=OrganisationProfile._meta.get_field("time_zone").help_text,
    )
    established_in = forms.ChoiceField(
        label=_("Established in"),
        required=False,
        choices=[("", _("Not set"))]
        + [(code, f"{code} — {name}") for code, name in jurisdictions().items() if "-" not in code],
        help_text=OrganisationProfile._meta.get_field("established_in").help_text,
    )
    enabled_rules = forms.TypedMultipleChoiceField(
        label=_("Rules turned on"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(rule_id, RULES_BY_ID[rule_id].label) for rule_id in OPTIONAL_RULE_IDS],
        help_text=_(
            "Grade C rules (unsettled) and rules not yet in force are off unless ticked; "
            "their clocks are marked grade C wherever they are shown."
        ),
    )

    class Meta:
        model = OrganisationProfile
        fields = (
            "name",
            "reply_to",
            "public_contact",
            "role",
            "established_in",
            "time_zone",
            "internal_target_hours",
            *OrganisationProfile.ENTITY_FACTS,
            "enabled_rules",
        )


@admin.register(OrganisationProfile)
class OrganisationProfileAdmin(admin.ModelAdmin):
    """One row: the standing facts every incident's clocks start from."""

    form = OrganisationProfileForm
    list_display = (
        "__str__",
        "role",
        "established_in",
        "time_zone",
        "sec_registrant",
        "nis2",
        "dora_financial_entity",
        "hipaa",
    )
    fieldsets = (
        (_("Partner notices"), {"fields": ("name", "reply_to", "public_contact")}),
        (None, {"fields": ("role", "established_in", "time_zone", "internal_target_hours")}),
        (
            _("EU and UK"),
            {
                "fields": (
                    "nis2",
                    "trust_service_provider",
                    "dora_financial_entity",
                    "cra_manufacturer",
                    "high_risk_ai_provider",
                    "telecom_provider",
                    "uk_nis",
                )
            },
        ),
        (
            _("United States"),
            {
                "fields": (
                    "sec_registrant",
                    "smaller_reporting_company",
                    "reg_sp",
                    "hipaa",
                    "phr",
                    "nydfs_covered",
                    "glba_financial_institution",
                    "bank",
                    "critical_infrastructure",
                )
            },
        ),
        (_("China"), {"fields": ("china_network",)}),
        (_("Rules turned on"), {"fields": ("enabled_rules",)}),
    )

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
