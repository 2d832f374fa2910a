"""Triage actions that do real work: pause engagements, resume them, review scope."""

from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone

from breachdesk.models import User
from incidents import timeline
from incidents.exceptions import NothingChanged
from incidents.models import EngagementPause, Incident, Notification, ScopeItem, Task
from incidents.permissions import abilities_for
from incidents.selectors import held_assets
from incidents.services.common import Need, lock_incident
from incidents.services.deadlines import deadlines_refresh
from incidents.services.notifications import notification_queue_internal
from incidents.services.playbook_tasks import playbook_tasks_complete_for_action
from incidents.services.reminders import reminder_recipients
from vendors.models import MAX_RECORDS, DataAsset, Engagement, Vendor

MAX_REASON_LENGTH = 5_000

NOT_WORKING = "Only members working this incident can take triage actions."
PAUSE_NEEDS_REASON = "Say why the engagements are being paused; it goes on the timeline."
REASON_TOO_LONG = "Keep the reason under {limit:,} characters."
NOTHING_TO_PAUSE = (
    "There is no engagement with {vendors} left to pause: none is active, and this incident "
    "already holds every paused one."
)
PAUSE_ALREADY_ENDED = "This engagement has already been resumed."
RESUME_NEEDS_REASON = "Say why it is safe to resume the engagement."
NOT_AN_APPROVER = (
    "Resuming needs the approval of the incident commander and of Legal; you are neither."
)
SAME_PERSON = "The second approval must come from someone else: two different people approve."
ALREADY_APPROVED = "You have already approved resuming this engagement."
ASSET_NOT_HELD = "The vendor of this incident does not hold that data asset."
RECORDS_NEGATIVE = "Records affected cannot be negative."
RECORDS_ABSURD = "That is more records than is plausible; check the number."
SCOPE_NEEDS_STATUS = (
    "Choose the exposure: confirmed, suspected, not exposed or unknown. "
    "Nothing is recorded until you do."
)


def _clean_reason(reason: str, empty_message: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [empty_message]})
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationError({"reason": [REASON_TOO_LONG.format(limit=MAX_REASON_LENGTH)]})
    return reason


@transaction.atomic(durable=True)
def engagements_pause(*, incident: Incident, actor: User, reason: str) -> list[EngagementPause]:
    """Pause every engagement with the incident's vendors that this incident does not yet hold.

    An engagement another incident already paused gets this incident's own
    pause as well: it stays paused until every incident holding it has
    approved resuming. Raises NothingChanged, saying so, when there is nothing
    left to pause (none active, or all already paused by this incident).
    """
    incident = lock_incident(incident, actor=actor, need=Need.WORK, refused=NOT_WORKING)
    reason = _clean_reason(reason, PAUSE_NEEDS_REASON)
    vendors = list(incident.vendors.all())
    engagements = _engagements_to_pause(incident, vendors)
    if not engagements:
        raise NothingChanged(
            NOTHING_TO_PAUSE.format(vendors=", ".join(vendor.name for vendor in vendors))
        )
    pauses = _pause(incident, actor, vendors, engagements, reason)
    playbook_tasks_complete_for_action(
        incident=incident, action=Task.Action.PAUSE_ENGAGEMENTS, actor=actor
    )
    return pauses


def _engagements_to_pause(incident: Incident, vendors: list[Vendor]) -> list[Engagement]:
    """The vendors' active or paused engagements this incident does not hold yet, locked."""
    held_here = EngagementPause.objects.filter(incident=incident, resumed_at__isnull=True)
    return list(
        Engagement.objects.select_for_update(of=("self",))
        .filter(
            vendor__in=vendors,
            status__in=[Engagement.Status.ACTIVE, Engagement.Status.PAUSED],
        )
        .exclude(pk__in=held_here.values("engagement"))
        .select_related("vendor", "owner")
        .order_by("vendor__name", "name")
    )


