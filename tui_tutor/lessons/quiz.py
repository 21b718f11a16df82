"""Grade a learner's prediction against the engine's trace, and say why.

Nothing here knows the right answer by itself: the expected flags, seq, ack,
length and states are read from the run's ``SegmentRecord``s, and every
explanation is built from what the engine recorded (why the segment was sent,
which transition each peer took). A wrong field gets advice at once: the lesson
author's own line for that answer if there is one, otherwise what the
misconception rules (``misconceptions.py``) recognise, otherwise the field's rule
said again; never a bare "wrong". The app shows the ``Grade``; ``tui-tutor
lessons grade`` prints it; the checker uses the same reading of expressions to
compare what authors wrote with the engine.

Every function takes the learner's language: grading the same answers again in
the other language gives the same marks with every line translated.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from ..engine import (
    MODULUS,
    Flag,
    Role,
    SegmentRecord,
    State,
    StateChanged,
    TimerFired,
    Why,
    flags_label,
    isn_owner,
    relative,
)
from . import explain, misconceptions, segments
from .expr import BadExpression, parse, symbolic
from .model import DEFAULT_ASK, Choice, Mistake, PredictSegment, PredictState, Question
from .timeline import Run

NUMBER_FIELDS = ("seq", "ack")
EMPTY = ("", "-", "none", "无", "null")
AUTHOR = "author"  # the rule id of a lesson author's own line for a wrong answer


@dataclass(frozen=True)
class Numbers:
    """How sequence numbers are read and written in one run: x, y, relative or absolute."""

    x: int | None
    y: int | None
    symbolic: bool = True
    absolute: bool = False

    def base(self, field_name: str, sender: Role) -> int | None:
        """The ISN a number in ``field_name`` counts from: seq the sender's, ack the other's."""
        return self.x if isn_owner(field_name, sender) is Role.CLIENT else self.y

    def symbol(self, field_name: str, sender: Role) -> str:
        return "x" if isn_owner(field_name, sender) is Role.CLIENT else "y"

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
            raise BadExpression("e_32_bits", n=expr.offset, top=MODULUS - 1)
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
    # dataclasses.field: the name field is taken by the field above
    advice: list[str] = dataclasses.field(default_factory=list)  # shown at once when wrong
    explanation: list[str] = dataclasses.field(default_factory=list)  # why: once right or revealed
    mistakes: list[str] = dataclasses.field(default_factory=list)  # the rules behind the advice
    readable: bool = True  # False: empty or unreadable, so not an attempt at an answer

    @property
    def lines(self) -> list[str]:
        return [*self.advice, *self.explanation]


@dataclass
class Grade:
    fields: list[FieldGrade]

    @property
    def correct(self) -> bool:
        return all(f.correct for f in self.fields)

    @property
    def readable(self) -> bool:
        """Every asked field could be read: the submission is an attempt."""
        return all(f.readable for f in self.fields)

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
        raise BadExpression("e_unknown_flag", flags=", ".join(sorted(unknown))[:40])
    return names - {"PSH"}


def _authored(mistakes: Iterable[Mistake], names: tuple[str, ...], same, lang: str) -> list[str]:
    """The author's feedback for the answers ``same`` says match, on fields ``names``."""
    lines = []
    for m in mistakes:
        if m.field not in names:
            continue
        try:
            if same(m.answer):
                lines.append(m.feedback.get(lang))
        except BadExpression:
            continue
    return lines


def _found(findings: list[misconceptions.Finding]) -> tuple[list[str], list[str]]:
    return [f.text for f in findings], [f.rule for f in findings]


# ------------------------------------------------------------------ one question


def grade_question(
    run: Run,
    step: Question | None,
    values: dict[str, object],
    numbers: Numbers,
    lang: str = "en",
    segment: int | None = None,
) -> Grade:
    """Grade what the learner entered for a question, as the app and ``lessons grade`` do.

    ``values``: "flags" (a set or "SYN,ACK"), "seq", "ack", "len", "client_state",
    "server_state" for a segment; "state" for a state question; "choice" (0-based option
    numbers) for a choice. ``step`` None: a prediction with no lesson step (a capture),
    segment ``segment``, every field asked.
    """
    if isinstance(step, PredictState):
        return grade_state_question(run, step, str(values.get("state", "")), lang)
    if isinstance(step, Choice):
        picked = values.get("choice", set())
        return grade_choice(step, set(picked) if isinstance(picked, Iterable) else set(), lang)
    if step is None:
        assert segment is not None
        return grade_segment(run, segment, values, numbers, lang, None, list(DEFAULT_ASK))
    return grade_segment(run, step.segment, values, numbers, lang, step)


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
            grades.append(_grade_len(run, number, str(given), lang, mistakes))
        else:
            peer = Role.CLIENT if name == "client_state" else Role.SERVER
            grades.append(_grade_state(run, number, peer, str(given), lang, mistakes, name))
    return Grade(grades)


