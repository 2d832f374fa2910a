import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from breachdesk.models import User
from incidents.models import Incident, IncidentMember, ScopeItem
from incidents.services import check_incident_times
from incidents.services.incidents import MAX_NOTE_LENGTH
from incidents.services.triage import MAX_REASON_LENGTH
from vendors.models import MAX_RECORDS, Vendor


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.display_name


class LocalDateTimeInput(forms.DateTimeInput):
    """The browser's date-and-time picker; the value is read in the user's zone."""

    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _moment(label, help_text, required=False):
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        widget=LocalDateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        error_messages={"invalid": _("Enter a date and time, such as 2026-11-25 09:40.")},
    )


def _reason_field(label, help_text=""):
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("A reason is required; it goes on the timeline.")},
    )


class IncidentOpenForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("What happened, in a few words: “Parallax Data breach reported by press”."),
    )
    vendors = forms.ModelMultipleChoiceField(
        label=_("Vendor(s) breached"),
        queryset=Vendor.objects.order_by("name"),
        error_messages={
            "required": _("Choose the vendor (or vendors) that was breached."),
            "invalid_choice": _("That vendor is not in the inventory; add it first."),
            "invalid_pk_value": _("That vendor is not in the inventory; add it first."),
        },
    )
    severity = forms.ChoiceField(
        label=_("Severity"),
        choices=Incident.Severity.choices,
        initial=Incident.Severity.SEV2,
        help_text=_(
            "SEV1: our personal or partner data confirmed exposed. SEV2: likely exposed. "
            "SEV3: possible. SEV4: vendor affected, our data not."
        ),
    )
    source = forms.ChoiceField(label=_("How we learned of it"), choices=Incident.Source.choices)
    discovered_at = _moment(
        _("We became aware"), Incident._meta.get_field("discovered_at").help_text, required=True
    )
    vendor_aware_at = _moment(
        _("Vendor became aware"), Incident._meta.get_field("vendor_aware_at").help_text
    )
    occurred_at = _moment(
        _("Breach occurred (estimate)"), Incident._meta.get_field("occurred_at").help_text
    )
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What is known so far, and from whom."),
    )
    commander = PersonChoiceField(
        label=_("Incident commander"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Leave empty to command it yourself."),
    )
    restricted = forms.BooleanField(
        label=_("Restricted"),
        required=False,
        help_text=Incident._meta.get_field("restricted").help_text,
    )
    submission_token = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commander"].queryset = User.objects.filter(is_active=True).order_by(
            "first_name", "last_name", "username"
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("discovered_at"):
            try:
                check_incident_times(
                    occurred_at=cleaned.get("occurred_at"),
                    vendor_aware_at=cleaned.get("vendor_aware_at"),
                    discovered_at=cleaned["discovered_at"],
                )
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    for message in messages:
                        self.add_error(field, message)
        return cleaned


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note"),
        max_length=MAX_NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("The note is empty."),
            "max_length": _(
                "Notes are limited to %(limit_value)s characters; this one has %(show_value)s. "
                "Attach long documents as evidence instead."
            ),
        },
    )
    occurred_at = _moment(
        _("When it happened, if earlier"),
        _("Leave empty for now. The time you record it is kept as well."),
    )
    privileged = forms.BooleanField(
        label=_("Privileged (attorney–client)"),
        required=False,
        help_text=_("Marked on every export; only Legal can set it."),
    )

    def __init__(self, *args, can_mark_privileged: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_mark_privileged:
            del self.fields["privileged"]


class AdvancePhaseForm(forms.Form):
    to_phase = forms.ChoiceField(choices=Incident.Phase.choices, widget=forms.HiddenInput)
    override_reason = forms.CharField(
        label=_("Override reason"),
        required=False,
        max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Only if required tasks are still open: why the incident moves on anyway. "
            "It is recorded on the timeline."
        ),
    )


class ReopenForm(forms.Form):
    reason = _reason_field(_("Why reopen"))


class SeverityForm(forms.Form):
    severity = forms.ChoiceField(label=_("Severity"), choices=Incident.Severity.choices)
    reason = forms.CharField(label=_("Why"), required=False, max_length=MAX_REASON_LENGTH)


class CommanderForm(forms.Form):
    commander = PersonChoiceField(label=_("Hand command to"), queryset=User.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commander"].queryset = User.objects.filter(is_active=True).order_by(
            "first_name", "last_name", "username"
        )


class MemberAddForm(forms.Form):
    user = PersonChoiceField(label=_("Person"), queryset=User.objects.none())
    role = forms.ChoiceField(
        label=_("Role on this incident"),
        choices=[
            (value, label)
            for value, label in IncidentMember.Role.choices
            if value != IncidentMember.Role.COMMANDER
        ],
    )

    def __init__(self, *args, incident: Incident, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (
            User.objects.filter(is_active=True)
            .exclude(incident_memberships__incident=incident)
            .order_by("first_name", "last_name", "username")
        )


class MemberRoleForm(forms.Form):
    role = MemberAddForm.base_fields["role"]


class TaskAssignForm(forms.Form):
    assignee = PersonChoiceField(
        label=_("Assignee"), queryset=User.objects.none(), required=False, empty_label=_("Nobody")
    )

    def __init__(self, *args, incident: Incident, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = User.objects.filter(
            incident_memberships__incident=incident
        ).order_by("first_name", "last_name", "username")


class TaskSkipForm(forms.Form):
    reason = _reason_field(_("Why skip it"))


class PauseForm(forms.Form):
    reason = _reason_field(
        _("Why pause"),
        _("Recorded on the timeline and sent to the engagement owners."),
    )


class ResumeApprovalForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is safe to resume"),
        required=False,
        max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ScopeMarkForm(forms.Form):
    status = forms.ChoiceField(label=_("Exposure"), choices=ScopeItem.Status.choices)
    records_affected = forms.IntegerField(
        label=_("Records affected"),
        required=False,
        min_value=0,
        max_value=MAX_RECORDS,
        error_messages={
            "min_value": _("Records affected cannot be negative."),
            "max_value": _("That is more records than is plausible; check the number."),
            "invalid": _("Enter a whole number, such as 1200."),
        },
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=5_000)


class NotificationDraftForm(forms.Form):
    recipient_name = forms.CharField(label=_("Recipient name"), max_length=200, required=False)
    recipient_email = forms.CharField(
        label=_("Recipient email"),
        max_length=254,
        help_text=_("One address. To tell several people, draft one notice each."),
    )
    subject = forms.CharField(label=_("Subject"), max_length=300)
    body_text = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=_(
            "Plain text. The HTML version and the acknowledgement button are made from it."
        ),
    )
