"""The demo incident: a press report of the training-data vendor's breach, partway through.

Triage is done, the engagements are paused and the scope review is under way.
It is built through the services, so its timeline is a real hash chain.
"""

from datetime import timedelta

from django.utils import timezone

from breachdesk.models import User
from incidents import services
from incidents.models import Incident, IncidentMember, Notification, Task
from incidents.questionnaire_templates import ensure_default_questionnaire
from incidents.services import questionnaires as questionnaire_services
from incidents.services.delivery import OUTCOME_FAILED, notification_record_outcome
from vendors.demo import TRAINING_DATA_VENDOR
from vendors.models import DataAsset, Stakeholder, StakeholderContact, Vendor

DEMO_TITLE = "Parallax Data Services breach reported in the press"


def _complete(incident: Incident, title_start: str, actor: User) -> None:
    task = incident.tasks.get(title__startswith=title_start)
    if task.status == Task.Status.OPEN:
        services.task_complete(task=task, actor=actor)


def seed_demo_incident() -> Incident | None:
    if Incident.objects.filter(title=DEMO_TITLE).exists():
        return None
    users = {
        user.username: user
        for user in User.objects.filter(username__in=["commander", "responder", "legal", "viewer"])
    }
    commander, responder, legal = users["commander"], users["responder"], users["legal"]
    vendor = Vendor.objects.get(name=TRAINING_DATA_VENDOR)
    now = timezone.now().replace(second=0, microsecond=0)
    discovered_at = now - timedelta(hours=20)

    incident = services.incident_open(
        actor=commander,
        title=DEMO_TITLE,
        vendors=[vendor],
        source=Incident.Source.PRESS_REPORT,
        summary=(
            "A technology news site reports that Parallax Data Services, our training-data "
            "vendor, was breached. Internal communications, training-data samples and model "
            "documentation may be exposed."
        ),
        occurred_at=now - timedelta(days=4),
        vendor_aware_at=now - timedelta(hours=30),
        discovered_at=discovered_at,
    )
    services.member_add(
        incident=incident, actor=commander, user=responder, role=IncidentMember.Role.RESPONDER
    )
    services.member_add(
        incident=incident, actor=commander, user=legal, role=IncidentMember.Role.LEGAL
    )
    services.member_add(
        incident=incident, actor=commander, user=users["viewer"], role=IncidentMember.Role.VIEWER
    )
    services.note_add(
        incident=incident,
        actor=commander,
        text=(
            "Press report read at 08:40. Parallax's security lead confirmed by phone that an "
            "annotation storage bucket was accessed by an unknown party; they learned of it "
            "yesterday and had not told us."
        ),
        occurred_at=discovered_at + timedelta(minutes=25),
    )
    _complete(incident, "Confirm the report", commander)
    services.incident_set_severity(
        incident=incident,
        actor=commander,
        severity=Incident.Severity.SEV1,
        reason="The vendor held partner health data of EU patients.",
    )
    _complete(incident, "Assemble the team", commander)
    services.engagements_pause(
        incident=incident,
        actor=commander,
        reason="Vendor breach under investigation: stop every data flow until the scope is known.",
    )
    services.incident_advance_phase(
        incident=incident, to_phase=Incident.Phase.CONTAINMENT, actor=commander
    )
    _complete(incident, "Revoke vendor access", responder)
    _complete(incident, "Preserve evidence", responder)
    services.incident_advance_phase(
        incident=incident, to_phase=Incident.Phase.SCOPING, actor=commander
    )
    services.scope_review_mark(
        incident=incident,
        actor=responder,
        data_asset=DataAsset.objects.get(name="Helix clinical dialogue samples"),
        status="confirmed",
        records_affected=48_000,
        note="Bucket listing in the vendor's report includes the full dialogue export.",
    )
    services.scope_review_mark(
        incident=incident,
        actor=responder,
        data_asset=DataAsset.objects.get(name="Orbital teleoperation logs"),
        status="suspected",
        note="Stored in the same bucket; access logs not yet received.",
    )
    services.incident_set_public_summary(
        incident=incident,
        actor=commander,
        text=(
            "An unknown party accessed a storage bucket at Parallax Data Services, a vendor "
            "that labels training data for us. Data you shared with us was stored there."
        ),
    )
    _demo_notices(incident, commander, legal)
    _demo_questionnaire(incident, commander, legal)
    services.note_add(
        incident=incident,
        actor=legal,
        text=(
            "Preliminary view: EU health data confirmed exposed, so GDPR Art. 33 notification "
            "to the lead supervisory authority is likely required within 72 hours of awareness; "
            "Helix's contract requires notice within 48 hours."
        ),
        privileged=True,
    )
    return incident


def _demo_questionnaire(incident: Incident, commander: User, legal: User) -> None:
    """The default questionnaire to the vendor, approved by Legal: the commander sends it.

    Left unsent, so that seeding sends nothing itself; sending it in the demo
    writes the vendor's email (with its working link) under ``var/mail/``.
    """
    questionnaire = questionnaire_services.questionnaire_draft(
        incident=incident,
        actor=commander,
        vendor=incident.vendors.get(),
        template=ensure_default_questionnaire(),
    )
    questionnaire_services.questionnaire_approve(questionnaire=questionnaire, actor=legal)


def _demo_notices(incident: Incident, commander: User, legal: User) -> None:
    """Partner notices in several states: queued for the worker, failed, and a fresh draft.

    Seeding sends nothing itself: the queued notices are published after the
    seed commits and the worker delivers them (``make run`` writes them as
    .eml files whose acknowledgement links work). The failure is the
    scenario's history, recorded as a worker would record a 550.
    """
    drafts, _ = services.notifications_draft_partner_notices(incident=incident, actor=commander)
    for draft in drafts:
        services.notification_approve(notification=draft, actor=legal)
    services.notifications_send_approved(incident=incident, actor=commander)
    refused = [n.pk for n in drafts if n.recipient_email.startswith("ops@")]
    Notification.objects.filter(pk__in=refused).update(
        status=Notification.Status.SENDING, attempts=1, claimed_at=timezone.now()
    )
    for notification_id in refused:
        notification_record_outcome(
            notification_id=notification_id,
            attempt=1,
            outcome=OUTCOME_FAILED,
            error="550 5.1.1 <ops@orbital-robotics.example>: mailbox unavailable",
        )
    orbital = Stakeholder.objects.get(name="Orbital Robotics Inc.")
    StakeholderContact.objects.get_or_create(
        stakeholder=orbital,
        email="legal@orbital-robotics.example",
        defaults={"name": "Orbital legal team", "role": "Counsel"},
    )
    services.notifications_draft_partner_notices(incident=incident, actor=commander)
