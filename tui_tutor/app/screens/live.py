"""What your kernel did: a lesson's (or the sandbox's) scenario played on this machine's kernel.

The run itself is ``tui_tutor.live`` (no Textual): it takes seconds, so it runs in
a thread while the screen says which step it is at. The kernel's run comes back
as an engine ``Trace``, so the ladder and both state panes are the lesson
screen's own widgets, fed by the same ``view`` functions, and marked "from your
kernel". Below them, every difference from the engine, each known one with its
reason. The app's ``live_runner`` does the run; tests give it a fixed result.
"""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from ... import engine
from ...engine import Role
from ...lessons.quiz import Numbers
from ...lessons.timeline import Moment, Run, build_timeline
from ..i18n import t
from ..languages import Tutor
from ..view import ladder_rows, pane_data
from ..widgets.keys import keys_line
from ..widgets.peers import Peers


class LiveScreen(Tutor, Screen[None]):
    BINDINGS = [
        Binding("escape,k", "app.pop_screen", "back"),
        Binding("r", "again", "again"),
        Binding("t", "toggle_numbers", "numbers"),
        Binding("l", "toggle_language", "language"),
        Binding("pageup", "scroll_differences(-1)", show=False),
        Binding("pagedown", "scroll_differences(1)", show=False),
    ]
    DEFAULT_CSS = """
    LiveScreen #header { height: 1; background: $primary-background; }
    LiveScreen #differences-box { height: 8; border: round $accent; padding: 0 1; }
    LiveScreen.-tall #differences-box { height: 12; }
    LiveScreen #keys { height: 1; background: $panel; }
    """

    def __init__(
        self,
        scenario: engine.Scenario,
        titles: dict[str, str],
        isns: dict[Role, int] | None = None,
    ) -> None:
        super().__init__()
        self.scenario = scenario
        self.titles = titles
        self.isns = isns
        self.absolute = False
        self.result = None  # a tui_tutor.live.LiveResult once the kernel has played
        self.run_: Run | None = None
        self.at_step: int | None = 0
        self.failed = ""

    def compose(self) -> ComposeResult:
        yield Static("", id="header")
        yield Peers(id="main")
        with VerticalScroll(id="differences-box"):
            yield Static("", id="differences")
        yield Static("", id="keys")

    def on_mount(self) -> None:
        self.query_one("#differences-box").border_title = t("live_differences", self.lang)
        self.play()

    # ------------------------------------------------------------ the run

    @work(thread=True, exclusive=True, group="live")
    def play(self) -> None:
        from ...live import LiveSettings

        runner = self.tutor.live_runner
        settings = LiveSettings(isns=self.isns, progress=self._progress)
        try:
            result = runner(self.scenario, settings)
        except OSError as err:
            self.app.call_from_thread(self._failed, err.strerror or str(err))
            return
        self.app.call_from_thread(self._done, result)

    def _progress(self, step: int, steps: int) -> None:
        self.app.call_from_thread(self._at, step)

    def _at(self, step: int) -> None:
        if not self.is_attached:
            return  # the learner left while the kernel played
        self.at_step = step
        self._draw()

    def _failed(self, reason: str) -> None:
        if not self.is_attached:
            return
        self.failed = reason
        self.at_step = None
        self._draw()

    def _done(self, result) -> None:
        if not self.is_attached:
            return
        self.result = result
        self.at_step = None
        self.run_ = build_timeline(None, result.kernel)
        self._draw()

    def action_again(self) -> None:
        if self.at_step is not None:
            return  # still playing
        self.result, self.run_, self.at_step, self.failed = None, None, 0, ""
        self._draw()
        self.play()

    # ------------------------------------------------------------ drawing

    def _draw(self) -> None:
        with self.app.batch_update():
            self._draw_header()
            self._draw_run()
            self._draw_differences()
            keys = [
                ("esc", "key_return"),
                ("r", "key_again"),
                ("t", "key_numbers"),
                ("l", "key_lang"),
            ]
            self.query_one("#keys", Static).update(keys_line(keys, self.lang, self.size.width))

    def _draw_header(self) -> None:
        lang = self.lang
        header = Text(f" {t('live_title', lang)}", style="bold")
        header.append(f"   {self.titles.get(lang) or self.titles.get('en', '')}")
        if self.at_step is not None:
            steps = len(self.scenario.steps)
            step = min(self.at_step + 1, steps)
            header.append(f"   {t('live_running', lang, step=step, steps=steps)}", style="italic")
        else:
            header.append(f"   {t('absolute' if self.absolute else 'symbolic', lang)}")
        self.query_one("#header", Static).update(header)

    def _draw_run(self) -> None:
        lang, run = self.lang, self.run_
        peers = self.query_one(Peers)
        if run is None:
            peers.show([], {}, lang, title="live_segments", legend=False)
            return
        numbers = Numbers(run.x, run.y, symbolic=True, absolute=self.absolute)
        end = Moment("events", len(run.trace.events), len(run.records))
        panes = {}
        for role in Role:
            data = pane_data(run, end, role, numbers, lang)
            title = f"{data.title} · {t('live_yours', lang)}"
            panes[role] = replace(data, title=title, fresh=0)
        peers.show(
            ladder_rows(run, end, numbers, lang), panes, lang, title="live_segments", legend=False
        )

    def _draw_differences(self) -> None:
        from ...live.words import MODES, difference, known, note, say

        lang, result = self.lang, self.result
        text = Text()
        if self.failed:
            text.append(t("live_failed", lang, reason=self.failed), style="bold red")
        elif result is None:
            text.append(t("live_wait", lang), style="dim")
        else:
            text.append(say(MODES, result.run.mode, lang) + "\n", style="dim")
            for item in result.run.limits:
                text.append("! " + note(item, lang) + "\n", style="yellow")
            for played in result.run.steps:
                step = engine.describe(self.scenario.steps[played.index])
                for item in played.notes:
                    line = f"! {t('live_step', lang, n=played.index + 1, step=step)}: "
                    text.append(line + note(item, lang) + "\n", style="yellow")
            found = result.comparison.differences
            if not found:
                text.append(t("live_same", lang), style="bold green")
            for d in found:
                style = "" if d.known else "bold"
                text.append(("✓ " if d.known else "≠ ") + difference(d, lang) + "\n", style=style)
                if d.known:
                    text.append(
                        "  " + t("live_known", lang, why=known(d, lang)) + "\n", style="dim"
                    )
        self.query_one("#differences", Static).update(text)

    # ------------------------------------------------------------ keys

    def action_toggle_numbers(self) -> None:
        self.absolute = not self.absolute
        self._draw()

    def action_toggle_language(self) -> None:
        self.tutor.action_toggle_language()

    async def refresh_language(self) -> None:
        self.query_one("#differences-box").border_title = t("live_differences", self.lang)
        self._draw()

    def action_scroll_differences(self, direction: int) -> None:
        box = self.query_one("#differences-box", VerticalScroll)
        box.scroll_relative(y=direction * max(1, box.size.height - 1), animate=False)
