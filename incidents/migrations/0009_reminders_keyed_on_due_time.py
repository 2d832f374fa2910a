"""Reminders keyed on the due time they were for; the sweep reads ``next_reminder_at``.

Existing claim rows take the due time their deadline has now (task reminders:
their task's due time and assignee), so nothing already sent is sent again.
Every open deadline with a due time is marked due for the next sweep, which
works out its real next reminder from its claims. Timeline entries' actors are
protected: deleting a person must never touch an append-only row.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def fill(apps, schema_editor):
    DeadlineReminder = apps.get_model("incidents", "DeadlineReminder")
    TaskReminder = apps.get_model("incidents", "TaskReminder")
    Deadline = apps.get_model("incidents", "Deadline")
    for reminder in DeadlineReminder.objects.select_related("deadline"):
        reminder.due_at = reminder.deadline.due_at or reminder.created_at
        reminder.save(update_fields=["due_at"])
    TaskReminder.objects.filter(task__assignee__isnull=True).delete()
    for reminder in TaskReminder.objects.select_related("task"):
        reminder.assignee_id = reminder.task.assignee_id
        reminder.due_at = reminder.task.due_at or reminder.created_at
        reminder.save(update_fields=["assignee", "due_at"])
    Deadline.objects.filter(status__in=["pending", "missed"], due_at__isnull=False).exclude(
        rule_id="vendor-sla"
    ).update(next_reminder_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0008_privileged_texts_and_shared_pauses"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="deadlinereminder",
            name="due_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.AlterField(
            model_name="taskreminder",
            name="task",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="reminders",
                to="incidents.task",
            ),
        ),
        migrations.AddField(
            model_name="taskreminder",
            name="assignee",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="taskreminder",
            name="due_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.AddField(
            model_name="deadline",
            name="next_reminder_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="deadline",
            name="reminder_error",
            field=models.TextField(blank=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="deadlinereminder",
            name="due_at",
            field=models.DateTimeField(),
        ),
        migrations.AlterField(
            model_name="taskreminder",
            name="assignee",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="taskreminder",
            name="due_at",
            field=models.DateTimeField(),
        ),
        migrations.RemoveConstraint(
            model_name="deadlinereminder",
            name="deadline_reminder_once_per_offset",
        ),
        migrations.AddConstraint(
            model_name="deadlinereminder",
            constraint=models.UniqueConstraint(
                fields=("deadline", "offset", "due_at"),
                name="deadline_reminder_once_per_offset_and_due_time",
            ),
        ),
        migrations.AddConstraint(
            model_name="taskreminder",
            constraint=models.UniqueConstraint(
                fields=("task", "assignee", "due_at"),
                name="task_reminder_once_per_assignee_and_due_time",
            ),
        ),
        migrations.RemoveIndex(
            model_name="deadline",
            name="deadline_open_due_idx",
        ),
        migrations.AddIndex(
            model_name="deadline",
            index=models.Index(
                condition=models.Q(("next_reminder_at__isnull", False)),
                fields=["next_reminder_at"],
                name="deadline_next_reminder_idx",
            ),
        ),
        migrations.AlterField(
            model_name="timelineentry",
            name="actor",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
    ]
