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


class Command(BaseCommand):
    help = "Load the demo users and scenario. Safe to run twice; refused with DEBUG off."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates users with a published password, so it only runs with "
                "DEBUG on. Never load demo data into a production database."
            )
        with transaction.atomic():
            ensure_roles()
            ensure_default_playbook()
            ensure_email_templates()
            seed_demo_users()
            seed_demo_inventory(owner=User.objects.get(username="commander"))
        # The incident is built through the services, each its own transaction.
        seed_demo_incident()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data loaded. Sign in as {', '.join(DEMO_USERS)} "
                f"with the password “{DEMO_PASSWORD}”."
            )
        )
