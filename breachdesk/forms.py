from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from breachdesk.fields import TimeZoneField


class PreferencesForm(forms.Form):
    time_zone = TimeZoneField(
        label=_("Time zone"),
        help_text=_(
            "Type a city or region and pick from the suggestions, such as Europe/Berlin. "
            "Deadlines and timeline entries are shown in this zone. "
            "They are stored in UTC, so changing it never changes a recorded time."
        ),
        error_messages={"required": _("Pick a time zone.")},
    )


class SignInForm(AuthenticationForm):
    """Django's sign-in form, refusing a username longer than any account's before checking it.

    Django sets the field's ``max_length`` after the field is built, so no
    validator enforces it; the over-long name would reach the lockout records
    (django-axes, ``varchar(255)``) and fail there on PostgreSQL.
    """

    def clean_username(self):
        username = self.cleaned_data["username"]
        limit = self.fields["username"].max_length
        if len(username) > limit:
            raise forms.ValidationError(
                _("A username has at most %(limit)s characters; this one has %(length)s.")
                % {"limit": limit, "length": len(username)}
            )
        return username


class ApiTokenForm(forms.Form):
    """A new personal API token: a name to recognise it by, how long it lives, read-only or not."""

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What uses it, such as “SIEM export”; shown in your list of tokens."),
        error_messages={"required": _("Name the token, so that you recognise it later.")},
    )
    lifetime_days = forms.TypedChoiceField(
        label=_("Expires after"),
        coerce=int,
        choices=[(7, _("7 days")), (30, _("30 days")), (90, _("90 days")), (365, _("a year"))],
        initial=90,
        widget=forms.RadioSelect,
    )
    read_only = forms.BooleanField(
        label=_("Read only"),
        required=False,
        initial=True,
        help_text=_("It can read what you can read, and change nothing."),
    )


class ApiTokenRevokeForm(forms.Form):
    token_id = forms.IntegerField(min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)


class CodeForm(forms.Form):
    """A code from the authenticator app, or one of the recovery codes."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("The 6 digits your authenticator app shows, or one of your recovery codes."),
        error_messages={
            "required": _("Type the code from your app."),
            "max_length": _("A code is at most %(limit_value)d characters."),
        },
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


class EnrolmentForm(forms.Form):
    """The first code from a newly added authenticator app."""

    code = forms.CharField(
        label=_("Code from your app"),
        max_length=32,
        help_text=_("The 6 digits your authenticator app shows for BreachDesk."),
        error_messages={
            "required": _("Type the code your app shows."),
            "max_length": _("A code is at most %(limit_value)d characters."),
        },
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
