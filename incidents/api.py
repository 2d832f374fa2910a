"""The incidents' REST resources: serializers and thin views over the pages' services.

Each view reads through the same gate as the pages (``workspace_for``: a
non-member gets 404), validates with the page's form (the same words), and
calls one service, which checks its own permission (403 in the service's
words). Privileged notes' text is given to Legal only, as on the pages.
"""

import uuid

from django import forms
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from breachdesk.api.forms import NON_FIELD, form_data, form_serializer, valid_form
from breachdesk.api.schema import (
    DETAIL_RESPONSES,
    LIST_RESPONSES,
    READ_RESPONSES,
    WRITE_RESPONSES,
)
from breachdesk.api.views import ApiListView, ApiView, Cursor, detail_response
from breachdesk.roles import may_command
from incidents import selectors, services
from incidents.clocks import FactsError, compute_clocks, parse_facts
from incidents.filters import IncidentFilter
from incidents.forms import (
    DeadlineMetForm,
    DeadlineWaiveForm,
    IncidentOpenForm,
    NoteForm,
    WhatIfForm,
)
from incidents.models import Deadline, Incident, Notification, TimelineEntry
from incidents.services.incidents import CANNOT_OPEN
from vendors.jurisdictions import unknown_codes

# --- serializers (what a reader gets) ---------------------------------------------------------


class IncidentSerializer(serializers.ModelSerializer):
    commander = serializers.CharField(source="commander.username", read_only=True)
    vendors = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta:
        model = Incident
        fields = [
            "reference",
            "title",
            "summary",
            "severity",
            "source",
            "phase",
            "restricted",
            "legal_hold",
            "occurred_at",
            "vendor_aware_at",
            "discovered_at",
            "commander",
            "vendors",
            "next_deadline_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class TimelineEntrySerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_name", read_only=True)
    privileged = serializers.SerializerMethodField()
    privileged_text = serializers.SerializerMethodField(
        help_text="A privileged note's words: for Legal only; null for everyone else."
    )

    class Meta:
        model = TimelineEntry
        fields = [
            "seq",
            "kind",
            "occurred_at",
            "recorded_at",
            "actor",
            "summary",
            "privileged",
            "privileged_text",
            "prev_hash",
            "hash",
        ]
        read_only_fields = fields

    def get_privileged(self, entry) -> bool:
        return entry.is_privileged

    def get_privileged_text(self, entry) -> str | None:
        # Set by selectors.with_privileged_texts for a Legal reader only.
        return getattr(entry, "privileged_words", None)


class DeadlineSerializer(serializers.ModelSerializer):
    decided_by = serializers.CharField(
        source="decided_by.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Deadline
        fields = [
            "id",
            "rule_id",
            "regime",
            "recipient",
            "citation",
            "standard",
            "trigger",
            "starts_at",
            "due_at",
            "target_at",
            "time_zone",
            "status",
            "met_at",
            "met_reference",
            "decision_reason",
            "decided_by",
            "decided_at",
        ]
        read_only_fields = fields


class NotificationSerializer(serializers.ModelSerializer):
    stakeholder = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "stakeholder",
            "recipient_name",
            "recipient_email",
            "subject",
            "body_text",
            "status",
            "approved_at",
            "queued_at",
            "sent_at",
            "acknowledged_at",
            "attempts",
            "created_at",
        ]
        read_only_fields = fields


class ClockSerializer(serializers.Serializer):
    """One clock the engine computed for a what-if: a duty, to whom, and when."""

    rule = serializers.CharField()
    regime = serializers.CharField()
    recipient = serializers.CharField()
    citation = serializers.CharField()
    standard = serializers.CharField()
    trigger = serializers.CharField()
    starts_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    due_date = serializers.DateField(allow_null=True)
    target_at = serializers.DateTimeField(allow_null=True)
    time_zone = serializers.CharField()
    confidence = serializers.CharField()
    note = serializers.CharField(allow_blank=True)


# --- request bodies, described from the pages' forms (validation is the forms') ------------

IncidentOpenInput = form_serializer(IncidentOpenForm, "IncidentOpenInput")
# Optional through the API: IncidentList.post makes one when the client sends none.
IncidentOpenInput._declared_fields["submission_token"].required = False
NoteInput = form_serializer(NoteForm, "NoteInput", can_mark_privileged=True)
DeadlineMetInput = form_serializer(DeadlineMetForm, "DeadlineMetInput")
DeadlineWaiveInput = form_serializer(DeadlineWaiveForm, "DeadlineWaiveInput")
WhatIfInput = form_serializer(WhatIfForm, "WhatIfInput")


