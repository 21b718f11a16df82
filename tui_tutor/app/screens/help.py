"""The help screen (?): every key, in the learner's language."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from ..i18n import t

HELP_KEYS = [
    "help_next",
    "help_back",
    "help_check",
    "help_hint",
    "help_reveal",
    "help_fields",
    "help_choice",
    "help_restart",
    "help_numbers",
    "help_lang",
    "help_diagram",
    "help_ladder",
    "help_help",
    "help_escape",
    "help_quit",
    "help_mouse",
]


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "dismiss_help", "close")]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical { width: auto; max-width: 90%; height: auto; max-height: 90%;
                            border: round $accent; padding: 0 2; background: $surface; }
    """

    def compose(self) -> ComposeResult:
        lang = getattr(self.app, "lang", "en")
        text = Text()
        for key in HELP_KEYS:
            text.append(t(key, lang) + "\n")
        text.append("\n" + t("help_close", lang), style="dim")
        with Vertical() as box:
            box.border_title = t("help_title", lang)
            yield Static(text, id="help-text")

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
