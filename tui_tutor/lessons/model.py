"""The lesson file format (TOML), as pydantic models.

A lesson is a scenario (what happens on the wire, computed by the engine) plus
what the learner reads and answers along the way. Every seq, ack, flag and state
a question asks about comes from the engine; where an author also writes the
expected value down (``expect``), ``tui-tutor lessons check`` compares it with
the engine, so a lesson can never teach a wrong number.

Positions: segments are numbered from 1 in the order they are sent, as the
ladder shows them. A step sits ``before`` or ``after`` a segment, or at the
``start`` or the ``end`` of the lesson.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..scenarios import PeerName, ScenarioTable

FORMAT_VERSION = 1

StateName = Literal[
    "CLOSED",
    "LISTEN",
    "SYN_SENT",
    "SYN_RECEIVED",
    "ESTABLISHED",
    "FIN_WAIT_1",
    "FIN_WAIT_2",
    "CLOSE_WAIT",
    "CLOSING",
    "LAST_ACK",
    "TIME_WAIT",
]
FlagName = Literal["SYN", "ACK", "FIN", "RST", "PSH"]
Field_ = Literal["flags", "seq", "ack", "len", "client_state", "server_state"]
DEFAULT_ASK: tuple[Field_, ...] = ("flags", "seq", "ack", "client_state", "server_state")


class _Strict(BaseModel):
    model_config = ConfigDict(
        extra="forbid", strict=True, use_attribute_docstrings=True, frozen=True
    )


class Text(_Strict):
    """The same text in English and in Simplified Chinese."""

    en: str = Field(min_length=1)
    """English."""
    zh: str = Field(min_length=1)
    """Simplified Chinese (简体中文)."""

    @field_validator("en", "zh")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value

    def get(self, lang: str) -> str:
        return flowed(self.zh if lang == "zh" else self.en)


SENTENCE_ENDS = set('.:!?)。：！？）」”";；')


def flowed(text: str) -> str:
    """A lesson's text with the line breaks inside a sentence taken out: authors wrap their
    source lines, the screen wraps at its own width. A line that ends a sentence, a blank
    line and a list item ("- ", "• ") keep their break."""
    lines = text.split("\n")
    out = lines[0]
    for line in lines[1:]:
        before, after = out.split("\n")[-1].rstrip()[-1:], line.lstrip()[:1]
        starts_item = line.lstrip().startswith(("- ", "• ", "* "))
        if not before or not after or before in SENTENCE_ENDS or starts_item:
            out += "\n" + line
        elif before.isascii() or after.isascii():
            out = out.rstrip() + " " + line.lstrip()
        else:  # between two Chinese characters: no space
            out = out.rstrip() + line.lstrip()
    return out


class _Placed(_Strict):
    when: Literal["start", "before", "after", "end"] = "before"
    """Where the step appears: at the "start", "before" or "after" segment number `segment`,
    or at the "end" (after the last segment and every timer)."""
    segment: int | None = Field(default=None, ge=1)
    """The segment number (1 = the first segment sent), for "before" and "after"."""

    @model_validator(mode="after")
    def _segment_matches_when(self) -> _Placed:
        if self.when in ("before", "after") and self.segment is None:
            raise ValueError(f'"segment" is required when "when" is "{self.when}"')
        if self.when in ("start", "end") and self.segment is not None:
            raise ValueError(f'"segment" has no meaning when "when" is "{self.when}"')
        return self


class Narrate(_Placed):
    """Text for the learner to read at a point of the lesson."""

    kind: Literal["narrate"]
    """This step is narration."""
    text: Text
    """What the learner reads."""


class Mistake(_Strict):
    """A wrong answer that learners often give, with its own feedback."""

    field: Field_ | Literal["state"] = "state"
    """Which answer it is about: flags, seq, ack, len, client_state, server_state (or
    "state" in a predict_state question)."""
    answer: str = Field(min_length=1)
    """The wrong answer as a learner would type it: "x" or "y+1" for seq/ack, "ACK" or
    "SYN,ACK" for flags, a state name for states."""
    feedback: Text
    """Why it is wrong, said to the learner."""


class Expect(_Strict):
    """What the author expects; checked against the engine, never trusted."""

    flags: list[FlagName] | None = None
    """The flags, e.g. ["SYN", "ACK"] (PSH may be left out)."""
    seq: str | int | None = None
    """seq as an expression of the ISNs x (client) and y (server), e.g. "x+1", or as a
    number relative to the sender's ISN, e.g. 1."""
    ack: str | int | None = None
    """ack the same way, e.g. "y+1" or 1 (relative to the receiver's ISN)."""
    len: int | None = Field(default=None, ge=0)
    """Payload bytes."""
    client_state: StateName | None = None
    """The client's state right after the segment."""
    server_state: StateName | None = None
    """The server's state right after the segment."""


