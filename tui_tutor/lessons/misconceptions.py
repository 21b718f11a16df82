"""Classic wrong answers, recognised from the engine's trace and explained.

Each rule is a small function of one wrong answer (the run, the segment or the
state asked, the value the learner gave) that recognises one mistake learners
make again and again: an ack one short of a SYN, seq and ack swapped, the
server ESTABLISHED before its SYN is acknowledged, TIME_WAIT on the side that
closed second... It returns the sentence that names the mistake and the rule
behind it, in the learner's language, or ``None`` when the answer is not that
mistake. Nothing here knows a lesson: every fact comes from the trace (what was
sent, what had arrived, which transition the state table allows), so the same
rules diagnose lessons and captures alike.

``diagnose_*`` tries the rules of a field in order and returns what the first
that matches says (flags: every one that matches, since two flags can be wrong
at once); when none matches, the field's own rule is restated, so a wrong
answer always comes with advice. A lesson author's own ``mistakes`` are
consulted before these rules, by the grader.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..engine import (
    MODULUS,
    TRANSITION_LIST,
    Event,
    Role,
    SegmentRecord,
    State,
    StateChanged,
    Transition,
    Why,
    relative,
)
from . import explain, segments
from .expr import BadExpression, parse
from .timeline import Run


@dataclass(frozen=True)
class Finding:
    """One recognised mistake: the rule's id and what it says."""

    rule: str
    text: str


# ------------------------------------------------------------------ seq and ack


@dataclass(frozen=True)
class NumberAnswer:
    """A wrong seq or ack: ``values`` are what the typed text means in the current mode."""

    run: Run
    number: int
    field: str  # "seq" or "ack"
    given: str
    values: frozenset[int]
    x: int | None
    y: int | None
    absolute: bool  # the screen shows raw numbers (else they count from the ISNs)

    @property
    def record(self) -> SegmentRecord:
        return self.run.record(self.number)

    @property
    def want(self) -> int:
        value = self.record.seq if self.field == "seq" else self.record.ack
        assert value is not None
        return value

    def isn_of(self, owner: Role) -> int | None:
        return self.x if owner is Role.CLIENT else self.y

    @property
    def base(self) -> int | None:
        """The ISN this field counts from: the sender's for seq, the receiver's for ack."""
        owner = self.record.sender if self.field == "seq" else self.record.sender.other
        return self.isn_of(owner)

    def has(self, value: int) -> bool:
        return value % MODULUS in self.values


NumberRule = Callable[[NumberAnswer, str], str | None]


def _plain(answer: NumberAnswer) -> int | None:
    """The typed number when it is a plain number (no x or y), else None."""
    try:
        expr = parse(answer.given)
    except BadExpression:
        return None
    return None if expr.symbol else expr.offset


def other_mode(a: NumberAnswer, lang: str) -> str | None:
    """A number typed as the other display mode shows it: absolute for relative, and back."""
    typed, base = _plain(a), a.base
    if typed is None or base is None or relative(a.want, base) == a.want % MODULUS:
        return None
    if not a.absolute and typed == a.want:
        return explain.phrase("m_mode_absolute_typed", lang)
    if a.absolute and typed == relative(a.want, base):
        return explain.phrase("m_mode_relative_typed", lang)
    return None


def seq_retransmission_moved_on(a: NumberAnswer, lang: str) -> str | None:
    if a.field != "seq" or not a.record.retransmission:
        return None
    first = segments.original(a.run, a.number)
    if first == a.number or not a.has(a.run.record(first).end):
        return None
    return explain.phrase("m_seq_retransmission", lang, n=first)


def seq_no_isn(a: NumberAnswer, lang: str) -> str | None:
    """A RST refusing a SYN has no numbers of its own (seq 0)."""
    if a.field != "seq" or a.run.why[a.number - 1] is not Why.RST_REFUSED:
        return None
    return explain.phrase("m_seq_no_isn", lang)


def seq_own_syn_or_fin(a: NumberAnswer, lang: str) -> str | None:
    """One short after this side's own SYN or FIN: it forgot that they take a number."""
    before = segments.used_by(a.run, a.number) if a.field == "seq" else None
    if before is None or not a.has(a.want - 1):
        return None
    used = a.run.record(before)
    what = "FIN" if "FIN" in used.flags else "SYN" if "SYN" in used.flags else ""
    return explain.phrase("m_seq_own_one", lang, what=what, n=before) if what else None


