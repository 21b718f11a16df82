"""Grade a learner's prediction against the engine's trace, and say why.

Nothing here knows the right answer by itself: the expected flags, seq, ack,
length and states are read from the run's ``SegmentRecord``s, and every
explanation is built from what the engine recorded (why the segment was sent,
which transition each peer took). The app shows the ``Grade``; the checker uses
the same reading of expressions to compare what authors wrote with the engine.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..engine import MODULUS, Flag, Role, SegmentRecord, State, StateChanged, Why, relative
from . import explain
from .expr import BadExpression, parse, symbolic
from .model import Choice, Mistake, PredictSegment, PredictState
from .timeline import Run

NUMBER_FIELDS = ("seq", "ack")
EMPTY = ("", "-", "none", "无", "null")


@dataclass(frozen=True)
class Numbers:
    """How sequence numbers are read and written in one run: x, y, relative or absolute."""

    x: int | None
    y: int | None
    symbolic: bool = True
    absolute: bool = False

    def base(self, field_name: str, sender: Role) -> int | None:
        """The ISN a number in ``field_name`` counts from: seq the sender's, ack the other's."""
        owner = sender if field_name == "seq" else sender.other
        return self.x if owner is Role.CLIENT else self.y

    def symbol(self, field_name: str, sender: Role) -> str:
        owner = sender if field_name == "seq" else sender.other
        return "x" if owner is Role.CLIENT else "y"

    def show(self, value: int | None, field_name: str, sender: Role) -> str:
        if value is None:
            return "-"
        if self.absolute:
            return str(value)
        base = self.base(field_name, sender)
        if base is None:
            return str(value)
        if self.symbolic:
            return symbolic(value, self.x, self.y, self.symbol(field_name, sender))
        return str(relative(value, base))

    def readings(self, text: str, field_name: str, sender: Role) -> set[int]:
        """The value the learner means, reading a plain number the way the screen shows them."""
        expr = parse(text)
        if not expr.symbol and not 0 <= expr.offset < MODULUS:
            raise BadExpression(
                f"{expr.offset} does not fit in 32 bits: sequence numbers go up to "
                f"{MODULUS - 1} and then wrap to 0 (so {MODULUS - 1} + 1 is 0)"
            )
        if not expr.symbol and self.absolute:
            return {expr.offset}  # absolute mode: a plain number is the raw number
        # relative and x/y modes: a plain number counts from the ISN, as the screen shows it
        return {expr.value(self.x, self.y, self.base(field_name, sender))}


@dataclass
class FieldGrade:
    field: str
    given: str
    expected: str
    correct: bool
    advice: list[str] = field(default_factory=list)  # about this wrong answer, shown at once
    explanation: list[str] = field(default_factory=list)  # why: shown once right or revealed

    @property
    def lines(self) -> list[str]:
        return [*self.advice, *self.explanation]


@dataclass
class Grade:
    fields: list[FieldGrade]

    @property
    def correct(self) -> bool:
        return all(f.correct for f in self.fields)

    def by_field(self) -> dict[str, FieldGrade]:
        return {f.field: f for f in self.fields}


def expected_flags(record: SegmentRecord) -> set[str]:
    return {f for f in record.flags if f != "PSH"}


def parse_flags(text: str | Iterable[str]) -> set[str]:
    """``"syn, ack"`` or ``{"SYN", "ACK"}`` -> ``{"SYN", "ACK"}`` (PSH ignored)."""
    if isinstance(text, str):
        text = unicodedata.normalize("NFKC", text)
        for sep in ("+", "、", " "):
            text = text.replace(sep, ",")
        text = text.split(",")
    names = {t.strip().upper() for t in text if t.strip()}
    unknown = names - {f.name for f in Flag}
    if unknown:
        raise BadExpression(f"unknown flag {', '.join(sorted(unknown))}")
    return names - {"PSH"}


# ------------------------------------------------------------------ segment questions


def grade_segment(
    run: Run,
    number: int,
    answers: dict[str, object],
    numbers: Numbers,
    lang: str = "en",
    question: PredictSegment | None = None,
    ask: Iterable[str] | None = None,
) -> Grade:
    """Grade the fields of ``answers`` for segment ``number`` (1-based)."""
    record = run.record(number)
    mistakes = question.mistakes if question else []
    wanted = list(ask or (question.ask if question else answers.keys()))
    grades = []
    for name in wanted:
        given = answers.get(name, "")
        if name == "flags":
            grades.append(_grade_flags(run, number, given, lang, mistakes))
        elif name in NUMBER_FIELDS:
            grades.append(_grade_number(run, number, name, str(given), numbers, lang, mistakes))
        elif name == "len":
            grades.append(_grade_len(record, str(given), lang, mistakes))
        else:
            peer = Role.CLIENT if name == "client_state" else Role.SERVER
            grades.append(_grade_state(run, number, peer, str(given), lang, mistakes, name))
    return Grade(grades)


def _grade_flags(
    run: Run, number: int, given: object, lang: str, mistakes: list[Mistake] = ()
) -> FieldGrade:  # type: ignore[assignment]
    record = run.record(number)
    want = expected_flags(record)
    shown = ",".join(f for f in record.flags if f != "PSH")
    try:
        got = parse_flags(given if isinstance(given, str | list | set | tuple) else "")
    except BadExpression as err:
        return FieldGrade(
            "flags", str(given), shown, False, [str(err)], [explain.why(run.why[number - 1], lang)]
        )
    got_text = ",".join(f.name for f in Flag if f.name in got) or "-"
    lines: list[str] = []
    if got != want:
        for m in mistakes:
            try:
                if m.field == "flags" and parse_flags(m.answer) == got:
                    lines.append(m.feedback.get(lang))
            except BadExpression:
                continue
        if want - got:
            lines.append(
                explain.phrase("m_flags_missing", lang, flags=",".join(sorted(want - got)))
            )
        if got - want:
            lines.append(explain.phrase("m_flags_extra", lang, flags=",".join(sorted(got - want))))
        if "ACK" in got - want and run.why[number - 1] is Why.SYN:
            lines.append(explain.phrase("m_no_ack_flag_on_syn", lang))
        elif "ACK" in want - got and "SYN" not in want:
            lines.append(explain.phrase("m_ack_always", lang))
    return FieldGrade(
        "flags", got_text, shown, got == want, lines, [explain.why(run.why[number - 1], lang)]
    )


def _grade_number(
    run: Run,
    number: int,
    name: str,
    given: str,
    numbers: Numbers,
    lang: str,
    mistakes: list[Mistake],
) -> FieldGrade:
    record = run.record(number)
    want = record.seq if name == "seq" else record.ack
    shown = numbers.show(want, name, record.sender)
    why = _explain_number(run, number, name, numbers, lang)
    if want is None:
        ok = given.strip().lower() in EMPTY
        lines = [] if ok else [explain.phrase("m_ack_without_flag", lang)]
        return FieldGrade(name, given, shown, ok, lines, [why])
    if given.strip().lower() in EMPTY:
        key = "m_ack_missing" if name == "ack" else "m_seq_missing"
        return FieldGrade(name, given, shown, False, [explain.phrase(key, lang)], [why])
    try:
        values = numbers.readings(given, name, record.sender)
    except BadExpression as err:
        return FieldGrade(name, given, shown, False, [str(err)], [why])
    if want in values:
        return FieldGrade(name, given, shown, True, [], [why])
    lines = _number_mistakes(run, number, name, given, values, numbers, lang, mistakes)
    return FieldGrade(name, given, shown, False, lines, [why])


def _number_mistakes(
    run: Run,
    number: int,
    name: str,
    given: str,
    values: set[int],
    numbers: Numbers,
    lang: str,
    mistakes: list[Mistake],
) -> list[str]:
    record = run.record(number)
    want = record.seq if name == "seq" else record.ack
    assert want is not None
    for m in mistakes:
        if m.field == name:
            try:
                if numbers.readings(m.answer, name, record.sender) & values:
                    return [m.feedback.get(lang)]
            except BadExpression:
                continue
    lines = []
    if name == "ack":
        acked = _acknowledged(run, number)
        if (
            acked is not None
            and (want - 1) % MODULUS in values
            and ("SYN" in acked.flags or "FIN" in acked.flags)
        ):
            what = "SYN" if "SYN" in acked.flags else "FIN"
            lines.append(explain.phrase("m_forgot_one", lang, what=what))
        elif acked is not None and acked.length and (want - acked.length) % MODULUS in values:
            lines.append(explain.phrase("m_forgot_len", lang, len=acked.length))
    other = record.ack if name == "seq" else record.seq
    if other is not None and other in values and not lines:
        lines.append(explain.phrase("m_swapped", lang))
    expr = parse(given)
    right_symbol = numbers.symbol(name, record.sender)
    if expr.symbol and expr.symbol != right_symbol and not lines:
        whose = explain.phrase("sender" if name == "seq" else "receiver", lang)
        lines.append(explain.phrase("m_wrong_isn", lang, field=name, whose=whose, sym=right_symbol))
    return lines


def _explain_number(run: Run, number: int, name: str, numbers: Numbers, lang: str) -> str:
    record = run.record(number)
    why = run.why[number - 1]
    if name == "seq":
        shown = numbers.show(record.seq, "seq", record.sender)
        if record.retransmission:
            original = original_segment(run, number)
            return explain.phrase("seq_same", lang, v=shown, n=original)
        if (
            why is Why.RST_REFUSED
            and record.seq == 0
            and numbers.base("seq", record.sender) is None
        ):
            return explain.phrase("seq_zero", lang)
        if why is Why.RST_BAD_ACK:
            return explain.phrase("seq_of_ack", lang, v=shown)
        if "SYN" in record.flags:
            return explain.phrase("seq_isn", lang, v=shown)
        return explain.phrase("seq_next", lang, v=shown, used=_used(run, number, lang))
    if record.ack is None:
        return explain.phrase("ack_none", lang)
    shown = numbers.show(record.ack, "ack", record.sender)
    acked = _acknowledged(run, number)
    if acked is None:
        what = explain.phrase("ack_same", lang)
    elif "SYN" in acked.flags:
        what = explain.phrase("ack_of_syn", lang)
    elif "FIN" in acked.flags:
        what = explain.phrase("ack_of_fin", lang)
    elif acked.length:
        what = explain.phrase("ack_of_data", lang, len=acked.length)
    else:
        what = explain.phrase("ack_same", lang)
    return explain.phrase("ack_next", lang, v=shown, what=what)


def _seg_end(record: SegmentRecord) -> int:
    return (record.seq + record.length + ("SYN" in record.flags) + ("FIN" in record.flags)) % (
        MODULUS
    )


def _acknowledged(run: Run, number: int) -> SegmentRecord | None:
    """The last segment from the other side whose end this segment's ack points at."""
    record = run.record(number)
    for earlier in reversed(run.records[: number - 1]):
        if (
            earlier.sender is not record.sender
            and not earlier.lost
            and (_seg_end(earlier) == record.ack and _seg_end(earlier) != earlier.seq)
        ):
            return earlier
    return None


