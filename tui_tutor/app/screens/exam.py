"""An exam in the app: the door (rules, opening time), each lesson's questions, the end.

``ExamDoorScreen`` is the first screen when the app is given an exam: it says when the
exam opens or that it closed, or shows the rules and starts the clock on Enter; a
learner who comes back to a running exam goes straight to their next question.
``ExamPartScreen`` is the lesson screen with the exam's rules: only the exam's
questions, the learner's own ISNs, no hint, no reveal, no restart, one check per
question and no mark shown, the time left in the header; when the time is up the
exam ends wherever the learner is. ``ExamEndScreen`` says it is over (and the score,
if the exam shows it). What is kept is ``tui_tutor.exams.attempt``'s.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Static

from ...engine import Role
from ...exams.attempt import ExamDesk
from ...lessons.model import question_id
from ..i18n import t
from ..languages import Tutor
from ..view import Shown, shown_at
from ..widgets.boxes import titled
from ..widgets.keys import update_if_changed
from ..widgets.quiz import FormState, QuizPanel
from .class_view import ago
from .lesson import LessonScreen, LessonSource, PlayState, _answer_text

if TYPE_CHECKING:
    from ...exams.load import ExamQuestion, LoadedExam
    from ...lessons.model import Lesson
    from ...lessons.timeline import Moment, Run
    from ..app import TutorApp
    from ..feedback import Answer

DOOR_TICK = 5.0  # seconds between two looks at the clock before the exam opens


def clock_text(seconds: float) -> str:
    """A countdown: "14:05", "1:02:03"."""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@dataclass
class ExamSession:
    """The exam this app gives, its desk, and where each question was first shown."""

    loaded: LoadedExam
    desk: ExamDesk
    shown_at: dict[str, float] = field(default_factory=dict)  # by question key, monotonic

    @property
    def lessons(self) -> list[str]:
        return list(self.loaded.lessons)

    def answered(self, question: ExamQuestion) -> bool:
        return self.desk.has_answer(question)

    def next_part(self) -> int | None:
        """The first lesson with a question not answered yet."""
        for index, lesson in enumerate(self.lessons):
            if any(not self.answered(q) for q in self.loaded.of_lesson(lesson)):
                return index
        return None

    def answered_count(self) -> int:
        return sum(1 for q in self.loaded.questions if self.answered(q))


def _session(app: TutorApp) -> ExamSession:
    session = app.exam_session
    if session is None:
        assert app.exam is not None and app.store is not None
        rng = app.rng if app.seeded else None  # a seeded app (a test): repeatable ISNs
        session = ExamSession(app.exam, ExamDesk(app.store, app.exam, app.clock, rng))
        app.exam_session = session
    return session


class _ExamNotice(Tutor, Screen[None]):
    """A box in the middle of the screen, redrawn in the learner's language."""

    BINDINGS = [
        Binding("l", "app.toggle_language", "language"),
        Binding("q", "app.quit", "quit"),
    ]
    DEFAULT_CSS = """
    _ExamNotice { align: center middle; }
    _ExamNotice > Vertical { width: 76; max-width: 95%; height: auto; max-height: 90%;
                             border: round $accent; padding: 1 2; background: $surface; }
    _ExamNotice #exam-text { height: auto; }
    """

    def compose(self) -> ComposeResult:
        with self._titled(Vertical()):
            yield Static("", id="exam-text")

    def _titled(self, box: Vertical) -> Vertical:
        return titled(box, _session(self.tutor).loaded.exam.title.get(self.lang))

    def on_mount(self) -> None:
        self.redraw()

    def redraw(self) -> None:
        self._titled(self.query_one(Vertical))
        update_if_changed(self.query_one("#exam-text", Static), self.text())

    def text(self) -> Text:
        raise NotImplementedError

    async def refresh_language(self) -> None:
        self.redraw()


class ExamDoorScreen(_ExamNotice):
    """Before the exam: when it opens, its rules; Enter starts the clock."""

    BINDINGS = [Binding("enter", "start", "start"), *_ExamNotice.BINDINGS]

    def on_mount(self) -> None:
        super().on_mount()
        self.set_interval(DOOR_TICK, self._look)
        self.call_after_refresh(self._look)

    def _look(self) -> None:
        """Someone who comes back to a running exam goes on; a finished one is over."""
        if not self.is_current:
            return
        status = _session(self.tutor).desk.status()
        if status == "running":
            self._go_on()
        elif status == "done":
            self.app.switch_screen(ExamEndScreen(time_up=False))
        else:
            self.redraw()

    def text(self) -> Text:
        lang, session = self.lang, _session(self.tutor)
        exam, status = session.loaded.exam, session.desk.status()
        text = Text()
        if status == "not_open" and exam.opens_at is not None:
            when = time.strftime("%H:%M", time.localtime(exam.opens_at))
            left = ago(exam.opens_at - self.tutor.clock(), lang)
            text.append(t("exam_not_open", lang, time=when, left=left), style="bold")
        elif status == "closed" and exam.closes_at is not None:
            when = time.strftime("%H:%M", time.localtime(exam.closes_at))
            text.append(t("exam_closed", lang, time=when), style="bold")
        else:
            n = len(session.loaded.questions)
            text.append(t("exam_rules", lang, n=n, minutes=f"{exam.time_limit:g}") + "\n\n")
            text.append(t("exam_press_start", lang), style="bold")
        text.append("\n\n" + t("exam_door_keys", lang), style="dim")
        return text

    def action_start(self) -> None:
        session = _session(self.tutor)
        if session.desk.status() != "ready":
            self._look()
            return
        session.desk.start()
        self._go_on()

    def _go_on(self) -> None:
        session = _session(self.tutor)
        part = session.next_part()
        if part is None:
            session.desk.finish()
            self.app.switch_screen(ExamEndScreen(time_up=False))
        else:
            self.app.switch_screen(ExamPartScreen(part))