def seq_data_not_added(a: NumberAnswer, lang: str) -> str | None:
    before = segments.used_by(a.run, a.number) if a.field == "seq" else None
    if before is None:
        return None
    used = a.run.record(before)
    if not used.length or not (a.has(a.want - used.length) or a.has(used.seq)):
        return None
    return explain.phrase("m_seq_data_not_added", lang, n=before, len=used.length)


def seq_counted_pure_ack(a: NumberAnswer, lang: str) -> str | None:
    if a.field != "seq" or not a.has(a.want + 1):
        return None
    last = segments.previous_of(a.run, a.number, a.record.sender)
    if last is None or a.run.record(last).seg_len:
        return None
    return explain.phrase("m_seq_pure_ack", lang, n=last)


def seq_is_last_ack(a: NumberAnswer, lang: str) -> str | None:
    if a.field != "seq":
        return None
    last = segments.last_ack_received(a.run, a.number)
    if last is None or last == a.want or not a.has(last):
        return None
    return explain.phrase("m_seq_last_ack", lang)


def swapped(a: NumberAnswer, lang: str) -> str | None:
    """seq where ack belongs or back: the other field's value, or the other side's x/y."""
    record = a.record
    other = record.ack if a.field == "seq" else record.seq
    owner = record.sender if a.field == "seq" else record.sender.other
    sym = "x" if owner is Role.CLIENT else "y"
    key = "m_seq_swapped" if a.field == "seq" else "m_ack_swapped"
    if other is not None and other != a.want and a.has(other):
        return explain.phrase(key, lang, sym=sym)
    # a plain number copied from the other field of the ladder, counted from the other ISN
    typed, other_base = _plain(a), a.isn_of(owner.other)
    if (
        other is not None
        and typed is not None
        and not a.absolute
        and other_base is not None
        and typed == relative(other, other_base)
        and other != a.want
    ):
        return explain.phrase(key, lang, sym=sym)
    return None


def wrong_isn(a: NumberAnswer, lang: str) -> str | None:
    """x+… where y+… belongs: counted from the wrong side's ISN."""
    try:
        expr = parse(a.given)
    except BadExpression:
        return None
    owner = a.record.sender if a.field == "seq" else a.record.sender.other
    right = "x" if owner is Role.CLIENT else "y"
    if not expr.symbol or expr.symbol == right:
        return None
    whose = explain.phrase("sender" if a.field == "seq" else "receiver", lang)
    return explain.phrase(
        "m_wrong_isn", lang, field=explain.field_name(a.field, lang), whose=whose, sym=right
    )


def ack_one_short(a: NumberAnswer, lang: str) -> str | None:
    """The classic: ack = the SYN's or FIN's own number, forgetting that it takes one."""
    acked = segments.acknowledged(a.run, a.number) if a.field == "ack" else None
    if acked is None or not a.has(a.want - 1) or not {"SYN", "FIN"} & set(acked.flags):
        return None
    what = "SYN" if "SYN" in acked.flags else "FIN"
    if acked.length:
        return explain.phrase("m_ack_forgot_control", lang, len=acked.length, what=what)
    return explain.phrase("m_forgot_one", lang, what=what)


def ack_echo(a: NumberAnswer, lang: str) -> str | None:
    """ack = the seq just received, copied back."""
    number = segments.acknowledged_number(a.run, a.number) if a.field == "ack" else None
    if number is None:
        return None
    acked = a.run.record(number)
    if not acked.length or not a.has(acked.seq):
        return None
    return explain.phrase("m_ack_echo", lang, n=number, len=acked.length)


def ack_last_byte(a: NumberAnswer, lang: str) -> str | None:
    acked = segments.acknowledged(a.run, a.number) if a.field == "ack" else None
    if acked is None or not acked.length or not a.has(a.want - 1):
        return None
    return explain.phrase("m_ack_last_byte", lang)


def ack_one_long(a: NumberAnswer, lang: str) -> str | None:
    acked = segments.acknowledged(a.run, a.number) if a.field == "ack" else None
    if acked is None or not a.has(a.want + 1) or not {"SYN", "FIN"} & set(acked.flags):
        return None
    return explain.phrase("m_ack_one_long", lang, what="SYN" if "SYN" in acked.flags else "FIN")