class ApiIncidentFilter(IncidentFilter):
    """The incident list's filters and search (``IncidentFilter``); the API pages by cursor,
    newest first, so the page's ``sort`` is not among them."""


ApiIncidentFilter.base_filters.pop("sort")


def _workspace(request, reference: str):
    return selectors.workspace_for(user=request.user, reference=reference)


# --- incidents ----------------------------------------------------------------------------------


class IncidentCursor(Cursor):
    ordering = ("-discovered_at", "-pk")


class IncidentList(ApiListView):
    """Incidents this caller may see, filtered and searched as on the incident list."""

    serializer_class = IncidentSerializer
    pagination_class = IncidentCursor
    filter_backends = [DjangoFilterBackend]
    filterset_class = ApiIncidentFilter

    def get_queryset(self):
        return selectors.incident_list_for_user(user=self.request.user)

    @extend_schema(responses=LIST_RESPONSES(IncidentSerializer))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=IncidentOpenInput,
        responses=WRITE_RESPONSES(IncidentSerializer, created=True),
        description="Open an incident (commanders and administrators), as the page's form does.",
    )
    def post(self, request, *args, **kwargs):
        # As on the page: who may open one is decided before the form is read.
        if not may_command(request.user):
            raise PermissionDenied(CANNOT_OPEN)
        data = form_data(IncidentOpenForm, request.data)
        # The page's form always carries a one-time token; an API client may send its
        # own (a retry then opens nothing twice), or none.
        data.setdefault("submission_token", str(uuid.uuid4()))
        form = valid_form(IncidentOpenForm(data))
        incident = services.incident_open(actor=request.user, **_open_kwargs(form.cleaned_data))
        return Response(IncidentSerializer(incident).data, status=status.HTTP_201_CREATED)


def _open_kwargs(data: dict) -> dict:
    return {**data, "vendors": list(data["vendors"])}


class IncidentDetail(ApiView):
    @extend_schema(responses=DETAIL_RESPONSES(IncidentSerializer))
    def get(self, request, reference: str):
        ws = _workspace(request, reference)
        return detail_response(request, IncidentSerializer(ws.incident).data)


# --- timeline ----------------------------------------------------------------------------------


class TimelineCursor(Cursor):
    ordering = "seq"


