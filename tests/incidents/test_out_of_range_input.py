"""Out-of-range ids, numbers and dates: a field error (422) or a 404, never a 500.

Each form that takes an id, a number or a date gets ids past what the
database holds, numbers no one could mean and years no breach happened in;
each id in an incident URL gets numbers no row can have. The answer names
what is wrong next to the field, and nothing is saved.
"""

from datetime import timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from incidents.models import Deadline, Incident, ScopeItem, TimelineEntry
from tests.incidents.test_views_open import _form

pytestmark = pytest.mark.django_db

HUGE_ID = "9223372036854775808"  # one past the largest 64-bit id
LONG_NUMBER = "9" * 400
BAD_IDS = [HUGE_ID, LONG_NUMBER, "0", "-1"]
BAD_MOMENTS = ["0001-01-01T00:00", "1989-12-31T23:59", "9999-12-31T23:59"]
HTMX = {"HX-Request": "true"}


def _url(incident, name, **kwargs):
    return reverse(name, kwargs={"reference": incident.reference, **kwargs})


def _entries(incident, kind):
    return TimelineEntry.objects.filter(incident=incident, kind=kind).count()


# --- the examples from the issue ------------------------------------------------------------


def test_a_vendor_id_past_the_largest_the_database_holds_is_an_invalid_choice(
    client, commander, breached_vendor
):
    client.force_login(commander)

    response = client.post(reverse("incidents:create"), _form(breached_vendor, vendors=[HUGE_ID]))

    assert response.status_code == 422
    assert "not in the inventory" in " ".join(response.context["form"].errors["vendors"])
    assert not Incident.objects.exists()


def test_a_400_digit_commander_is_refused_in_a_responders_words(client, commander, breached_vendor):
    client.force_login(commander)

    response = client.post(
        reverse("incidents:create"), _form(breached_vendor, commander=LONG_NUMBER)
    )

    assert response.status_code == 422
    assert "cannot command incidents" in " ".join(response.context["form"].errors["commander"])
    assert not Incident.objects.exists()


@pytest.mark.parametrize(
    "field",
    [
        "determined_at",
        "materiality_determined_at",
        "classified_major_at",
        "assessed_at",
        "ransom_paid_at",
    ],
)
def test_a_decision_time_in_year_1_is_refused_next_to_the_field(client, incident, legal, field):
    client.force_login(legal)

    response = client.post(
        _url(incident, "incidents:decisions"), {field: "0001-01-01T00:00"}, headers=HTMX
    )

    assert response.status_code == 422
    assert "Check the year" in " ".join(response.context["decisions_form"].errors[field])
    incident.refresh_from_db()
    assert getattr(incident, field) is None
    assert _entries(incident, TimelineEntry.Kind.DECISIONS_RECORDED) == 0


# --- every form -------------------------------------------------------------------------------


@pytest.mark.parametrize("value", BAD_IDS)
@pytest.mark.parametrize("field", ["vendors", "commander"])
def test_opening_refuses_an_impossible_id(client, commander, breached_vendor, field, value):
    client.force_login(commander)
    bad = [value] if field == "vendors" else value

    response = client.post(reverse("incidents:create"), _form(breached_vendor, **{field: bad}))

    assert response.status_code == 422
    assert response.context["form"].errors[field]
    assert not Incident.objects.exists()


@pytest.mark.parametrize("value", BAD_MOMENTS)
@pytest.mark.parametrize("field", ["discovered_at", "vendor_aware_at", "occurred_at"])
def test_opening_refuses_an_implausible_time(client, commander, breached_vendor, field, value):
    client.force_login(commander)

    response = client.post(reverse("incidents:create"), _form(breached_vendor, **{field: value}))

    assert response.status_code == 422
    assert response.context["form"].errors[field]
    assert not Incident.objects.exists()


@pytest.mark.parametrize("value", BAD_MOMENTS)
def test_a_note_refuses_an_implausible_time(client, incident, responder, value):
    client.force_login(responder)

    response = client.post(
        _url(incident, "incidents:note-add"),
        {"text": "Vendor called", "occurred_at": value},
        headers=HTMX,
    )

    assert response.status_code == 422
    assert response.context["note_form"].errors["occurred_at"]
    assert _entries(incident, TimelineEntry.Kind.NOTE_ADDED) == 0


