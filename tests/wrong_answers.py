"""Classic wrong answers to every question of every lesson, computed from the engine's trace.

For each asked field of each question this makes the wrong values the classic
mistakes would give (an ack one short of a SYN, seq and ack swapped, the other
peer's state, a state the table cannot reach...), each tagged with its kind.
The values are worked out here from the trace alone (what was sent, what had
arrived when), not with the grader's helpers, so a test can hold the grader to
them. ``tests/test_diagnosis.py`` grades them all; run this file to print how
many of each kind get advice that names the mistake:

    .venv/bin/python tests/wrong_answers.py            # this checkout
    PYTHONPATH=/some/other/checkout python tests/wrong_answers.py   # another one

It uses only what the grader has always offered (``grade_segment``,
``grade_state_question``, ``Numbers``, ``play``), so it counts an old checkout too.
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from tui_tutor.engine import (
    MODULUS,
    TRANSITION_LIST,
    Role,
    SegmentDelivered,
    State,
    StateChanged,
    TimerFired,
    Why,
    relative,
)
from tui_tutor.lessons.loader import load_all
from tui_tutor.lessons.model import Lesson, PredictSegment, PredictState
from tui_tutor.lessons.quiz import Numbers, grade_segment, grade_state_question
from tui_tutor.lessons.timeline import Run, play

REPO = Path(__file__).resolve().parent.parent
LESSONS = REPO / "lessons"
MODES = {
    "symbolic": {"symbolic": True, "absolute": False},
    "relative": {"symbolic": False, "absolute": False},
    "absolute": {"symbolic": False, "absolute": True},
}

# The rules (misconceptions.py) that name each kind of mistake. "author": a lesson's own line.
# Where a value is two mistakes at once the more specific rule may speak: a state the table
# cannot reach from here may be the other closer's (closers_swapped), one the peer reaches
# later (state_ahead), or be left unchanged because the segment was lost (state_lost).
NAMES: dict[str, set[str]] = {
    "seq_own_syn_fin": {"seq_own_syn_fin"},
    "seq_data_len": {"seq_data_not_added"},
    "seq_swapped": {"swapped", "seq_no_isn"},
    "seq_last_ack": {"seq_last_ack"},
    "seq_pure_ack": {"seq_pure_ack"},
    "seq_retransmission": {"seq_retransmission"},
    "ack_one_short": {"ack_one_short"},
    "ack_one_long": {"ack_one_long"},
    "ack_echo": {"ack_echo", "ack_one_short"},
    "ack_last_byte": {"ack_last_byte"},
    "ack_copies": {"ack_copies"},
    "ack_forgot_control": {"ack_one_short"},
    # one sent only later may also read as a pure ACK counted (they end one apart)
    "ack_not_arrived": {"ack_not_arrived", "ack_not_sent", "ack_pure_ack"},
    "ack_swapped": {"swapped"},
    "other_mode": {"other_mode"},
    "flags_no_ack": {"ack_after_handshake", "rst_refused_ack", "rst_abort_ack", "synack_needs_ack"},
    "flags_syn_later": {"syn_again"},
    "flags_fin_rst": {"fin_for_rst", "rst_for_fin"},
    "flags_ack_on_first_syn": {"ack_on_first_syn"},
    "len_counts_control": {"len_counts_control"},
    "state_one_ahead": {"state_ahead", "state_lost"},
    "state_closers_swapped": {"closers_swapped"},
    "state_peers_swapped": {
        "other_peer",
        "closers_swapped",
        "state_lost",
        "state_ahead",
        "state_behind",
        "state_stays",
    },
    "state_unreachable": {"unreachable", "closers_swapped", "state_ahead", "state_lost"},
}
GENERIC_FLAG_LINES = ("Missing:", "Not set:", "Should not be set:")


@dataclass(frozen=True)
class Wrong:
    """One wrong answer: to ``field`` of the question at ``step`` of ``lesson``."""

    lesson: str
    step: int
    field: str  # flags, seq, ack, len, client_state, server_state; "state" for predict_state
    kind: str
    text: str
    mode: str


def curriculum() -> dict[str, Lesson]:
    loaded, problems = load_all([LESSONS])
    assert not problems, problems
    return {item.path.stem: item.lesson for item in loaded}


def run_of(lesson: Lesson, x: int = 123456789, y: int = 3000000000) -> Run:
    table = lesson.scenario
    isns = {
        Role.CLIENT: table.client.isn if table.client.isn is not None else x,
        Role.SERVER: table.server.isn if table.server.isn is not None else y,
    }
    return play(lesson, isns=isns)


def numbers_of(run: Run, mode: str) -> Numbers:
    return Numbers(run.x, run.y, **MODES[mode])


# ------------------------------------------------------------------ facts, from the trace


def arrival(run: Run) -> dict[int, int]:
    return {
        ev.index: pos for pos, ev in enumerate(run.trace.events) if isinstance(ev, SegmentDelivered)
    }


def had_arrived(run: Run, n: int) -> list[int]:
    """Numbers of the other side's segments that had reached the sender when ``n`` left."""
    me, sent, reached = run.record(n), run.sent_at[n - 1], arrival(run)
    return [
        k
        for k, r in enumerate(run.records, 1)
        if r.sender is not me.sender and reached.get(r.index, len(run.trace.events)) < sent
    ]


