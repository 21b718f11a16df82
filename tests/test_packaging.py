"""The wheel holds every package and the lessons (``tests/wheel_check.py`` builds and uses it)."""

from __future__ import annotations

import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _setuptools() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]


def test_every_folder_of_the_package_is_listed_for_the_wheel() -> None:
    folders = {
        ".".join(p.parent.relative_to(REPO).parts)
        for p in (REPO / "tui_tutor").rglob("*")
        if p.suffix in (".py", ".tcss") and "__pycache__" not in p.parts
    }
    missing = folders - set(_setuptools()["packages"])
    assert not missing, f"pyproject.toml does not ship {sorted(missing)}: list them in packages"


def test_the_lessons_folder_ships_as_package_data_without_moving() -> None:
    config = _setuptools()
    assert config["package-dir"]["tui_tutor.lessons.data"] == "lessons"
    assert set(config["package-data"]["tui_tutor.lessons.data"]) >= {"*.toml", "schema.json"}
    assert (REPO / "lessons" / "schema.json").is_file()
    assert "tui_tutor.lessons.data" in config["packages"]


def test_an_editable_install_reads_the_checkouts_lessons(monkeypatch) -> None:
    from tui_tutor.lessons import default_dir

    monkeypatch.delenv("TUI_TUTOR_LESSONS", raising=False)
    assert default_dir() == REPO / "lessons"
