"""The Textual app. It draws the engine's trace; it never computes TCP itself."""

from . import one_layout
from .app import TutorApp, make_app

one_layout.install()  # every app here (tutor, trainer's class view): one layout per change

__all__ = ["TutorApp", "make_app"]