def why_text(run: Run, number: int, lang: str) -> str:
    """Why segment ``number`` was sent, said as the case is (an ACK of a FIN has three)."""
    why = run.why[number - 1]
    if why is not Why.ACK_OF_FIN:
        return explain.why(why, lang)
    if not _sent_fin(run, number):
        case = "own_fin_later"
    else:
        fin = segments.acknowledged(run, number)
        case = "again" if fin is not None and fin.retransmission else "own_fin_sent"
    return explain.why_ack_of_fin(case, lang)


def _sent_fin(run: Run, number: int) -> bool:
    sender = run.record(number).sender
    return any(r.sender is sender and "FIN" in r.flags for r in run.records[: number - 1])


def _grade_flags(
    run: Run, number: int, given: object, lang: str, mistakes: list[Mistake]
) -> FieldGrade:
    record = run.record(number)
    want = expected_flags(record)
    shown = ",".join(f for f in record.flags if f != "PSH")
    why = why_text(run, number, lang)
    try:
        got = parse_flags(given if isinstance(given, str | list | set | tuple) else "")
    except BadExpression as err:
        return FieldGrade(
            "flags", str(given), shown, False, [err.text(lang)], [why], readable=False
        )
    got_text = flags_label(Flag.parse(sorted(got)))
    if got == want:
        return FieldGrade("flags", got_text, shown, True, [], [why])
    lines: list[str] = []
    if want - got:
        lines.append(explain.phrase("m_flags_missing", lang, flags=_flag_list(want - got)))
    if got - want:
        lines.append(explain.phrase("m_flags_extra", lang, flags=_flag_list(got - want)))
    authored = _authored(mistakes, ("flags",), lambda a: parse_flags(a) == got, lang)
    if authored:
        return FieldGrade("flags", got_text, shown, False, [*lines, *authored], [why], [AUTHOR])
    answer = misconceptions.FlagsAnswer(run, number, frozenset(got), frozenset(want))
    advice, rules = _found(misconceptions.diagnose_flags(answer, lang))
    return FieldGrade("flags", got_text, shown, False, [*lines, *advice], [why], rules)


def _flag_list(names: set[str]) -> str:
    order = [f.name for f in Flag]
    return ",".join(sorted(names, key=order.index))


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
    empty = given.strip().lower() in EMPTY
    if want is None:
        if empty:
            return FieldGrade(name, given, shown, True, [], [why])
        line = explain.phrase("m_ack_without_flag", lang)
        return FieldGrade(name, given, shown, False, [line], [why], ["ack_without_flag"])
    if empty:
        key = "m_ack_missing" if name == "ack" else "m_seq_missing"
        return FieldGrade(name, given, shown, False, [explain.phrase(key, lang)], [why], [], False)
    try:
        values = numbers.readings(given, name, record.sender)
    except BadExpression as err:
        return FieldGrade(name, given, shown, False, [err.text(lang)], [why], [], False)
    if want in values:
        return FieldGrade(name, given, shown, True, [], [why])
    authored = _authored(
        mistakes, (name,), lambda a: bool(numbers.readings(a, name, record.sender) & values), lang
    )
    if authored:
        return FieldGrade(name, given, shown, False, authored[:1], [why], [AUTHOR])
    answer = misconceptions.NumberAnswer(
        run, number, name, given, frozenset(values), numbers.x, numbers.y, numbers.absolute
    )
    advice, rules = _found(misconceptions.diagnose_number(answer, lang))
    return FieldGrade(name, given, shown, False, advice, [why], rules)


def _explain_number(run: Run, number: int, name: str, numbers: Numbers, lang: str) -> str:
    record = run.record(number)
    why = run.why[number - 1]
    if name == "seq":
        shown = numbers.show(record.seq, "seq", record.sender)
        if record.retransmission:
            return explain.phrase("seq_same", lang, v=shown, n=segments.original(run, number))
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
    acked = segments.acknowledged(run, number)
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


def _used(run: Run, number: int, lang: str) -> str:
    """What the sender's previous segments used up, to explain SND.NXT."""
    before = segments.used_by(run, number)
    if before is None:
        return explain.phrase("used_none", lang)
    earlier = run.record(before)
    if "SYN" in earlier.flags:
        return explain.phrase("used_syn", lang)
    if "FIN" in earlier.flags:
        return explain.phrase("used_fin", lang)
    return explain.phrase("used_data", lang, n=before, len=earlier.length)


