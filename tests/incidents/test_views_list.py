from datetime import datetime, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from incidents import services
from incidents.models import Incident
from tests.factories import IncidentFactory, UserFactory, VendorFactory

pytestmark = pytest.mark.django_db


def _references(response):
    return [incident.reference for incident in response.context["page"].object_list]


def test_the_list_searches_title_and_vendor(client, commander):
    parallax = IncidentFactory(
        commander=commander,
        vendors=[VendorFactory(name="Parallax")],
        title="Annotation bucket leak",
    )
    IncidentFactory(
        commander=commander, vendors=[VendorFactory(name="Cobalt")], title="Hosting outage"
    )
    client.force_login(commander)

    by_vendor = client.get(reverse("incidents:list"), {"q": "parall"})
    by_title = client.get(reverse("incidents:list"), {"q": "bucket leak"})

    assert _references(by_vendor) == [parallax.reference]
    assert _references(by_title) == [parallax.reference]


def test_the_list_filters_by_severity_and_shows_closed_only_when_asked(client, commander):
    serious = IncidentFactory(commander=commander, severity="sev1")
    minor = IncidentFactory(commander=commander, severity="sev4")
    for phase in ["containment", "scoping", "notification", "recovery", "closed"]:
        services.incident_advance_phase(
            incident=minor, to_phase=phase, actor=commander, override_reason="x"
        )
    client.force_login(commander)

    sev1 = client.get(reverse("incidents:list"), {"severity": "sev1"})
    open_only = client.get(reverse("incidents:list"))
    closed = client.get(reverse("incidents:list"), {"state": "closed"})

    assert _references(sev1) == [serious.reference]
    assert _references(open_only) == [serious.reference]
    assert _references(closed) == [minor.reference]


def test_the_list_runs_a_bounded_number_of_queries(
    client, commander, django_assert_max_num_queries
):
    for _ in range(20):
        IncidentFactory(commander=commander)
    client.force_login(commander)

    with django_assert_max_num_queries(10):
        response = client.get(reverse("incidents:list"))

    assert response.context["page"].paginator.count == 20


# --- at scale: urgency, filters, need-to-know, queries -------------------------------------


def _set_next_deadline(incident, hours):
    """Stand-in for the deadline services, which keep this column (test_next_deadline.py)."""
    due = None if hours is None else timezone.now() + timedelta(hours=hours)
    Incident.objects.filter(pk=incident.pk).update(next_deadline_at=due)


def test_the_list_puts_the_nearest_deadline_first_then_severity_then_the_most_overdue_task(
    client, commander
):
    later = IncidentFactory(commander=commander, severity="sev1")
    none = IncidentFactory(commander=commander, severity="sev1")
    sooner = IncidentFactory(commander=commander, severity="sev4")
    tie_minor = IncidentFactory(commander=commander, severity="sev3")
    tie_busy = IncidentFactory(commander=commander, severity="sev2")
    tie_calm = IncidentFactory(commander=commander, severity="sev2")
    _set_next_deadline(later, 48)
    _set_next_deadline(none, None)
    _set_next_deadline(sooner, 2)
    for incident in (tie_minor, tie_busy, tie_calm):
        Incident.objects.filter(pk=incident.pk).update(
            next_deadline_at=timezone.now() + timedelta(hours=10)
        )
    Incident.objects.filter(pk=tie_busy.pk).update(
        next_task_due_at=timezone.now() - timedelta(hours=5)
    )
    Incident.objects.filter(pk=tie_calm.pk).update(
        next_task_due_at=timezone.now() - timedelta(hours=1)
    )
    client.force_login(commander)

    response = client.get(reverse("incidents:list"))

    assert _references(response) == [
        sooner.reference,
        tie_busy.reference,
        tie_calm.reference,
        tie_minor.reference,
        later.reference,
        none.reference,
    ]


def test_the_list_sorts_by_next_deadline_or_newest_when_asked(client, commander):
    older = IncidentFactory(commander=commander, discovered_at=timezone.now() - timedelta(days=3))
    newer = IncidentFactory(commander=commander)
    _set_next_deadline(older, 1)
    _set_next_deadline(newer, 5)
    client.force_login(commander)

    by_deadline = client.get(reverse("incidents:list"), {"sort": "deadline"})
    newest = client.get(reverse("incidents:list"), {"sort": "newest"})

    assert _references(by_deadline) == [older.reference, newer.reference]
    assert _references(newest) == [newer.reference, older.reference]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"vendor": "cobalt"}, ["cobalt"]),
        ({"commander": "other"}, ["other"]),
        ({"overdue": "true"}, ["overdue"]),
        ({"overdue": "false"}, ["cobalt", "other", "old", "restricted"]),
        ({"restricted": "true"}, ["restricted"]),
        ({"aware_after": "2026-01-01", "aware_before": "2026-01-31"}, ["old"]),
        ({"state": "closed"}, []),
    ],
)
def test_the_list_filters(client, commander, params, expected):
    other_commander = UserFactory(roles=["Commander"])
    made = {
        "cobalt": IncidentFactory(
            commander=commander, vendors=[VendorFactory(name="Cobalt", slug="cobalt")]
        ),
        "other": IncidentFactory(commander=other_commander, team={commander: "responder"}),
        "overdue": IncidentFactory(commander=commander),
        "old": IncidentFactory(
            commander=commander, discovered_at=timezone.make_aware(datetime(2026, 1, 15, 9))
        ),
        "restricted": IncidentFactory(commander=commander, restricted=True),
    }
    for name, incident in made.items():
        _set_next_deadline(incident, -1 if name == "overdue" else 24 * (len(name)))
    client.force_login(commander)
    if params.get("commander") == "other":
        params = {"commander": other_commander.pk}

    response = client.get(reverse("incidents:list"), params)

    assert response.status_code == 200
    assert sorted(_references(response)) == sorted(made[name].reference for name in expected)


