"""The incident page's read model: one function per panel, registered in ``PANELS``.

A request reads the incident once, through the gate, into a ``Workspace``;
each panel's function returns exactly the context its partial of
``templates/incidents/detail.html`` needs, reading what it needs (once) from
the workspace. The page renders every panel; an action renders the panel it
answers with and, out of band, the panels its change touched, so that one
click is one round trip and a handful of queries.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone

from breachdesk.feed_keys import feed_key, incident_scope
from breachdesk.models import User
from breachdesk.roles import may_command
from incidents.models import (
    PHASE_ORDER,
    SETTLED_BY_FACTS,
    Deadline,
    EngagementPause,
    Incident,
    IncidentMember,
    Notification,
    PrivilegedText,
    Task,
    TimelineEntry,
)
from incidents.permissions import Abilities, abilities_for
from incidents.selectors.access import incident_get_for_user, visible_incidents
from incidents.selectors.notices import ack_overdue_since
from incidents.selectors.questionnaires import incident_questionnaires
from incidents.selectors.scope import held_assets, incident_scope_items, summarise_scope
from vendors.models import Engagement

LATEST_ENTRIES_ON_WORKSPACE = 20


@dataclass
class Workspace:
    """One incident as one reader sees it: read once per request, shared by the panels."""

    incident: Incident
    user: User
    abilities: Abilities
    now: datetime

    @cached_property
    def vendors(self):
        return list(self.incident.vendors.all())

    @cached_property
    def members(self) -> list[IncidentMember]:
        return incident_members(incident=self.incident)

    @cached_property
    def tasks(self) -> list[Task]:
        return incident_tasks(incident=self.incident)

    @cached_property
    def deadlines(self) -> list[Deadline]:
        return incident_deadlines(incident=self.incident)

    @cached_property
    def pauses(self) -> list[EngagementPause]:
        return incident_pauses(incident=self.incident)


def workspace_for(*, user: User, reference: str) -> Workspace:
    """The gate (404 for whoever may not see it), and the reader's abilities, in one read."""
    incident = incident_get_for_user(user=user, reference=reference)
    return Workspace(
        incident=incident,
        user=user,
        abilities=abilities_for(user, incident),
        now=timezone.now(),
    )


def workspace_after_change(workspace: Workspace) -> Workspace:
    """The same reader's workspace re-read after an action changed the incident."""
    return workspace_for(user=workspace.user, reference=workspace.incident.reference)


# --- what the panels read -------------------------------------------------------------------


def incident_tasks(*, incident: Incident) -> list[Task]:
    tasks = list(incident.tasks.select_related("assignee").order_by("order", "pk"))
    current = PHASE_ORDER.index(incident.phase)
    # The current phase first, then the phases ahead, then those behind.
    return sorted(
        tasks,
        key=lambda task: (
            (PHASE_ORDER.index(task.phase) - current) % len(PHASE_ORDER),
            task.order,
            task.pk,
        ),
    )


def incident_notifications(*, incident: Incident) -> list[Notification]:
    return list(
        incident.notifications.select_related("stakeholder", "approved_by").order_by(
            "created_at", "pk"
        )
    )


def incident_deadlines(*, incident: Incident) -> list[Deadline]:
    """Open deadlines first, soonest first (a duty with no fixed time by its internal
    target); duties with neither after; settled last."""
    deadlines = list(incident.deadlines.all())
    far = timezone.now().replace(year=9999)
    return sorted(
        deadlines,
        key=lambda d: (not d.is_open, d.remind_at is None, d.remind_at or far, d.rule_id),
    )


def incident_members(*, incident: Incident) -> list[IncidentMember]:
    return list(incident.members.select_related("user").order_by("role", "user__username"))


def incident_pauses(*, incident: Incident) -> list[EngagementPause]:
    return list(
        incident.pauses.select_related(
            "engagement__vendor",
            "engagement__owner",
            "paused_by",
            "commander_approved_by",
            "legal_approved_by",
        )
    )


