"""Fill the database with incidents at production scale, for ``make bench`` and EXPLAIN.

``python manage.py seed_scale --incidents 10000 --entries-per-incident 100``
adds, in bulk: 200 vendors each with one engagement sharing ten of 2,000 data
assets; the incidents (a tenth of them closed, one in twenty restricted),
each with its commander on the team, one or two vendors, 15 playbook tasks
and 14 pending deadlines (2 met when closed); timeline entries whose hash
chain verifies, built with ``incidents.chain`` as the product builds its own;
one incident with 5,000 entries; and the demo ``responder`` (a Responder, who
sees only incidents they are on) on every tenth incident. It refuses to run
with DEBUG off: it is test data, never for a real database.

Numbers are spread deterministically (``n % k``), so two runs at the same
size build the same shapes and the bench compares like with like.
"""

from collections.abc import Iterator
from datetime import datetime, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from rich.progress import Progress

from breachdesk.demo import seed_demo_users
from breachdesk.roles import ensure_roles
from incidents.chain import GENESIS_HASH, chain_hash, make_body
from incidents.clocks.rules import RULES
from incidents.models import (
    PHASE_ORDER,
    Deadline,
    Incident,
    IncidentMember,
    ReferenceCounter,
    Task,
    TimelineEntry,
)
from incidents.search import search_index_rebuild
from incidents.services.deadlines import next_reminder_time
from vendors.models import DataAsset, Engagement, Vendor

VENDORS = 200
ASSETS = 2_000
TASKS_PER_INCIDENT = 15
PENDING_DEADLINES = 14
BIG_INCIDENT_ENTRIES = 5_000
# Incidents written per transaction: big enough for bulk inserts to pay,
# small enough to keep memory flat at a million timeline entries.
CHUNK = 250
SCALE_RULES = RULES[:PENDING_DEADLINES]
NOTES = (
    "Vendor confirmed the affected storage was locked down at {t}.",
    "Called the vendor's security lead; awaiting their forensic report.",
    "Counsel review of notification duties scheduled.",
    "Rotated the integration credentials shared with the vendor.",
    "Customer success asked for a holding statement.",
)
SEVERITIES = list(Incident.Severity.values)


def refuse_without_debug() -> None:
    if not settings.DEBUG:
        raise CommandError("seed_scale writes test data: it runs only with DEBUG on.")


