from django.urls import path

from incidents.views import (
    deadlines,
    evidence,
    lists,
    notifications,
    playbook_tasks,
    questionnaires,
    timeline,
    triage,
    workflow,
    workspace,
)

app_name = "incidents"

incident_urls = [
    path("", lists.incident_list, name="list"),
    path("new/", lists.incident_open, name="create"),
    path("export.csv", lists.incident_list_export_csv, name="list-csv"),
    path("by-vendor/<slug:slug>/", lists.vendor_incidents, name="vendor-incidents"),
    path("<str:reference>/", workspace.incident_detail, name="detail"),
    path("<str:reference>/phase/", workflow.incident_advance_phase, name="phase"),
    path("<str:reference>/reopen/", workflow.incident_reopen, name="reopen"),
    path("<str:reference>/severity/", workflow.incident_set_severity, name="severity"),
    path("<str:reference>/commander/", workflow.incident_set_commander, name="commander"),
    path("<str:reference>/notes/", workflow.note_add, name="note-add"),
]

member_urls = [
    path("<str:reference>/members/add/", workflow.member_add, name="member-add"),
    path("<str:reference>/people/", workflow.people_search, name="people"),
    path(
        "<str:reference>/members/<int:member_id>/role/",
        workflow.member_set_role,
        name="member-role",
    ),
    path(
        "<str:reference>/members/<int:member_id>/remove/",
        workflow.member_remove,
        name="member-remove",
    ),
]

task_urls = [
    path(
        "<str:reference>/tasks/<int:task_id>/complete/",
        playbook_tasks.task_complete,
        name="task-complete",
    ),
    path(
        "<str:reference>/tasks/<int:task_id>/reopen/",
        playbook_tasks.task_reopen,
        name="task-reopen",
    ),
    path(
        "<str:reference>/tasks/<int:task_id>/assign/",
        playbook_tasks.task_assign,
        name="task-assign",
    ),
    path("<str:reference>/tasks/<int:task_id>/skip/", playbook_tasks.task_skip, name="task-skip"),
    path("<str:reference>/tasks/add/", playbook_tasks.task_add, name="task-add"),
]

triage_urls = [
    path("<str:reference>/pause/", triage.engagements_pause, name="pause"),
    path(
        "<str:reference>/pauses/<int:pause_id>/approve-resume/",
        triage.pause_approve_resume,
        name="pause-approve-resume",
    ),
    path("<str:reference>/scope/", triage.scope_review, name="scope"),
    path("<str:reference>/scope/all/", triage.scope_review_mark_all, name="scope-mark-all"),
    path("<str:reference>/scope/<int:asset_id>/", triage.scope_review_mark, name="scope-mark"),
]

notification_urls = [
    path(
        "<str:reference>/notifications/draft-partners/",
        notifications.notifications_draft_partner_notices,
        name="notifications-draft",
    ),
    path(
        "<str:reference>/notifications/follow-up/",
        notifications.notifications_draft_follow_ups,
        name="notifications-follow-up",
    ),
    path(
        "<str:reference>/public-summary/",
        notifications.incident_set_public_summary,
        name="public-summary",
    ),
    path(
        "<str:reference>/notifications/send/",
        notifications.notifications_send_approved,
        name="notifications-send",
    ),
    path(
        "<str:reference>/notifications/<int:notification_id>/",
        notifications.notification_update_draft,
        name="notification",
    ),
    path(
        "<str:reference>/notifications/<int:notification_id>/approve/",
        notifications.notification_approve,
        name="notification-approve",
    ),
    path(
        "<str:reference>/notifications/<int:notification_id>/retry/",
        notifications.notification_retry,
        name="notification-retry",
    ),
]

deadline_urls = [
    path("<str:reference>/decisions/", deadlines.incident_record_decisions, name="decisions"),
    path(
        "<str:reference>/deadlines/recompute/",
        deadlines.deadlines_recompute,
        name="deadlines-recompute",
    ),
    path("<str:reference>/deadlines.ics", deadlines.incident_deadlines_ics, name="deadlines-ics"),
    path(
        "<str:reference>/deadlines/<int:deadline_id>/",
        deadlines.deadline_detail,
        name="deadline",
    ),
    path(
        "<str:reference>/deadlines/<int:deadline_id>/met/",
        deadlines.deadline_mark_met,
        name="deadline-met",
    ),
    path(
        "<str:reference>/deadlines/<int:deadline_id>/waive/",
        deadlines.deadline_waive,
        name="deadline-waive",
    ),
]

timeline_urls = [
    path("<str:reference>/timeline/", timeline.timeline, name="timeline"),
    path(
        "<str:reference>/timeline/export.json",
        timeline.timeline_export_json,
        name="timeline-export-json",
    ),
    path(
        "<str:reference>/timeline/export.csv",
        timeline.timeline_export_csv,
        name="timeline-export-csv",
    ),
    path(
        "<str:reference>/timeline/export.pdf",
        timeline.timeline_export_pdf,
        name="timeline-export-pdf",
    ),
    path(
        "<str:reference>/timeline/reports/<int:report_id>/",
        timeline.timeline_report,
        name="timeline-report",
    ),
    path(
        "<str:reference>/timeline/reports/<int:report_id>/download/",
        timeline.timeline_report_download,
        name="timeline-report-download",
    ),
    path("<str:reference>/timeline/verify/", timeline.timeline_verify, name="timeline-verify"),
]

legal_urls = [
    path("<str:reference>/legal-hold/", evidence.legal_hold, name="legal-hold"),
    path("<str:reference>/evidence/", evidence.evidence, name="evidence"),
    path(
        "<str:reference>/evidence/<int:evidence_id>/download/",
        evidence.evidence_download,
        name="evidence-download",
    ),
    path(
        "<str:reference>/evidence/<int:evidence_id>/delete/",
        evidence.evidence_delete,
        name="evidence-delete",
    ),
]

questionnaire_urls = [
    path("<str:reference>/questionnaires/", questionnaires.questionnaires, name="questionnaires"),
    path(
        "<str:reference>/questionnaires/<int:questionnaire_id>/",
        questionnaires.questionnaire_detail,
        name="questionnaire",
    ),
    path(
        "<str:reference>/questionnaires/<int:questionnaire_id>/approve/",
        questionnaires.questionnaire_approve,
        name="questionnaire-approve",
    ),
    path(
        "<str:reference>/questionnaires/<int:questionnaire_id>/send/",
        questionnaires.questionnaire_send,
        name="questionnaire-send",
    ),
    path(
        "<str:reference>/questionnaires/<int:questionnaire_id>/accept-aware/",
        questionnaires.questionnaire_accept_aware,
        name="questionnaire-accept-aware",
    ),
    path(
        "<str:reference>/questionnaires/<int:questionnaire_id>/follow-up/",
        questionnaires.questionnaire_follow_up,
        name="questionnaire-follow-up",
    ),
    path(
        "<str:reference>/questionnaires/<int:questionnaire_id>/withdraw/",
        questionnaires.questionnaire_withdraw,
        name="questionnaire-withdraw",
    ),
]

urlpatterns = (
    incident_urls
    + member_urls
    + task_urls
    + triage_urls
    + notification_urls
    + deadline_urls
    + timeline_urls
    + legal_urls
    + questionnaire_urls
)
