import json
import sys

from django.core.management.base import BaseCommand, CommandError

from incidents.clocks import FactsError, compute_clocks, parse_facts
from vendors.jurisdictions import unknown_codes


class Command(BaseCommand):
    help = "Print the notification clocks that a facts file starts, as JSON ('-' reads stdin)."

    def add_arguments(self, parser):
        parser.add_argument("facts", help="a JSON file of incident facts, or - for stdin")

    def handle(self, *args, **options):
        source = options["facts"]
        try:
            if source == "-":
                text = sys.stdin.read()
            else:
                with open(source, encoding="utf-8") as file:
                    text = file.read()
        except OSError as exc:
            raise CommandError(f"Cannot read {source}: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise CommandError(f"{source} is not UTF-8 text") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CommandError(f"{source} is not valid JSON: {exc}") from None
        except RecursionError:
            raise CommandError(f"{source} nests too deeply to be facts") from None
        try:
            facts = parse_facts(data, unknown_codes=unknown_codes)
        except FactsError as exc:
            raise CommandError(f"Bad facts: {exc}") from None
        clocks = [clock.as_json() for clock in compute_clocks(facts)]
        self.stdout.write(json.dumps(clocks, indent=2, ensure_ascii=False))
