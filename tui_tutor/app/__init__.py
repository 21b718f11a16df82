"""The Textual app. It draws the engine's trace; it never computes TCP itself."""

from .app import TutorApp, make_app

__all__ = ["TutorApp", "make_app"]
