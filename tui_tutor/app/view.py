"""What the lesson screen shows at a moment, read from the run's trace (no Textual here).

The screen asks for the ladder rows, both peers' pane data and a description of
the moment; this module reads them from ``Run`` (the engine's trace cut into
moments) and writes numbers the way the learner chose (x+1, relative, absolute).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .. import engine
from ..engine import Role, SegmentRecord
from ..ladder import label_text
from ..lessons import names
from ..lessons.model import PredictSegment
from ..lessons.quiz import Numbers
from ..lessons.segments import original
from ..lessons.timeline import Moment, Run
from .diagram import listed_once_taken
from .i18n import t
from .widgets.ladder import LadderRow
from .widgets.state_pane import CAPTURE_RULE, ExitLine, PaneData, PathStep


def peer_name(role: Role, lang: str) -> str:
    return t(role.value, lang)


def segment_label(record: SegmentRecord, numbers: Numbers) -> str:
    """``SYN,ACK seq=y ack=x+1``, numbers written the way the learner chose."""
    return label_text(record.flags, *segment_numbers(record, numbers), record.length)


def segment_numbers(record: SegmentRecord, numbers: Numbers) -> tuple[str, str | None]:
    seq = numbers.show(record.seq, "seq", record.sender)
    ack = None if record.ack is None else numbers.show(record.ack, "ack", record.sender)
    return seq, ack


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
        seq, ack = segment_numbers(record, numbers)
        rows.append(
            (
                run.sent_at[n - 1],
                LadderRow(
                    "segment",
                    record.time - start,
                    n,
                    record.sender,
                    tuple(record.flags),
                    seq,
                    ack,
                    record.length,
                    lost=record.lost,
                    notes=resend_notes(run, n, lang) if record.retransmission else (),
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
        out.append(LadderRow("pending", None, moment.segment, sender, label="?", fresh=True))
    return out


def resend_notes(run: Run, number: int, lang: str) -> tuple[str, ...]:
    """``↻ of #1, RTO 1 s``, then shorter forms for a narrow ladder."""
    first = original(run, number)
    rto = rto_before(run, number)
    if rto is None:
        full = t("resent_of", lang, n=first)
    else:
        full = t("resent_of_rto", lang, n=first, rto=rto)
    return (full, f"↻ #{first}", "↻")


def rto_before(run: Run, number: int) -> float | None:
    """The timeout after which segment ``number`` was resent, read from the trace: the
    retransmission timer that fired just before it, from when it was last started."""
    events = run.trace.events
    sender = run.record(number).sender
    fired = None
    for pos in range(run.sent_at[number - 1] - 1, -1, -1):
        ev = events[pos]
        if fired is None:
            if isinstance(ev, engine.TimerFired) and ev.peer is sender:
                if ev.timer is not engine.TimerKind.RETRANSMISSION:
                    return None
                fired = ev
            elif isinstance(ev, engine.SegmentSent | engine.SegmentDelivered | engine.UserCalled):
                return None  # resent for another reason than a timer
        elif (
            isinstance(ev, engine.TimerStarted)
            and ev.peer is sender
            and ev.timer is engine.TimerKind.RETRANSMISSION
        ):
            return ev.deadline - ev.time
    return None


def ladder_legend(lang: str) -> str:
    return t("ladder_legend", lang)


def _timer_label(ev: engine.TraceEvent, lang: str) -> str:
    if isinstance(ev, engine.TimerFired) and ev.timer is not engine.TimerKind.DELAYED_ACK:
        return t("timer_fired", lang, peer=peer_name(ev.peer, lang), timer=ev.timer.value)
    if isinstance(ev, engine.TimerStarted) and ev.timer is engine.TimerKind.TIME_WAIT:
        return t("timer_2msl", lang, peer=peer_name(ev.peer, lang), seconds=ev.deadline - ev.time)
    return ""


@dataclass(frozen=True)
class Held:
    """What the panes keep back at a moment, so that nothing a question asks shows early.

    A segment's sender moves as it sends (``rcv SYN / snd SYN,ACK``: LISTEN -> SYN_RECEIVED);
    while that segment is being predicted the sender is drawn as it was before, with
    its exits unmarked. Once the question is answered the exits taken are marked.
    """

    from_pos: dict[Role, int] = field(default_factory=dict)  # per peer: events held from here
    taken: dict[Role, engine.Transition] = field(default_factory=dict)  # exits to mark


def is_segment_question(moment: Moment) -> bool:
    return (
        moment.kind == "step"
        and moment.segment is not None
        and (moment.step is None or isinstance(moment.step, PredictSegment))
    )


# what a peer records as it reacts, before the segment it sends
_REACTION = (engine.StateChanged, engine.PeerVars, engine.TimerStarted, engine.TimerStopped)


def sending_change(run: Run, number: int) -> tuple[int, engine.StateChanged] | None:
    """The sender's state change in the reaction that sent segment ``number``, and where
    that reaction's events start.

    In the trace a peer's reaction (to a call, a timer, an arriving segment) is one group:
    its variables, its state change, the segment it sends. Predicting the segment is
    predicting that reaction, so the change is held back with it. None when the sender
    did not change state (data, a retransmission).
    """
    events = run.trace.events
    sender = run.record(number).sender
    pos = run.sent_at[number - 1] - 1
    change: engine.StateChanged | None = None
    while pos >= 0 and isinstance(events[pos], _REACTION):
        ev = events[pos]
        if isinstance(ev, engine.StateChanged) and ev.peer is sender and change is None:
            change = ev
        pos -= 1
    return (pos + 1, change) if change is not None else None


