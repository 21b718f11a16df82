"""The Textual app. It draws the engine's trace; it never computes TCP itself.

``TutorApp`` and ``make_app`` load Textual when first asked for, so that the view
helpers (``view``, ``scene``, ``diagram``, ``i18n``) import without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .app import TutorApp, make_app

__all__ = ["TutorApp", "make_app"]


def __getattr__(name: str) -> object:
    if name in __all__:
        from . import app

        return getattr(app, name)
    raise AttributeError(name)
