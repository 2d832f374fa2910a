"""Opening an incident, moving it through the workflow, its team and its notes."""

from datetime import datetime, timedelta
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from breachdesk.models import User
from breachdesk.roles import incident_roles_allowed, may_command
from breachdesk.submissions import submission_claim
from incidents import timeline
from incidents.exceptions import NothingChanged, TransitionNotAllowed
from incidents.models import (
    PHASE_ORDER,
    SETTLED_BY_FACTS,
    Deadline,
    Incident,
    IncidentMember,
    Playbook,
    ReferenceCounter,
    Task,
)
from incidents.permissions import abilities_for
from incidents.search import search_index_add_note, search_index_rebuild
from incidents.selectors import incident_visible_to
from incidents.services.common import CLOCK_SKEW, Need, lock_incident
from incidents.services.deadlines import deadlines_refresh
from incidents.services.playbook_tasks import (
    incident_next_task_refresh,
    playbook_tasks_complete_for_action,
)
from incidents.services.triage import engagements_hold_existing_pauses
from vendors.models import Vendor

MAX_NOTE_LENGTH = 20_000

FUTURE_TIME = "This time is in the future; record when it actually happened."
DISCOVERED_BEFORE_OCCURRED = "We cannot have become aware before the breach occurred."
VENDOR_AWARE_BEFORE_OCCURRED = "The vendor cannot have become aware before the breach occurred."
NO_VENDOR = "Choose the vendor (or vendors) that was breached."
NOT_COMMANDER = "Only the incident commander (or an administrator) can do this."
CANNOT_OPEN = "Only commanders and administrators open incidents."
OVERRIDE_NEEDS_REASON = "An override needs a written reason."
REQUIRED_TASKS_OPEN = (
    "These required tasks of the {phase} phase are still open: {tasks}. Finish or skip "
    "them, or, as commander, override with a written reason."
)
DEADLINES_OPEN = (
    "These deadlines are still open: {deadlines}. Record each as met or (Legal) not "
    "required, or, as commander, close anyway with a written reason; their reminders go on."
)
REOPEN_NEEDS_REASON = "Say why the incident is being reopened."
NOT_CLOSED = "Only a closed incident can be reopened."
NOTE_EMPTY = "The note is empty."
NOTE_TOO_LONG = "Notes are limited to {limit:,} characters; this one has {length:,}."
NOTE_NOT_ALLOWED = "Only members working this incident, and Legal, can add notes."
PRIVILEGE_NOT_ALLOWED = "Only Legal can mark a note privileged."
COMMANDER_STAYS = "The incident commander stays a member; hand over command first."
ALREADY_MEMBER = "{name} is already a member of this incident."
CANNOT_COMMAND = (
    "{name} cannot command an incident: only people in the Commander role (and "
    "administrators) can. Ask an administrator to give them the role first."
)
ROLE_NOT_ALLOWED = (
    "{name} cannot be {role} on an incident with their role in BreachDesk; choose one of: "
    "{allowed}."
)
ALREADY_IN_PHASE = "The incident is already in {phase}; nothing changed."
SEVERITY_UNCHANGED = "Severity is already {severity}; nothing changed."
ALREADY_COMMANDS = "{name} already commands this incident; nothing changed."
ROLE_UNCHANGED = "{name} is already {role} on this incident; nothing changed."
SEVERITY_CHOSEN_AT_OPENING = "{severity} chosen when the incident was opened."
NO_ROLE_MEMBER = "{name} has no role in BreachDesk yet; an administrator must give them one first."


def _check_team_role(user: User, role: str) -> None:
    """A team role never gives more than the person's own role (breachdesk/roles.py)."""
    allowed = incident_roles_allowed(user) - {IncidentMember.Role.COMMANDER}
    if not allowed:
        raise ValidationError({"user": [NO_ROLE_MEMBER.format(name=user.display_name)]})
    if role not in allowed:
        raise ValidationError(
            {
                "role": [
                    ROLE_NOT_ALLOWED.format(
                        name=user.display_name, role=role, allowed=", ".join(sorted(allowed))
                    )
                ]
            }
        )