def _pause(
    incident: Incident,
    actor: User,
    vendors: list[Vendor],
    engagements: list[Engagement],
    reason: str,
) -> list[EngagementPause]:
    """Hold each engagement paused for this incident, pausing the active ones (caller's lock)."""
    now = timezone.now()
    pauses, newly_paused = [], []
    for engagement in engagements:
        if engagement.status == Engagement.Status.ACTIVE:
            engagement.status = Engagement.Status.PAUSED
            engagement.save(update_fields=["status", "updated_at"])
            newly_paused.append(engagement)
        pauses.append(
            EngagementPause.objects.create(
                engagement=engagement,
                incident=incident,
                reason=reason,
                paused_at=now,
                paused_by=actor,
            )
        )
    Vendor.objects.filter(
        pk__in=[vendor.pk for vendor in vendors], status=Vendor.Status.ACTIVE
    ).update(status=Vendor.Status.PAUSED, updated_at=now)
    timeline.record_engagements_paused(
        incident=incident,
        actor=actor,
        engagements=engagements,
        already_paused=[e for e in engagements if e not in newly_paused],
        reason=reason,
    )
    # Owners of an engagement that was already paused were told when it stopped.
    _tell_engagement_owners(incident, newly_paused, reason, actor)
    return pauses


ALREADY_PAUSED_AT_OPENING = (
    "Already paused by {references} when this incident was opened; this incident holds "
    "the pause too, so resuming needs its approval as well."
)
ALREADY_PAUSED_NOTE = "Already paused when this incident was opened: see {vendor}"


def engagements_hold_existing_pauses(*, incident: Incident, actor: User) -> list[EngagementPause]:
    """At opening: when every engagement with the vendors is already paused, hold them too.

    In the caller's transaction, with the incident locked (``incident_open``).
    A vendor another incident has already stopped needs no second pause, only
    this incident's hold on it (so the other incident cannot resume it alone)
    and its "Pause engagements" task done, with a link to the vendor. Any
    active engagement leaves the task open for a person to press the button.
    """
    vendors = list(incident.vendors.order_by("name"))
    engagements = _engagements_to_pause(incident, vendors)
    if not engagements or any(e.status == Engagement.Status.ACTIVE for e in engagements):
        return []
    references = sorted(
        set(
            EngagementPause.objects.filter(engagement__in=engagements, resumed_at__isnull=True)
            .exclude(incident=incident)
            .values_list("incident__reference", flat=True)
        )
    )
    reason = ALREADY_PAUSED_AT_OPENING.format(
        references=", ".join(references) or "the vendor's status"
    )
    pauses = _pause(incident, actor, vendors, engagements, reason)
    vendor = engagements[0].vendor
    playbook_tasks_complete_for_action(
        incident=incident,
        action=Task.Action.PAUSE_ENGAGEMENTS,
        actor=actor,
        note=ALREADY_PAUSED_NOTE.format(vendor=vendor.name),
        link=vendor.get_absolute_url(),
    )
    return pauses


def _tell_engagement_owners(incident, engagements, reason, actor) -> None:
    """Each owner hears their engagement is paused; a deactivated owner's news goes on."""
    notices = [
        notice
        for engagement in engagements
        if engagement.owner
        for recipient in reminder_recipients(incident, [engagement.owner])
        if (
            notice := notification_queue_internal(
                incident,
                kind=Notification.Kind.ENGAGEMENT_PAUSED,
                recipient=recipient,
                actor=actor,
                engagement=engagement,
                reason=reason,
            )
        )
    ]
    if notices:
        timeline.record_notifications_queued(incident=incident, actor=actor, notifications=notices)


