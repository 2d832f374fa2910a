from django.urls import path

from incidents import views

app_name = "incidents"

incident_urls = [
    path("", views.incident_list, name="list"),
    path("new/", views.incident_create, name="create"),
    path("by-vendor/<slug:slug>/", views.vendor_incidents, name="vendor-incidents"),
    path("<str:reference>/", views.incident_detail, name="detail"),
    path("<str:reference>/phase/", views.incident_phase, name="phase"),
    path("<str:reference>/reopen/", views.incident_reopen, name="reopen"),
    path("<str:reference>/severity/", views.incident_severity, name="severity"),
    path("<str:reference>/commander/", views.incident_commander, name="commander"),
    path("<str:reference>/notes/", views.note_add, name="note-add"),
]

member_urls = [
    path("<str:reference>/members/add/", views.member_add, name="member-add"),
    path("<str:reference>/members/<int:member_id>/role/", views.member_role, name="member-role"),
    path(
        "<str:reference>/members/<int:member_id>/remove/",
        views.member_remove,
        name="member-remove",
    ),
]

task_urls = [
    path(
        "<str:reference>/tasks/<int:task_id>/complete/", views.task_complete, name="task-complete"
    ),
    path("<str:reference>/tasks/<int:task_id>/reopen/", views.task_reopen, name="task-reopen"),
    path("<str:reference>/tasks/<int:task_id>/assign/", views.task_assign, name="task-assign"),
    path("<str:reference>/tasks/<int:task_id>/skip/", views.task_skip, name="task-skip"),
]

triage_urls = [
    path("<str:reference>/pause/", views.engagements_pause, name="pause"),
    path(
        "<str:reference>/pauses/<int:pause_id>/approve-resume/",
        views.pause_approve_resume,
        name="pause-approve-resume",
    ),
    path("<str:reference>/scope/", views.scope_review, name="scope"),
    path("<str:reference>/scope/all/", views.scope_mark_all, name="scope-mark-all"),
    path("<str:reference>/scope/<int:asset_id>/", views.scope_mark, name="scope-mark"),
]

notification_urls = [
    path(
        "<str:reference>/notifications/draft-partners/",
        views.notifications_draft,
        name="notifications-draft",
    ),
    path(
        "<str:reference>/notifications/send/", views.notifications_send, name="notifications-send"
    ),
    path(
        "<str:reference>/notifications/<int:notification_id>/",
        views.notification_detail,
        name="notification",
    ),
    path(
        "<str:reference>/notifications/<int:notification_id>/approve/",
        views.notification_approve,
        name="notification-approve",
    ),
    path(
        "<str:reference>/notifications/<int:notification_id>/retry/",
        views.notification_retry,
        name="notification-retry",
    ),
]

deadline_urls = [
    path("<str:reference>/decisions/", views.incident_decisions, name="decisions"),
    path(
        "<str:reference>/deadlines/recompute/",
        views.deadlines_recompute,
        name="deadlines-recompute",
    ),
    path("<str:reference>/deadlines.ics", views.incident_deadlines_ics, name="deadlines-ics"),
    path("<str:reference>/deadlines/<int:deadline_id>/", views.deadline_detail, name="deadline"),
    path(
        "<str:reference>/deadlines/<int:deadline_id>/met/",
        views.deadline_met,
        name="deadline-met",
    ),
    path(
        "<str:reference>/deadlines/<int:deadline_id>/waive/",
        views.deadline_waive,
        name="deadline-waive",
    ),
]

timeline_urls = [
    path("<str:reference>/timeline/", views.timeline, name="timeline"),
    path(
        "<str:reference>/timeline/export.json",
        views.timeline_export_json,
        name="timeline-export-json",
    ),
    path("<str:reference>/timeline/verify/", views.timeline_verify, name="timeline-verify"),
]

urlpatterns = (
    incident_urls
    + member_urls
    + task_urls
    + triage_urls
    + notification_urls
    + deadline_urls
    + timeline_urls
)
