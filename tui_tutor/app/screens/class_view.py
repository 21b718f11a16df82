"""The trainer's live view: every learner at a glance (``ClassScreen``), one learner's answers
(``AnswersScreen``). Both read ``tui_tutor.classroom`` in a worker thread every few seconds,
so a slow or vanished database never freezes the screen: the last rows stay, and the top
line says why they are old.

Everything a learner typed (names, answers) is shown as plain text, never as markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from ...classroom import AnswerLine, LearnerNow
from ..i18n import t
from ..languages import Tutor
from ..widgets.keys import keys_line, update_if_changed

if TYPE_CHECKING:
    from ..class_app import ClassApp


def ago(seconds: float | None, lang: str) -> str:
    """How long, as the trainer reads it: "<1 min", "3 min", "5 h", "2 d", "-" for never."""
    if seconds is None:
        return "-"
    if seconds < 60:
        return t("under_a_minute", lang)
    if seconds < 3600:
        return t("minutes", lang, m=int(seconds // 60))
    if seconds < 86400:
        return t("hours", lang, h=int(seconds // 3600))
    return t("days", lang, d=int(seconds // 86400))


def plain(text: str) -> Text:
    """A learner's text as it is: no markup, no control characters."""
    from ...exams.attempt import clean_answer

    return Text(clean_answer(text), no_wrap=True, overflow="ellipsis")


@dataclass(frozen=True)
class Column:
    key: str  # i18n key of its heading: "col_" + key
    justify: str = "left"
    flexible: bool = False  # takes the width the others leave


