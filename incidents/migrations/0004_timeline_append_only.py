"""The database itself refuses to change or delete a timeline entry.

The ORM refuses too (TimelineEntry.save/delete and its queryset), but legal
relies on the timeline, so a direct SQL UPDATE or DELETE must fail as well.
On SQLite only UPDATE is refused: the test runner empties tables with DELETE
there, while PostgreSQL uses TRUNCATE, which row triggers do not see.
"""

from django.db import migrations

FORWARD = {
    "postgresql": [
        """
        CREATE FUNCTION incidents_timeline_append_only() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION 'timeline entries are append-only (% refused)', TG_OP
                USING ERRCODE = 'integrity_constraint_violation';
        END;
        $$ LANGUAGE plpgsql
        """,
        """
        CREATE TRIGGER incidents_timeline_append_only
            BEFORE UPDATE OR DELETE ON incidents_timelineentry
            FOR EACH ROW EXECUTE FUNCTION incidents_timeline_append_only()
        """,
    ],
    "sqlite": [
        """
        CREATE TRIGGER incidents_timeline_append_only
        BEFORE UPDATE ON incidents_timelineentry
        BEGIN
            SELECT RAISE(ABORT, 'timeline entries are append-only (UPDATE refused)');
        END
        """,
    ],
}
BACKWARD = {
    "postgresql": [
        "DROP TRIGGER IF EXISTS incidents_timeline_append_only ON incidents_timelineentry",
        "DROP FUNCTION IF EXISTS incidents_timeline_append_only()",
    ],
    "sqlite": ["DROP TRIGGER IF EXISTS incidents_timeline_append_only"],
}


def forward(apps, schema_editor):
    for statement in FORWARD.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement, params=None)


def backward(apps, schema_editor):
    for statement in BACKWARD.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("incidents", "0003_default_playbook")]

    operations = [migrations.RunPython(forward, backward)]
