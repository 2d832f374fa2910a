"""Reads: the need-to-know gate, lists, the scope review, and the incident page's panels."""

from incidents.selectors.access import (
    incident_get_for_user,
    incident_visible_to,
    open_incident_vendor_ids,
    visible_incidents,
)
from incidents.selectors.lists import (
    dashboard_incidents,
    feed_deadlines,
    incident_list_for_user,
    my_open_tasks,
    people_matching,
    vendor_incidents,
)
from incidents.selectors.notices import ack_overdue_since, unacknowledged_notices_for
from incidents.selectors.readable import readable_entries, readable_summary
from incidents.selectors.reports import evidence_for, incident_evidence, timeline_report_for
from incidents.selectors.rules import RuleRow, clock_rule_jurisdictions, clock_rules
from incidents.selectors.scope import (
    ScopeSummary,
    held_assets,
    incident_scope_items,
    scope_rows,
    summarise_scope,
)
from incidents.selectors.visual import visual_timeline_for
from incidents.selectors.workspace import (
    PANELS,
    Workspace,
    incident_deadlines,
    incident_members,
    incident_notifications,
    incident_pause_overview,
    incident_pauses,
    incident_tasks,
    latest_entries,
    panel_context,
    recipient_gaps,
    timeline_actors,
    timeline_entries,
    with_privileged_texts,
    workspace_after_change,
    workspace_for,
)

__all__ = [
    "PANELS",
    "RuleRow",
    "ScopeSummary",
    "Workspace",
    "ack_overdue_since",
    "clock_rule_jurisdictions",
    "clock_rules",
    "dashboard_incidents",
    "evidence_for",
    "feed_deadlines",
    "held_assets",
    "incident_deadlines",
    "incident_evidence",
    "incident_get_for_user",
    "incident_list_for_user",
    "incident_members",
    "incident_notifications",
    "incident_pause_overview",
    "incident_pauses",
    "incident_scope_items",
    "incident_tasks",
    "incident_visible_to",
    "latest_entries",
    "my_open_tasks",
    "open_incident_vendor_ids",
    "panel_context",
    "people_matching",
    "readable_entries",
    "readable_summary",
    "recipient_gaps",
    "scope_rows",
    "summarise_scope",
    "timeline_actors",
    "timeline_entries",
    "timeline_report_for",
    "unacknowledged_notices_for",
    "vendor_incidents",
    "visible_incidents",
    "visual_timeline_for",
    "with_privileged_texts",
    "workspace_after_change",
    "workspace_for",
]