def original_segment(run: Run, number: int) -> int:
    """The first segment whose numbers this retransmission repeats (not a pure ACK)."""
    record = run.record(number)
    for n, earlier in enumerate(run.records[: number - 1], 1):
        if (
            earlier.sender is record.sender
            and earlier.seq == record.seq
            and earlier.length == record.length
            and _seg_end(earlier) != earlier.seq
            and (expected_flags(earlier) - {"ACK"} == expected_flags(record) - {"ACK"})
        ):
            return n
    return number


def _used(run: Run, number: int, lang: str) -> str:
    """What the sender's previous segments used up, to explain SND.NXT."""
    record = run.record(number)
    for n, earlier in reversed(list(enumerate(run.records[: number - 1], 1))):
        if (
            earlier.sender is record.sender
            and _seg_end(earlier) == record.seq
            and (_seg_end(earlier) != earlier.seq)
        ):
            if "SYN" in earlier.flags:
                return explain.phrase("used_syn", lang)
            if "FIN" in earlier.flags:
                return explain.phrase("used_fin", lang)
            return explain.phrase("used_data", lang, n=n, len=earlier.length)
    return explain.phrase("used_none", lang)


def _grade_len(
    record: SegmentRecord, given: str, lang: str, mistakes: list[Mistake] = ()
) -> FieldGrade:  # type: ignore[assignment]
    what = explain.phrase("len_data" if record.length else "len_none", lang)
    line = explain.phrase("len_is", lang, v=record.length, what=what)
    text = unicodedata.normalize("NFKC", given).strip() or "0"
    ok = text.isdigit() and int(text) == record.length
    advice = (
        []
        if ok
        else [
            m.feedback.get(lang) for m in mistakes if m.field == "len" and m.answer.strip() == text
        ]
    )
    return FieldGrade("len", given, str(record.length), ok, advice, [line])


