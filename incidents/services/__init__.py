"""Domain operations on incidents; each owns its transaction and its timeline entry."""

from incidents.services.deadlines import (
    deadline_mark_met,
    deadline_waive,
    deadlines_recompute,
    incident_facts,
    incident_record_decisions,
)
from incidents.services.incidents import (
    check_incident_times,
    incident_advance_phase,
    incident_open,
    incident_reopen,
    incident_set_commander,
    incident_set_severity,
    member_add,
    member_remove,
    member_set_role,
    note_add,
)
from incidents.services.notifications import (
    notification_acknowledge,
    notification_approve,
    notification_retry,
    notification_send,
    notification_update_draft,
    notifications_draft_partner_notices,
    notifications_send_approved,
    notifications_sweep,
)
from incidents.services.reminders import deadlines_sweep
from incidents.services.tasks import task_assign, task_complete, task_reopen, task_skip
from incidents.services.timeline import (
    timeline_export_entries,
    timeline_export_record,
    timeline_privileged_texts,
    verify_chain,
)
from incidents.services.triage import (
    ScopeMark,
    engagement_resume_approve,
    engagements_pause,
    scope_review_mark,
    scope_review_mark_many,
)

__all__ = [
    "ScopeMark",
    "check_incident_times",
    "deadline_mark_met",
    "deadline_waive",
    "deadlines_recompute",
    "deadlines_sweep",
    "engagement_resume_approve",
    "engagements_pause",
    "incident_advance_phase",
    "incident_facts",
    "incident_open",
    "incident_record_decisions",
    "incident_reopen",
    "incident_set_commander",
    "incident_set_severity",
    "member_add",
    "member_remove",
    "member_set_role",
    "note_add",
    "notification_acknowledge",
    "notification_approve",
    "notification_retry",
    "notification_send",
    "notification_update_draft",
    "notifications_draft_partner_notices",
    "notifications_send_approved",
    "notifications_sweep",
    "scope_review_mark",
    "scope_review_mark_many",
    "task_assign",
    "task_complete",
    "task_reopen",
    "task_skip",
    "timeline_export_entries",
    "timeline_export_record",
    "timeline_privileged_texts",
    "verify_chain",
]