def held_back(run: Run, index: int, answered: Callable[[int], bool]) -> Held:
    """What the panes keep back at moment ``index``; ``answered(i)``: question i is done."""
    held = Held()
    moment = run.moments[index]
    for q in range(index, len(run.moments)):
        question = run.moments[q]
        if not is_segment_question(question) or question.segment is None:
            continue
        number = question.segment
        if number <= moment.segments_shown or (q > index and answered(q)):
            continue
        sent = sending_change(run, number)
        if sent is not None:
            pos, change = sent
            held.from_pos[change.peer] = min(held.from_pos.get(change.peer, pos), pos)
    if is_segment_question(moment) and answered(index) and moment.segment is not None:
        number = moment.segment
        sent = sending_change(run, number)
        if sent is not None:
            held.taken[sent[1].peer] = sent[1].transition
        # the receiver's exit, unless a later open question holds it back
        receiver = run.record(number).sender.other
        segment_index = run.record(number).index
        for pos, ev in enumerate(run.trace.events):
            if (
                isinstance(ev, engine.StateChanged)
                and ev.cause_segment == segment_index
                and ev.peer is receiver
            ):
                if pos < held.from_pos.get(receiver, pos + 1):
                    held.taken.setdefault(receiver, ev.transition)
                break
    return held


def shown_cutoff(moment: Moment, peer: Role, held: Held | None) -> int:
    """How much of the trace a peer's pane (and the diagram) shows at ``moment``."""
    hold = held.from_pos.get(peer) if held else None
    return moment.cutoff if hold is None else min(moment.cutoff, hold)


def peer_paths(
    run: Run, moment: Moment, held: Held | None = None
) -> dict[Role, list[engine.StateChanged]]:
    """Both peers' transitions so far, as the panes show them, for the diagram."""
    return {
        peer: run.transitions_at(shown_cutoff(moment, peer, held), peer)
        for peer in (Role.CLIENT, Role.SERVER)
    }


def pane_data(
    run: Run,
    moment: Moment,
    peer: Role,
    numbers: Numbers,
    lang: str,
    previous: Moment | None = None,
    hide_vars: bool = False,
    held: Held | None = None,
) -> PaneData:
    """One peer's pane at ``moment``: path, current state, exits from the transition table."""
    cutoff = shown_cutoff(moment, peer, held)
    path = run.transitions_at(cutoff, peer)
    hold = held.from_pos.get(peer) if held else None
    fresh = 0
    if previous is not None and previous.cutoff < moment.cutoff:
        before = previous.cutoff if hold is None else min(previous.cutoff, hold)
        fresh = max(0, len(path) - len(run.transitions_at(before, peer)))
    current = path[-1].new if path else engine.State.CLOSED
    taken = held.taken.get(peer) if held else None
    linux = takes_linux_rows(run)
    exits = tuple(
        ExitLine(
            names.transition_label(row, lang),
            t("same_state", lang) if row.next_state is current else row.next_state.value,
            taken=row == taken,
        )
        # the RFC's rows first: Linux's own and reads are the first a short pane leaves out
        for row in sorted(engine.TRANSITION_LIST, key=listed_once_taken)
        if row.state is current and (linux or not listed_once_taken(row))
    )
    isn = run.isns.get(peer)
    symbol = "x" if peer is Role.CLIENT else "y"
    return PaneData(
        title=peer_name(peer, lang),
        isn=f"ISN {symbol}={'?' if isn is None else isn}",
        variables=variables(run, cutoff, peer, numbers, hide_vars or cutoff < moment.cutoff),
        path=tuple(
            PathStep(ev.old.value, _edge_label(path[i - 1], lang) if i else "")
            for i, ev in enumerate(path)
        ),
        current=current.value,
        current_label=_edge_label(path[-1], lang) if path else "",
        current_zh=names.state_zh(current) if lang == "zh" else "",
        exits=exits,
        exits_title=t("exits_title", lang),
        more=t("exits_more", lang),
        fresh=fresh,
    )


def takes_linux_rows(run: Run) -> bool:
    """Linux's own rows (and reads) are exits only in a lesson that takes one of them:
    elsewhere they would crowd the RFC's out of the pane."""
    return any(
        isinstance(ev, engine.StateChanged) and listed_once_taken(ev.transition)
        for ev in run.trace.events
    )


def _edge_label(change: engine.StateChanged, lang: str) -> str:
    # a state the capture began in has no RFC row: say so instead
    if change.transition.rule == CAPTURE_RULE:
        return t("capture_began", lang)
    return names.transition_label(change.transition, lang)


def variables(
    run: Run, cutoff: int, peer: Role, numbers: Numbers, hide: bool = False
) -> tuple[str, ...]:
    """``SND.NXT x+1``, ``RCV.NXT y+1``; ``hide``: the peer is about to send what is asked."""
    snap = run.vars_at(cutoff, peer)
    if snap is None:
        return ()
    if hide:
        return ("SND.NXT ?", "RCV.NXT ?")
    nxt = numbers.show(snap.snd_nxt, "seq", peer) if snap.snd_nxt is not None else "-"
    rcv = numbers.show(snap.rcv_nxt, "ack", peer) if snap.rcv_nxt is not None else "-"
    return (f"SND.NXT {nxt}", f"RCV.NXT {rcv}")


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