def _grade_len(run: Run, number: int, given: str, lang: str, mistakes: list[Mistake]) -> FieldGrade:
    record = run.record(number)
    what = explain.phrase("len_data" if record.length else "len_none", lang)
    lines = [explain.phrase("len_is", lang, v=record.length, what=what)]
    controls = record.numbered_flags
    if controls:
        lines.append(explain.phrase("len_not_seg_len", lang, what=",".join(controls)))
    text = unicodedata.normalize("NFKC", given).strip() or "0"
    expected = str(record.length)
    if not text.isdigit() or len(text) > 12:
        return FieldGrade(
            "len", given, expected, False, [explain.phrase("e_len", lang, text=text[:20])], lines,
            readable=False,
        )  # fmt: skip
    if int(text) == record.length:
        return FieldGrade("len", given, expected, True, [], lines)
    authored = _authored(mistakes, ("len",), lambda a: a.strip() == text, lang)
    if authored:
        return FieldGrade("len", given, expected, False, authored[:1], lines, [AUTHOR])
    advice, rules = _found(misconceptions.diagnose_len(run, number, int(text), lang))
    return FieldGrade("len", given, expected, False, advice, lines, rules)


# ------------------------------------------------------------------ states


def state_changes(run: Run, number: int, peer: Role) -> list[StateChanged]:
    """The state changes of ``peer`` that come with segment ``number``."""
    start, end = _frame(run, number)
    return [
        ev for ev in run.trace.events[start:end] if isinstance(ev, StateChanged) and ev.peer is peer
    ]


def _frame(run: Run, number: int) -> tuple[int, int]:
    """The trace events that come with segment ``number``: from its cause to its arrival."""
    start = run.frame_end[number - 2] if number > 1 else run.setup_end
    return start, run.frame_end[number - 1]


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
            rule=explain.rule(ev.transition, lang),
        )
        for ev in changes
    ]


# Spellings of the states that are not the RFC's: read as the state they mean.
_ALIASES = {
    "SYN_RCVD": "SYN_RECEIVED",
    "SYN_RECV": "SYN_RECEIVED",
    "FIN_WAIT1": "FIN_WAIT_1",
    "FIN_WAIT2": "FIN_WAIT_2",
    "ESTAB": "ESTABLISHED",
    **{zh: state.value for state, zh in explain.STATE_ZH.items()},
}
# Spellings popular articles print: recognised, and corrected rather than accepted.
MISSPELLINGS = {
    "FINWAIT1": State.FIN_WAIT_1,
    "FINWAIT2": State.FIN_WAIT_2,
    "CLOSEWAIT": State.CLOSE_WAIT,
    "TIMEWAIT": State.TIME_WAIT,
    "LASTACK": State.LAST_ACK,
    "LASK_ACK": State.LAST_ACK,
    "SYNSENT": State.SYN_SENT,
    "SYN_RECIEVED": State.SYN_RECEIVED,
    "CLOSE": State.CLOSED,
    "等待关闭": State.CLOSE_WAIT,
}


def normalize_state(text: str) -> str:
    """``syn-received``, ``SYN_RCVD``, ``Syn Received`` and ``同步收到`` name SYN_RECEIVED."""
    name = unicodedata.normalize("NFKC", text).strip().upper()
    name = name.replace("-", "_").replace(" ", "_").rstrip("_")
    return _ALIASES.get(name, name)


def read_state(text: str) -> State | None:
    name = normalize_state(text)
    return State[name] if name in State.__members__ else None


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
    want = record.state_of(peer)
    other = record.state_of(peer.other)
    lines = explain_state(state_changes(run, number, peer), peer, want, lang)
    start, end = _frame(run, number)
    context = (peer, want, other, start, end, number)
    return _compare_state(run, field_name, given, context, lines, lang, mistakes)


