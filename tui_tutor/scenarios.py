"""Scenario files: the TOML tables that tell the engine what happens.

The same tables appear standalone (``tui-tutor simulate FILE``) and inside
lessons (``[scenario]``). pydantic checks their shape here; the engine then
checks that each step is possible in the state it meets.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from . import engine
from .validation import FieldError, read_toml, validate

# What one scenario may ask of the engine, checked before it runs (README "Scenario
# files"). At these limits a run takes about a second at most; without them a scenario of
# 200 sends of 1 MB ran 50 s in 350 MB, and mss = 1 with 1 MB livelocked the link.
MAX_STEPS = 100
MAX_BYTES = 1_000_000  # sent by both peers together
MAX_SEGMENTS = 500  # data segments: each send's bytes cut into segments of mss bytes
MAX_LOST = 100  # segments lost, all lose steps together
MAX_SECONDS = 100_000  # virtual time, all waits together (about 28 hours)

PeerName = Literal["client", "server"]
SegmentFlag = Literal["SYN", "ACK", "FIN", "RST", "PSH"]
_ROLE = {"client": engine.Role.CLIENT, "server": engine.Role.SERVER}


class _Strict(BaseModel):
    model_config = ConfigDict(
        extra="forbid", strict=True, use_attribute_docstrings=True, frozen=True
    )


class PeerTable(_Strict):
    """One peer's setup."""

    isn: int | None = Field(default=None, ge=0, le=engine.MODULUS - 1)
    """Initial sequence number, 0 to 4294967295. Omitted: a random ISN each run."""
    listening: bool | None = None
    """Does this peer listen from the start? Omitted: the server listens, the client does not.
    A server that does not listen answers a SYN with RST (connection refused)."""
    delayed_ack: bool = False
    """Hold back the ACK of data or a FIN until this peer sends something else or 40 ms pass
    (Linux's delayed ACK). With it, the ACK of a FIN can ride on the FIN: a three-segment
    close."""
    reads: bool = True
    """Does the application read arriving data at once? false: data waits unread until a
    "read" step, and a "close" with unread data sends RST instead of FIN."""
    keepalive: bool = False
    """SO_KEEPALIVE: probe the other end after the connection has been idle for
    sysctl.tcp_keepalive_time, and reset it when tcp_keepalive_probes probes go unanswered."""
    backlog: int = Field(default=128, ge=0, le=4096)
    """listen(backlog), for a listening peer: its accept queue holds backlog + 1 connections
    waiting for accept(), its SYN queue backlog + 1 half-open ones (Linux)."""


class _Step(_Strict):
    hold: bool = False
    """Keep this step's segments in flight while the next step runs (to make segments cross,
    as in simultaneous open and close)."""


class ConnectStep(_Step):
    """Active open: send a SYN."""

    do: Literal["connect"]
    """The step: connect."""
    peer: PeerName = "client"
    """Who connects (default: the client)."""


class ListenStep(_Step):
    """Passive open: wait for a SYN."""

    do: Literal["listen"]
    """The step: listen."""
    peer: PeerName = "server"
    """Who listens (default: the server)."""


class SendStep(_Step):
    """The application writes bytes."""

    do: Literal["send"]
    """The step: send."""
    peer: PeerName
    """Who sends."""
    bytes: int = Field(gt=0, le=MAX_BYTES)
    """How many bytes the application writes (all sends together: at most 1000000, in at
    most 500 segments of mss bytes)."""


class ReadStep(_Step):
    """The application reads everything that has arrived (for a peer with reads = false)."""

    do: Literal["read"]
    """The step: read."""
    peer: PeerName
    """Who reads."""


class CloseStep(_Step):
    """The application closes: a FIN, or a RST when it leaves received data unread."""

    do: Literal["close"]
    """The step: close."""
    peer: PeerName
    """Who closes."""
    how: Literal["close", "shutdown", "linger0"] = "close"
    """"close": close(), the application is gone (data that arrives later gets RST; a
    FIN_WAIT_2 left this way ends after tcp_fin_timeout). "shutdown": shutdown(SHUT_WR),
    only our sending ends; the application still reads (a half-close). "linger0": close()
    with SO_LINGER 0, an abort: RST (the same as the "abort" step)."""


class AbortStep(_Step):
    """The application aborts (close() with SO_LINGER 0): a RST."""

    do: Literal["abort"]
    """The step: abort."""
    peer: PeerName
    """Who aborts."""


class LoseStep(_Step):
    """The next ``count`` segments this peer sends are lost on the wire."""

    do: Literal["lose"]
    """The step: lose."""
    peer: PeerName
    """Whose segments are lost."""
    count: int = Field(default=1, ge=1, le=MAX_LOST)
    """How many of its next segments are lost (all lose steps together: at most 100)."""


