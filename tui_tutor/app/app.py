"""The tutor app: the lesson picker, lessons, sandbox and captures, in one Textual app.

``make_app`` builds it for the command line, the SSH server and the tests alike.
"""

from __future__ import annotations

import gc
import os
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from ..lessons.catalog import LessonInfo, read_catalog
from ..progress import ProgressStore
from .i18n import t
from .languages import Tutor, TwoLanguagesApp
from .monochrome import readable_without_colour
from .one_layout import install as _one_layout_per_change

if TYPE_CHECKING:
    from ..exams.load import LoadedExam
    from ..lessons.loader import LoadedLesson
    from ..lessons.model import Lesson
    from .screens.exam import ExamSession

_one_layout_per_change()  # one layout and repaint per change (see one_layout.py)

MIN_WIDTH, MIN_HEIGHT = 80, 24


class TooSmallScreen(Tutor, Screen[None]):
    """Shown instead of everything while the terminal is under 80x24."""

    BINDINGS = [Binding("q", "app.quit", "quit")]
    DEFAULT_CSS = """
    TooSmallScreen { align: center middle; }
    TooSmallScreen Static { width: 100%; content-align: center middle; text-align: center; }
    """

    def compose(self):
        yield Static("", id="too-small-text")

    def on_mount(self) -> None:
        self.update_text()

    def on_screen_resume(self) -> None:
        # uncovered after the terminal grew (a screen above it was closed): go away
        if not self.tutor.is_small():
            self.call_later(self.tutor.check_size)

    def update_text(self, size: Size | None = None) -> None:
        size = size or self.app.size
        self.query_one(Static).update(t("too_small", self.lang, w=size.width, h=size.height))

    async def refresh_language(self) -> None:
        self.update_text()


