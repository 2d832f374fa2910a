"""No deletion anywhere may touch an append-only table (issue 10, 3).

Timeline entries and privileged texts refuse every change. A foreign key
whose on-delete rule would change or delete such a row (cascade, set null,
set default, set) turns an ordinary deletion elsewhere into a server error,
or worse, into a silent rewrite of the record. Every relation is checked, so
that a new one cannot bring the problem back.
"""

import pytest
from django.apps import apps
from django.db import DatabaseError, connection, models, transaction

from incidents.models import PrivilegedText, TimelineEntry

APPEND_ONLY = (TimelineEntry, PrivilegedText)


def _foreign_keys():
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.get_fields():
            if field.concrete and (field.many_to_one or field.one_to_one):
                yield model, field


def _name(model, field):
    return f"{model._meta.label}.{field.name} → {field.related_model._meta.label}"


def test_an_append_only_row_is_never_changed_by_deleting_what_it_points_to():
    """Deleting the target must be refused (PROTECT) or left to the database (DO_NOTHING)."""
    touching = [
        f"{_name(model, field)}: {field.remote_field.on_delete.__name__}"
        for model, field in _foreign_keys()
        if issubclass(model, APPEND_ONLY)
        and field.remote_field.on_delete not in (models.PROTECT, models.DO_NOTHING)
    ]

    assert touching == []


def test_a_row_pointing_at_an_append_only_row_protects_it():
    """A row pointing at an entry must never ask for the entry's deletion to cascade to it."""
    touching = [
        f"{_name(model, field)}: {field.remote_field.on_delete.__name__}"
        for model, field in _foreign_keys()
        if issubclass(field.related_model, APPEND_ONLY)
        and field.remote_field.on_delete is not models.PROTECT
    ]

    assert touching == []


def test_the_relations_checked_include_the_timeline_actor():
    checked = {_name(model, field) for model, field in _foreign_keys()}

    assert "incidents.TimelineEntry.actor → breachdesk.User" in checked
    assert "incidents.PrivilegedText.entry → incidents.TimelineEntry" in checked


@pytest.mark.django_db
def test_the_database_refuses_to_change_a_timeline_entry_after_every_migration(incident):
    entry = incident.timeline.first()

    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE incidents_timelineentry SET summary = %s WHERE id = %s",
            ["Rewritten after the fact", entry.pk],
        )

    entry.refresh_from_db()
    assert entry.summary != "Rewritten after the fact"
