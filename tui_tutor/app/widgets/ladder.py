"""The packet log as a ladder (flow) diagram: time flows down, arrows cross between peers.

A label is never cut. When the ladder is narrow it gives up, in this order, the
extra shaft around labels, the time column and the spelt-out flags (``S.`` as tcpdump
writes SYN,ACK); a row that still does not fit takes two lines or more, its label
above its arrow, a retransmission's note (``↻ of #6, RTO 2 s``) whole on its line.
The newest rows stay in view; older ones scroll back (wheel, shift+↑).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.containers import Vertical
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Static

from ...engine import Role
from ...ladder import arrow, label_text
from ..scene import LadderRow
from .keys import update_if_changed
from .repaint import refresh_changed_rows

CLIENT_STYLE = "cyan"
SERVER_STYLE = "magenta"


@dataclass(frozen=True)
class Fit:
    """How much a row gives up to fit: one step of the order in the module's docstring."""

    shaft: int  # least shaft beside a label
    time: bool
    short: bool  # tcpdump flags


# the whole ladder: padding, then the time column, goes first
FITS = (Fit(3, True, False), Fit(1, True, False), Fit(1, False, False))
# then each row that still does not fit, on its own: tcpdump flags
ROW_FITS = (Fit(1, False, True),)


def row_label(row: LadderRow, fit: Fit) -> str:
    if row.kind == "pending":
        return row.label
    text = label_text(row.flags, row.seq, row.ack, row.length, short=fit.short)
    return f"{text} {row.note}" if row.note else text


class LadderLines:
    """The ladder as lines of text for one width (no Textual here, so tests can read it)."""

    def __init__(self, rows: list[LadderRow], heading: tuple[str, str], width: int) -> None:
        self.width = max(12, width)
        self.rows = rows
        self.number_width = max([1, *(len(str(r.number)) for r in rows if r.number)])
        self.fit = self._choose()
        self.gutter = self.number_width + 1 + (8 if self.fit.time else 0)
        self.heading = self._heading(heading)
        self.lines = [line for row in rows for line in self._row(row)]

    def _choose(self) -> Fit:
        for fit in FITS:
            span = self.width - self.number_width - 1 - (8 if fit.time else 0)
            if all(self._fits(r, fit, span) for r in self.rows if r.kind != "timer"):
                return fit
        return FITS[-1]

    @staticmethod
    def _fits(row: LadderRow, fit: Fit, span: int) -> bool:
        return _arrow_width(row_label(row, fit), fit.shaft, row.lost) <= span

    def _heading(self, names: tuple[str, str]) -> Text:
        left, right = names
        head = Text(" " * self.gutter)
        gap = max(1, self.width - self.gutter - cell_len(left) - cell_len(right))
        head.append(left + " " * gap + right, style="bold")
        return head

    def _prefix(self, row: LadderRow) -> Text:
        number = f"{row.number:>{self.number_width}}" if row.number else " " * self.number_width
        text = number + " "
        if self.fit.time:
            text += ("   ?   " if row.time is None else f"{row.time:7.3f}"[-7:]) + " "
        return Text(text, style="bold" if row.fresh else "dim")

    def _row(self, row: LadderRow) -> list[Text]:
        span = self.width - self.gutter
        if row.kind == "timer":
            style = "italic yellow" if row.fresh else "dim"
            when = "" if self.fit.time or row.time is None else f"{row.time:.3f} "
            words = _wrap(f"◷ {when}{row.label}", span)
            first = self._prefix(row)
            first.append(words[0], style=style)
            return [first, *(Text(" " * self.gutter + w, style=style) for w in words[1:])]
        fit = next((f for f in (self.fit, *ROW_FITS) if self._fits(row, f, span)), ROW_FITS[-1])
        label = row_label(row, fit)
        rightward = row.sender is not Role.SERVER
        style = CLIENT_STYLE if rightward else SERVER_STYLE
        if row.kind == "pending":
            style = "bold"
        if row.fresh:
            style = f"bold {style}"
        line = self._prefix(row)
        if self._fits(row, fit, span):
            line.append_text(_arrow(label, span, rightward, row.lost, style))
            return [line]
        # too long even now: the label on its own lines, then a bare arrow; no number cut,
        # and the note kept in one piece where a line holds it
        words = _wrap(row_label(replace(row, note=""), fit), span - 2)
        if row.note and row.kind != "pending":
            joined = f"{words[-1]} {row.note}"
            if cell_len(joined) <= span - 2:
                words[-1] = joined
            elif cell_len(row.note) <= span - 2:
                words.append(row.note)
            else:
                words += _wrap(row.note, span - 2)
        lines = []
        for i, word in enumerate(words):
            text = ("│ " + word) if rightward else (word + " │").rjust(span)
            prefix = line if i == 0 else Text(" " * self.gutter)
            lines.append(Text.assemble(prefix, Text(text, style=style)))
        lines.append(
            Text.assemble(
                Text(" " * self.gutter), _arrow("", span, rightward, row.lost, style, bare=True)
            )
        )
        return lines


def _arrow_width(label: str, shaft: int, lost: bool) -> int:
    """Cells an arrow needs for ``label``: bars, heads, the blanks around it, ``shaft``."""
    return cell_len(label) + 6 + shaft + (2 if lost else 0)


def _arrow(
    label: str, span: int, rightward: bool, lost: bool, style: str, bare: bool = False
) -> Text:
    """The shared arrow between the two peers' bars ``├`` and ``┤``."""
    label = "" if bare else label
    inner = span - 2  # between the two peers' bars
    gap = 4 if inner - cell_len(f" {label} " if label else "") >= 12 else 2
    text = "├" + arrow(label, inner, rightward, lost, lead=1, least=1, gap=gap) + "┤"
    out = Text(text, style=style)
    if lost:
        cross = text.index("✗")
        out.stylize("bold red", cross, cross + 1)
    return out


