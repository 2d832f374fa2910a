"""The timeline: the chained append, one small function per kind, verification, export rows.

Every state change writes its entry in the same transaction as the change.
Summaries are stored in plain English, not translated at write time: they are
part of a legal record and must read the same whoever views it later.
"""

import hashlib
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.utils import timezone

from breachdesk.models import User
from incidents.chain import (
    GENESIS_HASH,
    chain_hash,
    commitment,
    iso_or_none,
    iso_utc,
    make_body,
)
from incidents.models import (
    Deadline,
    EngagementPause,
    Evidence,
    Incident,
    IncidentMember,
    Notification,
    PrivilegedText,
    Questionnaire,
    ScopeItem,
    Task,
    TimelineEntry,
)
from integrations.events import webhooks_emit
from vendors.models import Engagement

SYSTEM_ACTOR = "system"
_JSON_SCALARS = (str, int, bool, type(None))


def _check_json_safe(value: Any, path: str = "data") -> None:
    """Only values that survive a database round trip unchanged may be hashed.

    Floats and datetimes do not (their text form can change), so they are refused.
    """
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{path} has a non-string key {key!r}")
            _check_json_safe(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_json_safe(item, f"{path}[{index}]")
    elif not isinstance(value, _JSON_SCALARS):
        raise TypeError(f"{path} is {type(value).__name__}; store it as text")


def _append(
    *,
    incident: Incident,
    kind: str,
    summary: str,
    actor: User | None,
    data: dict[str, Any] | None = None,
    occurred_at: datetime | None = None,
) -> TimelineEntry:
    if not connection.in_atomic_block:
        raise RuntimeError("timeline entries are written inside the change's transaction")
    data = data or {}
    _check_json_safe(data)
    # Serialise appends to one incident's chain: the row lock is held until the
    # surrounding transaction ends, so two writers can never read the same
    # last entry. (On SQLite the IMMEDIATE transaction mode does the same.)
    # An incident from lock_incident holds the lock already, and remembers the
    # chain's tail between the appends of one change; anything else locks here.
    locked = getattr(incident, "chain_locked", False)
    if not locked:
        Incident.objects.select_for_update().filter(pk=incident.pk).values_list("pk").get()
    last = getattr(incident, "chain_tail", None) if locked else None
    if last is None:
        last = (
            TimelineEntry.objects.filter(incident=incident)
            .order_by("-seq")
            .values_list("seq", "hash")
            .first()
        )
    seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
    recorded_at = timezone.now()
    occurred_at = occurred_at or recorded_at
    actor_name = actor.username if actor else SYSTEM_ACTOR
    body = make_body(
        seq=seq,
        incident=incident.reference,
        occurred_at=occurred_at,
        recorded_at=recorded_at,
        actor=actor_name,
        kind=kind,
        summary=summary,
        data=data,
    )
    entry = TimelineEntry(
        incident=incident,
        seq=seq,
        occurred_at=occurred_at,
        recorded_at=recorded_at,
        actor=actor,
        actor_name=actor_name,
        kind=kind,
        summary=summary,
        data=data,
        prev_hash=prev_hash,
        hash=chain_hash(prev_hash, body),
    )
    entry.save()
    if locked:
        incident.chain_tail = (seq, entry.hash)
    # Every event worth a webhook is a timeline entry: emitting here, in the
    # change's transaction, means no service can forget one.
    webhooks_emit(entry=entry, incident=incident)
    return entry


def entry_body(entry: TimelineEntry, reference: str) -> dict[str, Any]:
    """The body that was hashed, rebuilt from the stored row."""
    return make_body(
        seq=entry.seq,
        incident=reference,
        occurred_at=entry.occurred_at,
        recorded_at=entry.recorded_at,
        actor=entry.actor_name,
        kind=entry.kind,
        summary=entry.summary,
        data=entry.data,
    )


def _person(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "username": user.username, "name": user.display_name}


# --- the incident ------------------------------------------------------------


def record_incident_opened(*, incident: Incident, actor: User) -> TimelineEntry:
    vendors = list(incident.vendors.order_by("name"))
    return _append(
        incident=incident,
        kind=TimelineEntry.Kind.INCIDENT_OPENED,
        summary=f"Incident opened: {incident.title}",
        actor=actor,
        data={
            "title": incident.title,
            "summary": incident.summary,
            "vendors": [{"id": v.pk, "name": v.name} for v in vendors],
            "severity": incident.severity,
            "source": incident.source,
            "occurred_at": iso_or_none(incident.occurred_at),
            "vendor_aware_at": iso_or_none(incident.vendor_aware_at),
            "discovered_at": iso_or_none(incident.discovered_at),
            "commander": _person(incident.commander),
            "restricted": incident.restricted,
        },
    )


def record_phase_changed(
    *,
    incident: Incident,
    actor: User,
    from_phase: str,
    to_phase: str,
    override_reason: str = "",
    open_required: list[str] | None = None,
    open_deadlines: list[str] | None = None,
) -> TimelineEntry:
    summary = f"Phase changed from {from_phase} to {to_phase}"
    if override_reason:
        summary += f" by commander's override: {override_reason}"
    if open_deadlines:
        summary += f". Deadlines still open: {'; '.join(open_deadlines)}"
    data = {
        "from": from_phase,
        "to": to_phase,
        "override_reason": override_reason,
        "open_required_tasks": open_required or [],
    }
    if open_deadlines:
        data["open_deadlines"] = open_deadlines
    return _append(
        incident=incident,
        kind=TimelineEntry.Kind.PHASE_CHANGED,
        summary=summary,
        actor=actor,
        data=data,
    )


def record_incident_reopened(
    *, incident: Incident, actor: User, to_phase: str, reason: str
) -> TimelineEntry:
    return _append(
        incident=incident,
        kind=TimelineEntry.Kind.INCIDENT_REOPENED,
        summary=f"Incident reopened into {to_phase}: {reason}",
        actor=actor,
        data={"to": to_phase, "reason": reason},
    )


def record_severity_changed(
    *, incident: Incident, actor: User, old: str, new: str, reason: str
) -> TimelineEntry:
    return _append(
        incident=incident,
        kind=TimelineEntry.Kind.SEVERITY_CHANGED,
        summary=f"Severity changed from {old.upper()} to {new.upper()}"
        + (f": {reason}" if reason else ""),
        actor=actor,
        data={"from": old, "to": new, "reason": reason},
    )


def record_public_summary_changed(
    *, incident: Incident, actor: User, old: str, new: str
) -> TimelineEntry:
    return _append(
        incident=incident,
        kind=TimelineEntry.Kind.PUBLIC_SUMMARY_CHANGED,
        summary=f"Public summary for partners: {new}" if new else "Public summary cleared",
        actor=actor,
        data={"from": old, "to": new},
    )


def record_commander_changed(
    *, incident: Incident, actor: User, old: User, new: User
) -> TimelineEntry:
    return _append(
        incident=incident,
        kind=TimelineEntry.Kind.COMMANDER_CHANGED,
        summary=f"Command handed from {old.display_name} to {new.display_name}",
        actor=actor,
        data={"from": _person(old), "to": _person(new)},
    )


def record_member_added(*, incident: Incident, actor: User, member: IncidentMember):
    return _append(
        incident=incident,
        kind=TimelineEntry.Kind.MEMBER_ADDED,
        summary=f"{member.user.display_name} joined as {member.role}",
        actor=actor,
        data={"user": _person(member.user), "role": member.role},
    )


def record_member_role_changed(
    *, incident: Incident, actor: User, member: IncidentMember, old_role: str
):
    return _append(
        incident=incident,
        kind=TimelineEntry.Kind.MEMBER_ROLE_CHANGED,
        summary=f"{member.user.display_name} is now {member.role} (was {old_role})",
        actor=actor,
        data={"user": _person(member.user), "from": old_role, "to": member.role},
    )


def record_member_removed(*, incident: Incident, actor: User, user: User, role: str):
    return _append(
        incident=incident,
        kind=TimelineEntry.Kind.MEMBER_REMOVED,
        summary=f"{user.display_name} left the incident (was {role})",
        actor=actor,
        data={"user": _person(user), "role": role},
    )


PRIVILEGED_NOTE_SUMMARY = "Privileged note (Legal)"


def record_note_added(
    *, incident: Incident, actor: User, text: str, privileged: bool, occurred_at: datetime | None
) -> TimelineEntry:
    """A note; a privileged one puts only a neutral summary and a commitment on the chain.

    The privileged text and its nonce go to their own table (DESIGN.md, Hash
    chain), so every reader's copy of the chain verifies and holds no advice.
    """
    if not privileged:
        return _append(
            incident=incident,
            kind=TimelineEntry.Kind.NOTE_ADDED,
            summary=text,
            actor=actor,
            occurred_at=occurred_at,
            data={"privileged": False},
        )
    nonce = secrets.token_hex(16)
    entry = _append(
        incident=incident,
        kind=TimelineEntry.Kind.NOTE_ADDED,
        summary=PRIVILEGED_NOTE_SUMMARY,
        actor=actor,
        occurred_at=occurred_at,
        data={"privileged": True, "text_sha256": commitment(nonce, text)},
    )
    PrivilegedText.objects.create(entry=entry, text=text, nonce=nonce)
    return entry


# --- tasks ---------------------------------------------------------------------


def _task(task: Task) -> dict[str, Any]:
    return {"id": task.pk, "title": task.title, "phase": task.phase, "required": task.required}


def record_task_added(*, task: Task, actor: User) -> TimelineEntry:
    return _append(
        incident=task.incident,
        kind=TimelineEntry.Kind.TASK_ADDED,
        summary=f"Task added to {task.get_phase_display().lower()}: {task.title}",
        actor=actor,
        data={"task": _task(task), "due_at": iso_or_none(task.due_at)},
    )


def record_task_assigned(*, task: Task, actor: User, old: User | None) -> TimelineEntry:
    new = task.assignee
    summary = (
        f"Task “{task.title}” assigned to {new.display_name}"
        if new
        else f"Task “{task.title}” unassigned"
    )
    return _append(
        incident=task.incident,
        kind=TimelineEntry.Kind.TASK_ASSIGNED,
        summary=summary,
        actor=actor,
        data={"task": _task(task), "from": _person(old), "to": _person(new)},
    )


def record_task_completed(*, task: Task, actor: User | None, via: str = "") -> TimelineEntry:
    return _append(
        incident=task.incident,
        kind=TimelineEntry.Kind.TASK_COMPLETED,
        summary=f"Task done: {task.title}",
        actor=actor,
        data={"task": _task(task), "via": via},
    )


def record_task_skipped(*, task: Task, actor: User) -> TimelineEntry:
    return _append(
        incident=task.incident,
        kind=TimelineEntry.Kind.TASK_SKIPPED,
        summary=f"Task skipped: {task.title}. Reason: {task.skip_reason}",
        actor=actor,
        data={"task": _task(task), "reason": task.skip_reason},
    )


def record_task_reopened(*, task: Task, actor: User, was: str) -> TimelineEntry:
    return _append(
        incident=task.incident,
        kind=TimelineEntry.Kind.TASK_REOPENED,
        summary=f"Task reopened: {task.title}",
        actor=actor,
        data={"task": _task(task), "was": was},
    )


# --- triage actions --------------------------------------------------------------


def _engagement(engagement: Engagement) -> dict[str, Any]:
    return {
        "id": engagement.pk,
        "name": engagement.name,
        "vendor": engagement.vendor.name,
        "owner": _person(engagement.owner),
    }


def record_engagements_paused(
    *,
    incident: Incident,
    actor: User,
    engagements: list[Engagement],
    already_paused: list[Engagement],
    reason: str,
) -> TimelineEntry:
    names = ", ".join(f"{e.vendor.name}: {e.name}" for e in engagements)
    summary = f"Paused {len(engagements)} engagement(s) ({names}). Reason: {reason}"
    if already_paused:
        summary += (
            f". {len(already_paused)} of them already paused by another incident: "
            "this incident now holds them paused too"
        )
    return _append(
        incident=incident,
        kind=TimelineEntry.Kind.ENGAGEMENT_PAUSED,
        summary=summary,
        actor=actor,
        data={
            "engagements": [
                {**_engagement(e), "already_paused": e in already_paused} for e in engagements
            ],
            "reason": reason,
        },
    )


def record_resume_approved(
    *, pause: EngagementPause, actor: User, as_role: str, reason: str
) -> TimelineEntry:
    engagement = pause.engagement
    return _append(
        incident=pause.incident,
        kind=TimelineEntry.Kind.RESUME_APPROVED,
        summary=(
            f"{actor.display_name} approved resuming {engagement.vendor.name}: "
            f"{engagement.name} as {as_role}. Reason: {reason}"
        ),
        actor=actor,
        data={"engagement": _engagement(engagement), "as": as_role, "reason": reason},
    )


def record_engagement_resumed(
    *, pause: EngagementPause, actor: User, still_held: bool
) -> TimelineEntry:
    engagement = pause.engagement
    summary = (
        f"Engagement resumed: {engagement.vendor.name}: {engagement.name}, approved by "
        f"{pause.commander_approved_by.display_name} (commander) and "
        f"{pause.legal_approved_by.display_name} (legal)"
    )
    if still_held:
        summary += "; it stays paused while another incident holds it"
    return _append(
        incident=pause.incident,
        kind=TimelineEntry.Kind.ENGAGEMENT_RESUMED,
        summary=summary,
        actor=actor,
        data={
            "engagement": _engagement(engagement),
            "reason": pause.resume_reason,
            "commander": _person(pause.commander_approved_by),
            "legal": _person(pause.legal_approved_by),
            "still_held_by_another_incident": still_held,
        },
    )


def record_scope_reviewed(
    *, item: ScopeItem, actor: User, previous_status: str | None
) -> TimelineEntry:
    name = item.snapshot["name"]
    summary = f"Scope review: {name} marked {item.get_status_display().lower()}"
    if item.records_affected is not None:
        summary += f", {item.records_affected:,} records affected"
    return _append(
        incident=item.incident,
        kind=TimelineEntry.Kind.SCOPE_REVIEWED,
        summary=summary,
        actor=actor,
        data={
            "asset": item.snapshot,
            "status": item.status,
            "previous_status": previous_status,
            "records_affected": item.records_affected,
            "note": item.note,
        },
    )


def record_export_made(
    *,
    incident: Incident,
    actor: User,
    export_format: str,
    covers_seq: int,
    covers_hash: str,
    include_privileged: bool,
) -> TimelineEntry:
    """Who took a copy of the timeline, which entries it holds, whether with privileged texts."""
    summary = (
        f"Timeline exported as {export_format.upper()} by {actor.display_name} "
        f"(entries 1 to {covers_seq})"
    )
    if include_privileged:
        summary += ", with privileged texts"
    return _append(
        incident=incident,
        kind=TimelineEntry.Kind.EXPORT_MADE,
        summary=summary,
        actor=actor,
        data={
            "format": export_format,
            "covers_seq": covers_seq,
            "covers_hash": covers_hash,
            "include_privileged": include_privileged,
        },
    )


# --- legal hold and evidence -------------------------------------------------------------


def record_legal_hold_placed(*, incident: Incident, actor: User, reason: str) -> TimelineEntry:
    return _append(
        incident=incident,
        kind=TimelineEntry.Kind.LEGAL_HOLD_PLACED,
        summary=f"Legal hold placed by {actor.display_name}. Reason: {reason}",
        actor=actor,
        data={"reason": reason},
    )


def record_legal_hold_lifted(*, incident: Incident, actor: User, reason: str) -> TimelineEntry:
    return _append(
        incident=incident,
        kind=TimelineEntry.Kind.LEGAL_HOLD_LIFTED,
        summary=f"Legal hold lifted by {actor.display_name}. Reason: {reason}",
        actor=actor,
        data={"reason": reason},
    )


def _evidence(evidence: Evidence) -> dict[str, Any]:
    return {
        "id": evidence.pk,
        "name": evidence.original_name,
        "sha256": evidence.sha256,
        "size": evidence.size,
        "content_type": evidence.content_type,
        "uploaded_by": _person(evidence.uploaded_by),
        "uploaded_at": iso_utc(evidence.uploaded_at),
        # A vendor's file through a questionnaire link: no account, a name.
        **({"uploaded_by_name": evidence.uploaded_by_name} if evidence.uploaded_by_name else {}),
    }


def record_evidence_added(*, evidence: Evidence, actor: User | None) -> TimelineEntry:
    return _append(
        incident=evidence.incident,
        kind=TimelineEntry.Kind.EVIDENCE_ADDED,
        summary=(
            f"Evidence added: {evidence.original_name} ({evidence.content_type}, "
            f"{evidence.size:,} bytes, SHA-256 {evidence.sha256})"
        ),
        actor=actor,
        data={"evidence": _evidence(evidence), "description": evidence.description},
    )


def record_evidence_downloaded(*, evidence: Evidence, actor: User) -> TimelineEntry:
    return _append(
        incident=evidence.incident,
        kind=TimelineEntry.Kind.EVIDENCE_DOWNLOADED,
        summary=f"{actor.display_name} downloaded evidence {evidence.original_name}",
        actor=actor,
        data={"evidence": _evidence(evidence)},
    )


def record_evidence_deleted(*, evidence: Evidence, actor: User, reason: str) -> TimelineEntry:
    return _append(
        incident=evidence.incident,
        kind=TimelineEntry.Kind.EVIDENCE_DELETED,
        summary=f"Evidence deleted: {evidence.original_name}. Reason: {reason}",
        actor=actor,
        data={"evidence": _evidence(evidence), "reason": reason},
    )


# --- notifications -------------------------------------------------------------------


def _notice(notification: Notification) -> dict[str, Any]:
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "recipient": notification.recipient_email,
        "recipient_name": notification.recipient_name,
        "stakeholder": notification.stakeholder.name if notification.stakeholder else None,
        "subject": notification.subject,
        "message_id": notification.message_id,
        **(
            {"follows": notification.follows_id, "update": notification.update_number}
            if notification.follows_id
            else {}
        ),
    }