class TutorApp(TwoLanguagesApp):
    CSS_PATH = [
        Path(__file__).parent / "styles" / "app.tcss",
        Path(__file__).parent / "styles" / "lesson.tcss",
        Path(__file__).parent / "styles" / "panes.tcss",
        Path(__file__).parent / "styles" / "picker.tcss",
    ]
    TITLE = "tui-tutor"
    BINDINGS = [Binding("q", "quit", "quit")]
    ENABLE_COMMAND_PALETTE = False
    # classes on every screen by terminal size, for the .tcss files
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]

    class LessonsLoaded(Message):
        """Every lesson is loaded (and ``problems`` says what was wrong with any)."""

    def __init__(
        self,
        lessons_dir: Path,
        store: ProgressStore | None = None,
        lang: str = "en",
        open_lesson: str | None = None,
        seed: int | None = None,
        open_capture: Path | None = None,
        allow_live: bool = True,
        live_runner: Callable | None = None,
        served: bool = False,
        captures_dir: Path | None = None,
        exam: LoadedExam | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__()
        readable_without_colour(self)
        # an exam instead of the lessons; its clock (a test fixes it)
        self.exam = exam
        self.exam_session: ExamSession | None = None  # the exam being taken, once begun
        self.clock = clock
        # live mode (k): off for learners on a server unless the trainer allows it;
        # ``live_runner(scenario, settings)`` plays on the kernel (tests pass a fixed one)
        self.allow_live = allow_live
        self._live_runner = live_runner
        self._first_capture = open_capture
        # served over SSH or the web: captures only from captures_dir, picked by name
        self.served = served
        self.captures_dir = captures_dir
        self.capture_connection: int | None = None  # `tui-tutor open FILE --connection N`
        self.capture_summaries: list | None = None  # its connections, listed by `open` already
        self.lessons_dir = lessons_dir
        # the picker shows the catalog at once; full lessons load after the first paint
        self.catalog: list[LessonInfo] = read_catalog(lessons_dir)
        self.lessons: dict[str, Lesson] = {}
        self._lessons_asked = False
        self.problems: list[str] = []
        self.store = store
        self.lang = lang
        self._first_lesson = open_lesson
        self.key_serial = 0  # keys received so far (see on_event)
        self._sizes_checked = False  # from on_mount on: see on_resize
        # ISNs come from here; a seed makes them repeatable (tests, snapshots)
        self.rng = random.Random(seed)
        self.seeded = seed is not None  # an exam's ISNs then come from it too, not the system's
        # the largest size a server gives the app ("512x256"): at it, the learner is told
        self.max_size = os.environ.get("TUI_TUTOR_MAX_SIZE", "")

    def get_default_screen(self) -> Screen:
        """The picker, as Textual's own first screen: one pushed while the app starts is laid
        out and painted once more, for nothing (the batch of the start throws it away). An
        exam or `open FILE`'s dialog goes over Textual's blank screen instead; the picker
        comes when the dialog closes (``show_picker``)."""
        if self.exam is None and self._first_capture is None:
            from .screens.picker import PickerScreen

            return PickerScreen()
        return super().get_default_screen()

    def show_picker(self) -> None:
        """Put the picker on the stack if it is not there yet (`open FILE` starts without)."""
        from .screens.picker import PickerScreen

        if self.exam is None and not any(isinstance(s, PickerScreen) for s in self.screen_stack):
            self.push_screen(PickerScreen())

    def on_mount(self) -> None:
        self._sizes_checked = True
        if self.exam is not None:
            from .screens.exam import ExamDoorScreen

            self.push_screen(ExamDoorScreen())
        if self._first_lesson and self.exam is None:
            self.open_lesson(self._first_lesson)
        if self._first_capture is not None:
            self.ask_capture(self._first_capture)
        self.check_size()
        self._check_clamped(self.size)
        if self.store is not None:
            self.store.on_trouble = self._progress_trouble
        self._watch_terminal()
        # after the first screen is painted: the pydantic import would hold the GIL before it
        # (`open FILE`: the capture dialog asks once its list of connections is drawn)
        if self._first_capture is None:
            self.load_lessons_later()

    def on_ready(self) -> None:
        # Textual's word that the first frame is on screen, whichever screen it is: the
        # command line started the app with the garbage collector off (commands/app.py).
        # (A callback after the next refresh, asked of Textual's blank first screen, never
        # came with `open FILE` or an exam: their screen covered it before it painted.)
        gc.enable()

    def _watch_terminal(self) -> None:
        """End the app when its terminal is closed under it (``hangup.py``)."""
        from . import hangup

        fd = None if self.is_headless else hangup.terminal()
        if fd is None:
            return

        def look() -> None:
            if hangup.hung_up(fd):
                self.exit()  # progress is saved at every answer: nothing is lost

        self.set_interval(hangup.EVERY, look)

    def load_lessons_later(self) -> None:
        """Load the full lessons 0.3 s from now, once whoever asks."""
        if not self._lessons_asked:
            self._lessons_asked = True
            self.set_timer(0.3, self._start_loading)

    def _start_loading(self) -> None:
        self.run_worker(self._load_lessons, thread=True, exclusive=True, group="lessons")

    def _freeze_heap(self) -> None:
        """Move what start-up built out of the garbage collector's sight: fewer long pauses
        while the learner presses keys (the GC scans only what is new)."""
        gc.collect()
        gc.freeze()

    def _load_lessons(self) -> None:
        """In a thread: validate every lesson (pydantic) and gather the problems."""
        from ..lessons.loader import load_all

        loaded, problems = load_all([self.lessons_dir])
        self.call_from_thread(self._lessons_loaded, loaded, problems)

    def _lessons_loaded(self, loaded: list[LoadedLesson], problems: list[str]) -> None:
        self.lessons.update({item.lesson.id: item.lesson for item in loaded})
        self.problems = problems
        self.call_after_refresh(self._freeze_heap)
        for screen in self.screen_stack:
            screen.post_message(self.LessonsLoaded())

    def lesson(self, lesson_id: str) -> Lesson | None:
        """The full lesson, loaded now if the background load has not reached it yet."""
        if lesson_id not in self.lessons:
            from ..lessons.loader import load_lesson
            from ..validation import FileProblem

            info = next((i for i in self.catalog if i.id == lesson_id), None)
            if info is None:
                return None
            try:
                self.lessons[lesson_id] = load_lesson(info.path).lesson
            except FileProblem as err:
                self.notify("\n".join(err.lines), severity="error", timeout=10)
                return None
        return self.lessons[lesson_id]

    def on_resize(self, event: events.Resize) -> None:
        # this handler runs before Textual's own, so self.size is still the old size here
        if event.size != self.size:
            self._check_clamped(event.size)
        # the first comes before the app has its styles (on_mount checks the size then): a
        # notice put up in it keeps the colour it was first drawn in, none (invisible text)
        if self._sizes_checked:
            self.check_size(event.size)

    def _check_clamped(self, size: Size) -> None:
        """Served, the terminal is cut to at most ``max_size``: at that size, say so."""
        if self.max_size:
            w, h = (int(n) for n in self.max_size.split("x"))
            if size.width >= w or size.height >= h:
                self.notify(t("too_large", self.lang, w=size.width, h=size.height))

    def _progress_trouble(self, reason: str | None) -> None:
        """The progress store could not save (or can again): one line, the learner goes on."""
        if reason is None:
            self.notify(t("progress_saved_again", self.lang))
        else:
            why = t(f"progress_{reason}", self.lang)
            self.notify(
                t("progress_not_saved", self.lang, reason=why), severity="error", timeout=15
            )

    def is_small(self, size: Size | None = None) -> bool:
        size = size or self.size
        return size.width < MIN_WIDTH or size.height < MIN_HEIGHT

    def check_size(self, size: Size | None = None) -> None:
        """Keep the notice on top while the terminal is too small, and only then."""
        top = self.screen_stack[-1] if self.screen_stack else None
        if self.is_small(size):
            if isinstance(top, TooSmallScreen):
                if top.is_mounted:
                    top.update_text(size)
            else:
                self.push_screen(TooSmallScreen())
        else:
            while isinstance(self.screen_stack[-1], TooSmallScreen):
                self.pop_screen()

    def push_screen(self, screen, *args, **kwargs):
        if isinstance(screen, Screen) and not screen.is_mounted:
            # its size classes before it is styled: Textual adds them at its first Resize,
            # which styles every widget of it again (6 ms for the capture dialog)
            screen.add_class(*self._size_classes(), update=False)
        result = super().push_screen(screen, *args, **kwargs)
        if not isinstance(screen, TooSmallScreen):
            self.call_later(self.check_size)  # a screen opened while small goes under it
        return result

    def _size_classes(self) -> list[str]:
        """The classes HORIZONTAL_BREAKPOINTS and VERTICAL_BREAKPOINTS give a screen now."""
        chosen = []
        for length, breakpoints in (
            (self.size.width, self.HORIZONTAL_BREAKPOINTS or []),
            (self.size.height, self.VERTICAL_BREAKPOINTS or []),
        ):
            fitting = [(at, name) for at, name in breakpoints if length >= at]
            if fitting:
                chosen.append(max(fitting)[1])
        return chosen

    def open_lesson(self, lesson_id: str) -> None:
        from .screens.lesson import LessonScreen, lesson_source

        lesson = self.lesson(lesson_id)
        if lesson is not None:
            self.push_screen(LessonScreen(lesson_source(lesson, self.rng)))

    def open_source(self, source) -> None:
        from .screens.lesson import LessonScreen

        self.show_picker()  # what Escape goes back to
        self.push_screen(LessonScreen(source))

    def open_sandbox(self) -> None:
        from .screens.sandbox import SandboxScreen

        self.push_screen(SandboxScreen())

    @property
    def live_runner(self) -> Callable:
        if self._live_runner is None:
            from ..live import run_live

            self._live_runner = run_live
        return self._live_runner

    def open_live(self, scenario, titles: dict[str, str], isns: dict | None = None) -> None:
        """``k``: play this scenario on the kernel, or say in one line why not."""
        from ..live import not_linux

        reason = None if self.allow_live else t("live_off", self.lang)
        reason = reason or (not_linux() if self._live_runner is None else None)
        if reason:
            self.notify(reason, severity="warning", timeout=8)
            return
        from .screens.live import LiveScreen

        self.push_screen(LiveScreen(scenario, titles, isns))

    def ask_capture(self, path: Path | None = None) -> None:
        from .screens.capture import CaptureScreen

        if path is None:
            self.push_screen(CaptureScreen())
            return
        listed, self.capture_summaries = self.capture_summaries, None
        self.push_screen(CaptureScreen(path, self.capture_connection, listed))

    async def on_event(self, event: events.Event) -> None:
        """On screens that ask for it, take each key as it arrives, in order.

        Textual hands a key to the focused widget's queue and runs bindings when
        the key comes back up, so a key typed right after Tab can land in the
        field Tab left, and a check can run before the digits typed just before
        Enter. A screen with ``KEYS_IN_ORDER`` gets every key here instead: the
        focused field takes it at once (``take_key``), else the bindings run now.
        """
        if isinstance(event, events.Key) and not event.is_forwarded:
            self.key_serial += 1  # lets a field tell keys typed in a row from a new start
        if (
            isinstance(event, events.Key | events.Paste)
            and not event.is_forwarded
            and getattr(self.screen, "KEYS_IN_ORDER", False)
        ):
            focused = self.focused
            if isinstance(event, events.Paste):
                take_paste = getattr(focused, "take_paste", None)
                if take_paste is not None and take_paste(event.text):
                    return
            else:
                take_key = getattr(focused, "take_key", None)
                if take_key is not None and take_key(event):
                    return
                # Textual's own binding lookup (focused widget, its parents, the screen,
                # the app), run now rather than after the key has travelled up
                if await self._check_bindings(event.key, priority=True):
                    return
                if await self._check_bindings(event.key):
                    return
        await super().on_event(event)


def make_app(
    lessons_dir: Path | None = None,
    data_dir: Path | None = None,
    learner: str | None = None,
    lang: str = "en",
    store: ProgressStore | None = None,
    open_lesson: str | None = None,
    seed: int | None = None,
    open_capture: Path | None = None,
    allow_live: bool = True,
    live_runner: Callable | None = None,
    served: bool = False,
    captures_dir: Path | None = None,
    database: str | None = None,
    exam: LoadedExam | None = None,
    clock: Callable[[], float] = time.time,
) -> TutorApp:
    """The app on a lesson folder, with a learner's progress store.

    ``served``: the app runs for someone else (SSH, web): the capture dialog then
    offers only the captures in ``captures_dir``, by name, and reads no typed path.
    """
    from ..lessons import default_dir

    if store is None:
        store = ProgressStore(data_dir, learner, database)
    return TutorApp(
        lessons_dir or default_dir(),
        store,
        lang,
        open_lesson,
        seed,
        open_capture,
        allow_live,
        live_runner,
        served=served,
        captures_dir=captures_dir,
        exam=exam,
        clock=clock,
    )
