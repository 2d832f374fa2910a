from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("Incidents")

    def ready(self):
        from incidents import (
            checks,  # noqa: F401 - registers the system checks
            tasks,  # noqa: F401 - registers the Celery tasks services publish
        )
        from incidents.selectors import open_incidents_of_outer_vendor
        from vendors.selectors import set_open_incident_vendors

        set_open_incident_vendors(open_incidents_of_outer_vendor)