# ------------------------------------------------------------------ states


def state_changes(run: Run, number: int, peer: Role) -> list[StateChanged]:
    """The state changes of ``peer`` that come with segment ``number``."""
    start = run.frame_end[number - 2] if number > 1 else run.setup_end
    end = run.frame_end[number - 1]
    return [
        ev for ev in run.trace.events[start:end] if isinstance(ev, StateChanged) and ev.peer is peer
    ]


def explain_state(
    changes: list[StateChanged], peer: Role, state: State, lang: str, at_end: bool = False
) -> list[str]:
    name = explain.phrase(peer.value, lang)
    if not changes:
        key = "state_stays_end" if at_end else "state_stays"
        return [explain.phrase(key, lang, peer=name, state=state.value)]
    return [
        explain.phrase(
            "state_moves",
            lang,
            peer=name,
            old=ev.old.value,
            new=ev.new.value,
            reason=explain.transition_reason(ev.transition, lang),
            rule=ev.transition.rule,
        )
        for ev in changes
    ]


def _grade_state(
    run: Run,
    number: int,
    peer: Role,
    given: str,
    lang: str,
    mistakes: list[Mistake],
    field_name: str,
) -> FieldGrade:
    record = run.record(number)
    want = record.client_state if peer is Role.CLIENT else record.server_state
    lines = explain_state(state_changes(run, number, peer), peer, want, lang)
    return _compare_state(field_name, given, want, lines, lang, mistakes)


