"""The quiz panel: narration, the question's form, and the graded feedback.

The panel only collects answers and shows text; the lesson screen grades them
with ``tui_tutor.lessons.quiz`` (from the engine's trace) and hands back lines.
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
from .marks import MarkBox, MarkRadio
from .number_input import NumberInput

FLAGS = ("SYN", "ACK", "FIN", "RST")
STATE_OPTIONS = [(s.value, s.value) for s in State]


@dataclass
class FormState:
    """What the learner typed or picked, kept per moment so that b/n restore it."""

    values: dict[str, object]


class QuizPanel(Vertical):
    """Text on top, the form (if any) below it, the feedback at the bottom."""

    class CheckRequested(Message):
        """The learner asked to check (Enter in a field, c, or the Check button)."""

    DEFAULT_CSS = """
    QuizPanel { height: auto; border: round $accent; padding: 0 1; }
    QuizPanel #quiz-text { height: auto; }
    QuizPanel #quiz-form { height: auto; }
    QuizPanel .form-row { height: auto; }
    QuizPanel .form-row Label { padding: 0 1 0 0; }
    QuizPanel .form-row Checkbox { margin: 0 1 0 0; }
    QuizPanel NumberInput { width: 13; margin: 0 1 0 0; }
    QuizPanel Select { width: 18; margin: 0 1 0 0; }
    QuizPanel #quiz-feedback { height: auto; max-height: 8; }
    QuizPanel RadioSet { height: auto; width: 1fr; border: none; }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="quiz-text")
        yield Vertical(id="quiz-form")
        with VerticalScroll(id="quiz-feedback"):
            yield Static("", id="quiz-feedback-text")

    # ------------------------------------------------------------ content

    def set_text(self, text: Text | str) -> None:
        self.query_one("#quiz-text", Static).update(text)

    def set_feedback(self, text: Text | str) -> None:
        self.query_one("#quiz-feedback-text", Static).update(text)

    async def clear_form(self) -> None:
        await self.query_one("#quiz-form", Vertical).remove_children()

    async def show_segment_form(self, ask: list[str], lang: str, prior: FormState | None) -> None:
        values = prior.values if prior else {}
        form = self.query_one("#quiz-form", Vertical)
        await form.remove_children()
        first_row: list = []
        if "flags" in ask:
            chosen = set(values.get("flags", set()))  # type: ignore[arg-type]
            first_row.append(Label(t("flags", lang)))
            first_row.extend(
                MarkBox(flag, flag in chosen, id=f"flag-{flag}", compact=True) for flag in FLAGS
            )
        for name in ("seq", "ack", "len"):
            if name in ask:
                first_row.append(Label(name))
                first_row.append(
                    NumberInput(
                        str(values.get(name, "")), id=f"field-{name}", compact=True, placeholder="?"
                    )
                )
        second_row: list = []
        states = [n for n in ("client_state", "server_state") if n in ask]
        if states:
            second_row.append(Label(t("after_it", lang)))
        for name in states:
            second_row.append(Label(t(name.removesuffix("_state"), lang)))
            second_row.append(self._state_select(name, values.get(name)))
        second_row.append(Button(t("check", lang), id="check", compact=True, variant="primary"))
        await form.mount(Horizontal(*first_row, classes="form-row"))
        await form.mount(Horizontal(*second_row, classes="form-row"))

    async def show_state_form(self, lang: str, prior: FormState | None) -> None:
        values = prior.values if prior else {}
        form = self.query_one("#quiz-form", Vertical)
        await form.remove_children()
        await form.mount(
            Horizontal(
                self._state_select("state", values.get("state")),
                Button(t("check", lang), id="check", compact=True, variant="primary"),
                classes="form-row",
            )
        )

    async def show_choice_form(
        self, options: list[str], multi: bool, lang: str, prior: FormState | None
    ) -> None:
        values = prior.values if prior else {}
        picked = set(values.get("choice", set()))  # type: ignore[arg-type]
        form = self.query_one("#quiz-form", Vertical)
        await form.remove_children()
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
        await form.mount(Button(t("check", lang), id="check", compact=True, variant="primary"))

    def _state_select(self, name: str, value: object) -> Select:
        initial = value if isinstance(value, str) and value in State.__members__ else Select.NULL
        return Select(
            STATE_OPTIONS,
            prompt="?",
            value=initial,
            id=f"field-{name}",
            compact=True,
            allow_blank=True,
        )

    # ------------------------------------------------------------ reading

    def values(self) -> dict[str, object]:
        """What the form holds now, as the grader takes it."""
        out: dict[str, object] = {}
        flags = {
            box.label.plain
            for box in self.query(Checkbox)
            if box.id and box.id.startswith("flag-") and box.value
        }
        if self.query("#flag-SYN"):
            out["flags"] = flags
        for field in self.query(Input):
            if field.id and field.id.startswith("field-"):
                out[field.id.removeprefix("field-")] = field.value
        for select in self.query(Select):
            if select.id and select.id.startswith("field-"):
                value = select.value
                out[select.id.removeprefix("field-")] = "" if value is Select.NULL else value
        picked = {
            int(w.id.removeprefix("option-"))
            for w in self.query(Checkbox)
            if w.id and w.id.startswith("option-") and w.value
        }
        for radio in self.query(RadioButton):
            if radio.value and radio.id:
                picked.add(int(radio.id.removeprefix("option-")))
        if self.query("#option-0"):
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
        for widget in self.query("#quiz-form *"):
            if widget.focusable:
                widget.focus()
                return

    # ------------------------------------------------------------ events

    @on(Button.Pressed, "#check")
    def _check_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.CheckRequested())

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.CheckRequested())