def task_assignees(*, incident: Incident) -> list[User]:
    """Active members who work the incident: whom a task may be given to."""
    working = (
        IncidentMember.objects.filter(incident=incident)
        .exclude(role=IncidentMember.Role.VIEWER)
        .values("user")
    )
    return list(
        User.objects.filter(is_active=True, pk__in=working).order_by(
            "first_name", "last_name", "username"
        )
    )


@dataclass(frozen=True)
class HeldElsewhere:
    """An engagement of this incident's vendors that another incident holds paused.

    ``reference`` is None when the reader may not see that incident: they are
    told to ask its commander, never its reference, title or reason.
    """

    engagement: Engagement
    reference: str | None
    url: str
    commander: str


@dataclass(frozen=True)
class PauseOverview:
    active: int
    pausable: int
    held_elsewhere: list[HeldElsewhere]


def incident_pause_overview(*, incident: Incident, user: User) -> PauseOverview:
    """What "Pause engagements" can still do here, and which other incidents hold the vendor.

    One query in the usual case, where no other incident holds an engagement
    of these vendors: each engagement with whether a pause here or elsewhere
    holds it. Only when one is held elsewhere are those pauses read, with
    what the panel names.
    """
    open_pauses = EngagementPause.objects.filter(resumed_at__isnull=True)
    engagements = list(
        Engagement.objects.filter(vendor__in=incident.vendors.all())
        .annotate(
            held_here=Exists(open_pauses.filter(engagement=OuterRef("pk"), incident=incident)),
            held_elsewhere=Exists(
                open_pauses.filter(engagement=OuterRef("pk")).exclude(incident=incident)
            ),
        )
        .values_list("pk", "status", "held_here", "held_elsewhere")
    )
    active = sum(1 for _, status, _, _ in engagements if status == Engagement.Status.ACTIVE)
    pausable = sum(
        1
        for _, status, held_here, _ in engagements
        if status in (Engagement.Status.ACTIVE, Engagement.Status.PAUSED) and not held_here
    )
    held_elsewhere = [pk for pk, _, _, elsewhere in engagements if elsewhere]
    elsewhere = (
        list(
            open_pauses.filter(engagement__in=held_elsewhere)
            .exclude(incident=incident)
            .select_related("engagement__vendor", "incident__commander")
            .defer("incident__search_vector")
            .order_by("engagement__vendor__name", "engagement__name", "incident__reference")
        )
        if held_elsewhere
        else []
    )
    visible = (
        set(
            visible_incidents(user=user)
            .filter(pk__in=[pause.incident_id for pause in elsewhere])
            .values_list("pk", flat=True)
        )
        if elsewhere
        else set()
    )
    return PauseOverview(
        active=active,
        pausable=pausable,
        held_elsewhere=[
            HeldElsewhere(
                engagement=pause.engagement,
                reference=pause.incident.reference if pause.incident_id in visible else None,
                url=pause.incident.get_absolute_url() if pause.incident_id in visible else "",
                commander=pause.incident.commander.display_name,
            )
            for pause in elsewhere
        ],
    )


def recipient_gaps(
    *, incident: Incident, members: list[IncidentMember], tasks: list[Task], pauses: list
) -> list[str]:
    """Who should be told about this incident's duties but cannot be: deactivated accounts.

    Their messages go to the commander instead (or, failing that, to everyone
    who may see the incident); the page says so, so that someone fixes it.
    Reads only what the caller already loaded.
    """
    gaps = []
    if not incident.commander.is_active:
        gaps.append(
            f"The commander, {incident.commander.display_name}, is deactivated and gets no "
            "mail: hand command to someone else."
        )
    for member in members:
        if member.role == IncidentMember.Role.LEGAL and not member.user.is_active:
            gaps.append(f"{member.user.display_name} (Legal) is deactivated and gets no reminders.")
    for task in tasks:
        if task.is_open and task.assignee is not None and not task.assignee.is_active:
            gaps.append(
                f"“{task.title}” is assigned to {task.assignee.display_name}, who is "
                "deactivated: its reminder goes to the commander."
            )
    for pause in pauses:
        owner = pause.engagement.owner
        if pause.is_open and owner is not None and not owner.is_active:
            gaps.append(
                f"The owner of {pause.engagement.name}, {owner.display_name}, is deactivated: "
                "news of it goes to the commander."
            )
    return gaps


