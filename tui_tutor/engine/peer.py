"""One end of a TCP connection: a transmission control block (TCB), sans-IO.

A ``Peer`` never touches a socket or a clock. The caller hands it a user call,
an arriving segment, an expired timer or a crash, together with the current virtual
time (read only where time matters: the ISN clock, when to give up), and gets back a
list of ``Action``s: segments to put on the wire, state changes, timers to start or
stop. The link (``link.py``) carries them out.

The receive path follows RFC 9293 section 3.10.7: first the states without a
synchronized connection (CLOSED, LISTEN, SYN-SENT), then for everything else, as
smoltcp reads it: the few segments Linux answers before the RFC's steps; is the
segment acceptable (first)? then what it is, one step each: the RST bit (second),
security (third, not modelled), the SYN bit (fourth), the ACK field (fifth), the URG
bit (sixth, not modelled), the text (seventh), the FIN bit (eighth). What a
transition sends is read from its row of the table (``Transition.sends``). Where the
RFC leaves a choice open, the peer does what Linux does on loopback (RST,ACK on
abort, the SYN,ACK resent for a repeated SYN, an out-of-order queue), because the
tutor's ground truth is what a real kernel sends.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .segment import Flag, Segment, sequence_space
from .seq import SeqNum, in_window
from .settings import INITIAL_RTO, MAX_RTO, MIN_RTO, Sysctl, give_up_after
from .states import Event, ProtocolError, State, Transition, transition
from .trace import Role, TimerKind, Why

DELAYED_ACK_TIMEOUT = 0.04  # Linux's minimum delayed-ACK timeout (TCP_DELACK_MIN)
# RFC 6528: ISN = M + F(4-tuple, secret), M a clock. Linux's clock ticks every 64 ns; F is
# the same for the same 4-tuple, so a later connection between the same ports starts higher
ISN_CLOCK_HZ = 1_000_000_000 // 64
RECEIVE_WINDOW = 65535


@dataclass(frozen=True, slots=True)
class Transmit:
    segment: Segment
    why: Why
    retransmission: bool = False


@dataclass(frozen=True, slots=True)
class ChangeState:
    old: State
    new: State
    transition: Transition


@dataclass(frozen=True, slots=True)
class StartTimer:
    """Start (or restart) a timer that runs out ``duration`` seconds from now."""

    timer: TimerKind
    duration: float


@dataclass(frozen=True, slots=True)
class StopTimer:
    timer: TimerKind


@dataclass(frozen=True, slots=True)
class Drop:
    """The segment changed nothing; ``reason`` says why, for the ladder's note."""

    reason: str


Action = Transmit | ChangeState | StartTimer | StopTimer | Drop


@dataclass
class _Unacked:
    """A segment that takes sequence numbers and waits for its ACK."""

    seq: SeqNum
    flags: Flag  # SYN / FIN / PSH as first sent; ACK is added when resent
    length: int

    @property
    def end(self) -> SeqNum:
        return self.seq + sequence_space(self.flags, self.length)


@dataclass
class PeerConfig:
    isn: int  # the ISN of the first connection; later ones follow the ISN clock
    listening: bool = False
    delayed_ack: bool = False
    msl: float = 30.0
    mss: int = 1460
    reads: bool = True  # the application reads arriving data at once
    keepalive: bool = False  # SO_KEEPALIVE: probe the other end when the connection is idle
    backlog: int = 128  # listen(backlog): how many connections each queue may hold
    #: the retransmission timeout once the connection is open (Linux measures the round
    #: trip: srtt + 4 * rttvar, at least 200 ms, which is what it is on loopback)
    rto: float = INITIAL_RTO
    sysctl: Sysctl = field(default_factory=Sysctl)


