"""A field that holds one TCP state, chosen by typing the start of its name.

Typing picks as you go: ``e`` is ESTABLISHED, ``t`` TIME_WAIT, ``sr`` SYN_RECEIVED,
``cw`` CLOSE_WAIT, ``closi`` CLOSING, ``f2`` FIN_WAIT_2. Each letter either goes on
with the word being typed or starts one of the name's next words; where several
states fit, the first in the RFC's order wins (``c`` is CLOSED) and ↑/↓ step
through all eleven. When no name starts so, a later word may, if it is in one state
only: ``r`` is SYN_RECEIVED, ``a`` LAST_ACK, ``w2`` FIN_WAIT_2 (``w`` alone is in
four). No list pops up, so keys never land anywhere but here.
"""

from __future__ import annotations

import time
import unicodedata
from functools import lru_cache

from rich.text import Text
from textual import events
from textual.reactive import reactive
from textual.widget import Widget

from ...engine import State
from ..languages import tutor_app

STATES = list(State)
SEPARATORS = "_- "
RESET_AFTER = 2.0  # seconds without a key: the next letter starts a new name


def _fits(typed: str, words: list[str]) -> bool:
    """``typed`` read as prefixes of ``words`` in order, the first word first, later ones
    possibly skipped (FIN_WAIT_2 from ``f2``)."""
    if not typed:
        return True
    if not words:
        return False
    word = words[0]
    for size in range(min(len(word), len(typed)), 0, -1):
        if typed[:size] == word[:size]:
            rest = typed[size:]
            if not rest:
                return True
            if any(_fits(rest, words[i:]) for i in range(1, len(words))):
                return True
    return False


# Textual asks the focused field about every key the screen binds, at each key press
# (Screen._binding_chain): some forty readings of the same few letters per key
@lru_cache(maxsize=512)
def match_state(typed: str) -> State | None:
    """The state whose name ``typed`` starts, or None; failing that, the one state in which
    a later word starts so (``r`` SYN_RECEIVED, ``a`` LAST_ACK, ``w1`` FIN_WAIT_1)."""
    key = "".join(c for c in unicodedata.normalize("NFKC", typed).upper() if c not in SEPARATORS)
    if not key:
        return None
    for state in STATES:
        if _fits(key, state.value.split("_")):
            return state
    inside = [
        state
        for state in STATES
        if any(
            _fits(key, words[k:])
            for words in [state.value.split("_")]
            for k in range(1, len(words))
        )
    ]
    return inside[0] if len(inside) == 1 else None


class StateField(Widget, can_focus=True):
    """``▏SYN_RECEIVED ▏``; ``?`` while empty."""

    DEFAULT_CSS = """
    StateField { width: 15; height: 1; padding: 0 0 0 1;
                 border-left: vkey $foreground 50%; border-right: vkey $foreground 50%; }
    StateField:focus { border-left: inner $accent; border-right: inner $accent;
                       text-style: reverse; }
    """

    value: reactive[State | None] = reactive(None)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._typed = ""
        self._last_key = 0.0
        self._last_serial = -1  # the app's key count at the last letter typed here

    def render(self) -> Text:
        if self.value is None:
            return Text("?", style="dim" if not self.has_focus else "")
        name = self.value.value
        typed = len(self._typed) if self._typed and name.startswith(self._typed) else 0
        text = Text(name)
        if typed and self.has_focus:
            text.stylize("underline", 0, typed)
        return text

    def _on_focus(self, event: events.Focus) -> None:
        self._typed = ""
        self.refresh()

    def _on_blur(self, event: events.Blur) -> None:
        self._typed = ""
        self.refresh()

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return key in ("up", "down", "left", "right", "backspace", "delete") or (
            character is not None and self._next_typed(character) is not None
        )

    def _next_typed(self, character: str) -> str | None:
        """What the typed text becomes with ``character``, or None if no state fits."""
        char = unicodedata.normalize("NFKC", character).upper()
        if len(char) != 1 or not char.isalnum():
            return None
        # letters run on only when typed in a row here, and without a long pause
        in_a_row = self._serial() == self._last_serial + 1
        recent = time.monotonic() - self._last_key < RESET_AFTER
        typed = self._typed if in_a_row and recent else ""
        for attempt in (typed + char, char):
            if match_state(attempt) is not None:
                return attempt
        return None

    def take_key(self, event: events.Key) -> bool:
        key, character = event.key, event.character
        if key in ("up", "down"):
            self._step(1 if key == "down" else -1)
        elif key in ("left", "right"):
            pass  # arrows stay in the field: they must not leave the question
        elif key == "backspace":
            self._typed, self._last_key = self._typed[:-1], time.monotonic()
            self._last_serial = self._serial()
            self.value = match_state(self._typed) if self._typed else None
        elif key == "delete":
            self._typed, self.value = "", None
        elif character and character in SEPARATORS:
            return bool(self._typed)  # SYN_ is SYN: nothing to do, but it is ours
        elif character and event.is_printable:
            typed = self._next_typed(character)
            if typed is None:
                return False  # not a state: the key goes on to the screen's bindings
            self._typed, self._last_key = typed, time.monotonic()
            self._last_serial = self._serial()
            self.value = match_state(typed)
        else:
            return False
        self.refresh()
        return True

    def _serial(self) -> int:
        return tutor_app(self).key_serial

    def take_paste(self, text: str) -> bool:
        state = match_state(text.strip()) or _exact(text)
        if state is not None:
            self._typed, self.value = "", state
        return True

    def _step(self, delta: int) -> None:
        self._typed = ""
        if self.value is None:
            self.value = STATES[0] if delta > 0 else STATES[-1]
        else:
            self.value = STATES[(STATES.index(self.value) + delta) % len(STATES)]

    def on_click(self) -> None:
        """The mouse: a click takes the field and steps to the next state (the wheel too)."""
        self.focus()
        self._step(1)

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        event.stop()
        self._step(1)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        event.stop()
        self._step(-1)

    def load(self, state: State | None) -> None:
        """A new question's value: the letters typed for the last one must not run on into
        this one (the field is reused; its blur may not have arrived yet)."""
        self._typed = ""
        self.value = state
        self.refresh()

    def watch_value(self) -> None:
        self.refresh()


def _exact(text: str) -> State | None:
    name = text.strip().upper().replace("-", "_").replace(" ", "_")
    return State.__members__.get(name)
