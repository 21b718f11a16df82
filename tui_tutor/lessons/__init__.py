"""Lessons: the file format, loading, checking against the engine, and grading answers."""

from __future__ import annotations

import os
from pathlib import Path


def default_dir() -> Path:
    """The bundled lessons: ``$TUI_TUTOR_LESSONS``, else ``lessons/`` beside the package."""
    env = os.environ.get("TUI_TUTOR_LESSONS")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "lessons"