def _stays_as(user: User) -> str:
    """The team role a former commander keeps: the most a person of their role may hold."""
    allowed = incident_roles_allowed(user)
    for role in (IncidentMember.Role.RESPONDER, IncidentMember.Role.LEGAL):
        if role in allowed:
            return role
    return IncidentMember.Role.VIEWER


def check_incident_times(
    *,
    occurred_at: datetime | None,
    vendor_aware_at: datetime | None,
    discovered_at: datetime,
    now: datetime | None = None,
) -> None:
    """Raises ValidationError naming each impossible time, keyed by field."""
    latest = (now or timezone.now()) + CLOCK_SKEW
    errors: dict[str, list[str]] = {}
    for field, moment in (
        ("occurred_at", occurred_at),
        ("vendor_aware_at", vendor_aware_at),
        ("discovered_at", discovered_at),
    ):
        if moment and moment > latest:
            errors.setdefault(field, []).append(FUTURE_TIME)
    if occurred_at and discovered_at and discovered_at < occurred_at:
        errors.setdefault("discovered_at", []).append(DISCOVERED_BEFORE_OCCURRED)
    if occurred_at and vendor_aware_at and vendor_aware_at < occurred_at:
        errors.setdefault("vendor_aware_at", []).append(VENDOR_AWARE_BEFORE_OCCURRED)
    if errors:
        raise ValidationError(errors)


def _lock_counter(year: int) -> ReferenceCounter:
    """Lock the year's counter: openings queue here until the holder commits.

    A rolled-back opening rolls its number back too, so numbers never skip;
    and a second opening only sees the counter after the first committed, so
    numbers never repeat.
    """
    ReferenceCounter.objects.get_or_create(year=year)
    return ReferenceCounter.objects.select_for_update().get(year=year)


def _allocate_reference(counter: ReferenceCounter) -> str:
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"INC-{counter.year}-{counter.last_number:04d}"


def _create_tasks(incident: Incident) -> None:
    playbook = Playbook.objects.filter(is_default=True).first()
    if playbook is None:
        return
    Task.objects.bulk_create(
        Task(
            incident=incident,
            phase=step.phase,
            order=step.order,
            title=step.title,
            guidance=step.guidance,
            due_at=incident.discovered_at + timedelta(hours=step.due_offset_hours)
            if step.due_offset_hours is not None
            else None,
            required=step.required,
            default_role=step.default_role,
            action=step.action,
        )
        for step in playbook.steps.all()
    )


@transaction.atomic(durable=True)
def incident_open(
    *,
    actor: User,
    title: str,
    vendors: list[Vendor],
    source: str,
    discovered_at: datetime,
    severity: str | None = None,
    summary: str = "",
    occurred_at: datetime | None = None,
    vendor_aware_at: datetime | None = None,
    commander: User | None = None,
    restricted: bool = False,
    submission_token: UUID | None = None,
) -> Incident:
    """Open an incident with its playbook tasks, team, opening entry and first deadlines.

    The tasks start from what is already known: a ``severity`` chosen here
    completes "Set severity" (None leaves it SEV2 and the task open), and a
    vendor whose engagements another incident already paused is held paused
    by this one too, its "Pause engagements" task done with a link to the vendor.
    """
    if not may_command(actor):
        raise PermissionDenied(CANNOT_OPEN)
    if not vendors:
        raise ValidationError({"vendors": [NO_VENDOR]})
    if commander is not None and not may_command(commander):
        raise ValidationError({"commander": [CANNOT_COMMAND.format(name=commander.display_name)]})
    check_incident_times(
        occurred_at=occurred_at, vendor_aware_at=vendor_aware_at, discovered_at=discovered_at
    )
    commander = commander or actor
    # Severity left unchosen (None) starts at SEV2, its "Set severity" task open.
    chosen_severity = severity
    severity = severity or Incident.Severity.SEV2
    counter = _lock_counter(timezone.now().year)
    if submission_token is not None:
        already_opened = Incident.objects.filter(submission_token=submission_token).first()
        if already_opened is not None:
            return already_opened
    incident = Incident(
        reference=_allocate_reference(counter),
        submission_token=submission_token,
        title=title,
        summary=summary,
        severity=severity,
        source=source,
        occurred_at=occurred_at,
        vendor_aware_at=vendor_aware_at,
        discovered_at=discovered_at,
        commander=commander,
        restricted=restricted,
    )
    incident.full_clean()
    incident.save()
    incident.vendors.set(vendors)
    IncidentMember.objects.create(
        incident=incident, user=commander, role=IncidentMember.Role.COMMANDER
    )
    _create_tasks(incident)
    incident_next_task_refresh(incident)
    timeline.record_incident_opened(incident=incident, actor=actor)
    if chosen_severity:
        playbook_tasks_complete_for_action(
            incident=incident,
            action=Task.Action.SET_SEVERITY,
            actor=actor,
            note=SEVERITY_CHOSEN_AT_OPENING.format(severity=incident.get_severity_display()),
        )
    engagements_hold_existing_pauses(incident=incident, actor=actor)
    deadlines_refresh(incident=incident, actor=actor)
    search_index_rebuild(Incident.objects.filter(pk=incident.pk))
    return incident


