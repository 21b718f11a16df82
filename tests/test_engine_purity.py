"""The engine is sans-IO: standard library only, no UI, no validation library, no clock.

Like harlequin's core test, a fresh interpreter imports ``tui_tutor.engine`` and reports
what got loaded; and every ``import`` in ``tui_tutor/engine/`` is read with ``ast`` so that
a new one reaching outside the engine fails here, naming the file and the line.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ENGINE = ROOT / "tui_tutor" / "engine"
ENGINE_FILES = sorted(ENGINE.glob("*.py"))

UI_AND_VALIDATION = {"textual", "rich", "pydantic"}
# sans-IO: no sockets, no threads, no wall clock, no files (scenarios.py reads the TOML)
IO_CLOCK_THREADS = {
    "socket",
    "ssl",
    "select",
    "selectors",
    "asyncio",
    "threading",
    "_thread",
    "multiprocessing",
    "concurrent",
    "subprocess",
    "time",
    "datetime",
    "os",
    "io",
    "pathlib",
    "tomllib",
}

LIST_MODULES = "import json, sys; print(json.dumps(sorted(sys.modules)))"


def loaded_modules(code: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", f"{code}\n{LIST_MODULES}"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return {name.split(".")[0] for name in json.loads(done.stdout)}


def test_importing_the_engine_loads_neither_textual_rich_nor_pydantic():
    loaded = loaded_modules("import tui_tutor.engine")
    assert "tui_tutor" in loaded
    assert not loaded & UI_AND_VALIDATION, f"the engine pulled in {loaded & UI_AND_VALIDATION}"


def test_importing_the_engine_opens_no_socket_thread_or_event_loop_module():
    before = loaded_modules("pass")
    after = loaded_modules("import tui_tutor.engine")
    new = after - before
    assert not new & {"socket", "ssl", "select", "selectors", "asyncio", "threading"}, new


# what the app draws from: the lessons (loading, grading, what a lesson or capture plays)
# and the capture reader. They may validate (pydantic) but never know the UI.
UI_FREE_PACKAGES = ("tui_tutor.lessons", "tui_tutor.captures")
IMPORT_EVERY_MODULE = (
    "import importlib, pkgutil\n"
    f"for pkg in {UI_FREE_PACKAGES!r}:\n"
    "    for m in pkgutil.iter_modules(importlib.import_module(pkg).__path__):\n"
    "        importlib.import_module(f'{pkg}.{m.name}')"
)


def test_importing_every_lesson_and_capture_module_loads_neither_textual_nor_rich():
    loaded = loaded_modules(IMPORT_EVERY_MODULE)
    assert {"tui_tutor", "pydantic"} <= loaded, "the modules were imported"
    ui = loaded & {"textual", "rich"}
    assert not ui, f"lessons/ or captures/ pulled in {ui}"


@pytest.mark.parametrize("package", ["lessons", "captures"])
def test_lessons_and_captures_never_import_the_app(package):
    wrong = [
        f"{path.relative_to(ROOT)}:{line}: {'.' * level}{module}"
        for path in sorted((ROOT / "tui_tutor" / package).glob("*.py"))
        for line, module, level in imports_of(path.read_text(), path.name)
        if module.split(".")[0] == "textual"
        or (level == 2 and module.split(".")[0] == "app")
        or module.startswith("tui_tutor.app")
    ]
    assert wrong == [], "imports point inward: app -> lessons/captures -> engine"


def test_the_purity_check_would_see_pydantic_if_something_imported_it():
    assert "pydantic" in loaded_modules("import tui_tutor.engine, tui_tutor.scenarios")


def imports_of(source: str, name: str) -> list[tuple[int, str, int]]:
    """(line, module, level) for every import; level > 0 is a relative import."""
    found = []
    for node in ast.walk(ast.parse(source, filename=name)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, 0) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append((node.lineno, node.module or "", node.level))
    return found


def outside_imports(source: str, name: str) -> list[str]:
    """Imports that leave the engine package for anything but the standard library."""
    wrong = []
    for line, module, level in imports_of(source, name):
        where = f"{name}:{line}"
        top = module.split(".")[0]
        if level == 1 or module == "tui_tutor.engine" or module.startswith("tui_tutor.engine."):
            continue  # inside the engine package
        if level > 1:
            wrong.append(f"{where}: {'.' * level}{module} is outside the engine package")
        elif top not in sys.stdlib_module_names:
            wrong.append(f"{where}: {module} is not in the standard library")
        elif top in IO_CLOCK_THREADS:
            wrong.append(f"{where}: {module} does IO, threads or reads the clock")
    return wrong


def test_the_engine_has_modules_to_check():
    names = {p.stem for p in ENGINE_FILES}
    assert {"states", "peer", "link", "scenario", "trace", "seq", "segment"} <= names


@pytest.mark.parametrize("path", ENGINE_FILES, ids=lambda p: p.name)
def test_an_engine_module_imports_only_the_engine_and_the_standard_library(path):
    assert outside_imports(path.read_text(), str(path.relative_to(ROOT))) == []


@pytest.mark.parametrize(
    ("source", "complaint"),
    [
        ("from ..scenarios import load_scenario\n", "outside the engine package"),
        ("import pydantic\n", "not in the standard library"),
        ("from rich.text import Text\n", "not in the standard library"),
        ("import time\n", "reads the clock"),
        ("import socket\n", "does IO"),
    ],
)
def test_the_import_check_names_the_file_and_line_of_an_import_from_outside(source, complaint):
    name = "tui_tutor/engine/example.py"
    wrong = outside_imports(
        "from __future__ import annotations\nfrom .seq import SeqNum\n" + source, name
    )
    assert len(wrong) == 1 and wrong[0].startswith(f"{name}:3: "), wrong
    assert complaint in wrong[0]


# the app's view helpers read the trace into what the screens draw: no Textual in them
VIEW_HELPERS = ("view", "scene", "diagram", "i18n")


def test_the_apps_view_helpers_load_no_textual():
    modules = ", ".join(f"tui_tutor.app.{name}" for name in VIEW_HELPERS)
    loaded = loaded_modules(f"import {modules}")
    assert "tui_tutor" in loaded
    assert "textual" not in loaded, "a view helper pulled in Textual"
