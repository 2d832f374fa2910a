"""The response: incidents, their playbook tasks, scope review and the timeline."""

import uuid
from zoneinfo import available_timezones

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxValueValidator,
    MinValueValidator,
    URLValidator,
    validate_email,
)
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from breachdesk.choices import ChoiceLabels
from incidents.clocks import RULES
from vendors.jurisdictions import unknown_codes
from vendors.models import MAX_WINDOW_HOURS, DataAsset, Engagement, Vendor

# Choices are defined at module level so that Meta.constraints can name them;
# code uses the model aliases, such as Incident.Phase.


class IncidentPhase(models.TextChoices):
    TRIAGE = "triage", _("Triage")
    CONTAINMENT = "containment", _("Containment")
    SCOPING = "scoping", _("Scoping")
    NOTIFICATION = "notification", _("Notification")
    RECOVERY = "recovery", _("Recovery")
    CLOSED = "closed", _("Closed")


PHASE_ORDER = list(IncidentPhase.values)
# Every phase but closed, as a list: "phase IN (…)" reads the visibility index
# (phase, restricted, id) alone, where "phase <> 'closed'" cannot.
OPEN_PHASES = [phase for phase in IncidentPhase.values if phase != IncidentPhase.CLOSED]


class IncidentSeverity(models.TextChoices):
    SEV1 = "sev1", _("SEV1")
    SEV2 = "sev2", _("SEV2")
    SEV3 = "sev3", _("SEV3")
    SEV4 = "sev4", _("SEV4")


class IncidentSource(models.TextChoices):
    VENDOR_NOTICE = "vendor_notice", _("Vendor notice")
    PRESS_REPORT = "press_report", _("Press report")
    THREAT_INTEL = "threat_intel", _("Threat intelligence")
    INTERNAL_DETECTION = "internal_detection", _("Internal detection")
    PARTNER_REPORT = "partner_report", _("Partner report")


