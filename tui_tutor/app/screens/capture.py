"""Open a capture: pick a pcap/pcapng file, pick one of its TCP connections, step through it.

The list comes from the capture's summaries (flags only, no states inferred), so a
big capture is listed at once; a filter narrows it by address or port and to the
incomplete handshakes or the resets. Only the connection picked is read in full.

On the learner's own machine the file is typed as a path. When the app is served
(SSH, web) nothing is typed: the dialog lists the regular files of the server's
captures folder by name, and only those can be opened. Either way what is shown
about a file is its name and what went wrong, never the bytes it holds.
"""

from __future__ import annotations

import re
import stat
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, OptionList, Static
from textual.widgets.option_list import Option

from ...captures import Summary, select
from ..i18n import t
from ..languages import Tutor

CAPTURE_SUFFIXES = (".pcap", ".pcapng", ".cap")
LISTED = 400  # rows in the list at most: more would only be scrolled past; the filter narrows


def served_captures(folder: Path | None) -> list[Path]:
    """The capture files of ``folder``: regular files (no links, folders or devices) named
    .pcap, .pcapng or .cap, by name."""
    if folder is None:
        return []
    try:
        entries = sorted(folder.iterdir(), key=lambda p: p.name)
    except OSError:
        return []
    out = []
    for path in entries:
        try:
            regular = stat.S_ISREG(path.lstat().st_mode)
            if regular and path.suffix.lower() in CAPTURE_SUFFIXES and path.name[0] != ".":
                out.append(path)
        except OSError:
            continue
    return out


def error_text(message: str, name: str, lang: str) -> str:
    """A reader's error said for the learner: in their language where it is a known case,
    with the file's name only, and never a byte of the file."""
    known = (
        ("not a pcap or pcapng file", "capture_not_pcap"),
        ("empty file", "capture_empty"),
        ("no TCP connections", "capture_no_tcp"),
        ("unsupported link type", "capture_link_type"),
        ("truncated", "capture_damaged"),
        ("damaged", "capture_damaged"),
        ("No such file", "capture_missing"),
        ("Permission denied", "capture_denied"),
        ("Is a directory", "capture_folder"),
    )
    offset = re.search(r"\bbyte (\d+)", message)
    for needle, key in known:
        if needle in message:
            text = t(key, lang, file=name)
            if offset and key == "capture_damaged":
                text += " " + t("capture_at_byte", lang, n=offset.group(1))
            return text
    # anything else: the reader's line, without whatever of the file it quotes
    return re.sub(r"\s*\(?(it starts with )?0x[0-9a-fA-F]+\)?", "", message)


