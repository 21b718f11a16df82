"""The lesson screen: both peers' state machines, the ladder between them, the quiz below.

The learner walks the run's moments with n and b. At a question the quiz panel
collects a prediction; the screen grades it against the engine's trace
(``tui_tutor.lessons.quiz``), shows why, and records it in the progress store.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Static

from ...engine import Role
from ...lessons.explain import field_name
from ...lessons.expr import BadExpression
from ...lessons.model import Choice, Lesson, Narrate, PredictSegment, PredictState, Question
from ...lessons.quiz import Grade, Numbers, grade_question
from ...lessons.timeline import Moment, Run
from ..i18n import t
from ..view import cause_text, describe_segment, ladder_rows, pane_data, segment_label
from ..widgets.keys import keys_line, update_if_changed
from ..widgets.ladder import Ladder
from ..widgets.quiz import FormState, QuizPanel
from ..widgets.state_pane import StatePane

IDLE_CAP = 120.0  # seconds between two key presses counted as learning time at most


@dataclass
class LessonSource:
    """What the screen plays: a lesson file, a capture, anything that yields a Run."""

    key: str  # progress id
    titles: dict[str, str]  # by language
    make_run: Callable[[dict[Role, int] | None], Run]
    lesson: Lesson | None = None
    numbers: str = "symbolic"  # "symbolic", "relative" or "absolute" at the start
    fixed_isns: bool = False  # a capture's numbers are what they are

    def title(self, lang: str) -> str:
        return self.titles.get(lang) or self.titles.get("en", "")


@dataclass
class Answer:
    form: FormState
    grade: Grade | None = None
    revealed: bool = False
    hinted: bool = False
    error: str = ""


@dataclass
class PlayState:
    run: Run
    index: int = 0
    answers: dict[int, Answer] = field(default_factory=dict)


class LessonScreen(Screen):
    BINDINGS = [
        Binding("n,right", "next", "next"),
        Binding("b,left", "back", "back"),
        Binding("h", "hint", "hint"),
        Binding("c", "check", "check"),
        Binding("v", "reveal", "reveal"),
        Binding("r", "restart", "restart"),
        Binding("t", "toggle_numbers", "numbers"),
        Binding("l", "toggle_language", "language"),
        Binding("question_mark", "help", "help"),
        Binding("escape", "leave", "lessons"),
        Binding("pageup", "scroll_feedback(-1)", show=False),
        Binding("pagedown", "scroll_feedback(1)", show=False),
        *(Binding(str(i), f"pick({i - 1})", show=False) for i in range(1, 7)),
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
        with Horizontal(id="main"):
            yield StatePane(id="client-pane")
            yield Ladder(id="ladder")
            yield StatePane(id="server-pane")
        yield QuizPanel(id="quiz")
        yield Static("", id="keys")

    @property
    def lang(self) -> str:
        return getattr(self.app, "lang", "en")

    @property
    def store(self):
        return getattr(self.app, "store", None)

    async def on_mount(self) -> None:
        await self._start(resume=True)

    async def _start(self, resume: bool) -> None:
        progress = None
        isns = None
        questions = len(self._questions())
        if self.store is not None:
            progress = self.store.lesson(self.source.key)
            if resume and progress.status != "not started" and None not in progress.isns:
                isns = {Role.CLIENT: progress.isns[0], Role.SERVER: progress.isns[1]}
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
        return Numbers(
            run.x, run.y, symbolic=self.source.numbers == "symbolic", absolute=self.absolute
        )

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
        # one repaint for the whole step, not one per widget that changes
        with self.app.batch_update():
            await self._draw(focus)

    async def _draw(self, focus: bool) -> None:
        play, moment = self.play, self.moment
        if play is None or moment is None:
            return
        run, lang = play.run, self.lang
        previous = run.moments[play.index - 1] if play.index > 0 else None
        numbers = self.numbers
        self.query_one("#ladder", Ladder).show(
            ladder_rows(run, moment, numbers, lang, previous),
            (t("client", lang), t("server", lang)),
            t("segments", lang),
        )
        self._draw_panes()
        await self._show_quiz(moment, focus)
        self._show_header()
        self._show_keys()

    def _draw_panes(self) -> None:
        play, moment = self.play, self.moment
        if play is None or moment is None:
            return
        run = play.run
        previous = run.moments[play.index - 1] if play.index > 0 else None
        # while a segment is being predicted, its sender's SND.NXT / RCV.NXT would give it away
        asking = None
        pending = moment.segment is not None and moment.segment > moment.segments_shown
        if pending and self._is_question(moment) and not self._done(play.index):
            asking = run.record(moment.segment).sender
        for role, pane_id in ((Role.CLIENT, "#client-pane"), (Role.SERVER, "#server-pane")):
            self.query_one(pane_id, StatePane).data = pane_data(
                run, moment, role, self.numbers, self.lang, previous, hide_vars=role is asking
            )

    def _show_header(self) -> None:
        play = self.play
        assert play is not None
        lang = self.lang
        mode = "absolute" if self.absolute else self.source.numbers
        score = ""
        if self.store is not None and self.source.lesson is not None:
            progress = self.store.lesson(self.source.key)
            score = f" · {t('score', lang)} {progress.score:g}/{progress.total}"
        text = Text()
        text.append(f" {self.source.title(lang)}", style="bold")
        text.append(
            f"   {t('step', lang)} {play.index + 1}/{len(play.run.moments)}{score}"
            f" · {'中文' if lang == 'zh' else 'EN'} · {t(mode, lang)}"
        )
        update_if_changed(self.query_one("#header", Static), text)

    def _show_keys(self) -> None:
        lang = self.lang
        keys = [
            ("n", "key_next"),
            ("b", "key_back"),
            ("h", "key_hint"),
            ("v", "key_reveal"),
            ("r", "key_restart"),
            ("t", "key_numbers"),
            ("l", "key_lang"),
            ("?", "key_help"),
            ("esc", "key_lessons"),
            ("q", "key_quit"),
        ]
        update_if_changed(self.query_one("#keys", Static), keys_line(keys, lang, self.size.width))

    async def _show_quiz(self, moment: Moment, focus: bool) -> None:
        quiz = self.query_one("#quiz", QuizPanel)
        lang = self.lang
        play = self.play
        assert play is not None
        answer = play.answers.get(play.index)
        step = moment.step
        quiz.border_title = t("question", lang)
        if isinstance(step, PredictSegment) or (moment.kind == "step" and step is None):
            assert moment.segment is not None
            prompt = step.prompt.get(lang) if step and step.prompt else t("predict_default", lang)
            text = Text(prompt, style="bold")
            text.append(f"\n({cause_text(play.run, moment.segment, lang)})", style="dim")
            quiz.set_text(text)
            ask = (
                list(step.ask) if step else ["flags", "seq", "ack", "client_state", "server_state"]
            )
            await quiz.show_segment_form(ask, lang, answer.form if answer else None)
        elif isinstance(step, PredictState):
            quiz.set_text(Text(step.prompt.get(lang), style="bold"))
            await quiz.show_state_form(lang, answer.form if answer else None)
        elif isinstance(step, Choice):
            quiz.set_text(Text(step.prompt.get(lang), style="bold"))
            multi = sum(o.correct for o in step.options) > 1
            await quiz.show_choice_form(
                [o.text.get(lang) for o in step.options],
                multi,
                lang,
                answer.form if answer else None,
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
        quiz.set_feedback(self._feedback(answer, moment))
        if focus and self._is_question(moment) and not self._done(play.index):
            quiz.focus_first()
        elif focus:
            self.set_focus(None)

    def _feedback(self, answer: Answer | None, moment: Moment) -> Text:
        lang = self.lang
        out = Text()
        last = self.play is not None and self.play.index == len(self._run.moments) - 1
        if answer is not None:
            if answer.error:
                out.append(f"{t('bad_input', lang)} {answer.error}\n", style="red")
            if answer.hinted:
                out.append(f"{t('hint_is', lang)} ", style="bold")
                out.append(self._hint(moment) + "\n")
            grade = answer.grade
            if grade is not None:
                show_all = grade.correct or answer.revealed
                if answer.revealed:
                    out.append(
                        f"{t('revealed', lang)} " + self._expected_text(grade) + "\n", style="bold"
                    )
                elif grade.correct:
                    out.append(t("correct", lang) + "\n", style="bold green")
                else:
                    out.append(t("wrong", lang) + "\n", style="bold red")
                single = [f.field for f in grade.fields] == ["choice"]
                if single:  # one answer: its own feedback, no per-field marks
                    for f in grade.fields:
                        if f.advice:
                            out.append(" ".join(f.advice) + "\n")
                elif show_all:
                    for f in grade.fields:
                        mark, style = ("✔", "green") if f.correct else ("✘", "red")
                        out.append(f"{mark} {field_name(f.field, lang)}: ", style=f"bold {style}")
                        out.append(" ".join(f.lines) + "\n")
                else:
                    # a wrong try: which fields are right, and advice on the wrong ones only
                    for f in grade.fields:
                        mark, style = ("✔", "green") if f.correct else ("✘", "red")
                        out.append(f"{mark} {field_name(f.field, lang)}  ", style=f"bold {style}")
                    out.append("\n")
                    for f in grade.fields:
                        if f.advice and not f.correct:
                            out.append(f"✘ {field_name(f.field, lang)}: ", style="bold red")
                            out.append(" ".join(f.advice) + "\n")
                if show_all:
                    step = moment.step
                    extra = getattr(step, "explain", None)
                    if extra is not None:
                        out.append(extra.get(lang) + "\n", style="italic")
                    out.append(t("press_n", lang), style="dim")
        elif self._is_question(moment) and self._done(self.play.index if self.play else 0):
            out.append(t("answered_before", lang), style="dim")
        if last and not self._is_question(moment):
            out.append(t("lesson_end", lang), style="bold")
        return out

    def _expected_text(self, grade: Grade) -> str:
        return "  ".join(f"{field_name(f.field, self.lang)}={f.expected}" for f in grade.fields)

    def _hint(self, moment: Moment) -> str:
        hint = getattr(moment.step, "hint", None)
        if hint is not None:
            return hint.get(self.lang)
        return t("predict_default", self.lang)

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
        if answer is not None and (answer.revealed or (answer.grade and answer.grade.correct)):
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

    async def action_check(self) -> None:
        play, moment = self.play, self.moment
        if play is None or moment is None or not self._is_question(moment):
            return
        quiz = self.query_one("#quiz", QuizPanel)
        values = quiz.values()
        answer = play.answers.setdefault(play.index, Answer(FormState(values)))
        answer.form = FormState(values)
        answer.error = ""
        try:
            grade = self._grade(moment, values, self.lang)
        except BadExpression as err:
            answer.error = err.text(self.lang)
            quiz.set_feedback(self._feedback(answer, moment), show=True)
            return
        first_answer = answer.grade is None or not answer.grade.correct
        answer.grade = grade
        if first_answer and not answer.revealed:
            self._record(moment, "answer", grade.correct, _answer_text(values))
        quiz.set_feedback(self._feedback(answer, moment), show=True)
        self._show_header()
        if grade.correct:
            self._draw_panes()
            self.set_focus(None)

    @on(QuizPanel.CheckRequested)
    async def _check_requested(self) -> None:
        await self.action_check()

    async def action_hint(self) -> None:
        play, moment = self.play, self.moment
        if play is None or moment is None or not self._is_question(moment):
            return
        answer = play.answers.setdefault(
            play.index, Answer(FormState(self.query_one("#quiz", QuizPanel).values()))
        )
        if not answer.hinted:
            answer.hinted = True
            self._record(moment, "hint")
        self.query_one("#quiz", QuizPanel).set_feedback(self._feedback(answer, moment), show=True)

    async def action_reveal(self) -> None:
        play, moment = self.play, self.moment
        if play is None or moment is None or not self._is_question(moment):
            return
        quiz = self.query_one("#quiz", QuizPanel)
        answer = play.answers.setdefault(play.index, Answer(FormState(quiz.values())))
        if answer.grade is not None and answer.grade.correct:
            return
        answer.revealed = True
        answer.grade = self._grade(moment, {}, self.lang)
        self._record(moment, "reveal")
        self._draw_panes()
        quiz.set_feedback(self._feedback(answer, moment), show=True)
        self._show_header()
        self.set_focus(None)

    def action_scroll_feedback(self, direction: int) -> None:
        self.query_one("#quiz", QuizPanel).scroll_relative(y=direction * 4, animate=False)

    def on_resize(self) -> None:
        if self.play is not None:
            self._show_keys()

    def action_pick(self, index: int) -> None:
        if isinstance(self.moment and self.moment.step, Choice):
            self.query_one("#quiz", QuizPanel).pick_option(index)

    # ------------------------------------------------------------ moving

    async def action_next(self) -> None:
        play, moment = self.play, self.moment
        if play is None or moment is None:
            return
        if self._is_question(moment) and not self._done(play.index):
            self.notify(t("answer_first", self.lang), timeout=3)
            return
        if play.index + 1 >= len(play.run.moments):
            self._save(finished=True)
            from .results import ResultsScreen

            self.app.push_screen(ResultsScreen(self.source, self._outcomes, self._questions()))
            return
        self._remember_form()
        play.index += 1
        self._save()
        await self._show()

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
        values = self.query_one("#quiz", QuizPanel).values()
        answer = play.answers.setdefault(play.index, Answer(FormState(values)))
        answer.form = FormState(values)

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

    async def action_restart(self) -> None:
        if self.source.fixed_isns:
            if self.play is not None:
                self.play = PlayState(self.play.run)
                await self._show()
            return
        await self._start(resume=False)

    async def action_toggle_numbers(self) -> None:
        self._remember_form()
        self.absolute = not self.absolute
        await self._show(focus=False)

    async def action_toggle_language(self) -> None:
        self._remember_form()
        await self.app.action_toggle_language()  # type: ignore[attr-defined]

    async def refresh_language(self) -> None:
        await self._show(focus=False)

    def action_help(self) -> None:
        from .help import HelpScreen

        self.app.push_screen(HelpScreen())

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


def lesson_source(lesson: Lesson, rng: random.Random | None = None) -> LessonSource:
    from ...lessons.timeline import play

    rng = rng or random.Random()

    def make_run(isns: dict[Role, int] | None) -> Run:
        return play(lesson, rng=rng, isns=isns)

    return LessonSource(
        key=lesson.id,
        titles={
            "en": f"{lesson.number} {lesson.title.en}",
            "zh": f"{lesson.number} {lesson.title.zh}",
        },
        make_run=make_run,
        lesson=lesson,
        numbers=lesson.numbers,
    )


__all__ = ["LessonScreen", "LessonSource", "lesson_source", "segment_label"]