class ReferenceCounter(models.Model):
    """The last incident number used in a year: references never skip or repeat."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class IncidentManager(models.Manager):
    """Incidents without their search vector, which only SQL ever reads.

    The vector averages kilobytes an incident (every note that is not
    privileged is in it): loading it with each row cost a 50-row list page
    about a third of its query time (issue 14), for a value no Python reads.
    It is written by ``incidents/search.py`` with UPDATEs, never through an
    instance.
    """

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().defer("search_vector")


class Incident(ChoiceLabels, models.Model):
    Phase = IncidentPhase
    Severity = IncidentSeverity
    Source = IncidentSource

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True, max_length=20_000)
    # What partners are told happened: the title and summary are internal
    # words and never leave in a notice unless the commander copies them here.
    public_summary = models.TextField(
        _("public summary"),
        blank=True,
        max_length=2_000,
        help_text=_(
            "What partners may read about what happened, in a sentence or two. Partner notices "
            "quote this, never the internal title or summary."
        ),
    )
    vendors = models.ManyToManyField(Vendor, verbose_name=_("vendors"), related_name="incidents")
    severity = models.CharField(
        _("severity"), max_length=4, choices=Severity, default=Severity.SEV2
    )
    source = models.CharField(_("source"), max_length=24, choices=Source)
    occurred_at = models.DateTimeField(
        _("breach occurred (estimate)"),
        null=True,
        blank=True,
        help_text=_("Your best estimate of when the breach itself happened, if known."),
    )
    vendor_aware_at = models.DateTimeField(
        _("vendor became aware"),
        null=True,
        blank=True,
        help_text=_("When the vendor learned of the breach: their contractual clock to tell us."),
    )
    discovered_at = models.DateTimeField(
        _("we became aware"),
        help_text=_(
            "When we first had reason to believe our data was affected. Most legal clocks "
            "(e.g. GDPR's 72 hours) start here, so record the real moment, not now."
        ),
    )
    commander = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("incident commander"),
        on_delete=models.PROTECT,
        related_name="commanded_incidents",
    )
    phase = models.CharField(_("phase"), max_length=16, choices=Phase, default=Phase.TRIAGE)
    phase_changed_at = models.DateTimeField(default=timezone.now)
    restricted = models.BooleanField(
        _("restricted"),
        default=False,
        help_text=_("Only members see a restricted incident, whatever their role."),
    )
    legal_hold = models.BooleanField(_("legal hold"), default=False)
    # The nearest due time among the deadlines still owed (pending or missed),
    # empty when none is. A copy of what the deadlines say, kept current by the
    # deadline services (``incident_next_deadline_refresh``), so that the list
    # and the dashboard order and filter by urgency from an index instead of
    # reading every incident's deadlines.
    next_deadline_at = models.DateTimeField(_("next deadline"), null=True, blank=True)
    # The earliest due time among the open playbook tasks, empty when none has
    # one: the urgency order's third key (the most overdue tasks first), kept
    # by the task services like ``next_deadline_at``, so that deep pages of the
    # list sort from an index instead of counting every incident's tasks.
    next_task_due_at = models.DateTimeField(_("next task due"), null=True, blank=True)
    # What the list's search matches on PostgreSQL (incidents/search.py, with
    # its GIN index); empty elsewhere, where the search reads the fields.
    search_vector = SearchVectorField(null=True, editable=False)
    # Decisions only people can take; each starts (or shapes) legal clocks.
    determined_at = models.DateTimeField(
        _("incident determined"),
        null=True,
        blank=True,
        help_text=_("When we determined that an incident occurred (NYDFS, several US states)."),
    )
    materiality_determined_at = models.DateTimeField(
        _("materiality determined"),
        null=True,
        blank=True,
        help_text=_("When the incident was determined material (SEC Form 8-K: 4 business days)."),
    )
    classified_major_at = models.DateTimeField(
        _("classified as major"),
        null=True,
        blank=True,
        help_text=_("When it was classified a major ICT incident (DORA: 4 hours)."),
    )
    assessed_at = models.DateTimeField(
        _("assessment concluded"),
        null=True,
        blank=True,
        help_text=_("When the assessment found it notifiable (Singapore: 3 days; Maine)."),
    )
    ransom_paid_at = models.DateTimeField(
        _("ransom paid"),
        null=True,
        blank=True,
        help_text=_("When an extortion payment was made (NYDFS: 24 hours)."),
    )
    high_risk = models.BooleanField(
        _("high risk to people"),
        null=True,
        blank=True,
        help_text=_(
            "Likely high risk to individuals (GDPR Art. 34: tell them). Empty: not yet decided."
        ),
    )
    significant_incident = models.BooleanField(
        _("significant incident"),
        null=True,
        blank=True,
        help_text=_("Significant under NIS2 Art. 23(3). Empty: not yet decided."),
    )
    # The "open incident" form's one-time token: a double-submitted form finds
    # the incident its first submission opened instead of opening a second.
    submission_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = IncidentManager()

    class Meta:
        # Also for a deadline's or a notice's ``.incident`` read on its own.
        base_manager_name = "objects"
        ordering = ["-discovered_at"]
        permissions = [
            ("view_all_incidents", "Can view every incident that is not restricted"),
            (
                "legal_review",
                "Can act as Legal on incidents: privileged notes, legal hold, approvals",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(phase__in=IncidentPhase.values), name="incident_phase_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(severity__in=IncidentSeverity.values),
                name="incident_severity_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(source__in=IncidentSource.values), name="incident_source_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(occurred_at__isnull=True)
                | models.Q(discovered_at__gte=models.F("occurred_at")),
                name="incident_discovered_after_occurred",
            ),
            models.CheckConstraint(
                condition=models.Q(occurred_at__isnull=True)
                | models.Q(vendor_aware_at__isnull=True)
                | models.Q(vendor_aware_at__gte=models.F("occurred_at")),
                name="incident_vendor_aware_after_occurred",
            ),
        ]
        indexes = [
            # The incident list and dashboard filter open incidents by phase.
            models.Index(fields=["phase", "-discovered_at"], name="incident_phase_idx"),
            # The list's default order and the dashboard: open incidents, most
            # urgent first (nearest deadline, severity, earliest open task); a page is read
            # from the index in order instead of sorting every incident.
            # PostgreSQL puts NULLs last in an ascending index, as the order
            # asks (SQLite has no NULLS LAST in an index).
            models.Index(
                fields=["next_deadline_at", "severity", "next_task_due_at", "-discovered_at"],
                condition=~models.Q(phase="closed"),
                name="incident_open_urgency_idx",
            ),
            # The same order over every phase (the list's "All").
            models.Index(
                fields=["next_deadline_at", "severity", "next_task_due_at", "-discovered_at"],
                name="incident_urgency_idx",
            ),
            # The list's "aware between" filter and its newest/oldest sorts.
            models.Index(fields=["-discovered_at"], name="incident_discovered_idx"),
            # The list's severity filter, in urgency order.
            models.Index(
                fields=["severity", "next_deadline_at"], name="incident_severity_urgency_idx"
            ),
            # What the phase filter and the need-to-know rule read ("open
            # phases", "not restricted, or a member"): the paginator's COUNT
            # reads this small index alone (an index-only scan), never the
            # table. Also the list's "restricted" filter.
            models.Index(fields=["phase", "restricted", "id"], name="incident_visibility_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("incidents:detail", kwargs={"reference": self.reference})

    @property
    def is_closed(self) -> bool:
        return self.phase == IncidentPhase.CLOSED

    @property
    def next_phase(self) -> str | None:
        index = PHASE_ORDER.index(self.phase)
        return PHASE_ORDER[index + 1] if index + 1 < len(PHASE_ORDER) else None


class VendorOpenCount(models.Model):
    """How many open (not closed), unrestricted incidents name each vendor: the dashboard's panel.

    Kept by PostgreSQL triggers (migration 0019) on every change of an
    incident's vendors, phase or restriction, so that the panel reads one
    row per vendor instead of grouping every open incident's vendors on
    each request (about 14 ms for a commander at 9,000 open incidents,
    issue 14). Restricted incidents are counted per reader, live. Not kept
    on SQLite, where the panel counts live. No foreign key: a deleted
    vendor's row is left behind at zero and never shown.
    """

    vendor = models.OneToOneField(
        Vendor,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        primary_key=True,
        related_name="+",
    )
    open_unrestricted = models.IntegerField(default=0)

    def __str__(self) -> str:
        return f"vendor {self.vendor_id}: {self.open_unrestricted} open"


class MemberRole(models.TextChoices):
    COMMANDER = "commander", _("Commander")
    RESPONDER = "responder", _("Responder")
    LEGAL = "legal", _("Legal")
    VIEWER = "viewer", _("Viewer")


class IncidentMember(ChoiceLabels, models.Model):
    Role = MemberRole

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="incident_memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role, default=Role.RESPONDER)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["role", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "user"], name="incident_member_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=MemberRole.values), name="incident_member_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}) on {self.incident.reference}"


class Playbook(models.Model):
    """Admin-editable task templates; the default one is used for new incidents."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_default = models.BooleanField(
        _("default"), default=False, help_text=_("Used for every new incident.")
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="playbook_one_default",
                violation_error_message=_("Only one playbook can be the default."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TaskAction(models.TextChoices):
    """Triage actions that complete a task when they run."""

    NONE = "", _("None")
    SET_SEVERITY = "set_severity", _("Set severity")
    PAUSE_ENGAGEMENTS = "pause_engagements", _("Pause engagements")
    SCOPE_REVIEW = "scope_review", _("Scope review")
    NOTIFY_PARTNERS = "notify_partners", _("Notify partners")


class PlaybookStep(ChoiceLabels, models.Model):
    Action = TaskAction

    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="steps")
    phase = models.CharField(_("phase"), max_length=16, choices=IncidentPhase)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=200)
    guidance = models.TextField(_("guidance"), blank=True)
    due_offset_hours = models.PositiveIntegerField(
        _("due after (hours)"),
        null=True,
        blank=True,
        help_text=_("Hours after we became aware; leave empty for no due time."),
    )
    default_role = models.CharField(
        _("default role"), max_length=16, choices=MemberRole, default=MemberRole.RESPONDER
    )
    required = models.BooleanField(
        _("required"), default=True, help_text=_("Must be done before the phase can end.")
    )
    action = models.CharField(
        _("completed by action"), max_length=32, choices=TaskAction, blank=True, default=""
    )

    class Meta:
        ordering = ["playbook", "order"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(phase__in=IncidentPhase.values), name="playbook_step_phase_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_phase_display()}: {self.title}"


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    SKIPPED = "skipped", _("Skipped")


class Task(ChoiceLabels, models.Model):
    Status = TaskStatus
    Action = TaskAction

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="tasks")
    phase = models.CharField(_("phase"), max_length=16, choices=IncidentPhase)
    order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(_("title"), max_length=200)
    guidance = models.TextField(_("guidance"), blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    required = models.BooleanField(_("required"), default=True)
    default_role = models.CharField(max_length=16, choices=MemberRole, default=MemberRole.RESPONDER)
    action = models.CharField(max_length=32, choices=TaskAction, blank=True, default="")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tasks",
    )
    status = models.CharField(_("status"), max_length=8, choices=Status, default=Status.OPEN)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    skip_reason = models.TextField(blank=True)
    # Why a task is done without anyone ticking it ("already paused by another
    # incident"), and where to see it (a path inside BreachDesk); empty otherwise.
    done_note = models.CharField(max_length=300, blank=True)
    done_link = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["incident", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=TaskStatus.values), name="task_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(phase__in=IncidentPhase.values), name="task_phase_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(status=TaskStatus.SKIPPED) | ~models.Q(skip_reason=""),
                name="task_skip_has_reason",
            ),
        ]
        indexes = [
            # "My tasks" on the dashboard: open tasks of one assignee, soonest due first.
            models.Index(
                fields=["assignee", "due_at"],
                condition=models.Q(status="open"),
                name="task_open_by_assignee_idx",
            ),
            # The list's and dashboard's open and overdue task counts, one
            # incident at a time (a correlated subquery per row shown).
            models.Index(
                fields=["incident", "due_at"],
                condition=models.Q(status="open"),
                name="task_open_by_incident_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == TaskStatus.OPEN


class ScopeStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed exposed")
    SUSPECTED = "suspected", _("Suspected")
    NOT_EXPOSED = "not_exposed", _("Not exposed")
    UNKNOWN = "unknown", _("Unknown")


# Assets in these states count towards whom we must notify.
AFFECTED_SCOPE_STATUSES = (ScopeStatus.CONFIRMED, ScopeStatus.SUSPECTED)


class ScopeItem(ChoiceLabels, models.Model):
    """One data asset's exposure in one incident, with its facts frozen at review.

    ``snapshot`` keeps the asset's classification, records, jurisdictions and
    whose data it was as they stood when reviewed, so later edits to the
    inventory never rewrite the incident's legal record.
    """

    Status = ScopeStatus

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="scope_items")
    data_asset = models.ForeignKey(
        DataAsset, on_delete=models.SET_NULL, null=True, related_name="scope_items"
    )
    status = models.CharField(_("exposure"), max_length=16, choices=Status)
    records_affected = models.PositiveBigIntegerField(_("records affected"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=5_000)
    snapshot = models.JSONField(default=dict)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reviewed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "data_asset"], name="scope_item_one_per_asset"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ScopeStatus.values), name="scope_item_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.snapshot.get('name', '?')}: {self.get_status_display()}"

    @property
    def is_affected(self) -> bool:
        return self.status in AFFECTED_SCOPE_STATUSES


