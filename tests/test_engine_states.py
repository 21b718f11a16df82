"""The state machine, state by state, laid out as smoltcp's TCP tests are.

``peer_in(state)`` drives a real ``Link`` with two real ``Peer``s (user calls, losses,
deliveries) until the peer under test sits in that state, with the other side in whatever
state the story left it. A test then hands that peer one user call, one arriving segment
(built from the templates in ``segment_for`` and changed for the test) or lets the clock
run, and checks what a learner sees: the next state, and the segments on the wire.

The first part enumerates every (state, event) pair of ``tui_tutor.engine.states``; the
sections after it pin the RFC 9293 behaviours of each state, one section a state.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable

import pytest

from tui_tutor import engine
from tui_tutor.engine import (
    TRANSITION_LIST,
    Event,
    Flag,
    Link,
    Peer,
    PeerConfig,
    ProtocolError,
    Role,
    Segment,
    SeqNum,
    State,
    Transition,
    Why,
)
from tui_tutor.engine.peer import Action, ChangeState, Transmit
from tui_tutor.engine.states import USER_CALLS

CLIENT, SERVER = Role.CLIENT, Role.SERVER
ISNS = {"plain": (1000, 5000), "wrap": (2**32 - 1, 2**32 - 2)}
"""Both ISN pairs run every enumerated case; "wrap": each SYN takes the last numbers before 0."""
HOST_EVENTS = [Event.CRASH]
SEGMENT_EVENTS = [e for e in Event if not (e.is_user_call or e.is_timer or e in HOST_EVENTS)]
TIMER_EVENTS = [e for e in Event if e.is_timer]
LONG_ENOUGH = 10_000.0  # seconds: every retransmission limit and 2MSL run out well before
FIN_RECEIVED = {State.CLOSE_WAIT, State.CLOSING, State.LAST_ACK, State.TIME_WAIT}


# ====================================================================== the harness


@dataclasses.dataclass
class Harness:
    """A link whose peer ``me`` is in the state a test needs."""

    link: Link
    me: Role

    @property
    def peer(self) -> Peer:
        return self.link.peers[self.me]

    @property
    def remote(self) -> Peer:
        return self.link.peers[self.me.other]

    @property
    def state(self) -> State:
        return self.peer.state

    def call(self, event: Event, nbytes: int = 0) -> list[Action]:
        """A user call on the peer under test, straight to the peer (sans-IO)."""
        return self.peer.call(event, self.link.now, nbytes)

    def receive(self, seg: Segment) -> list[Action]:
        """``seg`` arrives at the peer under test, straight from the test."""
        return self.peer.receive(seg, self.link.now)


def sent(actions: list[Action]) -> list[Segment]:
    return [a.segment for a in actions if isinstance(a, Transmit)]


def rows_used(actions: list[Action]) -> list[Transition]:
    return [a.transition for a in actions if isinstance(a, ChangeState)]


def show(segments: list[Segment]) -> str:
    """Segments as the ladder prints them (absolute numbers): ``SYN,ACK seq=5000 ack=1001``."""
    if not segments:
        return "nothing"
    parts = []
    for s in segments:
        text = f"{engine.flags_label(s.flags)} seq={s.seq.value}"
        if Flag.ACK in s.flags and s.ack is not None:
            text += f" ack={s.ack.value}"
        if s.length:
            text += f" len={s.length}"
        parts.append(text)
    return "; ".join(parts)


def new_link(isns: tuple[int, int], listening: bool = True, msl: float = 30.0) -> Link:
    client_isn, server_isn = isns
    link = Link(
        {
            CLIENT: Peer(CLIENT, PeerConfig(isn=client_isn, msl=msl)),
            SERVER: Peer(SERVER, PeerConfig(isn=server_isn, listening=listening, msl=msl)),
        }
    )
    if listening:
        link.call(SERVER, Event.LISTEN)
    return link


def do(
    link: Link,
    role: Role,
    event: Event,
    nbytes: int = 0,
    deliver: bool = True,
    shutdown: bool = False,
) -> None:
    link.call(role, event, nbytes, shutdown)
    if deliver:
        link.deliver_all()


def established(isns: tuple[int, int]) -> Link:
    link = new_link(isns)
    do(link, CLIENT, Event.CONNECT)
    assert link.peers[CLIENT].state is State.ESTABLISHED
    return link


# One builder a state. Each tells, in comments, the story that leaves the peer there.


def _closed(isns: tuple[int, int]) -> Harness:
    return Harness(new_link(isns, listening=False), CLIENT)  # a fresh client: nothing yet


def _listen(isns: tuple[int, int]) -> Harness:
    return Harness(new_link(isns), SERVER)  # the server listens from the start


def _syn_sent(isns: tuple[int, int]) -> Harness:
    link = new_link(isns)
    link.lose_next(CLIENT, 1)  # the SYN is lost: the client waits for an answer
    do(link, CLIENT, Event.CONNECT)
    return Harness(link, CLIENT)


def _syn_received_passive(isns: tuple[int, int]) -> Harness:
    link = new_link(isns)
    link.lose_next(SERVER, 1)  # the server's SYN,ACK is lost: it waits for the ACK
    do(link, CLIENT, Event.CONNECT)
    return Harness(link, SERVER)


def _syn_received_active(isns: tuple[int, int]) -> Harness:
    link = new_link(isns, listening=False)
    link.lose_next(CLIENT, 2)  # the client's SYN and then its SYN,ACK are lost
    do(link, CLIENT, Event.CONNECT, deliver=False)
    do(link, SERVER, Event.CONNECT)  # the server's SYN reaches the client in SYN_SENT
    return Harness(link, CLIENT)


def _established(isns: tuple[int, int]) -> Harness:
    return Harness(established(isns), CLIENT)


def _fin_wait_1(isns: tuple[int, int], shutdown: bool = True) -> Harness:
    link = established(isns)
    link.lose_next(CLIENT, 1)  # the FIN is lost: still unacknowledged
    do(link, CLIENT, Event.CLOSE, shutdown=shutdown)  # shutdown(SHUT_WR): it still reads
    return Harness(link, CLIENT)


def _fin_wait_2(isns: tuple[int, int], shutdown: bool = True) -> Harness:
    link = established(isns)
    do(link, CLIENT, Event.CLOSE, shutdown=shutdown)  # FIN acknowledged; the server is open
    return Harness(link, CLIENT)


def _fin_wait_1_closed(isns: tuple[int, int]) -> Harness:
    return _fin_wait_1(isns, shutdown=False)  # close(): the application is gone


def _fin_wait_2_closed(isns: tuple[int, int]) -> Harness:
    return _fin_wait_2(isns, shutdown=False)


def _established_unread(isns: tuple[int, int]) -> Harness:
    link = new_link(isns)
    link.peers[CLIENT].config.reads = False  # the application reads nothing
    do(link, CLIENT, Event.CONNECT)
    do(link, SERVER, Event.SEND, 5)
    return Harness(link, CLIENT)


def _close_wait_unread(isns: tuple[int, int]) -> Harness:
    h = _established_unread(isns)
    do(h.link, SERVER, Event.CLOSE)
    return h


def _listen_after_a_cookie(isns: tuple[int, int]) -> Harness:
    link = new_link(isns)
    link.peers[SERVER].config.sysctl = engine.Sysctl(tcp_syncookies=2)  # always cookies
    do(link, CLIENT, Event.CONNECT, deliver=False)
    link.lose_next(CLIENT, 1)  # the ACK that would bring the cookie back is lost
    link.deliver_all()
    return Harness(link, SERVER)


def _time_wait_listening(isns: tuple[int, int]) -> Harness:
    link = established(isns)
    do(link, SERVER, Event.CLOSE)  # the server closes first: TIME_WAIT on the listening side
    do(link, CLIENT, Event.CLOSE)
    return Harness(link, SERVER)


def _established_keepalive(isns: tuple[int, int]) -> Harness:
    link = new_link(isns)
    link.peers[CLIENT].config.keepalive = True  # SO_KEEPALIVE
    do(link, CLIENT, Event.CONNECT)
    return Harness(link, CLIENT)


def _close_wait_keepalive(isns: tuple[int, int]) -> Harness:
    h = _established_keepalive(isns)
    do(h.link, SERVER, Event.CLOSE)
    return h


def _close_wait(isns: tuple[int, int]) -> Harness:
    link = established(isns)
    do(link, SERVER, Event.CLOSE)  # the server closed first
    return Harness(link, CLIENT)


def _closing(isns: tuple[int, int]) -> Harness:
    link = established(isns)
    link.lose_next(CLIENT, 1)  # the client's FIN is lost ...
    do(link, CLIENT, Event.CLOSE)
    do(link, SERVER, Event.CLOSE)  # ... and the server's FIN arrives before any ACK of it
    return Harness(link, CLIENT)


def _last_ack(isns: tuple[int, int]) -> Harness:
    link = established(isns)
    do(link, SERVER, Event.CLOSE)
    link.lose_next(CLIENT, 1)  # the client's FIN is lost: still unacknowledged
    do(link, CLIENT, Event.CLOSE)
    return Harness(link, CLIENT)


def _time_wait(isns: tuple[int, int]) -> Harness:
    link = established(isns)
    do(link, CLIENT, Event.CLOSE)
    do(link, SERVER, Event.CLOSE)
    return Harness(link, CLIENT)


PASSIVE, ACTIVE = "passive open", "active open"
UNREAD, AFTER_CLOSE, KEEPALIVE = "unread data", "after close", "keepalive"
NEW_CONNECTION, COOKIE = "new connection", "SYN cookie"
BUILDERS: dict[tuple[State, str], Callable[[tuple[int, int]], Harness]] = {
    (State.CLOSED, ""): _closed,
    (State.LISTEN, ""): _listen,
    (State.SYN_SENT, ""): _syn_sent,
    (State.SYN_RECEIVED, PASSIVE): _syn_received_passive,
    (State.SYN_RECEIVED, ACTIVE): _syn_received_active,
    (State.ESTABLISHED, ""): _established,
    (State.FIN_WAIT_1, ""): _fin_wait_1,
    (State.FIN_WAIT_2, ""): _fin_wait_2,
    (State.CLOSE_WAIT, ""): _close_wait,
    (State.CLOSING, ""): _closing,
    (State.LAST_ACK, ""): _last_ack,
    (State.TIME_WAIT, ""): _time_wait,
    # the states again, reached the way a conditioned row (its `when`) needs
    (State.ESTABLISHED, UNREAD): _established_unread,
    (State.CLOSE_WAIT, UNREAD): _close_wait_unread,
    (State.FIN_WAIT_1, AFTER_CLOSE): _fin_wait_1_closed,
    (State.FIN_WAIT_2, AFTER_CLOSE): _fin_wait_2_closed,
    (State.TIME_WAIT, NEW_CONNECTION): _time_wait_listening,
    (State.LISTEN, COOKIE): _listen_after_a_cookie,
    (State.ESTABLISHED, KEEPALIVE): _established_keepalive,
    (State.CLOSE_WAIT, KEEPALIVE): _close_wait_keepalive,
}
SITUATIONS = list(BUILDERS)  # the eleven states, some reached more than one way


def peer_in(state: State, how: str = "", isns: tuple[int, int] = ISNS["plain"]) -> Harness:
    if state is State.SYN_RECEIVED and not how:
        how = PASSIVE
    h = BUILDERS[(state, how)](isns)
    assert h.state is state, f"the {state} fixture left the peer in {h.state}"
    return h


def test_there_is_a_fixture_for_each_of_the_eleven_states():
    assert {state for state, _ in SITUATIONS} == set(State)
    assert len(State) == 11


# ====================================================================== segment templates


def segment_for(h: Harness, event: Event) -> Segment:
    """The segment that makes ``event`` happen to the peer under test, as the other side
    would send it, numbered from the peer's own sequence variables.

    An event the state has no row for still gets its segment: a SYN,ACK or a FIN that acks
    nothing new, an ACK of a FIN never sent ("ack" is then one past SND.NXT), the FIN
    again after it was taken (it then starts one before RCV.NXT).
    """
    p = h.peer
    their_isn = SeqNum(h.remote.config.isn)
    our_isn = SeqNum(p.config.isn)
    # the next sequence number of theirs: RCV.NXT once their SYN is in, else after their SYN
    nxt = p.rcv_nxt if p.state.synchronized else their_isn + 1
    their_fin = nxt - 1 if p.state in FIN_RECEIVED else nxt
    # acknowledges our FIN: the one we sent, or one we never sent
    ack_of_fin = p.snd_nxt if p.fin_sent else p.snd_nxt + 1
    if p.state is State.TIME_WAIT:
        their_isn = p.rcv_nxt + 100_000  # a new connection's SYN: its ISN clock has moved on
    return {
        Event.RCV_SYN: Segment(Flag.SYN, their_isn),
        Event.RCV_SYN_ACK: Segment(Flag.SYN | Flag.ACK, their_isn, our_isn + 1),
        Event.RCV_ACK_OF_SYN: Segment(Flag.ACK, nxt, our_isn + 1),
        Event.RCV_FIN: Segment(Flag.FIN | Flag.ACK, their_fin, p.snd_una),
        Event.RCV_ACK_OF_FIN: Segment(Flag.ACK, nxt, ack_of_fin),
        Event.RCV_FIN_ACK: Segment(Flag.FIN | Flag.ACK, their_fin, ack_of_fin),
        # a reset as the other side's abort sends it; while our SYN is unanswered, as a
        # closed port answers it (seq 0, ack our SYN)
        Event.RCV_RST: Segment(
            Flag.RST | Flag.ACK, nxt if p.state.synchronized else SeqNum(0), p.snd_nxt
        ),
        # five new bytes at RCV.NXT (after their FIN, if it came: nothing may follow it)
        Event.RCV_DATA: Segment(Flag.ACK | Flag.PSH, nxt, p.snd_una, length=5),
    }[event]


# rows that only one way into SYN_RECEIVED can take: the table has no `when` for it, but a
# passive open never sent a SYN that their SYN,ACK could answer (RFC 9293 figure 7)
ONLY_WHEN = {
    (State.SYN_RECEIVED, Event.RCV_SYN_ACK): ACTIVE,
    # Linux's timers for connections that might never end: only after close(), or with
    # SO_KEEPALIVE
    (State.FIN_WAIT_2, Event.TIMEOUT_FIN_WAIT_2): AFTER_CLOSE,
    (State.ESTABLISHED, Event.KEEPALIVE_TIMEOUT): KEEPALIVE,
    (State.CLOSE_WAIT, Event.KEEPALIVE_TIMEOUT): KEEPALIVE,
}
# pairs whose segment the peer cannot tell from another event: in FIN_WAIT_2 our FIN is
# already acknowledged, so their FIN acknowledging it again is a plain "rcv FIN"
SAME_AS = {(State.FIN_WAIT_2, Event.RCV_FIN_ACK): Event.RCV_FIN}


def how_for(row: Transition) -> str:
    return row.when or ONLY_WHEN.get((row.state, row.event), "")


def rows_for(state: State, how: str, event: Event) -> list[Transition]:
    """The rows that apply to ``event`` in ``state`` reached ``how``: a row for that very
    condition if there is one, else the plain row."""
    rows = [
        r
        for r in TRANSITION_LIST
        if r.state is state and r.event is event and ONLY_WHEN.get((state, event), how) == how
    ]
    return [r for r in rows if r.when == how] or [r for r in rows if not r.when]


def situation_id(state: State, how: str) -> str:
    return f"{state}({how})" if how else str(state)


def ways_into(row: Transition) -> list[str]:
    """How the fixture reaches the row's state: the way its condition needs; SYN_RECEIVED
    both ways unless the row says."""
    if how_for(row):
        return [how_for(row)]
    if row.state is not State.SYN_RECEIVED:
        return [""]
    return [how for how in (PASSIVE, ACTIVE) if rows_for(row.state, how, row.event) == [row]]


def row_cases(events: list[Event] | frozenset[Event]) -> list:
    return [
        pytest.param(row, how, id=f"{row.state}/{row.event}" + (f"({how})" if how else ""))
        for row in TRANSITION_LIST
        if row.event in events
        for how in ways_into(row)
    ]


def test_every_row_of_the_table_is_a_user_call_a_segment_a_timer_or_the_host():
    kinds = [USER_CALLS, SEGMENT_EVENTS, TIMER_EVENTS, HOST_EVENTS]
    assert all(sum(row.event in kind for kind in kinds) == 1 for row in TRANSITION_LIST)


# ====================================================================== user calls


@pytest.mark.parametrize("isns", ISNS.values(), ids=ISNS.keys())
@pytest.mark.parametrize(("row", "how"), row_cases(USER_CALLS))
def test_a_user_call_with_a_row_moves_to_its_next_state_and_sends_what_it_says(row, how, isns):
    h = peer_in(row.state, how, isns)
    actions = h.call(row.event, nbytes=5)
    out = sent(actions)
    assert h.state is row.next_state, (
        f"{row.event} in {row.state}: the peer went to {h.state}, the table says {row.next_state}"
    )
    if row.next_state is not row.state:
        assert row in rows_used(actions), f"{row.key}: the ladder would not show this row"
    if row.send == "":
        assert out == [], f"{row.key}: the table sends nothing, the peer sent {show(out)}"
    elif row.send == "data":
        assert [s.length for s in out] == [5], f"{row.key}: 5 bytes written, sent {show(out)}"
    else:
        wanted = Flag.parse(row.send)
        assert len(out) == 1 and wanted in out[0].flags, (
            f"{row.key}: the table sends {row.send}, the peer sent {show(out)}"
        )


USER_CALL_MISSES = [
    (state, how, event)
    for (state, how), event in itertools.product(SITUATIONS, sorted(USER_CALLS, key=str))
    if not rows_for(state, how, event)
]


@pytest.mark.parametrize(
    ("state", "how", "event"),
    USER_CALL_MISSES,
    ids=[f"{situation_id(s, h)}-{e}" for s, h, e in USER_CALL_MISSES],
)
def test_a_user_call_without_a_row_is_refused_by_name(state, how, event):
    h = peer_in(state, how)
    with pytest.raises(ProtocolError) as refused:
        h.call(event, nbytes=5)
    assert str(refused.value) == f"{event} not possible in {state}"
    assert h.state is state, f"a refused {event} moved the peer from {state} to {h.state}"


def test_the_refusal_names_the_call_and_the_state_as_the_learner_wrote_them():
    h = peer_in(State.CLOSED)
    with pytest.raises(ProtocolError, match=r"^send not possible in CLOSED$"):
        h.call(Event.SEND, nbytes=1)
    with pytest.raises(ProtocolError, match=r"^close not possible in CLOSED$"):
        h.call(Event.CLOSE)


# ====================================================================== arriving segments


@pytest.mark.parametrize("isns", ISNS.values(), ids=ISNS.keys())
@pytest.mark.parametrize(("row", "how"), row_cases(SEGMENT_EVENTS))
def test_a_segment_with_a_row_moves_to_its_next_state(row, how, isns):
    h = peer_in(row.state, how, isns)
    seg = segment_for(h, row.event)
    actions = h.receive(seg)
    assert h.state is row.next_state, (
        f"{row.state} got {show([seg])} ({row.event}): the peer went to {h.state}, "
        f"the table says {row.next_state}"
    )
    assert row in rows_used(actions), f"{row.key}: the ladder would not show this row"
    out = sent(actions)
    if row.send:
        wanted = Flag.parse(row.send)
        assert len(out) == 1 and out[0].flags == wanted, (
            f"{row.key}: the table sends {row.send}, the peer sent {show(out)}"
        )
    else:
        assert out == [], f"{row.key}: the table sends nothing, the peer sent {show(out)}"


SEGMENT_MISSES = [
    (state, how, event)
    for (state, how), event in itertools.product(SITUATIONS, SEGMENT_EVENTS)
    if not rows_for(state, how, event) and (state, event) not in SAME_AS
]


@pytest.mark.parametrize("isns", ISNS.values(), ids=ISNS.keys())
@pytest.mark.parametrize(
    ("state", "how", "event"),
    SEGMENT_MISSES,
    ids=[f"{situation_id(s, h)}-{e}" for s, h, e in SEGMENT_MISSES],
)
def test_a_segment_without_a_row_leaves_the_state_unchanged(state, how, event, isns):
    h = peer_in(state, how, isns)
    seg = segment_for(h, event)
    h.receive(seg)
    assert h.state is state, f"{state} got {show([seg])} ({event}) and moved to {h.state}"


@pytest.mark.parametrize(("pair", "same_as"), SAME_AS.items())
def test_a_segment_the_peer_cannot_tell_from_another_event_follows_that_events_row(pair, same_as):
    state, event = pair
    (row,) = rows_for(state, "", same_as)
    h = peer_in(state)
    h.receive(segment_for(h, event))
    assert h.state is row.next_state


# ====================================================================== timers


def run_out_of_time(h: Harness) -> None:
    """Every segment from now on is lost, and the clock runs long enough for any timer."""
    h.link.lose_next(CLIENT, 10_000)
    h.link.lose_next(SERVER, 10_000)
    h.link.advance(LONG_ENOUGH)


@pytest.mark.parametrize(("row", "how"), row_cases(TIMER_EVENTS))
def test_a_timer_with_a_row_moves_to_its_next_state(row, how):
    h = peer_in(row.state, how)
    if row.event is Event.GIVE_UP and not h.peer.unacked:
        h.link.call(h.me, Event.SEND, 1)  # something to retransmit
    run_out_of_time(h)
    assert h.state is row.next_state, (
        f"{row.state} with every segment lost: after {LONG_ENOUGH:g} s the peer is in "
        f"{h.state}, the table says {row.next_state}"
    )
    fired = [
        ev.transition
        for ev in h.link.trace.events
        if isinstance(ev, engine.StateChanged) and ev.peer is h.me
    ]
    assert fired[-1] == row, f"{row.key}: the last row used was {fired[-1].key}"


@pytest.mark.parametrize(("state", "how"), SITUATIONS, ids=[situation_id(*s) for s in SITUATIONS])
def test_a_crash_forgets_the_connection_in_any_state_and_sends_nothing(state, how):
    h = peer_in(state, how)
    out = sent(h.peer.crash(h.link.now))
    assert out == [] and h.state is State.CLOSED
    assert not (h.peer.rto_running or h.peer.keepalive_running or h.peer.fin_wait_2_running)


# ====================================================================== CLOSED


def test_closed_answers_a_syn_with_rst_ack_seq_0_ack_its_seq_plus_1():
    h = peer_in(State.CLOSED)
    out = sent(h.receive(Segment(Flag.SYN, SeqNum(7000))))
    assert show(out) == "RST,ACK seq=0 ack=7001"
    assert h.state is State.CLOSED


def test_closed_answers_an_ack_with_a_rst_whose_seq_is_that_ack():
    h = peer_in(State.CLOSED)
    out = sent(h.receive(Segment(Flag.ACK, SeqNum(7000), SeqNum(1234), length=3)))
    assert show(out) == "RST seq=1234", "RFC 9293 3.10.7.1: <SEQ=SEG.ACK><CTL=RST>"


def test_closed_never_answers_a_rst():
    h = peer_in(State.CLOSED)
    assert sent(h.receive(Segment(Flag.RST | Flag.ACK, SeqNum(7000), SeqNum(1)))) == []


def test_a_syn_to_a_port_where_nothing_listens_is_refused_with_rst_ack():
    scenario = engine.Scenario(
        client=engine.PeerSetup(isn=1000),
        server=engine.PeerSetup(isn=5000, listening=False),
        steps=(engine.Connect(),),
    )
    trace = engine.run(scenario)
    rows = trace.to_json(absolute=True)["connections"][0]["segments"]
    got = [(r["from"], r["flags"], r["seq"], r["ack"]) for r in rows]
    assert got == [("client", ["SYN"], 1000, None), ("server", ["RST", "ACK"], 0, 1001)]
    assert trace.final_states() == {CLIENT: State.CLOSED, SERVER: State.CLOSED}


# ====================================================================== LISTEN


def test_listen_answers_a_syn_with_its_own_syn_acking_seq_plus_1():
    h = peer_in(State.LISTEN)
    out = sent(h.receive(Segment(Flag.SYN, SeqNum(1000))))
    assert show(out) == "SYN,ACK seq=5000 ack=1001"
    assert h.state is State.SYN_RECEIVED


def test_listen_answers_an_ack_with_a_rst_and_keeps_listening():
    h = peer_in(State.LISTEN)
    out = sent(h.receive(Segment(Flag.ACK, SeqNum(1001), SeqNum(77))))
    assert show(out) == "RST seq=77"
    assert h.state is State.LISTEN


def test_listen_ignores_a_rst():
    h = peer_in(State.LISTEN)
    assert sent(h.receive(Segment(Flag.RST, SeqNum(1001)))) == []
    assert h.state is State.LISTEN


# ====================================================================== SYN_SENT


@pytest.mark.parametrize("offset", [0, -1, 2, 1000], ids=["ISS", "before-ISS", "SND.NXT+1", "far"])
def test_syn_sent_answers_an_unacceptable_ack_with_rst_seq_seg_ack(offset):
    h = peer_in(State.SYN_SENT)
    bad_ack = SeqNum(1000) + offset
    out = sent(h.receive(Segment(Flag.SYN | Flag.ACK, SeqNum(5000), bad_ack)))
    assert show(out) == f"RST seq={bad_ack.value}", (
        "RFC 9293 3.10.7.3: SEG.ACK =< ISS or SEG.ACK > SND.NXT gets <SEQ=SEG.ACK><CTL=RST>"
    )
    assert h.state is State.SYN_SENT


def test_syn_sent_ignores_a_rst_that_acks_something_never_sent():
    h = peer_in(State.SYN_SENT)
    assert sent(h.receive(Segment(Flag.RST | Flag.ACK, SeqNum(0), SeqNum(1000 + 5)))) == []
    assert h.state is State.SYN_SENT


def test_syn_sent_ignores_a_rst_without_an_ack():
    h = peer_in(State.SYN_SENT)
    assert sent(h.receive(Segment(Flag.RST, SeqNum(0)))) == []
    assert h.state is State.SYN_SENT


def test_syn_sent_answers_a_syn_ack_with_the_ack_that_completes_the_handshake():
    h = peer_in(State.SYN_SENT)
    out = sent(h.receive(Segment(Flag.SYN | Flag.ACK, SeqNum(5000), SeqNum(1001))))
    assert show(out) == "ACK seq=1001 ack=5001"


def ladder(trace: engine.Trace) -> list[str]:
    """``client SYN seq=0``: one line a segment, relative numbers, ``lost`` when lost."""
    lines = []
    for r in trace.to_json()["connections"][0]["segments"]:
        line = f"{r['from']} {','.join(r['flags'])} seq={r['seq']}"
        if r["ack"] is not None:
            line += f" ack={r['ack']}"
        if r["len"]:
            line += f" len={r['len']}"
        if r["lost"]:
            line += " lost"
        lines.append(line)
    return lines


def client_path(trace: engine.Trace) -> list[tuple[State, float]]:
    return [
        (ev.new, ev.time)
        for ev in trace.events
        if isinstance(ev, engine.StateChanged) and ev.peer is CLIENT
    ]


def story(*steps: engine.Step, server_listens: bool = True, **kw) -> engine.Scenario:
    return engine.Scenario(
        client=engine.PeerSetup(isn=1000, delayed_ack=kw.pop("client_delayed_ack", False)),
        server=engine.PeerSetup(
            isn=5000, listening=server_listens, delayed_ack=kw.pop("server_delayed_ack", False)
        ),
        steps=steps,
        **kw,
    )


def test_simultaneous_open_ends_established_on_both_sides_each_acking_the_repeated_syn():
    """RFC 9293 figure 7 draws four segments; Linux (tests/kernel/simultaneous_open) sends an
    ACK from each side after the crossing SYN,ACKs, and the engine follows Linux."""
    scenario = story(
        engine.Connect(CLIENT, hold=True), engine.Connect(SERVER), server_listens=False
    )
    trace = engine.run(scenario)
    assert ladder(trace) == [
        "client SYN seq=0",
        "server SYN seq=0",
        "server SYN,ACK seq=0 ack=1",
        "client SYN,ACK seq=0 ack=1",
        "client ACK seq=1 ack=1",
        "server ACK seq=1 ack=1",
    ]
    assert trace.final_states() == {CLIENT: State.ESTABLISHED, SERVER: State.ESTABLISHED}
    for role in (CLIENT, SERVER):
        path = [
            ev.new for ev in trace.events if isinstance(ev, engine.StateChanged) and ev.peer is role
        ]
        assert path == [State.SYN_SENT, State.SYN_RECEIVED, State.ESTABLISHED], f"{role}: {path}"


def test_data_written_during_syn_sent_rides_on_the_third_segment_of_the_handshake():
    trace = engine.run(story(engine.Connect(hold=True), engine.Send(CLIENT, 5)))
    assert ladder(trace) == [
        "client SYN seq=0",
        "server SYN,ACK seq=0 ack=1",
        "client PSH,ACK seq=1 ack=1 len=5",
        "server ACK seq=1 ack=6",
    ]


def test_a_lost_syn_is_resent_after_1_2_4_8_16_32_s_then_the_client_gives_up_closed():
    trace = engine.run(story(engine.Lose(CLIENT, 100), engine.Connect(), engine.Wait(1000)))
    syns = [ev for ev in trace.events if isinstance(ev, engine.SegmentSent)]
    assert [ev.time for ev in syns] == [0, 1, 3, 7, 15, 31, 63], (
        "RFC 6298: the RTO starts at 1 s and doubles; Linux sends 6 retries"
    )
    assert [ev.retransmission for ev in syns] == [False] + [True] * 6
    assert all(ev.segment.flags == Flag.SYN and ev.lost for ev in syns)
    (gave_up,) = [
        ev for ev in trace.events if isinstance(ev, engine.StateChanged) and ev.new is State.CLOSED
    ]
    assert (gave_up.old, gave_up.time) == (State.SYN_SENT, 127), (
        "Linux gives up 64 s after the sixth retry (127 s after connect)"
    )
    assert gave_up.transition.event is Event.GIVE_UP


# ====================================================================== SYN_RECEIVED


@pytest.mark.parametrize("how", [PASSIVE, ACTIVE])
@pytest.mark.parametrize("offset", [0, 2, 1000], ids=["ISS", "SND.NXT+1", "far"])
def test_syn_received_answers_an_unacceptable_ack_with_rst_seq_seg_ack(how, offset):
    h = peer_in(State.SYN_RECEIVED, how)
    bad_ack = SeqNum(h.peer.config.isn) + offset
    out = sent(h.receive(Segment(Flag.ACK, h.peer.rcv_nxt, bad_ack)))
    assert show(out) == f"RST seq={bad_ack.value}", (
        "RFC 9293 3.10.7.4 fifth: an unacceptable ACK in SYN-RECEIVED gets <SEQ=SEG.ACK><CTL=RST>"
    )
    assert h.state is State.SYN_RECEIVED


def test_syn_received_resends_its_syn_ack_when_the_syn_comes_again():
    h = peer_in(State.SYN_RECEIVED)
    out = sent(h.receive(Segment(Flag.SYN, SeqNum(1000))))
    assert show(out) == "SYN,ACK seq=5000 ack=1001", "Linux answers a repeated SYN again"
    assert h.state is State.SYN_RECEIVED


def test_syn_received_from_listen_goes_back_to_listen_on_a_reset():
    h = peer_in(State.SYN_RECEIVED, PASSIVE)
    h.receive(Segment(Flag.RST, h.peer.rcv_nxt))
    assert h.state is State.LISTEN


def test_a_close_in_syn_received_holds_the_fin_until_our_syn_is_acknowledged():
    """Linux (tests/kernel/close_in_syn_received); RFC 9293 3.10.4 would send it at once."""
    h = peer_in(State.SYN_RECEIVED, ACTIVE)  # a simultaneous open: the application holds it
    iss, rcv_nxt = SeqNum(h.peer.config.isn), h.peer.rcv_nxt
    assert sent(h.call(Event.CLOSE)) == []
    assert h.state is State.FIN_WAIT_1
    their_ack = Segment(Flag.ACK, rcv_nxt, iss + 1)
    assert show(sent(h.receive(their_ack))) == f"FIN,ACK seq={(iss + 1).value} ack={rcv_nxt.value}"


def test_closing_the_listener_of_a_half_open_connection_forgets_it_without_a_word():
    """Linux (tests/kernel/close_listener_in_syn_received): the client's next segment,
    finding nothing, is answered with RST."""
    h = peer_in(State.SYN_RECEIVED, PASSIVE)
    assert sent(h.call(Event.CLOSE)) == []
    assert h.state is State.CLOSED


def test_data_and_close_in_syn_received_go_out_once_the_syn_is_acked_even_with_their_fin():
    trace = engine.run(
        story(
            engine.Connect(CLIENT, hold=True),
            engine.Connect(SERVER, hold=True),  # the SYNs cross
            engine.Lose(SERVER, 1),  # the server's SYN,ACK is lost
            engine.Send(CLIENT, 1),  # queued: the client's SYN is not acknowledged yet
            engine.Close(CLIENT),  # SYN_RECEIVED -> FIN_WAIT_1; the FIN waits for the byte
            engine.Close(SERVER),  # its FIN acknowledges the client's SYN
            engine.Wait(100),
            server_listens=False,
        )
    )
    assert ladder(trace)[4:] == [
        "server ACK seq=1 ack=1",  # the server acks the client's SYN,ACK (as Linux does)
        "client PSH,ACK seq=1 ack=1 len=1",  # so the queued byte goes out at once
        "server ACK seq=1 ack=2",
        "client FIN,ACK seq=2 ack=1",
        "server ACK seq=1 ack=3",
        "server FIN,ACK seq=1 ack=3",
        "client ACK seq=3 ack=2",
    ]
    assert [state for state, _ in client_path(trace)][2:] == [
        State.ESTABLISHED,
        State.FIN_WAIT_1,
        State.FIN_WAIT_2,
        State.TIME_WAIT,
        State.CLOSED,
    ], "the client's byte and FIN go out, and it does not get stuck"
    assert trace.final_states() == {CLIENT: State.CLOSED, SERVER: State.CLOSED}


def test_syn_received_acks_the_syn_and_the_connection_is_open():
    h = peer_in(State.SYN_RECEIVED)
    out = sent(h.receive(Segment(Flag.ACK, SeqNum(1001), SeqNum(5001))))
    assert h.state is State.ESTABLISHED and out == []


# ====================================================================== ESTABLISHED


def test_established_is_reset_by_a_rst_at_exactly_rcv_nxt():
    h = peer_in(State.ESTABLISHED)
    out = sent(h.receive(Segment(Flag.RST, h.peer.rcv_nxt)))
    assert h.state is State.CLOSED and out == []


@pytest.mark.parametrize("offset", [1, 100, 65534])
def test_established_answers_a_rst_in_the_window_but_not_at_rcv_nxt_with_a_challenge_ack(
    offset,
):
    h = peer_in(State.ESTABLISHED)
    snd_nxt, rcv_nxt = h.peer.snd_nxt, h.peer.rcv_nxt
    out = sent(h.receive(Segment(Flag.RST, rcv_nxt + offset)))
    assert show(out) == f"ACK seq={snd_nxt.value} ack={rcv_nxt.value}", (
        "RFC 9293 3.10.7.4 (RFC 5961): a RST in the window but not at RCV.NXT gets a challenge ACK"
    )
    assert h.state is State.ESTABLISHED


@pytest.mark.parametrize("offset", [-1, -1000, 65535, 100_000])
def test_established_ignores_a_rst_outside_the_window(offset):
    h = peer_in(State.ESTABLISHED)
    out = sent(h.receive(Segment(Flag.RST, h.peer.rcv_nxt + offset)))
    assert out == [] and h.state is State.ESTABLISHED


def test_established_answers_an_ack_of_data_never_sent_with_an_ack_and_drops_the_segment():
    h = peer_in(State.ESTABLISHED)
    snd_nxt, rcv_nxt = h.peer.snd_nxt, h.peer.rcv_nxt
    out = sent(h.receive(Segment(Flag.ACK | Flag.PSH, rcv_nxt, snd_nxt + 10, length=5)))
    assert show(out) == f"ACK seq={snd_nxt.value} ack={rcv_nxt.value}", (
        "RFC 9293 3.10.7.4 fifth: SEG.ACK > SND.NXT: send an ACK, drop the segment"
    )
    assert h.peer.rcv_nxt == rcv_nxt, "the 5 bytes of a dropped segment were acknowledged"
    assert h.state is State.ESTABLISHED


@pytest.mark.parametrize(
    "offset", [-10, -5, 65535, 100_000], ids=["old", "old-just-before", "past-window", "far"]
)
def test_established_answers_data_outside_the_window_with_a_duplicate_ack(offset):
    h = peer_in(State.ESTABLISHED)
    snd_nxt, rcv_nxt = h.peer.snd_nxt, h.peer.rcv_nxt
    out = sent(h.receive(Segment(Flag.ACK, rcv_nxt + offset, snd_nxt, length=5)))
    assert show(out) == f"ACK seq={snd_nxt.value} ack={rcv_nxt.value}"
    assert h.peer.rcv_nxt == rcv_nxt and h.state is State.ESTABLISHED


def test_established_takes_in_order_data_and_acks_it():
    h = peer_in(State.ESTABLISHED)
    snd_nxt, rcv_nxt = h.peer.snd_nxt, h.peer.rcv_nxt
    out = sent(h.receive(Segment(Flag.ACK | Flag.PSH, rcv_nxt, snd_nxt, length=5)))
    assert show(out) == f"ACK seq={snd_nxt.value} ack={(rcv_nxt + 5).value}"


def test_established_answers_a_syn_with_a_challenge_ack():
    h = peer_in(State.ESTABLISHED)
    snd_nxt, rcv_nxt = h.peer.snd_nxt, h.peer.rcv_nxt
    out = sent(h.receive(Segment(Flag.SYN, rcv_nxt + 10)))
    assert show(out) == f"ACK seq={snd_nxt.value} ack={rcv_nxt.value}"
    assert h.state is State.ESTABLISHED


def test_a_delayed_ack_goes_out_after_40_ms_when_nothing_else_is_sent():
    trace = engine.run(
        story(engine.Connect(), engine.Send(CLIENT, 5), engine.Wait(1), server_delayed_ack=True)
    )
    acks = [ev for ev in trace.events if isinstance(ev, engine.SegmentSent) and ev.sender is SERVER]
    assert [(ev.segment.flags, round(ev.time, 3)) for ev in acks[1:]] == [(Flag.ACK, 0.04)]


# ====================================================================== FIN_WAIT_1


def test_fin_wait_1_takes_a_fin_that_acks_ours_straight_to_time_wait():
    h = peer_in(State.FIN_WAIT_1)
    p = h.peer
    out = sent(h.receive(Segment(Flag.FIN | Flag.ACK, p.rcv_nxt, p.snd_nxt)))
    assert show(out) == f"ACK seq={p.snd_nxt.value} ack={p.rcv_nxt.value}"
    assert h.state is State.TIME_WAIT


def test_simultaneous_close_goes_through_closing_to_time_wait_on_both_sides():
    trace = engine.run(
        story(engine.Connect(), engine.Close(CLIENT, hold=True), engine.Close(SERVER))
    )
    assert ladder(trace)[3:] == [
        "client FIN,ACK seq=1 ack=1",
        "server FIN,ACK seq=1 ack=1",
        "server ACK seq=2 ack=2",
        "client ACK seq=2 ack=2",
    ]
    for role in (CLIENT, SERVER):
        path = [
            ev.new for ev in trace.events if isinstance(ev, engine.StateChanged) and ev.peer is role
        ]
        assert path[-3:] == [State.FIN_WAIT_1, State.CLOSING, State.TIME_WAIT], f"{role}: {path}"


# ====================================================================== FIN_WAIT_2


def test_fin_wait_2_still_takes_data_half_closed():
    half_close = engine.Close(CLIENT, how="shutdown")
    trace = engine.run(story(engine.Connect(), half_close, engine.Send(SERVER, 8)))
    assert ladder(trace)[-2:] == ["server PSH,ACK seq=1 ack=2 len=8", "client ACK seq=2 ack=9"]
    assert trace.final_states() == {CLIENT: State.FIN_WAIT_2, SERVER: State.CLOSE_WAIT}


# ====================================================================== CLOSE_WAIT


def test_close_wait_acks_a_retransmitted_fin_again():
    h = peer_in(State.CLOSE_WAIT)
    p = h.peer
    out = sent(h.receive(Segment(Flag.FIN | Flag.ACK, p.rcv_nxt - 1, p.snd_nxt)))
    assert show(out) == f"ACK seq={p.snd_nxt.value} ack={p.rcv_nxt.value}"
    assert h.state is State.CLOSE_WAIT


# ====================================================================== delayed ACK


def test_with_delayed_ack_the_close_takes_three_segments():
    trace = engine.run(
        story(
            engine.Connect(),
            engine.Close(CLIENT),
            engine.Close(SERVER),
            engine.Wait(100),
            server_delayed_ack=True,
        )
    )
    assert ladder(trace)[3:] == [
        "client FIN,ACK seq=1 ack=1",
        "server FIN,ACK seq=1 ack=2",
        "client ACK seq=2 ack=2",
    ]
    assert trace.final_states() == {CLIENT: State.CLOSED, SERVER: State.CLOSED}


def test_without_delayed_ack_the_close_takes_four_segments():
    trace = engine.run(story(engine.Connect(), engine.Close(CLIENT), engine.Close(SERVER)))
    assert ladder(trace)[3:] == [
        "client FIN,ACK seq=1 ack=1",
        "server ACK seq=1 ack=2",
        "server FIN,ACK seq=1 ack=2",
        "client ACK seq=2 ack=2",
    ]


# ====================================================================== CLOSING / LAST_ACK


def test_closing_moves_to_time_wait_when_its_fin_is_acknowledged():
    h = peer_in(State.CLOSING)
    p = h.peer
    out = sent(h.receive(Segment(Flag.ACK, p.rcv_nxt, p.snd_nxt)))
    assert out == [] and h.state is State.TIME_WAIT


def test_last_ack_resends_its_fin_after_one_second_when_it_is_lost():
    h = peer_in(State.LAST_ACK)
    h.link.advance(1.0)
    resent = [ev for ev in h.link.trace.events if isinstance(ev, engine.SegmentSent)][-2:]
    assert [(ev.sender, engine.flags_label(ev.segment.flags), ev.time) for ev in resent] == [
        (CLIENT, "FIN,ACK", 1.0),
        (SERVER, "ACK", 1.0),
    ]
    assert h.state is State.CLOSED


# ====================================================================== TIME_WAIT


@pytest.mark.parametrize("msl", [30.0, 5.0, 0.25])
def test_time_wait_lasts_two_msl(msl):
    steps = (engine.Connect(), engine.Close(CLIENT), engine.Close(SERVER))
    before = engine.run(story(*steps, engine.Wait(2 * msl - 0.001), msl=msl))
    assert before.final_states()[CLIENT] is State.TIME_WAIT, f"left TIME_WAIT before 2*{msl} s"
    after = engine.run(story(*steps, engine.Wait(2 * msl), msl=msl))
    assert client_path(after)[-2:] == [(State.TIME_WAIT, 0.0), (State.CLOSED, 2 * msl)]


def test_the_default_msl_is_30_s_so_time_wait_lasts_60_s():
    assert engine.Scenario().msl == 30.0
    steps = (engine.Connect(), engine.Close(CLIENT), engine.Close(SERVER), engine.Wait(1000))
    assert client_path(engine.run(engine.Scenario(steps=steps)))[-1] == (State.CLOSED, 60.0)


def test_time_wait_acks_a_retransmitted_fin_again_and_restarts_2msl():
    trace = engine.run(
        story(
            engine.Connect(),
            engine.Close(CLIENT),
            engine.Lose(CLIENT, 1),  # the client's last ACK is lost
            engine.Close(SERVER),
            engine.Wait(1000),
        )
    )
    assert ladder(trace)[3:] == [
        "client FIN,ACK seq=1 ack=1",
        "server ACK seq=1 ack=2",
        "server FIN,ACK seq=1 ack=2",
        "client ACK seq=2 ack=2 lost",
        "server FIN,ACK seq=1 ack=2",
        "client ACK seq=2 ack=2",
    ]
    resent_at = [ev.time for ev in trace.events if isinstance(ev, engine.SegmentSent)][-1]
    assert resent_at == 1.0
    assert client_path(trace)[-1] == (State.CLOSED, 61.0), (
        "2MSL restarts when the FIN comes again: CLOSED 60 s after the second ACK, not the first"
    )


def test_time_wait_is_ended_by_a_rst_at_rcv_nxt():
    h = peer_in(State.TIME_WAIT)
    h.receive(Segment(Flag.RST, h.peer.rcv_nxt))
    assert h.state is State.CLOSED


# ====================================================================== forged segments


def test_an_injected_rst_counts_from_the_receivers_rcv_nxt_and_shows_as_from_the_other_peer():
    trace = engine.run(
        story(engine.Connect(), engine.Inject(CLIENT, Flag.RST, seq=1000)),
    )
    (forged,) = [
        ev for ev in trace.events if isinstance(ev, engine.SegmentSent) and ev.why is Why.INJECTED
    ]
    assert forged.sender is SERVER and forged.segment.seq == SeqNum(5001 + 1000)
    assert ladder(trace)[-1] == "client ACK seq=1 ack=1", "a challenge ACK (RFC 5961)"
    assert trace.final_states() == {CLIENT: State.ESTABLISHED, SERVER: State.ESTABLISHED}


def test_an_injected_segment_before_the_receiver_has_heard_from_the_other_counts_from_its_isn():
    trace = engine.run(story(engine.Inject(SERVER, Flag.SYN)))
    forged = next(ev for ev in trace.events if isinstance(ev, engine.SegmentSent))
    assert forged.sender is CLIENT and forged.segment.seq == SeqNum(1000), "the client's ISN"
    # the real client never sent it: it answers the SYN,ACK with RST, the server listens again
    assert ladder(trace)[1:] == ["server SYN,ACK seq=0 ack=1001", "client RST seq=1001"]
    assert trace.final_states()[SERVER] is State.LISTEN


def test_close_with_so_linger_0_is_an_abort():
    linger0 = engine.run(story(engine.Connect(), engine.Close(CLIENT, how="linger0")))
    abort = engine.run(story(engine.Connect(), engine.Abort(CLIENT)))
    assert ladder(linger0) == ladder(abort) and ladder(abort)[-1] == "client RST,ACK seq=1 ack=1"
