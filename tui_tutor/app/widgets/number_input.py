"""An input for seq, ack and len that lets every other key reach the app's bindings.

Textual's Input claims every printable key, which would hide the screen's
one-letter keys while the cursor is in a field. Here only what an answer can
hold (digits, x, y, +, -, space, and their full-width forms from a Chinese input
method) is claimed; any other letter goes to the bindings, so h still gives a
hint while the learner types.

``take_key`` and ``take_paste`` are called by the app as each key arrives (see
``TutorApp.on_event``), so that typing lands in this field at once, in order
with Tab and Enter pressed right after it.
"""

from __future__ import annotations

import unicodedata

from textual import events
from textual.geometry import Size
from textual.reactive import Reactive
from textual.widgets import Input

from ..languages import tutor_app

ALLOWED = set("0123456789xXyY+- ")
STARTS = set("0123456789xXyY")  # what a number can start with


def typable(character: str | None) -> bool:
    return character is not None and unicodedata.normalize("NFKC", character) in ALLOWED


def starts_number(character: str | None) -> bool:
    return character is not None and unicodedata.normalize("NFKC", character) in STARTS


class NumberInput(Input):
    # Input sets its virtual size from the text at every key, and Textual's virtual_size
    # lays the whole screen out again when it changes: 270 widgets for one digit. The field
    # has a fixed size, the text scrolls inside it: a repaint of the field is enough.
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    # one line, a thin bar each side; focused: inverted between heavy bars (reads without colour)
    DEFAULT_CSS = """
    NumberInput { height: 1; padding: 0; border-top: none; border-bottom: none;
                  border-left: vkey $foreground 50%; border-right: vkey $foreground 50%; }
    NumberInput:focus { border-top: none; border-bottom: none;
                        border-left: inner $accent; border-right: inner $accent;
                        text-style: reverse; }
    """

    def __init__(self, **kwargs: object) -> None:
        # what the field holds is selected when the cursor arrives (typing replaces it), but
        # by ``entered``, at once: Input's own selection waits for the Focus event, which
        # comes after keys typed fast behind Tab have already landed
        super().__init__(select_on_focus=False, **kwargs)  # type: ignore[arg-type]

    def entered(self) -> None:
        """The cursor has just come here (Tab, a check, a number typed in the flags)."""
        self.select_all()

    def on_mount(self) -> None:
        # Served, a steady cursor: a blinking one repaints the field twice a second for as
        # long as a learner thinks, about 8 ms of the server's CPU and 300 bytes a second
        # per learner (the field is drawn inverted between heavy bars: it stays visible).
        if tutor_app(self).served:
            self.cursor_blink = False

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return typable(character)

    def take_key(self, event: events.Key) -> bool:
        if event.is_printable and typable(event.character):
            assert event.character is not None
            self._type(event.character)
            return True
        return False

    def take_paste(self, text: str) -> bool:
        """Paste only what an answer can hold, from the first line."""
        lines = text.splitlines()
        kept = "".join(c for c in (lines[0] if lines else "") if typable(c))
        if kept:
            self._type(kept)
        return True

    def _type(self, text: str) -> None:
        selection = self.selection
        if selection.is_empty:
            self.insert_text_at_cursor(text)
        else:
            self.replace(text, *selection)

    async def _on_key(self, event: events.Key) -> None:
        if event.is_printable and not typable(event.character):
            event.prevent_default()  # not ours: Input's own handler must not type it
            return  # and the event bubbles on to the bindings
        await super()._on_key(event)

    def _on_paste(self, event: events.Paste) -> None:
        self.take_paste(event.text)
        event.stop()