class EngagementPause(models.Model):
    """An engagement paused during an incident, and what it took to resume it.

    Resuming needs a reason and two approvals, from the incident commander and
    from Legal, by two different people. The engagement stays paused while any
    incident's pause of it is open.
    """

    engagement = models.ForeignKey(Engagement, on_delete=models.PROTECT, related_name="pauses")
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="pauses")
    reason = models.TextField(_("reason"), max_length=5_000)
    paused_at = models.DateTimeField()
    paused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    resume_reason = models.TextField(blank=True, max_length=5_000)
    commander_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    commander_approved_at = models.DateTimeField(null=True)
    legal_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    legal_approved_at = models.DateTimeField(null=True)
    resumed_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["-paused_at"]
        constraints = [
            # Several incidents may hold one engagement paused, each with its own
            # pause (and its own two approvals to resume); one incident, one open pause.
            models.UniqueConstraint(
                fields=["engagement", "incident"],
                condition=models.Q(resumed_at__isnull=True),
                name="engagement_pause_one_open_per_incident",
            ),
            models.CheckConstraint(
                condition=models.Q(commander_approved_by__isnull=True)
                | models.Q(legal_approved_by__isnull=True)
                | ~models.Q(commander_approved_by=models.F("legal_approved_by")),
                name="engagement_pause_two_approvers",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.engagement} paused for {self.incident.reference}"

    @property
    def is_open(self) -> bool:
        return self.resumed_at is None


class TimelineKind(models.TextChoices):
    INCIDENT_OPENED = "incident_opened", _("Incident opened")
    PHASE_CHANGED = "phase_changed", _("Phase changed")
    INCIDENT_REOPENED = "incident_reopened", _("Incident reopened")
    SEVERITY_CHANGED = "severity_changed", _("Severity changed")
    COMMANDER_CHANGED = "commander_changed", _("Commander changed")
    MEMBER_ADDED = "member_added", _("Member added")
    MEMBER_ROLE_CHANGED = "member_role_changed", _("Member role changed")
    MEMBER_REMOVED = "member_removed", _("Member removed")
    TASK_ASSIGNED = "task_assigned", _("Task assigned")
    TASK_COMPLETED = "task_completed", _("Task completed")
    TASK_SKIPPED = "task_skipped", _("Task skipped")
    TASK_REOPENED = "task_reopened", _("Task reopened")
    NOTE_ADDED = "note_added", _("Note")
    ENGAGEMENT_PAUSED = "engagement_paused", _("Engagement paused")
    RESUME_APPROVED = "resume_approved", _("Resumption approved")
    ENGAGEMENT_RESUMED = "engagement_resumed", _("Engagement resumed")
    SCOPE_REVIEWED = "scope_reviewed", _("Scope reviewed")
    EXPORT_MADE = "export_made", _("Timeline exported")
    NOTIFICATION_DRAFTED = "notification_drafted", _("Notice drafted")
    NOTIFICATION_APPROVED = "notification_approved", _("Notice approved")
    NOTIFICATION_QUEUED = "notification_queued", _("Notice queued for sending")
    NOTIFICATION_SENT = "notification_sent", _("Notice sent")
    NOTIFICATION_FAILED = "notification_failed", _("Notice failed")
    NOTIFICATION_ACKNOWLEDGED = "notification_acknowledged", _("Notice acknowledged")
    DECISIONS_RECORDED = "decisions_recorded", _("Decisions recorded")
    DEADLINE_SET = "deadline_set", _("Deadline set")
    DEADLINE_MOVED = "deadline_moved", _("Deadline moved")
    DEADLINE_DROPPED = "deadline_dropped", _("Deadline no longer applies")
    DEADLINE_MET = "deadline_met", _("Deadline met")
    DEADLINE_MISSED = "deadline_missed", _("Deadline missed")
    DEADLINE_WAIVED = "deadline_waived", _("Deadline decided not required")
    REMINDER_SENT = "reminder_sent", _("Reminder sent")
    LEGAL_HOLD_PLACED = "legal_hold_placed", _("Legal hold placed")
    LEGAL_HOLD_LIFTED = "legal_hold_lifted", _("Legal hold lifted")
    EVIDENCE_ADDED = "evidence_added", _("Evidence added")
    EVIDENCE_DOWNLOADED = "evidence_downloaded", _("Evidence downloaded")
    EVIDENCE_DELETED = "evidence_deleted", _("Evidence deleted")
    QUESTIONNAIRE_DRAFTED = "questionnaire_drafted", _("Questionnaire drafted")
    QUESTIONNAIRE_APPROVED = "questionnaire_approved", _("Questionnaire approved")
    QUESTIONNAIRE_SENT = "questionnaire_sent", _("Questionnaire sent")
    QUESTIONNAIRE_ANSWERED = "questionnaire_answered", _("Questionnaire answered")
    QUESTIONNAIRE_CHASED = "questionnaire_chased", _("Questionnaire chased")
    QUESTIONNAIRE_WITHDRAWN = "questionnaire_withdrawn", _("Questionnaire withdrawn")
    VENDOR_AWARE_ACCEPTED = "vendor_aware_accepted", _("Vendor-aware time accepted")
    TASK_ADDED = "task_added", _("Task added")
    PUBLIC_SUMMARY_CHANGED = "public_summary_changed", _("Public summary changed")


class TimelineEntryQuerySet(models.QuerySet):
    """The timeline (and what it commits to) is append-only: bulk changes are refused."""

    def update(self, **kwargs):
        raise TimelineIsAppendOnly("timeline entries cannot be changed")

    def delete(self):
        raise TimelineIsAppendOnly("timeline entries cannot be deleted")


class TimelineIsAppendOnly(Exception):
    pass


class TimelineEntry(ChoiceLabels, models.Model):
    """One hash-chained entry of an incident's timeline; see DESIGN.md, Hash chain.

    The stored fields are exactly what the hash covers, so ``verify_chain`` can
    recompute every hash from the row alone.
    """

    Kind = TimelineKind

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="timeline")
    seq = models.PositiveIntegerField()
    occurred_at = models.DateTimeField()
    recorded_at = models.DateTimeField()
    # PROTECT: an append-only row must never be touched by a deletion elsewhere;
    # someone who appears on a timeline is deactivated, never deleted.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    actor_name = models.CharField(max_length=150)
    kind = models.CharField(max_length=32, choices=Kind)
    summary = models.TextField()
    data = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = TimelineEntryQuerySet.as_manager()

    class Meta:
        ordering = ["incident", "seq"]
        verbose_name_plural = _("timeline entries")
        constraints = [
            models.UniqueConstraint(fields=["incident", "seq"], name="timeline_seq_unique"),
            models.CheckConstraint(condition=models.Q(seq__gte=1), name="timeline_seq_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.incident_id}#{self.seq} {self.kind}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TimelineIsAppendOnly("timeline entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TimelineIsAppendOnly("timeline entries cannot be deleted")

    @property
    def is_privileged(self) -> bool:
        """Attorney–client privileged; inside ``data`` so that the hash covers it."""
        return bool(self.data.get("privileged"))


class PrivilegedText(models.Model):
    """The words of a privileged note, kept off the hash chain (DESIGN.md, Hash chain).

    The note's timeline entry holds only a commitment,
    ``text_sha256 = sha256_hex(nonce + text)``; this row, readable only with the
    Legal ability on the incident, keeps the text and its nonce, so that Legal
    can show anyone that the commitment matches. Written once with its entry.
    """

    entry = models.OneToOneField(
        TimelineEntry,
        on_delete=models.PROTECT,
        primary_key=True,
        related_name="privileged_text",
    )
    text = models.TextField()
    nonce = models.CharField(max_length=32)

    objects = TimelineEntryQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(nonce__regex=r"^[0-9a-f]{32}$"), name="privileged_nonce_hex"
            ),
        ]

    def __str__(self) -> str:
        return f"Privileged text of entry {self.entry_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TimelineIsAppendOnly("privileged texts cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TimelineIsAppendOnly("privileged texts cannot be deleted")


