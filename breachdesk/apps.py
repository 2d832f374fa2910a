from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BreachdeskConfig(AppConfig):
    name = "breachdesk"
    verbose_name = _("BreachDesk")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from breachdesk import (
            checks,  # noqa: F401 - registers the system checks
            grants,  # noqa: F401 - connects the signals that renew cached grants
        )
        from breachdesk.middleware import session_signed_in

        user_logged_in.connect(session_signed_in, dispatch_uid="breachdesk-session-signed-in")