@transaction.atomic(durable=True)
def pause_approve_resume(
    *, pause: EngagementPause, actor: User, reason: str = ""
) -> EngagementPause:
    """Record one of the two approvals that resuming needs; the second resumes it.

    The two are the incident commander and Legal, two different people; each
    is checked on the locked pause (PermissionDenied for anyone else).
    """
    incident = lock_incident(pause.incident, actor=actor, need=None, open_only=False)
    pause = (
        EngagementPause.objects.select_for_update(of=("self",))
        .select_related("engagement__vendor", "engagement__owner")
        .get(pk=pause.pk)
    )
    pause.incident = incident
    if not pause.is_open:
        raise ValidationError(PAUSE_ALREADY_ENDED)
    if actor.pk in (pause.commander_approved_by_id, pause.legal_approved_by_id):
        raise ValidationError(ALREADY_APPROVED)
    abilities = abilities_for(actor, incident)
    is_commander = abilities.commands and incident.commander_id == actor.pk
    now = timezone.now()
    if is_commander and pause.commander_approved_by_id is None:
        as_role = "commander"
    elif abilities.approves_as_legal and pause.legal_approved_by_id is None:
        as_role = "legal"
    elif is_commander or abilities.approves_as_legal:
        raise ValidationError(SAME_PERSON)
    else:
        raise PermissionDenied(NOT_AN_APPROVER)

    if pause.resume_reason:
        reason = reason.strip()[:MAX_REASON_LENGTH]
    else:
        reason = _clean_reason(reason, RESUME_NEEDS_REASON)
        pause.resume_reason = reason
    if as_role == "commander":
        pause.commander_approved_by, pause.commander_approved_at = actor, now
    else:
        pause.legal_approved_by, pause.legal_approved_at = actor, now
    timeline.record_resume_approved(pause=pause, actor=actor, as_role=as_role, reason=reason)

    if pause.commander_approved_by_id and pause.legal_approved_by_id:
        pause.resumed_at = now
        pause.save()
        still_held = _resume_engagement(pause.engagement)
        timeline.record_engagement_resumed(pause=pause, actor=actor, still_held=still_held)
    else:
        pause.save()
    return pause


def _resume_engagement(engagement: Engagement) -> bool:
    """Active again once no incident holds it paused; the vendor once none of its engagements is.

    Returns True when another incident still holds the engagement paused.
    """
    # Locked, so that two incidents resuming (or one pausing) at once queue here.
    engagement = (
        Engagement.objects.select_for_update().select_related("vendor").get(pk=engagement.pk)
    )
    open_pauses = EngagementPause.objects.filter(resumed_at__isnull=True)
    still_held = open_pauses.filter(engagement=engagement).exists()
    if engagement.status == Engagement.Status.PAUSED and not still_held:
        engagement.status = Engagement.Status.ACTIVE
        engagement.save(update_fields=["status", "updated_at"])
    vendor = engagement.vendor
    if (
        vendor.status == Vendor.Status.PAUSED
        and not open_pauses.filter(engagement__vendor=vendor).exists()
    ):
        vendor.status = Vendor.Status.ACTIVE
        vendor.save(update_fields=["status", "updated_at"])
    return still_held


def asset_snapshot(asset: DataAsset, vendors: list[Vendor]) -> dict:
    """The asset's facts as they stand now, frozen into the incident's record."""
    held_through = [
        {"vendor": engagement.vendor.name, "engagement": engagement.name}
        for engagement in asset.engagements.filter(vendor__in=vendors)
        .select_related("vendor")
        .order_by("vendor__name", "name")
    ]
    return {
        "id": asset.pk,
        "name": asset.name,
        "kind": asset.kind,
        "classification": asset.classification,
        "approx_records": asset.approx_records,
        "data_categories": asset.data_categories,
        "subject_jurisdictions": list(asset.subject_jurisdictions),
        "stakeholders": [
            {
                "id": stakeholder.pk,
                "name": stakeholder.name,
                "kind": stakeholder.kind,
                "notify_within_hours": stakeholder.notify_within_hours,
            }
            for stakeholder in asset.stakeholders.order_by("name")
        ],
        "held_through": held_through,
    }


@dataclass(frozen=True)
class ScopeMark:
    """One asset's review as a responder gave it."""

    data_asset: DataAsset
    status: str
    records_affected: int | None = None
    note: str = ""


@transaction.atomic(durable=True)
def scope_review_mark(
    *,
    incident: Incident,
    actor: User,
    data_asset: DataAsset,
    status: str,
    records_affected: int | None = None,
    note: str = "",
) -> ScopeItem:
    incident = _locked_for_review(incident, actor)
    held = _held_asset_ids(incident)
    mark = ScopeMark(data_asset, status, records_affected, note)
    errors = _scope_mark_errors(mark, held)
    if errors:
        raise ValidationError(errors)
    item = _record_scope_mark(incident, actor, mark)
    _after_scope_review(incident, actor, held)
    return item