@dataclass
class Peer:
    """A TCB. The sequence variables keep their RFC 9293 names."""

    role: Role
    config: PeerConfig
    state: State = State.CLOSED
    #: ISS: our initial sequence number; set when we send our SYN.
    iss: SeqNum | None = None
    #: IRS: their initial sequence number; set when their SYN arrives.
    irs: SeqNum | None = None
    #: SND.UNA: oldest sequence number not yet acknowledged (= SND.NXT when idle).
    snd_una: SeqNum = field(default_factory=lambda: SeqNum(0))
    #: SND.NXT: the next sequence number we will send.
    snd_nxt: SeqNum = field(default_factory=lambda: SeqNum(0))
    #: SND.WND: the window the other side last advertised.
    snd_wnd: int = RECEIVE_WINDOW
    #: RCV.NXT: the next sequence number we expect; what our ACKs carry.
    rcv_nxt: SeqNum = field(default_factory=lambda: SeqNum(0))
    #: RCV.WND: our receive window; the application reads at once, so it stays full.
    rcv_wnd: int = RECEIVE_WINDOW
    passive: bool = False  # reached SYN_RECEIVED from LISTEN
    # the segment being taken acknowledged our FIN: step five (the ACK) tells step eight
    _fin_acked_now: bool = False
    isn_clock_zero: float | None = None  # when the first ISN was chosen
    # a listener's queues, filled by other clients the scenario does not draw: connections
    # waiting for accept(), and half-open ones (a SYN flood)
    others_waiting: int = 0
    others_half_open: int = 0
    cookies: set[tuple[int, int]] = field(default_factory=set)  # (their ISN, our cookie ISN)
    unread: int = 0  # bytes received that the application has not read yet
    released: bool = False  # the application called close(): nobody reads any more
    queued_bytes: int = 0  # written by the application, not yet sent
    fin_wanted: bool = False  # close() called; FIN goes out after the queued bytes
    fin_sent: bool = False
    unacked: list[_Unacked] = field(default_factory=list)
    backoff: int = 0  # the RTO has doubled this many times (RFC 6298 5.5)
    retries: int = 0  # retransmissions by the RTO timer since the last new ACK
    probed: bool = False  # the tail loss probe for the oldest segment has gone
    retrans_stamp: float | None = None  # when Linux starts counting towards giving up
    rto_running: bool = False
    fin_wait_2_running: bool = False  # Linux's FIN_WAIT_2 timer (after close())
    keepalive_running: bool = False
    probes_out: int = 0  # keepalive probes sent and not answered
    ack_owed: bool = False  # a delayed ACK is being held back
    out_of_order: dict[int, Segment] = field(default_factory=dict)
    _out: list[Action] = field(default_factory=list)

    # ---------------------------------------------------------------- user calls

    def call(
        self, event: Event, now: float, nbytes: int = 0, shutdown: bool = False
    ) -> list[Action]:
        """Run a user call (``Event.CONNECT``, ``SEND`` ...). Raises ProtocolError.

        ``shutdown``: a ``CLOSE`` that only ends our sending (``shutdown(SHUT_WR)``); the
        application keeps the socket and may read. Without it, ``CLOSE`` is ``close()``.
        """
        when = ""
        if event is Event.CLOSE and not shutdown and self.unread:
            when = "unread data"
        elif event is Event.CLOSE and self.state is State.SYN_RECEIVED and self.passive:
            when = "passive open"
        row = self._user_row(event, when)
        if event is Event.SEND:
            self._send(row, now, nbytes)
        elif event is Event.CLOSE:
            self._close(row, shutdown)
        elif event is Event.CONNECT:
            self._connect(row, now)
        else:
            {Event.LISTEN: self._listen, Event.READ: self._read, Event.ABORT: self._abort}[event](
                row
            )
        return self._flush()

    def _user_row(self, event: Event, when: str = "") -> Transition:
        row = transition(self.state, event, when) or transition(self.state, event)
        if row is None:
            raise ProtocolError(event, self.state, self.role.value)
        return row

    def _listen(self, row: Transition) -> None:
        self._move(row)

    def _connect(self, row: Transition, now: float) -> None:
        self.iss = self._choose_isn(now)
        self.snd_una, self.snd_nxt = self.iss, self.iss + 1
        self.passive = False
        self._move(row)
        self.retrans_stamp = now  # Linux counts a connect's time from its first SYN
        self._emit_new(row.sends, self.iss, 0, Why.SYN)  # SYN

    def _send(self, row: Transition, now: float, nbytes: int) -> None:
        self.queued_bytes += nbytes
        if self.state is State.LISTEN:
            # RFC 9293 3.10.2: "change the connection from passive to active", SYN first
            self._connect(row, now)
            return
        self._move(row)
        if self.state in (State.ESTABLISHED, State.CLOSE_WAIT):
            self._push()

    def _read(self, row: Transition) -> None:
        self.unread = 0
        self._move(row)

    def _close(self, row: Transition, shutdown: bool) -> None:
        if row.next_state is State.CLOSED and not row.sends:  # LISTEN, SYN_SENT, half-open
            self._forget(row)
            return
        if Flag.RST in row.sends:  # unread data (Linux tcp_close)
            self._reset(row, Why.RST_UNREAD)
            return
        self.released = not shutdown
        self.fin_wanted = True
        self._move(row)
        self._push()

    def _abort(self, row: Transition) -> None:
        if Flag.RST in row.sends:
            self._reset(row, Why.RST_ABORT)
        else:
            self._forget(row)

    def _reset(self, row: Transition, why: Why) -> None:
        """Give the connection up with RST,ACK at SND.NXT / RCV.NXT (Linux's active reset).
        The state changes first, so that a reset lost on the way shows the sender CLOSED."""
        rst = Segment(Flag.RST | Flag.ACK, self.snd_nxt, self.rcv_nxt)
        self._forget(row)
        self._emit(rst, why)

    # ---------------------------------------------------------------- timers

    def timer_expired(self, timer: TimerKind, now: float) -> list[Action]:
        if timer is TimerKind.TIME_WAIT and self.state is State.TIME_WAIT:
            self._forget(self._row(Event.TIMEOUT_2MSL))
        elif timer is TimerKind.FIN_WAIT_2:
            self.fin_wait_2_running = False
            if self.state is State.FIN_WAIT_2:
                self._forget(self._row(Event.TIMEOUT_FIN_WAIT_2))
        elif timer is TimerKind.KEEPALIVE:
            self.keepalive_running = False
            self._keepalive()
        elif timer is TimerKind.DELAYED_ACK and self.ack_owed:
            self._send_ack(Why.ACK_OF_FIN if self.state in _FIN_RECEIVED else Why.ACK)
        elif timer is TimerKind.RETRANSMISSION:
            self.rto_running = False
            if self.unacked:
                self._retransmit(now)
        return self._flush()

    def _retransmit(self, now: float) -> None:
        if self._timed_out(now):
            row = self._row(Event.GIVE_UP, "passive open" if self._passive_half_open else "")
            if row.next_state is State.LISTEN:
                self._back_to_listen(row)
            else:
                self._forget(row)
            return
        if self.state not in (State.SYN_SENT, State.SYN_RECEIVED) and not self.probed:
            # Linux's tail loss probe (RFC 8985): the first resend once the connection is
            # open; the timer does not back off for it and it does not count
            self.probed = True
        else:
            self.retries += 1
            if self.retrans_stamp is None:
                self.retrans_stamp = now
            linear = self.config.sysctl.tcp_syn_linear_timeouts
            if self.state is not State.SYN_SENT or self.retries > linear:
                self.backoff += 1  # RFC 6298 (5.5): back off
        self._resend_head()
        self._start_rto()

    def _keepalive(self) -> None:
        """Linux's tcp_keepalive_timer: probe an idle connection; reset it when nobody answers."""
        sysctl = self.config.sysctl
        if self.unacked:  # the retransmission timer is watching the other end already
            self._start_timer(TimerKind.KEEPALIVE, sysctl.tcp_keepalive_time)
            return
        row = transition(self.state, Event.KEEPALIVE_TIMEOUT)
        if row is None:
            return
        if self.probes_out >= sysctl.tcp_keepalive_probes:
            self._reset(row, Why.RST_KEEPALIVE)
            return
        # a probe the other end must answer: one byte before what it expects, no data
        self._emit(Segment(Flag.ACK, self.snd_nxt - 1, self.rcv_nxt), Why.KEEPALIVE)
        self.probes_out += 1
        self._start_timer(TimerKind.KEEPALIVE, sysctl.tcp_keepalive_intvl)

    def _choose_isn(self, now: float) -> SeqNum:
        """RFC 6528: the configured ISN for the first connection, then the clock's advance."""
        if self.isn_clock_zero is None:
            self.isn_clock_zero = now
        return SeqNum(self.config.isn + round((now - self.isn_clock_zero) * ISN_CLOCK_HZ))

    def _start_timer(self, timer: TimerKind, seconds: float) -> None:
        setattr(self, _RUNNING[timer], True)
        self._out.append(StartTimer(timer, seconds))

    def crash(self, now: float) -> list[Action]:
        """The host restarts: every timer stops, nothing is sent, the TCB is gone.
        (``now`` unused: every input of the peer carries the time, as sans-IO inputs do.)"""
        if self.state is not State.CLOSED:
            self._forget(self._row(Event.CRASH))
        return self._flush()

    def _timed_out(self, now: float) -> bool:
        """Linux's tcp_write_timeout: has this connection retransmitted long enough?"""
        sysctl = self.config.sysctl
        if self.state is State.SYN_RECEIVED:
            limit = sysctl.tcp_synack_retries if self.passive else sysctl.tcp_syn_retries
            return self.retries >= limit
        if self.state is State.SYN_SENT:
            limit, base = sysctl.tcp_syn_retries, INITIAL_RTO
            if self.retries >= limit + sysctl.tcp_syn_linear_timeouts:
                return True
        else:
            limit = sysctl.orphan_retries if self.released else sysctl.tcp_retries2
            base = MIN_RTO
        if not self.retries or self.retrans_stamp is None:
            return False
        return now - self.retrans_stamp >= give_up_after(limit, base) - 1e-9

    @property
    def _passive_half_open(self) -> bool:
        return self.state is State.SYN_RECEIVED and self.passive

    @property
    def rto(self) -> float:
        """The retransmission timeout now: the base for the state, doubled per back-off."""
        opening = self.state in (State.SYN_SENT, State.SYN_RECEIVED)
        base = INITIAL_RTO if opening else self.config.rto
        return min(base * 2.0**self.backoff, MAX_RTO)

    def _resend_head(self) -> None:
        head = self.unacked[0]
        flags = head.flags
        if self.state.synchronized:
            flags |= Flag.ACK
        ack = self.rcv_nxt if Flag.ACK in flags else None
        self._emit(
            Segment(flags, head.seq, ack, head.length), Why.RETRANSMISSION, retransmission=True
        )

    # ---------------------------------------------------------------- arrivals

    def receive(self, seg: Segment, now: float) -> list[Action]:
        """Process an arriving segment (RFC 9293 section 3.10.7)."""
        if self.state is State.CLOSED:
            self._closed_receive(seg)
        elif self.state is State.LISTEN:
            self._listen_receive(seg, now)
        elif self.state is State.SYN_SENT:
            self._syn_sent_receive(seg)
        else:
            self._synchronized_receive(seg)
        return self._flush()

    def _closed_receive(self, seg: Segment) -> None:
        """3.10.7.1: no connection here; anything but a RST gets a RST."""
        if seg.has(Flag.RST):
            self._drop("RST to a closed port: ignored")
        else:
            self._answer_with_rst(
                seg, Why.RST_NO_CONNECTION if seg.has(Flag.ACK) else Why.RST_REFUSED
            )

    def _answer_with_rst(self, seg: Segment, why: Why) -> None:
        """The RST that answers a segment nothing will take (RFC 9293 3.10.7.1)."""
        if seg.has(Flag.ACK):
            self._emit(Segment(Flag.RST, seg.ack or SeqNum(0)), why)
        else:
            self._emit(Segment(Flag.RST | Flag.ACK, SeqNum(0), seg.seq + seg.seg_len), why)

    # ---------------------------------------------------------------- the listen queues

    def crowd(self, accept_queue: int, syn_queue: int) -> None:
        """Other clients' connections now wait in our queues (not drawn, not on the wire)."""
        self.others_waiting, self.others_half_open = accept_queue, syn_queue

    def accept(self) -> None:
        """The application accepts the oldest waiting connection (another client's first)."""
        self.others_waiting = max(0, self.others_waiting - 1)

    @property
    def _accept_queue_full(self) -> bool:
        """Linux's sk_acceptq_is_full: backlog + 1 connections fit."""
        return self.others_waiting > self.config.backlog

    @property
    def _syn_queue_full(self) -> bool:
        """Linux's inet_csk_reqsk_queue_is_full: as many half-open ones as the backlog allows."""
        return self.others_half_open > self.config.backlog

    def _syn_cookie(self, seg: Segment, now: float) -> None:
        """Answer with a SYN,ACK whose ISN encodes the connection, and keep nothing."""
        cookie = self._choose_isn(now)
        self.cookies.add((seg.seq.value, cookie.value))
        self._emit(Segment(Flag.SYN | Flag.ACK, cookie, seg.seq + 1), Why.SYN_COOKIE)

    def _cookie_ack(self, seg: Segment) -> bool:
        """An ACK that brings back one of our cookies opens the connection at once."""
        assert seg.ack is not None
        if ((seg.seq - 1).value, (seg.ack - 1).value) not in self.cookies:
            return False
        if self._accept_queue_full:
            self._drop("a valid SYN cookie, but the accept queue is full: dropped")
            return True
        self.irs, self.rcv_nxt = seg.seq - 1, seg.seq
        self.iss, self.snd_una, self.snd_nxt = seg.ack - 1, seg.ack, seg.ack
        self.passive = True
        self._move(self._row(Event.RCV_ACK_OF_SYN, "SYN cookie"))
        self._synchronized_receive(seg)  # its data, if it carries any
        return True

    def _listen_receive(self, seg: Segment, now: float) -> None:
        """3.10.7.2."""
        sysctl = self.config.sysctl
        if seg.has(Flag.RST):
            self._drop("RST in LISTEN: ignored")
        elif seg.has(Flag.ACK):
            if seg.has(Flag.SYN) or not self._cookie_ack(seg):
                self._emit(Segment(Flag.RST, seg.ack or SeqNum(0)), Why.RST_BAD_ACK)
        elif seg.has(Flag.SYN) and (sysctl.tcp_syncookies == 2 or self._syn_queue_full):
            # Linux's tcp_conn_request: a cookie instead of a SYN queue entry
            if not sysctl.tcp_syncookies:
                self._drop("the SYN queue is full and SYN cookies are off: SYN dropped")
            elif self._accept_queue_full:
                self._drop("the accept queue is full: SYN dropped")
            else:
                self._syn_cookie(seg, now)
        elif seg.has(Flag.SYN) and self._accept_queue_full:
            self._drop("the accept queue is full: SYN dropped")
        elif seg.has(Flag.SYN):
            self.irs = seg.seq
            self.rcv_nxt = seg.seq + 1  # data on a SYN is not accepted (no Fast Open)
            self.snd_wnd = seg.window
            self.iss = self._choose_isn(now)
            self.snd_una, self.snd_nxt = self.iss, self.iss + 1
            self.passive = True
            row = self._row(Event.RCV_SYN)
            self._move(row)
            self._emit_new(row.sends, self.iss, 0, Why.SYN_ACK)  # SYN,ACK
        else:
            self._drop("neither SYN, ACK nor RST in LISTEN: dropped")

    def _syn_sent_receive(self, seg: Segment) -> None:
        """3.10.7.3."""
        assert self.iss is not None
        ack_ok = False
        if seg.has(Flag.ACK):
            assert seg.ack is not None
            if seg.ack <= self.iss or seg.ack > self.snd_nxt:
                if seg.has(Flag.RST):
                    self._drop("RST with an ACK of something never sent: ignored")
                else:
                    self._emit(Segment(Flag.RST, seg.ack), Why.RST_BAD_ACK)
                return
            ack_ok = True
        if seg.has(Flag.RST):
            if ack_ok:
                self._forget(self._row(Event.RCV_RST))
            else:
                self._drop("RST without an ACK in SYN_SENT: ignored")
            return
        if not seg.has(Flag.SYN):
            self._drop("no SYN in SYN_SENT: dropped")
            return
        self.irs = seg.seq
        self.rcv_nxt = seg.seq + 1
        self.snd_wnd = seg.window
        if ack_ok:
            assert seg.ack is not None
            self._acknowledge(seg.ack)
            self._move(self._row(Event.RCV_SYN_ACK))
            if self.queued_bytes or self.fin_wanted:
                self._push()  # the third segment of the handshake carries the data
            else:
                self._send_ack(Why.HANDSHAKE_ACK)
        else:
            # simultaneous open: our SYN is resent, now acknowledging theirs
            row = self._row(Event.RCV_SYN)
            self._move(row)
            self._emit(Segment(row.sends, self.iss, self.rcv_nxt), Why.SYN_ACK)  # SYN,ACK

    def _synchronized_receive(self, seg: Segment) -> None:
        """3.10.7.4, SYN_RECEIVED and every state after it, as smoltcp reads it: is the
        segment one Linux answers before the RFC's steps; is it acceptable (first); then
        what it is, one bit at a time (second to eighth), each step applying what it says."""
        assert self.irs is not None and self.iss is not None
        if self.keepalive_running:  # the other end is alive: the idle time starts again
            self.probes_out = 0
            self._start_timer(TimerKind.KEEPALIVE, self.config.sysctl.tcp_keepalive_time)
        if self._answered_before_the_steps(seg):
            return
        steps = (
            self._check_sequence,  # first
            self._check_rst,  # second
            # third, check security: the tutor's segments carry no security compartment
            self._check_syn,  # fourth
            self._check_ack,  # fifth
            # sixth, check the URG bit: no urgent data here
        )
        for step in steps:
            if not step(seg):
                return
        self._take_segment(seg)  # seventh (the text) and eighth (the FIN)

    def _answered_before_the_steps(self, seg: Segment) -> bool:
        """What Linux answers before the RFC's steps; True when the segment is done with."""
        syn_received = self.state is State.SYN_RECEIVED
        # a repeated SYN in SYN_RECEIVED means our SYN,ACK was lost: send it again
        if syn_received and seg.flags == Flag.SYN and seg.seq == self.irs:
            assert self.iss is not None
            self._emit(
                Segment(Flag.SYN | Flag.ACK, self.iss, self.rcv_nxt),
                Why.SYN_ACK,
                retransmission=True,
            )
            return True
        # simultaneous open: their SYN,ACK answers ours (RFC 9293 figure 7)
        if (
            syn_received
            and not self.passive
            and seg.has(Flag.SYN)
            and seg.has(Flag.ACK)
            and seg.seq == self.irs
            and seg.ack == self.snd_nxt
        ):
            assert seg.ack is not None
            self._acknowledge(seg.ack)
            self._move(self._row(Event.RCV_SYN_ACK))
            # Linux takes the SYN in it for a duplicate and acknowledges it (tests/kernel)
            if self.queued_bytes or self.fin_wanted:
                self._push()
            else:
                self._send_ack(Why.DUPLICATE_ACK)
            return True
        if self.state is not State.TIME_WAIT:
            return False
        # a new SYN above everything the old connection used starts a new one (RFC 9293
        # 3.6.1 MAY-2), if we listen on the port; Linux picks an ISN above ours too
        if seg.flags == Flag.SYN and seg.seq > self.rcv_nxt and self.config.listening:
            self._reincarnate(seg)
            return True
        # their FIN again: our last ACK may have been lost (Linux restarts 2MSL)
        if seg.has(Flag.FIN) and not seg.has(Flag.RST) and seg.end == self.rcv_nxt:
            self._move(self._row(Event.RCV_FIN))
            self._send_ack(Why.ACK_OF_FIN)
            self._start_time_wait()
            return True
        return False

    def _check_sequence(self, seg: Segment) -> bool:
        """First: is it in the window? Outside it, only an ACK answers (not to a RST)."""
        if self._acceptable(seg):
            return True
        if seg.has(Flag.RST):
            self._drop("RST outside the window: ignored")
        elif seg.has(Flag.FIN) and seg.end == self.rcv_nxt:
            self._send_ack(Why.ACK_OF_FIN)
            self._drop("their FIN again: our ACK of it was lost; ACK it again")
        else:
            self._send_ack(Why.DUPLICATE_ACK)
            self._drop("outside the receive window: dropped, ACK sent")
        return False

    def _check_rst(self, seg: Segment) -> bool:
        """Second: the RST bit. Only one exactly at RCV.NXT resets (RFC 5961)."""
        if not seg.has(Flag.RST):
            return True
        if seg.seq != self.rcv_nxt:
            self._send_ack(Why.CHALLENGE_ACK)
            self._drop("RST in the window but not at RCV.NXT: challenge ACK")
            return False
        when = ""
        if self.state is State.SYN_RECEIVED:
            when = "passive open" if self.passive else "active open"
        row = self._row(Event.RCV_RST, when)
        if row.next_state is State.LISTEN:
            self._back_to_listen(row)
        else:
            self._forget(row)
        return False

    def _check_syn(self, seg: Segment) -> bool:
        """Fourth: the SYN bit. A SYN in the window is answered with a challenge ACK."""
        if not seg.has(Flag.SYN):
            return True
        if self.state is State.SYN_RECEIVED and self.passive:
            self._drop("a new SYN in SYN_RECEIVED: the half-open connection is dropped")
            self._back_to_listen(self._row(Event.RCV_RST, "passive open"))
            return False
        self._send_ack(Why.CHALLENGE_ACK)
        self._drop("SYN on an open connection: challenge ACK (RFC 5961)")
        return False

    def _check_ack(self, seg: Segment) -> bool:
        """Fifth: the ACK field. It completes the handshake, moves SND.UNA, and may
        acknowledge our FIN (FIN_WAIT_1, CLOSING, LAST_ACK)."""
        if not seg.has(Flag.ACK):
            self._drop("no ACK bit: dropped")
            return False
        assert seg.ack is not None
        self._fin_acked_now = False
        if self.state is State.SYN_RECEIVED:
            if not (self.snd_una < seg.ack <= self.snd_nxt):
                self._emit(Segment(Flag.RST, seg.ack), Why.RST_BAD_ACK)
                self._drop("unacceptable ACK in SYN_RECEIVED: RST sent")
                return False
            if self.passive and self._accept_queue_full:
                self._drop("the accept queue is full: the ACK is dropped, the SYN,ACK resent later")
                return False
            self._acknowledge(seg.ack)
            self._move(self._row(Event.RCV_ACK_OF_SYN))
        elif seg.ack > self.snd_nxt:
            self._send_ack(Why.DUPLICATE_ACK)
            self._drop("acknowledges something never sent: dropped, ACK sent")
            return False
        elif seg.ack > self.snd_una:
            was_fin_outstanding = self.fin_sent and self.snd_una < self.snd_nxt
            self._acknowledge(seg.ack)
            self._fin_acked_now = was_fin_outstanding and self.snd_una == self.snd_nxt
        if not self._fin_acked_now:
            return True
        if self.state is State.FIN_WAIT_1 and not self._fin_in_order(seg):
            self._move(self._row(Event.RCV_ACK_OF_FIN))
            if self.released:  # nobody will read: Linux bounds the wait for their FIN
                self._start_timer(TimerKind.FIN_WAIT_2, self.config.sysctl.tcp_fin_timeout)
        elif self.state is State.CLOSING:
            self._move(self._row(Event.RCV_ACK_OF_FIN))
            self._start_time_wait()
            return False
        elif self.state is State.LAST_ACK:
            self._forget(self._row(Event.RCV_ACK_OF_FIN))
            return False
        return True

    def _take_segment(self, seg: Segment) -> None:
        """Seventh, the segment text, and eighth, the FIN bit; then what can be sent now.
        New data for an application that has closed is lost: a RST says so."""
        new_data = seg.length > 0 and seg.seq + seg.length > self.rcv_nxt
        if self.released and new_data and self.state in _ACCEPTS_DATA:
            self._forget(self._row(Event.RCV_DATA, "after close"))
            self._answer_with_rst(seg, Why.RST_DATA_AFTER_CLOSE)
            return
        if seg.length or seg.has(Flag.FIN):
            self._take_text(seg, self._fin_acked_now)
        self._push()

    def _take_text(self, seg: Segment, fin_acked_now: bool) -> None:
        if seg.seq > self.rcv_nxt:
            self.out_of_order[seg.seq.value] = seg
            self._send_ack(Why.DUPLICATE_ACK)
            self._drop("out of order: queued, duplicate ACK sent")
            return
        self._take_in_order(seg, fin_acked_now)
        while self.rcv_nxt.value in self.out_of_order:
            self._take_in_order(self.out_of_order.pop(self.rcv_nxt.value), False)

    def _take_in_order(self, seg: Segment, fin_acked_now: bool) -> None:
        new_bytes = max(0, seg.length - self.rcv_nxt.since(seg.seq))
        if new_bytes and self.state in _ACCEPTS_DATA:
            self.rcv_nxt = self.rcv_nxt + new_bytes
            if not self.config.reads:
                self.unread += new_bytes
        elif seg.length and not seg.has(Flag.FIN):
            self._drop(f"data after their FIN in {self.state}: ignored")
            return
        if seg.has(Flag.FIN) and seg.seq + seg.length == self.rcv_nxt:
            self._take_fin(fin_acked_now)
        elif new_bytes:
            self._ack_data()

    def _take_fin(self, fin_acked_now: bool) -> None:
        """Eighth: the FIN bit. It takes one sequence number, so RCV.NXT moves past it."""
        self.rcv_nxt = self.rcv_nxt + 1
        if self.state in (State.SYN_RECEIVED, State.ESTABLISHED):
            self._move(self._row(Event.RCV_FIN), State.CLOSE_WAIT)
            # the ACK of a FIN may wait (Linux's "pingpong" mode): that is the three-segment
            # close, when the application closes before the delayed-ACK timer runs out
            self._ack_data(why=Why.ACK_OF_FIN)
            return
        if self.state is State.FIN_WAIT_1:
            row = self._row(Event.RCV_FIN_ACK if fin_acked_now else Event.RCV_FIN)
            self._move(row)
            self._send_ack(Why.ACK_OF_FIN)
            if row.next_state is State.TIME_WAIT:
                self._start_time_wait()
            return
        if self.state is State.FIN_WAIT_2:
            self._move(self._row(Event.RCV_FIN))
            self._send_ack(Why.ACK_OF_FIN)
            self._start_time_wait()

    # ---------------------------------------------------------------- helpers

    def _acceptable(self, seg: Segment) -> bool:
        """RFC 9293 3.10.7.4 "first": the four cases of the acceptability test."""
        seg_len = seg.seg_len
        if seg_len == 0:
            return in_window(seg.seq, self.rcv_nxt, max(self.rcv_wnd, 1))
        last = seg.seq + (seg_len - 1)
        return in_window(seg.seq, self.rcv_nxt, self.rcv_wnd) or in_window(
            last, self.rcv_nxt, self.rcv_wnd
        )

    def _fin_in_order(self, seg: Segment) -> bool:
        """The segment's FIN is the next thing to take, once its data is taken."""
        return seg.has(Flag.FIN) and seg.seq <= self.rcv_nxt <= seg.seq + seg.length

    def _acknowledge(self, ack: SeqNum) -> None:
        """SND.UNA moves up to ack; acknowledged segments leave the retransmission queue."""
        recovering = self.retries > 0 or self.probed
        self.snd_una = ack
        self.unacked = [u for u in self.unacked if u.end > ack]
        self._reset_backoff()
        if self.unacked:
            if recovering:
                # after a timeout, what is still unacknowledged was lost too: each ACK
                # brings the next retransmission (Linux's loss recovery, cwnd aside)
                self._resend_head()
            self._start_rto()  # RFC 6298 (5.3)
        elif self.rto_running:
            self._out.append(StopTimer(TimerKind.RETRANSMISSION))
            self.rto_running = False

    def _push(self) -> None:
        """Send queued bytes as the window allows, then the FIN once they are gone."""
        if self.state not in _CAN_SEND:
            return
        if self.snd_una == self.iss:
            # data and the FIN wait until our SYN is acknowledged: a close in SYN_RECEIVED
            # moves to FIN_WAIT_1 and holds its FIN (tests/kernel/close_in_syn_received),
            # where RFC 9293 3.10.4 would send it at once
            return
        while self.queued_bytes:
            room = self.snd_wnd - self.snd_nxt.since(self.snd_una)
            size = min(self.queued_bytes, self.config.mss, room)
            if size <= 0:
                break
            self.queued_bytes -= size
            flags = Flag.ACK | (Flag.PSH if self.queued_bytes == 0 else Flag(0))
            self._emit_new(flags, self.snd_nxt, size, Why.DATA)
        if self.fin_wanted and not self.fin_sent and not self.queued_bytes:
            self.fin_sent = True
            self._emit_new(Flag.FIN | Flag.ACK, self.snd_nxt, 0, Why.FIN)

    def _emit_new(self, flags: Flag, seq: SeqNum, length: int, why: Why) -> None:
        """Send a segment that takes sequence numbers and must be retransmitted if lost."""
        entry = _Unacked(seq, flags & ~Flag.ACK, length)
        self.unacked.append(entry)
        self.snd_nxt = entry.end
        ack = self.rcv_nxt if Flag.ACK in flags else None
        self._emit(Segment(flags, seq, ack, length), why)
        if not self.rto_running:
            self._start_rto()

    def _emit(self, seg: Segment, why: Why, retransmission: bool = False) -> None:
        if Flag.ACK in seg.flags and self.ack_owed:
            self.ack_owed = False  # the held-back ACK rides on this segment
            self._out.append(StopTimer(TimerKind.DELAYED_ACK))
        self._out.append(Transmit(seg, why, retransmission))

    def _send_ack(self, why: Why) -> None:
        self._emit(Segment(Flag.ACK, self.snd_nxt, self.rcv_nxt), why)

    def _ack_data(self, why: Why = Why.ACK) -> None:
        """ACK received data or a FIN now, or hold the ACK back when delayed ACK is on."""
        if self.config.delayed_ack and self.state in (
            State.ESTABLISHED,
            State.CLOSE_WAIT,
            State.FIN_WAIT_1,
            State.FIN_WAIT_2,
        ):
            if not self.ack_owed:
                self.ack_owed = True
                self._out.append(StartTimer(TimerKind.DELAYED_ACK, DELAYED_ACK_TIMEOUT))
            return
        self._send_ack(why)

    def _start_rto(self) -> None:
        self.rto_running = True
        self._out.append(StartTimer(TimerKind.RETRANSMISSION, self.rto))

    def _start_time_wait(self) -> None:
        self._stop_all_but(TimerKind.TIME_WAIT)
        self._out.append(StartTimer(TimerKind.TIME_WAIT, 2 * self.config.msl))

    def _stop_all_but(self, keep: TimerKind | None) -> None:
        if self.rto_running and keep is not TimerKind.RETRANSMISSION:
            self._out.append(StopTimer(TimerKind.RETRANSMISSION))
            self.rto_running = False
        if self.ack_owed and keep is not TimerKind.DELAYED_ACK:
            self._out.append(StopTimer(TimerKind.DELAYED_ACK))
            self.ack_owed = False
        for timer in (TimerKind.FIN_WAIT_2, TimerKind.KEEPALIVE):
            if getattr(self, _RUNNING[timer]) and keep is not timer:
                self._out.append(StopTimer(timer))
                setattr(self, _RUNNING[timer], False)

    def _move(self, row: Transition, expect: State | None = None) -> None:
        assert row.state is self.state, (row, self.state)
        if expect is not None:
            assert row.next_state is expect
        if row.next_state is not self.state or row.event is Event.RCV_FIN:
            self._out.append(ChangeState(self.state, row.next_state, row))
        opened = row.next_state is State.ESTABLISHED and self.state is not State.ESTABLISHED
        self.state = row.next_state
        if opened and self.config.keepalive:
            self._start_timer(TimerKind.KEEPALIVE, self.config.sysctl.tcp_keepalive_time)

    def _row(self, event: Event, when: str = "") -> Transition:
        row = transition(self.state, event, when)
        assert row is not None, f"no transition for {self.state} / {event}"
        return row

    def _forget(self, row: Transition) -> None:
        """Delete the TCB: CLOSED, every timer stopped, every queue emptied."""
        self._stop_all_but(None)
        if self.state is State.TIME_WAIT and row.event is not Event.TIMEOUT_2MSL:
            self._out.append(StopTimer(TimerKind.TIME_WAIT))
        self._move(row)
        self.unacked.clear()
        self.out_of_order.clear()
        self.queued_bytes = self.unread = self.probes_out = 0
        self.fin_wanted = self.fin_sent = self.released = False
        self._reset_backoff()

    def _reincarnate(self, syn: Segment) -> None:
        """TIME_WAIT gives way to a new connection from the same port: SYN_RECEIVED."""
        row = self._row(Event.RCV_SYN, "new connection")
        self._stop_all_but(None)
        self._out.append(StopTimer(TimerKind.TIME_WAIT))
        iss = self.snd_nxt + 65535 + 2  # Linux's tcp_timewait_state_process
        self.irs, self.rcv_nxt, self.snd_wnd = syn.seq, syn.seq + 1, syn.window
        self.iss, self.snd_una, self.snd_nxt = iss, iss, iss + 1
        self.passive = True
        self.unacked.clear()
        self.out_of_order.clear()
        self.fin_wanted = self.fin_sent = self.released = False
        self._reset_backoff()
        self._move(row)
        self._emit_new(row.sends, self.iss, 0, Why.SYN_ACK)  # SYN,ACK

    def _reset_backoff(self) -> None:
        self.backoff = self.retries = 0
        self.probed = False
        self.retrans_stamp = None

    def _back_to_listen(self, row: Transition) -> None:
        self._forget(row)
        self.irs = None

    def _drop(self, reason: str) -> None:
        self._out.append(Drop(reason))

    def _flush(self) -> list[Action]:
        out, self._out = self._out, []
        return out


# FIN_WAIT_1, CLOSING and LAST_ACK: bytes written before close() still go out, then the FIN
# (CLOSING too: a close in SYN_RECEIVED queues them until our SYN is acknowledged, and the
# segment that acknowledges it may bring their FIN)
_CAN_SEND = frozenset(
    {State.ESTABLISHED, State.CLOSE_WAIT, State.FIN_WAIT_1, State.CLOSING, State.LAST_ACK}
)
_ACCEPTS_DATA = frozenset({State.ESTABLISHED, State.FIN_WAIT_1, State.FIN_WAIT_2})
_RUNNING = {TimerKind.FIN_WAIT_2: "fin_wait_2_running", TimerKind.KEEPALIVE: "keepalive_running"}
_FIN_RECEIVED = frozenset({State.CLOSE_WAIT, State.LAST_ACK, State.CLOSING, State.TIME_WAIT})
