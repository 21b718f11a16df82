"""What the lesson picker needs, read fast: each lesson's id, number, level, titles.

The full lesson (pydantic models, the engine run) costs a few hundred
milliseconds to import and build; the picker should be on screen before that.
So the app lists lessons from this catalog, read with tomllib alone, and loads
the full lessons in the background (``loader.load_all``), which also reports
any problem with them.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path


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

    Whatever is wrong with a file is reported by the full load, not here.
    """
    infos = []
    for path in sorted(folder.glob("*.toml")) if folder.is_dir() else []:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
            steps = data.get("steps", [])
            infos.append(
                LessonInfo(
                    id=str(data["id"]),
                    number=int(data.get("number", 0)),
                    level=str(data.get("level", "basic")),
                    title=_text(data.get("title")),
                    summary=_text(data.get("summary")),
                    prerequisites=tuple(str(p) for p in data.get("prerequisites", [])),
                    questions=sum(
                        1 for s in steps if isinstance(s, dict) and s.get("kind") != "narrate"
                    ),
                    path=path,
                )
            )
        except (
            OSError,
            UnicodeDecodeError,
            tomllib.TOMLDecodeError,
            KeyError,
            TypeError,
            ValueError,
        ):
            continue
    infos.sort(key=lambda info: (info.number, info.id))
    return infos


def _text(value: object) -> dict[str, str]:
    if isinstance(value, dict):
        return {k: str(v) for k, v in value.items() if isinstance(v, str)}
    return {}