class TimelineList(ApiListView):
    """The incident's timeline, oldest first; privileged notes' text for Legal only."""

    serializer_class = TimelineEntrySerializer
    pagination_class = TimelineCursor

    def get_queryset(self):
        self.ws = _workspace(self.request, self.kwargs["reference"])
        return selectors.timeline_entries(incident=self.ws.incident)

    def get_serializer(self, entries, *args, **kwargs):
        entries = selectors.with_privileged_texts(
            entries, reads_privileged=self.ws.abilities.reads_privileged
        )
        return super().get_serializer(entries, *args, **kwargs)

    @extend_schema(responses=LIST_RESPONSES(TimelineEntrySerializer))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=NoteInput,
        responses=WRITE_RESPONSES(TimelineEntrySerializer, created=True),
        description=(
            "Add a note. ``privileged`` (attorney–client) is for Legal only; its text never "
            "enters the chain and is shown to Legal only."
        ),
    )
    def post(self, request, reference: str):
        ws = _workspace(request, reference)
        # The service, not the form, refuses "privileged" to non-Legal: a 403 in its words.
        form = valid_form(
            NoteForm(
                form_data(NoteForm, request.data, can_mark_privileged=True),
                can_mark_privileged=True,
            )
        )
        entry = services.note_add(incident=ws.incident, actor=request.user, **form.cleaned_data)
        entry = selectors.with_privileged_texts(
            [entry], reads_privileged=ws.abilities.reads_privileged
        )[0]
        return Response(TimelineEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


# --- deadlines ---------------------------------------------------------------------------------


class DeadlineList(ApiListView):
    serializer_class = DeadlineSerializer
    pagination_class = Cursor

    def get_queryset(self):
        ws = _workspace(self.request, self.kwargs["reference"])
        return ws.incident.deadlines.select_related("decided_by")

    @extend_schema(responses=LIST_RESPONSES(DeadlineSerializer))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


def _deadline(request, reference: str, deadline_id: int):
    ws = _workspace(request, reference)
    deadline = get_object_or_404(ws.incident.deadlines.select_related("decided_by"), pk=deadline_id)
    return ws, deadline


class DeadlineDetail(ApiView):
    @extend_schema(responses=DETAIL_RESPONSES(DeadlineSerializer))
    def get(self, request, reference: str, deadline_id: int):
        _ws, deadline = _deadline(request, reference, deadline_id)
        return detail_response(request, DeadlineSerializer(deadline).data)


class DeadlineMet(ApiView):
    @extend_schema(
        request=DeadlineMetInput,
        responses=WRITE_RESPONSES(DeadlineSerializer),
        description="Record the notice as filed (the commander or Legal).",
    )
    def post(self, request, reference: str, deadline_id: int):
        _ws, deadline = _deadline(request, reference, deadline_id)
        form = valid_form(DeadlineMetForm(form_data(DeadlineMetForm, request.data)))
        deadline = services.deadline_mark_met(
            deadline=deadline, actor=request.user, **form.cleaned_data
        )
        return Response(DeadlineSerializer(deadline).data)


class DeadlineWaive(ApiView):
    @extend_schema(
        request=DeadlineWaiveInput,
        responses=WRITE_RESPONSES(DeadlineSerializer),
        description="Record that the notification is not required, with the rationale (Legal).",
    )
    def post(self, request, reference: str, deadline_id: int):
        _ws, deadline = _deadline(request, reference, deadline_id)
        form = valid_form(DeadlineWaiveForm(form_data(DeadlineWaiveForm, request.data)))
        deadline = services.deadline_waive(
            deadline=deadline, actor=request.user, reason=form.cleaned_data["reason"]
        )
        return Response(DeadlineSerializer(deadline).data)


# --- notifications -----------------------------------------------------------------------------


class NotificationList(ApiListView):
    serializer_class = NotificationSerializer
    pagination_class = Cursor

    def get_queryset(self):
        ws = _workspace(self.request, self.kwargs["reference"])
        return ws.incident.notifications.select_related("stakeholder")

    @extend_schema(responses=LIST_RESPONSES(NotificationSerializer))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


def _notification(request, reference: str, notification_id: int):
    ws = _workspace(request, reference)
    return get_object_or_404(
        ws.incident.notifications.select_related("stakeholder"), pk=notification_id
    )


class NotificationDetail(ApiView):
    @extend_schema(responses=DETAIL_RESPONSES(NotificationSerializer))
    def get(self, request, reference: str, notification_id: int):
        notification = _notification(request, reference, notification_id)
        return detail_response(request, NotificationSerializer(notification).data)


class NotificationApprove(ApiView):
    @extend_schema(
        request=None,
        responses=WRITE_RESPONSES(NotificationSerializer),
        description=(
            "Approve a draft notice (the commander or Legal); four eyes: not the person who "
            "drafted or last edited it."
        ),
    )
    def post(self, request, reference: str, notification_id: int):
        notification = _notification(request, reference, notification_id)
        form_data(_NoFields, request.data or {})
        notification = services.notification_approve(notification=notification, actor=request.user)
        return Response(NotificationSerializer(notification).data)


class _NoFields(forms.Form):
    """A button: any field sent with it is unknown."""


# --- what-if clocks ----------------------------------------------------------------------------


class WhatIf(ApiView):
    """The clock engine on facts given in the query, as on the what-if page; nothing is saved."""

    @extend_schema(
        parameters=[WhatIfInput],
        responses={
            200: inline_serializer(
                "WhatIfResult",
                {"computed_at": serializers.DateTimeField(), "clocks": ClockSerializer(many=True)},
            ),
            **READ_RESPONSES,
        },
    )
    def get(self, request):
        form = WhatIfForm(form_data(WhatIfForm, _query(request)))
        valid_form(form)
        try:
            clocks = compute_clocks(parse_facts(form.facts(), unknown_codes=unknown_codes))
        except FactsError as exc:
            field = exc.field.removeprefix("entity.").split(".")[0].split("[")[0]
            raise ValidationError(
                {field if field in form.fields else NON_FIELD: [str(exc)]}
            ) from exc
        return Response(
            {
                "computed_at": timezone.now(),
                "clocks": ClockSerializer([_clock(clock) for clock in clocks], many=True).data,
            }
        )


def _query(request) -> dict:
    """The query string as JSON-like data: a repeated parameter is a list."""
    return {
        name: values if len(values) > 1 or name == "enabled_rules" else values[0]
        for name, values in request.query_params.lists()
    }


def _clock(clock) -> dict:
    return {name: getattr(clock, name, None) for name in ClockSerializer().fields}
