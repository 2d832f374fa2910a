"""The visual timeline: an incident on a time axis, drawn as SVG on the server.

Framework-free (like the chain and the clocks): facts in, SVG text out, so the
same drawing goes into the timeline page and the PDF report (WeasyPrint draws
inline SVG) with no JavaScript. Every text is XML-escaped here.

Lanes, top to bottom: key moments, phases (spans), deadlines (markers coloured
by status, with a distinct shape and a word each, since colour is never the
only signal), notices (sent and acknowledged), evidence, legal hold (spans).
The drawing is a fixed 960 px wide with 12 px text: in a narrow window its
container scrolls sideways rather than shrinking the words (``.visual-timeline``
in ``static/css/incident-detail.css``), and ``text_alternative`` gives the same
content as a list for screen readers and for anyone who prefers words.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from xml.sax.saxutils import escape

WIDTH = 960
LEFT = 120  # room for the lane names
RIGHT = 30
LANE_HEIGHT = 46
AXIS_HEIGHT = 40
FONT = 12

# Deadline status → (fill colour, marker shape, word). Colours match the badges
# (met green, pending amber, missed red, not required grey).
DEADLINE_STYLE = {
    "met": ("#1a7f37", "circle", "met"),
    "pending": ("#b7791f", "diamond", "pending"),
    "missed": ("#c62828", "cross", "missed"),
    "waived": ("#6b7280", "square", "not required"),
}
_DRAW_ORDER = {"waived": 0, "met": 1, "pending": 2, "missed": 3}
PHASE_COLOURS = {
    "triage": "#c62828",
    "containment": "#d9480f",
    "scoping": "#b7791f",
    "notification": "#1c64b0",
    "recovery": "#1a7f37",
    "closed": "#6b7280",
}


@dataclass(frozen=True)
class Moment:
    at: datetime
    label: str


@dataclass(frozen=True)
class Span:
    starts: datetime
    ends: datetime
    label: str
    key: str = ""  # a phase name, for its colour


@dataclass(frozen=True)
class DeadlineMark:
    at: datetime
    label: str
    status: str  # pending, met, missed, waived


@dataclass(frozen=True)
class NoticeMark:
    at: datetime
    label: str
    acknowledged: bool


@dataclass
class VisualTimeline:
    """What to draw; times are timezone-aware, ``zone_label`` names the zone they are shown in."""

    now: datetime
    key_moments: list[Moment] = field(default_factory=list)
    phases: list[Span] = field(default_factory=list)
    deadlines: list[DeadlineMark] = field(default_factory=list)
    notices: list[NoticeMark] = field(default_factory=list)
    evidence: list[Moment] = field(default_factory=list)
    legal_holds: list[Span] = field(default_factory=list)

    def moments(self) -> list[datetime]:
        times = [m.at for m in self.key_moments + self.evidence]
        times += [d.at for d in self.deadlines] + [n.at for n in self.notices]
        for span in self.phases + self.legal_holds:
            times += [span.starts, span.ends]
        return times


def _range(vt: VisualTimeline) -> tuple[datetime, datetime]:
    times = vt.moments() or [vt.now]
    start, end = min(times), max(times)
    if end - start < timedelta(hours=1):
        end = start + timedelta(hours=1)
    pad = (end - start) * 0.03
    return start - pad, end + pad


def _ticks(start: datetime, end: datetime, localise) -> list[tuple[datetime, str]]:
    """About six ticks on whole hours or days, labelled in the reader's zone."""
    span = end - start
    steps = [timedelta(hours=h) for h in (1, 2, 3, 6, 12, 24, 48, 72, 168, 336, 720)]
    step = next((s for s in steps if span / s <= 7), steps[-1])
    first = localise(start).replace(minute=0, second=0, microsecond=0)
    if step >= timedelta(days=1):
        first = first.replace(hour=0)
    ticks = []
    moment = first
    while moment <= localise(end):
        if moment >= localise(start):
            fmt = "%d %b %H:%M" if step < timedelta(days=1) else "%d %b %Y"
            ticks.append((moment, moment.strftime(fmt)))
        moment += step
    return ticks


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y}" r="6" fill="{colour}"/>'
    if shape == "diamond":
        return (
            f'<path d="M{x:.1f},{y - 7} L{x + 7:.1f},{y} L{x:.1f},{y + 7} L{x - 7:.1f},{y} Z" '
            f'fill="{colour}"/>'
        )
    if shape == "square":
        return f'<rect x="{x - 5:.1f}" y="{y - 5}" width="10" height="10" fill="{colour}"/>'
    return (
        f'<path d="M{x - 6:.1f},{y - 6} L{x + 6:.1f},{y + 6} M{x + 6:.1f},{y - 6} '
        f'L{x - 6:.1f},{y + 6}" stroke="{colour}" stroke-width="3"/>'
    )


