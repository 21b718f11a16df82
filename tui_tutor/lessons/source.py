"""What the lesson screen plays: a lesson file or a real capture, as something that yields a Run.

Textual-free so that the screens that start a lesson, show its results or open a capture
all import it from here rather than from one another.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..engine import Role
from .model import Lesson
from .segments import undecided_fin_arrivals
from .timeline import Run, build_timeline, play

if TYPE_CHECKING:
    from ..captures import CapturedConnection

CAPTURE_KEY = "capture:"  # progress ids of captures start with it


@dataclass
class LessonSource:
    """What the screen plays: a lesson file, a capture, anything that yields a Run."""

    key: str  # progress id
    titles: dict[str, str]  # by language
    make_run: Callable[[dict[Role, int] | None], Run]
    lesson: Lesson | None = None
    numbers: str = "symbolic"  # "symbolic", "relative" or "absolute" at the start
    fixed_isns: bool = False  # a capture's numbers are what they are
    # what relative numbers count from, where that is not the ISN (a capture caught midway)
    bases: dict[Role, int] | None = None

    def title(self, lang: str) -> str:
        return self.titles.get(lang) or self.titles.get("en", "")

    @property
    def is_capture(self) -> bool:
        return self.key.startswith(CAPTURE_KEY)


def lesson_source(lesson: Lesson, rng: random.Random | None = None) -> LessonSource:
    """A lesson file, played with fresh ISNs from ``rng`` each time."""
    rng = rng or random.Random()

    def make_run(isns: dict[Role, int] | None) -> Run:
        return play(lesson, rng=rng, isns=isns)

    return LessonSource(
        key=lesson.id,
        titles={
            "en": f"{lesson.number} {lesson.title.en}",
            "zh": f"{lesson.number} {lesson.title.zh}",
        },
        make_run=make_run,
        lesson=lesson,
        numbers=lesson.numbers,
    )


def capture_source(conn: CapturedConnection, path: Path) -> LessonSource:
    """A captured connection: a prediction asked before every segment but the quirky ones,
    which are shown with a plain note instead."""
    from ..captures.replay import capture_trace

    trace, quirky = capture_trace(conn)

    def make_run(_isns: object) -> Run:
        run = build_timeline(None, trace, ask_before=set(range(1, len(conn.steps) + 1)) - quirky)
        run.notes = {n: "; ".join(str(q) for q in conn.steps[n - 1].quirks) for n in quirky}
        run.undecided = undecided_fin_arrivals(run)  # a lost FIN or a lost ACK of it
        return run

    # the ports tell the connections of one file apart, and fit the header at 80 columns
    ports = f":{conn.client.rpartition(':')[2]} → :{conn.server.rpartition(':')[2]}"
    title = f"{path.name} #{conn.number} {ports}"
    return LessonSource(
        key=f"{CAPTURE_KEY}{path.name}#{conn.number}",
        titles={"en": title, "zh": title},
        make_run=make_run,
        numbers="relative",
        fixed_isns=True,
        bases={r: v for r, v in conn.isns.items() if v is not None},
    )