class CaptureScreen(Tutor, ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "close", "back"),
        Binding("down", "to_list", show=False),
        Binding("slash", "to_filter", show=False),  # typed into an input, it is just a /
    ]
    DEFAULT_CSS = """
    CaptureScreen { align: center middle; }
    CaptureScreen > Vertical { width: 90%; max-width: 110; height: auto; max-height: 90%;
                               border: round $accent; padding: 0 1; background: $surface; }
    CaptureScreen #capture-path { margin: 1 0 0 0; }
    CaptureScreen #capture-message { height: auto; margin: 1 0 0 0; }
    CaptureScreen #capture-files, CaptureScreen #capture-list { height: auto; max-height: 14; }
    CaptureScreen #capture-filters { height: auto; }
    CaptureScreen #capture-filter { width: 1fr; }
    CaptureScreen #capture-filters Checkbox { width: auto; }
    """

    def __init__(
        self,
        path: Path | None = None,
        connection: int | None = None,
        listed: list[Summary] | None = None,
    ) -> None:
        super().__init__()
        self.path = path
        self.connection = connection  # open this one at once
        self.summaries: list[Summary] = listed or []  # every connection of the file
        self.shown: list[Summary] = []  # those the filter lets through
        self.files: list[Path] = []

    @property
    def served(self) -> bool:
        return self.tutor.served

    @property
    def connections(self) -> list[Summary]:
        """The connections of the file read, once it is read."""
        return self.summaries

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = t("open_capture", self.lang)
            if self.served:
                yield OptionList(id="capture-files")
            else:
                yield Input(
                    str(self.path or ""),
                    placeholder=t("capture_path", self.lang),
                    id="capture-path",
                )
            yield Static("", id="capture-message")
            with Horizontal(id="capture-filters"):
                yield Input(placeholder=t("capture_filter", self.lang), id="capture-filter")
                yield Checkbox(t("only_incomplete", self.lang), id="only-incomplete")
                yield Checkbox(t("only_resets", self.lang), id="only-resets")
            yield OptionList(id="capture-list")

    def on_mount(self) -> None:
        self.query_one("#capture-list").display = False
        self.query_one("#capture-filters").display = False
        if self.served:
            self._list_files()
        elif self.path is not None and self.summaries:
            self._show(self.path, self.summaries)
        elif self.path is not None:
            # once the dialog is painted: the reader's imports would hold the GIL before it
            self.call_after_refresh(self.load, self.path)
        else:
            self._say(t("capture_help", self.lang))
            self.query_one("#capture-path", Input).focus()

    def _list_files(self) -> None:
        folder = self.tutor.captures_dir
        self.files = served_captures(folder)
        files = self.query_one("#capture-files", OptionList)
        if not self.files:
            files.display = False
            self._say(t("captures_none", self.lang))
            return
        files.add_options([Option(p.name, id=str(i)) for i, p in enumerate(self.files)])
        files.highlighted = 0
        files.focus()
        self._say(t("captures_pick_file", self.lang, n=len(self.files)))

    @on(OptionList.OptionSelected, "#capture-files")
    def _file_picked(self, event: OptionList.OptionSelected) -> None:
        index = int(event.option.id or 0)
        if 0 <= index < len(self.files):
            self.load(self.files[index])

    @on(Input.Submitted, "#capture-path")
    def _submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.load(Path(event.value.strip()).expanduser())

    @work(thread=True, exclusive=True)
    def load(self, path: Path) -> None:
        """List the capture's connections in a thread: a big file must not freeze the screen."""
        from ...captures import CaptureError, read_summaries

        lang, name = self.lang, path.name
        # served: messages name the file, not where it lies on the server
        label = name if self.served else str(path)
        self.app.call_from_thread(self._say, t("capture_reading", lang, file=name))
        try:
            if not path.is_file():
                key = "capture_folder" if path.is_dir() else "capture_missing"
                if path.exists() and not path.is_dir():
                    key = "capture_not_file"
                raise CaptureError(t(key, lang, file=label))
            listed = read_summaries(path, label)
        except CaptureError as err:
            self.app.call_from_thread(self._say, error_text(str(err), label, lang), True)
            return
        self.app.call_from_thread(self._show, path, listed)

    @work(thread=True, exclusive=True)
    def read_one(self, path: Path, number: int) -> None:
        """Read the connection picked, in full (states and all), then open it."""
        from ...captures import CaptureError, read_connection

        label = path.name if self.served else str(path)
        self.app.call_from_thread(self._say, t("capture_reading", self.lang, file=path.name))
        try:
            conn = read_connection(path, number, label)
        except CaptureError as err:
            self.app.call_from_thread(self._say, error_text(str(err), label, self.lang), True)
            return
        self.app.call_from_thread(self._open, conn)

    def _say(self, text: str, error: bool = False) -> None:
        if error or self.summaries:  # the list or what went wrong is on screen: the
            # lessons may load now (app.py), not while the file is being read
            self.call_after_refresh(self.tutor.load_lessons_later)
        self.query_one("#capture-message", Static).update(
            Text(text, style="bold red" if error else "")
        )

    def _show(self, path: Path, listed: list[Summary]) -> None:
        self.path, self.summaries = path, listed
        chosen = [c for c in listed if c.number == self.connection]
        if len(listed) == 1 or chosen:
            self.read_one(path, (chosen or listed)[0].number)
            return
        self.query_one("#capture-filters").display = True
        self.query_one(Vertical).border_subtitle = t("capture_filter_keys", self.lang)
        self._refilter()
        self.query_one("#capture-list", OptionList).focus()

    @on(Input.Changed, "#capture-filter")
    @on(Checkbox.Changed)
    def _refilter(self) -> None:
        """List the connections the filter lets through (the first LISTED of them)."""
        if not self.summaries or self.path is None:
            return
        self.shown = select(
            self.summaries,
            self.query_one("#capture-filter", Input).value,
            incomplete_handshakes=self.query_one("#only-incomplete", Checkbox).value,
            resets=self.query_one("#only-resets", Checkbox).value,
        )
        listing = self.query_one("#capture-list", OptionList)
        listing.clear_options()
        first = min(c.start for c in self.summaries)
        listing.add_options(
            Option(connection_row(c, first, self.lang), id=str(c.number))
            for c in self.shown[:LISTED]
        )
        listing.display = bool(self.shown)
        if self.shown:
            listing.highlighted = 0
        total, name = len(self.summaries), self.path.name
        if len(self.shown) == total:
            text = t("capture_pick", self.lang, n=total, file=name)
        else:
            text = t("capture_filtered", self.lang, shown=len(self.shown), n=total, file=name)
        if len(self.shown) > LISTED:
            text += " " + t("capture_first_listed", self.lang, n=LISTED)
        self._say(text)

    @on(Input.Submitted, "#capture-filter")
    def action_to_list(self) -> None:
        """Down (or Enter in the filter) goes to the list, from the filter or a checkbox."""
        listing = self.query_one("#capture-list", OptionList)
        if listing.display and not listing.has_focus:
            listing.focus()

    def action_to_filter(self) -> None:
        if self.query_one("#capture-filters").display:
            self.query_one("#capture-filter", Input).focus()

    @on(OptionList.OptionSelected, "#capture-list")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        if self.path is not None:
            self.read_one(self.path, int(event.option.id or 0))

    def _open(self, conn) -> None:
        from ...lessons.source import capture_source

        assert self.path is not None
        source = capture_source(conn, self.path)
        self.dismiss(None)
        self.tutor.open_source(source)

    def action_close(self) -> None:
        self.dismiss(None)
        self.tutor.show_picker()


def connection_row(conn: Summary, first: float, lang: str) -> Text:
    """What tells two connections between the same hosts apart, on two lines:
    ``  2. 10.0.0.1:40312 → 10.0.0.2:80`` then ``at +1.250 s · 9 segments · closed``."""
    row = Text(f"{conn.number:>3}. ", style="bold")
    row.append(f"{conn.client} → {conn.server}")
    if conn.partial:
        row.append(f"  ({t('partial', lang)})", style="dim")
    row.append("\n     ")
    row.append(t("capture_at", lang, s=f"{conn.start - first:.3f}"), style="dim")
    row.append(" · " + t("n_segments", lang, n=conn.segments))
    if conn.incomplete_handshake:
        row.append(" · " + t("handshake_incomplete", lang))
    row.append(" · " + (conn.ending.zh if lang == "zh" else conn.ending.value), style="italic")
    return row
