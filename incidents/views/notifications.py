"""Notices on the incident page, and the page a partner acknowledges one on."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from breachdesk.types import HtmxHttpRequest
from incidents import selectors, services
from incidents.exceptions import NothingChanged
from incidents.forms import NotificationDraftForm, PublicSummaryForm
from incidents.models import Notification
from incidents.services.notice_composition import ack_lookup
from incidents.services.notifications import approvers_in_words, may_approve_now
from incidents.views.responses import attach, call_action, errors_of

NO_CONTACT = _(
    "No notice for %(names)s: add a contact on their stakeholder page, then draft again."
)
NOT_EDITABLE = _("Only the incident commander edits notices, and only drafts.")
NOT_EDITABLE_SUMMARY = _("Only the incident commander writes the public summary.")


def _notification(ws, notification_id: int) -> Notification:
    return get_object_or_404(
        ws.incident.notifications.select_related("stakeholder", "approved_by", "follows"),
        pk=notification_id,
    )


@require_POST
def notifications_draft_partner_notices(request: HtmxHttpRequest, reference: str) -> HttpResponse:
    ws = selectors.workspace_for(user=request.user, reference=reference)

    def run():
        without_contact = services.notifications_draft_partner_notices(
            incident=ws.incident, actor=request.user
        )[1]
        if without_contact:
            names = ", ".join(stakeholder.name for stakeholder in without_contact)
            raise ValidationError(NO_CONTACT % {"names": names})

    return call_action(request, ws, panel="notifications", changed=("timeline-latest",), run=run)


@require_POST
def notifications_draft_follow_ups(request: HtmxHttpRequest, reference: str) -> HttpResponse:
    ws = selectors.workspace_for(user=request.user, reference=reference)
    return call_action(
        request,
        ws,
        panel="notifications",
        changed=("timeline-latest",),
        run=lambda: services.notifications_draft_follow_ups(
            incident=ws.incident, actor=request.user
        ),
    )


@require_POST
def notification_approve(
    request: HtmxHttpRequest, reference: str, notification_id: int
) -> HttpResponse:
    """Approve from the notice's own page, having read it; a refusal is said there."""
    ws = selectors.workspace_for(user=request.user, reference=reference)
    notification = _notification(ws, notification_id)
    if request.htmx:
        return call_action(
            request,
            ws,
            panel="notifications",
            changed=("timeline-latest",),
            run=lambda: services.notification_approve(
                notification=notification, actor=request.user
            ),
        )
    try:
        services.notification_approve(notification=notification, actor=request.user)
    except ValidationError as exc:
        for error in errors_of(exc):
            messages.error(request, error)
        return redirect("incidents:notification", ws.incident.reference, notification.pk)
    messages.success(
        request,
        _("Approved the notice to %(address)s.") % {"address": notification.recipient_email},
    )
    return redirect(ws.incident)


@require_POST
def notifications_send_approved(request: HtmxHttpRequest, reference: str) -> HttpResponse:
    ws = selectors.workspace_for(user=request.user, reference=reference)
    return call_action(
        request,
        ws,
        panel="notifications",
        changed=("timeline-latest",),
        run=lambda: services.notifications_send_approved(incident=ws.incident, actor=request.user),
    )


@require_POST
def notification_retry(
    request: HtmxHttpRequest, reference: str, notification_id: int
) -> HttpResponse:
    ws = selectors.workspace_for(user=request.user, reference=reference)
    notification = _notification(ws, notification_id)
    return call_action(
        request,
        ws,
        panel="notifications",
        changed=("timeline-latest",),
        run=lambda: services.notification_retry(notification=notification, actor=request.user),
    )


@require_http_methods(["GET", "POST"])
def notification_update_draft(
    request: HtmxHttpRequest, reference: str, notification_id: int
) -> HttpResponse:
    """Read a notice; the commander edits it here while it is a draft."""
    ws = selectors.workspace_for(user=request.user, reference=reference)
    notification = _notification(ws, notification_id)
    editable = ws.abilities.commands and notification.status == Notification.Status.DRAFT
    if request.method == "POST" and not editable:
        raise PermissionDenied(NOT_EDITABLE)
    form = NotificationDraftForm(
        request.POST if request.method == "POST" else None,
        initial={
            "recipient_name": notification.recipient_name,
            "recipient_email": notification.recipient_email,
            "subject": notification.subject,
            "body_text": notification.body_text,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.notification_update_draft(
                notification=notification, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            attach(form, exc)
        else:
            messages.success(request, _("Draft saved."))
            return redirect(ws.incident)
    approves = ws.abilities.commands or ws.abilities.approves_as_legal
    is_draft = notification.status == Notification.Status.DRAFT
    context = {
        "incident": ws.incident,
        "notification": notification,
        "form": form,
        "editable": editable,
        "may_approve": is_draft and approves and may_approve_now(notification, request.user),
        "approvers": approvers_in_words(notification) if is_draft and approves else "",
    }
    status = 422 if request.method == "POST" else 200
    return render(request, "incidents/notification.html", context, status=status)


@login_not_required
@require_http_methods(["GET", "POST"])
def notification_acknowledge(request: HttpRequest, token: str) -> HttpResponse:
    """A stakeholder confirms receipt of a notice through its signed link.

    Opening the link only shows the notice; the receipt is recorded by the
    button, because mail scanners open links without a person reading them.
    """
    if request.method == "POST":
        result = services.notification_acknowledge(token=token)
    else:
        result = ack_lookup(token)
    status = 200 if result.outcome in ("ready", "acknowledged", "already") else 400
    return render(request, "incidents/ack.html", {"result": result}, status=status)


@require_http_methods(["GET", "POST"])
def incident_set_public_summary(request: HtmxHttpRequest, reference: str) -> HttpResponse:
    """The commander writes what partners may read about what happened."""
    ws = selectors.workspace_for(user=request.user, reference=reference)
    if not ws.abilities.commands:
        raise PermissionDenied(NOT_EDITABLE_SUMMARY)
    form = PublicSummaryForm(
        request.POST if request.method == "POST" else None,
        initial={"public_summary": ws.incident.public_summary},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.incident_set_public_summary(
                incident=ws.incident, actor=request.user, text=form.cleaned_data["public_summary"]
            )
        except ValidationError as exc:
            attach(form, exc)
        except NothingChanged as exc:
            messages.info(request, str(exc))
            return redirect(ws.incident)
        else:
            messages.success(request, _("Public summary saved; new notices quote it."))
            return redirect(ws.incident)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "incidents/public_summary.html",
        {"incident": ws.incident, "form": form},
        status=status,
    )