def render_svg(vt: VisualTimeline, *, localise, title: str) -> str:
    """The SVG text. ``localise`` turns an aware datetime into the reader's zone."""
    start, end = _range(vt)
    plot = WIDTH - LEFT - RIGHT

    def x_of(moment: datetime) -> float:
        return LEFT + plot * ((moment - start) / (end - start))

    lanes = [
        ("Key moments", vt.key_moments),
        ("Phases", vt.phases),
        # Settled marks first, so that a pending or missed one at the same moment is on top.
        ("Deadlines", sorted(vt.deadlines, key=lambda mark: _DRAW_ORDER.get(mark.status, 0))),
        ("Notices", vt.notices),
        ("Evidence", vt.evidence),
        ("Legal hold", vt.legal_holds),
    ]
    height = AXIS_HEIGHT + LANE_HEIGHT * len(lanes) + 10
    numbers = {id(row[3]): n for n, row in enumerate(_in_time_order(vt), start=1)}
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="visual-timeline-svg" '
        f'width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="vt-title vt-desc" font-family="sans-serif" font-size="{FONT}">',
        f'<title id="vt-title">{escape(title)}</title>',
        f'<desc id="vt-desc">{escape(text_summary(vt))}</desc>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>',
    ]
    for tick, label in _ticks(start, end, localise):
        x = x_of(tick)
        out.append(
            f'<line x1="{x:.1f}" y1="{AXIS_HEIGHT - 8}" x2="{x:.1f}" y2="{height - 10}" '
            'stroke="#d0d4da" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{x:.1f}" y="{AXIS_HEIGHT - 14}" text-anchor="middle" fill="#333">'
            f"{escape(label)}</text>"
        )
    now_x = x_of(vt.now) if start <= vt.now <= end else None
    if now_x is not None:
        out.append(
            f'<line x1="{now_x:.1f}" y1="{AXIS_HEIGHT - 8}" x2="{now_x:.1f}" y2="{height - 10}" '
            'stroke="#111" stroke-width="1" stroke-dasharray="4 3"/>'
        )
        out.append(
            f'<text x="{now_x + 3:.1f}" y="{height - 12}" fill="#111" font-size="10">now</text>'
        )
    for index, (name, items) in enumerate(lanes):
        top = AXIS_HEIGHT + index * LANE_HEIGHT
        middle = top + LANE_HEIGHT // 2
        out.append(
            f'<line x1="{LEFT}" y1="{top + LANE_HEIGHT}" x2="{WIDTH - RIGHT}" '
            f'y2="{top + LANE_HEIGHT}" stroke="#eceef1"/>'
        )
        out.append(
            f'<text x="8" y="{middle + 4}" font-weight="bold" fill="#111">{escape(name)}</text>'
        )
        out += _lane(items, x_of, middle, numbers)
    out.append("</svg>")
    return "\n".join(out)


class _Labels:
    """Places labels in two rows per lane (above and below the line) without overlaps.

    A label that fits nowhere is shortened to its number, which the text
    alternative (and the table under the drawing) spells out.
    """

    CHAR_WIDTH = 6.8  # px per character at FONT size, a little generous

    def __init__(self, middle: int):
        self.rows = {middle - 11: [], middle + 20: []}

    def _fits(self, row: list, start: float, end: float) -> bool:
        return all(end + 6 < left or start > right + 6 for left, right in row)

    def place(self, x: float, number: int, text: str, colour: str = "#111") -> str:
        for words in (f"{number}. {text}", str(number)):
            width = len(words) * self.CHAR_WIDTH
            anchor, start = ("end", x - 8 - width) if x > WIDTH - 180 else ("start", x + 8)
            end = start + width
            for y, row in self.rows.items():
                if self._fits(row, start, end):
                    row.append((start, end))
                    tx = x - 8 if anchor == "end" else x + 8
                    return (
                        f'<text x="{tx:.1f}" y="{y}" text-anchor="{anchor}" fill="{colour}">'
                        f"{escape(words)}</text>"
                    )
        return ""


