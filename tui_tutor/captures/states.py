"""Both peers' states after every captured segment, inferred as RFC 9293 says.

How it works
------------
A capture shows what each side sent, not what the other side received, nor when.
The whole file is known, though, and the peers' answers tell the rest:

1. **Where each side started.** The client of a full connection starts CLOSED
   (it connects). The server starts in LISTEN when it answers the SYN with a
   SYN,ACK; when it answers with a RST, or never answers at all, nothing
   listened and it stays CLOSED. A connection seen mid-stream starts ESTABLISHED
   on both sides; one whose first segment is the SYN,ACK starts in SYN_SENT and
   SYN_RECEIVED.

2. **When each SYN and FIN arrived** (``deliveries``). A side that receives a SYN
   or FIN acknowledges it in everything it sends next. So a segment from the
   other side that does *not* acknowledge it was sent before it arrived (two FINs
   cross in a simultaneous close, two SYNs in a simultaneous open): the SYN or FIN
   arrives right after that segment instead of when it was captured. A side that
   still sends a SYN has not finished its handshake, so a SYN,ACK sent to it had
   not arrived yet either (the two SYN,ACKs of a simultaneous open cross too). A SYN or FIN
   sent again before any acknowledgement never arrived. An acknowledgement of a
   SYN or FIN that its sender still sends again never arrived either (a lost last
   ACK). Everything else arrives when it is captured.

3. **Replaying.** Each segment first moves its sender (sending a SYN is the
   ``connect`` call, a FIN is ``close``, a RST from a synchronized state is
   ``abort``), then each segment that arrives at that point moves its receiver
   (``rcv SYN``, ``rcv FIN``, ``rcv ACK of FIN`` ...). Every move is a row of the
   engine's table (``tui_tutor.engine.states``), so the app can explain it with the
   engine's own reason; a segment the table has no row for changes nothing and is
   marked as a quirk.

Steps 2 and 3 compare no sequence numbers: ``Facts`` says, for each segment,
which SYN or FIN it carries and which of the other side's SYNs and FINs (and ISN)
its ack covers, and both steps read only that. So connections with the same facts
have the same inference, and ``analysis.py`` makes it once.

Most of a long connection is data and ACKs while neither side waits for an ACK
(no peer in SYN_RECEIVED, FIN_WAIT_1, CLOSING or LAST_ACK): such a segment moves
nobody. The replay passes over a run of them at once, and the facts of a segment
are worked out only when the replay looks at it, so a long connection costs what
its SYNs, FINs and RSTs cost, not what its data does.

Segments here are ``(time, role, flags, seq, ack, window, length)`` tuples, role
0 for the client and 1 for the server.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..engine import TRANSITION_LIST, Event, Flag, Role, State, Transition
from .decode import ACK, FIN, RST, SYN
from .quirks import Quirk, QuirkKind, quirk
from .sequence import CONTROL_SPACE, Segment

_MASK = 0xFFFFFFFF
_HALF = 0x80000000
_CONTROL = SYN | FIN | RST
ROLES = (Role.CLIENT, Role.SERVER)

S = State
# the engine's table, keyed by names: ``in`` and ``==`` on enum members keyed by themselves
# would call Enum.__hash__ (Python code) on every segment
_ROWS = {(t.state._name_, t.event._name_, t.when): t for t in TRANSITION_LIST}


def _states(*events: Event, moving: bool = True, plain: bool = True) -> tuple[State, ...]:
    """The states the engine's table has a row for one of ``events`` in; ``moving``: only
    rows that leave the state; ``plain``: only rows without a ``when``. Tuples, not sets:
    ``in`` compares enum members by identity, a set would hash them."""
    found = {
        t.state
        for t in TRANSITION_LIST
        if t.event in events
        and (not t.when or not plain)
        and (t.next_state is not t.state or not moving)
    }
    return tuple(state for state in State if state in found)


# states an arriving ACK (without SYN, FIN or RST) can move
_ACK_MOVES = _states(Event.RCV_ACK_OF_SYN, Event.RCV_ACK_OF_FIN)
# states with a connection a RST can end (and so one to reset)
_RESETTABLE = _states(Event.RCV_RST, plain=False)
# states a close() sends a FIN from (SYN_RECEIVED's waits until its SYN is acknowledged)
_CLOSE_SENDS_FIN = tuple(
    state
    for state in _states(Event.CLOSE)
    if _ROWS[(state._name_, "CLOSE", "")].next_state is not S.CLOSED
)
# states an arriving FIN is taken in (TIME_WAIT's is their FIN again)
_FIN_RECEIVERS = _states(Event.RCV_FIN, moving=False)
# a RST in SYN_RECEIVED: the row back to LISTEN after a passive open, to CLOSED after an
# active one (simultaneous open), by whether the side opened passively
_RST_IN_SYN_RECEIVED = {
    t.next_state is S.LISTEN: t.when
    for t in TRANSITION_LIST
    if (t.state, t.event) == (S.SYN_RECEIVED, Event.RCV_RST)
}


def _row(state: State, event: Event, when: str = "") -> Transition | None:
    """``engine.transition(state, event, when)``, faster."""
    return _ROWS.get((state._name_, event._name_, when))


@dataclass(frozen=True, slots=True)
class StateChange:
    """One peer moved from ``old`` to ``new`` (``old == new``: a row that loops, TIME_WAIT)."""

    peer: Role
    old: State
    new: State
    event: Event
    transition: Transition
    cause: int  # index of the segment whose sending or arrival did it

    @property
    def reason(self) -> str:
        return self.transition.reason


# what ``StateChange`` holds, as a tuple: (peer 0/1, old, new, event, transition, cause)
Change = tuple[int, State, State, Event, Transition, int]


@dataclass
class Inference:
    initial: tuple[State, State]  # (client, server) before the first segment
    states: list[tuple[State, State]]  # (client, server) right after each segment
    changes: dict[int, list[Change]] = field(default_factory=dict)
    quirks: dict[int, list[Quirk]] = field(default_factory=dict)
    lost: frozenset[int] = frozenset()  # segments that never arrived
    later: dict[int, int] = field(default_factory=dict)  # segment -> the one it arrived after
    notes: list[str] = field(default_factory=list)  # about the connection as a whole
    # the JSON writer's format table for each segment's states (``connection.py``),
    # made on first use and shared, as the inference is, by connections of the same facts
    json_formats: list | None = None

    def arrives_at(self, i: int) -> int | None:
        """The segment after which segment ``i`` arrived (``i`` itself, mostly); None: never."""
        return None if i in self.lost else self.later.get(i, i)


# A segment as the replay sees it: everything the replay decides depends on these
# facts and nothing else (no sequence number is compared anywhere below), so
# connections with the same facts share one inference (``analysis.py`` caches them):
# (sender, flags & (SYN|ACK|FIN|RST), carries data?, its SYN's group or -1, its FIN's
#  group or -1, bit mask of the other side's SYN/FIN groups its ack covers, does its ack
#  cover the other side's ISN, is it exactly ISN+1). A *group* is one SYN, SYN,ACK or FIN
# of one side: every copy of it, sent again or not, has the same group.
Fact = tuple[int, int, bool, int, int, int, bool, bool]
_KEPT = SYN | ACK | FIN | RST
_NO_GROUPS = (-1, -1)


class Facts:
    """The ``Fact`` of each segment of a connection, worked out when first asked for.

    Making it reads only the segments with SYN, FIN or RST (``controls``): the groups
    and both ISNs come from them, and every other fact from one segment and those.
    """

    def __init__(self, segments: list[Segment]) -> None:
        self.segments = segments
        self.controls = [i for i, seg in enumerate(segments) if seg[2] & _CONTROL]
        # each side's ISN, as the replay takes it: its first SYN's seq, or, when the other
        # side's SYN,ACK comes first (the capture missed the SYN), that SYN,ACK's ack - 1
        isn: list[int | None] = [None, None]
        groups: dict[tuple[int, int, int], int] = {}
        # per side: (group bit, seq just after it)
        self.ends: tuple[list[tuple[int, int]], ...] = ([], [])
        self.marks: dict[int, tuple[int, int]] = {}  # segment -> (SYN group, FIN group)
        for i in self.controls:
            _, r, flags, seq, ack, _, length = segments[i]
            if not flags & (SYN | FIN):
                continue
            syn_group = fin_group = -1
            if flags & SYN:
                if isn[r] is None:
                    isn[r] = seq
                if flags & ACK and isn[1 - r] is None:
                    isn[1 - r] = (ack - 1) & _MASK
                key = (r, 1 if flags & ACK else 0, seq)
                syn_group = groups.get(key, -1)
                if syn_group < 0:
                    syn_group = groups[key] = len(groups)
                    self.ends[r].append((1 << syn_group, (seq + CONTROL_SPACE[SYN]) & _MASK))
            if flags & FIN:
                fin_seq = (seq + length + CONTROL_SPACE[flags & SYN]) & _MASK
                key = (r, 2, fin_seq)
                fin_group = groups.get(key, -1)
                if fin_group < 0:
                    fin_group = groups[key] = len(groups)
                    self.ends[r].append((1 << fin_group, (fin_seq + CONTROL_SPACE[FIN]) & _MASK))
            self.marks[i] = (syn_group, fin_group)
        self.isn_end = [None if n is None else (n + 1) & _MASK for n in isn]
        # the facts worked out so far; once ``all`` made them all, a tuple of them
        self._known: dict[int, Fact] | tuple[Fact, ...] = {}

    def __len__(self) -> int:
        return len(self.segments)

    def fact(self, j: int) -> Fact:
        """Segment ``j``'s facts."""
        try:
            return self._known[j]
        except KeyError:
            found = self._known[j] = self._facts((j,))[0]  # type: ignore[index]
            return found

    def all(self) -> tuple[Fact, ...]:
        """Every segment's facts: what the replay of a short connection is cached by."""
        self._known = tuple(self._facts(range(len(self.segments))))
        return self._known

    def _facts(self, indices: Iterable[int]) -> list[Fact]:
        segments = self.segments
        marks = self.marks
        ends = self.ends
        isn_end = self.isn_end
        out = []
        for j in indices:
            _, r, flags, _, ack, _, length = segments[j]
            syn_group, fin_group = marks.get(j, _NO_GROUPS)
            covered = 0
            acks_isn = exact_isn = False
            if flags & ACK:
                for bit, end in ends[1 - r]:
                    if (ack - end) & _MASK < _HALF:
                        covered |= bit
                isn_after = isn_end[1 - r]
                if isn_after is not None:
                    acks_isn = (ack - isn_after) & _MASK < _HALF
                    exact_isn = ack == isn_after
            out.append(
                (r, flags & _KEPT, length > 0, syn_group, fin_group, covered, acks_isn, exact_isn)
            )
        return out


