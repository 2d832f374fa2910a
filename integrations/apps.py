from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("Webhooks and chat")

    def ready(self):
        from integrations import tasks  # noqa: F401 - registers the Celery tasks services publish