def latest_entries(
    *, incident: Incident, reads_privileged: bool, limit: int = LATEST_ENTRIES_ON_WORKSPACE
) -> list[TimelineEntry]:
    entries = list(incident.timeline.select_related("actor").order_by("-seq")[:limit])
    return with_privileged_texts(entries, reads_privileged=reads_privileged)


def timeline_entries(*, incident: Incident):
    return incident.timeline.order_by("seq")


def timeline_actors(*, incident: Incident) -> list[str]:
    """Who appears on the timeline (usernames and ``system``), for the "who" filter."""
    return list(
        incident.timeline.order_by("actor_name").values_list("actor_name", flat=True).distinct()
    )


def with_privileged_texts(entries, *, reads_privileged: bool) -> list[TimelineEntry]:
    """Give a Legal reader each privileged note's words as ``entry.privileged_words``.

    One query for the page's notes. Anyone else gets the entries untouched:
    templates show ``privileged_words`` only, never the relation, so a page
    for a non-Legal reader cannot reach the text by accident.
    """
    entries = list(entries)
    if not reads_privileged:
        return entries
    wanted = [entry.pk for entry in entries if entry.is_privileged]
    if not wanted:
        return entries
    texts = dict(PrivilegedText.objects.filter(entry__in=wanted).values_list("entry_id", "text"))
    for entry in entries:
        if entry.pk in texts:
            entry.privileged_words = texts[entry.pk]
    return entries


# --- the panels -------------------------------------------------------------------------------

Panel = Callable[[Workspace], dict]
PANELS: dict[str, Panel] = {}
# Parts of a panel, answered by the actions on one task: not fetched on their own.
ROW_PARTIALS = ("task-row", "task-skip-row")


def panel(name: str) -> Callable[[Panel], Panel]:
    """Register a panel's read model under the name of its partial (and element id)."""

    def register(read: Panel) -> Panel:
        PANELS[name] = read
        return read

    return register


# The header names this many of the phase's open tasks: the next required actions.
NEXT_ACTIONS = 3


def next_actions(ws: Workspace) -> list[Task]:
    """The current phase's open tasks, required ones first, each group soonest due first.

    From the tasks the page reads anyway, not a query.
    """
    open_here = [
        task
        for task in ws.tasks
        if task.phase == ws.incident.phase and task.status == Task.Status.OPEN
    ]
    now = timezone.now()
    open_here.sort(
        key=lambda task: (not task.required, task.due_at is None, task.due_at or now, task.pk)
    )
    return open_here[:NEXT_ACTIONS]


@panel("header")
def header_panel(ws: Workspace) -> dict:
    return {
        "vendors": ws.vendors,
        "next_deadline": next((d for d in ws.deadlines if d.is_open and d.due_at), None),
        "next_actions": next_actions(ws),
        "recipient_gaps": recipient_gaps(
            incident=ws.incident, members=ws.members, tasks=ws.tasks, pauses=ws.pauses
        ),
    }


@panel("phase")
def phase_panel(ws: Workspace) -> dict:
    incident = ws.incident
    closing = incident.next_phase == Incident.Phase.CLOSED
    return {
        "phases": [(value, Incident.Phase(value).label) for value in PHASE_ORDER],
        "phase_index": PHASE_ORDER.index(incident.phase),
        "next_phase_label": Incident.Phase(incident.next_phase).label
        if incident.next_phase
        else "",
        # From the tasks and deadlines the page reads anyway, not a query each.
        "open_required": [
            task.title
            for task in ws.tasks
            if task.phase == incident.phase and task.required and task.status == Task.Status.OPEN
        ],
        "open_deadlines_on_close": [
            deadline.citation
            for deadline in ws.deadlines
            if deadline.status in (Deadline.Status.PENDING, Deadline.Status.MISSED)
            and deadline.rule_id not in SETTLED_BY_FACTS
        ]
        if closing
        else [],
    }


@panel("triage")
def triage_panel(ws: Workspace) -> dict:
    held_count = held_assets(ws.incident).count()
    return {
        "pause_overview": incident_pause_overview(incident=ws.incident, user=ws.user),
        "pauses": ws.pauses,
        "scope": summarise_scope(incident_scope_items(incident=ws.incident), held_count),
        "held_count": held_count,
    }