def ack_counted_copies(a: NumberAnswer, lang: str) -> str | None:
    """A retransmitted segment counted once per copy."""
    number = segments.acknowledged_number(a.run, a.number) if a.field == "ack" else None
    if number is None:
        return None
    acked = a.run.record(number)
    sent = max(
        segments.copies(a.run, n)
        for n in range(number, a.number)
        if a.run.record(n).sender is acked.sender and a.run.record(n).seq == acked.seq
    )
    step = acked.seg_len
    if sent < 2 or not any(a.has(a.want + k * step) for k in range(1, sent)):
        return None
    first = segments.original(a.run, number)
    return explain.phrase("m_ack_copies", lang, n=first, k=sent)


def ack_counted_pure_ack(a: NumberAnswer, lang: str) -> str | None:
    if a.field != "ack" or not a.has(a.want + 1):
        return None
    arrived = segments.arrived_before(a.run, a.number)
    if not arrived or a.run.record(arrived[-1]).seg_len:
        return None
    return explain.phrase("m_ack_pure_ack", lang, n=arrived[-1])


def ack_in_flight(a: NumberAnswer, lang: str) -> str | None:
    """ack of a segment that was lost, or still on its way when this one left."""
    return _ack_of_missing(a, lang, sent_before=True)


def ack_not_sent_yet(a: NumberAnswer, lang: str) -> str | None:
    """ack of a segment the other side sends only later."""
    return _ack_of_missing(a, lang, sent_before=False)


def _ack_of_missing(a: NumberAnswer, lang: str, sent_before: bool) -> str | None:
    if a.field != "ack":
        return None
    arrived = set(segments.arrived_before(a.run, a.number))
    sent = a.run.sent_at[a.number - 1]
    for n, record in enumerate(a.run.records, 1):
        if (
            record.sender is a.record.sender
            or n in arrived
            or (a.run.sent_at[n - 1] < sent) is not sent_before
            or not record.seg_len
            or record.end == a.want
            or not a.has(record.end)
        ):
            continue
        key = "m_ack_lost" if record.lost else "m_ack_not_yet" if sent_before else "m_ack_not_sent"
        return explain.phrase(key, lang, n=n)
    return None


def number_rule(a: NumberAnswer, lang: str) -> str:
    return explain.phrase("m_seq_rule" if a.field == "seq" else "m_ack_rule", lang)


# In order: the first that matches speaks.
NUMBER_RULES: dict[str, NumberRule] = {
    "seq_retransmission": seq_retransmission_moved_on,
    "seq_no_isn": seq_no_isn,
    "seq_own_syn_fin": seq_own_syn_or_fin,
    "seq_data_not_added": seq_data_not_added,
    "seq_pure_ack": seq_counted_pure_ack,
    "ack_one_short": ack_one_short,
    "ack_not_arrived": ack_in_flight,
    "ack_one_long": ack_one_long,
    "ack_copies": ack_counted_copies,
    "ack_echo": ack_echo,
    "ack_last_byte": ack_last_byte,
    "ack_pure_ack": ack_counted_pure_ack,
    "ack_not_sent": ack_not_sent_yet,
    "other_mode": other_mode,  # after the rest: a small number may also be a slip in this mode
    "seq_last_ack": seq_is_last_ack,
    "swapped": swapped,
    "wrong_isn": wrong_isn,
}
NUMBER_FALLBACK = "number_rule"


def diagnose_number(answer: NumberAnswer, lang: str) -> list[Finding]:
    return _first(NUMBER_RULES, answer, lang) or [
        Finding(NUMBER_FALLBACK, number_rule(answer, lang))
    ]


def _first(rules: dict, answer: object, lang: str) -> list[Finding]:
    """What the first rule that recognises the answer says, or nothing."""
    for name, rule in rules.items():
        text = rule(answer, lang)
        if text:
            return [Finding(name, text)]
    return []


# ------------------------------------------------------------------ flags


@dataclass(frozen=True)
class FlagsAnswer:
    run: Run
    number: int
    got: frozenset[str]
    want: frozenset[str]

    @property
    def record(self) -> SegmentRecord:
        return self.run.record(self.number)

    @property
    def why(self) -> Why:
        return self.run.why[self.number - 1]

    @property
    def missing(self) -> frozenset[str]:
        return self.want - self.got

    @property
    def extra(self) -> frozenset[str]:
        return self.got - self.want