def frame(run: Run, n: int) -> tuple[int, int]:
    return (run.frame_end[n - 2] if n > 1 else run.setup_end), run.frame_end[n - 1]


def state_at(run: Run, cutoff: int, peer: Role) -> State:
    state = State.CLOSED
    for ev in run.trace.events[:cutoff]:
        if isinstance(ev, StateChanged) and ev.peer is peer:
            state = ev.new
    return state


def reachable(state: State, steps: int) -> set[State]:
    found = {state}
    for _ in range(max(1, steps)):
        found |= {row.next_state for row in TRANSITION_LIST if row.state in found}
    return found


def first_closers(run: Run) -> set[Role]:
    reached = arrival(run)
    fins = [(k, r) for k, r in enumerate(run.records, 1) if "FIN" in r.flags]
    if not fins:
        return set()
    first = fins[0][1].sender
    landed = min(
        (reached[r.index] for _, r in fins if r.sender is first and r.index in reached),
        default=len(run.trace.events),
    )
    return {first} | {
        r.sender for k, r in fins if r.sender is not first and run.sent_at[k - 1] < landed
    }


# ------------------------------------------------------------------ wrong values


def number_wrongs(run: Run, n: int, field: str, numbers: Numbers) -> list[tuple[str, int | str]]:
    """(kind, absolute value or typed text) of the classic mistakes for seq or ack."""
    r = run.record(n)
    want = r.seq if field == "seq" else r.ack
    if want is None:
        return []
    out: list[tuple[str, int | str]] = []
    if field == "seq":
        mine = [k for k in range(1, n) if run.record(k).sender is r.sender]
        own = [k for k in mine if run.record(k).seg_len and run.record(k).end == r.seq]
        if own:
            used = run.record(own[-1])
            if {"SYN", "FIN"} & set(used.flags):
                out.append(("seq_own_syn_fin", want - 1))
            if used.length:
                out.append(("seq_data_len", want - used.length))
        if r.ack is not None and r.ack != want:
            out.append(("seq_swapped", numbers.show(r.ack, "ack", r.sender)))
        if r.retransmission:
            copies = [k for k in mine if run.record(k).seq == r.seq and run.record(k).seg_len]
            if copies:
                out.append(("seq_retransmission", run.record(copies[0]).end))
        if mine and not run.record(mine[-1]).seg_len:
            out.append(("seq_pure_ack", want + 1))
        acks = [run.record(k).ack for k in had_arrived(run, n) if run.record(k).ack is not None]
        if acks and acks[-1] != want:
            out.append(("seq_last_ack", acks[-1]))
    else:
        arrived = set(had_arrived(run, n))
        acked = [
            k
            for k in range(n - 1, 0, -1)
            if run.record(k).sender is not r.sender
            and not run.record(k).lost
            and run.record(k).seg_len
            and run.record(k).end == want
        ]
        if acked:
            a = run.record(acked[0])
            if {"SYN", "FIN"} & set(a.flags):
                out += [("ack_one_short", want - 1), ("ack_one_long", want + 1)]
                if a.length:
                    out.append(("ack_forgot_control", a.seq + a.length))
            out.append(("ack_echo", a.seq))
            if a.length and not {"SYN", "FIN"} & set(a.flags):
                out.append(("ack_last_byte", want - 1))
            sent = sum(
                1
                for k in range(1, n)
                if run.record(k).sender is a.sender
                and run.record(k).seq == a.seq
                and run.record(k).seg_len == a.seg_len
            )
            if sent > 1:
                out.append(("ack_copies", want + (sent - 1) * a.seg_len))
        for k, other in enumerate(run.records, 1):
            if (
                other.sender is not r.sender
                and k not in arrived
                and other.seg_len
                and other.end != want
            ):
                out.append(("ack_not_arrived", other.end))
        if r.seq != want:
            out.append(("ack_swapped", numbers.show(r.seq, "seq", r.sender)))
    owner = r.sender if field == "seq" else r.sender.other
    base = run.x if owner is Role.CLIENT else run.y
    # the number as the other display mode shows it, unless it also reads as a near miss here
    if base is not None and relative(want, base) != want % MODULUS:
        typed = str(relative(want, base)) if numbers.absolute else str(want)
        meant = numbers.readings(typed, field, r.sender).pop()
        if min((meant - want) % MODULUS, (want - meant) % MODULUS) > 1000:
            out.append(("other_mode", typed))
    return [(kind, v % MODULUS if isinstance(v, int) else v) for kind, v in out]


