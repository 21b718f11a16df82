"""The picker's catalog kept between starts (``lessons/catalog.py``): a lesson edited since
is read again, and a cache that is damaged or cannot be written is only a slower start."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tui_tutor.lessons import catalog
from tui_tutor.lessons.catalog import read_catalog

LESSONS = Path(__file__).resolve().parent.parent / "lessons"
FIRST, SECOND = "01-why-handshake.toml", "02-three-way-handshake.toml"


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    """Two bundled lessons in a folder of their own, and a cache folder of the test's own."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    for name in (FIRST, SECOND):
        (lessons / name).write_bytes((LESSONS / name).read_bytes())
    return lessons


def next_start(folder: Path) -> dict[str, str]:
    """The English titles by id, as a new process reads them (no memory of this one's)."""
    catalog._seen.clear()
    catalog._cache_read.clear()
    return {info.id: info.title["en"] for info in read_catalog(folder)}


def cache_file(tmp_path: Path) -> Path:
    return tmp_path / "cache" / "tui-tutor" / "catalog.json"


def test_a_title_edited_between_two_starts_shows_at_the_second(folder, tmp_path):
    first = next_start(folder)
    assert cache_file(tmp_path).is_file()
    path = folder / FIRST
    text = path.read_text(encoding="utf-8")
    old = first["why-handshake"]
    new = old.replace("a", "e", 1)  # same size: only the time of the change tells
    assert len(new) == len(old) and new != old
    path.write_text(text.replace(f'"{old}"', f'"{new}"', 1), encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert next_start(folder) == {**first, "why-handshake": new}


def test_a_lesson_added_or_removed_between_two_starts_is_listed_as_it_is(folder):
    both = next_start(folder)
    (folder / FIRST).unlink()
    assert next_start(folder) == {k: v for k, v in both.items() if k != "why-handshake"}
    (folder / "03-third-ack-carries-data.toml").write_bytes(
        (LESSONS / "03-third-ack-carries-data.toml").read_bytes()
    )
    assert len(next_start(folder)) == 2


def test_an_unchanged_folder_is_listed_at_the_next_start_without_reading_a_lesson(folder, tmp_path):
    titles = next_start(folder)
    # a new process in which the TOML reader cannot be imported: the cache alone answers
    script = (
        "import sys; sys.modules['tomllib'] = None\n"
        "from pathlib import Path\n"
        "from tui_tutor.lessons.catalog import read_catalog\n"
        f"print(sorted((i.id, i.title['en']) for i in read_catalog(Path({str(folder)!r}))))\n"
    )
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"))
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == str(sorted(titles.items()))


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b"\xff\xfe not json",
        b'{"code": "x", "folder": 3, "files": []}',
        b"[1, 2, 3]",
    ],
)
def test_a_damaged_cache_is_read_as_no_cache_and_replaced(folder, tmp_path, damage):
    titles = next_start(folder)
    cache_file(tmp_path).write_bytes(damage)
    assert next_start(folder) == titles
    assert json.loads(cache_file(tmp_path).read_bytes())["folder"] == str(folder)


def test_a_cache_entry_with_wrong_fields_is_not_trusted(folder, tmp_path):
    titles = next_start(folder)
    data = json.loads(cache_file(tmp_path).read_bytes())
    del data["files"][FIRST][1]["title"]
    cache_file(tmp_path).write_text(json.dumps(data), encoding="utf-8")
    assert next_start(folder) == titles


def test_a_cache_folder_that_cannot_be_written_only_slows_the_start(folder, tmp_path):
    (tmp_path / "cache").write_text("a file where the cache folder would be")
    assert next_start(folder) == next_start(folder)
    assert len(next_start(folder)) == 2


def test_the_cache_of_another_folder_is_not_used(folder, tmp_path):
    next_start(folder)
    other = tmp_path / "other"
    other.mkdir()
    (other / FIRST).write_bytes((LESSONS / SECOND).read_bytes())  # same name, other lesson
    assert list(next_start(other)) == ["three-way-handshake"]
