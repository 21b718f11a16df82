"""The quiz panel: narration, the question's form, and the graded feedback.

The panel only collects answers and shows text; the lesson screen grades them
with ``tui_tutor.lessons.quiz`` (from the engine's trace) and hands back lines.

One keyboard model for every form: Tab and Shift+Tab go from field to field,
Enter checks, a flag's letter ticks it, a state is picked by typing its name's
start, an option by its digit. Arrows stay inside the focused field. The Check
buttons are for the mouse and take no focus, so the focused field is always a
field, drawn inverted between heavy bars (visible without colour too).

The forms are built once and reused (values reset, fields shown or hidden):
mounting fresh widgets at every step costs Textual a full restyle and relayout,
which a learner pressing n would feel. The panel has a fixed height and scrolls,
so the panes above never reflow.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Label, Static

from ...engine import State
from ...lessons.explain import field_name
from ..i18n import t
from .keys import update_if_changed
from .number_input import NumberInput
from .prose import Prose
from .state_field import StateField
from .toggles import FlagsField, Toggles

NUMBER_FIELDS = ("seq", "ack", "len")
STATE_FIELDS = ("client_state", "server_state")
FIELD_ORDER = ("flags", "seq", "ack", "len", "client_state", "server_state")


@dataclass
class FormState:
    """What the learner typed or picked, kept per moment so that b/n restore it."""

    values: dict[str, object]


class CheckButton(Button, can_focus=False):
    """Check, for the mouse; the keyboard checks with Enter from any field."""


class QuizPanel(VerticalScroll, can_focus=False):
    """Text on top, the form (if any) below it, the feedback at the bottom."""

    class CheckRequested(Message):
        """The learner clicked a Check button."""

    DEFAULT_CSS = """
    /* a thin scrollbar where the right padding was: at 80 columns the Chinese form row
       (序列号, 确认号) fits exactly, and the scrollbar that feedback brings must not cut it */
    QuizPanel { border: round $accent; padding: 0 0 0 1; scrollbar-size-vertical: 1; }
    QuizPanel #quiz-text, QuizPanel #quiz-feedback-text { height: auto; }
    QuizPanel .form { height: auto; }
    QuizPanel .form-row { height: auto; }
    QuizPanel .form-row Label { padding: 0 0 0 1; }
    QuizPanel .form-row Label.first { padding: 0 1 0 0; }
    QuizPanel #field-seq, QuizPanel #field-ack { width: 13; }
    QuizPanel #field-len { width: 8; }
    QuizPanel CheckButton { margin: 0 0 0 2; min-width: 7; }
    QuizPanel #choice-form Label { padding: 0; }
    QuizPanel #choice { margin: 0 0 0 0; }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="quiz-text")
        with Vertical(id="segment-form", classes="form"):
            with Horizontal(classes="form-row"):
                yield Label("", id="label-flags", classes="first")
                yield FlagsField(id="field-flags")
                for name in ("seq", "ack"):
                    yield Label("", id=f"label-{name}")
                    yield NumberInput(id=f"field-{name}", placeholder="?")
            with Horizontal(classes="form-row"):
                yield Label("", id="label-len", classes="first")
                yield NumberInput(id="field-len", placeholder="0")
                yield Label("", id="label-after")
                for name in STATE_FIELDS:
                    yield Label("", id=f"label-{name}")
                    yield StateField(id=f"field-{name}")
                yield CheckButton("", id="check-segment", classes="check", compact=True)
        with Horizontal(id="state-form", classes="form form-row"):
            yield Label("", id="label-state", classes="first")
            yield StateField(id="field-state")
            yield CheckButton("", id="check-state", classes="check", compact=True)
        with Vertical(id="choice-form", classes="form"):
            with Horizontal(classes="form-row"):  # the button beside it: a line less to scroll
                yield Label("", id="label-choice")
                yield CheckButton("", id="check-choice", classes="check", compact=True)
            yield Toggles([], column=True, id="choice")
        yield Static("", id="quiz-feedback-text")

    def on_mount(self) -> None:
        self._hide_forms()

    # ------------------------------------------------------------ content

    def set_text(self, text: Text | str) -> None:
        update_if_changed(self.query_one("#quiz-text", Static), _prose(text))

    def set_feedback(self, text: Text | str, show: bool = False) -> None:
        """New feedback; ``show`` scrolls the panel so that it is in view."""
        feedback = self.query_one("#quiz-feedback-text", Static)
        update_if_changed(feedback, _prose(text))
        if show:
            self.call_after_refresh(self.scroll_to_widget, feedback, top=True, animate=False)
        elif self.scroll_y:
            # now, not after the next repaint: that repaint would show the old place first,
            # and the scroll then repaints the whole panel a second time
            self.scroll_home(animate=False, immediate=True)

    def show_mistake(self, text: Text, field: str) -> None:
        """Feedback on a check that was not right: the cursor in ``field`` (typing there
        replaces what it holds), the form at the top of the panel, the feedback under it."""
        feedback = self.query_one("#quiz-feedback-text", Static)
        update_if_changed(feedback, _prose(text))
        self.focus_field(field)
        form = next((f for f in self.query(".form") if f.display), None)
        if form is not None:
            self.call_after_refresh(self.scroll_to_widget, form, top=True, animate=False)

    def _hide_forms(self) -> None:
        for form in self.query(".form"):
            if form.display:  # setting it again still asks for a layout
                form.display = False

    async def clear_form(self) -> None:
        self._hide_forms()

    def _show(self, widget: Widget, shown: bool) -> None:
        if widget.display != shown:
            widget.display = shown

    def _label(self, widget_id: str, text: str) -> None:
        update_if_changed(self.query_one(widget_id, Label), text)

    def fit_width(self) -> None:
        """The word "flags" before the check boxes only where the row has room for it (the
        screen calls this again when the terminal is resized)."""
        wide = self.app.size.width >= 110
        self._show(self.query_one("#label-flags"), wide and getattr(self, "_flags_asked", False))

    async def show_segment_form(self, ask: list[str], lang: str, prior: FormState | None) -> None:
        values = prior.values if prior else {}
        self._hide_forms()
        self._label("#label-flags", t("flags", lang))
        self._flags_asked = "flags" in ask
        self.fit_width()
        self._label("#label-after", t("after_it", lang))
        for name in ("seq", "ack"):
            self._label(f"#label-{name}", field_name(name, lang))
        for name in ("len", *STATE_FIELDS):
            self._label(f"#label-{name}", t(f"field_{name}_short", lang))
        self.query_one("#check-segment", Button).label = t("check", lang)
        flags = self.query_one("#field-flags", FlagsField)
        self._show(flags, "flags" in ask)
        flags.flags = {str(f) for f in _items(values.get("flags"))}
        for name in NUMBER_FIELDS:
            field = self.query_one(f"#field-{name}", NumberInput)
            self._show(field, name in ask)
            self._show(self.query_one(f"#label-{name}"), name in ask)
            field.value = str(values.get(name, ""))
        self._show(self.query_one("#label-after"), any(n in ask for n in STATE_FIELDS))
        for name in STATE_FIELDS:
            state_field = self.query_one(f"#field-{name}", StateField)
            self._show(state_field, name in ask)
            self._show(self.query_one(f"#label-{name}"), name in ask)
            state_field.load(_state(values.get(name)))
        self.query_one("#segment-form").display = True

    async def show_state_form(self, lang: str, prior: FormState | None) -> None:
        values = prior.values if prior else {}
        self._hide_forms()
        self._label("#label-state", t("field_state_short", lang))
        self.query_one("#field-state", StateField).load(_state(values.get("state")))
        self.query_one("#check-state", Button).label = t("check", lang)
        self.query_one("#state-form").display = True

    async def show_choice_form(
        self, options: list[str], multi: bool, lang: str, prior: FormState | None
    ) -> None:
        values = prior.values if prior else {}
        self._hide_forms()
        self._label("#label-choice", t("pick_all" if multi else "pick_one", lang, n=len(options)))
        choice = self.query_one("#choice", Toggles)
        labels = [f"{i + 1}. {text}" for i, text in enumerate(options)]
        if (choice.items, choice.multi) != (labels, multi):
            choice.set_items(labels, multi)
        choice.set_ticked({int(str(i)) for i in _items(values.get("choice"))})
        choice.cursor = 0
        self.query_one("#check-choice", Button).label = t("check", lang)
        self.query_one("#choice-form").display = True

    # ------------------------------------------------------------ reading

    def values(self) -> dict[str, object]:
        """What the visible form holds now, as the grader takes it."""
        out: dict[str, object] = {}
        if self.query_one("#segment-form").display:
            flags = self.query_one("#field-flags", FlagsField)
            if flags.display:
                out["flags"] = flags.flags
            for name in NUMBER_FIELDS:
                field = self.query_one(f"#field-{name}", NumberInput)
                if field.display:
                    out[name] = field.value
            for name in STATE_FIELDS:
                state = self.query_one(f"#field-{name}", StateField)
                if state.display:
                    out[name] = state.value.value if state.value else ""
        if self.query_one("#state-form").display:
            chosen = self.query_one("#field-state", StateField).value
            out["state"] = chosen.value if chosen else ""
        if self.query_one("#choice-form").display:
            out["choice"] = set(self.query_one("#choice", Toggles).ticked)
        return out

    def set_value(self, name: str, value: str) -> None:
        """Put ``value`` in a number field (the screen rewrites numbers when t switches)."""
        self.query_one(f"#field-{name}", NumberInput).value = value

    @property
    def flags_shown(self) -> bool:
        return bool(
            self.query_one("#segment-form").display and self.query_one("#field-flags").display
        )

    def toggle_flag(self, name: str) -> None:
        self.query_one("#field-flags", FlagsField).toggle_flag(name)

    def pick_option(self, index: int) -> bool:
        """Digit keys pick an option; True if there was one."""
        if not self.query_one("#choice-form").display:
            return False
        choice = self.query_one("#choice", Toggles)
        if not 0 <= index < len(choice.items):
            return False
        choice.toggle(index)
        return True

    def fields(self) -> list[Widget]:
        """The fields shown now, in Tab order."""
        return [w for w in self.screen.focus_chain if self in w.ancestors]

    def focus_field(self, name: str) -> None:
        """The field that holds ``name`` (as ``values`` names them), if it is shown."""
        widget_id = "#choice" if name == "choice" else f"#field-{name}"
        found = self.query(widget_id)
        if found and found.first() in self.fields():
            self.screen.set_focus(found.first())

    def focus_first(self) -> None:
        fields = self.fields()
        if fields:
            # at once (Widget.focus waits for the next idle): the keys typed right after
            # n must find it
            self.screen.set_focus(fields[0])

    # ------------------------------------------------------------ events

    @on(Button.Pressed, ".check")
    def _check_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.CheckRequested())


def _prose(text: Text | str) -> Prose:
    """Sentences wrapped between Chinese characters too, not only at spaces."""
    return Prose(Text(text) if isinstance(text, str) else text)


def field_rank(name: str) -> int:
    """A field's place in the form (Tab order): the first of several to fix comes first."""
    return FIELD_ORDER.index(name) if name in FIELD_ORDER else len(FIELD_ORDER)


def _items(value: object) -> list[object]:
    """A form value that holds several (ticked flags, chosen options), as a list."""
    return list(value) if isinstance(value, set | frozenset | list | tuple) else []


def _state(value: object) -> State | None:
    return State(value) if isinstance(value, str) and value in State.__members__ else None
