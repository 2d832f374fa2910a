"""The PDF reports a reader asked for, and the incident's evidence files."""

from django.http import Http404

from breachdesk.models import User
from incidents.models import Evidence, Incident, TimelineReport
from incidents.permissions import abilities_for


def timeline_report_for(*, incident: Incident, user: User, report_id: int) -> TimelineReport:
    """The report, to the person who asked for it only (and, if it holds privileged
    texts, only while they still hold the Legal ability); anyone else gets 404.

    The incident has passed the need-to-know gate already.
    """
    report = (
        TimelineReport.objects.filter(pk=report_id, incident=incident, requested_by=user)
        .select_related("export_entry")
        .first()
    )
    if report is None:
        raise Http404("No such report.")
    if report.include_privileged and not abilities_for(user, incident).reads_privileged:
        raise Http404("No such report.")
    return report


def incident_evidence(*, incident: Incident) -> list[Evidence]:
    return list(incident.evidence.select_related("uploaded_by").order_by("-uploaded_at", "-pk"))


def evidence_for(*, incident: Incident, evidence_id: int) -> Evidence:
    """One file of an incident that has passed the gate; 404 for another incident's."""
    item = incident.evidence.select_related("incident").filter(pk=evidence_id).first()
    if item is None:
        raise Http404("No such file.")
    return item