def _compare_state(
    field_name: str, given: str, want: State, lines: list[str], lang: str, mistakes: list[Mistake]
) -> FieldGrade:
    text = normalize_state(given)
    ok = text == want.value
    extra = []
    if not ok:
        for m in mistakes:
            if m.field in (field_name, "state") and normalize_state(m.answer) == text:
                extra.append(m.feedback.get(lang))
    return FieldGrade(field_name, given, want.value, ok, extra, lines)


def normalize_state(text: str) -> str:
    """``syn-received``, ``SYN_RCVD`` and ``Syn Received`` all name SYN_RECEIVED."""
    name = text.strip().upper().replace("-", "_").replace(" ", "_")
    aliases = {
        "SYN_RCVD": "SYN_RECEIVED",
        "SYN_RECV": "SYN_RECEIVED",
        "FIN_WAIT1": "FIN_WAIT_1",
        "FIN_WAIT2": "FIN_WAIT_2",
        "ESTAB": "ESTABLISHED",
        "TIME_WAIT_": "TIME_WAIT",
    }
    return aliases.get(name, name)


def grade_state_question(run: Run, q: PredictState, given: str, lang: str = "en") -> Grade:
    peer = Role.CLIENT if q.peer == "client" else Role.SERVER
    want = expected_state(run, q)
    if q.when == "end":
        start = run.frame_end[-1] if run.frame_end else 0
        changes = [
            ev
            for ev in run.trace.events[start:]
            if isinstance(ev, StateChanged) and ev.peer is peer
        ]
    else:
        assert q.segment is not None
        changes = state_changes(run, q.segment, peer)
    lines = explain_state(changes, peer, want, lang, at_end=q.when == "end")
    return Grade([_compare_state("state", given, want, lines, lang, q.mistakes)])


def expected_state(run: Run, q: PredictState) -> State:
    peer = Role.CLIENT if q.peer == "client" else Role.SERVER
    if q.when == "end":
        return run.end_states[peer]
    assert q.segment is not None
    record = run.record(q.segment)
    return record.client_state if peer is Role.CLIENT else record.server_state


# ------------------------------------------------------------------ multiple choice


def grade_choice(q: Choice, picked: set[int], lang: str = "en") -> Grade:
    """``picked``: 0-based option numbers. Right when exactly the correct ones are picked."""
    correct = {i for i, o in enumerate(q.options) if o.correct}
    lines = [
        q.options[i].feedback.get(lang)
        for i in sorted(picked)
        if 0 <= i < len(q.options) and q.options[i].feedback is not None
    ]
    letters = ",".join(str(i + 1) for i in sorted(correct))
    given = ",".join(str(i + 1) for i in sorted(picked))
    return Grade([FieldGrade("choice", given, letters, picked == correct, lines, [])])
