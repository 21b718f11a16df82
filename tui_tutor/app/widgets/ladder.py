"""The packet log as a ladder (flow) diagram: time flows down, arrows cross between peers."""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual.widget import Widget

from ...engine import Role

CLIENT_STYLE = "cyan"
SERVER_STYLE = "magenta"


@dataclass(frozen=True)
class LadderRow:
    """One row: a segment, a timer event, or the segment the learner is predicting."""

    kind: str  # "segment", "timer", "pending"
    time: float | None
    number: int | None = None
    sender: Role | None = None
    label: str = ""  # "SYN,ACK seq=y ack=x+1"
    lost: bool = False
    retransmission: bool = False
    fresh: bool = False  # appeared at the current moment


class Ladder(Widget, can_focus=False):
    """Draws its rows to the width it has; the newest rows stay in view."""

    DEFAULT_CSS = """
    Ladder { border: round $primary; padding: 0 1; height: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[LadderRow] = []
        self.heading = ("client", "server")

    def show(self, rows: list[LadderRow], heading: tuple[str, str], title: str) -> None:
        if (rows, heading, title) == (self.rows, self.heading, self.border_title):
            return  # unchanged: no repaint
        self.rows = rows
        self.heading = heading
        self.border_title = title
        self.refresh()

    def render(self) -> Text:
        width = max(20, self.content_size.width or 60)
        height = max(1, self.content_size.height or 10)
        gutter = 11  # "nn tt.ttt "
        span = width - gutter
        left, right = self.heading
        head = Text(" " * gutter)
        gap = max(1, span - cell_len(left) - cell_len(right))  # CJK names take two cells a char
        head.append(left + " " * gap + right, style="bold")
        body = [self._row(row, gutter, span) for row in self.rows]
        if len(body) > height - 1:
            body = [Text("   ⋮", style="dim"), *body[-(height - 2) :]] if height > 2 else []
        out = Text("\n").join([head, *body])
        out.no_wrap = True
        out.overflow = "crop"
        return out

    def _row(self, row: LadderRow, gutter: int, span: int) -> Text:
        number = f"{row.number:>2}" if row.number is not None else "  "
        when = "  ?  " if row.time is None else f"{row.time:7.3f}"[-7:]
        prefix = Text(f"{number} {when} ".ljust(gutter), style="bold" if row.fresh else "dim")
        if row.kind == "timer":
            line = prefix.copy()
            line.append(("◷ " + row.label)[:span], style="italic yellow" if row.fresh else "dim")
            return line
        line = prefix.copy()
        line.append_text(self._arrow(row, span))
        return line

    def _arrow(self, row: LadderRow, span: int) -> Text:
        rightward = row.sender is not Role.SERVER
        style = CLIENT_STYLE if rightward else SERVER_STYLE
        if row.kind == "pending":
            style = "bold"
        if row.fresh:
            style = f"bold {style}"
        label = row.label
        if row.retransmission:
            label += " ↻"
        inner = span - 2  # the two peer columns
        body = f" {label} "
        if len(body) > inner - 4:
            body = body[: max(0, inner - 5)] + "…"
        if row.lost:
            shaft = max(1, inner - len(body) - 6)
            if rightward:
                text = "├─" + body + "─" * shaft + "✗"
                text = text.ljust(inner + 1) + "┤"
            else:
                text = "✗" + "─" * shaft + body + "─┤"
                text = "├" + text.rjust(inner + 1)
            out = Text(text, style=style)
            out.stylize("bold red", text.index("✗"), text.index("✗") + 1)
            return out
        fill = max(1, inner - len(body) - 2)
        if rightward:
            text = "├─" + body + "─" * fill + "▶┤"
        else:
            text = "├◀" + "─" * fill + body + "─┤"
        return Text(text, style=style)