FlagsRule = Callable[[FlagsAnswer, str], str | None]


def ack_on_first_syn(a: FlagsAnswer, lang: str) -> str | None:
    if "ACK" in a.extra and a.want == {"SYN"}:
        return explain.phrase("m_no_ack_flag_on_syn", lang)
    return None


def rst_refused_has_ack(a: FlagsAnswer, lang: str) -> str | None:
    if "ACK" in a.missing and a.why is Why.RST_REFUSED:
        return explain.phrase("m_rst_refused_ack", lang)
    return None


def rst_abort_has_ack(a: FlagsAnswer, lang: str) -> str | None:
    # every reset a TCB sends as it gives the connection up: an abort, a close with unread
    # data, keepalive's last word
    active = (Why.RST_ABORT, Why.RST_UNREAD, Why.RST_KEEPALIVE)
    if "ACK" in a.missing and "RST" in a.want and a.why in active:
        return explain.phrase("m_rst_abort_ack", lang)
    return None


def syn_ack_needs_ack(a: FlagsAnswer, lang: str) -> str | None:
    if "ACK" in a.missing and "SYN" in a.want:
        return explain.phrase("m_synack_needs_ack", lang)
    return None


def ack_missing_after_handshake(a: FlagsAnswer, lang: str) -> str | None:
    if "ACK" in a.missing and not {"SYN", "RST"} & a.want:
        return explain.phrase("m_ack_always", lang)
    return None


def bare_rst(a: FlagsAnswer, lang: str) -> str | None:
    if "ACK" in a.extra and "RST" in a.want:
        return explain.phrase("m_rst_bare", lang)
    return None


def syn_again(a: FlagsAnswer, lang: str) -> str | None:
    if "SYN" not in a.extra:
        return None
    if a.why is Why.RST_REFUSED:
        return explain.phrase("m_refused_no_syn", lang)
    first = segments.first_syn(a.run, a.record.sender, a.number)
    return explain.phrase("m_syn_again", lang, n=first) if first else None


def syn_missing(a: FlagsAnswer, lang: str) -> str | None:
    return explain.phrase("m_syn_missing", lang) if "SYN" in a.missing else None


def fin_for_rst(a: FlagsAnswer, lang: str) -> str | None:
    if "FIN" not in a.extra or "RST" not in a.missing:
        return None
    key = "m_fin_for_rst_refused" if a.why is Why.RST_REFUSED else "m_fin_for_rst_abort"
    return explain.phrase(key, lang)


def rst_for_fin(a: FlagsAnswer, lang: str) -> str | None:
    if "RST" in a.extra and "FIN" in a.missing:
        return explain.phrase("m_rst_for_fin", lang)
    return None


def fin_too_early(a: FlagsAnswer, lang: str) -> str | None:
    if "FIN" not in a.extra or "RST" in a.missing:
        return None
    if a.why is Why.ACK_OF_FIN:
        return explain.phrase("m_fin_own_later", lang)
    return explain.phrase("m_fin_too_early", lang)


def fin_missing(a: FlagsAnswer, lang: str) -> str | None:
    if "FIN" not in a.missing or "RST" in a.extra:
        return None
    if a.record.retransmission:
        return explain.phrase("m_fin_resent", lang, n=segments.original(a.run, a.number))
    return explain.phrase("m_fin_missing", lang)


def rst_extra(a: FlagsAnswer, lang: str) -> str | None:
    if "RST" in a.extra and "FIN" not in a.missing:
        return explain.phrase("m_rst_extra", lang)
    return None


def rst_missing(a: FlagsAnswer, lang: str) -> str | None:
    if "RST" in a.missing and "FIN" not in a.extra:
        return explain.why(a.why, lang)
    return None


FLAGS_RULES: dict[str, FlagsRule] = {
    "ack_on_first_syn": ack_on_first_syn,
    "rst_refused_ack": rst_refused_has_ack,
    "rst_abort_ack": rst_abort_has_ack,
    "synack_needs_ack": syn_ack_needs_ack,
    "ack_after_handshake": ack_missing_after_handshake,
    "bare_rst": bare_rst,
    "syn_again": syn_again,
    "syn_missing": syn_missing,
    "fin_for_rst": fin_for_rst,
    "rst_for_fin": rst_for_fin,
    "fin_too_early": fin_too_early,
    "fin_missing": fin_missing,
    "rst_extra": rst_extra,
    "rst_missing": rst_missing,
}
FLAGS_FALLBACK = "flags_rule"


