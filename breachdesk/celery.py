import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "breachdesk.settings")

app = Celery("breachdesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The embedded filesystem broker needs its folders before the first publish.
for key in ("data_folder_in", "processed_folder", "control_folder"):
    folder = app.conf.broker_transport_options.get(key)
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
