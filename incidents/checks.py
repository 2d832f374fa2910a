"""System checks on the stored record: ``manage.py check --database default``, and migrate."""

from django.core import checks

PRIVILEGED_TEXT_ON_CHAIN = "incidents.E001"


@checks.register(checks.Tags.database)
def privileged_text_off_the_chain(app_configs=None, databases=None, **kwargs):
    """A privileged note whose words are in the chain's summary: it was written before
    privileged texts moved to their own table, and every export would carry it."""
    if not databases:
        return []
    from django.db import connections

    from incidents.models import TimelineEntry
    from incidents.timeline import PRIVILEGED_NOTE_SUMMARY

    errors = []
    for database in databases:
        # migrate runs the checks before it creates the tables.
        if TimelineEntry._meta.db_table not in connections[database].introspection.table_names():
            continue
        leaked = (
            TimelineEntry.objects.using(database)
            .filter(kind=TimelineEntry.Kind.NOTE_ADDED, data__privileged=True)
            .exclude(summary=PRIVILEGED_NOTE_SUMMARY, data__has_key="text_sha256")
            .values_list("incident__reference", "seq")
        )
        for reference, seq in leaked[:50]:
            errors.append(
                checks.Error(
                    f"{reference} entry {seq} is a privileged note whose text is on the hash "
                    "chain, so every reader and every export sees it.",
                    hint="Records from before privileged texts were kept off the chain cannot "
                    "be changed; re-seed the demo, or rebuild the incident's record.",
                    obj=f"{reference}#{seq}",
                    id=PRIVILEGED_TEXT_ON_CHAIN,
                )
            )
    return errors
