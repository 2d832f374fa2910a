"""Reads for the pages that list incidents: the incident list, the dashboard, feeds."""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from breachdesk.models import User
from incidents.models import SETTLED_BY_FACTS, Deadline, Incident, IncidentMember, Task
from incidents.selectors.access import visible_incidents
from vendors.models import Vendor

# The dashboard shows a screenful; the incident list has the rest.
DASHBOARD_INCIDENTS = 25
DASHBOARD_TASKS = 25
VENDOR_INCIDENTS_SHOWN = 20


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


def dashboard_incidents(*, user: User) -> list[Incident]:
    """Open incidents this user may see, each with its next deadline's due time and duty."""
    next_deadline = (
        Deadline.objects.filter(
            incident=OuterRef("pk"),
            status__in=[Deadline.Status.PENDING, Deadline.Status.MISSED],
            due_at__isnull=False,
        )
        .exclude(rule_id__in=SETTLED_BY_FACTS)
        .order_by("due_at")
    )
    incidents = (
        incident_list_for_user(user=user)
        .exclude(phase=Incident.Phase.CLOSED)
        .annotate(
            next_deadline_due=Subquery(next_deadline.values("due_at")[:1]),
            next_deadline_citation=Subquery(next_deadline.values("citation")[:1]),
        )
    )
    return list(incidents[:DASHBOARD_INCIDENTS])


def feed_deadlines(*, incidents) -> QuerySet[Deadline]:
    return (
        Deadline.objects.filter(incident__in=incidents, due_at__isnull=False)
        .select_related("incident")
        .order_by("due_at")
    )


def vendor_incidents(*, vendor: Vendor, user: User) -> tuple[list[Incident], bool]:
    """The latest incidents with ``vendor`` that ``user`` may see, and whether there are more."""
    incidents = list(
        visible_incidents(user=user)
        .filter(vendors=vendor)
        .order_by("-discovered_at")[: VENDOR_INCIDENTS_SHOWN + 1]
    )
    return incidents[:VENDOR_INCIDENTS_SHOWN], len(incidents) > VENDOR_INCIDENTS_SHOWN
