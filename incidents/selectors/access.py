"""Need-to-know: who may know an incident exists (DESIGN.md, People), in one place."""

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from breachdesk.models import User
from breachdesk.roles import has_role
from incidents.models import OPEN_PHASES, Incident, IncidentMember


def incident_visible_to(*, user: User, incident: Incident) -> bool:
    """The need-to-know rule: may this person know the incident exists?"""
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
    The incident comes with its commander and ``member_role``, the reader's
    role on its team (None when not a member), read in the same query.
    """
    if not has_role(user):
        raise Http404
    role = IncidentMember.objects.filter(incident=OuterRef("pk"), user=user).values("role")[:1]
    incident = (
        Incident.objects.select_related("commander")
        .annotate(member_role=Subquery(role))
        .filter(reference=reference[:16])
        .first()
    )
    if incident is None:
        raise Http404
    if incident.member_role is not None:
        return incident
    if incident.restricted:
        raise Http404
    if user.has_perm("incidents.view_all_incidents"):
        return incident
    raise Http404


def sees_every_unrestricted_incident(user: User) -> bool:
    """Whether ``user`` may know of every incident that is not restricted (and their own)."""
    return has_role(user) and user.has_perm("incidents.view_all_incidents")


def visible_incidents(*, user: User) -> QuerySet[Incident]:
    """The incidents this user may know exist: the same rule as the gate above."""
    if not has_role(user):
        return Incident.objects.none()
    visible = Q(Exists(IncidentMember.objects.filter(incident=OuterRef("pk"), user=user)))
    if sees_every_unrestricted_incident(user):
        visible |= Q(restricted=False)
    return Incident.objects.filter(visible)


def open_incidents_of_outer_vendor(user: User) -> QuerySet[Incident]:
    """Open incidents this user may see with the vendor of the outer query (for the vendor list).

    Correlated on ``OuterRef("pk")``, for an EXISTS per vendor shown: it reads
    that vendor's links and stops at the first, where listing every vendor of
    every open incident read them all (about 40 ms for a commander at 9,000
    open incidents, issue 14).
    """
    return visible_incidents(user=user).filter(phase__in=OPEN_PHASES, vendors=OuterRef("pk"))
