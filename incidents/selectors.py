"""Reads for incident pages: the need-to-know gate, and shaped querysets."""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from breachdesk.models import User
from breachdesk.roles import has_role
from incidents.models import (
    PHASE_ORDER,
    Deadline,
    EngagementPause,
    Incident,
    IncidentMember,
    Notification,
    PrivilegedText,
    ScopeItem,
    Task,
    TimelineEntry,
)
from vendors.models import DataAsset, Engagement

LATEST_ENTRIES_ON_WORKSPACE = 20


def incident_visible_to(*, user: User, incident: Incident) -> bool:
    """The need-to-know rule (DESIGN.md, People): may this person know the incident exists?"""
    if not user.is_authenticated:
        return False
    if not has_role(user):
        return False
    if incident.members.filter(user=user).exists():
        return True
    if incident.restricted:
        return False
    return user.has_perm("incidents.view_all_incidents")


def incident_get_for_user(*, user: User, reference: str) -> Incident:
    """The one gate: the incident if this user may see it, else 404.

    404 rather than 403, so that nobody learns an incident exists by probing.
    """
    incident = Incident.objects.select_related("commander").filter(reference=reference).first()
    if incident is None:
        raise Http404
    if not incident_visible_to(user=user, incident=incident):
        raise Http404
    return incident


def visible_incidents(*, user: User) -> QuerySet[Incident]:
    """The incidents this user may know exist: the same rule as the gate above."""
    if not has_role(user):
        return Incident.objects.none()
    visible = Q(Exists(IncidentMember.objects.filter(incident=OuterRef("pk"), user=user)))
    if user.has_perm("incidents.view_all_incidents"):
        visible |= Q(restricted=False)
    return Incident.objects.filter(visible)


def open_incident_vendor_ids(user: User) -> QuerySet:
    """Ids of vendors with an open incident this user may see (for the vendor list)."""
    return (
        visible_incidents(user=user)
        .exclude(phase=Incident.Phase.CLOSED)
        .filter(vendors__isnull=False)
        .values("vendors")
    )


def incident_list_for_user(*, user: User) -> QuerySet[Incident]:
    """Incidents this user may see, with what the list and dashboard show."""
    now = timezone.now()
    return (
        visible_incidents(user=user)
        .select_related("commander")
        .prefetch_related("vendors")
        .annotate(
            open_tasks=Count("tasks", filter=Q(tasks__status=Task.Status.OPEN)),
            overdue_tasks=Count(
                "tasks", filter=Q(tasks__status=Task.Status.OPEN, tasks__due_at__lt=now)
            ),
        )
        .order_by("-discovered_at")
    )


def my_open_tasks(*, user: User) -> QuerySet[Task]:
    return (
        Task.objects.filter(assignee=user, status=Task.Status.OPEN)
        .exclude(incident__phase=Incident.Phase.CLOSED)
        .filter(Exists(IncidentMember.objects.filter(incident=OuterRef("incident"), user=user)))
        .select_related("incident")
        .order_by("due_at")
    )


@dataclass
class ScopeSummary:
    """What the scope review says about whom we must tell, derived, never typed."""

    stakeholders: list[dict] = field(default_factory=list)
    jurisdictions: list[str] = field(default_factory=list)
    data_categories: list[str] = field(default_factory=list)
    records_affected: int = 0
    records_unknown: bool = False
    counts: dict[str, int] = field(default_factory=dict)
    unreviewed: int = 0


def summarise_scope(items: list[ScopeItem], held_count: int) -> ScopeSummary:
    summary = ScopeSummary(counts={status: 0 for status in ScopeItem.Status.values})
    stakeholders: dict[int, dict] = {}
    jurisdictions: set[str] = set()
    categories: set[str] = set()
    for item in items:
        summary.counts[item.status] += 1
        if not item.is_affected:
            continue
        for stakeholder in item.snapshot.get("stakeholders", []):
            stakeholders[stakeholder["id"]] = stakeholder
        jurisdictions.update(item.snapshot.get("subject_jurisdictions", []))
        categories.update(item.snapshot.get("data_categories", []))
        if item.records_affected is None:
            summary.records_unknown = True
        else:
            summary.records_affected += item.records_affected
    summary.stakeholders = sorted(stakeholders.values(), key=lambda s: s["name"].lower())
    summary.jurisdictions = sorted(jurisdictions)
    summary.data_categories = sorted(categories)
    summary.unreviewed = max(held_count - len(items), 0)
    return summary


def held_assets(incident: Incident) -> QuerySet[DataAsset]:
    """Every data asset the incident's vendors hold through any engagement."""
    return DataAsset.objects.filter(engagements__vendor__in=incident.vendors.all()).distinct()


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
    """Open deadlines first, soonest first; duties with no fixed time after; settled last."""
    deadlines = list(incident.deadlines.all())
    far = timezone.now().replace(year=9999)
    return sorted(
        deadlines, key=lambda d: (not d.is_open, d.due_at is None, d.due_at or far, d.rule_id)
    )


def feed_deadlines(*, incidents) -> QuerySet[Deadline]:
    return (
        Deadline.objects.filter(incident__in=incidents, due_at__isnull=False)
        .select_related("incident")
        .order_by("due_at")
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
    """What "Pause engagements" can still do here, and which other incidents hold the vendor."""
    engagements = Engagement.objects.filter(vendor__in=incident.vendors.all())
    open_pauses = EngagementPause.objects.filter(resumed_at__isnull=True)
    held_here = open_pauses.filter(incident=incident).values("engagement")
    pausable = (
        engagements.filter(status__in=[Engagement.Status.ACTIVE, Engagement.Status.PAUSED])
        .exclude(pk__in=held_here)
        .count()
    )
    active = engagements.filter(status=Engagement.Status.ACTIVE).count()
    elsewhere = list(
        open_pauses.filter(engagement__in=engagements)
        .exclude(incident=incident)
        .select_related("engagement__vendor", "incident__commander")
        .order_by("engagement__vendor__name", "engagement__name", "incident__reference")
    )
    visible = set(
        visible_incidents(user=user)
        .filter(pk__in=[pause.incident_id for pause in elsewhere])
        .values_list("pk", flat=True)
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
            gaps.append(
                f"{member.user.display_name} (Legal) is deactivated and gets no reminders."
            )
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


def incident_scope_items(*, incident: Incident) -> list[ScopeItem]:
    return list(incident.scope_items.select_related("reviewed_by"))


def latest_entries(
    *, incident: Incident, reads_privileged: bool, limit: int = LATEST_ENTRIES_ON_WORKSPACE
) -> list[TimelineEntry]:
    entries = list(incident.timeline.select_related("actor").order_by("-seq")[:limit])
    return with_privileged_texts(entries, reads_privileged=reads_privileged)


def timeline_entries(*, incident: Incident) -> QuerySet[TimelineEntry]:
    return incident.timeline.select_related("actor").order_by("seq")


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