def diagnose_flags(answer: FlagsAnswer, lang: str) -> list[Finding]:
    """Every rule that matches (two flags may be wrong for two reasons), else why it is sent."""
    found: list[Finding] = []
    for name, rule in FLAGS_RULES.items():
        text = rule(answer, lang)
        if text and all(f.text != text for f in found):
            found.append(Finding(name, text))
    return found or [Finding(FLAGS_FALLBACK, explain.why(answer.why, lang))]


# ------------------------------------------------------------------ len


def diagnose_len(run: Run, number: int, given: int, lang: str) -> list[Finding]:
    record = run.record(number)
    controls = record.numbered_flags
    if controls and given == record.seg_len:
        text = explain.phrase("m_len_counts_control", lang, what=",".join(controls))
        return [Finding("len_counts_control", text)]
    acked = segments.acknowledged_number(run, number) if record.ack is not None else None
    if acked is not None and given == run.record(acked).length and given != record.length:
        return [Finding("len_of_acked", explain.phrase("m_len_of_acked", lang, n=acked))]
    if record.length and given == 0:
        return [Finding("len_data_missing", explain.phrase("m_len_data_missing", lang))]
    return [Finding("len_rule", explain.phrase("m_len_rule", lang))]


# ------------------------------------------------------------------ states


@dataclass(frozen=True)
class StateAnswer:
    """A wrong state: ``before`` is where the peer was when the question was asked."""

    run: Run
    peer: Role
    given: State
    want: State
    before: State
    other_now: State  # the other peer's state at the same point
    start: int  # the trace events of the question: run.trace.events[start:end]
    end: int
    number: int | None  # the segment asked about; None at the end of a lesson

    @property
    def steps(self) -> list[StateChanged]:
        return [
            ev
            for ev in self.run.trace.events[self.start : self.end]
            if isinstance(ev, StateChanged) and ev.peer is self.peer
        ]

    def later(self) -> list[StateChanged]:
        return [
            ev
            for ev in self.run.trace.events[self.end :]
            if isinstance(ev, StateChanged) and ev.peer is self.peer
        ]

    def peer_name(self, lang: str) -> str:
        return explain.phrase(f"the_{self.peer.value}", lang)


StateRule = Callable[[StateAnswer, str], str | None]


def exits(state: State) -> list[Transition]:
    """The state table's rows out of ``state``, one per next state (the first row for it)."""
    seen: dict[State, Transition] = {}
    for row in TRANSITION_LIST:
        if row.state is state and row.next_state is not state:
            seen.setdefault(row.next_state, row)
    return list(seen.values())


def reachable(state: State, steps: int) -> set[State]:
    found = {state}
    for _ in range(max(1, steps)):
        found |= {row.next_state for s in found for row in exits(s)}
    return found


def exits_text(state: State, lang: str) -> str:
    """``FIN_WAIT_2 when the ACK of its FIN arrives, CLOSING when a FIN arrives, ...``"""
    items = []
    for row in exits(state):
        item = explain.phrase(
            "exit_item",
            lang,
            state=explain.state_name(row.next_state, lang),
            event=explain.event_text(row.event, lang),
        )
        if row.when:
            item = explain.phrase("exit_when", lang, item=item, when=explain.phrase(row.when, lang))
        items.append(item)
    return explain.phrase("list_sep", lang).join(items)


def _event_between(old: State, new: State) -> Event | None:
    return next((row.event for row in exits(old) if row.next_state is new), None)


def state_lost_segment(a: StateAnswer, lang: str) -> str | None:
    if a.number is None or a.want is not a.before:
        return None
    record = a.run.record(a.number)
    if not record.lost or record.sender is a.peer:
        return None
    return explain.phrase("m_state_lost", lang, n=a.number, peer=a.peer_name(lang))


