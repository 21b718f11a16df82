"""Text that wraps as Chinese does: between any two Chinese characters, not only at spaces.

Textual and Rich break lines at spaces only. A Chinese sentence has none, so it moves
whole to the next line and leaves the line before it half empty (``✘`` alone, then the
sentence). ``wrap`` breaks at spaces and between two wide characters, never before
closing punctuation (，。：）) nor after opening punctuation (（「), and cuts a word
only when it is wider than the line. ``Prose`` is a renderable that wraps itself so
at whatever width it is drawn.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import accumulate

from rich.cells import cell_len, get_character_cell_size
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text

CLOSING = set("，。、：；？！）」』》〉】”’…,.:;?!)]")
OPENING = set("（「『《〈【“‘([")


def _may_break(before: str, after: str) -> bool:
    """May a line end between ``before`` and ``after``?"""
    if after == " ":
        return False
    if before == " ":
        return True
    wide = get_character_cell_size(before) == 2 or get_character_cell_size(after) == 2
    return wide and after not in CLOSING and before not in OPENING


def wrap(text: Text, width: int) -> list[Text]:
    """``text`` cut into lines of at most ``width`` cells (its own line ends kept)."""
    width = max(1, width)
    out: list[Text] = []
    for paragraph in text.split("\n", allow_blank=True):
        out.extend(_wrap_paragraph(paragraph, width))
    return out


def _wrap_paragraph(text: Text, width: int) -> list[Text]:
    plain = text.plain
    ends = [0, *accumulate(get_character_cell_size(c) for c in plain)]  # cells before each
    lines: list[Text] = []
    start = 0
    while ends[-1] - ends[start] > width:
        fits = start
        while fits < len(plain) and ends[fits + 1] - ends[start] <= width:
            fits += 1
        # the last place a line may end, with the spaces before it dropped
        cut = next(
            (i for i in range(fits, start, -1) if _may_break(plain[i - 1], plain[i])),
            None,
        )
        if cut is None or not plain[start:cut].strip():
            cut = max(fits, start + 1)  # a word wider than the line: cut it
        line = text[start:cut]
        line.rstrip()
        lines.append(line)
        start = cut
        while start < len(plain) and plain[start] == " ":
            start += 1
    lines.append(text[start:])
    return lines


@dataclass(eq=True)
class Prose:
    """A ``Text`` drawn wrapped by ``wrap`` at the width it is given."""

    text: Text
    # the lines per width: Textual draws a text twice after a change (its height for the
    # layout, then its lines), and again at every repaint of its widget
    _lines: dict[int, list[Text]] = field(default_factory=dict, compare=False, repr=False)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        lines = self._lines.get(width)
        if lines is None:
            if len(self._lines) > 8:
                self._lines.clear()
            lines = self._lines[width] = wrap(self.text, width)
        joined = Text("\n").join(lines)
        joined.no_wrap = True
        yield joined

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        widest = max((cell_len(line) for line in self.text.plain.split("\n")), default=0)
        return Measurement(min(widest, 1), min(widest, options.max_width))
