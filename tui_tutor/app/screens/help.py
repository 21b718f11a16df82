"""The help screen (?): every key of the lesson, the picker and the sandbox, in the
learner's language, the screen it was opened from first, then what the marks mean. It
scrolls at 80x24."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ..i18n import t
from ..languages import Tutor
from ..widgets.boxes import titled
from ..widgets.prose import Prose

# (keys as printed, what they do); the keys are the same in both languages
SECTIONS: dict[str, list[tuple[str, str]]] = {
    "lesson": [
        ("Tab  Shift+Tab", "help_fields"),
        ("Enter", "help_check"),
        ("s a f r p", "help_flags"),
        ("x+1  y+1  1", "help_numbers_typed"),
        ("e  r  cw  f2", "help_states"),
        ("1-9", "help_choice"),
        ("h", "help_hint"),
        ("v", "help_reveal"),
        ("n  →", "help_next"),
        ("b  ←", "help_back"),
        ("c", "help_check_c"),
        ("R", "help_restart"),
        ("t", "help_numbers"),
        ("k", "help_kernel"),
        ("d", "help_diagram"),
        ("Shift+↑  Shift+↓", "help_ladder"),
        ("PgUp  PgDn", "help_scroll"),
        ("Esc", "help_escape"),
    ],
    "picker": [
        ("↑  ↓", "help_pick_lesson"),
        ("Enter", "help_open_lesson"),
        ("s", "help_sandbox"),
        ("o", "help_capture"),
    ],
    "sandbox": [
        ("Tab  ←  →", "help_sandbox_move"),
        ("Enter  Space", "help_sandbox_do"),
        ("b", "help_sandbox_undo"),
        ("R", "help_sandbox_restart"),
        ("t", "help_numbers"),
        ("k", "help_kernel_sandbox"),
        ("d", "help_diagram"),
        ("Esc", "help_escape"),
    ],
    # not keys: what the marks on the panes, the ladder and the answers mean
    "marks": [
        ("▶", "help_mark_current"),
        ("★", "help_mark_fresh"),
        ("✔  ✘", "help_mark_grade"),
        ("✗  ↻  ◷", "help_mark_ladder"),
    ],
    "all": [
        ("l", "help_lang"),
        ("?", "help_help"),
        ("q", "help_quit"),
    ],
}
TITLES = {
    "lesson": "help_in_lesson",
    "picker": "help_in_picker",
    "sandbox": "help_in_sandbox",
    "marks": "help_marks",
    "all": "help_everywhere",
}


def help_text(first: str, lang: str) -> Group:
    parts: list[Text | Table | Prose] = []
    order = [first, *(s for s in ("lesson", "picker", "sandbox") if s != first), "marks", "all"]
    for name in order:
        parts.append(Text(t(TITLES[name], lang), style="bold underline"))
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for keys, label in SECTIONS[name]:
            # Prose: Chinese wraps between its characters, not only at the spaces around "SYN"
            table.add_row(keys, Prose(Text(t(label, lang))))
        parts.append(table)
        if name == "lesson":
            parts.append(Prose(Text(t("help_focus", lang), style="italic")))
        parts.append(Text(""))
    parts.append(Text(t("help_mouse", lang)))
    parts.append(Text(t("help_close", lang), style="dim"))
    return Group(*parts)


class HelpScreen(Tutor, ModalScreen[None]):
    BINDINGS = [
        Binding("escape,question_mark,q", "dismiss_help", "close"),
        Binding("l", "toggle_language", "language"),
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 96; max-width: 96%; height: auto; max-height: 94%;
                                  border: round $accent; padding: 0 1; background: $surface; }
    HelpScreen #help-text { height: auto; }
    """

    def __init__(self, screen: str = "lesson") -> None:
        super().__init__()
        self.first = screen if screen in SECTIONS else "lesson"

    def compose(self) -> ComposeResult:
        with self._titled(VerticalScroll(id="help-box")):
            yield Static(help_text(self.first, self.lang), id="help-text")

    def _titled(self, box: VerticalScroll) -> VerticalScroll:
        return titled(box, t("help_title", self.lang), t("help_scroll_hint", self.lang))

    def on_mount(self) -> None:
        self.query_one("#help-box").focus()  # ↑ ↓ PgUp PgDn scroll it

    def action_toggle_language(self) -> None:
        self.tutor.action_toggle_language()

    async def refresh_language(self) -> None:
        self._titled(self.query_one("#help-box", VerticalScroll))
        self.query_one("#help-text", Static).update(help_text(self.first, self.lang))

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
