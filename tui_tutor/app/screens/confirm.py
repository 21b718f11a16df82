"""A yes/no question before something that cannot be undone (restarting wipes a score)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from ..i18n import t
from ..languages import Tutor
from ..widgets.prose import Prose


class ConfirmScreen(Tutor, ModalScreen[bool]):
    BINDINGS = [
        Binding("y,enter", "answer(True)", "yes"),
        Binding("n,escape", "answer(False)", "no"),
    ]
    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical { width: 64; max-width: 95%; height: auto;
                               border: round $warning; padding: 0 2; background: $surface; }
    ConfirmScreen #confirm-text { height: auto; }
    """

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        lang = self.lang
        text = Text(self.question + "\n\n", style="bold")
        text.append(t("confirm_keys", lang), style="dim")
        with Vertical() as box:
            box.border_title = t("confirm_title", lang)
            yield Static(Prose(text), id="confirm-text")  # Chinese wraps between characters

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
