"""Tick boxes as one field: the flags of a segment, or the options of a choice question.

One field, one stop for Tab. Inside it ←/→ (flags) or ↑/↓ (options) move a cursor
and Space ticks; a flag's letter (s a f r p) or an option's digit ticks it directly.
Ticks are drawn ``[x]``/``[ ]`` (or ``(•)``/``( )`` for one answer) so that they read
without colour, and the focused field is drawn inverted, as every quiz field is.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.reactive import reactive
from textual.widget import Widget

from .number_input import NumberInput, starts_number
from .prose import wrap

FLAG_KEYS = {"s": "SYN", "a": "ACK", "f": "FIN", "r": "RST", "p": "PSH"}


class Toggles(Widget, can_focus=True):
    """Items in a row (flags) or a column (options); ``multi`` lets several be ticked."""

    DEFAULT_CSS = """
    Toggles { height: auto; width: auto;
              border-left: vkey $foreground 50%; border-right: vkey $foreground 50%; }
    Toggles:focus { border-left: inner $accent; border-right: inner $accent; }
    Toggles.-column { width: 1fr; }
    """

    cursor: reactive[int] = reactive(0)

    def __init__(
        self,
        items: list[str],
        *,
        multi: bool = True,
        column: bool = False,
        letters: list[str] | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id, classes="-column" if column else "")
        self.items = items
        self.multi = multi
        self.column = column
        self.letters = letters or []  # the key that ticks each item, underlined in its name
        self.ticked: set[int] = set()

    # ------------------------------------------------------------ values

    def set_items(self, items: list[str], multi: bool) -> None:
        self.items, self.multi, self.ticked, self.cursor = items, multi, set(), 0
        self.refresh(layout=True)

    def set_ticked(self, ticked: set[int]) -> None:
        self.ticked = {i for i in ticked if 0 <= i < len(self.items)}
        self.refresh()

    def toggle(self, index: int) -> None:
        if not 0 <= index < len(self.items):
            return
        if not self.multi:
            self.ticked = {index}  # one answer: picking it again keeps it
        elif index in self.ticked:
            self.ticked.discard(index)
        else:
            self.ticked.add(index)
        self.cursor = index
        self.refresh()

    # ------------------------------------------------------------ drawing

    def _mark(self, index: int) -> str:
        on = index in self.ticked
        if self.multi:
            return "[x]" if on else "[ ]"
        return "(•)" if on else "( )"

    def _item(self, index: int) -> Text:
        label = self.items[index]
        text = Text(self._mark(index))
        name = Text(label)
        letter = self.letters[index] if index < len(self.letters) else ""
        if letter and label.lower().startswith(letter):
            name.stylize("underline", 0, 1)
        text.append_text(name)
        if self.has_focus:
            # the focus ring: the field inverted, the item under the cursor left plain
            text.stylize("bold" if index == self.cursor else "reverse")
        return text

    def render(self) -> Text:
        if not self.column:
            return Text(" ").join(self._item(i) for i in range(len(self.items)))
        lines = self._column_lines(self.content_size.width or 60)
        return Text("\n").join(line for line, _ in lines)

    def _column_lines(self, width: int) -> list[tuple[Text, int]]:
        """Each option wrapped under its own text: (line, option index)."""
        out: list[tuple[Text, int]] = []
        indent = 4
        for index in range(len(self.items)):
            item = self._item(index)
            first = True
            for line in wrap(item, max(10, width - 1)) if width else [item]:
                out.append((line if first else Text(" " * indent) + line, index))
                first = False
        return out

    def get_content_width(self, container: Size, viewport: Size) -> int:
        if self.column:
            return container.width
        return sum(cell_len(self._item(i).plain) + 1 for i in range(len(self.items))) - 1

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if not self.column:
            return 1
        return max(1, len(self._column_lines(width)))

    def _on_focus(self, event: events.Focus) -> None:
        self.refresh()

    def _on_blur(self, event: events.Blur) -> None:
        self.refresh()

    def watch_cursor(self) -> None:
        self.refresh()

    # ------------------------------------------------------------ keys and mouse

    def take_key(self, event: events.Key) -> bool:
        key = event.key
        forward, backward = ("down", "up") if self.column else ("right", "left")
        if key == forward:
            self.cursor = min(self.cursor + 1, len(self.items) - 1)
        elif key == backward:
            self.cursor = max(self.cursor - 1, 0)
        elif key in ("up", "down", "left", "right"):
            pass  # arrows stay in the field: they must not leave the question
        elif key == "space":
            self.toggle(self.cursor)
        elif event.character and event.character in self.letters:
            self.toggle(self.letters.index(event.character))
        else:
            return False
        return True

    def on_click(self, event: events.Click) -> None:
        self.focus()
        offset = event.get_content_offset(self)
        index = self._index_at(offset.x, offset.y) if offset is not None else None
        if index is not None:
            self.toggle(index)

    def _index_at(self, x: int, y: int) -> int | None:
        if self.column:
            lines = self._column_lines(self.content_size.width)
            return lines[y][1] if 0 <= y < len(lines) else None
        start = 0
        for index in range(len(self.items)):
            end = start + cell_len(self._item(index).plain)
            if start <= x < end:
                return index
            start = end + 1
        return None


class FlagsField(Toggles):
    """``[ ]SYN [x]ACK [ ]FIN [ ]RST [ ]PSH``: s a f r p tick them. A number typed here
    (a digit, x or y) means the flags are done: the cursor moves on to the number field
    after them (seq) and the character lands there."""

    def take_key(self, event: events.Key) -> bool:
        if super().take_key(event):
            return True
        if not starts_number(event.character):
            return False
        chain = self.screen.focus_chain
        after = chain[chain.index(self) + 1] if self in chain[:-1] else None
        if not isinstance(after, NumberInput):
            return False
        self.screen.set_focus(after)
        return after.take_key(event)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(list(FLAG_KEYS.values()), letters=list(FLAG_KEYS), id=id)

    @property
    def flags(self) -> set[str]:
        return {self.items[i] for i in self.ticked}

    @flags.setter
    def flags(self, names: set[str]) -> None:
        self.set_ticked({i for i, name in enumerate(self.items) if name in names})

    def toggle_flag(self, name: str) -> None:
        if name in self.items:
            self.toggle(self.items.index(name))
