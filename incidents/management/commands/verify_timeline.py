"""Re-check incidents' hash chains from the stored rows, for cron: exit 1 on any break."""

from django.core.management.base import BaseCommand, CommandError

from incidents.models import Incident
from incidents.timeline import verify_chain


class Command(BaseCommand):
    help = (
        "Recompute every timeline hash of one incident (by reference) or of all (--all); "
        "print where a chain breaks and exit with status 1 if any does."
    )

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("reference", nargs="?", help="an incident reference, INC-YYYY-NNNN")
        target.add_argument("--all", action="store_true", help="check every incident")

    def handle(self, *args, reference: str | None, all: bool, **options):
        if all:
            incidents = Incident.objects.order_by("reference").only("pk", "reference")
        else:
            incidents = Incident.objects.filter(reference=reference).only("pk", "reference")
            if not incidents:
                raise CommandError(f"No incident {reference}.")
        broken = 0
        for incident in incidents.iterator():
            result = verify_chain(incident)
            if result.ok:
                self.stdout.write(f"{incident.reference}: intact, {result.entries_checked} entries")
            else:
                broken += 1
                self.stdout.write(
                    f"{incident.reference}: BROKEN at entry {result.broken_seq}: "
                    f"{result.problem} ({result.entries_checked} entries before it check out)"
                )
        if broken:
            # CommandError exits with status 1, which cron and monitoring notice.
            raise CommandError(f"{broken} timeline(s) broken.")