def record_notifications_drafted(
    *, incident: Incident, actor: User, notifications: list[Notification]
) -> TimelineEntry:
    recipients = ", ".join(n.recipient_email for n in notifications)
    return _append(
        incident=incident,
        kind=TimelineEntry.Kind.NOTIFICATION_DRAFTED,
        summary=f"Drafted {len(notifications)} notice(s) to {recipients}",
        actor=actor,
        data={"notifications": [_notice(n) for n in notifications]},
    )


def record_follow_ups_drafted(
    *, incident: Incident, actor: User, notifications: list[Notification]
) -> TimelineEntry:
    """Follow-up notices: the summary says which update each is and to whom."""
    updates = ", ".join(f"Update {n.update_number} to {n.recipient_email}" for n in notifications)
    return _append(
        incident=incident,
        kind=TimelineEntry.Kind.NOTIFICATION_DRAFTED,
        summary=f"Drafted {len(notifications)} follow-up notice(s): {updates}",
        actor=actor,
        data={"notifications": [_notice(n) for n in notifications]},
    )


def record_notification_approved(*, notification: Notification, actor: User) -> TimelineEntry:
    return _append(
        incident=notification.incident,
        kind=TimelineEntry.Kind.NOTIFICATION_APPROVED,
        summary=f"Notice to {notification.recipient_email} approved by {actor.display_name}",
        actor=actor,
        data={"notification": _notice(notification)},
    )


