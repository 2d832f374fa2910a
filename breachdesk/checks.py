"""System checks of BreachDesk's own settings."""

from django.conf import settings
from django.core import checks

DEVELOPMENT_MAILER = "breachdesk.E001"


@checks.register(checks.Tags.mail, deploy=True)
def mail_leaves_the_machine(app_configs=None, **kwargs):
    """In production notices must reach people: mail written to files reaches nobody.

    Django's own check (mail.E001) knows only its own development backends.
    """
    backend = settings.MAILERS.get("default", {}).get("BACKEND", "")
    if backend != "breachdesk.mail.EmlFileBackend":
        return []
    return [
        checks.Error(
            "Mail is written to files under DATA_DIR/mail, so no notice or reminder would "
            "reach anyone.",
            hint="Set SMTP_HOST (and SMTP_PORT, SMTP_USER, SMTP_PASSWORD) for production.",
            id=DEVELOPMENT_MAILER,
        )
    ]