@pytest.mark.parametrize(
    "params",
    [
        {"aware_after": "0001-01-01"},
        {"aware_after": "2026-03-01", "aware_before": "2026-02-01"},
        {"commander": "99999999999999999999999"},
        {"commander": "abc"},
        {"severity": "sev9"},
        {"sort": "-pk"},
        {"state": "deleted"},
    ],
)
def test_a_filter_out_of_range_is_refused_with_its_reason(client, commander, params):
    IncidentFactory(commander=commander)
    client.force_login(commander)

    response = client.get(reverse("incidents:list"), params)

    assert response.status_code == 422
    assert response.context["filters"].errors


def test_the_scoped_responder_sees_only_the_incidents_they_are_on(client, commander, responder):
    theirs = IncidentFactory(commander=commander, team={responder: "responder"})
    theirs_restricted = IncidentFactory(
        commander=commander, restricted=True, team={responder: "responder"}
    )
    IncidentFactory(commander=commander)
    IncidentFactory(commander=commander, restricted=True)
    client.force_login(responder)

    for params in ({}, {"state": "all"}, {"restricted": "true"}, {"q": "breach"}):
        response = client.get(reverse("incidents:list"), params)
        expected = [theirs_restricted] if params.get("restricted") else [theirs, theirs_restricted]
        assert sorted(_references(response)) == sorted(i.reference for i in expected)
        assert response.context["page"].paginator.count == len(expected)


def test_a_restricted_incident_stays_hidden_from_a_commander_not_on_it(client, commander):
    hidden = IncidentFactory(
        commander=UserFactory(roles=["Commander"]), restricted=True, title="Quietly handled"
    )
    client.force_login(commander)

    for params in ({}, {"restricted": "true"}, {"q": hidden.reference}):
        response = client.get(reverse("incidents:list"), params)
        assert hidden.reference not in _references(response)
        assert "Quietly handled" not in response.content.decode()


LIST_VARIANTS = [
    {},
    {"state": "all"},
    # Past the end: the paginator shows the last page.
    {"state": "all", "page": "999"},
    {"vendor": "cobalt"},
    {"q": "breach"},
    {"overdue": "true", "sort": "deadline"},
]


def _queries(client, url, params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ["commander", "scoped"])
def test_the_list_and_dashboard_cost_the_same_queries_at_any_size(
    client, commander, who, monkeypatch
):
    # The search reads few matches by id and many through the search index:
    # the small size is under this and the large one over it, so both ways count.
    monkeypatch.setattr("incidents.selectors.lists.FEW_MATCHES", 50)
    responder = UserFactory(roles=["Responder"])
    cobalt = VendorFactory(name="Cobalt", slug="cobalt")

    def add(count):
        for n in range(count):
            incident = IncidentFactory(
                commander=commander,
                vendors=[cobalt, VendorFactory()],
                restricted=n % 5 == 0,
                team={responder: "responder"} if n % 2 else {},
            )
            _set_next_deadline(incident, n - 3)

    reader = commander if who == "commander" else responder
    client.force_login(reader)
    urls = [(reverse("incidents:list"), params) for params in LIST_VARIANTS]
    urls.append((reverse("home"), {}))
    add(4)
    small = [_queries(client, url, params) for url, params in urls]
    add(110)
    large = [_queries(client, url, params) for url, params in urls]

    assert large == small
    assert client.get(reverse("incidents:list"), {"state": "all"}).context[
        "page"
    ].paginator.num_pages == 3 - (who == "scoped")


def test_the_list_counts_tasks_for_its_page_only(client, commander):
    IncidentFactory(commander=commander)
    client.force_login(commander)

    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("incidents:list"))

    listed = [q["sql"] for q in queries if 'FROM "incidents_incident"' in q["sql"]]
    count = next(sql for sql in listed if "COUNT(" in sql.upper())
    assert "incidents_task" not in count
    assert not any(sql.startswith("SELECT DISTINCT") for sql in listed)


@pytest.mark.services("postgres")
@pytest.mark.parametrize("who", ["commander", "scoped"])
def test_postgresql_plans_the_list_and_dashboard_without_a_sequential_scan(client, commander, who):
    responder = UserFactory(roles=["Responder"])
    for n in range(3):
        IncidentFactory(
            commander=commander,
            vendors=[VendorFactory(slug=f"v{n}")],
            team={responder: "responder"} if n else {},
        )
    client.force_login(commander if who == "commander" else responder)
    pages = [(reverse("incidents:list"), params) for params in LIST_VARIANTS]
    pages.append((reverse("home"), {}))

    with CaptureQueriesContext(connection) as queries:
        for url, params in pages:
            client.get(url, params)
    reads = [
        q["sql"]
        for q in queries
        if q["sql"].startswith("SELECT") and any(table in q["sql"] for table in SCANNED_TABLES)
    ]
    plans = []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for sql in reads:
            cursor.execute("EXPLAIN " + sql)
            plans.append("\n".join(row[0] for row in cursor.fetchall()))

    assert reads
    for sql, plan in zip(reads, plans, strict=True):
        for table in SCANNED_TABLES:
            assert f"Seq Scan on {table}" not in plan, f"{sql}\n{plan}"


SCANNED_TABLES = ("incidents_incident", "incidents_task", "incidents_timelineentry")


@pytest.mark.services("postgres")
def test_the_commander_filter_draws_its_choices_without_a_server_side_cursor(client, commander):
    client.force_login(commander)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("incidents:list"))

    assert response.status_code == 200
    assert not [q["sql"] for q in queries if q["sql"].startswith("DECLARE")]
