"""CSV that is safe to open in a spreadsheet.

A cell beginning with ``=``, ``+``, ``-`` or ``@`` is run as a formula by
Excel, LibreOffice and Google Sheets (CSV injection: ``=HYPERLINK(...)``), and
so is one where spaces, tabs or line breaks come first (`` =1+1``): the
spreadsheet skips them. Every cell we write goes through ``neutralise``; the
import refuses the same cells (``is_formula``) and reads a neutralised cell
back as it was (``unneutralise``), so an export imports back unchanged.
"""

import csv
import re
from collections.abc import Iterable
from typing import Any

from django.http import StreamingHttpResponse

FORMULA_PREFIXES = ("=", "+", "-", "@")
# A signed number such as -4 or +44 20 7946 0000 is only a number.
_NUMBER = re.compile(r"[+-]?\d[\d,._ ]*")


def is_formula(text: str) -> bool:
    """Whether a spreadsheet would run ``text`` as a formula."""
    stripped = text.lstrip()
    return stripped.startswith(FORMULA_PREFIXES) and not _NUMBER.fullmatch(stripped)


def neutralise(value: Any) -> str:
    """The cell as text, with a leading apostrophe if a spreadsheet would run it.

    A text that already starts with apostrophes before a formula gets one more,
    so that ``unneutralise`` gives back exactly what was written.
    """
    text = "" if value is None else str(value)
    return f"'{text}" if is_formula(text.lstrip("'")) else text


def unneutralise(text: str) -> str:
    """A cell as it was before ``neutralise``: ``'=1+1`` → ``=1+1``; other text unchanged."""
    return text[1:] if text.startswith("'") and is_formula(text.lstrip("'")) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(*, filename: str, header: list[str], rows: Iterable[Iterable[Any]]):
    """Stream rows as a UTF-8 CSV download (with a BOM, so Excel reads UTF-8)."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff" + writer.writerow([neutralise(cell) for cell in header])
        for row in rows:
            yield writer.writerow([neutralise(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
