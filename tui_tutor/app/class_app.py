"""``tui-tutor class``: the trainer's live view of a class, as a Textual app of its own.

``ClassApp`` takes a ``ClassReader`` (``tui_tutor.classroom``) and a clock: the command
line gives it the database and ``time.time``, the tests a fixed database and a fixed
clock. It reads again every ``every`` seconds; a read that fails leaves the rows as
they were and says so on the top line.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from textual.binding import Binding

from ..classroom import ClassReader
from .i18n import t
from .languages import TwoLanguagesApp
from .monochrome import readable_without_colour
from .one_layout import install as _one_layout_per_change

_one_layout_per_change()  # one layout and repaint per change (see one_layout.py)

EVERY = 3.0  # seconds between two reads of the database


class ClassApp(TwoLanguagesApp):
    CSS_PATH = [
        Path(__file__).parent / "styles" / "app.tcss",
        Path(__file__).parent / "styles" / "class.tcss",
    ]
    TITLE = "tui-tutor class"
    BINDINGS = [Binding("q", "quit", "quit")]
    ENABLE_COMMAND_PALETTE = False

    def __init__(
        self,
        reader: ClassReader,
        clock: Callable[[], float] = time.time,
        lang: str = "en",
        every: float = EVERY,
    ) -> None:
        super().__init__()
        readable_without_colour(self)
        self.reader = reader
        self.clock = clock
        self.lang = lang
        self.every = every
        self.read_lock = threading.Lock()  # one read of the database at a time
        self.last_read: float | None = None
        self.trouble: str | None = None  # why the last read failed (a key of REASONS)

    def on_mount(self) -> None:
        from .screens.class_view import ClassScreen

        self.push_screen(ClassScreen())

    def read_worked(self) -> None:
        self.last_read, self.trouble = self.clock(), None

    def read_failed(self, reason: str) -> None:
        self.trouble = reason
        draw = getattr(self.screen, "draw_heading", None)
        if draw is not None:
            draw()

    def status_line(self, lang: str) -> str:
        when = time.strftime("%H:%M:%S", time.localtime(self.last_read or self.clock()))
        if self.trouble is not None:
            reason = t(f"progress_{self.trouble}", lang)
            return t("class_unreadable", lang, reason=reason, time=when)
        return t("class_updated", lang, time=when)

    @property
    def status_style(self) -> str:
        return "bold red" if self.trouble is not None else "dim"