def _compare_state(
    run: Run,
    field_name: str,
    given: str,
    context: tuple[Role, State, State, int, int, int | None],
    lines: list[str],
    lang: str,
    mistakes: list[Mistake],
) -> FieldGrade:
    peer, want, other, start, end, number = context
    state = read_state(given)
    undecided = run.undecided.get(number, {}).get(peer) if number is not None else None
    if undecided is not None:  # a capture that cannot tell a lost FIN from a lost ACK of it
        alt, fin = undecided
        who = explain.phrase(f"the_{peer.value}", lang)
        doubt = explain.phrase("m_undecided", lang, n=fin, want=want.value, alt=alt.value, peer=who)
        lines = [*lines, doubt]
        if state is alt:
            return FieldGrade(field_name, given, want.value, True, [], lines)
    if state is want:
        return FieldGrade(field_name, given, want.value, True, [], lines)
    if state is None:
        advice, rule = _unknown_state(given, lang)
        return FieldGrade(field_name, given, want.value, False, advice, lines, rule, False)
    authored = _authored(
        mistakes, (field_name, "state"), lambda a: normalize_state(a) == state.value, lang
    )
    if authored:
        return FieldGrade(field_name, given, want.value, False, authored[:1], lines, [AUTHOR])
    before = run.states_at(start)[peer]
    answer = misconceptions.StateAnswer(run, peer, state, want, before, other, start, end, number)
    advice, rules = _found(misconceptions.diagnose_state(answer, lang))
    return FieldGrade(field_name, given, want.value, False, advice, lines, rules)


def _unknown_state(given: str, lang: str) -> tuple[list[str], list[str]]:
    text = given.strip()
    if not text:
        return [explain.phrase("e_no_state", lang)], []
    meant = MISSPELLINGS.get(normalize_state(text))
    if meant is not None:
        name = explain.state_name(meant, lang)
        return [explain.phrase("m_state_misspelt", lang, given=text[:20], state=name)], [
            "misspelt_state"
        ]
    names = explain.phrase("list_sep", lang).join(s.value for s in State)
    return [explain.phrase("m_state_unknown", lang, given=text[:20], names=names)], []


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
        window = (_end_question_start(run), len(run.trace.events))
        other = run.end_states[peer.other]
        number = None
    else:
        assert q.segment is not None
        changes = state_changes(run, q.segment, peer)
        window = _frame(run, q.segment)
        record = run.record(q.segment)
        other = record.state_of(peer.other)
        number = q.segment
    lines = explain_state(changes, peer, want, lang, at_end=q.when == "end")
    context = (peer, want, other, *window, number)
    return Grade([_compare_state(run, "state", given, context, lines, lang, q.mistakes)])


def _end_question_start(run: Run) -> int:
    """Where the learner's view stops when asked about the end: after the last segment, or
    (when nothing happens after it) before its frame, so the answer is not on screen."""
    if not run.frame_end:
        return run.setup_end
    last = run.frame_end[-1]
    if any(isinstance(ev, StateChanged | TimerFired) for ev in run.trace.events[last:]):
        return last
    return run.frame_end[-2] if len(run.frame_end) > 1 else run.setup_end


def expected_state(run: Run, q: PredictState) -> State:
    peer = Role.CLIENT if q.peer == "client" else Role.SERVER
    if q.when == "end":
        return run.end_states[peer]
    assert q.segment is not None
    record = run.record(q.segment)
    return record.state_of(peer)


# ------------------------------------------------------------------ multiple choice


def grade_choice(q: Choice, picked: set[int], lang: str = "en") -> Grade:
    """``picked``: 0-based option numbers. Right when exactly the correct ones are picked."""
    correct = {i for i, o in enumerate(q.options) if o.correct}
    chosen = {i for i in picked if 0 <= i < len(q.options)}
    letters = ",".join(str(i + 1) for i in sorted(correct))
    given = ",".join(str(i + 1) for i in sorted(chosen))
    if chosen == correct:
        picks = [q.options[i] for i in sorted(chosen)]
        lines = [o.feedback.get(lang) for o in picks if o.feedback]
        return Grade([FieldGrade("choice", given, letters, True, lines, [])])
    if not chosen:
        line = explain.phrase("m_choice_none", lang)
        return Grade([FieldGrade("choice", given, letters, False, [line], [], [], False)])
    lines, rules = [], []
    for i in sorted(chosen - correct):
        feedback = q.options[i].feedback
        if feedback is not None:
            lines.append(feedback.get(lang))
            rules.append(AUTHOR)
        else:
            lines.append(explain.phrase("m_choice_hint", lang, n=i + 1, hint=q.hint.get(lang)))
            rules.append("choice_hint")
    if correct - chosen and len(correct) > 1:
        lines.append(explain.phrase("m_choice_more", lang))
        rules.append("choice_more")
    if not lines:  # a right option alone, where another was right too (single answer: cannot be)
        lines.append(explain.phrase("m_choice_hint", lang, n=given, hint=q.hint.get(lang)))
        rules.append("choice_hint")
    return Grade([FieldGrade("choice", given, letters, False, lines, [], rules)])
