"""The lesson picker: lessons by level with the learner's progress; Enter opens one."""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ...lessons.catalog import LessonInfo
from ...progress import LessonProgress
from ..i18n import t
from ..languages import Tutor
from ..widgets.keys import keys_line
from ..widgets.prose import Prose, wrap

LEVELS = ["basic", "intermediate", "advanced", "review"]
STATUS_MARKS = {"not started": "·", "in progress": "◐", "solved": "✔", "finished": "✓"}
SANDBOX = "@sandbox"
CAPTURE = "@capture"


class PickerScreen(Tutor, Screen[None]):
    BINDINGS = [
        Binding("l", "toggle_language", "language"),
        Binding("question_mark", "help", "help"),
        Binding("s", "open_sandbox", "sandbox", show=False),
        Binding("o", "open_capture", "open capture", show=False),
    ]

    _shown_once = False
    _widths: tuple[int, int] = (0, 0)  # the app's and the screen's, as the rows were made
    _detail: Text | None = None  # what the panel on the right shows

    @property
    def lessons(self) -> list[LessonInfo]:
        return self.tutor.catalog

    @property
    def problems(self) -> list[str]:
        return self.tutor.problems

    def on_tutor_app_lessons_loaded(self) -> None:
        """The background load finished: show its problems, if any."""
        self._show_detail()

    def compose(self) -> ComposeResult:
        yield Static("", id="picker-title")
        with Horizontal(id="picker-main"):
            yield OptionList(id="lesson-list")
            yield Static("", id="lesson-detail")
        yield Static("", id="picker-keys")

    def on_mount(self) -> None:
        self.refresh_lessons()
        self.query_one("#lesson-list", OptionList).focus()

    def on_screen_resume(self) -> None:
        if self.is_mounted and self._shown_once:
            self.refresh_lessons()  # back from a lesson: its progress changed
        self._shown_once = True

    def on_resize(self) -> None:
        # the rows are padded to the width; Textual says "resize" three times at the start,
        # to the size the rows were made for (each a new list, painted: 60 ms)
        if self.is_mounted and self._widths != (self.app.size.width, self.size.width):
            self.refresh_lessons()

    async def refresh_language(self) -> None:
        self.refresh_lessons()

    def _progress(self) -> dict[str, LessonProgress]:
        store = self.tutor.store
        if store is None:
            return {}
        return {item.id: store.lesson(item.id, item.questions) for item in self.lessons}

    def refresh_lessons(self) -> None:
        lang = self.lang
        self._widths = (self.app.size.width, self.size.width)
        store = self.tutor.store
        title = Text(t("app_title", lang), style="bold")
        if store is not None:
            title.append(f"   {t('learner', lang)}{t('colon', lang)}{store.learner}", style="dim")
        self.query_one("#picker-title", Static).update(title)
        progress = self._progress()
        options: list[Option | None] = []
        by_level: dict[str, list[LessonInfo]] = {}
        words = self._status_words()  # once for every row: it reads every title
        for item in self.lessons:
            by_level.setdefault(item.level, []).append(item)
        for level in [*LEVELS, *sorted(set(by_level) - set(LEVELS))]:
            items = by_level.get(level)
            if not items:
                continue
            key = f"level_{level}" if level in LEVELS else "level_more"
            options.append(Option(Text(f"── {t(key, lang)} ──", style="bold"), disabled=True))
            for item in items:
                row = self._row(item, progress.get(item.id), words)
                options.append(Option(row, id=item.id))
        options.append(Option(Text("── ⚙ ──", style="bold"), disabled=True))
        options.append(Option(Text("  " + t("sandbox", lang)), id=SANDBOX))
        options.append(Option(Text("  " + t("open_capture", lang)), id=CAPTURE))
        listing = self.query_one("#lesson-list", OptionList)
        highlighted = listing.highlighted
        listing.clear_options()
        listing.add_options([o for o in options if o is not None])
        if highlighted is not None and highlighted < listing.option_count:
            listing.highlighted = highlighted
        else:
            listing.highlighted = 1 if listing.option_count > 1 else 0
        keys = [
            ("↑↓", ""),
            ("⏎", "key_open"),
            ("s", "key_sandbox"),
            ("o", "key_capture"),
            ("l", "key_lang"),
            ("?", "key_help"),
            ("q", "key_quit"),
        ]
        self.query_one("#picker-keys", Static).update(keys_line(keys, lang, self.size.width))
        self._show_detail()

    def _row(self, item: LessonInfo, progress: LessonProgress | None, words: bool) -> Text:
        """``  2 The three-way handshake      in progress   50%``, padded by cells (Chinese
        takes two a character). A title too long for its room wraps under itself, never cut;
        where the longest title would not fit beside the status words, a mark stands for
        them (the details on the right say them in full). Plain text: a Rich table a row
        made start-up slow."""
        lang = self.lang
        width = self._row_width()
        status = progress.status if progress else "not started"
        style = {"solved": "green", "finished": "yellow", "in progress": "cyan"}.get(status, "dim")
        score = f"{progress.percent}%" if progress and status != "not started" else ""
        label = t(f"status_{status}", lang) if words else STATUS_MARKS[status]
        label_width = 12 if words else 2
        title_room = width - 4 - label_width - 5
        title = item.text(item.title, lang)
        lines = wrap(Text(title), title_room) if cell_len(title) > title_room else [Text(title)]
        row = Text(f"{item.number:>3} ")
        row.append(set_cell_size(lines[0].plain, title_room))
        row.append(" " + set_cell_size(label, label_width - 1), style=style)
        row.append(f"{score:>5}")
        for line in lines[1:]:
            row.append("\n    " + line.plain)
        return row

    def _row_width(self) -> int:
        # the list is 3/5 of the screen; inside it, its border, its padding and the scrollbar
        # (31 lessons never fit its height) take 6 cells: a row wider wraps or loses its score
        return max(40, self.app.size.width * 3 // 5 - 6)

    def _status_words(self) -> bool:
        """Whether the status fits in words beside the longest title."""
        room, lang = self._row_width() - 4 - 12 - 5, self.lang
        return all(cell_len(i.text(i.title, lang)) <= room for i in self.lessons)

    @on(OptionList.OptionHighlighted)
    def _highlighted(self) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        lang = self.lang
        listing = self.query_one("#lesson-list", OptionList)
        detail = Text()
        if self.problems:
            detail.append(t("lessons_problems", lang) + "\n", style="bold red")
            for line in self.problems[:5]:
                detail.append(line + "\n", style="red")
            detail.append("\n")
        index = listing.highlighted
        option = listing.get_option_at_index(index) if index is not None else None
        item = self._lesson(option.id if option else None)
        if item is not None:
            lesson = item
            detail.append(f"{lesson.number}. {lesson.text(lesson.title, lang)}\n\n", style="bold")
            detail.append(lesson.text(lesson.summary, lang) + "\n")
            if lesson.prerequisites:
                names = [self._title(p) for p in lesson.prerequisites]
                detail.append(
                    f"\n{t('prerequisites', lang)}{t('colon', lang)}"
                    + t("list_sep", lang).join(names)
                    + "\n",
                    style="dim",
                )
            store = self.tutor.store
            if store is not None:
                p = store.lesson(lesson.id, lesson.questions)
                if p.status != "not started":
                    detail.append(
                        f"\n{t('status_' + p.status, lang)} · {t('score', lang)} "
                        f"{p.score:g}/{p.total} · {t('key_hint', lang)} {p.hints} · "
                        f"{t('key_reveal', lang)} {p.reveals}\n",
                        style="cyan",
                    )
        if detail != self._detail:  # the list says "highlighted" again after each refresh
            self._detail = detail
            self.query_one("#lesson-detail", Static).update(Prose(detail))

    def _lesson(self, lesson_id: str | None) -> LessonInfo | None:
        return next((i for i in self.lessons if i.id == lesson_id), None)

    def _title(self, lesson_id: str) -> str:
        item = self._lesson(lesson_id)
        return item.text(item.title, self.lang) if item else lesson_id

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        option_id = event.option.id
        if option_id == SANDBOX:
            self.action_open_sandbox()
        elif option_id == CAPTURE:
            self.action_open_capture()
        else:
            item = self._lesson(option_id)
            if item is not None:
                self.tutor.open_lesson(item.id)

    def action_open_sandbox(self) -> None:
        self.tutor.open_sandbox()

    def action_open_capture(self) -> None:
        self.tutor.ask_capture()

    def action_toggle_language(self) -> None:
        self.tutor.action_toggle_language()

    def action_help(self) -> None:
        from .help import HelpScreen

        self.app.push_screen(HelpScreen("picker"))