class ScaleBuilder:
    """Writes the data; ``run`` reports progress through ``advance(count)``."""

    def __init__(
        self,
        *,
        incidents: int,
        entries: int,
        big_entries: int = BIG_INCIDENT_ENTRIES,
        now: datetime | None = None,
    ):
        if incidents < 1 or entries < 1:
            raise CommandError("--incidents and --entries-per-incident must be at least 1.")
        self.incidents = incidents
        self.entries = entries
        self.big_entries = big_entries
        self.now = now or timezone.now()

    # --- people and inventory ---------------------------------------------------------

    def people_and_inventory(self) -> None:
        ensure_roles()
        users = {user.username: user for user in seed_demo_users()}
        self.commander = users["commander"]
        self.responder = users["responder"]
        vendors = Vendor.objects.bulk_create(
            Vendor(
                name=f"Scale vendor {n:03}",
                slug=f"scale-vendor-{n:03}",
                jurisdictions=["IE", "US-CA"] if n % 2 else ["DE"],
                notify_us_within_hours=24 + n % 48,
            )
            for n in range(VENDORS)
        )
        assets = DataAsset.objects.bulk_create(
            DataAsset(
                name=f"Scale asset {n:04}",
                slug=f"scale-asset-{n:04}",
                personal_data=n % 3 == 0,
                subject_jurisdictions=["DE"] if n % 2 else ["US-CA"],
            )
            for n in range(ASSETS)
        )
        engagements = Engagement.objects.bulk_create(
            Engagement(vendor=vendor, name=f"{vendor.name} engagement", owner=self.commander)
            for vendor in vendors
        )
        per_vendor = ASSETS // VENDORS
        Engagement.data_assets.through.objects.bulk_create(
            Engagement.data_assets.through(engagement=engagement, dataasset=asset)
            for n, engagement in enumerate(engagements)
            for asset in assets[n * per_vendor : (n + 1) * per_vendor]
        )
        self.vendors = vendors

    # --- incidents ----------------------------------------------------------------------

    def _incident(self, n: int) -> Incident:
        discovered = self.now - timedelta(hours=6 + (n * 7) % (24 * 700))
        closed = n % 10 == 9
        phase = Incident.Phase.CLOSED if closed else PHASE_ORDER[n % (len(PHASE_ORDER) - 1)]
        return Incident(
            reference="",
            title=f"Vendor breach {n}: exposed {('bucket', 'API key', 'backup', 'laptop')[n % 4]}",
            summary=f"Scale incident {n}. The vendor reported unauthorised access to shared data.",
            severity=SEVERITIES[n % len(SEVERITIES)],
            source="vendor_notice",
            discovered_at=discovered,
            commander=self.commander,
            phase=phase,
            restricted=n % 20 == 7,
        )

    def _references(self, incidents: list[Incident], start: int) -> None:
        for offset, incident in enumerate(incidents):
            incident.reference = f"INC-{self.now.year}-{start + offset + 1:04d}"

    def _tasks(self, incident: Incident, n: int) -> Iterator[Task]:
        current = PHASE_ORDER.index(incident.phase)
        for order in range(TASKS_PER_INCIDENT):
            phase_index = order % (len(PHASE_ORDER) - 1)
            done = phase_index < current
            yield Task(
                incident=incident,
                phase=PHASE_ORDER[phase_index],
                order=order,
                title=f"Step {order + 1}",
                # One open task in three is overdue by a few hours.
                due_at=self.now + timedelta(hours=(order - 5) * 4 + n % 3),
                status=Task.Status.DONE if done else Task.Status.OPEN,
                resolved_at=self.now if done else None,
            )

    def _deadlines(self, incident: Incident, n: int) -> list[Deadline]:
        closed = incident.phase == Incident.Phase.CLOSED
        deadlines = []
        for k, rule in enumerate(SCALE_RULES[: 2 if closed else PENDING_DEADLINES]):
            # Every due time at least four days away: the reminder sweep has
            # nothing to send until a bench scenario moves some into its window.
            due = self.now + timedelta(days=4 + (n + k * 13) % 90, minutes=n % 60)
            deadline = Deadline(
                incident=incident,
                rule_id=rule.id,
                regime=rule.regime,
                recipient=rule.recipient,
                citation=rule.citation,
                confidence=rule.confidence,
                standard=f"{rule.value} hours",
                trigger=rule.trigger,
                starts_at=incident.discovered_at,
                due_at=due,
                status=Deadline.Status.MET if closed else Deadline.Status.PENDING,
                met_at=incident.discovered_at if closed else None,
            )
            deadline.next_reminder_at = next_reminder_time(deadline, set())
            deadlines.append(deadline)
        return deadlines

    def _entries(self, incident: Incident, count: int) -> list[TimelineEntry]:
        entries = []
        prev = GENESIS_HASH
        for seq in range(1, count + 1):
            moment = incident.discovered_at + timedelta(seconds=seq)
            if seq == 1:
                kind, summary, data = "incident_opened", f"Opened: {incident.title}", {}
            else:
                text = NOTES[seq % len(NOTES)].format(t=moment.strftime("%H:%M"))
                kind, summary, data = "note_added", text, {"privileged": False}
            body = make_body(
                seq=seq,
                incident=incident.reference,
                occurred_at=moment,
                recorded_at=moment,
                actor=self.commander.username,
                kind=kind,
                summary=summary,
                data=data,
            )
            digest = chain_hash(prev, body)
            entries.append(
                TimelineEntry(
                    incident=incident,
                    seq=seq,
                    occurred_at=moment,
                    recorded_at=moment,
                    actor=self.commander,
                    actor_name=self.commander.username,
                    kind=kind,
                    summary=summary,
                    data=data,
                    prev_hash=prev,
                    hash=digest,
                )
            )
            prev = digest
        return entries

    @transaction.atomic
    def chunk(self, start: int, stop: int) -> None:
        incidents = [self._incident(n) for n in range(start, stop)]
        self._references(incidents, start)
        deadlines = {}
        for n, incident in zip(range(start, stop), incidents, strict=True):
            deadlines[n] = self._deadlines(incident, n)
            pending = [d.due_at for d in deadlines[n] if d.status == Deadline.Status.PENDING]
            incident.next_deadline_at = min(pending, default=None)
        tasks = {
            n: list(self._tasks(incident, n))
            for n, incident in zip(range(start, stop), incidents, strict=True)
        }
        for n, incident in zip(range(start, stop), incidents, strict=True):
            incident.next_task_due_at = min(
                (t.due_at for t in tasks[n] if t.status == Task.Status.OPEN), default=None
            )
        Incident.objects.bulk_create(incidents)
        links = Incident.vendors.through
        links.objects.bulk_create(
            links(incident=incident, vendor=self.vendors[(n + k * 37) % VENDORS])
            for n, incident in zip(range(start, stop), incidents, strict=True)
            for k in range(1 + n % 2)
        )
        members = [
            IncidentMember(
                incident=incident, user=self.commander, role=IncidentMember.Role.COMMANDER
            )
            for incident in incidents
        ]
        members += [
            IncidentMember(
                incident=incident, user=self.responder, role=IncidentMember.Role.RESPONDER
            )
            for n, incident in zip(range(start, stop), incidents, strict=True)
            if n % 10 == 3 or n == 0
        ]
        IncidentMember.objects.bulk_create(members)
        Task.objects.bulk_create(task for batch in tasks.values() for task in batch)
        Deadline.objects.bulk_create(d for batch in deadlines.values() for d in batch)
        entries = []
        for n, incident in zip(range(start, stop), incidents, strict=True):
            entries += self._entries(incident, self.big_entries if n == 0 else self.entries)
        TimelineEntry.objects.bulk_create(entries, batch_size=5_000)

    def finish(self) -> None:
        counter, _ = ReferenceCounter.objects.get_or_create(year=self.now.year)
        counter.last_number = max(counter.last_number, self.incidents)
        counter.save(update_fields=["last_number"])
        search_index_rebuild(Incident.objects.all())

    def run(self, advance=lambda count: None) -> None:
        if Incident.objects.exists():
            raise CommandError("seed_scale fills an empty database; this one has incidents.")
        self.people_and_inventory()
        for start in range(0, self.incidents, CHUNK):
            stop = min(start + CHUNK, self.incidents)
            self.chunk(start, stop)
            advance(stop - start)
        self.finish()


class Command(BaseCommand):
    help = "Add incidents, tasks, deadlines and timeline entries at scale (DEBUG only)."

    def add_arguments(self, parser):
        parser.add_argument("--incidents", type=int, default=10_000)
        parser.add_argument("--entries-per-incident", type=int, default=100)

    def handle(self, *args, incidents: int, entries_per_incident: int, **options):
        refuse_without_debug()
        builder = ScaleBuilder(incidents=incidents, entries=entries_per_incident)
        with Progress(transient=False) as progress:
            bar = progress.add_task("Incidents", total=incidents)
            builder.run(lambda count: progress.advance(bar, count))
        self.stdout.write(f"Added {incidents:,} incidents.")
