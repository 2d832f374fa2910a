"""The PDF reports a reader asked for."""

from django.http import Http404

from breachdesk.models import User
from incidents.models import Incident, TimelineReport
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