@panel("tasks")
def tasks_panel(ws: Workspace) -> dict:
    groups: dict[str, list[Task]] = {}
    for task in ws.tasks:
        groups.setdefault(task.phase, []).append(task)
    return {
        "phase_groups": [
            (phase, Incident.Phase(phase).label, group) for phase, group in groups.items()
        ],
        "assignees": task_assignees(incident=ws.incident) if ws.abilities.works else [],
    }


@panel("task-row")
def task_row_panel(ws: Workspace) -> dict:
    return {"assignees": task_assignees(incident=ws.incident) if ws.abilities.works else []}


@panel("task-skip-row")
def task_skip_row_panel(ws: Workspace) -> dict:
    return {}


@panel("note-form")
def note_form_panel(ws: Workspace) -> dict:
    return {}


@panel("timeline-latest")
def timeline_latest_panel(ws: Workspace) -> dict:
    return {
        "entries": latest_entries(
            incident=ws.incident, reads_privileged=ws.abilities.reads_privileged
        )
    }


@panel("deadlines")
def deadlines_panel(ws: Workspace) -> dict:
    return {
        "deadlines": ws.deadlines,
        "incident_feed_key": feed_key(ws.user, incident_scope(ws.incident.pk)),
    }


@panel("decisions")
def decisions_panel(ws: Workspace) -> dict:
    return {}


def notices_fingerprint(notifications: list[Notification]) -> str:
    """16 hex characters that change whenever a notice appears, changes state or is acknowledged.

    The notifications panel polls with the fingerprint it was drawn with, so
    that the answer can say whether the worker (or a partner) changed
    anything since.
    """
    state = "|".join(
        f"{n.pk}:{n.status}:{n.acknowledged_at.isoformat() if n.acknowledged_at else ''}"
        for n in notifications
    )
    return hashlib.sha256(state.encode()).hexdigest()[:16]


@panel("notifications")
def notifications_panel(ws: Workspace) -> dict:
    notifications = incident_notifications(incident=ws.incident)
    overdue_since = ack_overdue_since(ws.now)
    for notice in notifications:
        # Four eyes: the drafter or last editor is not offered an approval
        # that would be refused; the notice page says who may approve.
        notice.drafted_by_reader = settings.NOTICE_FOUR_EYES and ws.user.pk in (
            notice.created_by_id,
            notice.edited_by_id,
        )
        notice.ack_overdue = bool(
            notice.kind == Notification.Kind.PARTNER_NOTICE
            and notice.status == Notification.Status.SENT
            and not notice.acknowledged_at
            and notice.sent_at <= overdue_since
        )
    return {
        "notifications": notifications,
        "ack_alert_hours": settings.ACK_ALERT_HOURS,
        "has_sent_partner_notices": any(
            n.kind == Notification.Kind.PARTNER_NOTICE and n.status == Notification.Status.SENT
            for n in notifications
        ),
        "notices_seen": notices_fingerprint(notifications),
        # While a notice is on its way, the panel asks again every few seconds,
        # so that "Queued" becomes "Sent" (or "Failed") without a reload.
        "notices_in_flight": any(
            n.status in (Notification.Status.QUEUED, Notification.Status.SENDING)
            for n in notifications
        ),
    }


@panel("questionnaires")
def questionnaires_panel(ws: Workspace) -> dict:
    return {"questionnaire_views": incident_questionnaires(incident=ws.incident)}


@panel("members")
def members_panel(ws: Workspace) -> dict:
    return {"members": ws.members}


@panel("command")
def command_panel(ws: Workspace) -> dict:
    return {
        "can_take_command": may_command(ws.user)
        and ws.incident.commander_id != ws.user.pk
        and not ws.abilities.commands
        and not ws.incident.is_closed,
    }


def panel_context(ws: Workspace, names) -> dict:
    """What the named panels' partials need, each panel read once."""
    context = {"incident": ws.incident, "abilities": ws.abilities, "now": ws.now}
    for name in names:
        context.update(PANELS[name](ws))
    return context
