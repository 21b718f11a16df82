"""Both peers' state machines and the ladder between them: the middle of the lesson,
sandbox and live screens, one widget so that they compose, draw and style it once."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal

from ...engine import Role
from ..i18n import t
from ..scene import LadderRow, PaneData
from .ladder import Ladder
from .state_pane import StatePane

# the keys of a screen that shows the peers: the whole diagram, and the ladder's old rows
PEERS_BINDINGS = [
    Binding("d", "diagram", "diagram"),
    Binding("shift+up", "scroll_ladder(-1)", show=False),
    Binding("shift+down", "scroll_ladder(1)", show=False),
]


class Peers(Horizontal):
    """The client's pane, the ladder, the server's pane (styles in ``panes.tcss``)."""

    def compose(self) -> ComposeResult:
        yield StatePane(id="client-pane")
        yield Ladder(id="ladder")
        yield StatePane(id="server-pane")

    @property
    def ladder(self) -> Ladder:
        return self.query_one("#ladder", Ladder)

    def pane(self, role: Role) -> StatePane:
        return self.query_one(f"#{role.value}-pane", StatePane)

    def show(
        self,
        rows: list[LadderRow],
        panes: dict[Role, PaneData],
        lang: str,
        title: str = "segments",
        legend: bool = True,
    ) -> None:
        """Draw the ladder's rows (under ``title``, a key of the strings) and both panes."""
        self.ladder.show(
            rows,
            (t("client", lang), t("server", lang)),
            t(title, lang),
            t("ladder_legend", lang) if legend else "",
        )
        for role, data in panes.items():
            self.pane(role).data = data
