"""The sandbox: the learner picks each peer's next action and watches what TCP does.

Every action appends a step to a scenario, and the engine replays the whole
scenario from the start (it is pure and fast), so b simply drops the last step.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Label, Static

from ... import engine
from ...engine import Role
from ...lessons.quiz import Numbers
from ...lessons.timeline import Moment, Run, build_timeline
from ..i18n import t
from ..languages import Tutor
from ..view import describe_segment, ladder_rows, pane_data, peer_paths
from ..widgets.keys import keys_line
from ..widgets.peers import PEERS_BINDINGS, Peers

SEND_BYTES = 100
WAITS = (1, 10, 60)
ACTIONS = {
    "connect": lambda role: engine.Connect(role),
    "listen": lambda role: engine.Listen(role),
    "send": lambda role: engine.Send(role, SEND_BYTES),
    "close": lambda role: engine.Close(role),
    "abort": lambda role: engine.Abort(role),
    "lose": lambda role: engine.Lose(role, 1),
}


class SandboxScreen(Tutor, Screen[None]):
    KEYS_IN_ORDER = True  # see TutorApp.on_event
    BINDINGS = [
        Binding("b", "undo", "back"),
        Binding("r,R", "reset", "restart"),
        Binding("t", "toggle_numbers", "numbers"),
        Binding("k", "live", "your kernel"),
        Binding("l", "toggle_language", "language"),
        Binding("question_mark", "help", "help"),
        *PEERS_BINDINGS,
        Binding("escape", "app.pop_screen", "lessons"),
        Binding("right,down", "app.focus_next", show=False),
        Binding("left,up", "app.focus_previous", show=False),
    ]
    # every button fits at 80 columns: none is ever focused off screen
    DEFAULT_CSS = """
    SandboxScreen #header { height: 1; background: $primary-background; }
    SandboxScreen #actions { height: auto; border: round $accent; padding: 0 1; }
    SandboxScreen .action-row { height: 1; }
    SandboxScreen .action-row Label { width: 10; }
    SandboxScreen .action-row Button { margin: 0 1 0 0; min-width: 0; width: auto; padding: 0; }
    SandboxScreen .action-row Button:focus { text-style: bold reverse; }
    SandboxScreen #what { height: auto; max-height: 6; }
    SandboxScreen.-short #what { max-height: 3; }
    SandboxScreen #keys { height: 1; background: $panel; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.steps: list[engine.Step] = []
        self.isns = self._new_isns()
        self.absolute = False
        self.run_: Run = self._replay()
        self._previous_events = 0
        self._previous_segments = 0
        self.message = ""

    def _new_isns(self) -> dict[Role, int]:
        rng = self.tutor.rng
        return {Role.CLIENT: rng.randrange(2**32), Role.SERVER: rng.randrange(2**32)}

    def compose(self) -> ComposeResult:
        yield Static("", id="header")
        yield Peers(id="main")
        with Vertical(id="actions"):
            yield Static("", id="what")
            for role in (Role.CLIENT, Role.SERVER):
                with Horizontal(classes="action-row"):
                    yield Label("", id=f"label-{role.value}")
                    for action in ACTIONS:
                        yield Button("", id=f"{role.value}-{action}", compact=True)
            with Horizontal(classes="action-row"):
                yield Label("", id="label-time")
                for seconds in WAITS:
                    yield Button("", id=f"wait-{seconds}", compact=True)
        yield Static("", id="keys")

    def on_mount(self) -> None:
        self._draw()
        self.query_one("#client-connect", Button).focus()

    def _scenario(self) -> engine.Scenario:
        return engine.Scenario(steps=tuple(self.steps))

    def _replay(self) -> Run:
        return build_timeline(None, engine.run(self._scenario(), isns=self.isns))

    def _numbers(self) -> Numbers:
        return Numbers(self.run_.x, self.run_.y, symbolic=True, absolute=self.absolute)

    def _draw(self) -> None:
        lang, run = self.lang, self.run_
        events = len(run.trace.events)
        now = Moment("events", events, len(run.records))
        before = Moment("events", self._previous_events, self._previous_segments)
        numbers = self._numbers()
        self.query_one(Peers).show(
            ladder_rows(run, now, numbers, lang, before),
            {role: pane_data(run, now, role, numbers, lang, before) for role in Role},
            lang,
        )
        what = Text()
        if self.message:
            what.append(self.message + "\n", style="bold red")
        for n in range(self._previous_segments + 1, len(run.records) + 1):
            what.append("\n".join(describe_segment(run, n, numbers, lang)) + "\n")
        if not what.plain.strip():
            what.append(t("sandbox_help", lang), style="dim")
        self.query_one("#what", Static).update(what)
        self.query_one("#label-client", Label).update(t("client", lang))
        self.query_one("#label-server", Label).update(t("server", lang))
        self.query_one("#label-time", Label).update(t("wait_seconds", lang))
        for role in (Role.CLIENT, Role.SERVER):
            for action in ACTIONS:
                button = self.query_one(f"#{role.value}-{action}", Button)
                button.label = t(f"act_{action}", lang, n=SEND_BYTES)
        for seconds in WAITS:
            key = "wait_2msl" if seconds == 60 else "wait_n"
            self.query_one(f"#wait-{seconds}", Button).label = t(key, lang, n=seconds)
        header = Text(f" {t('sandbox_title', lang)}", style="bold")
        header.append(f"   {t('absolute' if self.absolute else 'symbolic', lang)}")
        self.query_one("#header", Static).update(header)
        keys = [
            ("tab ←→", "key_move"),
            ("⏎", "key_do"),
            ("b", "key_undo"),
            ("R", "key_restart"),
            ("t", "key_numbers"),
            ("k", "key_kernel"),
            ("d", "key_diagram"),
            ("l", "key_lang"),
            ("?", "key_help"),
            ("esc", "key_lessons"),
            ("q", "key_quit"),
        ]
        self.query_one("#keys", Static).update(keys_line(keys, lang, self.size.width))

    def _apply(self, step: engine.Step) -> None:
        before = self.run_
        self.steps.append(step)
        try:
            run = self._replay()
        except engine.StepError:
            self.steps.pop()
            self.message = self._not_possible(step)
            self._draw()
            return
        self.message = ""
        self._previous_events = len(before.trace.events)
        self._previous_segments = len(before.records)
        self.run_ = run
        self._draw()

    def _not_possible(self, step: engine.Step) -> str:
        """Why an action cannot be taken now, from the peer's state, in the learner's words."""
        lang, role = self.lang, step.peer
        state = self.run_.states_at(len(self.run_.trace.events))[role]
        action = next(a for a, make in ACTIONS.items() if type(make(role)) is type(step))
        return t(
            "not_possible",
            lang,
            peer=t(f"the_{role.value}", lang),
            action=t(f"act_{action}", lang, n=SEND_BYTES),
            state=state.value,
        )

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        button_id = event.button.id or ""
        if button_id.startswith("wait-"):
            self._apply(engine.Wait(float(button_id.removeprefix("wait-"))))
            return
        role_name, action = button_id.split("-", 1)
        role = Role(role_name)
        self._apply(ACTIONS[action](role))

    def action_undo(self) -> None:
        if not self.steps:
            return
        self.steps.pop()
        self.run_ = self._replay()
        self._previous_events = len(self.run_.trace.events)
        self._previous_segments = len(self.run_.records)
        self.message = ""
        self._draw()

    def action_reset(self) -> None:
        self.steps.clear()
        self.isns = self._new_isns()
        self.run_ = self._replay()
        self._previous_events = self._previous_segments = 0
        self.message = ""
        self._draw()

    def action_live(self) -> None:
        """Play the steps so far on this machine's kernel (live mode)."""
        if not self.steps:
            self.notify(t("live_nothing", self.lang))
            return
        titles = {lang: t("sandbox_title", lang) for lang in ("en", "zh")}
        self.tutor.open_live(self._scenario(), titles, dict(self.isns))

    def action_toggle_numbers(self) -> None:
        self.absolute = not self.absolute
        self._draw()

    def action_toggle_language(self) -> None:
        self.tutor.action_toggle_language()

    async def refresh_language(self) -> None:
        self._draw()

    def action_help(self) -> None:
        from .help import HelpScreen

        self.app.push_screen(HelpScreen("sandbox"))

    def action_scroll_ladder(self, lines: int) -> None:
        self.query_one(Peers).ladder.scroll_rows(lines)

    def action_diagram(self) -> None:
        from .diagram import DiagramScreen

        now = Moment("events", len(self.run_.trace.events), len(self.run_.records))
        self.app.push_screen(DiagramScreen(peer_paths(self.run_, now)))