class _Question(_Strict):
    hint: Text
    """Shown when the learner presses h."""
    explain: Text
    """Shown after the answer: why it is right (the engine adds the RFC rule)."""
    id: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9-]*$")
    """Optional stable name, so progress survives edits that move questions around."""


class PredictSegment(_Question):
    """Before segment N appears: predict its flags, seq, ack and both peers' next states."""

    kind: Literal["predict_segment"]
    """This step asks for the next segment."""
    segment: int = Field(ge=1)
    """The segment to predict (1 = the first segment sent)."""
    ask: list[Field_] = Field(default=list(DEFAULT_ASK), min_length=1)
    """What the learner must predict (default: flags, seq, ack and both states)."""
    prompt: Text | None = None
    """What the question says; default: "Predict the next segment"."""
    expect: Expect | None = None
    """The author's expected answer, checked against the engine."""
    mistakes: list[Mistake] = []
    """Common wrong answers with their own feedback."""

    @field_validator("ask")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("lists a field twice")
        return value


class PredictState(_Question):
    """Predict one peer's state after segment N (or at the end of the lesson)."""

    kind: Literal["predict_state"]
    """This step asks for a peer's state."""
    peer: PeerName
    """Whose state."""
    when: Literal["after", "end"] = "after"
    """"after" segment `segment`, or at the "end" of the lesson."""
    segment: int | None = Field(default=None, ge=1)
    """The segment after which the state is asked (when "when" is "after")."""
    prompt: Text
    """What the question says."""
    expect: StateName | None = None
    """The author's expected state, checked against the engine."""
    mistakes: list[Mistake] = []
    """Common wrong answers with their own feedback."""

    @model_validator(mode="after")
    def _segment_matches_when(self) -> PredictState:
        if self.when == "after" and self.segment is None:
            raise ValueError('"segment" is required when "when" is "after"')
        if self.when == "end" and self.segment is not None:
            raise ValueError('"segment" has no meaning when "when" is "end"')
        return self


class Option(_Strict):
    """One answer of a multiple-choice question."""

    text: Text
    """The answer as shown."""
    correct: bool = False
    """Is this a right answer?"""
    feedback: Text | None = None
    """Said when the learner picks it (most useful on wrong answers)."""


class Choice(_Question, _Placed):
    """A multiple-choice question about a concept."""

    kind: Literal["choice"]
    """This step is a multiple-choice question."""
    prompt: Text
    """The question."""
    options: list[Option] = Field(min_length=2, max_length=6)
    """Two to six answers; at least one is correct."""

    @model_validator(mode="after")
    def _one_correct(self) -> Choice:
        if not any(o.correct for o in self.options):
            raise ValueError("no option is marked correct = true")
        return self


LessonStep = Annotated[
    Narrate | PredictSegment | PredictState | Choice, Field(discriminator="kind")
]
Question = PredictSegment | PredictState | Choice


class Lesson(_Strict):
    """One lesson: a scenario and the steps that teach it."""

    format_version: Literal[1]
    """The version of this file format; 1."""
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    """Unique name in lower case with dashes, e.g. "three-way-handshake"."""
    number: int = Field(ge=0)
    """Where the lesson comes in the curriculum (1, 2, ...)."""
    level: Literal["basic", "intermediate", "advanced", "review"]
    """How far along the learner should be."""
    title: Text
    """Short title."""
    summary: Text
    """One line: what the learner will see."""
    prerequisites: list[str] = []
    """Ids of lessons to take first."""
    numbers: Literal["symbolic", "relative", "absolute"] = "symbolic"
    """How seq and ack are shown when the lesson opens: "symbolic" writes them from the ISNs x
    (client) and y (server) as x+1, y+1; "relative" counts from 0 as Wireshark does;
    "absolute" shows the raw 32-bit numbers (for lessons about wrapping past 2**32). The
    learner switches with t."""
    scenario: ScenarioTable
    """What happens on the wire (the same tables as `tui-tutor simulate`)."""
    steps: list[LessonStep] = Field(min_length=1)
    """The narrative and the questions, in order."""

    @property
    def questions(self) -> list[tuple[int, Question]]:
        return [(i, s) for i, s in enumerate(self.steps) if not isinstance(s, Narrate)]

    @property
    def question_ids(self) -> dict[str, tuple[int, Question]]:
        """Each question by its id (``question_id``), in the lesson's order."""
        return {question_id(i, s): (i, s) for i, s in self.questions}


def question_id(index: int, step: LessonStep) -> str:
    """A question's id: its own ``id``, else "q" and its place among the steps (q1 is
    ``steps[1]``); progress and exams know questions by it."""
    return getattr(step, "id", None) or f"q{index}"