class CrowdStep(_Step):
    """Other clients, not drawn, fill the listening peer's queues (a busy server, a SYN
    flood). Nothing goes on the wire."""

    do: Literal["crowd"]
    """The step: crowd."""
    peer: PeerName = "server"
    """Whose queues (default: the server)."""
    accept_queue: int = Field(default=0, ge=0, le=100_000)
    """Connections that wait for the application's accept()."""
    syn_queue: int = Field(default=0, ge=0, le=100_000)
    """Half-open connections (SYN received, no ACK yet), e.g. from forged SYNs."""


class AcceptStep(_Step):
    """The listening application calls accept(): the oldest waiting connection leaves the
    accept queue, the other clients' first."""

    do: Literal["accept"]
    """The step: accept."""
    peer: PeerName = "server"
    """Who accepts (default: the server)."""


class CrashStep(_Step):
    """The peer's host crashes and restarts: it forgets the connection and sends nothing (a
    half-open connection). A server that listened from the start listens again."""

    do: Literal["crash"]
    """The step: crash."""
    peer: PeerName
    """Whose host crashes."""


class InjectStep(_Step):
    """A segment neither application sent: forged by an attacker who guesses the numbers,
    or an old duplicate of this connection. It arrives at `to` as if from the other peer."""

    do: Literal["inject"]
    """The step: inject."""
    to: PeerName
    """The peer it arrives at."""
    flags: list[SegmentFlag] = Field(min_length=1)
    """Its flags, e.g. ["RST"]."""
    seq: int = Field(default=0, ge=-(2**31), lt=2**31)
    """Its seq, counted from the receiver's RCV.NXT: 0 is exactly the next number the
    receiver expects, 100 is in its window but not exact, -10 an old number. Before the
    receiver has heard from the other peer, counted from the other peer's ISN."""
    ack: int = Field(default=0, ge=-(2**31), lt=2**31)
    """Its ack (with the ACK flag), counted from the receiver's SND.NXT."""
    bytes: int = Field(default=0, ge=0, le=65535)
    """Payload bytes."""


class WaitStep(_Step):
    """Advance the virtual clock; timers (retransmission, delayed ACK, 2MSL) fire."""

    do: Literal["wait"]
    """The step: wait."""
    seconds: float = Field(gt=0, le=MAX_SECONDS)
    """Seconds of virtual time (all waits together: at most 100000)."""


StepTable = Annotated[
    ConnectStep
    | ListenStep
    | SendStep
    | ReadStep
    | CloseStep
    | AbortStep
    | LoseStep
    | InjectStep
    | CrashStep
    | CrowdStep
    | AcceptStep
    | WaitStep,
    Field(discriminator="do"),
]


class SysctlTable(_Strict):
    """Linux's TCP settings (net.ipv4.*), for both peers. Omitted: Linux's defaults."""

    tcp_syn_retries: int = Field(default=6, ge=1, le=127)
    """SYN retransmissions before connect() gives up (ETIMEDOUT)."""
    tcp_synack_retries: int = Field(default=5, ge=1, le=255)
    """SYN,ACK retransmissions before a listener drops a half-open connection."""
    tcp_retries2: int = Field(default=15, ge=1, le=100)
    """How long an open connection keeps retransmitting: as long as this many
    retransmissions would take from a 200 ms RTO (15: 924.6 s)."""
    tcp_orphan_retries: int = Field(default=0, ge=0, le=100)
    """The same for a connection whose application has called close() (0: 8, 102.2 s)."""
    tcp_syn_linear_timeouts: int = Field(default=0, ge=0, le=16)
    """SYN retransmissions sent 1 s apart before the back-off starts (Linux 6.5 and later:
    4). The default 0 backs off from the first, as RFC 6298 and earlier Linux do."""
    tcp_fin_timeout: float = Field(default=60.0, gt=0, le=100_000)
    """Seconds a FIN_WAIT_2 whose application has called close() waits for the other FIN."""
    tcp_keepalive_time: float = Field(default=7200.0, gt=0, le=100_000)
    """Idle seconds before the first keepalive probe (for a peer with keepalive = true)."""
    tcp_keepalive_intvl: float = Field(default=75.0, gt=0, le=100_000)
    """Seconds between keepalive probes."""
    tcp_keepalive_probes: int = Field(default=9, ge=1, le=127)
    """Unanswered probes before the connection is reset."""
    tcp_syncookies: Literal[0, 1, 2] = 1
    """SYN cookies: 0 never, 1 when the SYN queue is full, 2 always."""

    def to_engine(self) -> engine.Sysctl:
        return engine.Sysctl(**self.model_dump())


