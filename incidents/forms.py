import uuid
from zoneinfo import ZoneInfo, available_timezones

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from breachdesk.fields import (
    IdChoiceField,
    IdMultipleChoiceField,
    MomentField,
    TimeZoneField,
    _is_out_of_range_id,
)
from breachdesk.models import User
from breachdesk.roles import users_who_may_command, users_with_a_role
from breachdesk.submissions import submission_token_field
from incidents.chain import iso_utc
from incidents.clocks import RULES_BY_ID
from incidents.clocks.facts import TIME_FIELDS
from incidents.models import (
    OPTIONAL_RULE_IDS,
    Incident,
    IncidentMember,
    OrganisationProfile,
    QuestionnaireTemplate,
    ScopeItem,
    Task,
)
from incidents.services import check_incident_times
from incidents.services.common import CLOCK_SKEW
from incidents.services.deadlines import DECISION_IN_FUTURE, MET_IN_FUTURE
from incidents.services.incidents import FUTURE_TIME, MAX_NOTE_LENGTH
from incidents.services.triage import MAX_REASON_LENGTH, SCOPE_NEEDS_STATUS
from vendors.models import MAX_RECORDS, MAX_WINDOW_HOURS, Vendor

# A picker shows this many people before the reader types; typing asks the
# server (``incidents:people``) for the matching ones, as many again.
PICKER_SHOWN = 20


class PersonPicker(forms.Select):
    """A ``<select>`` of a few people, and a search box that refills it (htmx).

    Renders the chosen person and the first ``PICKER_SHOWN`` of the field's
    queryset instead of every one of them (issue 14: the workspace rendered
    every active user twice); without JavaScript those are the choices.
    The field still validates against its whole queryset, so an id sent by
    hand is range-checked and must be someone the field allows.
    ``search_url`` is set by the form: the people endpoint for this list.
    """

    search_url = ""

    def optgroups(self, name, value, attrs=None):
        queryset = self.choices.queryset
        # An id no row can have (a hand-made request) is left to the field's
        # own check, which refuses it; a query with it would fail first.
        chosen = [v for v in value if str(v).isdigit() and not _is_out_of_range_id(queryset, v)]
        people = list(queryset[:PICKER_SHOWN])
        shown = {str(person.pk) for person in people}
        # The chosen person is usually among those shown: no second query then.
        if missing := [v for v in chosen if str(v) not in shown]:
            people += list(queryset.filter(pk__in=missing))
        everyone = self.choices
        # Django's optgroups reads self.choices; the field's own choices come
        # back afterwards, so that the field renders again (an error shown,
        # the same form twice on a page) instead of failing on a plain list.
        self.choices = [("", everyone.field.empty_label or "—")] + [
            (person.pk, person.display_name) for person in people
        ]
        try:
            return super().optgroups(name, value, attrs)
        finally:
            self.choices = everyone

    def render(self, name, value, attrs=None, renderer=None):
        select = super().render(name, value, attrs, renderer)
        select_id = (attrs or {}).get("id") or f"id_{name}"
        search = format_html(
            '<input type="search" name="q" class="person-search" maxlength="100" '
            'autocomplete="off" placeholder="{}" aria-label="{}" aria-controls="{}" '
            'hx-get="{}" hx-trigger="input changed delay:300ms, search" '
            'hx-target="#{}" hx-swap="innerHTML" hx-include="this">',
            _("Type to find someone"),
            _("Find a person"),
            select_id,
            self.search_url,
            select_id,
        )
        return format_html('<div class="person-picker">{}{}</div>', search, select)


class PersonChoiceField(IdChoiceField):
    widget = PersonPicker

    def label_from_instance(self, user):
        return user.display_name


class LocalDateTimeInput(forms.DateTimeInput):
    """The browser's date-and-time picker; the value is read in the user's zone."""

    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _until_now():
    return timezone.now() + CLOCK_SKEW


