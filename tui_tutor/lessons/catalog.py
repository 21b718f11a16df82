"""What the lesson picker needs, read fast: each lesson's id, number, level, titles.

The full lesson (pydantic models, the engine run) costs a few hundred
milliseconds to import and build; the picker should be on screen before that.
So the app lists lessons from this catalog, read with tomllib alone, and loads
the full lessons in the background (``loader.load_all``), which also reports
any problem with them.

Reading even that much of 31 files (and importing tomllib) is a tenth of the tutor's
start, so what was read is kept in the user's cache folder (``catalog.json``, for the
last lesson folder read), each file's entry valid while ``stat`` says the same of it.
A cache that cannot be read or written is only a slower start.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..inputs import TOML_LIMIT, InputError, read_limited

CACHE_FORMAT = 1


@dataclass(frozen=True)
class LessonInfo:
    id: str
    number: int
    level: str
    title: dict[str, str]
    summary: dict[str, str]
    prerequisites: tuple[str, ...]
    questions: int
    path: Path

    def text(self, field: dict[str, str], lang: str) -> str:
        return field.get(lang) or field.get("en") or self.id


def read_catalog(folder: Path) -> list[LessonInfo]:
    """Every lesson file in ``folder`` that has the basic keys; the rest are left out.

    Whatever is wrong with a file is reported by the full load, not here. Of two files
    with one id, the first (by file name) is kept, as the full load keeps it.
    """
    return scan_catalog(folder)[0]


def find(infos: list[LessonInfo], name: str) -> LessonInfo | None:
    """The lesson a learner names by its id or by the number `lessons list` shows ("2", "02")."""
    for info in infos:
        if info.id == name or (name.isdigit() and info.number == int(name)):
            return info
    return None


def scan_catalog(folder: Path) -> tuple[list[LessonInfo], list[str]]:
    """The catalog, and a line for each file whose id an earlier file already has."""
    infos: dict[str, LessonInfo] = {}
    problems: list[str] = []
    for info in catalog_entries(folder):
        first = infos.setdefault(info.id, info)
        if first is not info:
            problems.append(duplicate_id(str(info.path), info.id, str(first.path)))
    return sorted(infos.values(), key=lambda info: (info.number, info.id)), problems


def catalog_entries(folder: Path) -> Iterator[LessonInfo]:
    """Each ``*.toml`` file of ``folder`` that reads as a lesson, by file name, ids not checked."""
    paths = sorted(folder.glob("*.toml")) if folder.is_dir() else []
    if paths and folder not in _cache_read:
        _cache_read.add(folder)
        _seen.update(_read_cache(folder))
    parsed = False
    for path in paths:
        # (tomllib's TOMLDecodeError is a ValueError: tomllib is imported only to parse)
        try:
            info, fresh = _cached_info(path)
        except (
            OSError,
            InputError,
            UnicodeDecodeError,
            RecursionError,
            KeyError,
            TypeError,
            ValueError,
        ):
            continue
        parsed = parsed or fresh
        yield info
    if parsed:
        _write_cache(folder, paths)


# path -> (what stat said, its info): the command line checks the catalog before the app
# reads it, and a server reads it for every session; an unchanged file is not parsed again
_seen: dict[Path, tuple[tuple[int, ...], LessonInfo]] = {}
_cache_read: set[Path] = set()  # folders whose cache file this process has read


def _stamp(path: Path) -> tuple[int, ...]:
    st = path.stat()
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_mode)


def _cached_info(path: Path) -> tuple[LessonInfo, bool]:
    """The file's info, and whether it was parsed now (not found unchanged)."""
    stamp = _stamp(path)
    seen = _seen.get(path)
    if seen is not None and seen[0] == stamp:
        return seen[1], False
    info = _info(path)
    _seen[path] = (stamp, info)
    return info, True


def _cache_file() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("tui-tutor", appauthor=False)) / "catalog.json"


def _code_stamp() -> list[int]:
    """This module's own file: a catalog read by other code is not trusted."""
    st = os.stat(__file__)
    return [CACHE_FORMAT, st.st_size, st.st_mtime_ns]


def _read_cache(folder: Path) -> dict[Path, tuple[tuple[int, ...], LessonInfo]]:
    """What the cache file holds for ``folder``; nothing if it holds anything unexpected."""
    import json

    try:
        data = json.loads(_cache_file().read_bytes())
        if data["code"] != _code_stamp() or data["folder"] != str(folder):
            return {}
        return {
            folder / name: (
                tuple(int(n) for n in stamp),
                LessonInfo(
                    id=str(e["id"]),
                    number=int(e["number"]),
                    level=str(e["level"]),
                    title={str(k): str(v) for k, v in e["title"].items()},
                    summary={str(k): str(v) for k, v in e["summary"].items()},
                    prerequisites=tuple(str(p) for p in e["prerequisites"]),
                    questions=int(e["questions"]),
                    path=folder / name,
                ),
            )
            for name, (stamp, e) in data["files"].items()
            if "/" not in name and name.endswith(".toml")
        }
    except (OSError, RecursionError, AttributeError, KeyError, TypeError, ValueError):
        return {}


def _write_cache(folder: Path, paths: list[Path]) -> None:
    """Keep what is known of ``folder``'s lessons for the next start (atomically: another
    process may be reading it)."""
    import json

    files = {}
    for path in paths:
        if path in _seen:
            stamp, info = _seen[path]
            entry = {
                "id": info.id,
                "number": info.number,
                "level": info.level,
                "title": info.title,
                "summary": info.summary,
                "prerequisites": list(info.prerequisites),
                "questions": info.questions,
            }
            files[path.name] = [list(stamp), entry]
    data = {"code": _code_stamp(), "folder": str(folder), "files": files}
    target = _cache_file()
    part = target.with_name(f"{target.name}.{os.getpid()}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        part.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(part, target)
    except OSError:
        with contextlib.suppress(OSError):
            part.unlink(missing_ok=True)


def duplicate_id(label: str, lesson_id: str, first_label: str) -> str:
    """The one line that names both files of an id used twice."""
    return f'{label}: id: "{lesson_id}" is also the id of {first_label}; give one a new id'


# The picker needs only what comes before the scenario; parsing that part alone is
# several times faster than the whole file (pure-Python TOML, long Chinese strings).
_BODY = re.compile(r"^\[(?:\[)?(?:scenario|steps)\b", re.MULTILINE)
_QUESTION = re.compile(r'^kind\s*=\s*"(?:predict_segment|predict_state|choice)"', re.MULTILINE)


def _info(path: Path) -> LessonInfo:
    import tomllib

    text = read_limited(path, TOML_LIMIT).decode("utf-8")
    body = _BODY.search(text)
    head = tomllib.loads(text[: body.start()]) if body else {}
    if "id" in head and "title" in head:
        data, questions = head, len(_QUESTION.findall(text))
    else:  # keys in another order: read it all
        data = tomllib.loads(text)
        questions = sum(
            1 for s in data.get("steps", []) if isinstance(s, dict) and s.get("kind") != "narrate"
        )
    return LessonInfo(
        id=str(data["id"]),
        number=int(data.get("number", 0)),
        level=str(data.get("level", "basic")),
        title=_text(data.get("title")),
        summary=_text(data.get("summary")),
        prerequisites=tuple(str(p) for p in data.get("prerequisites", [])),
        questions=questions,
        path=path,
    )


def _text(value: object) -> dict[str, str]:
    if isinstance(value, dict):
        return {k: str(v) for k, v in value.items() if isinstance(v, str)}
    return {}