@pytest.mark.parametrize("value", BAD_IDS)
def test_handing_over_command_refuses_an_impossible_id(client, incident, commander, value):
    client.force_login(commander)

    response = client.post(_url(incident, "incidents:commander"), {"commander": value})

    assert response.status_code == 422
    assert "Commander role" in " ".join(response.context["commander_form"].errors["commander"])
    incident.refresh_from_db()
    assert incident.commander == commander


@pytest.mark.parametrize("value", BAD_IDS)
def test_adding_a_member_refuses_an_impossible_id(client, incident, commander, value):
    client.force_login(commander)
    members = incident.members.count()

    response = client.post(
        _url(incident, "incidents:member-add"), {"user": value, "role": "responder"}, headers=HTMX
    )

    assert response.status_code == 422
    assert response.context["member_form"].errors["user"]
    assert incident.members.count() == members


@pytest.mark.parametrize("value", BAD_IDS)
def test_assigning_a_task_refuses_an_impossible_id(client, incident, commander, value):
    task = incident.tasks.first()
    client.force_login(commander)

    response = client.post(
        _url(incident, "incidents:task-assign", task_id=task.pk), {"assignee": value}, headers=HTMX
    )

    assert response.status_code == 422
    assert "members who work this incident" in response.content.decode()
    task.refresh_from_db()
    assert task.assignee is None


@pytest.mark.parametrize("value", BAD_MOMENTS)
@pytest.mark.parametrize(
    "field",
    [
        "determined_at",
        "materiality_determined_at",
        "classified_major_at",
        "assessed_at",
        "ransom_paid_at",
    ],
)
def test_decisions_refuse_an_implausible_time(client, incident, legal, field, value):
    client.force_login(legal)

    response = client.post(_url(incident, "incidents:decisions"), {field: value}, headers=HTMX)

    assert response.status_code == 422
    assert response.context["decisions_form"].errors[field]
    assert _entries(incident, TimelineEntry.Kind.DECISIONS_RECORDED) == 0


def _deadline(incident):
    return Deadline.objects.create(
        incident=incident,
        rule_id="contract:1",
        regime="Contract",
        recipient="Partner",
        citation="Contract with Partner",
        confidence="A",
        standard="48 hours",
        trigger="aware_at",
        starts_at=incident.discovered_at,
        due_at=incident.discovered_at + timedelta(hours=48),
    )


@pytest.mark.parametrize("value", BAD_MOMENTS)
def test_recording_a_deadline_met_refuses_an_implausible_time(client, incident, legal, value):
    deadline = _deadline(incident)
    client.force_login(legal)

    response = client.post(
        _url(incident, "incidents:deadline-met", deadline_id=deadline.pk),
        {"filed_at": value, "reference": "DPC-2026-42"},
    )

    assert response.status_code == 422
    assert response.context["met_form"].errors["filed_at"]
    deadline.refresh_from_db()
    assert deadline.status == Deadline.Status.PENDING


@pytest.mark.parametrize("value", [LONG_NUMBER, "-1", "100000000001", "12.5"])
def test_marking_scope_refuses_an_implausible_record_count(client, incident, responder, value):
    asset = incident.vendors.get().engagements.get().data_assets.order_by("name").first()
    client.force_login(responder)

    response = client.post(
        _url(incident, "incidents:scope-mark", asset_id=asset.pk),
        {f"asset-{asset.pk}-status": "confirmed", f"asset-{asset.pk}-records_affected": value},
        headers=HTMX,
    )

    assert response.status_code == 422
    assert response.context["form"].errors["records_affected"]
    assert not ScopeItem.objects.exists()


@pytest.mark.parametrize("value", [LONG_NUMBER, "-1", "100000000001"])
def test_the_whole_scope_review_refuses_an_implausible_record_count(
    client, incident, responder, value
):
    asset = incident.vendors.get().engagements.get().data_assets.order_by("name").first()
    client.force_login(responder)

    response = client.post(
        _url(incident, "incidents:scope-mark-all"),
        {f"asset-{asset.pk}-status": "confirmed", f"asset-{asset.pk}-records_affected": value},
    )

    assert response.status_code == 422
    forms = {a.pk: form for a, _item, form in response.context["rows"]}
    assert forms[asset.pk].errors["records_affected"]
    assert not ScopeItem.objects.exists()