def _open_deadline_names(incident: Incident) -> list[str]:
    """Deadlines still owed (pending or missed), as "citation to recipient"."""
    return [
        f"{citation} to {recipient}"
        for citation, recipient in incident.deadlines.filter(
            status__in=[Deadline.Status.PENDING, Deadline.Status.MISSED]
        )
        .exclude(rule_id__in=SETTLED_BY_FACTS)
        .order_by("due_at", "rule_id")
        .values_list("citation", "recipient")
    ]


def _open_required_titles(incident: Incident) -> list[str]:
    return list(
        incident.tasks.filter(
            phase=incident.phase, required=True, status=Task.Status.OPEN
        ).values_list("title", flat=True)
    )


@transaction.atomic(durable=True)
def incident_advance_phase(
    *, incident: Incident, to_phase: str, actor: User, override_reason: str = ""
) -> Incident:
    incident = lock_incident(
        incident, actor=actor, need=Need.COMMAND, open_only=False, refused=NOT_COMMANDER
    )
    if incident.phase == to_phase:
        # A double-click, or two people pressing at once: already done.
        raise NothingChanged(ALREADY_IN_PHASE.format(phase=incident.get_phase_display().lower()))
    if to_phase not in PHASE_ORDER or incident.next_phase != to_phase:
        raise TransitionNotAllowed(
            f"An incident in {incident.phase} can only move on to {incident.next_phase}."
        )
    override_reason = override_reason.strip()
    open_required = _open_required_titles(incident)
    if open_required and not override_reason:
        raise ValidationError(
            REQUIRED_TASKS_OPEN.format(
                phase=incident.get_phase_display().lower(),
                tasks="; ".join(f"“{title}”" for title in open_required),
            ),
            code="required_tasks_open",
        )
    # Closing does not end a legal duty: every deadline is met or decided not
    # required first, or the commander says in writing why it closes anyway
    # (and the reminders for what is still open go on).
    open_deadlines = _open_deadline_names(incident) if to_phase == Incident.Phase.CLOSED else []
    if open_deadlines and not override_reason:
        raise ValidationError(
            DEADLINES_OPEN.format(deadlines="; ".join(f"“{name}”" for name in open_deadlines)),
            code="deadlines_open",
        )
    from_phase = incident.phase
    incident.phase = to_phase
    incident.phase_changed_at = timezone.now()
    incident.save(update_fields=["phase", "phase_changed_at", "updated_at"])
    timeline.record_phase_changed(
        incident=incident,
        actor=actor,
        from_phase=from_phase,
        to_phase=to_phase,
        override_reason=override_reason if open_required or open_deadlines else "",
        open_required=open_required,
        open_deadlines=open_deadlines,
    )
    return incident


