"""One peer's state machine: the path taken so far, the current state lit, the rest dimmed."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widget import Widget

from ...engine import State, StateChanged

# the RFC 9293 diagram's order, top to bottom
ORDER = [
    State.CLOSED,
    State.LISTEN,
    State.SYN_SENT,
    State.SYN_RECEIVED,
    State.ESTABLISHED,
    State.FIN_WAIT_1,
    State.CLOSE_WAIT,
    State.FIN_WAIT_2,
    State.CLOSING,
    State.LAST_ACK,
    State.TIME_WAIT,
]
CAPTURE_RULE = "seen in the capture"  # the rule of a state a capture simply began in
NARROW = 24  # below this width the causes are left out


@dataclass(frozen=True)
class PaneData:
    """Everything the pane shows, read from the trace by the screen."""

    title: str
    isn_line: str  # "ISN x = 1000"
    vars_line: str  # "SND.NXT x+1  RCV.NXT y+1"
    path: list[StateChanged]  # transitions taken so far, in order
    current: State
    fresh: int  # how many of the last transitions happened at this moment


class StatePane(Widget):
    """Draws a ``PaneData``; the screen sets ``data`` and the pane repaints."""

    DEFAULT_CSS = """
    StatePane { border: round $secondary; padding: 0 1; height: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._data: PaneData | None = None

    @property
    def data(self) -> PaneData | None:
        return self._data

    @data.setter
    def data(self, value: PaneData) -> None:
        if value == self._data:
            return  # unchanged: no repaint
        self._data = value
        self.border_title = value.title
        self.refresh()

    def render(self) -> Text:
        data = self._data
        if data is None:
            return Text("")
        width = self.content_size.width or 30
        height = self.content_size.height or 20
        narrow = width < NARROW
        head = [Text(data.isn_line, style="bold")]
        if data.vars_line:
            head.append(Text(data.vars_line))
        path_lines = self._path_lines(data, narrow)
        rest = self._unreached(data, width)
        room = max(1, height - len(head))
        if len(path_lines) > room:  # keep the newest part of the path
            path_lines = (
                [Text("  ⋮", style="dim"), *path_lines[-(room - 1) :]]
                if room > 1
                else path_lines[-room:]
            )
        lines = [*head, *path_lines]
        if rest and len(lines) + len(rest) + 1 <= height:
            lines.append(Text(""))
            lines.extend(rest)
        out = Text("\n").join(lines)
        out.no_wrap = True
        out.overflow = "ellipsis"
        return out

    def _path_lines(self, data: PaneData, narrow: bool) -> list[Text]:
        states = [data.path[0].old] if data.path else [data.current]
        states += [ev.new for ev in data.path]
        lines: list[Text] = []
        fresh_from = len(data.path) - data.fresh
        for i, state in enumerate(states):
            if i > 0:
                ev = data.path[i - 1]
                fresh = i - 1 >= fresh_from
                # a state the capture began in has no RFC row: say so instead
                label = (
                    ev.transition.reason
                    if ev.transition.rule == CAPTURE_RULE
                    else (ev.transition.label)
                )
                if narrow:
                    lines.append(Text("  │", style=_style(fresh)))
                else:
                    line = Text("  │ ", style=_style(fresh))
                    line.append(label + (" ★" if fresh else ""), style=_style(fresh))
                    lines.append(line)
            last = i == len(states) - 1
            if last:
                lines.append(Text(f"▶ {state.value}", style="bold reverse"))
            else:
                lines.append(Text(f"  {state.value}"))
        return lines

    def _unreached(self, data: PaneData, width: int) -> list[Text]:
        seen = {data.current, *(ev.old for ev in data.path), *(ev.new for ev in data.path)}
        names = [s.value for s in ORDER if s not in seen]
        if not names:
            return []
        col = max(len(n) for n in names) + 1
        per_line = max(1, (width - 2) // col)
        lines = []
        for i in range(0, len(names), per_line):
            chunk = names[i : i + per_line]
            lines.append(Text("  " + "".join(n.ljust(col) for n in chunk).rstrip(), style="dim"))
        return lines


def _style(fresh: bool) -> str:
    return "bold yellow" if fresh else "dim"
