"""The incident list at scale: an indexed next deadline per incident, and indexes for each filter."""

import django.contrib.postgres.search
from django.db import migrations, models
from django.db.models import Min, OuterRef, Subquery


def copy_next_deadlines(apps, schema_editor):
    """Fill ``next_deadline_at`` and ``next_task_due_at`` for incidents opened before them.

    The same rules as ``incident_next_deadline_refresh`` (the nearest due time
    among pending or missed deadlines, leaving out what vendors owed us) and
    ``incident_next_task_refresh`` (the earliest due time of an open task).
    """
    Incident = apps.get_model("incidents", "Incident")
    Deadline = apps.get_model("incidents", "Deadline")
    nearest = (
        Deadline.objects.filter(
            incident=OuterRef("pk"), status__in=["pending", "missed"], due_at__isnull=False
        )
        .exclude(rule_id__in=["vendor-sla"])
        .order_by()
        .values("incident")
        .annotate(nearest=Min("due_at"))
        .values("nearest")
    )
    Incident.objects.update(next_deadline_at=Subquery(nearest))
    Task = apps.get_model("incidents", "Task")
    earliest = (
        Task.objects.filter(incident=OuterRef("pk"), status="open", due_at__isnull=False)
        .order_by()
        .values("incident")
        .annotate(earliest=Min("due_at"))
        .values("earliest")
    )
    Incident.objects.update(next_task_due_at=Subquery(earliest))


# On PostgreSQL only: SQLite has no GIN index and keeps no vector (the search
# falls back to icontains there, incidents/search.py). The vectors of existing
# incidents are built with the same document as incidents.search._document.
SEARCH_INDEX = (
    "CREATE INDEX incident_search_idx ON incidents_incident USING gin (search_vector)"
)
SEARCH_BACKFILL = """
UPDATE incidents_incident AS i SET search_vector =
    setweight(to_tsvector('simple', replace(i.reference, '-', ' ') || ' ' || i.title), 'A')
 || setweight(to_tsvector('simple', COALESCE((
        SELECT string_agg(v.name, ' ') FROM incidents_incident_vendors iv
        JOIN vendors_vendor v ON v.id = iv.vendor_id WHERE iv.incident_id = i.id), '')), 'B')
 || setweight(to_tsvector('simple', i.summary), 'C')
 || setweight(to_tsvector('simple', COALESCE((
        SELECT string_agg(e.summary, ' ') FROM incidents_timelineentry e
        WHERE e.incident_id = i.id AND e.kind = 'note_added'
          AND e.data -> 'privileged' = 'false'::jsonb), '')), 'D')
"""


# A renamed vendor is renamed in its incidents' vectors too: the inventory
# never imports incidents (pyproject.toml), so the database does it.
VENDOR_RENAMED = f"""
CREATE FUNCTION incidents_vendor_renamed() RETURNS trigger AS $$
BEGIN
    {SEARCH_BACKFILL} WHERE i.id IN (
        SELECT incident_id FROM incidents_incident_vendors WHERE vendor_id = NEW.id);
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER incidents_vendor_renamed AFTER UPDATE OF name ON vendors_vendor
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION incidents_vendor_renamed();
"""


def add_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SEARCH_INDEX)
        schema_editor.execute(SEARCH_BACKFILL)
        schema_editor.execute(VENDOR_RENAMED)


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS incidents_vendor_renamed ON vendors_vendor")
        schema_editor.execute("DROP FUNCTION IF EXISTS incidents_vendor_renamed()")
        schema_editor.execute("DROP INDEX IF EXISTS incident_search_idx")


class Migration(migrations.Migration):

    dependencies = [
        ('incidents', '0012_legal_review_evidence_reports'),
        ('vendors', '0003_inventory_roles'),
    ]

    operations = [
        migrations.AddField(
            model_name='incident',
            name='next_deadline_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='next deadline'),
        ),
        migrations.AddField(
            model_name='incident',
            name='next_task_due_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='next task due'),
        ),
        migrations.RunPython(copy_next_deadlines, migrations.RunPython.noop),
        migrations.AddField(
            model_name='incident',
            name='search_vector',
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(add_search_index, drop_search_index),
        migrations.AddIndex(
            model_name='incident',
            index=models.Index(fields=['next_deadline_at', 'severity', 'next_task_due_at', '-discovered_at'], condition=models.Q(('phase', 'closed'), _negated=True), name='incident_open_urgency_idx'),
        ),
        migrations.AddIndex(
            model_name='incident',
            index=models.Index(fields=['next_deadline_at', 'severity', 'next_task_due_at', '-discovered_at'], name='incident_urgency_idx'),
        ),
        migrations.AddIndex(
            model_name='incident',
            index=models.Index(fields=['-discovered_at'], name='incident_discovered_idx'),
        ),
        migrations.AddIndex(
            model_name='incident',
            index=models.Index(fields=['severity', 'next_deadline_at'], name='incident_severity_urgency_idx'),
        ),
        migrations.AddIndex(
            model_name='incident',
            index=models.Index(fields=['phase', 'restricted', 'id'], name='incident_visibility_idx'),
        ),
        migrations.AddIndex(
            model_name='task',
            index=models.Index(condition=models.Q(('status', 'open')), fields=['incident', 'due_at'], name='task_open_by_incident_idx'),
        ),
    ]