def flag_wrongs(run: Run, n: int) -> list[tuple[str, set[str]]]:
    r = run.record(n)
    want = {f for f in r.flags if f != "PSH"}
    out = []
    if "ACK" in want:
        out.append(("flags_no_ack", want - {"ACK"}))
    earlier_syn = any(
        run.record(k).sender is r.sender and "SYN" in run.record(k).flags for k in range(1, n)
    )
    if "SYN" not in want and (earlier_syn or run.why[n - 1] is Why.RST_REFUSED):
        out.append(("flags_syn_later", want | {"SYN"}))
    if "FIN" in want:
        out.append(("flags_fin_rst", (want - {"FIN"}) | {"RST"}))
    if "RST" in want:
        out.append(("flags_fin_rst", (want - {"RST"}) | {"FIN"}))
    if want == {"SYN"}:
        out.append(("flags_ack_on_first_syn", {"SYN", "ACK"}))
    return out


def state_wrongs(
    run: Run, peer: Role, want: State, before: State, other: State, start: int, stop: int
) -> list[tuple[str, State]]:
    out: list[tuple[str, State]] = []
    later = [
        ev.new
        for ev in run.trace.events[stop:]
        if isinstance(ev, StateChanged) and ev.peer is peer and ev.new is not want
    ]
    if later:
        out.append(("state_one_ahead", later[0]))
    first = first_closers(run)
    if first:
        if peer in first:
            swaps = {
                State.FIN_WAIT_1: [State.CLOSE_WAIT],
                State.FIN_WAIT_2: [State.CLOSE_WAIT],
                State.CLOSING: [State.CLOSE_WAIT],
                State.TIME_WAIT: [State.LAST_ACK],
            }
        else:
            swaps = {
                State.CLOSE_WAIT: [State.FIN_WAIT_1, State.FIN_WAIT_2],
                State.LAST_ACK: [State.TIME_WAIT],
                State.CLOSED: [State.TIME_WAIT] if before is State.LAST_ACK else [],
            }
        out += [("state_closers_swapped", s) for s in swaps.get(want, [])]
    if other is not want:
        out.append(("state_peers_swapped", other))
    steps = sum(
        1 for ev in run.trace.events[start:stop] if isinstance(ev, StateChanged) and ev.peer is peer
    )
    out += [
        ("state_unreachable", s)
        for s in State
        if s is not want and s not in reachable(before, steps)
    ]
    return out


def end_window(run: Run) -> int:
    last = run.frame_end[-1]
    if any(isinstance(ev, StateChanged | TimerFired) for ev in run.trace.events[last:]):
        return last
    return run.frame_end[-2] if len(run.frame_end) > 1 else run.setup_end


# ------------------------------------------------------------------ walking the curriculum


