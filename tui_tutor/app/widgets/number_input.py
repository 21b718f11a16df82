"""An input for seq, ack and len that lets every other key reach the app's bindings.

Textual's Input claims every printable key, which would hide the screen's
one-letter keys while the cursor is in a field. Here only what an answer can
hold (digits, x, y, +, -, space, and their full-width forms from a Chinese input
method) is claimed; any other letter goes to the bindings, so h still gives a
hint and c still checks while the learner types.
"""

from __future__ import annotations

import unicodedata

from textual import events
from textual.widgets import Input

ALLOWED = set("0123456789xXyY+- ")


def typable(character: str | None) -> bool:
    return character is not None and unicodedata.normalize("NFKC", character) in ALLOWED


class NumberInput(Input):
    def check_consume_key(self, key: str, character: str | None) -> bool:
        return typable(character)

    async def _on_key(self, event: events.Key) -> None:
        if event.is_printable and not typable(event.character):
            event.prevent_default()  # not ours: Input's own handler must not type it
            return  # and the event bubbles on to the bindings
        await super()._on_key(event)