class NotificationKind(models.TextChoices):
    PARTNER_NOTICE = "partner_notice", _("Partner notice")
    REGULATOR_NOTICE = "regulator_notice", _("Regulator notice (draft)")
    INTERNAL_UPDATE = "internal_update", _("Internal update")
    ENGAGEMENT_PAUSED = "engagement_paused", _("Engagement paused")
    REMINDER = "reminder", _("Reminder")
    ESCALATION = "escalation", _("Escalation")
    VENDOR_QUESTIONNAIRE = "vendor_questionnaire", _("Questionnaire to a vendor")
    QUESTIONNAIRE_CHASER = "questionnaire_chaser", _("Questionnaire chaser to a vendor")


# Notices that leave the organisation: approved by a person, acknowledged by link.
EXTERNAL_KINDS = (NotificationKind.PARTNER_NOTICE, NotificationKind.REGULATOR_NOTICE)


class EmailTemplate(ChoiceLabels, models.Model):
    """The admin-editable wording of one kind of email, in Django template syntax.

    The HTML part is the rendered text laid out by ``templates/emails/notice.html``,
    so that the two parts can never say different things.
    """

    Kind = NotificationKind

    kind = models.CharField(_("kind"), max_length=32, choices=Kind, unique=True)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body (plain text)"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind"]

    def __str__(self) -> str:
        return self.get_kind_display()

    def clean(self):
        # A template that cannot render is refused here, not when a notice is due.
        from incidents.notices import check_template

        check_template(self.subject, self.body)


# The delivery sweep's error for a message handed to the mail server by a
# worker that stopped before hearing the reply: it may or may not have arrived.
DELIVERY_UNCERTAIN_PREFIX = "Delivery uncertain:"


class NotificationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Notification(ChoiceLabels, models.Model):
    """One outbound email, and the outbox row that is the truth about it.

    The row is written (with its timeline entry) before anything is sent; a
    worker sends it only after claiming it, so no message goes out twice.
    """

    Kind = NotificationKind
    Status = NotificationStatus

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=32, choices=Kind)
    # The questionnaire a vendor is asked (or chased) to answer by this email.
    questionnaire = models.ForeignKey(
        "Questionnaire",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notifications",
    )
    stakeholder = models.ForeignKey(
        "vendors.Stakeholder",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
    )
    recipient_name = models.CharField(_("recipient name"), max_length=200, blank=True)
    recipient_email = models.EmailField(_("recipient email"), max_length=254)
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("text"))
    body_html = models.TextField()
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.DRAFT)
    message_id = models.CharField(max_length=255, unique=True)
    ack_nonce = models.UUIDField(unique=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    # When the broker took the send task; empty while a broker outage keeps it
    # for the outbox sweep.
    published_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Which attempt the mail server accepted (``attempts`` counts the claims).
    accepted_attempt = models.PositiveSmallIntegerField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    # A follow-up ("Update 2") names the notice it follows, to the same
    # recipient; ``update_number`` is 1 for a first notice.
    follows = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="follow_ups"
    )
    update_number = models.PositiveSmallIntegerField(default=1)
    # When the commander was told this sent notice was still not acknowledged
    # (ACK_ALERT_HOURS): claimed by a conditional UPDATE, so it happens once.
    unacknowledged_alerted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=NotificationStatus.values),
                name="notification_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=NotificationKind.values),
                name="notification_kind_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=NotificationStatus.SENT)
                | models.Q(sent_at__isnull=False),
                name="notification_sent_has_time",
            ),
        ]
        indexes = [
            # The outbox sweep: rows waiting in queued or sending, oldest first.
            models.Index(
                fields=["status", "queued_at"],
                condition=models.Q(status__in=["queued", "sending"]),
                name="notification_outbox_idx",
            ),
            # The unacknowledged-notice sweep and unacknowledged_notices_for:
            # sent outside notices nobody has acknowledged, oldest first.
            models.Index(
                fields=["sent_at"],
                condition=models.Q(status="sent", acknowledged_at__isnull=True),
                name="notification_unacked_idx",
            ),
            # The dashboard's failed notices, latest failure first.
            models.Index(
                fields=["-failed_at", "-id"],
                condition=models.Q(status="failed"),
                name="notification_failed_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient_email} ({self.status})"

    @property
    def is_external(self) -> bool:
        return self.kind in EXTERNAL_KINDS

    @property
    def delivery_uncertain(self) -> bool:
        """Failed, but perhaps delivered: nobody heard the mail server's reply."""
        return self.status == NotificationStatus.FAILED and self.last_error.startswith(
            DELIVERY_UNCERTAIN_PREFIX
        )


def validate_time_zone(value: str) -> None:
    if value and value not in available_timezones():
        raise ValidationError(
            _("“%(value)s” is not a time zone name; use one like America/Chicago."),
            params={"value": value[:64]},
        )


def validate_country(value: str) -> None:
    if value and (len(value) != 2 or unknown_codes([value])):
        raise ValidationError(
            _("“%(value)s” is not a country code; use two letters such as DE."),
            params={"value": value},
        )


def validate_optional_rules(value) -> None:
    """Only grade C and not-yet-in-force rules can be turned on; the rest always apply."""
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError(_('List the rule ids to turn on, e.g. ["circia-incident"].'))
    unknown = [item for item in value if item not in OPTIONAL_RULE_IDS]
    if unknown:
        raise ValidationError(
            _("Not a rule that can be turned on: %(ids)s."), params={"ids": ", ".join(unknown)}
        )


OPTIONAL_RULE_IDS = tuple(rule.id for rule in RULES if rule.optional)

PHONE_CHARACTERS = frozenset("0123456789+ ()-./")


def validate_public_contact(value: str) -> None:
    """An email address, an http(s) web address or a phone number: something a partner can use."""
    value = value.strip()
    if not value:
        return
    if "@" in value and "://" not in value:
        validate_email(value)
        return
    if value.lower().startswith(("https://", "http://")):
        URLValidator(schemes=["http", "https"])(value)
        return
    digits = sum(c.isdigit() for c in value)
    if set(value) <= PHONE_CHARACTERS and 6 <= digits <= 15:
        return
    raise ValidationError(
        _(
            "Give an email address, a web address starting with https:// or a phone number "
            "such as +44 20 7946 0000."
        )
    )


class OrganisationProfile(ChoiceLabels, models.Model):
    """Our standing facts, so that responders do not re-enter them per incident."""

    class Role(models.TextChoices):
        CONTROLLER = "controller", _("Controller (we decide why the data is processed)")
        PROCESSOR = "processor", _("Processor (we process it for others)")

    class Nis2(models.TextChoices):
        NONE = "", _("Not in scope")
        ESSENTIAL = "essential", _("Essential entity")
        IMPORTANT = "important", _("Important entity")

    class Hipaa(models.TextChoices):
        NONE = "", _("Not in scope")
        COVERED_ENTITY = "covered_entity", _("Covered entity")
        BUSINESS_ASSOCIATE = "business_associate", _("Business associate")

    class RegSp(models.TextChoices):
        NONE = "", _("Not in scope")
        COVERED_INSTITUTION = "covered_institution", _("Covered institution")
        SERVICE_PROVIDER = "service_provider", _("Service provider to a covered institution")

    class Bank(models.TextChoices):
        NONE = "", _("Not in scope")
        BANKING_ORGANIZATION = "banking_organization", _("Banking organisation")
        SERVICE_PROVIDER = "service_provider", _("Bank service provider")

    class Phr(models.TextChoices):
        NONE = "", _("Not in scope")
        VENDOR = "vendor", _("Vendor of personal health records")
        SERVICE_PROVIDER = "service_provider", _("Service provider to such a vendor")

    class ChinaNetwork(models.TextChoices):
        NONE = "", _("Not in scope")
        OPERATOR = "operator", _("Network operator")
        CIIO = "ciio", _("Critical information infrastructure operator")

    name = models.CharField(
        _("organisation name"),
        max_length=200,
        blank=True,
        help_text=_("How partner notices name us, e.g. “Northwind AI Ltd”."),
    )
    reply_to = models.EmailField(
        _("reply-to address"),
        blank=True,
        help_text=_(
            "Where partners' replies to a notice go (the Reply-To header), e.g. "
            "security@example.com. Empty: replies go to the sender address."
        ),
    )
    public_contact = models.CharField(
        _("public contact"),
        max_length=300,
        blank=True,
        validators=[validate_public_contact],
        help_text=_(
            "How a partner reaches us about an incident: an email address, a web address "
            "(https://…) or a phone number (+44 20 …). Quoted in partner notices."
        ),
    )
    role = models.CharField(
        _("our GDPR role"), max_length=16, choices=Role, default=Role.CONTROLLER
    )
    established_in = models.CharField(
        _("established in"),
        max_length=2,
        blank=True,
        default="",
        validators=[validate_country],
        help_text=_(
            "Country of our (main) establishment, e.g. DE. An EU-established controller "
            "notifies for everyone affected, wherever they live (GDPR Art. 3(1))."
        ),
    )
    time_zone = models.CharField(
        _("our time zone"),
        max_length=64,
        blank=True,
        default="",
        validators=[validate_time_zone],
        help_text=_(
            "IANA name, e.g. America/Chicago. Day-counted US rules (HIPAA, state laws) count "
            "from our own calendar day of discovery. Empty: each rule's own zone."
        ),
    )
    sec_registrant = models.BooleanField(_("SEC registrant"), default=False)
    smaller_reporting_company = models.BooleanField(
        _("SEC smaller reporting company"),
        default=False,
        help_text=_("Later start dates for SEC Item 1.05 and Regulation S-P."),
    )
    nis2 = models.CharField(_("NIS2"), max_length=16, choices=Nis2, blank=True, default="")
    trust_service_provider = models.BooleanField(
        _("trust service provider (NIS2: 24-hour notification)"), default=False
    )
    dora_financial_entity = models.BooleanField(_("DORA financial entity"), default=False)
    cra_manufacturer = models.BooleanField(
        _("manufacturer of products with digital elements (EU CRA)"), default=False
    )
    high_risk_ai_provider = models.BooleanField(
        _("provider of a high-risk AI system (EU AI Act)"), default=False
    )
    telecom_provider = models.BooleanField(
        _("public electronic communications provider (ePrivacy, PECR, FCC CPNI)"),
        default=False,
    )
    uk_nis = models.BooleanField(
        _("UK NIS: operator of essential services or digital service provider"), default=False
    )
    hipaa = models.CharField(_("HIPAA"), max_length=24, choices=Hipaa, blank=True, default="")
    phr = models.CharField(
        _("FTC Health Breach Notification Rule"),
        max_length=24,
        choices=Phr,
        blank=True,
        default="",
    )
    nydfs_covered = models.BooleanField(_("NYDFS covered entity"), default=False)
    reg_sp = models.CharField(
        _("SEC Regulation S-P"), max_length=24, choices=RegSp, blank=True, default=""
    )
    glba_financial_institution = models.BooleanField(
        _("non-bank financial institution (GLBA Safeguards Rule)"), default=False
    )
    bank = models.CharField(
        _("US banking incident rule"), max_length=24, choices=Bank, blank=True, default=""
    )
    critical_infrastructure = models.BooleanField(
        _("covered critical-infrastructure entity (CIRCIA)"), default=False
    )
    china_network = models.CharField(
        _("China network operator"), max_length=16, choices=ChinaNetwork, blank=True, default=""
    )
    internal_target_hours = models.PositiveIntegerField(
        _("internal target for duties with no fixed time (hours)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_WINDOW_HOURS)],
        help_text=_(
            "“Without undue delay”, “promptly”: the law gives no number, so these duties are "
            "reminded and ranked by this many hours after they start."
        ),
    )
    enabled_rules = models.JSONField(
        _("rules turned on"),
        default=list,
        blank=True,
        validators=[validate_optional_rules],
        help_text=_(
            "Grade C rules and rules not yet in force are off unless listed here (rule ids)."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    # The entity facts the clock engine reads, by their facts name (incidents.clocks.facts).
    ENTITY_FACTS = (
        "sec_registrant",
        "smaller_reporting_company",
        "nis2",
        "trust_service_provider",
        "dora_financial_entity",
        "hipaa",
        "nydfs_covered",
        "telecom_provider",
        "cra_manufacturer",
        "uk_nis",
        "reg_sp",
        "bank",
        "phr",
        "glba_financial_institution",
        "china_network",
        "critical_infrastructure",
        "high_risk_ai_provider",
    )

    class Meta:
        verbose_name = _("organisation profile")

    def __str__(self) -> str:
        return str(_("Organisation profile"))

    @classmethod
    def current(cls) -> "OrganisationProfile":
        """The stored profile, or (unsaved) the defaults: reading it never writes a row."""
        return cls.objects.order_by("pk").first() or cls()

    def entity_facts(self) -> dict:
        """The entity part of the clock engine's facts: choices left empty are null."""
        values = {name: getattr(self, name) for name in self.ENTITY_FACTS}
        return {
            name: value if isinstance(value, bool) else value or None
            for name, value in values.items()
        }

    def standing_facts(self) -> dict:
        """Role, entity, establishment, zone and enabled rules, as the engine reads them."""
        return {
            "role": self.role,
            "entity": self.entity_facts(),
            "established_in": self.established_in or None,
            "time_zone": self.time_zone or None,
            "enabled_rules": list(self.enabled_rules or []),
            "internal_target_hours": self.internal_target_hours,
        }


# Clocks about what others owed us (the vendor's duty to tell us): settled by
# the facts, never reminded.
SETTLED_BY_FACTS = ("vendor-sla",)


class DeadlineStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    MET = "met", _("Met")
    MISSED = "missed", _("Missed")
    WAIVED = "waived", _("Not required")


class Deadline(ChoiceLabels, models.Model):
    """One duty to tell someone by a time, as computed by the clock engine.

    Pending deadlines follow the facts: they are recomputed when the facts
    change, and every change is on the timeline. A met or waived one is a
    decision and stays as it was decided.
    """

    Status = DeadlineStatus

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="deadlines")
    rule_id = models.CharField(max_length=120)
    regime = models.CharField(max_length=120)
    recipient = models.CharField(max_length=200)
    citation = models.CharField(max_length=300)
    confidence = models.CharField(max_length=1)
    standard = models.CharField(max_length=200)
    trigger = models.CharField(max_length=120)
    starts_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    # A duty with no number in law: the organisation's internal target, which its
    # reminders and its rank follow (DESIGN.md, "Clocks with no fixed time").
    target_at = models.DateTimeField(null=True, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC")
    flags = models.JSONField(default=list, blank=True)
    calendar = models.JSONField(null=True, blank=True)
    note = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status, default=Status.PENDING)
    met_at = models.DateTimeField(null=True, blank=True)
    met_reference = models.CharField(max_length=300, blank=True)
    met_by_notification = models.ForeignKey(
        Notification, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    computed_at = models.DateTimeField(auto_now=True)
    # When the reminder sweep next has something to send for this deadline (a
    # reminder before it is due, or the escalation once it is); empty when
    # nothing is left. Kept current whenever the deadline is set, moved,
    # settled or reminded, so that the sweep reads only what is due.
    next_reminder_at = models.DateTimeField(null=True, blank=True)
    # Why the last attempt to remind failed, shown on the incident page until
    # a later attempt succeeds.
    reminder_error = models.TextField(blank=True)

    class Meta:
        ordering = ["due_at", "rule_id"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "rule_id"], name="deadline_one_per_rule"),
            models.CheckConstraint(
                condition=models.Q(status__in=DeadlineStatus.values), name="deadline_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(due_at__isnull=True)
                | models.Q(starts_at__isnull=True)
                | models.Q(due_at__gte=models.F("starts_at")),
                name="deadline_due_after_start",
            ),
        ]
        indexes = [
            # The reminder sweep: deadlines with a reminder due, soonest first.
            models.Index(
                fields=["next_reminder_at"],
                condition=models.Q(next_reminder_at__isnull=False),
                name="deadline_next_reminder_idx",
            ),
            # The dashboard's week ahead: deadlines still owed, nearest first,
            # read in order from the index instead of sorting every owed one.
            models.Index(
                fields=["due_at", "id"],
                condition=models.Q(status__in=["pending", "missed"]),
                name="deadline_owed_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} for {self.incident_id}"

    @property
    def is_open(self) -> bool:
        return self.status in (DeadlineStatus.PENDING, DeadlineStatus.MISSED)

    @property
    def remind_at(self):
        """What reminders count down to: the legal due time, else the internal target."""
        return self.due_at or self.target_at


class DeadlineReminder(models.Model):
    """A reminder (or escalation) for one deadline at one offset, for one due time: the key.

    Inserting it succeeds once; only the insert that succeeds sends the email,
    however often the sweep runs. The due time is part of the key because a
    deadline moves when the facts change: a moved deadline starts a fresh series.
    """

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="reminders")
    offset = models.CharField(max_length=16)  # "24h", "4h", "1h" before, or "overdue"
    due_at = models.DateTimeField()
    notified = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["deadline", "offset", "due_at"],
                name="deadline_reminder_once_per_offset_and_due_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deadline} {self.offset} for {self.due_at:%Y-%m-%d %H:%M}"


class TaskReminder(models.Model):
    """The reminder an overdue task's assignee gets, once per assignee and due time."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reminders")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    due_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["task", "assignee", "due_at"],
                name="task_reminder_once_per_assignee_and_due_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Reminder for task {self.task_id}"


def _evidence_name(instance: "Evidence", filename: str) -> str:
    """Stored names come from ids and a random part, never from what the uploader typed."""
    return f"evidence/{instance.incident_id}/{uuid.uuid4().hex}"


class Evidence(models.Model):
    """A file added to an incident, kept as uploaded for chain of custody.

    The file lives in Django's default storage (``DATA_DIR/media``, outside
    anything the web server serves; an object store can replace it) under a
    name made of ids, so it is never overwritten. Its SHA-256, size, sniffed
    type and uploader are on the timeline; deleting it is a timeline entry
    too, and is refused while the incident is on legal hold.
    """

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(upload_to=_evidence_name, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    description = models.CharField(_("description"), max_length=500, blank=True)
    # Empty for a file a vendor attached to a questionnaire answer (no account):
    # ``uploaded_by_name`` then says who sent it.
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    uploaded_by_name = models.CharField(_("uploaded by"), max_length=300, blank=True)
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name_plural = _("evidence")
        constraints = [
            models.UniqueConstraint(fields=["file"], name="evidence_file_unique"),
            models.CheckConstraint(condition=models.Q(size__gte=1), name="evidence_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.incident_id})"


class TimelineReportStatus(models.TextChoices):
    PREPARING = "preparing", _("Preparing")
    BUILDING = "building", _("Building")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class TimelineReport(ChoiceLabels, models.Model):
    """A PDF report of the timeline, built by the worker after its export was recorded.

    A long timeline takes longer to lay out than a web request may wait
    (5,000 entries: about 35 s here), so the POST records the export and
    queues this row; the worker claims it (``preparing`` → ``building``),
    stores the file and marks it ``ready``. Only the person who asked may
    download it.
    """

    Status = TimelineReportStatus

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="reports")
    export_entry = models.OneToOneField(
        TimelineEntry, on_delete=models.PROTECT, related_name="report"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    covers_seq = models.PositiveIntegerField()
    include_privileged = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=Status, default=Status.PREPARING)
    file = models.FileField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=TimelineReportStatus.values),
                name="timeline_report_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=TimelineReportStatus.READY) | ~models.Q(file=""),
                name="timeline_report_ready_has_file",
            ),
        ]

    def __str__(self) -> str:
        return f"Report of {self.incident_id} to #{self.covers_seq} ({self.status})"


# --- vendor questionnaires ---------------------------------------------------------------


class QuestionKind(models.TextChoices):
    TEXT = "text", _("Text")
    YES_NO = "yes_no", _("Yes / no / unknown")
    DATETIME = "datetime", _("Date and time, with its time zone")
    NUMBER = "number", _("Whole number")
    CHOICE = "choice", _("One of a list")
    DATA_ASSETS = "data_assets", _("Our data assets the vendor held (with records reached)")
    FILE = "file", _("File")


class QuestionFeeds(models.TextChoices):
    """What an answer is offered for on our side (never applied without a person)."""

    NOTHING = "", _("Nothing")
    VENDOR_AWARE_AT = "vendor_aware_at", _("When the vendor became aware")


class QuestionFields(ChoiceLabels, models.Model):
    """What a question is, shared by a template's question and a sent questionnaire's copy."""

    Kind = QuestionKind
    Feeds = QuestionFeeds

    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.CharField(_("question"), max_length=500)
    help_text = models.CharField(_("help text"), max_length=1_000, blank=True)
    kind = models.CharField(_("type"), max_length=16, choices=Kind, default=Kind.TEXT)
    choices = models.JSONField(
        _("choices"),
        default=list,
        blank=True,
        help_text=_('For “one of a list”: the options, e.g. ["Contained", "Not yet", "Unknown"].'),
    )
    required = models.BooleanField(_("answer required"), default=False)
    feeds = models.CharField(
        _("offered as"),
        max_length=32,
        choices=Feeds,
        blank=True,
        default="",
        help_text=_(
            "A date-and-time answer can be offered to the commander as the incident's "
            "“vendor became aware” time."
        ),
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.text

    def clean(self):
        if self.kind == QuestionKind.CHOICE:
            if (
                not isinstance(self.choices, list)
                or len(self.choices) < 2
                or not all(isinstance(c, str) and c.strip() for c in self.choices)
            ):
                raise ValidationError(
                    {"choices": _("List at least two options, as text, for “one of a list”.")}
                )
        elif self.choices:
            raise ValidationError({"choices": _("Only “one of a list” questions have options.")})
        if self.feeds == QuestionFeeds.VENDOR_AWARE_AT and self.kind != QuestionKind.DATETIME:
            raise ValidationError(
                {"feeds": _("Only a date-and-time question can give when the vendor became aware.")}
            )


class QuestionnaireTemplate(models.Model):
    """Admin-editable questions to ask a breached vendor; the default one is offered first."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_default = models.BooleanField(_("default"), default=False)

    class Meta:
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="questionnaire_template_one_default",
                violation_error_message=_("Only one questionnaire can be the default."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class QuestionnaireTemplateQuestion(QuestionFields):
    template = models.ForeignKey(
        QuestionnaireTemplate, on_delete=models.CASCADE, related_name="questions"
    )

    class Meta:
        ordering = ["template", "order", "pk"]
        verbose_name = _("question")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=QuestionKind.values),
                name="questionnaire_template_question_kind_valid",
            ),
        ]


class QuestionnaireStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    SENT = "sent", _("Sent, awaiting answers")
    ANSWERED = "answered", _("Answered")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# A vendor may answer (again) while the questionnaire is in these states.
QUESTIONNAIRE_OPEN_STATUSES = (QuestionnaireStatus.SENT, QuestionnaireStatus.ANSWERED)


class Questionnaire(ChoiceLabels, models.Model):
    """One round of questions to one vendor about one incident, answered through a signed link.

    Its questions are copied from the template when drafted, so that editing
    a template never changes what a vendor was asked. Follow-up questions are
    a new round (``follows`` the previous one). The link is a signature of
    ``nonce`` (``/q/<token>/``), valid ``QUESTIONNAIRE_LINK_DAYS`` after sending.
    """

    Status = QuestionnaireStatus

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="questionnaires")
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="questionnaires")
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    follows = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="follow_ups"
    )
    template = models.ForeignKey(
        QuestionnaireTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.DRAFT)
    nonce = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdraw_reason = models.TextField(blank=True, max_length=2_000)
    # When the chaser sweep next has something to send (empty once answered,
    # withdrawn, or past the link's life); kept by the questionnaire services.
    next_chaser_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=QuestionnaireStatus.values),
                name="questionnaire_status_valid",
            ),
            models.UniqueConstraint(
                fields=["incident", "vendor", "round"], name="questionnaire_round_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["draft", "approved"])
                | models.Q(status="withdrawn", sent_at__isnull=True)
                | models.Q(sent_at__isnull=False),
                name="questionnaire_sent_has_time",
            ),
        ]
        indexes = [
            # The chaser sweep: questionnaires with a chaser due, soonest first.
            models.Index(
                fields=["next_chaser_at"],
                condition=models.Q(next_chaser_at__isnull=False),
                name="questionnaire_next_chaser_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (round {self.round}) for {self.incident_id}"

    @property
    def is_open(self) -> bool:
        """The vendor may still answer (again)."""
        return self.status in QUESTIONNAIRE_OPEN_STATUSES


class QuestionnaireQuestion(QuestionFields):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="questions"
    )

    class Meta:
        ordering = ["questionnaire", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=QuestionKind.values),
                name="questionnaire_question_kind_valid",
            ),
        ]


