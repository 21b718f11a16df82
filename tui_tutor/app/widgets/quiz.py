"""The quiz panel: narration, the question's form, and the graded feedback.

The panel only collects answers and shows text; the lesson screen grades them
with ``tui_tutor.lessons.quiz`` (from the engine's trace) and hands back lines.

The segment and state forms are built once and reused (values reset, fields
shown or hidden): mounting fresh widgets at every step costs Textual a full
restyle and relayout, which a learner pressing n would feel. The panel has a
fixed height and scrolls, so the panes above never reflow.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Checkbox, Input, Label, RadioButton, RadioSet, Select, Static

from ...engine import State
from ..i18n import t
from .keys import update_if_changed
from .marks import MarkBox, MarkRadio
from .number_input import NumberInput

FLAGS = ("SYN", "ACK", "FIN", "RST")
NUMBER_FIELDS = ("seq", "ack", "len")
STATE_FIELDS = ("client_state", "server_state")
STATE_OPTIONS = [(s.value, s.value) for s in State]


@dataclass
class FormState:
    """What the learner typed or picked, kept per moment so that b/n restore it."""

    values: dict[str, object]


class QuizPanel(VerticalScroll, can_focus=False):
    """Text on top, the form (if any) below it, the feedback at the bottom."""

    class CheckRequested(Message):
        """The learner asked to check (Enter in a field, c, or the Check button)."""

    DEFAULT_CSS = """
    QuizPanel { border: round $accent; padding: 0 1; }
    QuizPanel #quiz-text, QuizPanel #quiz-feedback-text { height: auto; }
    QuizPanel .form { height: auto; }
    QuizPanel .form-row { height: auto; }
    QuizPanel .form-row Label { padding: 0 1 0 0; }
    QuizPanel .form-row Checkbox { margin: 0 1 0 0; }
    QuizPanel NumberInput { width: 13; margin: 0 1 0 0; }
    QuizPanel Select { width: 18; margin: 0 1 0 0; }
    QuizPanel RadioSet { height: auto; width: 1fr; border: none; }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="quiz-text")
        with Vertical(id="segment-form", classes="form"):
            with Horizontal(classes="form-row"):
                yield Label("", id="label-flags")
                for flag in FLAGS:
                    yield MarkBox(flag, id=f"flag-{flag}", compact=True)
                for name in NUMBER_FIELDS:
                    yield Label(name, id=f"label-{name}")
                    yield NumberInput(id=f"field-{name}", compact=True, placeholder="?")
            with Horizontal(classes="form-row"):
                yield Label("", id="label-after")
                for name in STATE_FIELDS:
                    yield Label("", id=f"label-{name}")
                    yield self._state_select(f"field-{name}")
                yield Button(
                    "", id="check-segment", classes="check", compact=True, variant="primary"
                )
        with Horizontal(id="state-form", classes="form form-row"):
            yield self._state_select("field-state")
            yield Button("", id="check-state", classes="check", compact=True, variant="primary")
        yield Vertical(id="choice-form", classes="form")
        yield Static("", id="quiz-feedback-text")

    def on_mount(self) -> None:
        self._hide_forms()

    @staticmethod
    def _state_select(widget_id: str) -> Select:
        return Select(STATE_OPTIONS, prompt="?", id=widget_id, compact=True, allow_blank=True)

    # ------------------------------------------------------------ content

    def set_text(self, text: Text | str) -> None:
        update_if_changed(
            self.query_one("#quiz-text", Static), Text(text) if isinstance(text, str) else text
        )

    def set_feedback(self, text: Text | str, show: bool = False) -> None:
        """New feedback; ``show`` scrolls the panel so that it is in view."""
        feedback = self.query_one("#quiz-feedback-text", Static)
        update_if_changed(feedback, Text(text) if isinstance(text, str) else text)
        if show:
            self.call_after_refresh(self.scroll_to_widget, feedback, top=True, animate=False)
        elif self.scroll_y:
            self.scroll_home(animate=False)

    def _hide_forms(self) -> None:
        for form in self.query(".form"):
            if form.display:  # setting it again still asks for a layout
                form.display = False

    async def clear_form(self) -> None:
        self._hide_forms()
        choices = self.query_one("#choice-form", Vertical)
        if choices.children:  # removing nothing still costs a round trip and a repaint
            await choices.remove_children()

    async def show_segment_form(self, ask: list[str], lang: str, prior: FormState | None) -> None:
        values = prior.values if prior else {}
        await self.clear_form()
        self.query_one("#label-flags", Label).update(t("flags", lang))
        self.query_one("#label-after", Label).update(t("after_it", lang))
        for name in STATE_FIELDS:
            self.query_one(f"#label-{name}", Label).update(t(name.removesuffix("_state"), lang))
        self.query_one("#check-segment", Button).label = t("check", lang)
        chosen = set(values.get("flags", set()))  # type: ignore[arg-type]
        show_flags = "flags" in ask
        self.query_one("#label-flags").display = show_flags
        for flag in FLAGS:
            box = self.query_one(f"#flag-{flag}", MarkBox)
            box.display = show_flags
            box.value = flag in chosen
        for name in NUMBER_FIELDS:
            field = self.query_one(f"#field-{name}", NumberInput)
            field.display = self.query_one(f"#label-{name}").display = name in ask
            field.value = str(values.get(name, ""))
        shown_states = [n for n in STATE_FIELDS if n in ask]
        self.query_one("#label-after").display = bool(shown_states)
        for name in STATE_FIELDS:
            select = self.query_one(f"#field-{name}", Select)
            select.display = self.query_one(f"#label-{name}").display = name in ask
            select.value = _state_value(values.get(name))
        self.query_one("#segment-form").display = True

    async def show_state_form(self, lang: str, prior: FormState | None) -> None:
        values = prior.values if prior else {}
        await self.clear_form()
        self.query_one("#field-state", Select).value = _state_value(values.get("state"))
        self.query_one("#check-state", Button).label = t("check", lang)
        self.query_one("#state-form").display = True

    async def show_choice_form(
        self, options: list[str], multi: bool, lang: str, prior: FormState | None
    ) -> None:
        values = prior.values if prior else {}
        picked = set(values.get("choice", set()))  # type: ignore[arg-type]
        await self.clear_form()
        form = self.query_one("#choice-form", Vertical)
        label = t("pick_all" if multi else "pick_one", lang, n=len(options))
        if multi:
            boxes = [
                MarkBox(f"{i + 1}. {text}", i in picked, id=f"option-{i}", compact=True)
                for i, text in enumerate(options)
            ]
            await form.mount(Label(label), Vertical(*boxes, classes="form-col"))
        else:
            buttons = [
                MarkRadio(f"{i + 1}. {text}", i in picked, id=f"option-{i}")
                for i, text in enumerate(options)
            ]
            await form.mount(Label(label), RadioSet(*buttons, id="choice", compact=True))
        await form.mount(
            Button(
                t("check", lang),
                id="check-choice",
                classes="check",
                compact=True,
                variant="primary",
            )
        )
        form.display = True

    # ------------------------------------------------------------ reading

    def values(self) -> dict[str, object]:
        """What the visible form holds now, as the grader takes it."""
        out: dict[str, object] = {}
        if self.query_one("#segment-form").display:
            if self.query_one("#flag-SYN").display:
                out["flags"] = {f for f in FLAGS if self.query_one(f"#flag-{f}", MarkBox).value}
            for name in NUMBER_FIELDS:
                field = self.query_one(f"#field-{name}", NumberInput)
                if field.display:
                    out[name] = field.value
            for name in STATE_FIELDS:
                select = self.query_one(f"#field-{name}", Select)
                if select.display:
                    out[name] = "" if select.value is Select.NULL else select.value
        if self.query_one("#state-form").display:
            value = self.query_one("#field-state", Select).value
            out["state"] = "" if value is Select.NULL else value
        if self.query_one("#choice-form").display and self.query("#option-0"):
            picked = {
                int(w.id.removeprefix("option-"))
                for w in self.query(Checkbox)
                if w.id and w.id.startswith("option-") and w.value
            }
            for radio in self.query(RadioButton):
                if radio.value and radio.id:
                    picked.add(int(radio.id.removeprefix("option-")))
            out["choice"] = picked
        return out

    def pick_option(self, index: int) -> bool:
        """Digit keys pick an option; True if there was one."""
        found = self.query(f"#option-{index}")
        if not found:
            return False
        widget = found.first()
        if isinstance(widget, RadioButton):
            widget.value = True
        elif isinstance(widget, Checkbox):
            widget.toggle()
        return True

    def focus_first(self) -> None:
        for form in self.query(".form"):
            if not form.display:
                continue
            for widget in form.query("*"):
                if widget.focusable and widget.display:
                    widget.focus()
                    return

    # ------------------------------------------------------------ events

    @on(Button.Pressed, ".check")
    def _check_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.CheckRequested())

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.CheckRequested())


def _state_value(value: object) -> object:
    return value if isinstance(value, str) and value in State.__members__ else Select.NULL
