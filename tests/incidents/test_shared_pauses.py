"""Several incidents may hold one engagement paused (issue 9, fault 3).

Each incident records its own pause of an engagement another incident already
paused; the engagement comes back only when every incident holding it has
approved resuming (its commander and Legal), and the vendor only when none of
its engagements is held. The incident page says who holds it, as far as the
reader may know.
"""

import pytest
from django.urls import reverse

from incidents import services, timeline
from incidents.models import EngagementPause, TimelineEntry
from incidents.selectors import incident_pause_overview
from tests.factories import IncidentFactory, UserFactory
from vendors.models import Engagement, Vendor

pytestmark = pytest.mark.django_db

REASON = "Parallax confirmed the breach"
SECRET_TITLE = "Parallax exfiltration of board minutes"


@pytest.fixture
def other_commander(db):
    return UserFactory(
        username="other-commander", first_name="Dana", last_name="Ruiz", roles=["Commander"]
    )


def _held_elsewhere(other_commander, vendor, *, restricted=False):
    """Another incident against the same vendor, which paused the engagement first."""
    earlier = IncidentFactory(
        commander=other_commander, vendors=[vendor], title=SECRET_TITLE, restricted=restricted
    )
    services.engagements_pause(incident=earlier, actor=other_commander, reason="First report")
    return earlier


def _pause_from_the_page(client, incident, actor):
    client.force_login(actor)
    return client.post(
        reverse("incidents:pause", kwargs={"reference": incident.reference}), {"reason": REASON}
    )


def _resume_every_open_pause(incident, commander, legal):
    for pause in incident.pauses.filter(resumed_at__isnull=True):
        services.pause_approve_resume(pause=pause, actor=commander, reason="Remediated")
        services.pause_approve_resume(pause=pause, actor=legal)


def _annotation():
    return Engagement.objects.select_related("vendor").get(name="Annotation")


def test_a_second_incident_records_its_own_pause_of_an_already_paused_engagement(
    client, incident, commander, other_commander, breached_vendor
):
    earlier = _held_elsewhere(other_commander, breached_vendor)

    _pause_from_the_page(client, incident, commander)

    open_pauses = EngagementPause.objects.filter(engagement=_annotation(), resumed_at__isnull=True)
    assert sorted(open_pauses.values_list("incident__reference", flat=True)) == sorted(
        [earlier.reference, incident.reference]
    )
    assert open_pauses.get(incident=incident).paused_by == commander
    assert _annotation().status == Engagement.Status.PAUSED


def test_the_second_pause_is_on_the_timeline_marked_already_paused(
    client, incident, commander, other_commander, breached_vendor
):
    _held_elsewhere(other_commander, breached_vendor)

    _pause_from_the_page(client, incident, commander)

    entry = TimelineEntry.objects.filter(incident=incident, kind="engagement_paused").first()
    assert entry is not None
    assert [(e["name"], e.get("already_paused")) for e in entry.data["engagements"]] == [
        ("Annotation", True)
    ]
    assert entry.data["reason"] == REASON
    assert timeline.verify_chain(incident).ok


def test_the_first_pause_of_an_engagement_is_not_marked_already_paused(incident, commander):
    services.engagements_pause(incident=incident, actor=commander, reason=REASON)

    entry = TimelineEntry.objects.get(incident=incident, kind="engagement_paused")
    assert [(e["name"], e.get("already_paused")) for e in entry.data["engagements"]] == [
        ("Annotation", False)
    ]


def test_the_engagement_stays_paused_while_another_incident_holds_it(
    client, incident, commander, legal, other_commander, breached_vendor
):
    earlier = _held_elsewhere(other_commander, breached_vendor)
    _pause_from_the_page(client, incident, commander)

    _resume_every_open_pause(earlier, other_commander, legal)

    engagement = _annotation()
    assert engagement.status == Engagement.Status.PAUSED
    assert engagement.vendor.status == Vendor.Status.PAUSED
    assert EngagementPause.objects.get(incident=incident).is_open
    resumed = TimelineEntry.objects.get(incident=earlier, kind="engagement_resumed")
    assert resumed.data["still_held_by_another_incident"] is True


