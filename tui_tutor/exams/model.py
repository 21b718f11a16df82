"""The exam file format (TOML), as pydantic models.

An exam picks questions from lessons (all of a lesson's, or some by id as
``tui-tutor lessons questions`` lists them), gives a time limit and, if it likes,
the times it opens and closes. What every exam does, whatever the file says: each
learner gets ISNs of their own (where the lesson leaves them to chance), no hint and
no reveal, one answer per question, the clock kept by the server.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..lessons.model import Text
from ..validation import FieldError

MAX_MINUTES = 24 * 60
ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(
        extra="forbid", strict=True, use_attribute_docstrings=True, frozen=True
    )


class Part(_Strict):
    """Questions of one lesson."""

    lesson: str = Field(pattern=ID_PATTERN)
    """The lesson's id, e.g. "three-way-handshake" (`tui-tutor lessons list`)."""
    questions: list[str] | None = Field(default=None, min_length=1)
    """Question ids, e.g. ["q1", "q3"] (`tui-tutor lessons questions LESSON`); left out:
    every question of the lesson. They are asked in the lesson's order."""


class Exam(_Strict):
    """One exam: questions from lessons, a time limit, and when it may be taken."""

    format_version: Literal[1]
    """The version of this file format; 1."""
    kind: Literal["exam"]
    """"exam": what tells an exam file from a lesson file."""
    name: str = Field(pattern=ID_PATTERN)
    """The exam's name in lower case with dashes, e.g. "midterm-2025"; the report asks for
    it (`tui-tutor report --exam midterm-2025`)."""
    title: Text
    """What learners see at the top."""
    time_limit: float = Field(gt=0, le=MAX_MINUTES)
    """Minutes each learner has from the moment they start."""
    opens: datetime | None = None
    """When learners may start, e.g. 2025-03-01T09:00:00+08:00 (without an offset: this
    machine's time zone). Left out: at once."""
    closes: datetime | None = None
    """When every attempt ends, started or not. Left out: never (only the time limit)."""
    show_score: bool = False
    """Whether learners see their score when they finish."""
    parts: list[Part] = Field(min_length=1, max_length=100)
    """The lessons and their questions, in the order they are asked."""

    @model_validator(mode="after")
    def _consistent(self) -> Exam:
        opens, closes = self.opens_at, self.closes_at
        if opens is not None and closes is not None and closes <= opens:
            raise FieldError(("closes",), "must be later than opens")
        seen: dict[str, int] = {}
        for index, part in enumerate(self.parts):
            first = seen.setdefault(part.lesson, index)
            if first != index:
                raise FieldError(
                    ("parts", index, "lesson"),
                    f'"{part.lesson}" is already parts[{first}]: list all its questions there',
                )
            if part.questions is not None:
                for k, question in enumerate(part.questions):
                    if question in part.questions[:k]:
                        raise FieldError(
                            ("parts", index, "questions", k), f'"{question}" is listed twice'
                        )
        return self

    @property
    def opens_at(self) -> float | None:
        return self.opens.timestamp() if self.opens is not None else None

    @property
    def closes_at(self) -> float | None:
        return self.closes.timestamp() if self.closes is not None else None


def exam_schema() -> dict:
    schema = Exam.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "tui-tutor exam"
    return schema