def facts(segments: list[Segment]) -> tuple[Fact, ...]:
    """The facts of each segment (see ``Fact``), from their sequence numbers."""
    return Facts(segments).all()


def initial_states(segments: list[Segment], partial: bool) -> tuple[State, State]:
    first_flags = segments[0][2]
    if partial:
        if first_flags & SYN and first_flags & ACK:
            return S.SYN_SENT, S.SYN_RECEIVED
        return S.ESTABLISHED, S.ESTABLISHED
    for _, r, flags, *_ in segments:
        if r == 1:
            # the server listened only if it answered with a SYN,ACK
            return S.CLOSED, (S.LISTEN if flags & SYN and flags & ACK else S.CLOSED)
    return S.CLOSED, S.CLOSED


def deliveries(fs: Facts) -> tuple[set[int], dict[int, int]]:
    """The segments that never arrived, and those that arrived after a later segment
    (``{segment: the segment it arrived after}``) (see the module doc)."""
    n = len(fs)
    # the copies of each SYN, SYN,ACK or FIN: group -> (sender, kind, indices)
    copies_of: dict[int, tuple[int, int, list[int]]] = {}
    for i, (syn_group, fin_group) in fs.marks.items():
        r, flags = fs.segments[i][1:3]
        if syn_group >= 0:
            copies_of.setdefault(syn_group, (r, 1 if flags & ACK else 0, []))[2].append(i)
        if fin_group >= 0:
            copies_of.setdefault(fin_group, (r, 2, []))[2].append(i)
    lost: set[int] = set()
    later: dict[int, int] = {}
    for group, (r, kind, copies) in copies_of.items():
        bit = 1 << group
        for k, x in enumerate(copies):
            next_copy = copies[k + 1] if k + 1 < len(copies) else n
            acked_at = not_acked = None
            for j in range(x + 1, next_copy):
                rj, fj, _, _, _, covered, _, _ = fs.fact(j)
                if rj == r:
                    continue
                if fj & SYN and kind != 2 and (kind == 1 or not fj & ACK):
                    # its own SYN (or SYN,ACK, when ours is a SYN,ACK too): the other side
                    # had not finished its handshake, so ours had not arrived yet
                    not_acked = j
                elif fj & ACK:
                    if covered & bit:
                        acked_at = j
                        break
                    not_acked = j
            if acked_at is None and next_copy < n:
                lost.add(x)  # sent again before anything acknowledged it
                continue
            if not_acked is not None:
                later[x] = not_acked
            if acked_at is not None and next_copy < n:
                # the acknowledgement never reached the sender: it sent this again
                for j in range(acked_at, next_copy):
                    if fs.segments[j][1] != r and fs.fact(j)[5] & bit:
                        lost.add(j)
    return lost, {x: at for x, at in sorted(later.items()) if x not in lost}


