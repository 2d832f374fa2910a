"""A web worker freezes what it loaded, so that full collections stop walking it (issue 16)."""

import os
import subprocess
import sys

from django.conf import settings

PROBE = """
import gc
made_before = object.__new__(type("Kept", (), {}))
import breachdesk.wsgi
print(gc.get_freeze_count())
print(any(o is made_before for o in gc.get_objects()))
"""


def _run_worker_import() -> list[str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "breachdesk.settings",
        "DEBUG": "1",
        "DATABASE_URL": "sqlite:///:memory:",
    }
    env.pop("REDIS_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.split()


def test_loading_the_wsgi_application_freezes_what_the_worker_loaded():
    frozen, seen_by_collector = _run_worker_import()

    # Django, the apps and the URLconf: well over a hundred thousand objects.
    assert int(frozen) > 50_000
    assert seen_by_collector == "False"
