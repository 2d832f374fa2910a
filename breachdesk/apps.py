from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BreachdeskConfig(AppConfig):
    name = "breachdesk"
    verbose_name = _("BreachDesk")
