"""``manage.py verify_timeline`` re-checks chains for cron and exits non-zero on a break."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from incidents import services
from tests.factories import IncidentFactory
from tests.incidents.test_timeline_chain import _bypass_trigger

pytestmark = pytest.mark.django_db


def _alter_summary(incident, seq: int) -> None:
    _bypass_trigger()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE incidents_timelineentry SET summary = %s WHERE incident_id = %s AND seq = %s",
            ["The vendor called at 14:00.", incident.pk, seq],
        )


def _run(*args) -> str:
    out = StringIO()
    call_command("verify_timeline", *args, stdout=out)
    return out.getvalue()


def test_an_intact_chain_passes(incident):
    output = _run(incident.reference)

    assert f"{incident.reference}: intact, 4 entries" in output


def test_an_altered_row_makes_the_command_fail_naming_the_entry(incident, responder):
    services.note_add(incident=incident, actor=responder, text="The vendor called at 10:00.")
    _alter_summary(incident, 5)
    out = StringIO()

    with pytest.raises(CommandError, match="1 timeline"):
        call_command("verify_timeline", incident.reference, stdout=out)

    assert f"{incident.reference}: BROKEN at entry 5" in out.getvalue()
    assert "altered" in out.getvalue()


def test_all_checks_every_incident_and_fails_if_one_breaks(incident, responder, commander):
    other = IncidentFactory(commander=commander)
    services.note_add(incident=incident, actor=responder, text="Checked.")
    _alter_summary(incident, 5)
    out = StringIO()

    with pytest.raises(CommandError):
        call_command("verify_timeline", "--all", stdout=out)

    assert f"{other.reference}: intact" in out.getvalue()
    assert f"{incident.reference}: BROKEN at entry 5" in out.getvalue()


def test_an_unknown_reference_is_an_error(db):
    with pytest.raises(CommandError, match="No incident INC-1999-0001"):
        _run("INC-1999-0001")


def test_a_reference_or_all_is_required(db):
    with pytest.raises(CommandError):
        _run()


def test_the_verify_page_says_where_the_chain_breaks(client, incident, responder, viewer):
    services.note_add(incident=incident, actor=responder, text="The vendor called at 10:00.")
    _alter_summary(incident, 5)
    client.force_login(viewer)

    response = client.get(
        reverse("incidents:timeline-verify", kwargs={"reference": incident.reference})
    )

    html = response.content.decode()
    assert "The chain breaks at entry 5" in html
    assert "altered" in html


def test_the_verify_page_is_hidden_from_outsiders(client, incident, outsider):
    client.force_login(outsider)

    response = client.get(
        reverse("incidents:timeline-verify", kwargs={"reference": incident.reference})
    )

    assert response.status_code == 404
