"""What a tutor app imports on its way to the first screen and the first lesson, at once.

The fork server of ``serve-ssh`` (``serve/forkserver.py``) imports this module
and calls ``warm`` before its first fork, so that each learner's app finds all of
it loaded and shared with the others rather than doing it again: the command
line, every screen and widget, the terminal driver, the lesson loader (pydantic),
rich's table of character widths, the progress store on SQLite, the exam loader, and
the served lessons, validated; psycopg too when the class's progress is on PostgreSQL
(it costs an app 0.1 s of CPU to import). Neither starts a thread or an event loop,
nor opens a file or a connection.
"""

from __future__ import annotations

import concurrent.futures.thread  # noqa: F401  (the lessons load in a worker thread)
import importlib
import os
import pkgutil
from pathlib import Path

import rich.cells
import textual.drivers.linux_driver  # Textual imports these when the app starts
import textual.layouts.factory
import textual.layouts.stream
from textual.constants import DEFAULT_THEME
from textual.theme import BUILTIN_THEMES

from .. import cli  # noqa: F401
from ..commands import DATABASE_ENV
from ..commands import app as app_command  # noqa: F401
from ..db import is_postgres, schema, sqlite  # noqa: F401  (each app opens its progress store)
from ..exams import load  # noqa: F401  (serve-ssh --exam: each app reads the exam)
from ..lessons import default_dir, loader
from ..lessons.catalog import scan_catalog
from . import screens, widgets
from .app import TutorApp  # noqa: F401

for package in (screens, widgets):
    for module in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
        importlib.import_module(module.name)

rich.cells.cell_len("中文")  # loads the width table the Chinese screens need
for layout in ("horizontal", "vertical", "grid"):
    textual.layouts.factory.get_layout(layout)


def warm(lessons_dir: str = "") -> None:
    """Read the catalog and validate the lessons the apps will show (``catalog`` and
    ``loader`` keep them by file), and work out the theme's colours once."""
    folder = Path(lessons_dir) if lessons_dir else default_dir()
    scan_catalog(folder)
    loader.load_all([folder])
    BUILTIN_THEMES[DEFAULT_THEME].to_color_system().generate()
    # the served database, as serve-ssh hands it to the apps (no connection is opened here)
    if is_postgres(os.environ.get(DATABASE_ENV)):
        importlib.import_module("tui_tutor.db.postgres")
