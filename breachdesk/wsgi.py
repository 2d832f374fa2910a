import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

from breachdesk.process import freeze_loaded_objects

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "breachdesk.settings")

application = get_wsgi_application()
# The URLconf is imported now rather than by the first request, so that it is
# frozen with the rest of what each worker keeps for its life.
get_resolver().url_patterns  # noqa: B018
freeze_loaded_objects()
