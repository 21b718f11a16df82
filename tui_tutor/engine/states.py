"""The TCP connection state machine of RFC 9293 (section 3.3.2, figure 5), as data.

How it works
------------
A connection end (a "peer") is always in one of the eleven ``State``s. Something
happens to it: the user calls ``listen``/``connect``/``send``/``close``/``abort``,
a segment arrives (``rcv SYN``, ``rcv FIN`` ...), or a timer runs out. Each of
these is an ``Event``. ``TRANSITIONS`` lists, for every (state, event) pair that
means something, the next state, what the peer sends on the way ("snd SYN,ACK"),
a one-line reason and the RFC rule behind it.

The peer code (``peer.py``) decides *which* event a segment is (is its ACK
acceptable? is it in the window?) and then asks ``transition()`` where to go,
so the table below is the only place that says which state follows which. The
app draws its diagrams from the same rows, and the tests enumerate them.

A user call with no row is refused (``ProtocolError: close not possible in
CLOSED``), as RFC 9293 section 3.10 answers "error: connection does not exist"
or "connection closing". A segment event with no row changes no state: the
segment is dropped or answered (an ACK, a RST) as section 3.10.7 says.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from .segment import Flag


class State(enum.Enum):
    """The eleven states, spelled as ``netstat`` and most textbooks print them."""

    CLOSED = "CLOSED"
    LISTEN = "LISTEN"
    SYN_SENT = "SYN_SENT"
    SYN_RECEIVED = "SYN_RECEIVED"
    ESTABLISHED = "ESTABLISHED"
    FIN_WAIT_1 = "FIN_WAIT_1"
    FIN_WAIT_2 = "FIN_WAIT_2"
    CLOSE_WAIT = "CLOSE_WAIT"
    CLOSING = "CLOSING"
    LAST_ACK = "LAST_ACK"
    TIME_WAIT = "TIME_WAIT"

    def __str__(self) -> str:
        return self.value

    @property
    def synchronized(self) -> bool:
        """Both ISNs known: every segment from here on carries an ACK."""
        return self not in (State.CLOSED, State.LISTEN, State.SYN_SENT)


class Event(enum.Enum):
    """What can happen to a peer. The value is the label drawn on diagram edges."""

    # user calls
    LISTEN = "listen"
    CONNECT = "connect"
    SEND = "send"
    READ = "read"
    CLOSE = "close"
    ABORT = "abort"
    # arriving segments
    RCV_SYN = "rcv SYN"
    RCV_SYN_ACK = "rcv SYN,ACK"
    RCV_ACK_OF_SYN = "rcv ACK of SYN"
    RCV_FIN = "rcv FIN"
    RCV_ACK_OF_FIN = "rcv ACK of FIN"
    RCV_FIN_ACK = "rcv FIN + ACK of FIN"
    RCV_RST = "rcv RST"
    RCV_DATA = "rcv data"
    # timers
    TIMEOUT_2MSL = "2MSL timeout"
    GIVE_UP = "retransmissions exhausted"
    TIMEOUT_FIN_WAIT_2 = "FIN_WAIT_2 timeout"
    KEEPALIVE_TIMEOUT = "keepalive unanswered"
    # the host itself
    CRASH = "host restarts"

    def __str__(self) -> str:
        return self.value

    @property
    def is_user_call(self) -> bool:
        return self in USER_CALLS

    @property
    def is_timer(self) -> bool:
        return self in TIMER_EVENTS


TIMER_EVENTS = frozenset(
    {Event.TIMEOUT_2MSL, Event.GIVE_UP, Event.TIMEOUT_FIN_WAIT_2, Event.KEEPALIVE_TIMEOUT}
)
USER_CALLS = frozenset(
    {Event.LISTEN, Event.CONNECT, Event.SEND, Event.READ, Event.CLOSE, Event.ABORT}
)


@dataclass(frozen=True, slots=True)
class Transition:
    """One row of the state table."""

    state: State
    event: Event
    next_state: State
    send: str  # what goes on the wire on the way, e.g. "SYN,ACK"; "" for nothing
    reason: str  # one line, in the learner's terms
    rule: str  # where RFC 9293 (or the Linux behaviour it leaves open) says so
    when: str = ""  # a condition that picks between two rows for the same pair
    figure5: bool = False  # an arrow of RFC 9293 figure 5 (or its note 2)
    # no row of the table: a state a recording (a capture) was already in when it began
    observed: bool = False

    @property
    def key(self) -> str:
        """Stable id for translations and tests, e.g. ``LISTEN/rcv SYN``."""
        base = f"{self.state.value}/{self.event.value}"
        return f"{base} ({self.when})" if self.when else base

    @property
    def beyond_the_rfc(self) -> bool:
        """A row RFC 9293's event processing (3.10) has not: what Linux does where the RFC
        leaves it to the host (a RST for lost data, its timers, SYN cookies), a host restart."""
        return not self.rule.startswith("RFC 9293 3.10")

    @property
    def sends(self) -> Flag:
        """``send`` as the flags the peer puts on the wire on this edge; none for nothing
        or for plain data (which only carries the ACK every segment after the SYN has)."""
        return Flag(0) if self.send in ("", "data") else Flag.parse(self.send)

    @property
    def label(self) -> str:
        """The edge label drawn on diagrams: ``rcv SYN / snd SYN,ACK``."""
        return f"{self.event.value} / snd {self.send}" if self.send else self.event.value


S, E = State, Event
_OPEN = "RFC 9293 3.10.1 OPEN call"
_SEND = "RFC 9293 3.10.2 SEND call"
_RECEIVE = "RFC 9293 3.10.3 RECEIVE call"
_DATA_LOST = "RFC 9293 3.6 SHLD-3: a RST shows that data was lost (Linux)"
_CLOSE = "RFC 9293 3.10.4 CLOSE call"
_ABORT = "RFC 9293 3.10.5 ABORT call"
_SYN_SENT = "RFC 9293 3.10.7.3 SYN-SENT state"
_LISTEN = "RFC 9293 3.10.7.2 LISTEN state"
_RST = "RFC 9293 3.10.7.4 second, check the RST bit"
_ACK = "RFC 9293 3.10.7.4 fifth, check the ACK field"
_FIN = "RFC 9293 3.10.7.4 eighth, check the FIN bit"
_TIMEOUT = "RFC 9293 3.10.8 timeouts"
_ABORT_RST = "sends RST,ACK (Linux adds ACK to the RFC's bare RST)"

TRANSITION_LIST: tuple[Transition, ...] = (
    # opening
    Transition(
        S.CLOSED, E.LISTEN, S.LISTEN, "", "passive open: wait for a SYN", _OPEN, figure5=True
    ),
    Transition(
        S.CLOSED,
        E.CONNECT,
        S.SYN_SENT,
        "SYN",
        "active open: send a SYN whose seq is the initial sequence number",
        _OPEN,
        figure5=True,
    ),
    Transition(
        S.LISTEN,
        E.RCV_SYN,
        S.SYN_RECEIVED,
        "SYN,ACK",
        "a SYN arrives: answer with our own SYN and ACK its seq+1",
        _LISTEN,
        figure5=True,
    ),
    Transition(S.LISTEN, E.CLOSE, S.CLOSED, "", "stop listening", _CLOSE, figure5=True),
    Transition(
        S.LISTEN,
        E.RCV_ACK_OF_SYN,
        S.ESTABLISHED,
        "",
        "an ACK that brings back a valid SYN cookie: the connection is rebuilt from the"
        " numbers and open at once (no SYN_RECEIVED was ever kept)",
        "RFC 4987 3.6 SYN cookies; Linux net.ipv4.tcp_syncookies",
        when="SYN cookie",
    ),
    Transition(
        S.LISTEN,
        E.SEND,
        S.SYN_SENT,
        "SYN",
        "data to send: the passive open turns active and sends a SYN (the sockets API cannot"
        " do this; Linux refuses a write on a listening socket)",
        _SEND,
        figure5=True,
    ),
    Transition(S.LISTEN, E.ABORT, S.CLOSED, "", "stop listening; nothing to reset", _ABORT),
    Transition(
        S.SYN_SENT,
        E.RCV_SYN_ACK,
        S.ESTABLISHED,
        "ACK",
        "our SYN is acknowledged and theirs arrived: ACK it, the connection is open",
        _SYN_SENT,
        figure5=True,
    ),
    Transition(
        S.SYN_SENT,
        E.RCV_SYN,
        S.SYN_RECEIVED,
        "SYN,ACK",
        "simultaneous open: a SYN crossed ours; send SYN again, now with an ACK",
        _SYN_SENT,
        figure5=True,
    ),
    Transition(
        S.SYN_SENT,
        E.RCV_RST,
        S.CLOSED,
        "",
        "connection refused: the RST acknowledges our SYN",
        _SYN_SENT,
    ),
    Transition(
        S.SYN_SENT, E.SEND, S.SYN_SENT, "", "data waits until the connection is open", _SEND
    ),
    Transition(
        S.SYN_SENT,
        E.CLOSE,
        S.CLOSED,
        "",
        "give up the connection before it opens",
        _CLOSE,
        figure5=True,
    ),
    Transition(S.SYN_SENT, E.ABORT, S.CLOSED, "", "give up; nothing to reset yet", _ABORT),
    Transition(
        S.SYN_SENT,
        E.GIVE_UP,
        S.CLOSED,
        "",
        "no answer to any SYN: connection timed out",
        _TIMEOUT,
    ),
    Transition(
        S.SYN_RECEIVED,
        E.RCV_ACK_OF_SYN,
        S.ESTABLISHED,
        "",
        "our SYN is acknowledged: the connection is open",
        _ACK,
        figure5=True,
    ),
    Transition(
        S.SYN_RECEIVED,
        E.RCV_SYN_ACK,
        S.ESTABLISHED,
        "ACK",
        "simultaneous open: their SYN,ACK acknowledges our SYN; its SYN we already have, so"
        " we ACK it again (Linux; RFC 9293 figure 7 draws no ACK)",
        "RFC 9293 3.5 figure 7, simultaneous open",
    ),
    Transition(
        S.SYN_RECEIVED,
        E.RCV_RST,
        S.LISTEN,
        "",
        "reset during a passive open: go back to listening",
        _RST,
        when="passive open",
        figure5=True,
    ),
    Transition(
        S.SYN_RECEIVED,
        E.RCV_RST,
        S.CLOSED,
        "",
        "reset during an active open: connection refused",
        _RST,
        when="active open",
    ),
    Transition(
        S.SYN_RECEIVED, E.SEND, S.SYN_RECEIVED, "", "data waits until the connection is open", _SEND
    ),
    Transition(
        S.SYN_RECEIVED,
        E.CLOSE,
        S.FIN_WAIT_1,
        "",
        "close before the handshake ends: the FIN waits until our SYN is acknowledged (Linux;"
        " RFC 9293 figure 5 sends it at once)",
        _CLOSE,
        figure5=True,
    ),
    Transition(
        S.SYN_RECEIVED,
        E.CLOSE,
        S.CLOSED,
        "",
        "the listening socket is closed: its half-open connection goes too, silently (Linux;"
        " no application holds a socket for it yet)",
        "Linux: a closed listener drops its half-open connections (RFC 9293 3.10.4 has no such"
        " case)",
        when="passive open",
    ),
    Transition(S.SYN_RECEIVED, E.ABORT, S.CLOSED, "RST", "abort: " + _ABORT_RST, _ABORT),
    Transition(
        S.SYN_RECEIVED,
        E.GIVE_UP,
        S.CLOSED,
        "",
        "no ACK for our SYN,ACK: give up",
        _TIMEOUT,
    ),
    Transition(
        S.SYN_RECEIVED,
        E.GIVE_UP,
        S.LISTEN,
        "",
        "no ACK for any of our SYN,ACKs (net.ipv4.tcp_synack_retries): the half-open"
        " connection is dropped, silently; the listening socket stays (Linux)",
        "Linux net.ipv4.tcp_synack_retries (RFC 9293 3.10.8 deletes the TCB)",
        when="passive open",
    ),
    # data transfer
    Transition(S.ESTABLISHED, E.SEND, S.ESTABLISHED, "data", "send data", _SEND),
    Transition(S.CLOSE_WAIT, E.SEND, S.CLOSE_WAIT, "data", "half-closed: we may still send", _SEND),
    *(
        Transition(state, E.READ, state, "", "the application reads what has arrived", _RECEIVE)
        for state in (S.ESTABLISHED, S.FIN_WAIT_1, S.FIN_WAIT_2, S.CLOSE_WAIT)
    ),
    # closing
    Transition(
        S.ESTABLISHED,
        E.CLOSE,
        S.FIN_WAIT_1,
        "FIN",
        "active close: send FIN; it takes one sequence number",
        _CLOSE,
        figure5=True,
    ),
    Transition(
        S.ESTABLISHED,
        E.RCV_FIN,
        S.CLOSE_WAIT,
        "ACK",
        "the other side has finished sending: ACK its FIN (seq+1)",
        _FIN,
        figure5=True,
    ),
    Transition(
        S.FIN_WAIT_1,
        E.RCV_ACK_OF_FIN,
        S.FIN_WAIT_2,
        "",
        "our FIN is acknowledged; wait for theirs",
        _ACK,
        figure5=True,
    ),
    Transition(
        S.FIN_WAIT_1,
        E.RCV_FIN,
        S.CLOSING,
        "ACK",
        "simultaneous close: their FIN came before the ACK of ours",
        _FIN,
        figure5=True,
    ),
    Transition(
        S.FIN_WAIT_1,
        E.RCV_FIN_ACK,
        S.TIME_WAIT,
        "ACK",
        "their FIN also acknowledges ours: ACK it and wait 2MSL",
        _FIN,
        figure5=True,
    ),
    Transition(
        S.FIN_WAIT_2,
        E.RCV_FIN,
        S.TIME_WAIT,
        "ACK",
        "their FIN arrives: ACK it and wait 2MSL before forgetting the connection",
        _FIN,
        figure5=True,
    ),
    Transition(
        S.CLOSE_WAIT,
        E.CLOSE,
        S.LAST_ACK,
        "FIN",
        "passive close: our side is done too; send FIN",
        _CLOSE,
        figure5=True,
    ),
    Transition(
        S.CLOSING,
        E.RCV_ACK_OF_FIN,
        S.TIME_WAIT,
        "",
        "our FIN is acknowledged: wait 2MSL",
        _ACK,
        figure5=True,
    ),
    Transition(
        S.LAST_ACK,
        E.RCV_ACK_OF_FIN,
        S.CLOSED,
        "",
        "our FIN is acknowledged: the connection is gone",
        _ACK,
        figure5=True,
    ),
    Transition(
        S.TIME_WAIT,
        E.RCV_FIN,
        S.TIME_WAIT,
        "ACK",
        "their FIN came again (our last ACK may have been lost): ACK again and restart 2MSL",
        _FIN,
    ),
    Transition(
        S.TIME_WAIT,
        E.RCV_SYN,
        S.SYN_RECEIVED,
        "SYN,ACK",
        "a new SYN from the same port, above every number the old connection used: a new"
        " connection replaces TIME_WAIT (Linux, when something listens; its ISN is ours +"
        " 65537)",
        "RFC 9293 3.6.1 MAY-2 (RFC 6191)",
        when="new connection",
    ),
    Transition(
        S.TIME_WAIT,
        E.TIMEOUT_2MSL,
        S.CLOSED,
        "",
        "2MSL passed: no old segment can still arrive",
        _TIMEOUT,
        figure5=True,
    ),
    # closing with data nobody will read: a RST instead of a FIN
    *(
        Transition(
            state,
            E.CLOSE,
            S.CLOSED,
            "RST",
            "close() while received data is still unread: reset instead of FIN",
            _DATA_LOST,
            when="unread data",
        )
        for state in (S.ESTABLISHED, S.CLOSE_WAIT)
    ),
    *(
        Transition(
            state,
            E.RCV_DATA,
            S.CLOSED,
            "RST",
            "new data after the application closed: nobody can read it; reset",
            _DATA_LOST,
            when="after close",
        )
        for state in (S.FIN_WAIT_1, S.FIN_WAIT_2)
    ),
    # resets
    *(
        Transition(state, E.RCV_RST, S.CLOSED, "", "connection reset by the other side", _RST)
        for state in (S.ESTABLISHED, S.FIN_WAIT_1, S.FIN_WAIT_2, S.CLOSE_WAIT)
    ),
    *(
        Transition(state, E.RCV_RST, S.CLOSED, "", "reset while closing: forget it now", _RST)
        for state in (S.CLOSING, S.LAST_ACK, S.TIME_WAIT)
    ),
    *(
        Transition(state, E.ABORT, S.CLOSED, "RST", "abort: " + _ABORT_RST, _ABORT)
        for state in (S.ESTABLISHED, S.FIN_WAIT_1, S.FIN_WAIT_2, S.CLOSE_WAIT)
    ),
    *(
        Transition(state, E.ABORT, S.CLOSED, "", "abort while closing: just forget it", _ABORT)
        for state in (S.CLOSING, S.LAST_ACK, S.TIME_WAIT)
    ),
    *(
        Transition(
            state, E.GIVE_UP, S.CLOSED, "", "no ACK after every retransmission: give up", _TIMEOUT
        )
        for state in (S.ESTABLISHED, S.FIN_WAIT_1, S.CLOSE_WAIT, S.CLOSING, S.LAST_ACK)
    ),
    # Linux's timers for connections that might never end
    Transition(
        S.FIN_WAIT_2,
        E.TIMEOUT_FIN_WAIT_2,
        S.CLOSED,
        "",
        "the application has closed and no FIN came within net.ipv4.tcp_fin_timeout (60 s):"
        " forget the connection, silently",
        "Linux tcp_fin_timeout (RFC 9293 3.10.4 would wait in FIN-WAIT-2 forever)",
    ),
    *(
        Transition(
            state,
            E.KEEPALIVE_TIMEOUT,
            S.CLOSED,
            "RST",
            "no keepalive probe was answered: the other end is gone; reset (ETIMEDOUT)",
            "RFC 9293 3.8.4 TCP keep-alives; Linux net.ipv4.tcp_keepalive_*",
        )
        for state in (S.ESTABLISHED, S.CLOSE_WAIT)
    ),
    # a crash: the host forgets every connection without a word (half-open connections)
    *(
        Transition(
            state,
            E.CRASH,
            S.CLOSED,
            "",
            "the host crashed and restarted: its connections are forgotten, nothing is sent",
            "RFC 9293 3.5.2 half-open connections and other anomalies",
        )
        for state in State
        if state is not S.CLOSED
    ),
)

TRANSITIONS: dict[tuple[State, Event, str], Transition] = {
    (t.state, t.event, t.when): t for t in TRANSITION_LIST
}


class ProtocolError(Exception):
    """A user call that the current state does not allow."""

    def __init__(self, event: Event, state: State, role: str = "") -> None:
        self.event, self.state, self.role = event, state, role
        super().__init__(f"{event.value} not possible in {state.value}")


def transition(state: State, event: Event, when: str = "") -> Transition | None:
    """The row for (state, event), or None when the event changes nothing there."""
    return TRANSITIONS.get((state, event, when))
