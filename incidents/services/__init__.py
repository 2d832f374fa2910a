"""Domain operations on incidents; each owns its transaction and its timeline entry.

The modules, in layers (a module uses only those below it; none uses one above):

- ``questionnaires`` (vendor questionnaires: draft, approve, send, answer,
  chase, withdraw; accepting what the answers offer)
- ``incidents`` (open, phases, command, team, notes), ``triage`` (pause,
  resume, scope review), ``exports``, ``evidence``
- ``legal_hold`` (place, lift; the check every deletion makes)
- ``reminders`` (the sweep of reminders and escalations)
- ``notifications`` (the notice workflow: draft, approve, queue, retry, acknowledge)
- ``delivery`` (claim, send, the outbox sweep), ``notice_composition`` (what a
  notice says, acknowledgement links)
- ``deadlines`` (the clock engine applied; when reminders are due), ``playbook_tasks``
- ``common`` (``lock_incident``: the one way to lock and check)
"""

from incidents.services.deadlines import (
    deadline_mark_met,
    deadline_waive,
    deadlines_recompute,
    incident_facts,
    incident_next_deadline_refresh,
    incident_record_decisions,
)
from incidents.services.delivery import notification_send, notifications_sweep
from incidents.services.evidence import evidence_add, evidence_delete, evidence_record_download
from incidents.services.exports import (
    timeline_export_record,
    timeline_report_build,
    timeline_report_request,
)
from incidents.services.incidents import (
    check_incident_times,
    incident_advance_phase,
    incident_open,
    incident_reopen,
    incident_set_commander,
    incident_set_public_summary,
    incident_set_severity,
    member_add,
    member_remove,
    member_set_role,
    note_add,
)
from incidents.services.legal_hold import incident_lift_legal_hold, incident_place_legal_hold
from incidents.services.notifications import (
    notification_acknowledge,
    notification_approve,
    notification_retry,
    notification_update_draft,
    notifications_draft_follow_ups,
    notifications_draft_partner_notices,
    notifications_send_approved,
)
from incidents.services.playbook_tasks import (
    task_add,
    task_assign,
    task_complete,
    task_reopen,
    task_skip,
)
from incidents.services.reminders import deadlines_sweep, notifications_unacknowledged_sweep
from incidents.services.triage import (
    ScopeMark,
    engagements_pause,
    pause_approve_resume,
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
    "engagements_pause",
    "evidence_add",
    "evidence_delete",
    "evidence_record_download",
    "incident_advance_phase",
    "incident_facts",
    "incident_lift_legal_hold",
    "incident_next_deadline_refresh",
    "incident_open",
    "incident_place_legal_hold",
    "incident_record_decisions",
    "incident_reopen",
    "incident_set_commander",
    "incident_set_public_summary",
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
    "notifications_draft_follow_ups",
    "notifications_draft_partner_notices",
    "notifications_send_approved",
    "notifications_sweep",
    "notifications_unacknowledged_sweep",
    "pause_approve_resume",
    "scope_review_mark",
    "scope_review_mark_many",
    "task_add",
    "task_assign",
    "task_complete",
    "task_reopen",
    "task_skip",
    "timeline_export_record",
    "timeline_report_build",
    "timeline_report_request",
]