class ExamEndScreen(_ExamNotice):
    """After the exam: saved; the score if the exam shows it."""

    def __init__(self, time_up: bool) -> None:
        super().__init__()
        self.time_up = time_up

    def text(self) -> Text:
        lang, session = self.lang, _session(self.tutor)
        text = Text(t("exam_time_up" if self.time_up else "exam_finished", lang), style="bold")
        attempt = session.desk.attempt()
        if session.loaded.exam.show_score and attempt is not None:
            right, total = attempt.right, len(session.loaded.questions)
            text.append("\n\n" + t("exam_score", lang, right=right, total=total), style="bold")
        text.append("\n\n" + t("exam_end_keys", lang), style="dim")
        return text


def exam_lesson(lesson: Lesson, questions: list[ExamQuestion]) -> Lesson:
    """The lesson with only the exam's questions (each keeping its id), no narration."""
    keep = {q.step_index for q in questions}
    steps = [
        step.model_copy(update={"id": question_id(index, step)})
        for index, step in enumerate(lesson.steps)
        if index in keep
    ]
    return lesson.model_copy(update={"steps": steps})


def _never(_index: int) -> bool:
    return False


class ExamPartScreen(LessonScreen):
    """One lesson's questions of the exam."""

    BINDINGS = [Binding("F", "finish", "finish")]

    def __init__(self, part: int) -> None:
        self.part = part
        self._part_ready = False
        super().__init__(LessonSource("", {}, lambda _isns: None))  # type: ignore[arg-type,return-value]

    @property
    def session(self) -> ExamSession:
        return _session(self.tutor)

    async def on_mount(self) -> None:
        session = self.session
        lesson_id = session.lessons[self.part]
        lesson = session.loaded.lessons[lesson_id]
        self.questions = session.loaded.of_lesson(lesson_id)
        self.by_id = {q.question: q for q in self.questions}
        exam = session.loaded.exam
        asked = exam_lesson(lesson, self.questions)

        def make_run(isns: dict[Role, int] | None) -> Run:
            from ...lessons.timeline import play

            return play(asked, isns=isns)

        self.source = LessonSource(
            key=f"exam:{exam.name}:{lesson_id}",
            titles={
                lang: f"{exam.title.get(lang)} · {lesson.number} {lesson.title.get(lang)}"
                for lang in ("en", "zh")
            },
            make_run=make_run,
            lesson=asked,
            numbers=lesson.numbers,
        )
        self.absolute = lesson.numbers == "absolute"
        self.set_interval(1.0, self._tick)
        await super().on_mount()

    # ------------------------------------------------------------ the run and the place

    async def _start(self, resume: bool) -> None:
        attempt = self.session.desk.attempt()
        lesson = self.source.lesson
        assert lesson is not None
        x, y = attempt.isns.get(lesson.id, (None, None)) if attempt else (None, None)
        isns = {Role.CLIENT: x, Role.SERVER: y} if x is not None and y is not None else None
        self.play = PlayState(self.source.make_run(isns))
        # back in a running exam: at the first question still to answer
        moments = self.play.run.moments
        open_at = [i for i, m in enumerate(moments) if self._is_question(m) and not self._done(i)]
        self.play.index = open_at[0] if open_at else 0
        self._part_ready = True
        await self._show()

    def _exam_question(self, moment: Moment | None) -> ExamQuestion | None:
        if moment is None or moment.step is None or moment.step_index is None:
            return None
        return self.by_id.get(question_id(moment.step_index, moment.step))

    def _done(self, index: int) -> bool:
        question = self._exam_question(self.play.run.moments[index] if self.play else None)
        return question is not None and self.session.answered(question)

    def _shown(self) -> tuple[Shown, Shown | None]:
        """An answer tells nothing in an exam (no mark): the ladder and panes draw a segment
        when the learner moves on past it, as the lesson's steps show it."""
        play = self.play
        assert play is not None
        now = shown_at(play.run, play.index, _never)
        before = shown_at(play.run, play.index - 1, _never) if play.index else None
        return now, before

    def _answered_now(self) -> bool:
        return self.play is not None and self._done(self.play.index)

    def _record(self, *_args, **_kwargs) -> None:
        """Nothing goes to the lesson's progress: the exam keeps its own answers."""

    def _save(self, finished: bool = False) -> None:
        """The place is found again from the answers (the first one not given)."""

    # ------------------------------------------------------------ drawing

    async def _draw(self, focus: bool) -> None:
        question = self._exam_question(self.moment)
        if question is not None:
            self.session.shown_at.setdefault(question.key, time.monotonic())
        await super()._draw(focus)

    def _show_header(self) -> None:
        if self.play is None:
            return
        lang, session = self.lang, self.session
        total = len(session.loaded.questions)
        left = session.desk.left()
        text = Text()  # the clock first: a narrow terminal cuts the end of the line
        text.append(
            f" {t('exam_left', lang, time=clock_text(left))}",
            style="bold red" if left < 60 else "bold",
        )
        text.append(f" · {t('exam_answered', lang, k=session.answered_count(), n=total)}")
        # the title is never cut: without the exam's name, else on the question's border
        title = self.source.title(lang)
        exam_name = f"{session.loaded.exam.title.get(lang)} · "
        room = (self.size.width or 80) - text.cell_len - 3
        shorter = [title, title.removeprefix(exam_name)]
        fits = next((words for words in shorter if cell_len(words) <= room), None)
        if fits is not None:
            text.append(" · ")
            text.append(fits, style="bold")
        update_if_changed(self.query_one("#header", Static), text)
        self._quiz_title("" if fits is not None else shorter[-1])

    def _keys(self) -> list[tuple[str, str]]:
        keys = [k for k in super()._keys() if k[1] not in ("key_hint", "key_reveal", "key_lessons")]
        return [*keys[:-1], ("F", "key_finish"), keys[-1]]

    def _feedback(self, answer: Answer | None, moment: Moment) -> Text:
        """No mark and no explanation: only that the answer is kept (or what is missing)."""
        lang = self.lang
        if self._is_question(moment) and self.play is not None and self._done(self.play.index):
            return Text(t("exam_saved", lang), style="bold")
        if answer is not None and answer.unread is not None:
            return super()._feedback(answer, moment)
        return Text()

    def _tick(self) -> None:
        if not self._part_ready or self not in self.app.screen_stack:
            return
        if self.session.desk.left() <= 0:
            self._end(time_up=True)
        else:
            self._show_header()

    # ------------------------------------------------------------ answering

    async def action_check(self) -> None:
        play, moment = self.play, self.moment
        question = self._exam_question(moment)
        if play is None or moment is None or question is None or self._done(play.index):
            return
        from ..feedback import problems

        quiz = self.query_one("#quiz", QuizPanel)
        values = quiz.values()
        answer = self._answer_here()
        answer.form = FormState(values)
        found = problems(values, self._question(moment).read_number)
        if found:  # not an answer: say what is missing, as in a lesson
            answer.unread = dict(values)
            quiz.set_feedback(super()._feedback(answer, moment), show=True)
            quiz.focus_field(found[0][0])
            return
        answer.unread = None
        grade = self._grade(moment, values, self.lang)
        seconds = time.monotonic() - self.session.shown_at.get(question.key, time.monotonic())
        kept = self.session.desk.answer(question, _answer_text(values), grade.correct, seconds)
        if not kept and not self.session.answered(question):  # the time is up
            self._end(time_up=True)
            return
        quiz.set_feedback(self._feedback(answer, moment), show=True)
        self._draw_run()
        self._show_header()
        self._show_keys()
        self.set_focus(None)

    async def action_hint(self) -> None:
        self.notify(t("exam_no_help", self.lang), timeout=3)

    async def action_reveal(self) -> None:
        self.notify(t("exam_no_help", self.lang), timeout=3)

    def action_restart(self) -> None:
        self.notify(t("exam_no_help", self.lang), timeout=3)

    def action_leave(self) -> None:
        self.notify(t("exam_stay", self.lang), timeout=3)

    async def action_next(self) -> None:
        play, moment = self.play, self.moment
        if play is None or moment is None:
            return
        if play.index + 1 < len(play.run.moments) or (
            self._is_question(moment) and not self._done(play.index)
        ):
            await super().action_next()
            return
        following = self.session.next_part()
        if following is None:
            self._end(time_up=False)
        else:
            self.app.switch_screen(ExamPartScreen(following))

    def action_finish(self) -> None:
        from .confirm import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                self._end(time_up=False)

        self.app.push_screen(ConfirmScreen(t("exam_confirm_finish", self.lang)), answered)

    def _end(self, time_up: bool) -> None:
        self.session.desk.finish()
        while self.app.screen is not self:
            self.app.pop_screen()  # a dialog, the help or the diagram above the exam
        self.app.switch_screen(ExamEndScreen(time_up))
