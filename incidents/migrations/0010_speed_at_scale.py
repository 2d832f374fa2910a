"""The incident list at scale: an indexed next deadline per incident, and indexes for each filter."""

from django.db import migrations, models
from django.db.models import Min, OuterRef, Subquery


def copy_next_deadlines(apps, schema_editor):
    """Fill ``next_deadline_at`` for incidents opened before it existed.

    The same rule as ``incident_next_deadline_refresh``: the nearest due time
    among pending or missed deadlines, leaving out what vendors owed us.
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


class Migration(migrations.Migration):

    dependencies = [
        ('incidents', '0009_reminders_keyed_on_due_time'),
    ]

    operations = [
        migrations.AddField(
            model_name='incident',
            name='next_deadline_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='next deadline'),
        ),
        migrations.RunPython(copy_next_deadlines, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='incident',
            index=models.Index(fields=['next_deadline_at', 'severity', '-discovered_at'], condition=models.Q(('phase', 'closed'), _negated=True), name='incident_open_urgency_idx'),
        ),
        migrations.AddIndex(
            model_name='incident',
            index=models.Index(fields=['next_deadline_at', 'severity', '-discovered_at'], name='incident_urgency_idx'),
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
            index=models.Index(condition=models.Q(('restricted', True)), fields=['next_deadline_at'], name='incident_restricted_idx'),
        ),
        migrations.AddIndex(
            model_name='task',
            index=models.Index(condition=models.Q(('status', 'open')), fields=['incident', 'due_at'], name='task_open_by_incident_idx'),
        ),
    ]