@transaction.atomic(durable=True)
def incident_reopen(*, incident: Incident, actor: User, reason: str) -> Incident:
    incident = lock_incident(
        incident, actor=actor, need=Need.COMMAND, open_only=False, refused=NOT_COMMANDER
    )
    if not incident.is_closed:
        raise TransitionNotAllowed(NOT_CLOSED)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [REOPEN_NEEDS_REASON]})
    incident.phase = Incident.Phase.RECOVERY
    incident.phase_changed_at = timezone.now()
    incident.save(update_fields=["phase", "phase_changed_at", "updated_at"])
    timeline.record_incident_reopened(
        incident=incident, actor=actor, to_phase=incident.phase, reason=reason
    )
    return incident


@transaction.atomic(durable=True)
def incident_set_severity(
    *, incident: Incident, actor: User, severity: str, reason: str = ""
) -> Incident:
    incident = lock_incident(
        incident, actor=actor, need=Need.COMMAND, open_only=False, refused=NOT_COMMANDER
    )
    if severity not in Incident.Severity.values:
        raise ValidationError({"severity": ["Choose SEV1, SEV2, SEV3 or SEV4."]})
    if incident.severity == severity:
        raise NothingChanged(SEVERITY_UNCHANGED.format(severity=incident.get_severity_display()))
    old = incident.severity
    incident.severity = severity
    incident.save(update_fields=["severity", "updated_at"])
    timeline.record_severity_changed(
        incident=incident, actor=actor, old=old, new=severity, reason=reason.strip()
    )
    playbook_tasks_complete_for_action(
        incident=incident, action=Task.Action.SET_SEVERITY, actor=actor
    )
    return incident


PUBLIC_SUMMARY_LENGTH = Incident._meta.get_field("public_summary").max_length
PUBLIC_SUMMARY_TOO_LONG = "Keep the public summary under {limit:,} characters; it has {length:,}."
PUBLIC_SUMMARY_UNCHANGED = "The public summary already says this; nothing changed."


@transaction.atomic(durable=True)
def incident_set_public_summary(*, incident: Incident, actor: User, text: str) -> Incident:
    """The commander's words for partners about what happened (partner notices quote them).

    Kept apart from the internal title and summary, which never leave in a
    notice. Raises ValidationError when too long, NothingChanged when the
    same, PermissionDenied for anyone but the commander.
    """
    incident = lock_incident(
        incident, actor=actor, need=Need.COMMAND, open_only=False, refused=NOT_COMMANDER
    )
    text = text.strip()
    if len(text) > PUBLIC_SUMMARY_LENGTH:
        raise ValidationError(
            {
                "public_summary": [
                    PUBLIC_SUMMARY_TOO_LONG.format(limit=PUBLIC_SUMMARY_LENGTH, length=len(text))
                ]
            }
        )
    if text == incident.public_summary:
        raise NothingChanged(PUBLIC_SUMMARY_UNCHANGED)
    old = incident.public_summary
    incident.public_summary = text
    incident.save(update_fields=["public_summary", "updated_at"])
    timeline.record_public_summary_changed(incident=incident, actor=actor, old=old, new=text)
    return incident


@transaction.atomic(durable=True)
def incident_set_commander(*, incident: Incident, actor: User, commander: User) -> Incident:
    """Hand command to ``commander``, or take it: a Commander-role user who may see the
    incident takes command of it themselves (the person in command may be away).

    Raises ValidationError when ``commander`` may not command (only the
    Commander role and staff may), PermissionDenied when ``actor`` may neither
    hand over nor take command.
    """
    incident = lock_incident(incident, actor=actor, need=None, open_only=False)
    taking = (
        commander.pk == actor.pk
        and may_command(actor)
        and incident_visible_to(user=actor, incident=incident)
    )
    if not taking and not abilities_for(actor, incident).commands:
        raise PermissionDenied(NOT_COMMANDER)
    if incident.commander_id == commander.pk:
        raise NothingChanged(ALREADY_COMMANDS.format(name=commander.display_name))
    if not may_command(commander):
        raise ValidationError({"commander": [CANNOT_COMMAND.format(name=commander.display_name)]})
    old = incident.commander
    incident.commander = commander
    incident.save(update_fields=["commander", "updated_at"])
    IncidentMember.objects.filter(
        incident=incident, user=old, role=IncidentMember.Role.COMMANDER
    ).update(role=_stays_as(old))
    IncidentMember.objects.update_or_create(
        incident=incident, user=commander, defaults={"role": IncidentMember.Role.COMMANDER}
    )
    timeline.record_commander_changed(incident=incident, actor=actor, old=old, new=commander)
    return incident


