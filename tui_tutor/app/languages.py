"""The two languages an app of the tutor speaks, as a reactive its screens watch.

``l`` switches English and Chinese by setting ``lang``; every screen (``Tutor``)
watches it and redraws itself in ``refresh_language``: nothing pushes the language
to the screens by hand.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.app import App
from textual.dom import DOMNode
from textual.reactive import var

if TYPE_CHECKING:
    from .app import TutorApp


def tutor_app(node: DOMNode) -> TutorApp:
    """The tutor app a widget runs in, typed."""
    return cast("TutorApp", node.app)


class TwoLanguagesApp(App[None]):
    """An app in English or Simplified Chinese; ``l`` switches."""

    lang: var[str] = var("en")

    def action_toggle_language(self) -> None:
        self.lang = "zh" if self.lang == "en" else "en"


class Tutor:
    """For a screen of the tutor: its app, typed (posting's pattern instead of
    ``getattr``), the language it speaks, and a redraw when that changes."""

    @property
    def _node(self) -> DOMNode:
        return cast(DOMNode, self)

    @property
    def tutor(self) -> TutorApp:
        """The tutor app this screen runs in."""
        return tutor_app(self._node)

    @property
    def lang(self) -> str:
        return cast(TwoLanguagesApp, self._node.app).lang

    def on_mount(self) -> None:
        # Textual calls each class's handler in the MRO: a screen's own on_mount runs too
        self._node.watch(self._node.app, "lang", self._language_changed, init=False)

    async def _language_changed(self) -> None:
        await self.refresh_language()

    async def refresh_language(self) -> None:
        """Redraw everything in ``self.lang``."""
