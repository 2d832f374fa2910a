"""Need-to-know: every incident URL, fragment and export, for every kind of visitor."""

import re
import uuid

import pytest
from django.urls import reverse

from incidents import services
from tests.factories import IncidentFactory, UserFactory
from vendors.models import DataAsset

pytestmark = pytest.mark.django_db


@pytest.fixture
def ids(incident, commander):
    pause = services.engagements_pause(incident=incident, actor=commander, reason="x")[0]
    notification = incident.notifications.create(
        kind="internal_update",
        recipient_email="someone@example.org",
        subject="s",
        body_text="b",
        body_html="<p>b</p>",
        message_id="<access-test@breachdesk.example>",
        ack_nonce=uuid.uuid4(),
    )
    deadline = incident.deadlines.create(
        rule_id="contract:Partner",
        regime="Contract",
        recipient="Partner",
        citation="Contract with Partner",
        confidence="A",
        standard="48 hours",
        trigger="aware_at",
    )
    return {
        "deadline_id": deadline.pk,
        "notification_id": notification.pk,
        "reference": incident.reference,
        "task_id": incident.tasks.first().pk,
        "member_id": incident.members.exclude(user=commander).first().pk,
        "pause_id": pause.pk,
        "asset_id": DataAsset.objects.get(name="Clinical samples").pk,
    }


READ_URLS = [
    ("incidents:detail", ()),
    ("incidents:timeline", ()),
    ("incidents:timeline-export-json", ()),
    ("incidents:timeline-verify", ()),
    ("incidents:scope", ()),
    ("incidents:task-skip", ("task_id",)),
    ("incidents:notification", ("notification_id",)),
    ("incidents:deadline", ("deadline_id",)),
    ("incidents:deadlines-ics", ()),
]
WRITE_URLS = [
    ("incidents:phase", ()),
    ("incidents:reopen", ()),
    ("incidents:severity", ()),
    ("incidents:commander", ()),
    ("incidents:note-add", ()),
    ("incidents:member-add", ()),
    ("incidents:member-role", ("member_id",)),
    ("incidents:member-remove", ("member_id",)),
    ("incidents:task-complete", ("task_id",)),
    ("incidents:task-reopen", ("task_id",)),
    ("incidents:task-assign", ("task_id",)),
    ("incidents:task-skip", ("task_id",)),
    ("incidents:pause", ()),
    ("incidents:pause-approve-resume", ("pause_id",)),
    ("incidents:scope-mark", ("asset_id",)),
    ("incidents:notifications-draft", ()),
    ("incidents:notifications-send", ()),
    ("incidents:notification-approve", ("notification_id",)),
    ("incidents:notification-retry", ("notification_id",)),
    ("incidents:notification", ("notification_id",)),
    ("incidents:decisions", ()),
    ("incidents:deadlines-recompute", ()),
    ("incidents:deadline-met", ("deadline_id",)),
    ("incidents:deadline-waive", ("deadline_id",)),
]
ALL_URLS = [(name, keys, "get") for name, keys in READ_URLS] + [
    (name, keys, "post") for name, keys in WRITE_URLS
]


def _url(ids, name, keys):
    return reverse(name, kwargs={"reference": ids["reference"], **{k: ids[k] for k in keys}})


def _request(client, method, url, **extra):
    return getattr(client, method)(url, **extra)


@pytest.mark.parametrize(("name", "keys", "method"), ALL_URLS)
def test_a_non_member_without_view_all_gets_404_everywhere(
    client, ids, outsider, name, keys, method
):
    client.force_login(outsider)

    response = _request(client, method, _url(ids, name, keys))

    assert response.status_code == 404


@pytest.mark.parametrize(("name", "keys", "method"), ALL_URLS)
def test_a_restricted_incident_is_404_even_for_view_all_holders(
    client, ids, incident, name, keys, method
):
    incident.restricted = True
    incident.save()
    other_commander = UserFactory(roles=["Commander", "Legal"])
    client.force_login(other_commander)

    response = _request(client, method, _url(ids, name, keys))

    assert response.status_code == 404


# Calendar apps cannot sign in: a feed without its key is simply not there.
FEEDS = {"incidents:deadlines-ics"}


@pytest.mark.parametrize(("name", "keys", "method"), ALL_URLS)
def test_anonymous_visitors_are_sent_to_sign_in(client, ids, name, keys, method):
    response = _request(client, method, _url(ids, name, keys))

    if name in FEEDS:
        assert response.status_code == 404
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("name", "keys"), READ_URLS)
def test_a_view_all_holder_reads_an_incident_they_are_not_on(client, ids, name, keys):
    client.force_login(UserFactory(roles=["Legal"]))

    assert client.get(_url(ids, name, keys)).status_code == 200


@pytest.mark.parametrize(("name", "keys"), READ_URLS)
def test_a_member_reads_a_restricted_incident(client, ids, incident, viewer, name, keys):
    incident.restricted = True
    incident.save()
    client.force_login(viewer)

    assert client.get(_url(ids, name, keys)).status_code == 200


@pytest.mark.parametrize(
    "panel",
    [
        "phase",
        "triage",
        "members",
        "timeline-latest",
        "tasks",
        "notifications",
        "deadlines",
        "decisions",
    ],
)
def test_htmx_panels_are_gated_too(client, ids, outsider, viewer, panel):
    url = f"{_url(ids, 'incidents:detail', ())}?panel={panel}"

    client.force_login(outsider)
    hidden = client.get(url, headers={"HX-Request": "true"})
    client.force_login(viewer)
    shown = client.get(url, headers={"HX-Request": "true"})

    assert hidden.status_code == 404
    assert shown.status_code == 200
    assert "<html" not in shown.content.decode()


def test_an_unknown_reference_looks_the_same_as_a_hidden_one(client, ids, outsider):
    client.force_login(outsider)

    hidden = client.get(_url(ids, "incidents:detail", ()))
    missing = client.get(reverse("incidents:detail", kwargs={"reference": "INC-2026-9999"}))

    assert hidden.status_code == missing.status_code == 404
    assert _without_tokens(hidden) == _without_tokens(missing)


def _without_tokens(response):
    """The page, less what differs on every response (CSP nonce, CSRF token)."""
    html = response.content.decode()
    html = re.sub(r'nonce="[^"]+"', "", html)
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", html)


def test_a_task_of_another_incident_cannot_be_reached_through_this_one(
    client, ids, incident, commander, responder
):
    other = IncidentFactory(commander=commander)
    foreign_task = other.tasks.first()
    client.force_login(responder)

    response = client.post(
        reverse(
            "incidents:task-complete",
            kwargs={"reference": incident.reference, "task_id": foreign_task.pk},
        )
    )

    assert response.status_code == 404
    foreign_task.refresh_from_db()
    assert foreign_task.is_open


def test_the_incident_list_shows_only_what_the_user_may_see(client, incident, commander, outsider):
    hidden = IncidentFactory(commander=commander, title="Restricted one", restricted=True)
    client.force_login(outsider)
    outsider_sees = client.get(reverse("incidents:list")).context["page"].paginator.count
    client.force_login(UserFactory(roles=["Legal"]))
    legal_sees = [i.reference for i in client.get(reverse("incidents:list")).context["page"]]

    assert outsider_sees == 0
    assert legal_sees == [incident.reference]
    assert hidden.reference not in legal_sees