class _Replay:
    """Plays the segments through both peers (step 3 of the module doc)."""

    def __init__(self, fs: Facts, partial: bool) -> None:
        self.fs = fs
        self.initial = initial_states(fs.segments, partial)
        self.state = list(self.initial)
        self.isn_known = [False, False]  # has each side's ISN been sent (or answered)?
        self.fin_group: list[int | None] = [None, None]  # each side's first FIN, once sent
        self.partial = partial
        # did each side reach SYN_RECEIVED from LISTEN? (a RST then sends it back there)
        self.passive = [False, self.initial[1] in (S.LISTEN, S.SYN_RECEIVED)]
        self.reset = False  # a RST ended the connection: what follows is late
        self.changes: dict[int, list[Change]] = {}
        self.quirks: dict[int, list[Quirk]] = {}

    def run(self) -> Inference:
        fs = self.fs
        n = len(fs)
        lost, later = deliveries(fs)
        arriving: dict[int, list[int]] = {}
        for j, at in later.items():
            arriving.setdefault(at, []).append(j)
        # the segments that may move a peer whatever the states: the rest move one only
        # when it waits for an ACK (or tell of a reset), and pass in runs otherwise
        special = sorted({*fs.controls, *lost, *later, *arriving, n})
        states: list[tuple[State, State]] = []
        state = self.state
        pair = (state[0], state[1])
        i = 0
        for k in special:
            while i < k:
                if self.reset or state[0] in _ACK_MOVES or state[1] in _ACK_MOVES:
                    self._step(i, lost, later, arriving)
                    pair = (state[0], state[1])
                    states.append(pair)
                    i += 1
                else:
                    states += [pair] * (k - i)
                    i = k
            if k < n:
                self._step(k, lost, later, arriving)
                pair = (state[0], state[1])
                states.append(pair)
                i = k + 1
        result = Inference(self.initial, states, self.changes, self.quirks, frozenset(lost), later)
        if not self.partial and not any(seg[1] == 1 for seg in fs.segments):
            result.notes.append("the server never answered: no SYN,ACK, no RST")
        return result

    def _step(
        self, i: int, lost: set[int], later: dict[int, int], arriving: dict[int, list[int]]
    ) -> None:
        """Segment ``i`` is sent, then whatever arrives right after it arrives."""
        self._send(i)
        for j in arriving.get(i, ()):
            self._receive(i, j)
        if i not in lost and i not in later:
            self._receive(i, i)

    # -- moving a peer

    def _move(self, i: int, r: int, event: Event, cause: int, when: str = "") -> bool:
        old = self.state[r]
        row = _row(old, event, when)
        if row is None:
            return False
        self.state[r] = row.next_state
        self.changes.setdefault(i, []).append((r, old, row.next_state, event, row, cause))
        return True

    def _odd(self, i: int, text: str, kind: QuirkKind = QuirkKind.UNEXPECTED) -> None:
        self.quirks.setdefault(i, []).append(quirk(kind, text))

    # -- what sending a segment does to its sender

    def _send(self, i: int) -> None:
        r, flags, _, _, fin_group, *_ = self.fs.fact(i)
        st = self.state[r]
        if self.reset and not flags & RST:
            self._odd(i, "", QuirkKind.AFTER_RESET)
        if flags & RST:
            if st not in _RESETTABLE:
                return  # nothing here to reset: the RST only answers a segment
            self._move(i, r, Event.ABORT, i)
            self.reset = True
            row = _row(st, Event.ABORT)
            if row is not None and Flag.RST not in row.sends:
                self._odd(i, f"a RST from {st}: the engine would close without sending one")
            return
        if flags & SYN:
            self.isn_known[r] = True
            if flags & ACK:
                self.isn_known[1 - r] = True  # its ack names our ISN even if our SYN is unseen
                if st is S.LISTEN:
                    # the SYN it answers is not in the capture, but it did arrive
                    self._move(i, r, Event.RCV_SYN, i)
                    self._odd(i, "", QuirkKind.UNSEEN_SYN)
                elif st is not S.SYN_RECEIVED:
                    self._odd(i, f"a SYN,ACK from {st}; the engine sends one only in SYN_RECEIVED")
            elif st is S.CLOSED:
                self._move(i, r, Event.CONNECT, i)
            elif st is not S.SYN_SENT:
                self._odd(i, f"a SYN from {st}; the engine sends one only to open")
        if flags & FIN:
            again = self.fin_group[r] == fin_group
            if self.fin_group[r] is None:
                self.fin_group[r] = fin_group
            if st in _CLOSE_SENDS_FIN and not again:
                self._move(i, r, Event.CLOSE, i)
            elif not again:
                *most, last = (state.value for state in _CLOSE_SENDS_FIN)
                self._odd(
                    i, f"a FIN from {st}; the engine closes only from {', '.join(most)} or {last}"
                )

    # -- what a segment's arrival does to its receiver

    def _receive(self, i: int, j: int) -> None:
        r, flags, _, _, _, covered, acks_isn, exact_isn = self.fs.fact(j)
        peer = 1 - r
        st = self.state[peer]
        isn_known = self.isn_known[peer]
        if flags & RST:
            if st is S.SYN_SENT:
                # in SYN_SENT only a RST that acknowledges our SYN counts (RFC 9293 3.10.7.3)
                if flags & ACK and isn_known and exact_isn:
                    self._move(i, peer, Event.RCV_RST, j)
                    self.reset = True
            elif st is S.SYN_RECEIVED:
                self._move(i, peer, Event.RCV_RST, j, _RST_IN_SYN_RECEIVED[self.passive[peer]])
                self.reset = True
            elif st in _RESETTABLE:
                self._move(i, peer, Event.RCV_RST, j)
                self.reset = True
            return
        if flags & SYN:
            if not flags & ACK:
                if st is S.LISTEN:
                    self.passive[peer] = True
                    self._move(i, peer, Event.RCV_SYN, j)
                elif st is S.SYN_SENT:
                    self._move(i, peer, Event.RCV_SYN, j)  # simultaneous open
            elif st in (S.SYN_SENT, S.SYN_RECEIVED) and isn_known and acks_isn:
                self._move(i, peer, Event.RCV_SYN_ACK, j)
            return
        if flags & ACK:
            if st is S.SYN_RECEIVED and isn_known and acks_isn:
                self._move(i, peer, Event.RCV_ACK_OF_SYN, j)
            fin_group = self.fin_group[peer]
            st = self.state[peer]
            if fin_group is not None and covered >> fin_group & 1:
                if st is S.FIN_WAIT_1:
                    if flags & FIN:
                        self._move(i, peer, Event.RCV_FIN_ACK, j)
                        return
                    self._move(i, peer, Event.RCV_ACK_OF_FIN, j)
                elif st in (S.CLOSING, S.LAST_ACK):
                    self._move(i, peer, Event.RCV_ACK_OF_FIN, j)
        if flags & FIN and self.state[peer] in _FIN_RECEIVERS:
            self._move(i, peer, Event.RCV_FIN, j)


def replay(fs: Facts, partial: bool) -> Inference:
    """Both peers' states after each segment, from the segments' facts."""
    return _Replay(fs, partial).run()


def infer(segments: list[Segment], partial: bool) -> Inference:
    """Both peers' states after each of ``segments`` (a connection's, in capture order)."""
    return replay(Facts(segments), partial)
