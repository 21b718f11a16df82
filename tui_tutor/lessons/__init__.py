"""Lessons: the file format, loading, checking against the engine, and grading answers."""

from __future__ import annotations

import os
from pathlib import Path

# the top-level lessons/ folder, shipped inside the package (pyproject.toml maps it)
DATA_PACKAGE = "tui_tutor.lessons.data"


def default_dir() -> Path:
    """The bundled lessons: ``$TUI_TUTOR_LESSONS``, else the ones installed with the package.

    A wheel holds them as the package ``tui_tutor.lessons.data``. An editable install or a
    bare checkout has no such package (setuptools cannot map a folder without
    ``__init__.py`` into a regular package there): the lessons are the checkout's own
    ``lessons/`` folder beside the package, so an author's edits show at once.
    """
    env = os.environ.get("TUI_TUTOR_LESSONS")
    if env:
        return Path(env)
    # where a wheel and a checkout put them, looked at first: importlib.resources costs
    # 2 ms of every start
    here = Path(__file__).resolve().parent
    for found in (here / "data", here.parent.parent / "lessons"):
        if (found / "schema.json").is_file():
            return found
    from importlib.resources import files

    try:
        folder = files(DATA_PACKAGE)
    except ModuleNotFoundError:
        return here.parent.parent / "lessons"
    # the folder holds no __init__.py, so it is a namespace package and files() gives a
    # MultiplexedPath; schema.json always ships, and its parent is the real folder
    return Path(str(folder.joinpath("schema.json"))).parent
