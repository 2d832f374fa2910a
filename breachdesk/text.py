"""Fitting composed text into fixed-size columns."""

ELLIPSIS = "…"


def fit(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ending in "…" when cut.

    For text composed from free-length parts (names, titles) going into a
    column of fixed size: the column never overflows, and a reader sees that
    something was left out.
    """
    if len(text) <= limit:
        return text
    return text[: limit - len(ELLIPSIS)].rstrip() + ELLIPSIS