def test_the_engagement_and_vendor_come_back_when_the_last_incident_resumes(
    client, incident, commander, legal, other_commander, breached_vendor
):
    earlier = _held_elsewhere(other_commander, breached_vendor)
    _pause_from_the_page(client, incident, commander)
    _resume_every_open_pause(earlier, other_commander, legal)

    _resume_every_open_pause(incident, commander, legal)

    engagement = _annotation()
    assert list(
        incident.pauses.filter(resumed_at__isnull=False).values_list("engagement__name", flat=True)
    ) == ["Annotation"]
    assert not EngagementPause.objects.filter(resumed_at__isnull=True).exists()
    assert engagement.status == Engagement.Status.ACTIVE
    assert engagement.vendor.status == Vendor.Status.ACTIVE


def test_one_approval_of_the_last_pause_does_not_resume(
    client, incident, commander, legal, other_commander, breached_vendor
):
    earlier = _held_elsewhere(other_commander, breached_vendor)
    _pause_from_the_page(client, incident, commander)
    _resume_every_open_pause(earlier, other_commander, legal)
    held_here = incident.pauses.filter(resumed_at__isnull=True)

    for pause in held_here:
        services.pause_approve_resume(pause=pause, actor=commander, reason="Remediated")

    assert held_here.count() == 1
    assert _annotation().status == Engagement.Status.PAUSED
    assert _annotation().vendor.status == Vendor.Status.PAUSED


# --- the incident page --------------------------------------------------------------------


def _triage_panel(client, incident, reader):
    client.force_login(reader)
    response = client.get(reverse("incidents:detail", kwargs={"reference": incident.reference}))
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_names_the_incident_holding_the_engagement_paused_for_who_may_see_it(
    client, incident, commander, other_commander, breached_vendor
):
    earlier = _held_elsewhere(other_commander, breached_vendor)

    html = _triage_panel(client, incident, commander)

    assert f'<a href="{earlier.get_absolute_url()}">{earlier.reference}</a>' in html
    assert "(commander Dana Ruiz)" in html


@pytest.mark.parametrize("reader", ["commander", "responder"])
def test_the_page_tells_a_reader_who_may_not_see_the_holding_incident_whom_to_ask(
    client, request, reader, incident, other_commander, breached_vendor
):
    earlier = _held_elsewhere(other_commander, breached_vendor, restricted=True)

    html = _triage_panel(client, incident, request.getfixturevalue(reader))

    assert "already paused during another incident; ask Dana Ruiz for details" in html
    assert earlier.reference not in html
    assert SECRET_TITLE not in html
    assert "First report" not in html


def test_the_page_still_offers_to_pause_an_engagement_paused_by_another_incident(
    client, incident, commander, other_commander, breached_vendor
):
    _held_elsewhere(other_commander, breached_vendor)

    html = _triage_panel(client, incident, commander)

    assert (
        f'action="{reverse("incidents:pause", kwargs={"reference": incident.reference})}"' in html
    )


def test_with_no_pause_elsewhere_the_overview_is_one_query(
    incident, commander, breached_vendor, django_assert_num_queries
):
    with django_assert_num_queries(1):
        overview = incident_pause_overview(incident=incident, user=commander)

    assert overview.held_elsewhere == []
    assert (
        overview.active
        == overview.pausable
        == breached_vendor.engagements.filter(status=Engagement.Status.ACTIVE).count()
    )


def test_an_engagement_paused_here_no_longer_counts_as_pausable_here(
    incident, commander, breached_vendor
):
    active = incident_pause_overview(incident=incident, user=commander).active
    services.engagements_pause(incident=incident, actor=commander, reason=REASON)

    overview = incident_pause_overview(incident=incident, user=commander)

    assert active > 0
    assert overview.pausable == 0
    assert overview.held_elsewhere == []