def record_notifications_queued(
    *, incident: Incident, actor: User | None, notifications: list[Notification]
) -> TimelineEntry:
    recipients = ", ".join(n.recipient_email for n in notifications)
    return _append(
        incident=incident,
        kind=TimelineEntry.Kind.NOTIFICATION_QUEUED,
        summary=f"Queued {len(notifications)} message(s) for sending to {recipients}",
        actor=actor,
        data={"notifications": [_notice(n) for n in notifications]},
    )


def record_notification_sent(*, notification: Notification) -> TimelineEntry:
    return _append(
        incident=notification.incident,
        kind=TimelineEntry.Kind.NOTIFICATION_SENT,
        summary=f"Sent “{notification.subject}” to {notification.recipient_email}",
        actor=None,
        data={
            "notification": _notice(notification),
            "attempts": notification.attempts,
            "sent_at": iso_or_none(notification.sent_at),
            # Commits the record to the exact words that were sent.
            "body_text_sha256": hashlib.sha256(notification.body_text.encode()).hexdigest(),
        },
    )


def record_notification_failed(*, notification: Notification) -> TimelineEntry:
    return _append(
        incident=notification.incident,
        kind=TimelineEntry.Kind.NOTIFICATION_FAILED,
        summary=(
            f"Could not send to {notification.recipient_email}"
            + (f" after {notification.attempts} attempt(s)" if notification.attempts else "")
            + f": {notification.last_error}"
        ),
        actor=None,
        data={
            "notification": _notice(notification),
            "attempts": notification.attempts,
            "error": notification.last_error,
        },
    )