def segment_wrongs(
    run: Run, n: int, fields: list[str], numbers: Numbers
) -> list[tuple[str, str, str]]:
    """(field, kind, typed text) of the classic mistakes about segment ``n``."""
    r = run.record(n)
    out: list[tuple[str, str, str]] = []
    for field in fields:
        if field == "flags":
            out += [(field, kind, ",".join(sorted(f))) for kind, f in flag_wrongs(run, n)]
        elif field in ("seq", "ack"):
            want = r.seq if field == "seq" else r.ack
            for kind, value in number_wrongs(run, n, field, numbers):
                if not isinstance(value, str):
                    value = numbers.show(value, field, r.sender)
                if want not in numbers.readings(value, field, r.sender):  # not right after all
                    out.append((field, kind, value))
        elif field == "len":
            controls = r.seg_len - r.length
            if controls:
                out.append((field, "len_counts_control", str(r.length + controls)))
        else:
            peer = Role.CLIENT if field == "client_state" else Role.SERVER
            want = r.state_of(peer)
            other = r.state_of(peer.other)
            start, stop = frame(run, n)
            before = state_at(run, start, peer)
            for kind, s in state_wrongs(run, peer, want, before, other, start, stop):
                out.append((field, kind, s.value))
    return out


def wrongs(name: str, lesson: Lesson, run: Run, mode: str) -> list[Wrong]:
    """Every classic wrong answer to every question of the lesson, in ``mode``."""
    numbers = numbers_of(run, mode)
    out: list[Wrong] = []
    for i, step in enumerate(lesson.steps):
        if isinstance(step, PredictSegment):
            for field, kind, text in segment_wrongs(run, step.segment, list(step.ask), numbers):
                out.append(Wrong(name, i, field, kind, text, mode))
        elif isinstance(step, PredictState) and mode == "symbolic":
            peer = Role.CLIENT if step.peer == "client" else Role.SERVER
            if step.when == "end":
                start, stop = end_window(run), len(run.trace.events)
                want, other = run.end_states[peer], run.end_states[peer.other]
            else:
                r = run.record(step.segment)
                start, stop = frame(run, step.segment)
                want = r.state_of(peer)
                other = r.state_of(peer.other)
            before = state_at(run, start, peer)
            for kind, s in state_wrongs(run, peer, want, before, other, start, stop):
                out.append(Wrong(name, i, "state", kind, s.value, mode))
    return out


def grade(lesson: Lesson, run: Run, wrong: Wrong, lang: str = "en"):
    """The FieldGrade the app would show for this wrong answer."""
    step = lesson.steps[wrong.step]
    if isinstance(step, PredictState):
        return grade_state_question(run, step, wrong.text, lang).fields[0]
    numbers = numbers_of(run, wrong.mode)
    answer = {wrong.field: wrong.text}
    grade_ = grade_segment(run, step.segment, answer, numbers, lang, step, [wrong.field])
    return grade_.fields[0]


def all_wrongs(modes: tuple[str, ...] = ("symbolic",)):
    """(lesson, run, wrong) for every lesson, every question, every classic mistake."""
    for name, lesson in sorted(curriculum().items()):
        run = run_of(lesson)
        for mode in modes:
            for wrong in wrongs(name, lesson, run, mode):
                yield lesson, run, wrong


def diagnosed(field_grade) -> bool:
    """Advice beyond "wrong": more than the list of missing flags or a restated rule."""
    rules = getattr(field_grade, "mistakes", None)
    if rules is not None:
        from tui_tutor.lessons.misconceptions import FALLBACKS

        return any(rule not in FALLBACKS for rule in rules)
    return any(not line.startswith(GENERIC_FLAG_LINES) for line in field_grade.advice)


def main() -> None:
    total, found, named = Counter(), Counter(), Counter()
    for lesson, run, wrong in all_wrongs():
        field_grade = grade(lesson, run, wrong)
        if field_grade.correct:
            continue
        total[wrong.kind] += 1
        found[wrong.kind] += diagnosed(field_grade)
        rules = set(getattr(field_grade, "mistakes", []))
        named[wrong.kind] += bool(rules & (NAMES[wrong.kind] | {"author"}))
    has_rules = hasattr(grade(*next(iter(all_wrongs()))), "mistakes")
    print(f"{'kind':24} {'wrong':>6} {'advised':>8}" + (f" {'named':>6}" if has_rules else ""))
    for kind in NAMES:
        if total[kind]:
            row = f"{kind:24} {total[kind]:6} {found[kind]:8}"
            print(row + (f" {named[kind]:6}" if has_rules else ""))
    print(f"{'all':24} {sum(total.values()):6} {sum(found.values()):8}", file=sys.stdout)


if __name__ == "__main__":
    main()