class _LiveTable(Tutor, Screen[None]):
    """A heading line, one table, a keys line; rows read again every ``app.every`` seconds."""

    COLUMNS: list[Column] = []
    KEYS: list[tuple[str, str]] = []
    MAX_WIDTH = 16  # the widest a column other than the flexible one gets

    def compose(self) -> ComposeResult:
        yield Static("", id="class-heading")
        yield DataTable(id="class-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="keys")

    @property
    def class_app(self) -> ClassApp:
        return cast("ClassApp", self.app)

    def __init__(self) -> None:
        super().__init__()
        self.rows: list = []
        self.loaded = False  # read at least once

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.reload()
        self.set_interval(self.class_app.every, self._tick)

    def _tick(self) -> None:
        if self.is_current:  # a screen under another waits: one read at a time
            self.reload()

    @work(thread=True, exclusive=True, group="read")
    def reload(self) -> None:
        """Read again (in a thread); the screen is redrawn with what came back."""
        app = self.class_app
        try:
            with app.read_lock:
                rows = self.read()
        except app.reader.db.errors as err:
            self.app.call_from_thread(app.read_failed, app.reader.db.reason(err))
            return
        self.app.call_from_thread(self._read, rows)

    def read(self) -> list:
        raise NotImplementedError

    def _read(self, rows: list) -> None:
        self.class_app.read_worked()
        self.rows, self.loaded = rows, True
        self.redraw()

    def redraw(self) -> None:
        """The table from ``self.rows``, the cursor kept on the same row."""
        if not self.is_mounted:
            return
        table = self.query_one(DataTable)
        cells = [self.cells(row) for row in self.sorted_rows()]
        widths = self._widths(cells)
        kept = self._cursor_key(table)
        with self.app.batch_update():
            table.clear(columns=True)
            for column, width in zip(self.COLUMNS, widths, strict=True):
                table.add_column(self.heading(column), width=width, key=column.key)
            seen: set[str] = set()
            for key, row in cells:
                unique = key
                while unique in seen:  # two rows alike: told apart by their order
                    unique += "+"
                seen.add(unique)
                table.add_row(*row, key=unique)
            if kept is not None and kept in table.rows:
                table.move_cursor(row=table.get_row_index(kept), animate=False)
            self.draw_heading()
            update_if_changed(
                self.query_one("#keys", Static), keys_line(self.KEYS, self.lang, self.size.width)
            )

    def _cursor_key(self, table: DataTable) -> str | None:
        if table.row_count == 0:
            return None
        try:
            return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        except Exception:  # no row under the cursor
            return None

    def _widths(self, cells: list[tuple[str, list[Text]]]) -> list[int]:
        """Each column as wide as its widest cell (at most MAX_WIDTH); the flexible one
        takes the rest of the screen."""
        widths = []
        for k, column in enumerate(self.COLUMNS):
            content = [self.heading(column).cell_len] + [row[k].cell_len for _key, row in cells]
            widths.append(min(max(content), self.MAX_WIDTH))
        flexible = next(k for k, c in enumerate(self.COLUMNS) if c.flexible)
        padding = 2 * len(self.COLUMNS) + 1  # a cell's padding, the scrollbar
        rest = self.size.width - padding - sum(w for k, w in enumerate(widths) if k != flexible)
        longest = max([row[flexible].cell_len for _key, row in cells], default=0)
        widths[flexible] = max(8, min(rest, max(longest, widths[flexible])))
        return widths

    def heading(self, column: Column) -> Text:
        return Text(t(f"col_{column.key}", self.lang), style="bold", justify=column.justify)

    def sorted_rows(self) -> list:
        return list(self.rows)

    def cells(self, row) -> tuple[str, list[Text]]:
        raise NotImplementedError

    def draw_heading(self) -> None:
        raise NotImplementedError

    def on_resize(self) -> None:
        self.redraw()

    async def refresh_language(self) -> None:
        self.redraw()


class ClassScreen(_LiveTable):
    """Every learner: lesson, step, score, hints, reveals, last answer; the stuck flagged."""

    BINDINGS = [
        Binding("s", "sort", "sort"),
        Binding("S", "reverse", "reverse"),
        Binding("l", "app.toggle_language", "language"),
        Binding("q", "app.quit", "quit"),
    ]
    COLUMNS = [
        Column("flag"),
        Column("learner"),
        Column("lesson", flexible=True),
        Column("step", "right"),
        Column("score", "right"),
        Column("hints", "right"),
        Column("reveals", "right"),
        Column("last", "right"),
    ]
    KEYS = [
        ("↑↓", ""),
        ("enter", "key_answers"),
        ("s", "key_sort"),
        ("S", "key_reverse"),
        ("l", "key_lang"),
        ("q", "key_quit"),
    ]
    MAX_WIDTH = 14

    def __init__(self) -> None:
        super().__init__()
        self.sort_by = "flag"  # the stuck first
        self.descending = False

    def read(self) -> list[LearnerNow]:
        return self.class_app.reader.now(self.class_app.clock())

    def sorted_rows(self) -> list[LearnerNow]:
        now = self.class_app.clock()
        keys = {
            "flag": lambda r: (r.stuck is None, -r.wrong_tries, r.learner),
            "learner": lambda r: r.learner.casefold(),
            "lesson": lambda r: (r.exam, r.title(self.lang)),
            "step": lambda r: (r.step or 0) / (r.steps or 1),
            "score": lambda r: r.score,
            "hints": lambda r: r.hints,
            "reveals": lambda r: r.reveals,
            "last": lambda r: now - r.last_answer if r.last_answer is not None else float("inf"),
        }
        return sorted(self.rows, key=keys[self.sort_by], reverse=self.descending)

    def heading(self, column: Column) -> Text:
        text = super().heading(column)
        if column.key == self.sort_by:
            text.append("▲" if self.descending else "▼", style="bold")
        return text

    def cells(self, row: LearnerNow) -> tuple[str, list[Text]]:
        lang, now = self.lang, self.class_app.clock()
        flag = Text()
        if row.stuck == "tries":
            flag = Text("⚑ " + t("flag_tries", lang, n=row.wrong_tries), style="bold red")
        elif row.stuck == "idle":
            flag = Text("⚑ " + t("flag_idle", lang), style="bold yellow")
        if row.exam:
            lesson = plain(t("class_exam", lang, title=row.title(lang), left=ago(row.left, lang)))
        else:
            lesson = plain(row.title(lang))
        step = f"{row.step}/{row.steps}" if row.steps else str(row.step or "-")
        since = now - row.last_answer if row.last_answer is not None else None
        return row.learner, [
            flag,
            plain(row.learner),
            lesson,
            Text(step, justify="right"),
            Text(f"{row.score:g}/{row.total}", justify="right"),
            Text(str(row.hints), justify="right"),
            Text(str(row.reveals), justify="right"),
            Text(ago(since, lang), justify="right"),
        ]

    def draw_heading(self) -> None:
        lang, app = self.lang, self.class_app
        text = Text()
        text.append(f" {t('class_title', lang)}", style="bold")
        text.append(f" · {t('class_learners', lang, n=len(self.rows))}")
        stuck = sum(1 for row in self.rows if row.stuck)
        if stuck:
            text.append(f" · {t('class_stuck', lang, n=stuck)}", style="bold red")
        column = t("sort_flag" if self.sort_by == "flag" else f"col_{self.sort_by}", lang)
        text.append(f" · {t('class_sorted', lang, column=column)}")
        text.append(f" · {app.status_line(lang)}", style=app.status_style)
        if self.loaded and not self.rows:
            text.append("\n " + t("class_empty", lang), style="dim")
        update_if_changed(self.query_one("#class-heading", Static), text)

    def action_sort(self) -> None:
        keys = [c.key for c in self.COLUMNS]
        self.sort_by = keys[(keys.index(self.sort_by) + 1) % len(keys)]
        self.descending = False
        self.redraw()

    def action_reverse(self) -> None:
        self.descending = not self.descending
        self.redraw()

    @on(DataTable.HeaderSelected)
    def _sort_by_header(self, event: DataTable.HeaderSelected) -> None:
        key = event.column_key.value
        if key == self.sort_by:
            self.descending = not self.descending
        else:
            self.sort_by, self.descending = key, False
        self.redraw()

    @on(DataTable.RowSelected)
    def _open_learner(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.app.push_screen(AnswersScreen(event.row_key.value))


class AnswersScreen(_LiveTable):
    """One learner's answers, hints, reveals and exam answers, newest first."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "class"),
        Binding("l", "app.toggle_language", "language"),
        Binding("q", "app.quit", "quit"),
    ]
    COLUMNS = [
        Column("ago", "right"),
        Column("lesson"),
        Column("question"),
        Column("what"),
        Column("answer", flexible=True),
        Column("right"),
    ]
    KEYS = [("↑↓", ""), ("esc", "key_back_class"), ("l", "key_lang"), ("q", "key_quit")]
    MAX_WIDTH = 22

    def __init__(self, learner: str) -> None:
        super().__init__()
        self.learner = learner

    def read(self) -> list[AnswerLine]:
        return self.class_app.reader.answers(self.learner)

    def cells(self, row: AnswerLine) -> tuple[str, list[Text]]:
        lang = self.lang
        mark = Text("")
        if row.correct is True:
            mark = Text("✔", style="bold green")
        elif row.correct is False:
            mark = Text("✘", style="bold red")
        key = f"{row.at!r}/{row.lesson}/{row.question}/{row.kind}"
        return key, [
            Text(ago(self.class_app.clock() - row.at, lang), justify="right"),
            plain(row.lesson),
            plain(row.question),
            Text(t(f"what_{row.kind}", lang)),
            plain(row.answer),
            mark,
        ]

    def draw_heading(self) -> None:
        from ...exams.attempt import clean_answer

        lang, app = self.lang, self.class_app
        text = Text()
        text.append(f" {t('answers_title', lang, learner=clean_answer(self.learner))}", "bold")
        text.append(f" · {app.status_line(lang)}", style=app.status_style)
        if self.loaded and not self.rows:
            text.append("\n " + t("answers_empty", lang), style="dim")
        update_if_changed(self.query_one("#class-heading", Static), text)