def record_notification_acknowledged(*, notification: Notification) -> TimelineEntry:
    return _append(
        incident=notification.incident,
        kind=TimelineEntry.Kind.NOTIFICATION_ACKNOWLEDGED,
        summary=f"{notification.recipient_email} acknowledged “{notification.subject}”",
        actor=None,
        data={
            "notification": _notice(notification),
            "acknowledged_at": iso_or_none(notification.acknowledged_at),
        },
    )


# --- vendor questionnaires -------------------------------------------------------------


def _questionnaire(questionnaire: Questionnaire) -> dict[str, Any]:
    return {
        "id": questionnaire.pk,
        "title": questionnaire.title,
        "round": questionnaire.round,
        "vendor": {"id": questionnaire.vendor_id, "name": questionnaire.vendor.name},
        "questions": questionnaire.questions.count(),
    }


def _named(questionnaire: Questionnaire) -> str:
    return (
        f"questionnaire “{questionnaire.title}” (round {questionnaire.round}) "
        f"to {questionnaire.vendor.name}"
    )


def record_questionnaire_drafted(*, questionnaire: Questionnaire, actor: User) -> TimelineEntry:
    return _append(
        incident=questionnaire.incident,
        kind=TimelineEntry.Kind.QUESTIONNAIRE_DRAFTED,
        summary=f"Drafted {_named(questionnaire)}",
        actor=actor,
        data={
            "questionnaire": _questionnaire(questionnaire),
            "questions": list(questionnaire.questions.values_list("text", flat=True)),
            "follows": questionnaire.follows_id,
        },
    )


