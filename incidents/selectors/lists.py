"""Reads for the pages that list incidents: the incident list, the dashboard, feeds."""

from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from breachdesk.models import User
from incidents.models import (
    OPEN_PHASES,
    SETTLED_BY_FACTS,
    Deadline,
    Incident,
    IncidentMember,
    Task,
    TimelineEntry,
    VendorOpenCount,
)
from incidents.search import search_query, search_words, uses_full_text
from incidents.selectors.access import sees_every_unrestricted_incident, visible_incidents
from vendors.models import Vendor

# The dashboard shows a screenful; the incident list has the rest.
DASHBOARD_INCIDENTS = 25
DASHBOARD_TASKS = 25
DASHBOARD_DEADLINES = 25
DASHBOARD_VENDORS = 25
# "The week ahead" on the dashboard: deadlines owed within this long.
DEADLINES_AHEAD = timedelta(days=7)
VENDOR_INCIDENTS_PAGE_SIZE = 20
# A search matching at most this many incidents sorts them rather than
# walking the list's order (incident_search).
FEW_MATCHES = 200

# Orders for the list and the dashboard. Each starts with the columns of an
# index (incidents/models.py), so a page is read in order from the index and
# only its rows are counted; the id last makes pages stable under ties.
# Urgency: the nearest deadline still owed (none: last), then severity
# (sev1 sorts first), then the open task due earliest (the most overdue).
# Both times are copies kept by the services (Incident.next_deadline_at,
# next_task_due_at): counting overdue tasks in the ORDER BY cost a subquery
# per incident before a deep page (535 ms for the last of 200 pages).
URGENCY = (
    F("next_deadline_at").asc(nulls_last=True),
    "severity",
    F("next_task_due_at").asc(nulls_last=True),
    "-discovered_at",
    "-pk",
)
NEAREST_DEADLINE = (
    F("next_deadline_at").asc(nulls_last=True),
    "severity",
    "-discovered_at",
    "-pk",
)
NEWEST_FIRST = ("-discovered_at", "-pk")


def _count(rows: QuerySet) -> Coalesce:
    """COUNT(*) of ``rows`` (correlated to the outer incident) as an annotation.

    A correlated subquery runs for the rows the outer query returns, a page
    of 50, where ``Count("tasks")`` grouped every visible incident's tasks
    first (203 ms against 34 ms for the commander's page 1 at 10,000
    incidents, issue 14), and the paginator's COUNT leaves it out entirely.
    """
    counted = rows.order_by().values("incident").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def incident_list_for_user(*, user: User) -> QuerySet[Incident]:
    """Incidents this user may see, with what the list and dashboard show, most urgent first.

    Each incident carries ``open_tasks`` and ``overdue_tasks`` (open tasks
    past their due time, now in UTC); ``vendors`` and ``commander`` come in
    one query each per page.
    """
    open_tasks = Task.objects.filter(incident=OuterRef("pk"), status=Task.Status.OPEN)
    return (
        visible_incidents(user=user)
        .select_related("commander")
        .prefetch_related("vendors")
        .annotate(
            open_tasks=_count(open_tasks),
            overdue_tasks=_count(open_tasks.filter(due_at__lt=timezone.now())),
        )
        .order_by(*URGENCY)
    )


def incident_search(incidents: QuerySet[Incident], text: str) -> QuerySet[Incident]:
    """``incidents`` matching every word of ``text`` (incidents/search.py says what is searched).

    PostgreSQL: the stored vector and its GIN index, each word a prefix.
    Elsewhere: ``icontains`` over the same fields, through EXISTS rather than
    joins so that no DISTINCT is needed.
    """
    if uses_full_text():
        query = search_query(text)
        if query is None:
            return incidents
        matching = incidents.filter(search_vector=query)
        # Sorted by urgency, a page of 50 is read by walking the order's index
        # and testing each incident against the search; for a reader who sees
        # only some incidents, a word matching few of them walked the whole
        # index (31 ms for one match among 10,000, issue 14). So the matches
        # are first read from the search index, at most FEW_MATCHES + 1 ids
        # (one query): when that is all of them, the page sorts just those.
        few = list(matching.order_by().values_list("pk", flat=True)[: FEW_MATCHES + 1])
        return incidents.filter(pk__in=few) if len(few) <= FEW_MATCHES else matching
    for word in search_words(text):
        vendor_named = Incident.vendors.through.objects.filter(
            incident=OuterRef("pk"), vendor__name__icontains=word
        )
        noted = TimelineEntry.objects.filter(
            incident=OuterRef("pk"),
            kind=TimelineEntry.Kind.NOTE_ADDED,
            data__privileged=False,
            summary__icontains=word,
        )
        incidents = incidents.filter(
            Q(reference__icontains=word)
            | Q(title__icontains=word)
            | Q(summary__icontains=word)
            | Exists(vendor_named)
            | Exists(noted)
        )
    return incidents


def my_open_tasks(*, user: User) -> QuerySet[Task]:
    return (
        Task.objects.filter(assignee=user, status=Task.Status.OPEN)
        .exclude(incident__phase=Incident.Phase.CLOSED)
        .filter(Exists(IncidentMember.objects.filter(incident=OuterRef("incident"), user=user)))
        .select_related("incident")
        .defer("incident__search_vector")
        .order_by("due_at")
    )