@transaction.atomic(durable=True)
def scope_review_mark_many(
    *, incident: Incident, actor: User, marks: list[ScopeMark]
) -> list[ScopeItem]:
    """Record several assets' reviews at once: all of them, or none.

    Every mark is checked before anything is written. A refusal is a
    ValidationError keyed by the asset's id (as a string), each listing what
    is wrong with that asset's mark. Each asset gets its own timeline entry;
    deadlines are recomputed once, for the whole review.
    """
    incident = _locked_for_review(incident, actor)
    held = _held_asset_ids(incident)
    errors = {}
    for mark in marks:
        mark_errors = _scope_mark_errors(mark, held)
        if mark_errors:
            errors[str(mark.data_asset.pk)] = [m for ms in mark_errors.values() for m in ms]
    if errors:
        raise ValidationError(errors)
    items = [_record_scope_mark(incident, actor, mark) for mark in marks]
    if items:
        _after_scope_review(incident, actor, held)
    return items


def _locked_for_review(incident: Incident, actor: User) -> Incident:
    """Locked, with its vendors read once for the snapshots and the clocks."""
    incident = lock_incident(incident, actor=actor, need=Need.WORK, refused=NOT_WORKING)
    prefetch_related_objects([incident], "vendors")
    return incident


def _held_asset_ids(incident: Incident) -> set[int]:
    return set(held_assets(incident).values_list("pk", flat=True))


def _scope_mark_errors(mark: ScopeMark, held: set[int]) -> dict[str, list[str]]:
    if mark.data_asset.pk not in held:
        return {NON_FIELD_ERRORS: [ASSET_NOT_HELD]}
    errors: dict[str, list[str]] = {}
    if mark.status not in ScopeItem.Status.values:
        errors["status"] = [SCOPE_NEEDS_STATUS]
    if mark.records_affected is not None and mark.records_affected < 0:
        errors["records_affected"] = [RECORDS_NEGATIVE]
    elif mark.records_affected is not None and mark.records_affected > MAX_RECORDS:
        errors["records_affected"] = [RECORDS_ABSURD]
    return errors


def _record_scope_mark(incident: Incident, actor: User, mark: ScopeMark) -> ScopeItem:
    item = (
        ScopeItem.objects.select_for_update()
        .filter(incident=incident, data_asset=mark.data_asset)
        .first()
    )
    previous_status = item.status if item else None
    item = item or ScopeItem(incident=incident, data_asset=mark.data_asset)
    item.incident = incident
    item.status = mark.status
    item.records_affected = mark.records_affected
    item.note = mark.note.strip()
    item.snapshot = asset_snapshot(mark.data_asset, list(incident.vendors.all()))
    item.reviewed_by = actor
    item.reviewed_at = timezone.now()
    # The relations and the one-row-per-asset rule come from us (the asset was
    # checked as held, the row looked up locked); the database stands behind
    # them. The fields a person gave are checked.
    item.full_clean(
        exclude=["incident", "data_asset", "reviewed_by"],
        validate_unique=False,
        validate_constraints=False,
    )
    item.save()
    timeline.record_scope_reviewed(item=item, actor=actor, previous_status=previous_status)
    return item


def _after_scope_review(incident: Incident, actor: User, held: set[int]) -> None:
    """What the exposure found so far sets in motion: deadlines, and the review task.

    The reviews are read once, for the clocks and for whether every held
    asset is now decided (reviewed, and not "unknown").
    """
    prefetch_related_objects([incident], "scope_items")
    deadlines_refresh(incident=incident, actor=actor)
    decided = {
        item.data_asset_id
        for item in incident.scope_items.all()
        if item.status != ScopeItem.Status.UNKNOWN
    }
    if held <= decided:
        playbook_tasks_complete_for_action(
            incident=incident, action=Task.Action.SCOPE_REVIEW, actor=actor
        )