class QuestionnaireDraft(models.Model):
    """What the vendor saved without submitting: theirs to change, never on the timeline."""

    questionnaire = models.OneToOneField(
        Questionnaire, on_delete=models.CASCADE, primary_key=True, related_name="draft"
    )
    answers = models.JSONField(default=dict)
    respondent_name = models.CharField(max_length=200, blank=True)
    respondent_email = models.CharField(max_length=254, blank=True)
    saved_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Draft answers to questionnaire {self.questionnaire_id}"


class QuestionnaireResponse(models.Model):
    """One submitted version of a vendor's answers, written once beside its timeline entry.

    The entry holds only ``answers_sha256 = sha256_hex(nonce + canonical JSON
    of the answers)`` (the commitment form of privileged notes, DESIGN.md);
    these answers and their nonce let anyone check it. Files are in the
    answers by their SHA-256. A new submission is a new version.
    """

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="responses"
    )
    version = models.PositiveSmallIntegerField()
    answers = models.JSONField()
    nonce = models.CharField(max_length=32)
    answers_sha256 = models.CharField(max_length=64)
    respondent_name = models.CharField(max_length=200)
    respondent_email = models.CharField(max_length=254)
    submitted_at = models.DateTimeField()
    entry = models.OneToOneField(
        TimelineEntry, on_delete=models.PROTECT, related_name="questionnaire_response"
    )

    objects = TimelineEntryQuerySet.as_manager()

    class Meta:
        ordering = ["questionnaire", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "version"], name="questionnaire_response_version_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(nonce__regex=r"^[0-9a-f]{32}$"),
                name="questionnaire_response_nonce_hex",
            ),
        ]

    def __str__(self) -> str:
        return f"Answers v{self.version} to questionnaire {self.questionnaire_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TimelineIsAppendOnly("submitted answers cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TimelineIsAppendOnly("submitted answers cannot be deleted")


class QuestionnaireChaser(models.Model):
    """Chaser number ``number`` of one questionnaire: inserting it succeeds once, and only
    that insert sends it (the reminders' claim). ``notified`` is False for a chaser the
    sweep skipped because a later one was already due."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="chasers"
    )
    number = models.PositiveSmallIntegerField()
    escalated = models.BooleanField(default=False)
    notified = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "number"], name="questionnaire_chaser_once_per_number"
            ),
        ]

    def __str__(self) -> str:
        return f"Chaser {self.number} of questionnaire {self.questionnaire_id}"