def record_questionnaire_approved(*, questionnaire: Questionnaire, actor: User) -> TimelineEntry:
    return _append(
        incident=questionnaire.incident,
        kind=TimelineEntry.Kind.QUESTIONNAIRE_APPROVED,
        summary=f"{actor.display_name} approved {_named(questionnaire)}",
        actor=actor,
        data={"questionnaire": _questionnaire(questionnaire)},
    )


def record_questionnaire_sent(
    *, questionnaire: Questionnaire, actor: User, notifications: list[Notification]
) -> TimelineEntry:
    recipients = ", ".join(n.recipient_email for n in notifications)
    return _append(
        incident=questionnaire.incident,
        kind=TimelineEntry.Kind.QUESTIONNAIRE_SENT,
        summary=f"Queued {_named(questionnaire)} for sending to {recipients}",
        actor=actor,
        data={
            "questionnaire": _questionnaire(questionnaire),
            "notifications": [_notice(n) for n in notifications],
        },
    )


def record_questionnaire_answered(
    *,
    questionnaire: Questionnaire,
    version: int,
    answers_sha256: str,
    files: list[dict[str, Any]],
    respondent_name: str,
    respondent_email: str,
) -> TimelineEntry:
    """The vendor's answers, committed to by their hash; the answers sit beside it in their table.

    ``answers_sha256`` is ``sha256_hex(nonce + canonical JSON of the answers)``
    (DESIGN.md's form for privileged notes); files are named by their SHA-256.
    """
    return _append(
        incident=questionnaire.incident,
        kind=TimelineEntry.Kind.QUESTIONNAIRE_ANSWERED,
        summary=(
            f"{respondent_name} <{respondent_email}> submitted answers (version {version}) "
            f"to {_named(questionnaire)}"
        ),
        actor=None,
        data={
            "questionnaire": _questionnaire(questionnaire),
            "version": version,
            "answers_sha256": answers_sha256,
            "files": files,
            "respondent": {"name": respondent_name, "email": respondent_email},
        },
    )