def _lane(items, x_of, middle: int, numbers: dict[int, int]) -> list[str]:
    out = []
    labels = _Labels(middle)
    for item in items:
        number = numbers[id(item)]
        if isinstance(item, Span):
            x1, x2 = x_of(item.starts), x_of(item.ends)
            colour = PHASE_COLOURS.get(item.key, "#7c3aed")
            out.append(
                f'<rect x="{x1:.1f}" y="{middle - 8}" width="{max(x2 - x1, 3):.1f}" height="16" '
                f'fill="{colour}" fill-opacity="0.85" rx="3">'
                f"<title>{escape(item.label)}</title></rect>"
            )
            words = f"{number}. {item.label}"
            if x2 - x1 > len(words) * _Labels.CHAR_WIDTH + 8:
                inside = f'<text x="{x1 + 4:.1f}" y="{middle + 4}" fill="#fff">'
                out.append(f"{inside}{escape(words)}</text>")
            else:
                out.append(labels.place(x1, number, item.label))
        elif isinstance(item, DeadlineMark):
            colour, shape, word = DEADLINE_STYLE.get(item.status, DEADLINE_STYLE["pending"])
            x = x_of(item.at)
            out.append(_marker(shape, x, middle, colour))
            out.append(labels.place(x, number, f"{item.label} ({word})", colour))
        elif isinstance(item, NoticeMark):
            x = x_of(item.at)
            colour = "#1a7f37" if item.acknowledged else "#1c64b0"
            shape = "circle" if item.acknowledged else "diamond"
            out.append(_marker(shape, x, middle, colour))
            out.append(labels.place(x, number, item.label, colour))
        else:
            x = x_of(item.at)
            out.append(
                f'<line x1="{x:.1f}" y1="{middle - 10}" x2="{x:.1f}" y2="{middle + 10}" '
                'stroke="#111" stroke-width="3"/>'
            )
            out.append(labels.place(x, number, item.label))
    return out


def _in_time_order(vt: VisualTimeline) -> list[tuple[datetime, str, str, object]]:
    """Every drawn item as ``(when, lane, words, item)``, in time order: the numbering."""
    rows: list[tuple[datetime, str, str, object]] = []
    rows += [(m.at, "Key moment", m.label, m) for m in vt.key_moments]
    rows += [(span.starts, "Phase", f"{span.label} began", span) for span in vt.phases]
    for mark in vt.deadlines:
        word = DEADLINE_STYLE.get(mark.status, DEADLINE_STYLE["pending"])[2]
        rows.append((mark.at, "Deadline", f"{mark.label}: {word}", mark))
    rows += [(n.at, "Notice", n.label, n) for n in vt.notices]
    rows += [(e.at, "Evidence", e.label, e) for e in vt.evidence]
    rows += [(span.starts, "Legal hold", "Legal hold placed", span) for span in vt.legal_holds]
    rows.sort(key=lambda row: row[0])
    return rows


def text_summary(vt: VisualTimeline) -> str:
    """One sentence per lane: the SVG's ``desc``."""
    parts = [f"{len(vt.key_moments)} key moments", f"{len(vt.phases)} phases"]
    parts.append(f"{len(vt.deadlines)} deadlines")
    parts.append(f"{len(vt.notices)} notice events")
    parts.append(f"{len(vt.evidence)} evidence files")
    parts.append(f"{len(vt.legal_holds)} legal hold periods")
    return "Incident timeline with " + ", ".join(parts) + "."


def text_alternative(vt: VisualTimeline, *, localise) -> list[tuple[int, str, str, str]]:
    """The drawing in words: ``(number, when, lane, what)`` in time order, ``when`` localised.

    The numbers are those drawn beside each mark.
    """
    return [
        (number, localise(at).strftime("%d %b %Y %H:%M %Z"), lane, what)
        for number, (at, lane, what, _) in enumerate(_in_time_order(vt), start=1)
    ]