@transaction.atomic(durable=True)
def member_add(*, incident: Incident, actor: User, user: User, role: str) -> IncidentMember:
    incident = lock_incident(
        incident, actor=actor, need=Need.COMMAND, open_only=False, refused=NOT_COMMANDER
    )
    if role not in IncidentMember.Role.values or role == IncidentMember.Role.COMMANDER:
        raise ValidationError({"role": ["Choose responder, legal or viewer."]})
    _check_team_role(user, role)
    if incident.members.filter(user=user).exists():
        raise ValidationError({"user": [ALREADY_MEMBER.format(name=user.display_name)]})
    member = IncidentMember.objects.create(incident=incident, user=user, role=role)
    timeline.record_member_added(incident=incident, actor=actor, member=member)
    return member


@transaction.atomic(durable=True)
def member_set_role(*, member: IncidentMember, actor: User, role: str) -> IncidentMember:
    incident = lock_incident(
        member.incident, actor=actor, need=Need.COMMAND, open_only=False, refused=NOT_COMMANDER
    )
    member = IncidentMember.objects.select_for_update().get(pk=member.pk)
    if member.user_id == incident.commander_id:
        raise ValidationError(COMMANDER_STAYS)
    if role not in IncidentMember.Role.values or role == IncidentMember.Role.COMMANDER:
        raise ValidationError({"role": ["Choose responder, legal or viewer."]})
    _check_team_role(member.user, role)
    if member.role == role:
        raise NothingChanged(
            ROLE_UNCHANGED.format(name=member.user.display_name, role=member.get_role_display())
        )
    old_role = member.role
    member.role = role
    member.save(update_fields=["role"])
    timeline.record_member_role_changed(
        incident=incident, actor=actor, member=member, old_role=old_role
    )
    return member


@transaction.atomic(durable=True)
def member_remove(*, member: IncidentMember, actor: User) -> None:
    incident = lock_incident(
        member.incident, actor=actor, need=Need.COMMAND, open_only=False, refused=NOT_COMMANDER
    )
    if member.user_id == incident.commander_id:
        raise ValidationError(COMMANDER_STAYS)
    user, role = member.user, member.role
    member.delete()
    timeline.record_member_removed(incident=incident, actor=actor, user=user, role=role)


@transaction.atomic(durable=True)
def note_add(
    *,
    incident: Incident,
    actor: User,
    text: str,
    privileged: bool = False,
    occurred_at: datetime | None = None,
    submission_token: UUID | None = None,
):
    """Add a note to the timeline; a ``submission_token`` seen before raises AlreadySubmitted."""
    incident = lock_incident(
        incident, actor=actor, need=Need.NOTES, open_only=False, refused=NOTE_NOT_ALLOWED
    )
    if privileged and not incident.abilities.privileged_notes:
        raise PermissionDenied(PRIVILEGE_NOT_ALLOWED)
    text = text.strip()
    if not text:
        raise ValidationError({"text": [NOTE_EMPTY]})
    if len(text) > MAX_NOTE_LENGTH:
        raise ValidationError(
            {"text": [NOTE_TOO_LONG.format(limit=MAX_NOTE_LENGTH, length=len(text))]}
        )
    if occurred_at and occurred_at > timezone.now() + CLOCK_SKEW:
        raise ValidationError({"occurred_at": [FUTURE_TIME]})
    submission_claim(submission_token, user=actor)
    entry = timeline.record_note_added(
        incident=incident, actor=actor, text=text, privileged=privileged, occurred_at=occurred_at
    )
    if not privileged:
        # Privileged advice is never searchable (incidents/search.py).
        search_index_add_note(incident, text)
    return entry