def record_questionnaire_chased(
    *,
    questionnaire: Questionnaire,
    number: int,
    escalated: bool,
    notifications: list[Notification],
    commander_told: bool,
) -> TimelineEntry:
    recipients = ", ".join(n.recipient_email for n in notifications) or "nobody with an email"
    summary = f"Chaser {number} for {_named(questionnaire)} queued to {recipients}"
    if escalated:
        summary += "; escalated to the vendor's other contacts"
    if commander_told:
        summary += "; the commander is told it is still unanswered"
    return _append(
        incident=questionnaire.incident,
        kind=TimelineEntry.Kind.QUESTIONNAIRE_CHASED,
        summary=summary,
        actor=None,
        data={
            "questionnaire": _questionnaire(questionnaire),
            "number": number,
            "escalated": escalated,
            "commander_told": commander_told,
            "notifications": [_notice(n) for n in notifications],
        },
    )


def record_questionnaire_withdrawn(
    *, questionnaire: Questionnaire, actor: User, reason: str
) -> TimelineEntry:
    return _append(
        incident=questionnaire.incident,
        kind=TimelineEntry.Kind.QUESTIONNAIRE_WITHDRAWN,
        summary=f"Withdrew {_named(questionnaire)}. Reason: {reason}",
        actor=actor,
        data={"questionnaire": _questionnaire(questionnaire), "reason": reason},
    )


