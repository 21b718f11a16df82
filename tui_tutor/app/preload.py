"""What a tutor app imports on its way to the first screen and the first lesson, at once.

The fork server of ``serve-ssh`` (``serve/forkserver.py``) imports this module
before its first fork, so that each learner's app finds all of it loaded and
shared with the others rather than importing it again: every screen and widget,
the terminal driver, the lesson loader (pydantic) and rich's table of character
widths. Importing starts no thread, loop or file.
"""

from __future__ import annotations

import concurrent.futures.thread  # noqa: F401  (the lessons load in a worker thread)
import importlib
import pkgutil

import rich.cells
import textual.drivers.linux_driver  # Textual imports these when the app starts
import textual.layouts.factory
import textual.layouts.stream

from ..lessons import loader  # noqa: F401  (the lessons load after the first paint)
from . import screens, widgets
from .app import TutorApp  # noqa: F401

for package in (screens, widgets):
    for module in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
        importlib.import_module(module.name)

rich.cells.cell_len("中文")  # loads the width table the Chinese screens need
for layout in ("horizontal", "vertical", "grid"):
    textual.layouts.factory.get_layout(layout)
