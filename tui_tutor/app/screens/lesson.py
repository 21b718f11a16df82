"""The lesson screen: both peers' state machines, the ladder between them, the quiz below.

The learner walks the run's moments with n and b. At a question the quiz panel
collects a prediction; the screen grades it against the engine's trace
(``tui_tutor.lessons.quiz``), shows why, and records it in the progress store.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.reactive import Reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static

from ...engine import Role
from ...lessons.expr import BadExpression, parse
from ...lessons.model import (
    DEFAULT_ASK,
    Choice,
    Narrate,
    PredictSegment,
    PredictState,
    Question,
)
from ...lessons.quiz import Grade, Numbers, grade_question
from ...lessons.source import LessonSource, lesson_source
from ...lessons.timeline import Moment, Run
from ...progress import ProgressStore
from ..feedback import Answer, QuestionView, feedback, problems
from ..i18n import t
from ..languages import Tutor
from ..view import (
    Shown,
    cause_text,
    describe_segment,
    in_parens,
    ladder_rows,
    pane_data,
    peer_paths,
    segment_label,
    shown_at,
)
from ..widgets.keys import keys_line, update_if_changed
from ..widgets.number_input import NumberInput
from ..widgets.peers import PEERS_BINDINGS, Peers
from ..widgets.quiz import FormState, QuizPanel, field_rank
from ..widgets.state_field import StateField
from ..widgets.toggles import FLAG_KEYS

IDLE_CAP = 120.0  # seconds between two key presses counted as learning time at most


@dataclass
class PlayState:
    run: Run
    index: int = 0
    answers: dict[int, Answer] = field(default_factory=dict)


class LessonScreen(Tutor, Screen[None]):
    # every key is taken as it arrives, in order (see TutorApp.on_event)
    KEYS_IN_ORDER = True
    AUTO_FOCUS = None  # focus is where the question puts it, also after a dialog closes
    # Textual repaints the whole screen when the focus moves (a full update, 15 KB and 30 ms
    # of CPU per Tab); the field left and the field entered repaint themselves, and so
    # does the footer (on_descendant_focus)
    focused: Reactive[Widget | None] = Reactive(None, repaint=False)
    BINDINGS = [
        Binding("n,right", "next", "next"),
        Binding("b,left", "back", "back"),
        Binding("enter", "check", "check", priority=True),
        Binding("tab", "move_field(1)", show=False),
        Binding("shift+tab", "move_field(-1)", show=False),
        Binding("c", "check", "check"),
        Binding("h", "hint", "hint"),
        Binding("v", "reveal", "reveal"),
        Binding("R", "restart", "restart"),
        *PEERS_BINDINGS,
        Binding("escape", "leave", "lessons"),
        Binding("pageup", "scroll_feedback(-1)", show=False),
        Binding("pagedown", "scroll_feedback(1)", show=False),
        *(
            Binding(letter, f"toggle_flag('{flag}')", show=False)
            for letter, flag in FLAG_KEYS.items()
        ),
        *(Binding(str(i), f"pick({i - 1})", show=False) for i in range(1, 10)),
    ]

    def __init__(self, source: LessonSource) -> None:
        super().__init__()
        self.source = source
        self.absolute = source.numbers == "absolute"
        self.play: PlayState | None = None
        self._last_action = time.monotonic()
        self._outcomes: dict[str, str] = {}

    # ------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Static("", id="header")
        yield Peers(id="main")
        yield QuizPanel(id="quiz")
        yield Static("", id="keys")

    @property
    def peers(self) -> Peers:
        return self.query_one("#main", Peers)

    @property
    def quiz(self) -> QuizPanel:
        return self.query_one("#quiz", QuizPanel)

    @property
    def store(self) -> ProgressStore | None:
        return self.tutor.store

    async def on_mount(self) -> None:
        await self._start(resume=True)

    async def _start(self, resume: bool) -> None:
        progress = None
        isns = None
        questions = len(self._questions())
        if self.store is not None:
            progress = self.store.lesson(self.source.key)
            client, server = progress.isns
            started = resume and progress.status != "not started"
            if started and client is not None and server is not None:
                isns = {Role.CLIENT: client, Role.SERVER: server}
        run = self.source.make_run(None if self.source.fixed_isns else isns)
        self.play = PlayState(run)
        if self.store is not None:
            pair = (run.isns.get(Role.CLIENT), run.isns.get(Role.SERVER))
            if not resume or progress is None or progress.status == "not started":
                self.store.open_lesson(self.source.key, questions, pair)
                if not resume:
                    self.store.restart_lesson(self.source.key, pair)
            self._outcomes = self.store.outcomes(self.source.key)
            if resume and progress is not None:
                self.play.index = min(progress.moment, max(0, len(run.moments) - 1))
        await self._show()

    def _questions(self) -> list[str]:
        lesson = self.source.lesson
        if lesson is None:
            return []
        return [self._question_id(i, s) for i, s in lesson.questions]

    @staticmethod
    def _question_id(index: int, step: object) -> str:
        return getattr(step, "id", None) or f"q{index}"

    # ------------------------------------------------------------ drawing

    @property
    def numbers(self) -> Numbers:
        run = self._run
        x, y = run.x, run.y
        if self.source.bases:
            x, y = self.source.bases.get(Role.CLIENT, x), self.source.bases.get(Role.SERVER, y)
        return Numbers(x, y, symbolic=self.source.numbers == "symbolic", absolute=self.absolute)

    @property
    def _run(self) -> Run:
        assert self.play is not None
        return self.play.run

    @property
    def moment(self) -> Moment | None:
        if self.play is None or not self._run.moments:
            return None
        return self._run.moments[self.play.index]

    async def _show(self, focus: bool = True) -> None:
        with self._one_update():
            await self._draw(focus)

    @contextmanager
    def _one_update(self) -> Iterator[None]:
        """One layout and one repaint for everything a key changes, not one per widget.

        Left to themselves, widgets pass their requests for a layout or repaint on to the
        screen when each next runs idle; on a busy machine those arrive over two or three
        frames, and the screen lays itself out and paints once per frame: twice or more for
        one n. Here they are handed over together, before the screen may paint again."""
        with self.app.batch_update():
            yield
            for widget in self.walk_children(Widget):
                widget._check_refresh()

    async def _draw(self, focus: bool) -> None:
        play, moment = self.play, self.moment
        if play is None or moment is None:
            return
        await self._show_quiz(moment, focus)
        self._draw_run()
        self._show_header()
        self._show_keys()

    def _shown(self) -> tuple[Shown, Shown | None]:
        """What the ladder and panes show now, and what they showed at the step before."""
        play = self.play
        assert play is not None
        now = shown_at(play.run, play.index, self._done)
        before = shown_at(play.run, play.index - 1, self._done) if play.index else None
        return now, before

    def _draw_run(self) -> None:
        """The ladder and both panes: redrawn at each step, and when an answer tells more."""
        play, moment = self.play, self.moment
        if play is None or moment is None:
            return
        run, lang, numbers = play.run, self.lang, self.numbers
        now, before = self._shown()
        self.peers.show(
            ladder_rows(run, moment, numbers, lang, shown=now, before=before),
            {
                role: pane_data(run, moment, role, numbers, lang, shown=now, before=before)
                for role in Role
            },
            lang,
        )

    def _show_header(self) -> None:
        """The title, then where the learner is (step, score, language, numbers). When the
        line is short of room the status words shorten; if the title still does not fit
        beside them, the status goes onto the question's border: the title is never cut."""
        play = self.play
        assert play is not None
        lang = self.lang
        mode = "absolute" if self.absolute else self.source.numbers
        step = f"{play.index + 1}/{len(play.run.moments)}"
        score = ""
        if self.store is not None and self.source.lesson is not None:
            progress = self.store.lesson(self.source.key)
            score = f"{progress.score:g}/{progress.total}"
        title = f" {self.source.title(lang)}"
        words = [f"{t('step', lang)} {step}"] + ([f"{t('score', lang)} {score}"] if score else [])
        tag = "中文" if lang == "zh" else "EN"
        statuses = [
            "   " + " · ".join([*words, tag, t(mode, lang)]),
            " · " + " · ".join([*words, t(mode, lang)]),
            " · " + " · ".join([*words, t(f"{mode}_short", lang)]),
        ]
        width = self.size.width or 80
        status = next((s for s in statuses if cell_len(title) + cell_len(s) <= width), "")
        text = Text()
        text.append(title, style="bold")
        text.append(status)
        update_if_changed(self.query_one("#header", Static), text)
        self._quiz_title("" if status else " · ".join([*words, t(f"{mode}_short", lang)]))

    def _quiz_title(self, more: str = "") -> None:
        """The question's border title, with ``more`` the header had no room for."""
        title = t("question", self.lang) + (f" · {more}" if more else "")
        if self.quiz.border_title != title:
            self.quiz.border_title = title

    def _show_keys(self) -> None:
        # narrow: the numbers, diagram and language keys go first (help lists them), so that
        # a question keeps its own keys (flags, Tab, Enter, h, v) with ?, esc and q
        line = keys_line(self._keys(), self.lang, self.size.width, drop_first=("t", "d", "l"))
        update_if_changed(self.query_one("#keys", Static), line)

    def _keys(self) -> list[tuple[str, str]]:
        """The footer: the keys of this moment and this field first, the rest after."""
        moment = self.moment
        keys: list[tuple[str, str]] = []
        typing_state = isinstance(self.focused, StateField)
        asking = self._is_question(moment) and not self._answered_now()
        if asking and moment is not None:
            step = moment.step
            if typing_state:
                keys.append(("a-z", "key_type_state"))
            elif isinstance(step, Choice):
                keys.append(("1-9", "key_pick"))
            elif not isinstance(self.focused, NumberInput) and not isinstance(step, PredictState):
                keys.append(("s a f r p", "key_flags"))
            keys += [("tab", "key_fields"), ("⏎", "key_check"), ("h", "key_hint")]
            keys.append(("v", "key_reveal"))
        else:
            keys += [("n", "key_next"), ("b", "key_back")]
        keys.append(("d", "key_diagram"))
        if not typing_state:  # in a state field l and t type LISTEN and TIME_WAIT
            keys += [("t", "key_numbers"), ("l", "key_lang")]
        keys += [("?", "key_help"), ("esc", "key_lessons"), ("q", "key_quit")]
        return keys

    def set_focus(
        self, widget: Widget | None, scroll_visible: bool = True, from_app_focus: bool = False
    ) -> None:
        super().set_focus(widget, scroll_visible, from_app_focus)
        if isinstance(widget, NumberInput) and self.focused is widget:
            widget.entered()  # now, before the next key: typing replaces what it holds

    def on_descendant_focus(self) -> None:
        if self.play is not None:
            self._show_keys()

    def on_descendant_blur(self) -> None:
        if self.play is not None:
            self._show_keys()

    def _answered_now(self) -> bool:
        play = self.play
        if play is None:
            return False
        answer = play.answers.get(play.index)
        return answer is not None and (answer.correct or answer.revealed)

    async def _show_quiz(self, moment: Moment, focus: bool) -> None:
        quiz = self.quiz
        lang = self.lang
        play = self.play
        assert play is not None
        answer = play.answers.get(play.index)
        prior = answer.form if answer else None
        step = moment.step
        if isinstance(step, PredictSegment) or (moment.kind == "step" and step is None):
            assert moment.segment is not None
            prompt = step.prompt.get(lang) if step and step.prompt else t("predict_default", lang)
            text = Text(prompt, style="bold")
            text.append(
                "\n" + in_parens(cause_text(play.run, moment.segment, lang), lang), style="dim"
            )
            quiz.set_text(text)
            await quiz.show_segment_form(self._ask(moment), lang, prior)
        elif isinstance(step, PredictState):
            quiz.set_text(Text(step.prompt.get(lang), style="bold"))
            await quiz.show_state_form(lang, prior)
        elif isinstance(step, Choice):
            quiz.set_text(Text(step.prompt.get(lang), style="bold"))
            multi = sum(o.correct for o in step.options) > 1
            await quiz.show_choice_form(
                [o.text.get(lang) for o in step.options], multi, lang, prior
            )
        elif isinstance(step, Narrate):
            quiz.set_text(step.text.get(lang))
            await quiz.clear_form()
        elif moment.kind == "segment":
            assert moment.segment is not None
            text = Text("\n".join(describe_segment(play.run, moment.segment, self.numbers, lang)))
            unusual = play.run.notes.get(moment.segment)
            if unusual:
                text = Text.assemble((t("unusual", lang) + " ", "bold yellow"), unusual, "\n", text)
            quiz.set_text(text)
            await quiz.clear_form()
        else:
            quiz.set_text(t("end_events", lang))
            await quiz.clear_form()
        # back at an answered question: the feedback in view, as it was left
        shown = answer is not None and (
            answer.checked is not None or answer.revealed or answer.hinted or answer.unread
        )
        quiz.set_feedback(self._feedback(answer, moment), show=bool(shown))
        if focus and self._is_question(moment) and not self._done(play.index):
            quiz.focus_first()
        elif focus:
            self.set_focus(None)

    @staticmethod
    def _ask(moment: Moment) -> list[str]:
        step = moment.step
        return list(step.ask) if isinstance(step, PredictSegment) else list(DEFAULT_ASK)

    def _feedback(self, answer: Answer | None, moment: Moment) -> Text:
        lang = self.lang
        out = Text()
        play = self.play
        assert play is not None
        if self._is_question(moment):
            out = feedback(answer, self._question(moment), lang)
        if play.index == len(play.run.moments) - 1 and not self._is_question(moment):
            key = "capture_end" if self.source.is_capture else "lesson_end"
            out.append(("\n" if out.plain else "") + t(key, lang), style="bold")
        return out

    def _question(self, moment: Moment) -> QuestionView:
        """The question at ``moment`` as the feedback reads it."""
        step = moment.step
        sender = None
        if moment.segment is not None and moment.segment <= len(self._run.records):
            sender = self._run.record(moment.segment).sender

        def read_number(name: str, text: str) -> object:
            assert sender is not None
            return self.numbers.readings(text, name, sender)

        def explain(lang: str) -> str | None:
            extra = getattr(step, "explain", None)
            return extra.get(lang) if extra is not None else None

        options = None
        if isinstance(step, Choice):
            choice = step

            def options(lang: str) -> list[str]:
                return [o.text.get(lang) for o in choice.options]

        assert self.play is not None
        return QuestionView(
            grade=lambda values, lang: self._grade(moment, values, lang),
            read_number=read_number,
            hint=lambda lang: self._hint(moment, lang),
            explain=explain,
            options=options,
            answered_before=self._done(self.play.index),
        )

    def _hint(self, moment: Moment, lang: str) -> str:
        hint = getattr(moment.step, "hint", None)
        if hint is not None:
            return hint.get(lang)
        return t("hint_default", lang)

    # ------------------------------------------------------------ questions

    @staticmethod
    def _is_question(moment: Moment | None) -> bool:
        return moment is not None and moment.kind == "step" and not isinstance(moment.step, Narrate)

    def _done(self, index: int) -> bool:
        """Answered right, revealed, or answered in an earlier session."""
        play = self.play
        if play is None:
            return False
        answer = play.answers.get(index)
        if answer is not None and (answer.revealed or answer.correct):
            return True
        moment = play.run.moments[index]
        if moment.step_index is not None and moment.step is not None:
            qid = self._question_id(moment.step_index, moment.step)
            return self._outcomes.get(qid, "open") != "open"
        return False

    def _grade(self, moment: Moment, values: dict[str, object], lang: str) -> Grade:
        step = moment.step if isinstance(moment.step, Question) else None
        return grade_question(self._run, step, values, self.numbers, lang, moment.segment)

    def _elapsed(self) -> float:
        now = time.monotonic()
        spent, self._last_action = min(now - self._last_action, IDLE_CAP), now
        return spent

    def _record(
        self, moment: Moment, kind: str, correct: bool | None = None, answer: str = ""
    ) -> None:
        if self.store is None or moment.step_index is None or moment.step is None:
            return
        if self.source.lesson is None:
            return
        qid = self._question_id(moment.step_index, moment.step)
        self._outcomes[qid] = self.store.record(
            self.source.key, qid, kind, correct, answer, self._elapsed()
        )

    def _answer_here(self) -> Answer:
        """The answer at the current moment, created with what the form holds."""
        play = self.play
        assert play is not None
        values = self.quiz.values()
        return play.answers.setdefault(play.index, Answer(FormState(values)))

    async def action_check(self) -> None:
        play, moment = self.play, self.moment
        if play is None or moment is None or not self._is_question(moment):
            return
        with self._one_update():
            self._check(moment)

    def _check(self, moment: Moment) -> None:
        quiz = self.quiz
        values = quiz.values()
        answer = self._answer_here()
        answer.form = FormState(values)
        question = self._question(moment)
        found = problems(values, question.read_number)
        if found:
            answer.unread = dict(values)  # not a try: say what is missing, keep the first try
            quiz.show_mistake(self._feedback(answer, moment), found[0][0])
            return
        answer.unread = None
        grade = self._grade(moment, values, self.lang)
        first_right = not answer.correct and not answer.revealed
        answer.checked, answer.correct = dict(values), grade.correct
        if first_right:
            answer.tries += 1
            self._record(moment, "answer", grade.correct, _answer_text(values))
        self._show_header()
        if grade.correct:
            quiz.set_feedback(self._feedback(answer, moment), show=True)
            self._draw_run()
            # the cursor leaves the form, so that letters are keys again (n goes on)
            self.set_focus(None)
        else:
            # the cursor goes to the first field to fix, the form stays in view above the why
            wrong = [f.field for f in grade.fields if not f.correct]
            quiz.show_mistake(self._feedback(answer, moment), min(wrong, key=field_rank))
        self._show_keys()

    @on(QuizPanel.CheckRequested)
    async def _check_requested(self) -> None:
        await self.action_check()

    async def action_hint(self) -> None:
        play, moment = self.play, self.moment
        if play is None or moment is None or not self._is_question(moment):
            return
        answer = self._answer_here()
        if not answer.hinted:
            answer.hinted = True
            self._record(moment, "hint")
        with self._one_update():
            self.quiz.set_feedback(self._feedback(answer, moment), show=True)

    async def action_reveal(self) -> None:
        play, moment = self.play, self.moment
        if play is None or moment is None or not self._is_question(moment):
            return
        quiz = self.quiz
        answer = self._answer_here()
        if answer.correct or answer.revealed:
            return
        answer.form = FormState(quiz.values())
        answer.entered = dict(answer.form.values)
        answer.revealed, answer.unread = True, None
        self._record(moment, "reveal")
        with self._one_update():
            self._draw_run()
            quiz.set_feedback(self._feedback(answer, moment), show=True)
            self._show_header()
            self._show_keys()
            self.set_focus(None)

    def action_scroll_feedback(self, direction: int) -> None:
        self.quiz.scroll_relative(y=direction * 4, animate=False)

    def on_resize(self) -> None:
        if self.play is not None:
            self._show_keys()
            self._show_header()
            self.quiz.fit_width()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_flag":
            # letters tick flags unless the learner is typing in a field
            focused = self.focused
            return (
                self.is_mounted
                and self.quiz.flags_shown
                and not (isinstance(focused, NumberInput | StateField))
            )
        return True

    def action_move_field(self, step: int) -> None:
        """Tab and Shift+Tab: round the question's fields; from outside the form, Tab goes
        to the first field and Shift+Tab to the last."""
        fields = self.quiz.fields()
        if not fields:
            return
        focused = self.focused
        if focused in fields:
            target = fields[(fields.index(focused) + step) % len(fields)]
        else:
            target = fields[0] if step > 0 else fields[-1]
        self.set_focus(target)

    def action_toggle_flag(self, flag: str) -> None:
        self.quiz.toggle_flag(flag)

    def action_pick(self, index: int) -> None:
        if isinstance(self.moment and self.moment.step, Choice):
            self.quiz.pick_option(index)

    # ------------------------------------------------------------ moving

    async def action_next(self) -> None:
        play, moment = self.play, self.moment
        if play is None or moment is None:
            return
        if self._is_question(moment) and not self._done(play.index):
            self.app.clear_notifications()  # pressed n again: one reminder, not a pile
            self.notify(t("answer_first", self.lang), timeout=3)
            return
        if play.index + 1 >= len(play.run.moments):
            self._save(finished=True)
            from .results import ResultsScreen

            results = [
                (outcome, {lang: self.question_title(m, lang) for lang in ("en", "zh")})
                for outcome, m in self._results()
            ]
            self.app.push_screen(ResultsScreen(self.source, results), self._after_results)
            return
        self._remember_form()
        play.index += 1
        self._save()
        await self._show()

    def _after_results(self, choice: str | None) -> None:
        """What the learner chose on the results screen."""
        if choice == "lessons":
            self.app.pop_screen()
        elif choice == "again":
            self.call_later(self.action_restart)

    def _results(self) -> list[tuple[str, Moment | None]]:
        """(outcome, the question's moment) for every question, in lesson order."""
        play = self.play
        assert play is not None
        where = {
            self._question_id(m.step_index, m.step): m
            for m in play.run.moments
            if m.step_index is not None and m.step is not None and self._is_question(m)
        }
        if self.source.lesson is not None:
            return [(self._outcomes.get(q, "open"), where.get(q)) for q in self._questions()]
        # a capture is not recorded: its outcomes are this session's answers
        return [
            (play.answers[i].outcome if i in play.answers else "open", m)
            for i, m in enumerate(play.run.moments)
            if self._is_question(m)
        ]

    def question_title(self, moment: Moment | None, lang: str) -> str:
        """A question's one-line name on the results screen."""
        if moment is None:
            return "?"
        step = moment.step
        prompt = getattr(step, "prompt", None)
        if prompt is not None:
            return prompt.get(lang)
        return t("predict_segment_n", lang, n=moment.segment)

    async def action_back(self) -> None:
        play = self.play
        if play is None or play.index == 0:
            return
        self._remember_form()
        play.index -= 1
        self._save()
        await self._show()

    def _remember_form(self) -> None:
        """Keep what was typed at a question, so that coming back shows it again."""
        play, moment = self.play, self.moment
        if play is None or not self._is_question(moment):
            return
        self._answer_here().form = FormState(self.quiz.values())

    def _save(self, finished: bool = False) -> None:
        if self.store is not None and self.play is not None:
            isns = self._run.isns  # saved with the place: they belong together
            self.store.save_position(
                self.source.key,
                self.play.index,
                finished,
                self._elapsed(),
                isns=(isns.get(Role.CLIENT), isns.get(Role.SERVER)),
            )

    def action_restart(self) -> None:
        """Start over, once the learner has said yes: a lesson's score goes with it."""
        from .confirm import ConfirmScreen

        lang = self.lang
        if self.source.fixed_isns:
            question = t("confirm_restart_capture", lang)
        else:
            question = t("confirm_restart", lang, title=self.source.title(lang))

        async def answered(yes: bool | None) -> None:
            if yes:
                await self.restart()

        self.app.push_screen(ConfirmScreen(question), answered)

    async def restart(self) -> None:
        if self.source.fixed_isns:
            if self.play is not None:
                self.play = PlayState(self.play.run)
                await self._show()
            return
        await self._start(resume=False)

    async def action_toggle_numbers(self) -> None:
        self._remember_form()
        before = self.numbers
        self.absolute = not self.absolute
        self._renumber(before, self.numbers)
        await self._show(focus=False)

    def _renumber(self, before: Numbers, after: Numbers) -> None:
        """Rewrite plain numbers typed in the old mode so that they mean the same in the new.

        ``1`` typed for seq under x/y means x+1; in absolute numbers the field then says
        x's value plus one. Numbers with x or y mean the same in every mode and stay.
        """
        play = self.play
        if play is None:
            return
        for index, answer in play.answers.items():
            number = play.run.moments[index].segment
            if number is None or number > len(play.run.records):
                continue
            sender = play.run.record(number).sender
            for values in (answer.form.values, answer.checked, answer.unread, answer.entered):
                if values is None:
                    continue
                for name in ("seq", "ack"):
                    text = str(values.get(name, "")).strip()
                    try:
                        plain = bool(text) and not parse(text).symbol
                        if plain:
                            (value,) = before.readings(text, name, sender)
                            values[name] = after.show(value, name, sender)
                    except (BadExpression, ValueError):
                        continue  # unreadable stays as typed: Enter will say so

    def action_toggle_language(self) -> None:
        self._remember_form()
        self.tutor.action_toggle_language()

    async def refresh_language(self) -> None:
        await self._show(focus=False)

    def action_help(self) -> None:
        from .help import HelpScreen

        self.app.push_screen(HelpScreen("lesson"))

    def action_diagram(self) -> None:
        """The whole state diagram, both peers on it, nothing still asked shown."""
        from .diagram import DiagramScreen

        play, moment = self.play, self.moment
        if play is None or moment is None:
            return
        now, _ = self._shown()
        self.app.push_screen(DiagramScreen(peer_paths(play.run, moment, now)))

    def action_scroll_ladder(self, lines: int) -> None:
        self.peers.ladder.scroll_rows(lines)

    def action_leave(self) -> None:
        self._remember_form()
        self._save()
        self.app.pop_screen()


def _answer_text(values: dict[str, object]) -> str:
    parts = []
    for key in sorted(values):
        value = values[key]
        if isinstance(value, set):
            value = ",".join(sorted(str(v) for v in value))
        parts.append(f"{key}={value}")
    return "; ".join(parts)


__all__ = ["LessonScreen", "LessonSource", "lesson_source", "segment_label"]