def record_vendor_aware_accepted(
    *,
    incident: Incident,
    actor: User,
    previous: datetime | None,
    questionnaire: Questionnaire,
    version: int,
) -> TimelineEntry:
    return _append(
        incident=incident,
        kind=TimelineEntry.Kind.VENDOR_AWARE_ACCEPTED,
        summary=(
            f"Accepted the vendor's answer as when it became aware: "
            f"{plain_utc(incident.vendor_aware_at)} "
            f"(was {plain_utc(previous) if previous else 'not set'}), from "
            f"{_named(questionnaire)}, version {version}"
        ),
        actor=actor,
        data={
            "vendor_aware_at": iso_or_none(incident.vendor_aware_at),
            "previous": iso_or_none(previous),
            "questionnaire": _questionnaire(questionnaire),
            "version": version,
        },
    )


# --- deadlines ------------------------------------------------------------------------


def _deadline(deadline: Deadline) -> dict[str, Any]:
    return {
        "rule": deadline.rule_id,
        "regime": deadline.regime,
        "recipient": deadline.recipient,
        "citation": deadline.citation,
        "standard": deadline.standard,
        "due_at": iso_or_none(deadline.due_at),
        "due_date": deadline.due_date.isoformat() if deadline.due_date else None,
        "time_zone": deadline.time_zone,
        "confidence": deadline.confidence,
        "flags": list(deadline.flags),
        "calendar": deadline.calendar,
    }


def plain_utc(moment: datetime | None) -> str:
    """A time as a person reads it in a summary, "2 Dec 2026 03:21 UTC"; exact values go in data.

    Summaries are written once for every reader, so they name UTC; pages show
    the reader's own zone from ``data`` (``selectors.readable``).
    """
    if moment is None:
        return "not yet due"
    moment = moment.astimezone(UTC)
    return f"{moment.day} {moment:%b %Y %H:%M} UTC"


def _due_words(deadline: Deadline) -> str:
    if deadline.due_at is None:
        return deadline.standard
    return f"due {plain_utc(deadline.due_at)}"


def record_decisions(*, incident: Incident, actor: User, changes: dict[str, Any]) -> TimelineEntry:
    words = "; ".join(f"{name.replace('_', ' ')}: {value}" for name, value in changes.items())
    return _append(
        incident=incident,
        kind=TimelineEntry.Kind.DECISIONS_RECORDED,
        summary=f"Decisions recorded: {words}",
        actor=actor,
        data={"changes": changes},
    )


def record_deadline_set(*, deadline: Deadline, actor: User | None) -> TimelineEntry:
    return _append(
        incident=deadline.incident,
        kind=TimelineEntry.Kind.DEADLINE_SET,
        summary=(
            f"New obligation: {deadline.citation} to {deadline.recipient}, {_due_words(deadline)}"
        ),
        actor=actor,
        data={"deadline": _deadline(deadline)},
    )


def record_deadline_moved(
    *,
    deadline: Deadline,
    actor: User | None,
    previous_due_at: datetime | None,
    reminded_before: bool = False,
) -> TimelineEntry:
    summary = (
        f"{deadline.citation} to {deadline.recipient} moved from "
        f"{plain_utc(previous_due_at)} to {plain_utc(deadline.due_at)}"
    )
    if reminded_before and deadline.due_at is not None:
        summary += "; reminders were sent for the old due time and start again for the new one"
    return _append(
        incident=deadline.incident,
        kind=TimelineEntry.Kind.DEADLINE_MOVED,
        summary=summary,
        actor=actor,
        data={
            "deadline": _deadline(deadline),
            "previous_due_at": iso_or_none(previous_due_at),
            "reminders_restart": reminded_before and deadline.due_at is not None,
        },
    )


def record_deadline_dropped(*, deadline: Deadline, actor: User | None) -> TimelineEntry:
    return _append(
        incident=deadline.incident,
        kind=TimelineEntry.Kind.DEADLINE_DROPPED,
        summary=(
            f"No longer applies on the current facts: {deadline.citation} to {deadline.recipient}"
        ),
        actor=actor,
        data={"deadline": _deadline(deadline)},
    )


def record_deadline_met(*, deadline: Deadline, actor: User | None) -> TimelineEntry:
    how = (
        f"by notice #{deadline.met_by_notification_id}"
        if deadline.met_by_notification_id
        else f"reference {deadline.met_reference}"
    )
    late = deadline.due_at is not None and deadline.met_at > deadline.due_at
    return _append(
        incident=deadline.incident,
        kind=TimelineEntry.Kind.DEADLINE_MET,
        summary=(
            f"{'Met late' if late else 'Met'}: {deadline.citation} to {deadline.recipient} "
            f"at {plain_utc(deadline.met_at)}, {how}"
        ),
        actor=actor,
        data={
            "deadline": _deadline(deadline),
            "met_at": iso_or_none(deadline.met_at),
            "reference": deadline.met_reference,
            "notification": deadline.met_by_notification_id,
            "late": late,
        },
    )


