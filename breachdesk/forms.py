from django import forms
from django.utils.translation import gettext_lazy as _

from breachdesk.validators import available_time_zones


class PreferencesForm(forms.Form):
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        help_text=_(
            "Deadlines and timeline entries are shown in this zone. "
            "They are stored in UTC, so changing it never changes a recorded time."
        ),
        error_messages={
            "invalid_choice": _("“%(value)s” is not a time zone we know. Pick one from the list."),
            "required": _("Pick a time zone."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [(name, name) for name in available_time_zones()]
