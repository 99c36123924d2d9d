"""Pictures drawn on the server: plain geometry (rectangles, lines, dots, words) computed
from the domain's pictures (app/services/pictures.py), which the `chart` macro of
templates/_chart.html writes out as SVG. Each figure comes in two drawings: a narrow one
for a phone (labels in a lane of their own above their bars, fewer dates on the axis) and a
wide one for a desk and for print; CSS shows one of them.

Words are 13 units high (coalesce.css). The narrow drawing is 300 units wide so that,
scaled to the box a phone gives it (about 326 to 358 px at 390), its words stay at least
12 px: on a phone a picture is read at its own size, never zoomed."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from functools import lru_cache

from markupsafe import Markup, escape

from app import local_time
from app.services.pictures import ApprovalTimeline, Bars, BurnUp, MemberLine

# The drawings' elements are plain slotted records, not frozen ones: a letter of a large
# coalition makes thousands of them, and a frozen record sets each field the slow way.
NARROW, WIDE = 300, 800
TICK_STEPS = (1, 2, 7, 14, 28, 56, 91, 182, 364)  # days between dates on a time axis
LINE = 16  # the height of a line of words
NARROW_CHARACTERS = 40  # about what a line of the narrow drawing holds
WIDE_LABEL_CHARACTERS = 34  # about what the wide drawing's column of names holds


class _Figures(dict[float, str]):
    """Positions as SVG writes them ("12.5", "300"), each written once: the same few come
    back on every row of a drawing (a date's line crosses each row's lane, every line of a
    row starts at the same x). Zero is written each time: 0.0 and -0.0 are one key but
    two texts."""

    def __missing__(self, value: float) -> str:
        text = f"{value:g}"
        if value:
            self[value] = text
        return text


def _escaped(text: str) -> str:
    """`text` escaped as markupsafe's escape() escapes it, at once when there is nothing to
    escape: a drawing writes hundreds of names and dates, nearly all of them plain, and
    making a Markup of each cost more than writing the rest of its element."""
    if type(text) is str and not (
        "&" in text or "<" in text or ">" in text or "'" in text or '"' in text
    ):
        return text
    return str(escape(text))


@dataclass(slots=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    kind: str
    title: str = ""


@dataclass(slots=True)
class Rule:
    x1: float
    y1: float
    x2: float
    y2: float
    kind: str


@dataclass(slots=True)
class Upright:
    """A vertical line at `x` drawn as one line per span (y1, y2): a date or a deadline
    down a phone's drawing, broken around each row's words. One record for all its pieces,
    as a large coalition's timeline has hundreds of rows."""

    x: float
    spans: tuple[tuple[float, float], ...]
    kind: str


@dataclass(slots=True)
class Dot:
    x: float
    y: float
    kind: str
    title: str = ""


@dataclass(slots=True)
class Words:
    x: float
    y: float
    text: str
    anchor: str = "start"
    kind: str = ""


@dataclass(frozen=True)
class Path:
    points: tuple[tuple[float, float], ...]
    kind: str

    @property
    def svg_points(self) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in self.points)


