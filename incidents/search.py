"""Full-text search over incidents: a tsvector per incident on PostgreSQL, prefix matches.

What is searchable: the reference and title (weight A), the vendors' names
(B), the summary (C) and every note that is not privileged (D). A
privileged note's text is in ``PrivilegedText`` and never enters; its
neutral chain summary is left out too. The vector is written by the
services that change these (``incident_open``, ``note_add``); a GIN index
(migration ``0010_speed_at_scale``, PostgreSQL only) serves ``@@``.

Elsewhere (SQLite in development and tests) nothing is stored and the
selectors fall back to ``icontains`` over the same fields
(``incidents.selectors.lists.incident_search``).

Source: PostgreSQL manual, chapter 12 "Full Text Search" (``to_tsvector``,
``setweight``, ``to_tsquery`` with ``:*`` prefixes); Django's
``django.contrib.postgres.search`` docs.
"""

import re

from django.contrib.postgres.search import SearchQuery, SearchVector, SearchVectorField
from django.db import connection
from django.db.models import F, Func, OuterRef, QuerySet, StringAgg, Subquery, Value
from django.db.models.functions import Replace

from incidents.models import Incident, TimelineEntry

# Names, references and notes in any language: no stemming and no stop
# words, so "Parallax" is found by "parall" and "INC-2026-0042" by "0042".
CONFIG = "simple"
# A search box is for a few words; more are cut, not an error.
MAX_WORDS = 12


def uses_full_text() -> bool:
    """Whether the search vector is kept and read (PostgreSQL), or the fallback is used."""
    return connection.vendor == "postgresql"


def search_words(text: str) -> list[str]:
    """The words of a search box, lower case, at most ``MAX_WORDS``: letters, digits, ``_``."""
    return re.findall(r"\w+", text.lower())[:MAX_WORDS]


def search_query(text: str) -> SearchQuery | None:
    """Every word of ``text`` as a prefix (``parall:* & leak:*``); None when there is none.

    Built from ``search_words`` only, so nothing a reader types reaches the
    tsquery parser except letters, digits and underscores.
    """
    words = search_words(text)
    if not words:
        return None
    return SearchQuery(" & ".join(f"{word}:*" for word in words), search_type="raw", config=CONFIG)


def _joined(rows: QuerySet, field: str) -> Subquery:
    """One outer incident's ``field`` values joined by spaces (NULL when there is none)."""
    joined = (
        rows.order_by()
        .values("incident")
        .annotate(text=StringAgg(field, Value(" ")))
        .values("text")
    )
    return Subquery(joined)


def _document() -> SearchVector:
    vendors = Incident.vendors.through.objects.filter(incident=OuterRef("pk"))
    notes = TimelineEntry.objects.filter(
        incident=OuterRef("pk"), kind=TimelineEntry.Kind.NOTE_ADDED, data__privileged=False
    )
    return (
        # "INC-2026-0042" as three words: PostgreSQL's parser would read
        # "-2026" and "-0042" as negative numbers, which "0042" never matches.
        SearchVector(
            Replace("reference", Value("-"), Value(" ")), "title", weight="A", config=CONFIG
        )
        + SearchVector(_joined(vendors, "vendor__name"), weight="B", config=CONFIG)
        + SearchVector("summary", weight="C", config=CONFIG)
        + SearchVector(_joined(notes, "summary"), weight="D", config=CONFIG)
    )


def search_index_rebuild(incidents: QuerySet[Incident]) -> int:
    """Recompute the search vector of ``incidents`` from what they hold now; 0 off PostgreSQL.

    Returns the number of incidents updated. One UPDATE; for an incident with
    thousands of notes it reads them all, so writes that add one note use
    ``search_index_add_note`` instead.
    """
    if not uses_full_text():
        return 0
    return incidents.update(search_vector=_document())


def search_index_add_note(incident: Incident, text: str) -> None:
    """Append one note that is not privileged to the incident's vector (notes never change)."""
    if not uses_full_text():
        return
    appended = Func(
        Func(
            F("search_vector"),
            template="COALESCE(%(expressions)s, ''::tsvector)",
            output_field=SearchVectorField(),
        ),
        SearchVector(Value(text), weight="D", config=CONFIG),
        arg_joiner=" || ",
        template="%(expressions)s",
        output_field=SearchVectorField(),
    )
    Incident.objects.filter(pk=incident.pk).update(search_vector=appended)
