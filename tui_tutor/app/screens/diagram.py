"""The whole state diagram (``d``): RFC 9293 figure 5 with both peers on it.

The picture comes from ``app/diagram.py`` (laid out from the engine's transition
table); this screen only marks where the client (C) and the server (S) are and the
way each came, puts the rows the figure leaves out beside it (or under it when the
terminal is narrow), and scrolls when the terminal is smaller than the picture.
"""

from __future__ import annotations

from rich.console import Console
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import ScrollableContainer
from textual.screen import Screen
from textual.widgets import Static

from ...engine import Role, StateChanged
from ..diagram import Layout, highlights, layout
from ..i18n import t
from ..languages import Tutor
from ..widgets.keys import keys_line, update_if_changed

# the narrowest picture that still reads well, and the widest worth drawing
PICTURE_WIDTH = {"en": (78, 84), "zh": (78, 90)}
NOTES_MIN = 24  # a notes column narrower than this goes under the picture
GAP = 2


class DiagramScreen(Tutor, Screen[None]):
    BINDINGS = [
        Binding("escape,d", "close", "close"),
        Binding("l", "toggle_language", "language"),
        Binding("q", "app.quit", "quit"),
    ]
    DEFAULT_CSS = """
    DiagramScreen #diagram-scroll { height: 1fr; }
    DiagramScreen #diagram { width: auto; height: auto; }
    DiagramScreen #keys { height: 1; background: $panel; }
    """

    def __init__(self, paths: dict[Role, list[StateChanged]]) -> None:
        super().__init__()
        self.paths = paths

    def compose(self) -> ComposeResult:
        with ScrollableContainer(id="diagram-scroll"):
            yield Static("", id="diagram")
        yield Static("", id="keys")

    def on_mount(self) -> None:
        self._draw()
        self.call_after_refresh(self._scroll_to_peers)

    def on_resize(self) -> None:
        self._draw()

    def _layout(self) -> Layout:
        least, most = PICTURE_WIDTH["zh" if self.lang == "zh" else "en"]
        return layout(max(least, min(most, self.size.width - 1)), self.lang)

    def _draw(self) -> None:
        lang = self.lang
        picture = self._layout()
        marks, taken, here = highlights(
            {
                mark: [(ev.old, ev.transition) for ev in self.paths.get(role, [])]
                for mark, role in (("C", Role.CLIENT), ("S", Role.SERVER))
            }
        )
        lines = picture.render(marks, taken, here)
        room = self.size.width - picture.width - GAP - 2  # a scrollbar may take 2
        beside = room >= NOTES_MIN
        notes = self._notes(picture, taken, room if beside else max(20, self.size.width - 2))
        if beside:
            rows = max(len(lines), len(notes))
            lines += [Text("")] * (rows - len(lines))
            out = [
                Text.assemble(
                    line,
                    " " * (picture.width + GAP - line.cell_len),
                    notes[i] if i < len(notes) else "",
                )
                for i, line in enumerate(lines)
            ]
        else:
            out = [*lines, Text(""), *notes]
        self.query_one("#diagram", Static).update(Text("\n").join(out))
        keys = [("esc/d", "key_close"), ("l", "key_lang"), ("↑↓←→", "key_scroll")]
        update_if_changed(self.query_one("#keys", Static), keys_line(keys, lang, self.size.width))

    def _notes(self, picture: Layout, taken: dict, width: int) -> list[Text]:
        lang = self.lang
        out = [*_wrap(t("diagram_title", lang), width, "bold"), Text("")]
        out += _wrap(t("diagram_legend", lang), width, "")
        for note in picture.notes:
            out += _wrap(note.text, width, _note_style(note, taken))
        out.append(Text(""))
        out += _wrap(t("diagram_listed", lang), width, "italic")
        for note in picture.listed:
            if note.once_taken and not any(row in taken for row in note.rows):
                continue
            out += _wrap("• " + note.text, width, _note_style(note, taken), indent=2)
        return out

    def _scroll_to_peers(self) -> None:
        """At a small terminal, open where the peers are."""
        picture = self._layout()
        marked = [b for b in picture.boxes.values() if b.node in self._marked_nodes()]
        if not marked:
            return
        box = marked[0]
        scroll = self.query_one("#diagram-scroll", ScrollableContainer)
        scroll.scroll_to(
            x=max(0, box.x - scroll.size.width // 3),
            y=max(0, box.y - scroll.size.height // 3),
            animate=False,
        )

    def _marked_nodes(self) -> set[str]:
        marks, _, _ = highlights(
            {
                mark: [(ev.old, ev.transition) for ev in self.paths.get(role, [])]
                for mark, role in (("C", Role.CLIENT), ("S", Role.SERVER))
            }
        )
        return set(marks)

    def action_close(self) -> None:
        self.app.pop_screen()

    def action_toggle_language(self) -> None:
        self.tutor.action_toggle_language()

    async def refresh_language(self) -> None:
        self._draw()


def _note_style(note, taken: dict) -> str:
    return next((taken[row] for row in note.rows if row in taken), "")


def _wrap(text: str, width: int, style: str, indent: int = 0) -> list[Text]:
    """Rich's wrapping (it breaks Chinese between characters), with a hanging indent."""
    console = Console(width=max(10, width), color_system=None)
    lines = Text(text, style=style).wrap(console, max(10, width - indent))
    return [line if i == 0 else Text(" " * indent) + line for i, line in enumerate(lines)]
