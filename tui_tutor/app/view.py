"""What the lesson screen shows at a moment, read from the run's trace (no Textual here).

The screen asks for the ladder rows, both peers' pane data and a description of
the moment; this module reads them from ``Run`` (the engine's trace cut into
moments) and writes numbers the way the learner chose (x+1, relative, absolute).
"""

from __future__ import annotations

from .. import engine
from ..engine import Role, SegmentRecord
from ..lessons.quiz import Numbers
from ..lessons.timeline import Moment, Run
from .i18n import t
from .widgets.ladder import LadderRow
from .widgets.state_pane import PaneData


def peer_name(role: Role, lang: str) -> str:
    return t(role.value, lang)


def segment_label(record: SegmentRecord, numbers: Numbers) -> str:
    flags = ",".join(record.flags) or "-"
    parts = [flags, f"seq={numbers.show(record.seq, 'seq', record.sender)}"]
    if record.ack is not None:
        parts.append(f"ack={numbers.show(record.ack, 'ack', record.sender)}")
    if record.length:
        parts.append(f"len={record.length}")
    return " ".join(parts)


def ladder_rows(
    run: Run, moment: Moment, numbers: Numbers, lang: str, previous: Moment | None = None
) -> list[LadderRow]:
    """Segments 1..shown, timer rows in between, and a "?" row for a pending prediction."""
    start = run.records[0].time if run.records else 0.0
    shown = moment.segments_shown
    old_cut = previous.cutoff if previous else 0
    old_shown = previous.segments_shown if previous else 0
    rows: list[tuple[int, LadderRow]] = []
    for n in range(1, shown + 1):
        record = run.record(n)
        rows.append(
            (
                run.sent_at[n - 1],
                LadderRow(
                    "segment",
                    record.time - start,
                    n,
                    record.sender,
                    segment_label(record, numbers),
                    record.lost,
                    record.retransmission,
                    fresh=n > old_shown,
                ),
            )
        )
    for pos, ev in enumerate(run.trace.events[: moment.cutoff]):
        label = _timer_label(ev, lang)
        if label:
            rows.append(
                (pos, LadderRow("timer", ev.time - start, label=label, fresh=pos >= old_cut))
            )
    rows.sort(key=lambda item: item[0])
    out = [row for _, row in rows]
    if (
        moment.kind == "step"
        and moment.segment is not None
        and moment.segment > shown
        and (moment.segment <= len(run.records))
    ):
        sender = run.record(moment.segment).sender
        out.append(LadderRow("pending", None, moment.segment, sender, "?", fresh=True))
    return out


def _timer_label(ev: engine.TraceEvent, lang: str) -> str:
    if isinstance(ev, engine.TimerFired) and ev.timer is not engine.TimerKind.DELAYED_ACK:
        return t("timer_fired", lang, peer=peer_name(ev.peer, lang), timer=ev.timer.value)
    if isinstance(ev, engine.TimerStarted) and ev.timer is engine.TimerKind.TIME_WAIT:
        return t("timer_2msl", lang, peer=peer_name(ev.peer, lang), seconds=ev.deadline - ev.time)
    return ""


def pane_data(
    run: Run,
    moment: Moment,
    peer: Role,
    numbers: Numbers,
    lang: str,
    previous: Moment | None = None,
    hide_vars: bool = False,
) -> PaneData:
    path = run.transitions_at(moment.cutoff, peer)
    old = len(run.transitions_at(previous.cutoff, peer)) if previous else 0
    fresh = max(0, len(path) - old) if previous and previous.cutoff < moment.cutoff else 0
    current = path[-1].new if path else engine.State.CLOSED
    isn = run.isns.get(peer)
    symbol = "x" if peer is Role.CLIENT else "y"
    isn_line = f"ISN {symbol}={'?' if isn is None else isn}"
    return PaneData(
        title=peer_name(peer, lang),
        isn_line=isn_line,
        vars_line=vars_line(run, moment.cutoff, peer, numbers, hide_vars),
        path=path,
        current=current,
        fresh=fresh,
    )


def vars_line(run: Run, cutoff: int, peer: Role, numbers: Numbers, hide: bool = False) -> str:
    """``SND.NXT x+1  RCV.NXT y+1``; ``hide``: the peer is about to send what is being asked."""
    snap = run.vars_at(cutoff, peer)
    if snap is None:
        return ""
    if hide:
        return "SND.NXT ?  RCV.NXT ?"
    nxt = numbers.show(snap.snd_nxt, "seq", peer) if snap.snd_nxt is not None else "-"
    rcv = numbers.show(snap.rcv_nxt, "ack", peer) if snap.rcv_nxt is not None else "-"
    return f"SND.NXT {nxt}  RCV.NXT {rcv}"


def describe_segment(run: Run, number: int, numbers: Numbers, lang: str) -> list[str]:
    """ "The server sends SYN,ACK seq=y ack=x+1 (answer to segment 1)", plus what it changed."""
    from ..lessons.quiz import explain_state, state_changes

    record = run.record(number)
    lines = [
        f"{number}. "
        + t(
            "seg_sent",
            lang,
            sender=peer_name(record.sender, lang),
            label=segment_label(record, numbers),
        )
        + f" ({cause_text(run, number, lang)})"
    ]
    if record.lost:
        lines.append(t("seg_lost", lang))
    for peer in (Role.CLIENT, Role.SERVER):
        state = record.client_state if peer is Role.CLIENT else record.server_state
        changes = state_changes(run, number, peer)
        if changes:
            lines.extend(explain_state(changes, peer, state, lang))
    if record.note:
        lines.append(record.note)
    return lines


def cause_text(run: Run, number: int, lang: str) -> str:
    cause = run.causes[number - 1]
    peer = t(f"the_{cause.peer.value}", lang)
    if cause.kind == "call":
        name, _, size = cause.detail.partition(" ")
        call = f"{name}({size} bytes)" if size else f"{name}()"
        if size and lang == "zh":
            call = f"{name}({size} 字节)"
        return t("caused_by_call", lang, peer=peer, call=call)
    if cause.kind == "timer":
        return t("caused_by_timer", lang, peer=peer, timer=cause.detail)
    if cause.kind == "segment":
        return t("caused_by_segment", lang, n=cause.detail)
    return ""
