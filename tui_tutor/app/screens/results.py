"""The results screen at the end of a lesson: the score, and which questions were missed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ...progress import POINTS
from ..i18n import t
from ..languages import Tutor
from ..view import in_parens

if TYPE_CHECKING:
    from ...lessons.source import LessonSource

MARKS = {
    "first_try": ("✔", "results_first", "green"),
    "solved": ("✓", "results_solved", "yellow"),
    "revealed": ("◇", "results_revealed", "red"),
    "open": ("·", "results_open", "red"),
}


class ResultsScreen(Tutor, ModalScreen[str]):
    """``results``: (outcome, the question's title by language) for each question.

    It returns what the learner chose through ``dismiss``: ``"lessons"`` (back to the
    picker) or ``"again"`` (play again); the lesson screen under it acts on that.
    """

    BINDINGS = [
        Binding("enter,escape", "to_lessons", "lessons"),
        Binding("r,R", "again", "again"),
        Binding("k", "live", "your kernel"),
        Binding("l", "toggle_language", "language"),
        Binding("q", "app.quit", "quit"),
    ]
    DEFAULT_CSS = """
    ResultsScreen { align: center middle; }
    ResultsScreen > Vertical { width: 76; max-width: 95%; height: auto; max-height: 90%;
                               border: round $success; padding: 0 2; background: $surface; }
    ResultsScreen VerticalScroll { height: auto; max-height: 1fr; }
    ResultsScreen #results-text { height: auto; }
    ResultsScreen #results-keys { dock: bottom; height: auto; margin-top: 1;
                                  color: $text-muted; }
    """

    def __init__(self, source: LessonSource, results: list[tuple[str, dict[str, str]]]) -> None:
        super().__init__()
        self.source, self.results = source, results

    def compose(self) -> ComposeResult:
        # the keys stay below the list, never scrolled out of a short terminal
        with Vertical() as box:
            box.border_title = t("results", self.lang)
            with VerticalScroll():
                yield Static(self._text(), id="results-text")
            yield Static(self._keys(), id="results-keys")

    def _keys(self) -> str:
        keys = "results_keys_capture" if self.source.fixed_isns else "results_keys"
        return t(keys, self.lang)

    def _text(self) -> Group:
        lang = self.lang
        outcomes = [outcome for outcome, _ in self.results]
        score = sum(POINTS[o] for o in outcomes)
        text = Text(self.source.title(lang) + "\n\n", style="bold")
        text.append(
            t("results_score", lang, score=score, total=len(outcomes)) + "\n\n", style="bold"
        )
        for kind in ("first_try", "solved", "revealed", "open"):
            count = outcomes.count(kind)
            if count:
                mark, label, _ = MARKS[kind]
                text.append(f"  {mark} {count} × {t(label, lang)}\n")
        missed = [(n, o, title) for n, (o, title) in enumerate(self.results, 1) if o != "first_try"]
        if not missed:
            text.rstrip()  # no blank line under the last count
            return Group(text)
        text.append("\n" + t("results_missed", lang), style="bold")
        # each missed question's words wrap under its words, not under its mark
        table = Table.grid(padding=(0, 1))
        table.add_column(no_wrap=True)
        # Chinese has no spaces to wrap at: a long run folds onto the next line, never cut
        table.add_column(ratio=1, overflow="fold")
        for number, outcome, title in missed:
            mark, label, style = MARKS[outcome]
            words = Text(title.get(lang) or title.get("en", ""))
            words.append(in_parens(t(label, lang), lang, after_words=True), style="dim")
            table.add_row(Text(f"  {mark} {number}.", style=f"bold {style}"), words)
        return Group(text, table)

    def action_toggle_language(self) -> None:
        self.tutor.action_toggle_language()

    async def refresh_language(self) -> None:
        self.query_one(Vertical).border_title = t("results", self.lang)
        self.query_one("#results-text", Static).update(self._text())
        self.query_one("#results-keys", Static).update(self._keys())

    def action_to_lessons(self) -> None:
        self.dismiss("lessons")

    def action_live(self) -> None:
        """Play the lesson's scenario on this machine's kernel (live mode)."""
        lesson = self.source.lesson
        if lesson is None:
            self.notify(t("live_no_scenario", self.lang))
            return
        titles = {lang: self.source.title(lang) for lang in ("en", "zh")}
        self.tutor.open_live(lesson.scenario.to_engine(), titles)

    def action_again(self) -> None:
        """Play again; a lesson's score goes, so the lesson screen asks first."""
        self.dismiss("again")
