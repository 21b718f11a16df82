"""One peer's state machine: the path so far, the current state lit, and its exits.

The exits are the rows of the engine's transition table that leave the current
state (event / what is sent -> next state): what could happen next, which is what
the learner predicts. The screen reads everything from the trace into a
``PaneData``; this widget only fits it to the room it has, in this order of need:
the current state, the sequence variables, the path (one line), the exits, then the
path in full with the edge taken into each state. In Chinese the textbook name of
the state goes beside it, or onto the top border when the pane is too narrow.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.widget import Widget

from ..scene import ExitLine, PaneData, PathStep
from .repaint import refresh_changed_rows

CURRENT_STYLE = "bold reverse"  # reverse and the ▶ marker read without colour too
FRESH_STYLE = "bold yellow"  # with a ★, so that it reads without colour too
ROOMY = 26  # a pane at least this wide indents its exits under their title


class StatePane(Widget):
    """Draws a ``PaneData``; the screen sets ``data`` and the pane repaints."""

    DEFAULT_CSS = """
    StatePane {
        border: round $secondary; padding: 0 1; height: 1fr;
        text-wrap: nowrap; text-overflow: ellipsis;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._data: PaneData | None = None
        # the lines last laid out, and for what: (data, width, height)
        self._laid: tuple[tuple[PaneData, int, int], list[Text]] | None = None

    @property
    def data(self) -> PaneData | None:
        return self._data

    @data.setter
    def data(self, value: PaneData) -> None:
        if value == self._data:
            return  # unchanged: no repaint
        shown = self._laid
        self._data = value
        self._titles()
        laid = self._lay_out()
        if shown is None or shown[0][1:] != laid[0][1:]:
            self.refresh()  # first drawn, or drawn at another size: all of it
            return
        # a step changes a few lines of a pane (the state, its exits): repaint only those,
        # not the 19 lines of each pane at each n
        refresh_changed_rows(self, shown[1], laid[1], width=laid[0][1])

    def on_resize(self) -> None:
        self._titles()

    def _titles(self) -> None:
        """The ISN on the bottom border; the Chinese name on the top one when it does not fit
        beside the state (a narrow pane), so that it never costs a line."""
        data = self._data
        if data is None:
            return
        title = data.title
        if data.current_zh and not _zh_beside(data, self.content_size.width or 30):
            title = f"{data.title} {data.current_zh}"
        if self.border_title != title:
            self.border_title = title
        if self.border_subtitle != data.isn:
            self.border_subtitle = data.isn

    def _lay_out(self) -> tuple[tuple[PaneData, int, int], list[Text]]:
        """The lines for the data and the room there is now, laid out once for both."""
        assert self._data is not None
        width = max(8, self.content_size.width or 30)
        height = max(1, self.content_size.height or 20)
        key = (self._data, width, height)
        if self._laid is None or self._laid[0] != key:
            self._laid = (key, pane_lines(self._data, width, height))
        return self._laid

    def render(self) -> Text:
        if self._data is None:
            return Text("")
        out = Text("\n").join(self._lay_out()[1])
        out.no_wrap = True
        out.overflow = "ellipsis"
        return out


def pane_lines(data: PaneData, width: int, height: int) -> list[Text]:
    """The pane's lines for ``width`` x ``height`` cells, most needed first when short.

    The current state and every exit out of it are always there: when short of room
    the exits' title goes, then the path shrinks to a line, the exits' wording
    condenses (``rcv SYN/SYN,ACK``), exits to the same state share a line, the
    sequence variables go, then the path.
    """
    variables = _variable_lines(data, width)
    path_short = _path_condensed(data, width, 1)
    wordings = [
        [_exit_lines(e, width) for e in data.exits],
        [_exit_lines(e, width) for e in _short(data.exits)],
        *(
            [_group_lines(target, labels, width) for target, labels in groups.items()]
            for groups in (_by_target(data.exits), _by_target(data.exits, bare=True))
        ),
    ]
    # what may go, least needed first: the variables, then the path
    keeps = [(variables, path_short), ([], path_short), ([], [])]
    for shown_vars, shown_path in keeps:
        for exits in wordings:
            need = sum(len(lines) for lines in exits)
            if len(shown_vars) + len(shown_path) + 1 + need <= height:
                return _fill(data, width, height, shown_vars, shown_path, exits)
    # not even that fits (a pane a few lines high): the condensed exits, clipped below
    return _fill(data, width, height, [], [], wordings[-1])


def _fill(
    data: PaneData,
    width: int,
    height: int,
    shown_vars: list[Text],
    shown_path: list[Text],
    exits: list[list[Text]],
) -> list[Text]:
    """Variables, path, current state and exits, with what room is left spent on the
    exits' title and then the path in full."""
    shown_exits = [line for lines in exits for line in lines]
    room = height - 1 - len(shown_vars) - len(shown_path) - len(shown_exits)
    title: list[Text] = []
    if exits and room >= 1:
        title = [Text(data.exits_title, style="dim italic")]
        room -= 1
    # plenty of room left: the path in full, each state with the edge that led to it
    full_path = _path_full(data, width)
    fits = all(line.cell_len <= width for line in full_path)
    if shown_path and full_path and fits and len(full_path) - len(shown_path) <= room:
        shown_path = full_path
    elif shown_path and data.path:
        more = _path_condensed(data, width, len(shown_path) + room)
        if len(more) > len(shown_path):
            shown_path = more
    here = _current_lines(data, width)[0]
    if data.fresh and shown_path is not full_path and here.cell_len + 2 <= width:
        here = Text.assemble(here, Text(" ★", style=FRESH_STYLE))  # just moved here
    return [*shown_vars, *shown_path, here, *title, *shown_exits]


def _short(exits: tuple[ExitLine, ...]) -> list[ExitLine]:
    return [ExitLine(e.short or e.label, e.target) for e in exits]


def _by_target(exits: tuple[ExitLine, ...], bare: bool = False) -> dict[str, list[str]]:
    """The exits' short labels by the state they lead to, in the table's order, each once
    (``bare``: without their conditions, the next state telling them apart)."""
    labels: dict[str, list[str]] = {}
    for e in exits:
        label = (e.shorter if bare else e.short) or e.label
        if label not in labels.setdefault(e.target, []):
            labels[e.target].append(label)
    return labels


def _group_lines(target: str, labels: list[str], width: int) -> list[Text]:
    """The exits to one state as a paragraph, ``→CLOSED rcv RST, abort/RST, give up``,
    broken between two labels rather than inside one."""
    head = f"→{target}"
    words = [head, *(label + "," for label in labels[:-1]), labels[-1]]
    lines: list[str] = []
    for word in words:
        if lines and cell_len(lines[-1]) + 1 + cell_len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.extend(_wrap(word, width))
    out = [Text(line) for line in lines]
    out[0].stylize("bold", 0, len(head))
    return out


def _zh_beside(data: PaneData, width: int) -> bool:
    return cell_len(data.current) + cell_len(data.current_zh) + 3 <= width


def _current_lines(data: PaneData, width: int) -> list[Text]:
    line = Text("▶ ", style=CURRENT_STYLE)
    line.append(data.current, style=CURRENT_STYLE)
    if data.current_zh and _zh_beside(data, width):
        line.append(" " + data.current_zh, style=CURRENT_STYLE)
    return [line]


def _variable_lines(data: PaneData, width: int) -> list[Text]:
    if not data.variables:
        return []
    for gap in ("  ", " "):
        joined = gap.join(data.variables)
        if cell_len(joined) <= width:
            return [Text(joined)]
    return [Text(v) for v in data.variables]


def _path_condensed(data: PaneData, width: int, lines: int) -> list[Text]:
    """``CLOSED → LISTEN →`` over at most ``lines`` lines, the newest states kept."""
    if not data.path or lines < 1:
        return []
    fresh_from = len(data.path) + 1 - data.fresh  # path index from which edges are fresh
    words = [(step.state, i + 1 >= fresh_from) for i, step in enumerate(data.path)]
    out: list[Text] = []
    line = Text()
    for state, fresh in reversed(words):  # fill from the newest, keep what fits
        piece = Text(state, style="dim")
        piece.append(" → ", style=FRESH_STYLE if fresh else "dim")
        if line.cell_len and line.cell_len + piece.cell_len > width:
            out.insert(0, line)
            if len(out) == lines:
                break
            line = Text()
        line = Text.assemble(piece, line)
    else:
        out.insert(0, line)
        return out[-lines:]
    # states left out: mark the cut at the start of the oldest line kept
    first = out[0]
    if first.cell_len + 2 > width:
        first = first[2:]
    out[0] = Text.assemble(Text("… ", style="dim"), first)
    return out


def _path_full(data: PaneData, width: int) -> list[Text]:
    """Each state on its line, with the edge that led into it beneath the one before."""
    if not data.path:
        return []
    lines: list[Text] = []
    steps = [*data.path, PathStep(data.current, data.current_label)]
    fresh_from = len(steps) - data.fresh
    for i, step in enumerate(steps):
        if i > 0:
            fresh = i >= fresh_from
            style = FRESH_STYLE if fresh else "dim"
            lines.append(Text("  │ " + step.label + (" ★" if fresh else ""), style=style))
        if i < len(steps) - 1:
            lines.append(Text("  " + step.state, style="dim"))
    return lines


def _exit_lines(exit_: ExitLine, width: int) -> list[Text]:
    """``label → TARGET`` on one line; when narrow the label over as few lines as it takes
    (split at "/" first), the target after its last line or beneath it. A roomy pane
    indents the exits under their title; a narrow one keeps every cell for the words."""
    indent = "  " if width >= ROOMY else ""
    room = width - len(indent)
    one = f"{exit_.label} → {exit_.target}"
    if cell_len(one) <= room:
        return [Text(indent + one)]
    event, slash, send = exit_.label.partition(" / ")
    if cell_len(exit_.label) <= room:
        parts = [exit_.label]
    else:
        parts = _wrap(event, room) + (_wrap("/ " + send, room) if slash else [])
    target = f"→ {exit_.target}"
    if cell_len(parts[-1]) + 1 + cell_len(target) <= room:
        parts[-1] += " " + target
    else:
        parts.append("  " + target if cell_len(target) + 2 <= room else target)
    return [Text(indent + part) for part in parts]


def _wrap(text: str, width: int) -> list[str]:
    """Break at spaces (or anywhere in CJK text) so that no line is wider than ``width``."""
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if cell_len(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        while cell_len(word) > width:  # a word longer than the line: break it by cells
            cut = 1
            while cut < len(word) and cell_len(word[: cut + 1]) <= width:
                cut += 1
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    if line:
        lines.append(line)
    return lines or [""]