@dataclass
class Drawing:
    width: float
    height: float = 0
    rects: list[Rect] = field(default_factory=list)
    rules: list[Rule | Upright] = field(default_factory=list)
    dots: list[Dot] = field(default_factory=list)
    words: list[Words] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)

    @property
    def layout(self) -> str:
        return "narrow" if self.width <= NARROW else "wide"

    def svg_body(self, hatch: str) -> Markup:
        """The drawing's elements as SVG, every word escaped. Written here rather than in
        the template: a letter of a large coalition draws thousands of them, and a Jinja
        expression per attribute costs more than the rest of its page."""
        kinds: dict[str, str] = {}
        pos = _Figures()

        def code(kind: str) -> str:
            # A drawing names a handful of kinds thousands of times: escaped once each.
            if kind not in kinds:
                kinds[kind] = str(escape(kind))
            return kinds[kind]

        # The end of a line's element, the same for every line of a kind: written once.
        rule_ends: dict[str, str] = {}
        # The spans' heights as written, the same for every upright line that crosses them.
        spans_written: dict[tuple[tuple[float, float], ...], list[tuple[str, str]]] = {}
        parts = []
        for r in self.rules:
            end = rule_ends.get(r.kind)
            if end is None:
                end = rule_ends[r.kind] = (
                    f'" class="rule rule-{code(r.kind)}" data-kind="{code(r.kind)}"/>'
                )
            if isinstance(r, Upright):
                heights = spans_written.get(r.spans)
                if heights is None:
                    heights = spans_written[r.spans] = [(pos[y1], pos[y2]) for y1, y2 in r.spans]
                x = pos[r.x]
                head, middle = f'<line x1="{x}" y1="', f'" x2="{x}" y2="'
                parts += [f"{head}{y1}{middle}{y2}{end}" for y1, y2 in heights]
                continue
            parts.append(
                f'<line x1="{pos[r.x1]}" y1="{pos[r.y1]}" x2="{pos[r.x2]}" y2="{pos[r.y2]}{end}'
            )
        for r in self.rects:
            kind = code(r.kind)
            css = kind if r.kind.startswith("bar-") else f"bar-step bar-{kind}"
            fill = f' fill="url(#{escape(hatch)})"' if r.kind == "overdue" else ""
            parts.append(
                f'<rect x="{pos[r.x]}" y="{pos[r.y]}" '
                f'width="{pos[r.width]}" height="{pos[r.height]}" '
                f'class="bar {css}" data-kind="{kind}"{fill}>'
                f"<title>{_escaped(r.title)}</title></rect>"
            )
        parts += [
            f'<polyline points="{p.svg_points}" fill="none" class="line line-{code(p.kind)}" '
            f'data-kind="{code(p.kind)}"/>'
            for p in self.paths
        ]
        for d in self.dots:
            # Signed is a round mark, the rest square: they differ in shape, not colour alone.
            if d.kind in ("signed", "other"):
                shape, tag = f'<circle cx="{pos[d.x]}" cy="{pos[d.y]}" r="5"', "circle"
            else:
                shape, tag = (
                    f'<rect x="{pos[d.x - 5]}" y="{pos[d.y - 5]}" width="10" height="10"',
                    "rect",
                )
            kind = code(d.kind)
            parts.append(
                f'{shape} class="dot dot-{kind}" data-kind="{kind}">'
                f"<title>{_escaped(d.title)}</title></{tag}>"
            )
        # The middle of a text element, the same for all the words of a kind: written once.
        word_kinds: dict[tuple[str, str], str] = {}
        for w in self.words:
            middle = word_kinds.get((w.anchor, w.kind))
            if middle is None:
                middle = word_kinds[w.anchor, w.kind] = (
                    f'" text-anchor="{code(w.anchor)}" class="words words-{code(w.kind)}">'
                )
            parts.append(f'<text x="{pos[w.x]}" y="{pos[w.y]}{middle}{_escaped(w.text)}</text>')
        # Every word and code above was escaped; the numbers are formatted floats.
        return Markup("".join(parts))  # noqa: S704


@dataclass(frozen=True)
class Figure:
    """A picture with its title, its text alternative, a legend and the same numbers as a
    table."""

    id: str
    title: str
    summary: str
    drawings: tuple[Drawing, ...]
    legend: tuple[tuple[str, str], ...]
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def numbers_rows(self) -> Markup:
        """The rows of the table of numbers, each cell named by its column for a phone's
        stacked table. Written here for the same reason as `Drawing.svg_body`: a letter of
        a large coalition has a row a member, and a Jinja loop per cell costs more than the
        rest of its page."""
        names = [str(escape(heading)) for heading in self.headers]
        if names:
            names[0] = str(escape(self.headers[0] or "Item"))
        parts = []
        for row in self.rows:
            parts.append("<tr>")
            for index, cell in enumerate(row):
                name = names[index] if index < len(names) else ""
                tag = '<th scope="row"' if index == 0 else "<td"
                end = "</th>" if index == 0 else "</td>"
                parts.append(f'{tag} data-label="{name}">{_escaped(cell)}{end}')
            parts.append("</tr>")
        # Every heading and cell was escaped.
        return Markup("".join(parts))  # noqa: S704