def state_one_ahead(a: StateAnswer, lang: str) -> str | None:
    """A state the peer only reaches later: ESTABLISHED in SYN_RECEIVED, CLOSED in TIME_WAIT."""
    ahead = [ev for ev in a.later()]
    path = [ev.new for ev in ahead]
    if a.given not in path:
        return None
    peer = a.peer_name(lang)
    if a.want is State.SYN_RECEIVED and a.given is State.ESTABLISHED:
        return explain.phrase("m_state_ahead_established", lang, peer=peer)
    if a.want is State.TIME_WAIT and a.given is State.CLOSED:
        return explain.phrase("m_state_ahead_closed", lang)
    if a.want is State.FIN_WAIT_1 and a.given is State.FIN_WAIT_2:
        return explain.phrase("m_state_ahead_fin_wait_2", lang, peer=peer)
    move = ahead[path.index(a.given)]
    return explain.phrase(
        "m_state_ahead",
        lang,
        given=explain.state_name(a.given, lang),
        peer=peer,
        event=explain.event_text(move.transition.event, lang),
    )


def closers_swapped(a: StateAnswer, lang: str) -> str | None:
    """FIN_WAIT_x ↔ CLOSE_WAIT, TIME_WAIT ↔ LAST_ACK/CLOSED: first and second closer mixed up."""
    first = segments.first_fin_sender(a.run, max(a.start, a.end - 1))
    if not first:
        return None
    peer = a.peer_name(lang)
    closed_first = a.peer in first
    waiting = (State.FIN_WAIT_1, State.FIN_WAIT_2)
    if a.given in waiting and not closed_first:
        return explain.phrase("m_state_fin_wait_passive", lang, peer=peer)
    if a.given is State.CLOSE_WAIT and closed_first:
        return explain.phrase("m_state_close_wait_active", lang, peer=peer)
    if a.given is State.TIME_WAIT and not closed_first:
        return explain.phrase("m_state_time_wait_second", lang, peer=peer)
    if a.given is State.LAST_ACK and closed_first:
        return explain.phrase("m_state_last_ack_first", lang, peer=peer)
    return None


def state_behind(a: StateAnswer, lang: str) -> str | None:
    """Still in the state it was in, when this step moves it on."""
    if a.given is not a.before or a.want is a.before:
        return None
    return explain.phrase(
        "m_state_behind",
        lang,
        peer=a.peer_name(lang),
        before=explain.state_name(a.before, lang),
        exits=exits_text(a.before, lang),
    )


def state_moved_too_soon(a: StateAnswer, lang: str) -> str | None:
    """Moved on when nothing at this step is an event for it."""
    event = _event_between(a.before, a.given)
    if a.want is not a.before or event is None:
        return None
    return explain.phrase(
        "m_state_stays",
        lang,
        peer=a.peer_name(lang),
        before=explain.state_name(a.before, lang),
        given=explain.state_name(a.given, lang),
        event=explain.event_text(event, lang),
    )


def other_peers_state(a: StateAnswer, lang: str) -> str | None:
    if a.given is not a.other_now or a.other_now is a.want:
        return None
    other = explain.phrase(f"the_{a.peer.other.value}", lang)
    return explain.phrase("m_state_other_peer", lang, other=other, peer=a.peer_name(lang))


def unreachable(a: StateAnswer, lang: str) -> str | None:
    if a.given in reachable(a.before, len(a.steps)):
        return None
    return explain.phrase(
        "m_state_unreachable",
        lang,
        peer=a.peer_name(lang),
        before=explain.state_name(a.before, lang),
        given=explain.state_name(a.given, lang),
        exits=exits_text(a.before, lang),
    )


def state_rule(a: StateAnswer, lang: str) -> str:
    key = "m_state_rule" if a.number is not None else "m_state_rule_end"
    return explain.phrase(
        key,
        lang,
        peer=a.peer_name(lang),
        before=explain.state_name(a.before, lang),
        exits=exits_text(a.before, lang),
    )


STATE_RULES: dict[str, StateRule] = {
    "closers_swapped": closers_swapped,
    "state_lost": state_lost_segment,
    "state_ahead": state_one_ahead,
    "state_behind": state_behind,
    "state_stays": state_moved_too_soon,
    "other_peer": other_peers_state,
    "unreachable": unreachable,
}
STATE_FALLBACK = "state_rule"


def diagnose_state(answer: StateAnswer, lang: str) -> list[Finding]:
    return _first(STATE_RULES, answer, lang) or [Finding(STATE_FALLBACK, state_rule(answer, lang))]


FALLBACKS = {NUMBER_FALLBACK, FLAGS_FALLBACK, STATE_FALLBACK, "len_rule"}