def _moment(label, help_text, required=False, *, past: str | None = None):
    """A date and time from 1990 to 2099; ``past`` is the message for one in the future.

    Events that already happened pass ``past``; the what-if page, which tries
    facts out, accepts a time in the future.
    """
    error_messages = {"invalid": _("Enter a date and time, such as 2026-11-25 09:40.")}
    if past:
        error_messages["too_late"] = past
    return MomentField(
        label=label,
        required=required,
        help_text=help_text,
        widget=LocalDateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        latest=_until_now if past else None,
        error_messages=error_messages,
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
    vendors = IdMultipleChoiceField(
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
        _("We became aware"),
        Incident._meta.get_field("discovered_at").help_text,
        required=True,
        past=FUTURE_TIME,
    )
    vendor_aware_at = _moment(
        _("Vendor became aware"),
        Incident._meta.get_field("vendor_aware_at").help_text,
        past=FUTURE_TIME,
    )
    occurred_at = _moment(
        _("Breach occurred (estimate)"),
        Incident._meta.get_field("occurred_at").help_text,
        past=FUTURE_TIME,
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
        error_messages={
            "invalid_choice": _("That person cannot command incidents; pick one from the list.")
        },
    )
    restricted = forms.BooleanField(
        label=_("Restricted"),
        required=False,
        help_text=Incident._meta.get_field("restricted").help_text,
    )
    submission_token = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commander"].queryset = users_who_may_command()

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
        past=FUTURE_TIME,
    )
    privileged = forms.BooleanField(
        label=_("Privileged (attorney–client)"),
        required=False,
        help_text=_(
            "Decide now: a privileged note's text is kept off the timeline's chain and shown "
            "only to Legal. A note saved without this is on the record for good and cannot be "
            "made privileged later."
        ),
    )
    submission_token = submission_token_field()

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
    """Command goes only to people who may command (the Commander role, or staff).

    ``incident`` names the people search the picker uses; the take-command
    button posts without one.
    """

    commander = PersonChoiceField(
        label=_("Hand command to"),
        queryset=User.objects.none(),
        error_messages={
            "invalid_choice": _(
                "Command can only go to someone in the Commander role (or an administrator)."
            ),
        },
    )

    def __init__(self, *args, incident: Incident | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commander"].queryset = users_who_may_command()
        if incident is not None:
            self.fields["commander"].widget.search_url = people_url(incident, COMMANDERS)


class MemberAddForm(forms.Form):
    user = PersonChoiceField(
        label=_("Person"),
        queryset=User.objects.none(),
        error_messages={
            "invalid_choice": _(
                "That person cannot join this incident: they have no role, or are on it already."
            )
        },
    )
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
        self.fields["user"].queryset = people_for(incident, NEW_MEMBERS)
        self.fields["user"].widget.search_url = people_url(incident, NEW_MEMBERS)


# Whom a people search looks among: ``?for=`` of ``incidents:people``.
NEW_MEMBERS = "member"
COMMANDERS = "commander"


def people_for(incident: Incident, kind: str):
    """The people a picker of ``kind`` may offer on ``incident`` (the field's whole choice)."""
    if kind == COMMANDERS:
        return users_who_may_command()
    return users_with_a_role().exclude(incident_memberships__incident=incident)


def people_url(incident: Incident, kind: str) -> str:
    return f"{reverse('incidents:people', args=[incident.reference])}?for={kind}"


class PeopleSearchForm(forms.Form):
    """``?for=member|commander&q=…``: whom to look among, and the words typed."""

    kind = forms.ChoiceField(choices=[(NEW_MEMBERS, NEW_MEMBERS), (COMMANDERS, COMMANDERS)])
    q = forms.CharField(required=False, max_length=100, strip=True)

    def __init__(self, data, *args, **kwargs):
        data = {"kind": data.get("for", ""), "q": data.get("q", "")}
        super().__init__(data, *args, **kwargs)


class MemberRoleForm(forms.Form):
    role = MemberAddForm.base_fields["role"]


class TaskAssignForm(forms.Form):
    assignee = PersonChoiceField(
        label=_("Assignee"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Nobody"),
        error_messages={
            "invalid_choice": _("Tasks go only to members who work this incident; pick one.")
        },
    )

    def __init__(self, *args, incident: Incident, **kwargs):
        super().__init__(*args, **kwargs)
        # Members who work the incident; the service checks each one's abilities too.
        working = (
            IncidentMember.objects.filter(incident=incident)
            .exclude(role=IncidentMember.Role.VIEWER)
            .values("user")
        )
        self.fields["assignee"].queryset = User.objects.filter(
            is_active=True, pk__in=working
        ).order_by("first_name", "last_name", "username")


class TaskSkipForm(forms.Form):
    reason = _reason_field(_("Why skip it"))


class TaskAddForm(forms.Form):
    """A task the playbook did not foresee, added by the commander to the current phase."""

    submission_token = submission_token_field()
    title = forms.CharField(
        label=_("Task"),
        max_length=Task._meta.get_field("title").max_length,
        help_text=_("What has to be done, e.g. “Ask the vendor for its access logs”."),
        error_messages={"required": _("Say what has to be done.")},
    )
    guidance = forms.CharField(
        label=_("How (optional)"),
        required=False,
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    due_at = _moment(_("Due (optional)"), _("In your time zone. Empty: no due time."))
    required = forms.BooleanField(
        label=_("Required to leave this phase"),
        required=False,
        help_text=_(
            "The phase cannot move on while a required task is open (without an override)."
        ),
    )


class PublicSummaryForm(forms.Form):
    public_summary = forms.CharField(
        label=_("Public summary"),
        required=False,
        max_length=Incident._meta.get_field("public_summary").max_length,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=Incident._meta.get_field("public_summary").help_text,
    )


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
    """One data asset's row on the scope review.

    An unreviewed row starts on "Not reviewed yet": marking an asset exposed
    starts contract and regulatory clocks, so it takes a choice, never a
    default. The whole-page form skips rows that nobody changed, so the
    browser must not insist on a choice in every row.
    """

    use_required_attribute = False

    status = forms.ChoiceField(
        label=_("Exposure"),
        choices=[("", _("Not reviewed yet")), *ScopeItem.Status.choices],
        error_messages={"required": SCOPE_NEEDS_STATUS},
    )
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

    def __init__(self, *args, item: ScopeItem | None = None, report=None, **kwargs):
        # An unreviewed asset the vendor reports reached comes pre-filled as its
        # report says, for a responder to confirm: saving it is the decision.
        self.prefilled = item is None and report is not None
        # What the vendor reported of this asset, shown beside the row (a VendorReport).
        self.report = report
        if item is not None:
            kwargs.setdefault(
                "initial",
                {
                    "status": item.status,
                    "records_affected": item.records_affected,
                    "note": item.note,
                },
            )
        elif report is not None:
            kwargs.setdefault(
                "initial",
                {
                    "status": ScopeItem.Status.CONFIRMED,
                    "records_affected": report.records,
                    "note": _(
                        "Reported by the vendor (questionnaire round %(round)s, answers "
                        "version %(version)s, %(who)s)."
                    )
                    % {
                        "round": report.questionnaire.round,
                        "version": report.version,
                        "who": report.respondent,
                    },
                },
            )
        super().__init__(*args, **kwargs)
        if item is not None:
            # A reviewed asset can be re-marked, not un-reviewed.
            self.fields["status"].choices = ScopeItem.Status.choices

    def has_changed(self) -> bool:
        """A pre-filled row counts as changed while it keeps an exposure: saving confirms it."""
        if self.prefilled:
            return bool(self["status"].value())
        return super().has_changed()


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


class TriState(forms.TypedChoiceField):
    """Yes, no, or not yet decided (None), for facts that start or stop clocks."""

    def __init__(self, **kwargs):
        super().__init__(
            choices=[("", _("Not yet decided")), ("yes", _("Yes")), ("no", _("No"))],
            coerce=lambda value: {"yes": True, "no": False}.get(value),
            empty_value=None,
            required=False,
            **kwargs,
        )

    def prepare_value(self, value):
        return {True: "yes", False: "no"}.get(value, value or "")


def _decision(label, name):
    return _moment(label, Incident._meta.get_field(name).help_text, past=DECISION_IN_FUTURE)


class DecisionsForm(forms.Form):
    determined_at = _decision(_("Incident determined"), "determined_at")
    materiality_determined_at = _decision(_("Materiality determined"), "materiality_determined_at")
    classified_major_at = _decision(_("Classified as major"), "classified_major_at")
    assessed_at = _decision(_("Assessment concluded"), "assessed_at")
    ransom_paid_at = _decision(_("Ransom paid"), "ransom_paid_at")
    high_risk = TriState(
        label=_("High risk to people"), help_text=Incident._meta.get_field("high_risk").help_text
    )
    significant_incident = TriState(
        label=_("Significant incident (NIS2)"),
        help_text=Incident._meta.get_field("significant_incident").help_text,
    )


class DeadlineMetForm(forms.Form):
    filed_at = _moment(
        _("Filed or sent at"),
        _("When the notice actually went out, as the receipt shows it."),
        required=True,
        past=MET_IN_FUTURE,
    )
    reference = forms.CharField(
        label=_("Reference"),
        max_length=300,
        help_text=_("Portal receipt, case number or the email it went out in."),
    )


class DeadlineWaiveForm(forms.Form):
    reason = _reason_field(
        _("Why it is not required"),
        _(
            "The rationale regulators ask for, e.g. “risk unlikely: data encrypted, "
            "key not exposed”."
        ),
    )


class ClockRulesFilterForm(forms.Form):
    """The rule list's filter: one jurisdiction code, or all."""

    jurisdiction = forms.ChoiceField(label=_("Jurisdiction"), required=False)

    def __init__(self, *args, choices: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].choices = [("", _("All")), *choices]
        self.fields["jurisdiction"].error_messages["invalid_choice"] = _(
            "No rule is kept for “%(value)s”; pick a jurisdiction from the list."
        )


PROFILE_FACTS = (
    "role",
    "established_in",
    "time_zone",
    "internal_target_hours",
    *OrganisationProfile.ENTITY_FACTS,
)


class WhatIfForm(forms.Form):
    """Facts for a what-if run of the clock engine; nothing is saved."""

    aware_at = _moment(_("We became aware"), _("Starts most clocks."), required=True)
    vendor_aware_at = _moment(_("Vendor became aware"), "")
    discovered_at = _moment(_("Discovered (if different)"), _("HIPAA and several US states."))
    determined_at = _moment(_("Incident determined"), "")
    materiality_determined_at = _moment(_("Materiality determined"), _("SEC Form 8-K."))
    classified_major_at = _moment(_("Classified as major"), _("DORA."))
    assessed_at = _moment(_("Assessment concluded"), _("Singapore, Maine."))
    ransom_paid_at = _moment(_("Ransom paid"), _("NYDFS."))
    # The organisation profile's standing facts (role, establishment, zone, entity
    # kind) are added in __init__ from its model fields, so the two never drift.
    personal_data = TriState(label=_("Personal data involved"))
    phi = TriState(label=_("Protected health information (HIPAA)"))
    high_risk = TriState(label=_("High risk to people"))
    significant_incident = TriState(label=_("Significant incident (NIS2)"))
    affected = forms.CharField(
        label=_("People affected, by jurisdiction"),
        required=False,
        max_length=2000,
        help_text=_(
            "Codes with counts where known: “DE=1200, FR, US-CA=300”. No count means unknown."
        ),
    )
    stakeholder_windows = forms.CharField(
        label=_("Contractual windows"),
        required=False,
        max_length=2000,
        help_text=_("Who we must tell within how many hours: “Helix Health=48; Orbital=72”."),
    )
    vendor_window_hours = forms.IntegerField(
        label=_("Vendor must tell us within (hours)"),
        required=False,
        min_value=1,
        max_value=MAX_WINDOW_HOURS,
        error_messages={
            "min_value": _("A notification window is at least 1 hour."),
            "max_value": _("A notification window longer than a year is not plausible."),
            "invalid": _("Enter the window in whole hours, such as 48."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in PROFILE_FACTS:
            field = OrganisationProfile._meta.get_field(name).formfield(required=False)
            field.help_text = ""
            self.fields[name] = field
        self.fields["role"].required = True
        self.fields["time_zone"] = TimeZoneField(
            label=self.fields["time_zone"].label, required=False
        )
        self.fields["enabled_rules"] = forms.MultipleChoiceField(
            label=_("Rules turned on (grade C or not yet in force)"),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            choices=[(rule_id, RULES_BY_ID[rule_id].label) for rule_id in OPTIONAL_RULE_IDS],
        )
        self.order_fields([*TIME_FIELDS, *PROFILE_FACTS, "enabled_rules"])

    @property
    def profile_fields(self) -> list:
        """Who we are: filled from the organisation profile, shown folded away."""
        return [self[name] for name in (*PROFILE_FACTS, "enabled_rules")]

    @property
    def incident_fields(self) -> list:
        """What happened: the times, decisions, counts and contract windows."""
        folded = {*PROFILE_FACTS, "enabled_rules"}
        return [field for field in self if field.name not in folded]

    @property
    def profile_has_errors(self) -> bool:
        return any(field.errors for field in self.profile_fields)

    def clean_affected(self):
        affected = {}
        for part in split_list(self.cleaned_data["affected"]):
            code, _sep, count = part.partition("=")
            code = code.strip().upper()
            if count.strip():
                number = _whole_number(count.replace(",", ""))
                if number is None:
                    raise ValidationError(
                        _("“%(part)s”: the count must be a whole number.") % {"part": part}
                    )
                if number < 0:
                    raise ValidationError(
                        _("“%(part)s”: a count cannot be negative.") % {"part": part}
                    )
                if number > MAX_RECORDS:
                    raise ValidationError(
                        _("“%(part)s”: that is not a plausible number of people.") % {"part": part}
                    )
                affected[code] = number
            else:
                affected[code] = None
        return affected

    def clean_stakeholder_windows(self):
        windows = []
        for part in split_list(self.cleaned_data["stakeholder_windows"], separators=";"):
            name, _sep, hours = part.rpartition("=")
            number = _whole_number(hours)
            if number is None:
                raise ValidationError(
                    _("“%(part)s”: write it as Name=hours, e.g. Helix Health=48.") % {"part": part}
                )
            if not 1 <= number <= MAX_WINDOW_HOURS:
                raise ValidationError(
                    _("“%(part)s”: a window is between 1 hour and a year.") % {"part": part}
                )
            windows.append({"name": name.strip(), "hours": number})
        return windows

    def facts(self) -> dict:
        data = self.cleaned_data
        moments = [
            "aware_at",
            "vendor_aware_at",
            "discovered_at",
            "determined_at",
            "materiality_determined_at",
            "classified_major_at",
            "assessed_at",
            "ransom_paid_at",
        ]
        return {
            **{name: data[name].isoformat() if data.get(name) else None for name in moments},
            "role": data["role"],
            "entity": {name: data[name] or None for name in OrganisationProfile.ENTITY_FACTS},
            "established_in": data["established_in"] or None,
            "time_zone": data["time_zone"] or None,
            "enabled_rules": list(data["enabled_rules"]),
            "internal_target_hours": data["internal_target_hours"],
            "personal_data": data["personal_data"],
            "phi": data["phi"],
            "high_risk": data["high_risk"],
            "significant_incident": data["significant_incident"],
            "affected": data["affected"],
            "stakeholder_windows": data["stakeholder_windows"],
            "vendor_window_hours": data["vendor_window_hours"],
        }


def _whole_number(text: str) -> int | None:
    """The number typed, or None; a digit string too long for ``int`` is no number either."""
    try:
        return int(text.strip())
    except ValueError:
        return None


def split_list(text: str, separators: str = ",;") -> list[str]:
    for separator in separators[1:]:
        text = text.replace(separator, separators[0])
    return [part.strip() for part in text.split(separators[0]) if part.strip()]


class TimelineExportForm(forms.Form):
    """What a timeline export includes; only Legal is offered the privileged texts."""

    include_privileged = forms.BooleanField(
        label=_("Include privileged texts"),
        required=False,
        help_text=_(
            "Adds the text and nonce of every privileged note, so that each commitment on the "
            "chain can be checked. The file is marked “Privileged & Confidential” and the "
            "timeline records that you exported them."
        ),
    )

    def __init__(self, *args, can_include_privileged: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_include_privileged:
            del self.fields["include_privileged"]


class LegalHoldForm(forms.Form):
    """Place or lift legal hold; the reason goes on the timeline."""

    reason = _reason_field(
        _("Reason"),
        _(
            "For example the matter, claim or request it is for, or why it no longer applies. "
            "It goes on the timeline, which every reader of the incident sees: write legal "
            "advice in a privileged note instead."
        ),
    )


class EvidenceUploadForm(forms.Form):
    # Emptiness, size, name and type are checked by the service, in words of its own.
    file = forms.FileField(label=_("File"), allow_empty_file=True)
    description = forms.CharField(
        label=_("What it is"),
        required=False,
        max_length=500,
        help_text=_("For example: “Vendor's breach notice, as received by email”."),
    )
    submission_token = submission_token_field()


class EvidenceDeleteForm(forms.Form):
    reason = _reason_field(_("Why delete it"))


# --- vendor questionnaires --------------------------------------------------------------------


class QuestionnaireDraftForm(forms.Form):
    """The commander picks the vendor and the questions to send it (a draft, approved next)."""

    vendor = IdChoiceField(label=_("Vendor"), queryset=Vendor.objects.none())
    template = IdChoiceField(
        label=_("Questions"),
        queryset=QuestionnaireTemplate.objects.all(),
        help_text=_(
            "Questionnaires are edited by administrators (admin › Questionnaire templates)."
        ),
    )
    submission_token = submission_token_field()

    def __init__(self, *args, incident: Incident, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vendor"].queryset = incident.vendors.order_by("name")
        vendors = list(self.fields["vendor"].queryset[:2])
        if len(vendors) == 1:
            self.fields["vendor"].initial = vendors[0].pk
        default = QuestionnaireTemplate.objects.filter(is_default=True).first()
        if default is not None:
            self.fields["template"].initial = default.pk


class QuestionnaireFollowUpForm(forms.Form):
    questions = forms.CharField(
        label=_("Follow-up questions"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One question per line. They go to the same vendor as a new round, after approval."
        ),
    )
    submission_token = submission_token_field()


class QuestionnaireWithdrawForm(forms.Form):
    reason = _reason_field(
        _("Why withdraw it"), _("The vendor's link then says it no longer takes answers.")
    )


# Vendors write answers, not essays: long enough for a forensic summary.
MAX_ANSWER_LENGTH = 10_000
ANSWER_NEEDED = _("This question needs an answer before you submit.")
NOT_AN_ASSET_OF_OURS = _("That is not one of our data assets you held: choose from the list.")
AWARE_IN_FUTURE = _("That time is in the future; give when you actually became aware.")
YES_NO_UNKNOWN = [("yes", _("Yes")), ("no", _("No")), ("unknown", _("Unknown"))]
TIME_ZONES = [(zone, zone) for zone in sorted(available_timezones())]


class QuestionnaireAnswerForm(forms.Form):
    """A vendor's answers, one field per question (``q<id>``), saved as a draft or submitted.

    Nothing is required for a draft; submitting needs every required question
    and the respondent's name and email. A data-asset question offers only the
    assets shared with this vendor (anything else is refused) and a records
    count for each. ``answers()`` gives the JSON the service stores, keyed by
    question id; ``uploads()`` the files.
    """

    use_required_attribute = False

    respondent_name = forms.CharField(label=_("Your name"), max_length=200, required=False)
    respondent_email = forms.EmailField(label=_("Your email"), max_length=254, required=False)
    action = forms.ChoiceField(
        choices=[("save", _("Save draft")), ("submit", _("Submit answers"))],
        widget=forms.HiddenInput,
        initial="save",
        error_messages={"invalid_choice": _("Use the Save draft or Submit button.")},
    )

    def __init__(self, *args, questions, assets, draft=None, **kwargs):
        self.questions = list(questions)
        self.assets = {str(asset.pk): asset for asset in assets}
        if draft is not None and not args and "data" not in kwargs:
            kwargs["initial"] = {
                "respondent_name": draft.respondent_name,
                "respondent_email": draft.respondent_email,
                **self._initial_from(draft.answers),
            }
        super().__init__(*args, **kwargs)
        for question in self.questions:
            self._add_fields(question)

    @staticmethod
    def name(question) -> str:
        return f"q{question.pk}"

    def _add_fields(self, question) -> None:
        name = self.name(question)
        common = {"label": question.text, "help_text": question.help_text, "required": False}
        kind = question.Kind
        if question.kind == kind.TEXT:
            field = forms.CharField(
                max_length=MAX_ANSWER_LENGTH, widget=forms.Textarea(attrs={"rows": 3}), **common
            )
        elif question.kind == kind.YES_NO:
            field = forms.ChoiceField(choices=YES_NO_UNKNOWN, widget=forms.RadioSelect, **common)
        elif question.kind == kind.DATETIME:
            field = MomentField(
                widget=LocalDateTimeInput(),
                input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
                error_messages={"invalid": _("Enter a date and time, such as 2026-11-25 09:40.")},
                **common,
            )
            self.fields[f"{name}_zone"] = forms.ChoiceField(
                label=_("Time zone of that time"),
                choices=TIME_ZONES,
                initial="UTC",
                required=False,
            )
        elif question.kind == kind.NUMBER:
            field = forms.IntegerField(
                min_value=0,
                max_value=MAX_RECORDS,
                error_messages={"invalid": _("Enter a whole number, such as 1200.")},
                **common,
            )
        elif question.kind == kind.CHOICE:
            field = forms.ChoiceField(
                choices=[("", "—"), *((choice, choice) for choice in question.choices)], **common
            )
        elif question.kind == kind.DATA_ASSETS:
            field = forms.MultipleChoiceField(
                choices=[(pk, asset.name) for pk, asset in self.assets.items()],
                widget=forms.CheckboxSelectMultiple,
                error_messages={"invalid_choice": NOT_AN_ASSET_OF_OURS},
                **common,
            )
        else:
            field = forms.FileField(allow_empty_file=True, **common)
        self.fields[name] = field
        if question.kind == kind.DATA_ASSETS:
            for pk, asset in self.assets.items():
                self.fields[f"{name}_records_{pk}"] = forms.IntegerField(
                    label=_("Records of “%(asset)s” reached") % {"asset": asset.name},
                    required=False,
                    min_value=0,
                    max_value=MAX_RECORDS,
                    error_messages={"invalid": _("Enter a whole number, such as 1200.")},
                )

    def _initial_from(self, answers: dict) -> dict:
        initial = {}
        for question in self.questions:
            value = answers.get(str(question.pk))
            name = self.name(question)
            if value in (None, "", []):
                continue
            if question.kind == question.Kind.DATETIME:
                initial[name] = value.get("local", "")[:16]
                initial[f"{name}_zone"] = value.get("zone", "UTC")
            elif question.kind == question.Kind.DATA_ASSETS:
                initial[name] = [str(asset["id"]) for asset in value]
                for asset in value:
                    initial[f"{name}_records_{asset['id']}"] = asset.get("records")
            elif question.kind != question.Kind.FILE:
                initial[name] = value
        return initial

    def question_fields(self):
        """Per question, its bound fields in the order a vendor reads them."""
        rows = []
        for question in self.questions:
            name = self.name(question)
            extra = [self[key] for key in self.fields if key.startswith(f"{name}_")]
            rows.append((question, self[name], extra))
        return rows

    @property
    def submitting(self) -> bool:
        return self.cleaned_data.get("action") == "submit"

    def clean(self):
        cleaned = super().clean()
        for question in self.questions:
            name = self.name(question)
            if question.kind == question.Kind.DATETIME and cleaned.get(name):
                zone = cleaned.get(f"{name}_zone") or "UTC"
                local = timezone.make_naive(cleaned[name])
                moment = timezone.make_aware(local, ZoneInfo(zone))
                if moment > timezone.now() + CLOCK_SKEW:
                    self.add_error(name, AWARE_IN_FUTURE)
                cleaned[name] = moment
        if cleaned.get("action") == "submit":
            for question in self.questions:
                name = self.name(question)
                missing = cleaned.get(name) in (None, "", [])
                if question.required and missing and name not in self.errors:
                    self.add_error(name, ANSWER_NEEDED)
            if not cleaned.get("respondent_name", "").strip():
                self.add_error("respondent_name", _("Give your name: it goes with your answers."))
            if not cleaned.get("respondent_email"):
                self.add_error(
                    "respondent_email", _("Give your email, so that we can reply about them.")
                )
        return cleaned

    def answers(self) -> dict:
        """The answers as JSON values, keyed by question id; files are left to ``uploads()``."""
        answers = {}
        for question in self.questions:
            name = self.name(question)
            value = self.cleaned_data.get(name)
            if value in (None, "", []) or question.kind == question.Kind.FILE:
                continue
            if question.kind == question.Kind.DATETIME:
                zone = self.cleaned_data.get(f"{name}_zone") or "UTC"
                value = {
                    "at": iso_utc(value),
                    "zone": zone,
                    "local": value.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M"),
                }
            elif question.kind == question.Kind.DATA_ASSETS:
                value = [
                    {
                        "id": int(pk),
                        "name": self.assets[pk].name,
                        "records": self.cleaned_data.get(f"{name}_records_{pk}"),
                    }
                    for pk in value
                ]
            answers[str(question.pk)] = value
        return answers

    def uploads(self) -> dict:
        return {
            str(question.pk): self.cleaned_data[self.name(question)]
            for question in self.questions
            if question.kind == question.Kind.FILE and self.cleaned_data.get(self.name(question))
        }
