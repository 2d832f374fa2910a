"""The data of a load run: the demo, one incident per simulated user, and its session.

Run by ``loadtest/run.py`` in the run's throwaway database (DATABASE_URL is
set to it). Prints ``<incident reference> <session key>`` a line, one per
simulated user, for the locustfile: each user is the commander, signed in
beforehand, so that the run measures the pages and not password hashing
(deliberately slow, and the same for every sign-in).
"""

import io
import sys
from datetime import timedelta

import django

django.setup()

from django.core.management import call_command  # noqa: E402  (after django.setup)
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from breachdesk.models import User  # noqa: E402
from incidents import services  # noqa: E402
from incidents.models import Incident  # noqa: E402
from vendors.models import Vendor  # noqa: E402


def main(count: int) -> None:
    call_command("seed_demo", stdout=io.StringIO())
    commander = User.objects.get(username="commander")
    vendors = list(Vendor.objects.filter(status=Vendor.Status.ACTIVE).order_by("name"))
    references = []
    for n in range(count):
        incident = services.incident_open(
            actor=commander,
            title=f"Load run incident {n + 1}",
            vendors=[vendors[n % len(vendors)]],
            source=Incident.Source.VENDOR_NOTICE,
            discovered_at=timezone.now() - timedelta(hours=n % 48),
            summary="Opened by the load run: notes and task changes arrive here.",
        )
        references.append(incident.reference)
    for reference in references:
        browser = Client()
        browser.force_login(commander)
        print(reference, browser.session.session_key)


if __name__ == "__main__":
    main(int(sys.argv[1]))
