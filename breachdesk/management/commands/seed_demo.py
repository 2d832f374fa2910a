from contextlib import contextmanager

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from breachdesk.demo import DEMO_PASSWORD, DEMO_USERS, seed_demo_users
from breachdesk.models import User
from breachdesk.roles import ensure_roles
from incidents.demo import seed_demo_incident
from incidents.email_templates import ensure_email_templates
from incidents.playbooks import ensure_default_playbook
from vendors.demo import seed_demo_inventory


@contextmanager
def all_or_nothing():
    """One transaction around the whole demo, whose services each open a durable one.

    Durable blocks refuse to nest, except in a block marked the way Django's
    own ``TestCase`` marks its transaction (``django.test.testcases``): there
    they become savepoints. A failure anywhere then leaves no half-seeded
    database, and the sends queued on the way are published after the one
    commit.
    """
    block = transaction.atomic()
    block._from_testcase = True
    with block:
        yield


class Command(BaseCommand):
    help = "Load the demo users and scenario. Safe to run twice; refused with DEBUG off."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates users with a published password, so it only runs with "
                "DEBUG on. Never load demo data into a production database."
            )
        with all_or_nothing():
            ensure_roles()
            ensure_default_playbook()
            ensure_email_templates()
            seed_demo_users()
            seed_demo_inventory(owner=User.objects.get(username="commander"))
            seed_demo_incident()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data loaded. Sign in as {', '.join(DEMO_USERS)} "
                f"with the password “{DEMO_PASSWORD}”."
            )
        )