class ScenarioTable(_Strict):
    """What happens on the wire: both peers' setup and the steps, in order.

    Limits, checked before the engine runs: at most 100 steps; all sends together at most
    1000000 bytes and 500 segments of mss bytes; all lose steps together at most 100
    segments; all waits together at most 100000 seconds."""

    msl: float = Field(default=30.0, gt=0, le=3600)
    """Maximum segment lifetime in seconds; TIME_WAIT lasts 2*MSL."""
    mss: int = Field(default=1460, ge=1, le=65495)
    """Largest payload of one segment; longer writes are split."""
    rto: float = Field(default=1.0, ge=0.2, le=120)
    """The retransmission timeout, in seconds, once the connection is open. Linux computes it
    from the round trip it measures (at least 0.2 s, which is what it is on loopback); the
    SYN and SYN,ACK always start from 1 s. Each timeout doubles it."""
    sysctl: SysctlTable = SysctlTable()
    """Linux's settings for timeouts and retries (net.ipv4.tcp_*)."""
    client: PeerTable = PeerTable()
    """The client: the side that connects."""
    server: PeerTable = PeerTable()
    """The server: the side that listens."""
    steps: list[StepTable] = Field(min_length=1, max_length=MAX_STEPS)
    """What the applications and the network do, in order (at most 100 steps)."""

    @model_validator(mode="after")
    def _within_limits(self) -> ScenarioTable:
        """The totals over all steps, refused at the step that goes past one."""
        totals = dict.fromkeys(_LIMITS, 0.0)
        for i, step in enumerate(self.steps):
            for total, field, amount in _counts(step, self.mss):
                totals[total] += amount
                if totals[total] > _LIMITS[total][0]:
                    limit, past = _LIMITS[total]
                    raise FieldError(
                        ("steps", i, field),
                        past.format(total=totals[total], limit=limit, mss=self.mss),
                    )
        return self

    def to_engine(self) -> engine.Scenario:
        return engine.Scenario(
            client=_peer(self.client, default_listening=False),
            server=_peer(self.server, default_listening=True),
            steps=tuple(_step(s) for s in self.steps),
            msl=self.msl,
            mss=self.mss,
            rto=self.rto,
            sysctl=self.sysctl.to_engine(),
        )


# each total: its limit, and what going past it says
_LIMITS: dict[str, tuple[int, str]] = {
    "bytes": (
        MAX_BYTES,
        "the sends add up to {total:.0f} bytes here; a scenario sends at most {limit} bytes in all",
    ),
    "segments": (
        MAX_SEGMENTS,
        "at mss = {mss} the sends make {total:.0f} segments here; a scenario sends at most "
        "{limit} (send fewer bytes or raise mss)",
    ),
    "lost": (
        MAX_LOST,
        "the lose steps add up to {total:.0f} segments here; a scenario loses at most {limit}",
    ),
    "seconds": (
        MAX_SECONDS,
        "the waits add up to {total:.10g} s here; a scenario waits at most {limit} s in all",
    ),
}


def _counts(step: StepTable, mss: int) -> list[tuple[str, str, float]]:
    """What a step adds to the totals: (total, the step's field, amount)."""
    if isinstance(step, SendStep):
        return [("bytes", "bytes", step.bytes), ("segments", "bytes", -(-step.bytes // mss))]
    if isinstance(step, LoseStep):
        return [("lost", "count", step.count)]
    if isinstance(step, WaitStep):
        return [("seconds", "seconds", step.seconds)]
    return []


def _peer(table: PeerTable, default_listening: bool) -> engine.PeerSetup:
    listening = default_listening if table.listening is None else table.listening
    return engine.PeerSetup(
        isn=table.isn,
        listening=listening,
        delayed_ack=table.delayed_ack,
        reads=table.reads,
        keepalive=table.keepalive,
        backlog=table.backlog,
    )


def _step(s: StepTable) -> engine.Step:
    if isinstance(s, WaitStep):
        return engine.Wait(s.seconds, hold=s.hold)
    if isinstance(s, InjectStep):
        flags = engine.Flag.parse(s.flags)
        return engine.Inject(_ROLE[s.to], flags, s.seq, s.ack, s.bytes, hold=s.hold)
    role = _ROLE[s.peer]
    if isinstance(s, ConnectStep):
        return engine.Connect(role, hold=s.hold)
    if isinstance(s, ListenStep):
        return engine.Listen(role, hold=s.hold)
    if isinstance(s, SendStep):
        return engine.Send(role, s.bytes, hold=s.hold)
    if isinstance(s, ReadStep):
        return engine.Read(role, hold=s.hold)
    if isinstance(s, CrashStep):
        return engine.Crash(role, hold=s.hold)
    if isinstance(s, CrowdStep):
        return engine.Crowd(role, s.accept_queue, s.syn_queue, hold=s.hold)
    if isinstance(s, AcceptStep):
        return engine.Accept(role, hold=s.hold)
    if isinstance(s, CloseStep):
        return engine.Close(role, how=s.how, hold=s.hold)
    if isinstance(s, AbortStep):
        return engine.Abort(role, hold=s.hold)
    return engine.Lose(role, s.count, hold=s.hold)


def load_scenario(path: Path, label: str | None = None) -> engine.Scenario:
    """Read and check a scenario file; FileProblem names the file and the field."""
    label = label or str(path)
    data = read_toml(path, label)
    return validate(ScenarioTable, data, label).to_engine()
