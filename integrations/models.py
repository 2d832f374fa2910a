"""Webhook and chat endpoints, and the outbox of their deliveries.

An administrator registers an endpoint; every event it subscribes to becomes
one ``WebhookDelivery`` row, written in the transaction of the change that
caused it (``integrations.events``), so that no event is lost and none is
sent for a change that rolled back. The row is the truth about the delivery
(``integrations.delivery``).
"""

import secrets
import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    INCIDENT_OPENED = "incident.opened", _("Incident opened")
    PHASE_CHANGED = "incident.phase_changed", _("Phase changed")
    DEADLINE_SET = "deadline.set", _("Deadline set")
    DEADLINE_MOVED = "deadline.moved", _("Deadline moved")
    DEADLINE_DUE_SOON = "deadline.due_soon", _("Deadline due soon")
    DEADLINE_MISSED = "deadline.missed", _("Deadline missed")
    DEADLINE_MET = "deadline.met", _("Deadline met")
    NOTICE_SENT = "notice.sent", _("Notice sent")
    NOTICE_ACKNOWLEDGED = "notice.acknowledged", _("Notice acknowledged")
    EVIDENCE_ADDED = "evidence.added", _("Evidence added")


class EndpointFormat(models.TextChoices):
    WEBHOOK = "webhook", _("Webhook (signed JSON event)")
    SLACK = "slack", _("Slack incoming webhook")
    TEAMS = "teams", _("Microsoft Teams incoming webhook")


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def all_event_kinds() -> list[str]:
    return list(EventKind.values)


class WebhookEndpointQuerySet(models.QuerySet):
    def listening_to(self, incident) -> "WebhookEndpointQuerySet":
        """Active endpoints that may hear of ``incident`` (a pk or an ``OuterRef``):
        the global ones and its own. Restriction is checked by the caller."""
        return self.filter(active=True).filter(
            models.Q(incident__isnull=True) | models.Q(incident=incident)
        )


class WebhookEndpoint(models.Model):
    """Where events go: a receiver of signed JSON, or a Slack or Teams channel.

    Without ``incident`` the endpoint is global and hears about every incident
    that is not restricted; with one, only about that incident (restricted or
    not: its commander's channel). Registered in the admin by administrators.
    """

    Format = EndpointFormat

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(
        _("URL"),
        max_length=500,
        help_text=_("http or https only; addresses inside the network are refused."),
    )
    format = models.CharField(_("format"), max_length=16, choices=Format, default=Format.WEBHOOK)
    secret = models.CharField(
        _("signing secret"),
        max_length=128,
        default=new_secret,
        help_text=_(
            "Signs every request (X-BreachDesk-Signature); give the same secret to the receiver."
        ),
    )
    event_kinds = models.JSONField(_("events"), default=all_event_kinds)
    incident = models.ForeignKey(
        "incidents.Incident",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="webhook_endpoints",
        verbose_name=_("incident"),
        help_text=_("Leave empty for every incident that is not restricted."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = WebhookEndpointQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("webhook or chat endpoint")

    def __str__(self) -> str:
        return self.name

    @property
    def is_global(self) -> bool:
        return self.incident_id is None


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class WebhookDelivery(models.Model):
    """One event for one endpoint: the outbox row, and the delivery log the admin shows.

    ``payload`` is the event as it was when it happened; each attempt renders
    it for the endpoint's format and signs it afresh. ``event_id`` is the same
    for every endpoint the event went to, so a receiver drops duplicates by it.
    """

    Status = DeliveryStatus

    # The log outlives nothing it points to: an endpoint with deliveries is
    # switched off rather than deleted, and timeline entries are append-only.
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.PROTECT, related_name="deliveries"
    )
    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, related_name="webhook_deliveries"
    )
    entry = models.ForeignKey("incidents.TimelineEntry", on_delete=models.PROTECT, related_name="+")
    event_id = models.UUIDField(_("event id"), default=uuid.uuid4)
    event_kind = models.CharField(_("event"), max_length=32, choices=EventKind)
    payload = models.JSONField()
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next try"), null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last response"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event_id"], name="webhook_delivery_once_per_endpoint"
            ),
        ]
        indexes = [
            # The outbox sweep: rows waiting for a try, soonest first.
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_delivery_due",
                condition=models.Q(status="pending"),
            ),
            # The sweep's check for tries a dead worker left half-done.
            models.Index(
                fields=["claimed_at"],
                name="webhook_delivery_sending",
                condition=models.Q(status="sending"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_kind} → {self.endpoint_id} ({self.status})"