WHATIF_BASE = {"aware_at": "2026-11-25T10:40", "role": "controller"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        *(
            (field, value)
            for field in (
                "aware_at",
                "vendor_aware_at",
                "discovered_at",
                "determined_at",
                "materiality_determined_at",
                "classified_major_at",
                "assessed_at",
                "ransom_paid_at",
            )
            for value in BAD_MOMENTS
        ),
        ("vendor_window_hours", LONG_NUMBER),
        ("vendor_window_hours", "0"),
        ("vendor_window_hours", "9000"),
        ("affected", f"DE={LONG_NUMBER}"),
        ("affected", "DE=100000000001"),
        ("stakeholder_windows", f"Helix Health={LONG_NUMBER}"),
        ("stakeholder_windows", "Helix Health=0"),
        ("stakeholder_windows", "Helix Health=9000"),
    ],
)
def test_what_if_refuses_out_of_range_facts(client, viewer, field, value):
    client.force_login(viewer)

    response = client.get(reverse("whatif"), {**WHATIF_BASE, field: value})

    assert response.status_code == 422
    assert response.context["form"].errors[field]
    assert response.context["clocks"] is None


# --- every id in an incident URL ---------------------------------------------------------------


def _int_urls(namespace):
    """(name, the URL's int parameters) for each pattern in ``namespace`` that takes an id."""
    for resolver in get_resolver().url_patterns:
        if isinstance(resolver, URLResolver) and resolver.namespace == namespace:
            for pattern in resolver.url_patterns:
                assert isinstance(pattern, URLPattern)
                converters = pattern.pattern.converters
                ints = [key for key, conv in converters.items() if conv.regex == "[0-9]+"]
                if ints:
                    yield f"{namespace}:{pattern.name}", ints


INCIDENT_ID_URLS = list(_int_urls("incidents"))


def test_the_id_taking_urls_come_from_the_urlconf():
    names = {name for name, _keys in INCIDENT_ID_URLS}

    assert {"incidents:task-complete", "incidents:scope-mark", "incidents:deadline-met"} <= names


@pytest.mark.parametrize("value", [HUGE_ID, "99999999999999999999999", LONG_NUMBER])
@pytest.mark.parametrize(("name", "keys"), INCIDENT_ID_URLS)
def test_an_impossible_id_in_an_incident_url_is_404(client, incident, commander, name, keys, value):
    client.force_login(commander)
    url = _url(incident, name, **dict.fromkeys(keys, 424242)).replace("424242", value)

    answers = {client.get(url).status_code, client.post(url).status_code}

    assert 404 in answers
    assert answers <= {404, 405}


def test_the_example_task_url_is_404(client, incident, commander):
    client.force_login(commander)

    response = client.post(
        f"/incidents/{incident.reference}/tasks/99999999999999999999999/complete/"
    )

    assert response.status_code == 404


@pytest.mark.parametrize("page", [HUGE_ID, LONG_NUMBER, "9" * 5000, "-1", "1e400", "nan"])
@pytest.mark.parametrize("name", ["incidents:list", "incidents:timeline"])
def test_an_impossible_page_number_shows_a_page(client, incident, commander, name, page):
    client.force_login(commander)
    url = reverse(name) if name == "incidents:list" else _url(incident, name)

    response = client.get(url, {"page": page})

    assert response.status_code == 200


def test_the_deadline_met_form_checks_for_the_future_itself(client, incident, legal):
    deadline = _deadline(incident)
    client.force_login(legal)
    tomorrow = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")

    response = client.post(
        _url(incident, "incidents:deadline-met", deadline_id=deadline.pk),
        {"filed_at": tomorrow, "reference": "DPC-2026-42"},
    )

    assert response.status_code == 422
    assert "in the future" in " ".join(response.context["met_form"].errors["filed_at"])