def _short(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


def _wrap(text: str, most: int) -> list[str]:
    """Lines of at most `most` characters, broken between words; a word longer than a line
    is shortened."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= most:
            lines[-1] += " " + word
        else:
            lines.append(_short(word, most))
    return lines or [""]


def _day(moment: datetime) -> str:
    return _day_in(moment, local_time.reader_zone.get())


@lru_cache(maxsize=4096)
def _day_in(moment: datetime, zone: str) -> str:
    """ "12 Dec" in the reader's zone: remembered, as a timeline names the same few days
    hundreds of times."""
    local = local_time.local(moment, zone)
    return f"{local.day} {local:%b}"


class TimeScale:
    """Moments to x positions between `left` and `right`."""

    def __init__(self, start: datetime, end: datetime, left: float, right: float) -> None:
        if end - start < timedelta(days=2):
            end = start + timedelta(days=2)
        pad = (end - start) * 0.03
        self.start, self.end = start - pad, end + pad
        self.left, self.right = left, right

    def __call__(self, moment: datetime) -> float:
        share = (moment - self.start) / (self.end - self.start)
        return round(self.left + share * (self.right - self.left), 1)

    def ticks(self, most: int) -> list[datetime]:
        """Midnights in the reader's zone, a whole number of days or weeks apart."""
        span = (self.end - self.start).days + 1
        step = next((s for s in TICK_STEPS if span / s <= most), TICK_STEPS[-1])
        zone = local_time.zone()
        day = local_time.local(self.start).date() + timedelta(days=1)
        if step >= 7:  # weeks start on Mondays, so the dates do not wander
            day += timedelta(days=-day.weekday() % 7)
        found = []
        while (moment := datetime.combine(day, time.min, tzinfo=zone)) < self.end:
            if moment > self.start:
                found.append(moment)
            day += timedelta(days=step)
        return found


def _time_axis(
    drawing: Drawing, scale: TimeScale, spans: Sequence[tuple[float, float]], most: int
) -> None:
    bottom = spans[-1][1]
    crossed = tuple(spans)
    for tick in scale.ticks(most):
        x = scale(tick)
        drawing.rules.append(Upright(x, crossed, "grid"))
        # A date at either edge is set inside the picture rather than cut in half.
        anchor = "start" if x < 24 else "end" if x > drawing.width - 24 else "middle"
        place = {"start": max(x - 4, 2), "end": min(x + 4, drawing.width - 2)}.get(anchor, x)
        drawing.words.append(Words(place, bottom + LINE, _day(tick), anchor, "axis"))


def _markers(
    drawing: Drawing,
    scale: TimeScale,
    markers: Sequence[tuple[str, datetime, str]],
    spans: Sequence[tuple[float, float]],
) -> None:
    """Vertical lines for moments that matter (today, the deadline), each named on a line
    of its own above the picture, so their names never overlap; the lines start below the
    last name and run down each span (the plot, or the stretches of it between rows'
    names), so they never cross words."""
    middle = (scale.left + scale.right) / 2
    crossed = tuple(spans)
    for line, (kind, moment, name) in enumerate(markers):
        x = scale(moment)
        drawing.rules.append(Upright(x, crossed, kind))
        anchor = "start" if x < middle else "end"
        nudge = 3 if anchor == "start" else -3
        y = LINE * (line + 1)
        drawing.words.append(Words(x + nudge, y, f"{name} {_day(moment)}", anchor, kind))


# The approval timeline ---------------------------------------------------------------

STEP_WORDS = {"done": "done", "active": "under way", "waiting": "to come", "rejected": "rejected"}
DOT_KINDS = {"signed": "signed", "declined": "declined", "abstained": "declined"}


def _timeline_markers(t: ApprovalTimeline) -> list[tuple[str, datetime, str]]:
    markers = [("today", t.now, "Today")]
    if t.deadline:
        markers.append(("deadline", t.deadline, "Deadline"))
    if t.recommended_deadline and t.recommended_deadline != t.deadline:
        markers.append(("recommended", t.recommended_deadline, "Recommended"))
    return markers


def _row_lines(row: MemberLine, short_words: str, narrow: bool) -> list[tuple[str, str]]:
    """The row's words, (text, kind) a line: its name and where it stands (`short_words`),
    the same in both drawings. On a phone one line when both fit, else the name over the
    forecast."""
    if narrow:
        both = f"{row.organization_name} · {short_words}"
        if len(both) <= NARROW_CHARACTERS:
            return [(both, "row")]
        return [
            (_short(row.organization_name, NARROW_CHARACTERS), "row"),
            (_short(short_words, NARROW_CHARACTERS), "note"),
        ]
    return [
        (_short(row.organization_name, WIDE_LABEL_CHARACTERS), "row"),
        (_short(short_words, WIDE_LABEL_CHARACTERS), "note"),
    ]


def _timeline_drawing(t: ApprovalTimeline, width: float, short_words: list[str]) -> Drawing:
    """Narrow: each row is a lane of words, then its bars; the lines (today, the deadline,
    the dates) run only beside the bars, so they never cut a row's words. Wide: the words
    in a column of their own left of the plot, the lines down the whole plot."""
    drawing = Drawing(width)
    narrow = width <= NARROW
    markers = _timeline_markers(t)
    moments = [m for _, m, _ in markers]
    for row in t.rows:
        if row.steps:
            moments += [s.starts_at for s in row.steps]
            moments += [s.ends_at for s in row.steps]
        elif row.decided_at:
            moments.append(row.decided_at)
    left, right = (8, width - 8) if narrow else (264, width - 16)
    scale = TimeScale(min(moments), max(moments), left, right)
    top = LINE * len(markers) + 8
    bar = 14
    y = top
    spans: list[tuple[float, float]] = []
    for row, said in zip(t.rows, short_words, strict=True):
        lines = _row_lines(row, said, narrow)
        if narrow:
            for number, (text, kind) in enumerate(lines):
                drawing.words.append(Words(left, y + LINE * (number + 1) - 4, text, kind=kind))
            bar_y = y + LINE * len(lines) + 4
            row_end = bar_y + bar + 6
            spans.append((bar_y - 3, bar_y + bar + 3))
        else:
            row_end = y + LINE * len(lines) + 8
            bar_y = (y + row_end - bar) / 2
            for number, (text, kind) in enumerate(lines):
                drawing.words.append(Words(8, y + LINE * (number + 1), text, kind=kind))
        for step in row.steps:
            x1, x2 = scale(step.starts_at), scale(step.ends_at)
            kind = "overdue" if step.overdue else step.kind
            drawing.rects.append(
                Rect(
                    x1,
                    bar_y,
                    max(x2 - x1 - 1, 2),
                    bar,
                    kind,
                    f"{row.organization_name}: {step.name}",
                )
            )
        if not row.steps and row.decided_at:
            drawing.dots.append(
                Dot(
                    scale(row.decided_at),
                    bar_y + bar / 2,
                    DOT_KINDS.get(row.decision, "other"),
                    f"{row.organization_name}: {row.words}",
                )
            )
        y = row_end
    bottom = y + 4
    if narrow and spans:
        spans[-1] = (spans[-1][0], bottom)
    else:
        spans = [(top - 4, bottom)]
    _time_axis(drawing, scale, spans, 4 if narrow else 8)
    _markers(drawing, scale, markers, spans)
    drawing.height = bottom + LINE + 8
    return drawing


TIMELINE_LEGEND = (
    ("done", "Step done"),
    ("active", "Step under way"),
    ("waiting", "Step still to come (forecast)"),
    ("overdue", "Step overdue"),
    ("signed", "Signed, without approval steps"),
    ("declined", "Declined or abstained, without approval steps"),
    ("other", "Withdrawn"),
    ("deadline", "Sign-on deadline"),
    ("today", "Today"),
    ("recommended", "Recommended deadline"),
)


def approval_timeline(
    t: ApprovalTimeline, figure_id: str = "timeline", row_heading: str = "Member"
) -> Figure:
    shown = {"overdue" if s.overdue else s.kind for row in t.rows for s in row.steps}
    shown |= {DOT_KINDS.get(r.decision, "other") for r in t.rows if r.decided_at and not r.steps}
    shown |= {
        "today",
        "deadline" if t.deadline else "",
        "recommended" if t.recommended_deadline else "",
    }
    # Worked out once for both drawings: a large coalition's letter has a row a member.
    short_words = [row.short_words for row in t.rows]
    # With no row to draw, the words say it all: a picture of only today and the deadline
    # would look like one whose bars failed to load.
    drawn = bool(t.rows)
    return Figure(
        id=figure_id,
        title=t.title,
        summary=t.summary,
        drawings=tuple(_timeline_drawing(t, width, short_words) for width in (NARROW, WIDE))
        if drawn
        else (),
        legend=tuple((kind, words) for kind, words in TIMELINE_LEGEND if kind in shown)
        if drawn
        else (),
        headers=(row_heading, "Where it stands", "Steps"),
        rows=tuple(
            (
                row.organization_name,
                row.words,
                "; ".join(
                    f"{s.name}: {_day(s.starts_at)} to {_day(s.ends_at)} "
                    f"({STEP_WORDS[s.kind]}{', overdue' if s.overdue else ''})"
                    for s in row.steps
                )
                or "no approval steps",
            )
            for row in t.rows
        ),
    )


# A goal's burn-up ----------------------------------------------------------------------


def _steps_line(
    points: Sequence[tuple[datetime, int]],
    start: datetime,
    until: datetime,
    x: Callable[[datetime], float],
    y: Callable[[float], float],
) -> tuple[tuple[float, float], ...]:
    """A count that moves in steps: flat until each moment, then up."""
    line = [(x(start), y(0))]
    for moment, count in points:
        line += [(x(moment), line[-1][1]), (x(moment), y(count))]
    line.append((x(max(until, points[-1][0] if points else start)), line[-1][1]))
    return tuple(line)


def _burn_up_drawing(b: BurnUp, width: float) -> Drawing:
    drawing = Drawing(width)
    narrow = width <= NARROW
    markers = [("today", b.now, "Today"), ("deadline", b.due_at, "Due")]
    total = max((count for _, count in b.scope), default=0)
    top = LINE * len(markers) + 10
    plot_height = 150 if narrow else 180
    bottom = top + plot_height
    scale = TimeScale(b.starts_at, max(b.due_at, b.now), 32, width - 12)

    def y(count: float) -> float:
        return round(bottom - count / max(total, 1) * plot_height, 1)

    for count in sorted({0, total, *range(0, total + 1, max(1, total // 4))}):
        drawing.rules.append(Rule(scale.left, y(count), scale.right, y(count), "grid"))
        drawing.words.append(Words(scale.left - 6, y(count) + 4, str(count), "end", "axis"))
    _time_axis(drawing, scale, [(top - 4, bottom)], 4 if narrow else 8)
    until = min(b.now, b.due_at) if b.health != "done" else b.now
    drawing.paths.append(Path(((scale(b.starts_at), y(0)), (scale(b.due_at), y(total))), "plan"))
    drawing.paths.append(
        Path(_steps_line(b.scope, b.starts_at, max(b.now, b.due_at), scale, y), "scope")
    )
    drawing.paths.append(
        Path(_steps_line(b.done, b.starts_at, max(until, b.now), scale, y), "done")
    )
    for moment, count in b.done:
        drawing.dots.append(
            Dot(scale(moment), y(count), "signed", f"{count} done on {_day(moment)}")
        )
    _markers(drawing, scale, markers, [(top - 4, bottom)])
    drawing.height = bottom + LINE + 8
    return drawing


def goal_burn_up(b: BurnUp, figure_id: str) -> Figure:
    rows = []
    for moment in sorted({m for m, _ in b.scope} | {m for m, _ in b.done}):
        done = max([c for m, c in b.done if m <= moment], default=0)
        scope = max([c for m, c in b.scope if m <= moment], default=0)
        rows.append((_day(moment), str(done), str(scope)))
    return Figure(
        id=figure_id,
        title=b.title,
        summary=b.summary,
        drawings=tuple(_burn_up_drawing(b, width) for width in (NARROW, WIDE)),
        legend=(
            ("done-line", "Objectives done"),
            ("plan", "Steady pace to the due date"),
            ("scope", "Objectives in all"),
            ("deadline", "Due date"),
            ("today", "Today"),
        ),
        headers=("Date", "Done", "Objectives in all"),
        rows=tuple(rows),
    )


# Bars for reports ----------------------------------------------------------------------


def _bars_drawing(bars: Bars, width: float) -> Drawing:
    """A bar a row. Narrow: its label above it, and the counts in words under it, wrapped
    onto as many lines as they need rather than cut."""
    drawing = Drawing(width)
    narrow = width <= NARROW
    most = max((sum(s.value for s in row.segments) for row in bars.rows), default=1) or 1
    left, right = (8, width - 8) if narrow else (240, width - 16)
    y = 6.0
    for row in bars.rows:
        if narrow:
            label = _wrap(row.label, NARROW_CHARACTERS)
            for number, text in enumerate(label):
                drawing.words.append(Words(left, y + LINE * (number + 1) - 4, text, kind="row"))
            bar_y = y + LINE * len(label) + 2
        else:
            bar_y = y + 4
            drawing.words.append(
                Words(8, bar_y + 12, _short(row.label, WIDE_LABEL_CHARACTERS), kind="row")
            )
        x = float(left)
        for segment in row.segments:
            length = segment.value / most * (right - left)
            drawing.rects.append(
                Rect(round(x, 1), bar_y, max(round(length, 1), 1), 16, f"bar-{segment.kind}",
                     f"{row.label}: {segment.words}")
            )  # fmt: skip
            x += length
        # The counts in words under the bar: the colours are not the only way to read it.
        values = _wrap(row.words, NARROW_CHARACTERS if narrow else 72)
        for number, text in enumerate(values):
            drawing.words.append(Words(left, bar_y + 16 + LINE * (number + 1), text, kind="value"))
        y = bar_y + 16 + LINE * len(values) + 10
    drawing.height = y + 2
    return drawing


def bars(b: Bars, figure_id: str) -> Figure:
    kinds: dict[str, str] = {}
    for row in b.rows:
        for segment in row.segments:
            kinds.setdefault(segment.kind, segment.words.lstrip("0123456789. "))
    return Figure(
        id=figure_id,
        title=b.title,
        summary=b.summary,
        drawings=tuple(_bars_drawing(b, width) for width in (NARROW, WIDE)),
        # Rows of one segment are named by their label; stacked ones need the key.
        legend=tuple((f"bar-{kind}", words) for kind, words in kinds.items())
        if any(len(row.segments) > 1 for row in b.rows)
        else (),
        headers=("", b.value_heading),
        rows=tuple((row.label, row.words) for row in b.rows),
    )