def record_deadline_waived(*, deadline: Deadline, actor: User) -> TimelineEntry:
    return _append(
        incident=deadline.incident,
        kind=TimelineEntry.Kind.DEADLINE_WAIVED,
        summary=(
            f"Decided not required: {deadline.citation} to {deadline.recipient}. "
            f"Rationale: {deadline.decision_reason}"
        ),
        actor=actor,
        data={"deadline": _deadline(deadline), "rationale": deadline.decision_reason},
    )


def record_deadline_missed(*, deadline: Deadline) -> TimelineEntry:
    return _append(
        incident=deadline.incident,
        kind=TimelineEntry.Kind.DEADLINE_MISSED,
        summary=f"Overdue: {deadline.citation} to {deadline.recipient} was {_due_words(deadline)}",
        actor=None,
        data={"deadline": _deadline(deadline)},
    )


def record_reminder_sent(
    *,
    incident: Incident,
    about: str,
    offset: str,
    notifications: list[Notification],
    deadline: Deadline | None = None,
) -> TimelineEntry:
    """A reminder or escalation queued; ``deadline`` when it is about one (not a task)."""
    recipients = ", ".join(n.recipient_email for n in notifications) or "nobody with an email"
    data: dict[str, Any] = {
        "about": about,
        "offset": offset,
        "notifications": [_notice(n) for n in notifications],
    }
    if deadline is not None:
        data["deadline"] = _deadline(deadline)
    return _append(
        incident=incident,
        kind=TimelineEntry.Kind.REMINDER_SENT,
        summary=f"Reminder ({offset}) about {about} queued to {recipients}",
        actor=None,
        data=data,
    )


# --- checking and exporting the chain --------------------------------------------------------

# Verification streams entries rather than loading a long timeline at once.
VERIFY_CHUNK_SIZE = 2_000


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    entries_checked: int
    broken_seq: int | None = None
    problem: str = ""


def verify_chain(incident: Incident) -> ChainCheck:
    """Recompute every hash from the stored rows and report the first break."""
    expected_prev = GENESIS_HASH
    checked = 0
    entries = TimelineEntry.objects.filter(incident=incident).order_by("seq")
    for entry in entries.iterator(chunk_size=VERIFY_CHUNK_SIZE):
        checked += 1
        if entry.seq != checked:
            return ChainCheck(
                False, checked - 1, checked, f"entry {checked} is missing (found {entry.seq})"
            )
        if entry.prev_hash != expected_prev:
            return ChainCheck(
                False, checked - 1, entry.seq, "its prev_hash is not the previous entry's hash"
            )
        recomputed = chain_hash(entry.prev_hash, entry_body(entry, incident.reference))
        if recomputed != entry.hash:
            return ChainCheck(
                False, checked - 1, entry.seq, "its content does not match its hash (altered)"
            )
        expected_prev = entry.hash
    return ChainCheck(True, checked)


def timeline_export_entries(incident: Incident, *, up_to_seq: int) -> Iterator[dict[str, Any]]:
    """The DESIGN.md export format: ``body``, ``prev_hash`` and ``hash`` in seq order."""
    entries = TimelineEntry.objects.filter(incident=incident, seq__lte=up_to_seq).order_by("seq")
    for entry in entries.iterator(chunk_size=VERIFY_CHUNK_SIZE):
        yield {
            "body": entry_body(entry, incident.reference),
            "prev_hash": entry.prev_hash,
            "hash": entry.hash,
        }


def timeline_privileged_texts(incident: Incident, *, up_to_seq: int) -> dict[str, dict[str, str]]:
    """``{seq: {"text", "nonce"}}`` of the privileged notes up to ``up_to_seq``, for Legal's export.

    With these anyone can check each entry's ``text_sha256`` commitment.
    Callers must have checked the Legal ability; this reads whatever it is asked.
    """
    rows = PrivilegedText.objects.filter(
        entry__incident=incident, entry__seq__lte=up_to_seq
    ).values_list("entry__seq", "text", "nonce")
    return {str(seq): {"text": text, "nonce": nonce} for seq, text, nonce in rows}