def _wrap(text: str, width: int) -> list[str]:
    """Break at spaces; a word longer than the line (never a number here) is broken by cells."""
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if cell_len(candidate) <= width or not line:
            line = candidate
            continue
        lines.append(line)
        line = word
    if line:
        lines.append(line)
    return lines or [""]


class LadderBody(ScrollView, can_focus=False):
    """The rows, scrollable; the newest stay in view unless the learner scrolled back."""

    DEFAULT_CSS = """
    LadderBody { scrollbar-size-vertical: 1; overflow-x: hidden; height: 1fr; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[LadderRow] = []
        self.names = ("client", "server")
        self._laid: LadderLines | None = None
        # laid-out ladders and their rendered lines, kept: b and n go back and forth
        self._cache: dict[tuple, tuple[LadderLines, dict[int, Strip]]] = {}
        self._pass: tuple[Style, int] | None = None

    def laid_out(self) -> LadderLines:
        width = max(12, self.scrollable_content_region.width or self.size.width or 40)
        if self._laid is None or self._laid.width != width:
            key = (tuple(self.rows), self.names, width)
            if key not in self._cache:
                if len(self._cache) > 64:
                    self._cache.clear()
                self._cache[key] = (LadderLines(self.rows, self.names, width), {})
            self._laid, self._strips = self._cache[key]
            # A scrollbar coming or going changes the width without a resize of the panel:
            # the heading above must follow the rows' new width.
            if isinstance(self.parent, Ladder):
                self.parent.call_later(self.parent._show_heading)
        return self._laid

    def show(self, rows: list[LadderRow], names: tuple[str, str]) -> None:
        before = self._in_view()
        self.rows, self.names = rows, names
        self._laid = None
        self._resize()
        self.scroll_end(animate=False, immediate=True)
        after = self._in_view()
        if before is None or after is None or before[:3] != after[:3]:
            # scrolled (a scroll repaints it all anyway), resized, or a scrollbar came
            self.refresh()
            return
        # a row more below the others, the one before no longer fresh: repaint those lines,
        # not all the ladder's at each n
        refresh_changed_rows(self, before[3], after[3], width=before[1])

    def _in_view(self) -> tuple[int, int, int, list[Text | None]] | None:
        """(scroll offset, width, height, the line drawn at each row) as laid out now, or
        None before the ladder has a size."""
        width, height = self.scrollable_content_region.size
        if not width or not height or self._laid is None or self._laid.width != max(12, width):
            return None
        top = self.scroll_offset.y
        lines = self._laid.lines
        shown = [lines[top + y] if 0 <= top + y < len(lines) else None for y in range(height)]
        return top, width, height, shown

    def _resize(self) -> None:
        laid = self.laid_out()
        size = Size(laid.width, len(laid.lines))
        if size != self.virtual_size:
            # a layout for the scrollbar, but no repaint of every line (show says which)
            self.set_reactive(LadderBody.virtual_size, size)
            self.refresh(repaint=False, layout=True)

    def on_resize(self) -> None:
        self._laid = self._pass = None
        self._resize()
        self.scroll_end(animate=False, immediate=True)

    def render_line(self, y: int) -> Strip:
        if y == 0 or self._pass is None:  # asking Textual costs: once a repaint, not a line
            self._pass = (self.rich_style, self.scrollable_content_region.width)
        base, width = self._pass
        laid = self.laid_out()
        index = self.scroll_offset.y + y
        if not 0 <= index < len(laid.lines):
            return Strip.blank(width, base)
        strip = self._strips.get(index)
        if strip is None or strip.cell_length != width:  # rendered once, not at every repaint
            segments = [
                Segment(s.text, base + s.style if s.style else base)
                for s in laid.lines[index].render(self.app.console)
                if s.text != "\n"
            ]
            strip = Strip(segments).crop_extend(0, width, base)
            self._strips[index] = strip
        return strip


class Ladder(Vertical, can_focus=False):
    """The ladder panel: the peers' names, the rows, and a legend of the marks."""

    DEFAULT_CSS = """
    Ladder { border: round $primary; padding: 0 1; height: 1fr; }
    Ladder #ladder-heading { height: 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[LadderRow] = []
        self.heading = ("client", "server")
        self._titles: tuple[str, str] | None = None

    def compose(self):
        yield Static("", id="ladder-heading")
        yield LadderBody()

    @property
    def body(self) -> LadderBody:
        return self.query_one(LadderBody)

    def show(
        self, rows: list[LadderRow], heading: tuple[str, str], title: str, legend: str = ""
    ) -> None:
        # each part only when it changed: setting a border title repaints the whole panel,
        # even to the same words (n adds a row, the titles stay)
        if (title, legend) != self._titles:
            self._titles = (title, legend)
            self.border_title = title
            self.border_subtitle = legend
        if (rows, heading) != (self.rows, self.heading):
            self.rows, self.heading = rows, heading
            self.body.show(rows, heading)
            self._show_heading()

    def _show_heading(self) -> None:
        update_if_changed(self.query_one("#ladder-heading", Static), self.body.laid_out().heading)

    def on_resize(self) -> None:
        self.call_after_refresh(self._show_heading)

    def scroll_rows(self, lines: int) -> None:
        self.body.scroll_relative(y=lines, animate=False)


__all__ = ["Ladder", "LadderLines", "LadderRow"]
