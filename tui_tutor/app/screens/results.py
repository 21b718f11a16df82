"""The results screen at the end of a lesson: the score and each question's outcome."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from ...progress import POINTS
from ..i18n import t

if TYPE_CHECKING:
    from .lesson import LessonSource

MARKS = {
    "first_try": ("✔", "results_first"),
    "solved": ("✓", "results_solved"),
    "revealed": ("◇", "results_revealed"),
    "open": ("·", "results_open"),
}


class ResultsScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("enter,escape", "to_lessons", "lessons"),
        Binding("r", "again", "again"),
        Binding("k", "live", "your kernel"),
        Binding("q", "app.quit", "quit"),
    ]
    DEFAULT_CSS = """
    ResultsScreen { align: center middle; }
    ResultsScreen > Vertical { width: 70; max-width: 95%; height: auto; max-height: 90%;
                               border: round $success; padding: 0 2; background: $surface; }
    """

    def __init__(
        self, source: LessonSource, outcomes: dict[str, str], questions: list[str]
    ) -> None:
        super().__init__()
        self.source, self.outcomes, self.questions = source, outcomes, questions

    def compose(self) -> ComposeResult:
        lang = getattr(self.app, "lang", "en")
        outcomes = [self.outcomes.get(q, "open") for q in self.questions]
        score = sum(POINTS[o] for o in outcomes)
        text = Text(self.source.title(lang) + "\n\n", style="bold")
        text.append(
            t("results_score", lang, score=score, total=len(outcomes)) + "\n\n", style="bold"
        )
        for kind in ("first_try", "solved", "revealed", "open"):
            count = outcomes.count(kind)
            if count:
                mark, label = MARKS[kind]
                text.append(f"  {mark} {count} × {t(label, lang)}\n")
        text.append("\n" + t("results_keys", lang), style="dim")
        with Vertical() as box:
            box.border_title = t("results", lang)
            yield Static(text, id="results-text")

    def action_to_lessons(self) -> None:
        self.dismiss(None)
        self.app.pop_screen()  # the lesson screen under this one

    def action_live(self) -> None:
        """Play the lesson's scenario on this machine's kernel (live mode)."""
        lesson = self.source.lesson
        if lesson is None:
            self.notify(t("live_no_scenario", getattr(self.app, "lang", "en")))
            return
        titles = {lang: self.source.title(lang) for lang in ("en", "zh")}
        self.app.open_live(lesson.scenario.to_engine(), titles)  # type: ignore[attr-defined]

    async def action_again(self) -> None:
        self.dismiss(None)
        lesson = self.app.screen
        restart = getattr(lesson, "action_restart", None)
        if restart is not None:
            await restart()
