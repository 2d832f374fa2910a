from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from breachdesk.fields import IdChoiceField, IdMultipleChoiceField, PlausibleDateField
from breachdesk.models import User
from breachdesk.submissions import submission_token_field
from vendors.jurisdictions import split_codes, unknown_codes
from vendors.models import (
    MAX_RECORDS,
    MAX_WINDOW_HOURS,
    DataAsset,
    Engagement,
    EngagementAccess,
    Stakeholder,
    StakeholderContact,
    Vendor,
    VendorContact,
)
from vendors.validators import PAUSED, UNKNOWN_JURISDICTIONS


class JurisdictionCodesField(forms.CharField):
    """Codes typed as "DE, FR, US-CA", cleaned to ``["DE", "FR", "US-CA"]``."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 2000)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(value)
        return value

    def to_python(self, value):
        return split_codes(super().to_python(value))

    def validate(self, value):
        super().validate(value)
        unknown = unknown_codes(value)
        if unknown:
            raise ValidationError(
                UNKNOWN_JURISDICTIONS,
                code="unknown_jurisdiction",
                params={"codes": ", ".join(unknown)},
            )

    def run_validators(self, value):
        # The length limit applies to what was typed, which was checked before splitting.
        return None


def window_hours_field(model_field) -> forms.IntegerField:
    return forms.IntegerField(
        label=model_field.verbose_name.capitalize(),
        required=False,
        min_value=1,
        max_value=MAX_WINDOW_HOURS,
        help_text=model_field.help_text,
        error_messages={
            "min_value": _("A notification window is at least 1 hour."),
            "max_value": _("A notification window longer than a year is not plausible."),
            "invalid": _("Enter the window in whole hours, such as 48."),
        },
    )


class UniqueNameMixin:
    """Reports a duplicate name next to the name field, not at the top of the form.

    The database constraint is case-insensitive; so is this check. The
    constraint stays the final word when two people save at once.
    """

    duplicate_name_message: str

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise ValidationError(_("Give it a name."), code="required")
        if self.name_taken(name):
            raise ValidationError(self.duplicate_name_message, code="duplicate")
        return name

    def name_taken(self, name: str) -> bool:
        """Whether another record has this name, in any case.

        The CSV import answers from the names it fetched once per file.
        """
        others = type(self.instance).objects.filter(name__iexact=name)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        return others.exists()


class StatusOutsidePauseMixin:
    """Status is offered only outside a pause: "paused" comes and goes with an incident.

    On a paused record the field is left out (the page says why); otherwise
    "paused" is not among the choices. The service refuses either move too.
    """

    def limit_status(self) -> None:
        if self.instance.pk and self.instance.status == PAUSED:
            del self.fields["status"]
            return
        field = self.fields["status"]
        field.choices = [(value, label) for value, label in field.choices if value != PAUSED]


def _people():
    return User.objects.filter(is_active=True).order_by("first_name", "last_name", "username")


class PersonChoiceField(IdChoiceField):
    default_error_messages = {
        "invalid_choice": _("That person is not among the active users; pick one from the list."),
    }

    def label_from_instance(self, user):
        return user.display_name


class VendorForm(UniqueNameMixin, StatusOutsidePauseMixin, forms.ModelForm):
    submission_token = submission_token_field()

    duplicate_name_message = _("A vendor with this name already exists.")
    jurisdictions = JurisdictionCodesField(
        label=_("Processes our data in"),
        help_text=Vendor._meta.get_field("jurisdictions").help_text,
    )
    relationship_owner = PersonChoiceField(
        queryset=_people(), required=False, label=_("Relationship owner")
    )
    notify_us_within_hours = window_hours_field(Vendor._meta.get_field("notify_us_within_hours"))

    class Meta:
        model = Vendor
        fields = [
            "name",
            "services",
            "tier",
            "status",
            "relationship_owner",
            "notify_us_within_hours",
            "jurisdictions",
        ]
        widgets = {"services": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_status()


class VendorContactForm(forms.ModelForm):
    submission_token = submission_token_field()

    class Meta:
        model = VendorContact
        fields = ["name", "email", "role", "is_security_contact"]

    def __init__(self, *args, vendor: Vendor, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.vendor = vendor


class StakeholderForm(UniqueNameMixin, forms.ModelForm):
    submission_token = submission_token_field()

    duplicate_name_message = _("A stakeholder with this name already exists.")
    notify_within_hours = window_hours_field(Stakeholder._meta.get_field("notify_within_hours"))

    class Meta:
        model = Stakeholder
        fields = ["name", "kind", "notify_within_hours", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class StakeholderContactForm(forms.ModelForm):
    submission_token = submission_token_field()

    class Meta:
        model = StakeholderContact
        fields = ["name", "email", "role"]

    def __init__(self, *args, stakeholder: Stakeholder, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.stakeholder = stakeholder


class DataAssetForm(UniqueNameMixin, forms.ModelForm):
    submission_token = submission_token_field()

    duplicate_name_message = _("A data asset with this name already exists.")
    subject_jurisdictions = JurisdictionCodesField(
        label=_("Data subjects in"),
        help_text=DataAsset._meta.get_field("subject_jurisdictions").help_text,
    )
    approx_records = forms.IntegerField(
        label=_("Approximate records"),
        required=False,
        min_value=0,
        max_value=MAX_RECORDS,
        help_text=DataAsset._meta.get_field("approx_records").help_text,
        error_messages={
            "max_value": _("That is more records than is plausible; check the number."),
            "min_value": _("The number of records cannot be negative."),
            "invalid": _("Enter the number of records as a whole number, such as 120000."),
        },
    )
    stakeholders = IdMultipleChoiceField(
        queryset=Stakeholder.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Whose data"),
        help_text=DataAsset._meta.get_field("stakeholders").help_text,
        error_messages={
            "invalid_choice": _("One of the stakeholders chosen no longer exists; pick again."),
        },
    )

    class Meta:
        model = DataAsset
        fields = [
            "name",
            "kind",
            "classification",
            "description",
            "owning_team",
            "approx_records",
            "personal_data",
            "special_category_data",
            "health_data",
            "financial_data",
            "subject_jurisdictions",
            "stakeholders",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class EngagementForm(StatusOutsidePauseMixin, forms.ModelForm):
    submission_token = submission_token_field()

    owner = PersonChoiceField(queryset=_people(), required=False, label=_("Owner"))
    data_assets = IdMultipleChoiceField(
        queryset=DataAsset.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Data shared"),
        help_text=_("Everything we share with the vendor under this engagement."),
        error_messages={
            "invalid_choice": _("One of the data assets chosen no longer exists; pick again."),
        },
    )
    started_on = PlausibleDateField(
        label=_("Started on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a date, such as 2024-03-01.")},
    )
    ended_on = PlausibleDateField(
        label=_("Ended on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a date, such as 2026-06-30.")},
    )

    class Meta:
        model = Engagement
        fields = ["name", "description", "owner", "status", "started_on", "ended_on", "data_assets"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, vendor: Vendor, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.vendor = vendor
        self.limit_status()

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if self.name_taken(name):
            raise ValidationError(
                _("This vendor already has an engagement with this name."), code="duplicate"
            )
        return name

    def name_taken(self, name: str) -> bool:
        """Whether the vendor has another engagement of this name.

        The CSV import answers from the engagements it fetched once per file.
        """
        others = Engagement.objects.filter(vendor=self.instance.vendor, name__iexact=name)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        return others.exists()

    def clean(self):
        cleaned = super().clean()
        started, ended = cleaned.get("started_on"), cleaned.get("ended_on")
        if started and ended and ended < started:
            self.add_error("ended_on", _("An engagement cannot end before it started."))
        return cleaned


class EngagementAccessForm(forms.ModelForm):
    submission_token = submission_token_field()

    class Meta:
        model = EngagementAccess
        fields = ["kind", "description"]
        labels = {"description": _("What was granted")}
        help_texts = {
            "description": _("A system, account or key, e.g. “S3 bucket training-uploads (write)”.")
        }