def dashboard_incidents(*, user: User) -> list[Incident]:
    """Open incidents this user may see, most urgent first, with the next deadline's duty.

    ``next_deadline_at`` is the due time (UTC); ``next_deadline_citation`` the
    duty behind it, read for the screenful shown only.
    """
    next_deadline = (
        Deadline.objects.filter(
            incident=OuterRef("pk"),
            status__in=[Deadline.Status.PENDING, Deadline.Status.MISSED],
            due_at=OuterRef("next_deadline_at"),
        )
        .exclude(rule_id__in=SETTLED_BY_FACTS)
        .order_by("rule_id")
    )
    incidents = (
        incident_list_for_user(user=user)
        .exclude(phase=Incident.Phase.CLOSED)
        .annotate(next_deadline_citation=Subquery(next_deadline.values("citation")[:1]))
    )
    return list(incidents[:DASHBOARD_INCIDENTS])


def _open_visible(user: User) -> QuerySet[Incident]:
    return visible_incidents(user=user).exclude(phase=Incident.Phase.CLOSED)


def upcoming_deadlines(*, user: User, now: datetime | None = None) -> list[Deadline]:
    """Deadlines still owed within ``DEADLINES_AHEAD`` across the open incidents ``user`` may see.

    Already overdue ones come first (they are still owed); duties that the
    incident's facts settled are left out, as for the next deadline. Nearest
    first, at most ``DASHBOARD_DEADLINES``, each with its incident: one query.
    """
    horizon = (now or timezone.now()) + DEADLINES_AHEAD
    rows = (
        Deadline.objects.filter(
            incident__in=_open_visible(user),
            status__in=[Deadline.Status.PENDING, Deadline.Status.MISSED],
            due_at__lte=horizon,
        )
        .exclude(rule_id__in=SETTLED_BY_FACTS)
        .select_related("incident")
        .defer("incident__search_vector")
        .order_by("due_at", "pk")
    )
    return list(rows[:DASHBOARD_DEADLINES])


def _open_incidents_per_vendor(user: User) -> dict[int, int]:
    """``{vendor id: open incidents user may see that name it}``, for vendors with any. One query.

    On PostgreSQL, for a reader of every unrestricted incident, the
    unrestricted ones come from the counts the database keeps
    (``VendorOpenCount``) and only the restricted ones the reader is on are
    counted here: grouping every open incident's vendors took about 14 ms
    for a commander at 9,000 open incidents (issue 14). Everyone else, and
    SQLite, count the links of the open incidents they may see.
    """
    per_vendor = Incident.vendors.through.objects.order_by().values("vendor")
    counted = per_vendor.annotate(n=Count("pk")).values_list("vendor", "n")
    if connection.vendor != "postgresql" or not sees_every_unrestricted_incident(user):
        return dict(
            counted.filter(incident__in=visible_incidents(user=user).filter(phase__in=OPEN_PHASES))
        )
    on_team = IncidentMember.objects.filter(incident=OuterRef("pk"), user=user)
    restricted = Incident.objects.filter(restricted=True, phase__in=OPEN_PHASES).filter(
        Exists(on_team)
    )
    kept = VendorOpenCount.objects.filter(open_unrestricted__gt=0).values_list(
        "vendor_id", "open_unrestricted"
    )
    counts: dict[int, int] = {}
    for vendor, n in kept.union(counted.filter(incident__in=restricted), all=True):
        counts[vendor] = counts.get(vendor, 0) + n
    return counts


def vendors_with_open_incidents(*, user: User) -> list[Vendor]:
    """Vendors of the open incidents ``user`` may see, each with ``open_incidents`` (a count).

    Most open incidents first, then by name; at most ``DASHBOARD_VENDORS``.
    Two queries: the open incidents counted per vendor
    (``_open_incidents_per_vendor``), then only the vendors shown. Counting
    in one query joined every link to its vendor before grouping: 48 ms for
    a commander at 9,000 open incidents (issue 14).
    """
    counts = _open_incidents_per_vendor(user)
    if not counts:
        return []
    # The screenful's smallest count: vendors tied with it are read too, so
    # that a tie goes by name as the panel says.
    cutoff = sorted(counts.values(), reverse=True)[:DASHBOARD_VENDORS][-1]
    vendors = list(Vendor.objects.filter(pk__in=[pk for pk, n in counts.items() if n >= cutoff]))
    for vendor in vendors:
        vendor.open_incidents = counts[vendor.pk]
    vendors.sort(key=lambda vendor: (-vendor.open_incidents, vendor.name, vendor.pk))
    return vendors[:DASHBOARD_VENDORS]


def feed_deadlines(*, incidents) -> QuerySet[Deadline]:
    return (
        Deadline.objects.filter(incident__in=incidents, due_at__isnull=False)
        .select_related("incident")
        .defer("incident__search_vector")
        .order_by("due_at")
    )


def vendor_incidents(*, vendor: Vendor, user: User) -> QuerySet[Incident]:
    """The incidents with ``vendor`` that ``user`` may see, newest first (paginated by the view).

    EXISTS on the join table's (vendor) index rather than a join, so the
    paginator's COUNT reads the vendor's links only.
    """
    links = Incident.vendors.through.objects.filter(incident=OuterRef("pk"), vendor=vendor)
    return visible_incidents(user=user).filter(Exists(links)).order_by(*NEWEST_FIRST)


def people_matching(people: QuerySet[User], *, text: str) -> QuerySet[User]:
    """``people`` whose name, username or email holds every word of ``text`` (a picker's search)."""
    for word in text.split()[:5]:
        people = people.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(username__icontains=word)
            | Q(email__icontains=word)
        )
    return people
