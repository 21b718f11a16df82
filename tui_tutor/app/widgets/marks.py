"""Check boxes and radio buttons that read without colour: ``[x]``, ``[ ]``, ``(•)``, ``( )``.

Textual draws a ticked and an unticked box with the same "X" in two colours; with
NO_COLOR, or a dim terminal, they look alike. These draw the state in the text.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Checkbox, RadioButton


class MarkBox(Checkbox):
    @property
    def _button(self) -> Content:
        style = self.get_visual_style("toggle--button")
        return Content.styled("[x]" if self.value else "[ ]", style)


class MarkRadio(RadioButton):
    @property
    def _button(self) -> Content:
        style = self.get_visual_style("toggle--button")
        return Content.styled("(•)" if self.value else "( )", style)
