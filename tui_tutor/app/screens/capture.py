"""Open a capture: type a pcap/pcapng path, pick one of its TCP connections, step through it."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ..i18n import t


class CaptureScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape", "close", "back")]
    DEFAULT_CSS = """
    CaptureScreen { align: center middle; }
    CaptureScreen > Vertical { width: 90%; max-width: 110; height: auto; max-height: 90%;
                               border: round $accent; padding: 0 1; background: $surface; }
    CaptureScreen #capture-path { margin: 1 0 0 0; }
    CaptureScreen #capture-message { height: auto; margin: 1 0 0 0; }
    CaptureScreen #capture-list { height: auto; max-height: 16; }
    """

    def __init__(self, path: Path | None = None, connection: int | None = None) -> None:
        super().__init__()
        self.path = path
        self.connection = connection  # open this one at once
        self.connections: list = []

    @property
    def lang(self) -> str:
        return getattr(self.app, "lang", "en")

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = t("open_capture", self.lang)
            yield Input(
                str(self.path or ""), placeholder=t("capture_path", self.lang), id="capture-path"
            )
            yield Static(t("capture_help", self.lang), id="capture-message")
            yield OptionList(id="capture-list")

    def on_mount(self) -> None:
        self.query_one("#capture-list").display = False
        if self.path is not None:
            self.load(self.path)
        else:
            self.query_one("#capture-path", Input).focus()

    @on(Input.Submitted, "#capture-path")
    def _submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.load(Path(event.value.strip()).expanduser())

    @work(thread=True, exclusive=True)
    def load(self, path: Path) -> None:
        """Read the capture in a thread: a big file must not freeze the screen."""
        from ...captures import CaptureError, read_capture

        self.app.call_from_thread(self._say, t("capture_reading", self.lang, file=path.name))
        try:
            connections = read_capture(path)
        except CaptureError as err:
            self.app.call_from_thread(self._say, str(err), True)
            return
        self.app.call_from_thread(self._show, path, connections)

    def _say(self, text: str, error: bool = False) -> None:
        self.query_one("#capture-message", Static).update(
            Text(text, style="bold red" if error else "")
        )

    def _show(self, path: Path, connections: list) -> None:
        self.path, self.connections = path, connections
        chosen = [c for c in connections if c.number == self.connection]
        if len(connections) == 1 or chosen:
            self._open((chosen or connections)[0])
            return
        listing = self.query_one("#capture-list", OptionList)
        listing.clear_options()
        for conn in connections:
            partial = f" ({t('partial', self.lang)})" if conn.partial else ""
            listing.add_option(
                Option(
                    f"{conn.number:>3}. {conn.client} → {conn.server}   "
                    f"{t('n_segments', self.lang, n=len(conn))}{partial}",
                    id=str(conn.number),
                )
            )
        listing.display = True
        listing.highlighted = 0
        listing.focus()
        self._say(t("capture_pick", self.lang, n=len(connections), file=path.name))

    @on(OptionList.OptionSelected, "#capture-list")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        number = int(event.option.id or 0)
        conn = next((c for c in self.connections if c.number == number), None)
        if conn is not None:
            self._open(conn)

    def _open(self, conn) -> None:
        from ..capture_source import capture_source

        assert self.path is not None
        source = capture_source(conn, self.path)
        self.dismiss(None)
        self.app.open_source(source)  # type: ignore[attr-defined]

    def action_close(self) -> None:
        self.dismiss(None)
