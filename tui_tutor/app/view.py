"""What the lesson screen shows at a moment, read from the run's trace (no Textual here).

The screen asks for the ladder rows, both peers' pane data and a description of
the moment; this module reads them from ``Run`` (the engine's trace cut into
moments) and writes numbers the way the learner chose (x+1, relative, absolute).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from .. import engine
from ..engine import Role, SegmentRecord
from ..ladder import label_text
from ..lessons import names
from ..lessons.explain import drop_note
from ..lessons.model import PredictSegment, PredictState
from ..lessons.quiz import Numbers
from ..lessons.segments import original
from ..lessons.timeline import Moment, Run
from .diagram import listed_once_taken
from .i18n import t
from .scene import ExitLine, LadderRow, PaneData, PathStep


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
    run: Run,
    moment: Moment,
    numbers: Numbers,
    lang: str,
    previous: Moment | None = None,
    shown: Shown | None = None,
    before: Shown | None = None,
) -> list[LadderRow]:
    """Segments 1..shown, timer rows in between, and a "?" row for a pending prediction."""
    now = shown or Shown.plain(run, moment)
    if before is None and previous is not None:
        before = Shown.plain(run, previous)
    start = run.records[0].time if run.records else 0.0
    old_cut = before.cutoff if before else {peer: 0 for peer in Role}
    old_shown = before.segments if before else 0
    rows: list[tuple[int, LadderRow]] = []
    for n in range(1, now.segments + 1):
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
                    note=resend_note(run, n, lang) if record.retransmission else "",
                    fresh=n > old_shown,
                ),
            )
        )
    for pos, ev in enumerate(run.trace.events[: max(now.cutoff.values())]):
        label = _timer_label(ev, lang)
        peer = getattr(ev, "peer", None)
        # a timer shows with its peer's pane
        if label and isinstance(peer, Role) and pos < now.cutoff.get(peer, 0):
            fresh = pos >= old_cut.get(peer, 0)
            rows.append((pos, LadderRow("timer", ev.time - start, label=label, fresh=fresh)))
    rows.sort(key=lambda item: item[0])
    out = [row for _, row in rows]
    if now.pending is not None:
        sender = run.record(now.pending).sender
        out.append(LadderRow("pending", None, now.pending, sender, label="?", fresh=True))
    return out


def resend_note(run: Run, number: int, lang: str) -> str:
    """``↻ of #1, RTO 1 s``: what a retransmission resends, after what timeout."""
    first = original(run, number)
    rto = rto_before(run, number)
    if rto is None:
        return t("resent_of", lang, n=first)
    return t("resent_of_rto", lang, n=first, rto=rto)


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
        return t(
            "timer_fired",
            lang,
            peer=peer_name(ev.peer, lang),
            timer=names.timer_name(ev.timer, lang),
        )
    if isinstance(ev, engine.TimerStarted) and ev.timer is engine.TimerKind.TIME_WAIT:
        return t("timer_2msl", lang, peer=peer_name(ev.peer, lang), seconds=ev.deadline - ev.time)
    return ""


@dataclass(frozen=True)
class Shown:
    """How far into the trace the panes, the ladder and the diagram go at a moment, and
    what they keep back.

    A moment shows the trace up to its cutoff. A question answered (or revealed) has
    told the learner more: a segment question the segment and the states it leads to,
    a state question that peer's state. From then on the screen shows that too, so
    that it never contradicts what the learner was just told. What questions still
    open ask stays back: the segment itself (``?`` on the ladder), what its sender's
    move puts on the wire (``rcv SYN / snd ?``) and the sender's sequence variables.
    """

    cutoff: dict[Role, int]  # per peer: trace.events[:cutoff]
    segments: int  # ladder rows 1..segments
    pending: int | None = None  # the segment being predicted: a "?" row
    unsent: frozenset[int] = frozenset()  # trace positions of moves whose segment is asked
    hide_vars: frozenset[Role] = frozenset()  # peers whose SND.NXT / RCV.NXT would tell

    @classmethod
    def plain(cls, run: Run, moment: Moment) -> Shown:
        """The moment as it is, nothing told beyond it (the sandbox, a live run)."""
        pending = None
        number = moment.segment
        if (
            is_segment_question(moment)
            and number
            and moment.segments_shown < number <= len(run.records)
        ):
            pending = number
        return cls({peer: moment.cutoff for peer in Role}, moment.segments_shown, pending)


def is_segment_question(moment: Moment) -> bool:
    return (
        moment.kind == "step"
        and moment.segment is not None
        and (moment.step is None or isinstance(moment.step, PredictSegment))
    )


# what a peer records as it reacts, before the segment it sends
_REACTION = (engine.StateChanged, engine.PeerVars, engine.TimerStarted, engine.TimerStopped)


def reaction(run: Run, number: int) -> tuple[int, int | None]:
    """Where the sender's reaction that sent segment ``number`` starts in the trace, and
    the position of its state change in it (None when it did not change state: data, a
    retransmission, a plain ACK).

    In the trace a peer's reaction (to a call, a timer, an arriving segment) is one group:
    its variables, its state change, the segment it sends. Predicting the segment is
    predicting what that reaction puts on the wire.
    """
    events = run.trace.events
    sender = run.record(number).sender
    pos = run.sent_at[number - 1] - 1
    change: int | None = None
    while pos >= 0 and isinstance(events[pos], _REACTION):
        ev = events[pos]
        if isinstance(ev, engine.StateChanged) and ev.peer is sender and change is None:
            change = pos
        pos -= 1
    return pos + 1, change


def told(run: Run, index: int) -> dict[Role, int]:
    """Per peer, how far into the trace question ``index``, once answered, has told."""
    moment = run.moments[index]
    step = moment.step
    if is_segment_question(moment) and moment.segment is not None:
        number = moment.segment
        if number > len(run.records):
            return {}
        # as far as the step that shows the segment crossing goes (not further: a state
        # question after it may still ask where it leads)
        shows = next(
            (m for m in run.moments[index + 1 :] if m.kind == "segment" and m.segment == number),
            None,
        )
        cut = shows.cutoff if shows is not None else run.frame_end[number - 1]
        return {peer: cut for peer in Role}
    if isinstance(step, PredictState):
        peer = Role(step.peer)
        if step.when == "end":
            return {peer: len(run.trace.events)}
        if step.segment is not None and step.segment <= len(run.records):
            return {peer: run.frame_end[step.segment - 1]}
    return {}


def shown_at(run: Run, index: int, answered: Callable[[int], bool]) -> Shown:
    """What the screen shows at moment ``index``; ``answered(i)``: question i is done."""
    moment = run.moments[index]
    cutoff = {peer: moment.cutoff for peer in Role}
    segments = moment.segments_shown
    for q in range(index + 1):
        if not answered(q):
            continue
        for peer, cut in told(run, q).items():
            cutoff[peer] = max(cutoff[peer], cut)
        question = run.moments[q]
        if is_segment_question(question) and question.segment is not None:
            segments = max(segments, min(question.segment, len(run.records)))
    pending = None
    hide: set[Role] = set()
    number = moment.segment
    if is_segment_question(moment) and number and segments < number <= len(run.records):
        pending = number
        record = run.record(number)
        hide.add(record.sender)  # its SND.NXT is the seq asked
        # the receiver as the segment finds it: what it does in the meantime (a call, a
        # segment of its own) decides where the segment takes it, and the prompt says so
        receiver = record.sender.other
        cutoff[receiver] = max(cutoff[receiver], calls_before_arrival(run, number))
    unsent: set[int] = set()
    for q in range(index, len(run.moments)):
        question = run.moments[q]
        number = question.segment
        if not is_segment_question(question) or number is None:
            continue
        if number <= segments or number > len(run.records) or (q > index and answered(q)):
            continue
        sender = run.record(number).sender
        start, change = reaction(run, number)
        if start < cutoff[sender]:  # the sender has reacted already: it moved, it sends "?"
            hide.add(sender)
            if change is not None:
                unsent.add(change)
    return Shown(cutoff, segments, pending, frozenset(unsent), frozenset(hide))


def calls_before_arrival(run: Run, number: int) -> int:
    """How far into the trace the receiver of segment ``number`` has gone when it arrives,
    counting only its application's calls (``connect``, ``close``) made while the segment
    was in flight, with their reactions: 0 when it made none (or the segment was lost)."""
    events = run.trace.events
    record = run.record(number)
    if record.lost:
        return 0
    receiver = record.sender.other
    end = 0
    pos = run.sent_at[number - 1] + 1
    while pos < len(events):
        ev = events[pos]
        if isinstance(ev, engine.SegmentDelivered) and ev.index == record.index:
            return end
        if isinstance(ev, engine.UserCalled) and ev.peer is receiver:
            end = pos + 1
            while end < len(events) and isinstance(events[end], (*_REACTION, engine.SegmentSent)):
                end += 1
        elif getattr(ev, "peer", None) is receiver or getattr(ev, "receiver", None) is receiver:
            return end  # the receiver did something else first: stop at the calls before it
        pos += 1
    return 0


def peer_paths(
    run: Run, moment: Moment, shown: Shown | None = None
) -> dict[Role, list[engine.StateChanged]]:
    """Both peers' transitions so far, as the panes show them, for the diagram."""
    shown = shown or Shown.plain(run, moment)
    return {peer: run.transitions_at(shown.cutoff[peer], peer) for peer in Role}


def pane_data(
    run: Run,
    moment: Moment,
    peer: Role,
    numbers: Numbers,
    lang: str,
    previous: Moment | None = None,
    shown: Shown | None = None,
    before: Shown | None = None,
) -> PaneData:
    """One peer's pane at ``moment``: path, current state, exits from the transition table.

    ``shown``/``before``: what the screen shows now and showed at the step before (by
    default the moments as they are); edges into states that appeared since are fresh.
    """
    now = shown or Shown.plain(run, moment)
    if before is None and previous is not None:
        before = Shown.plain(run, previous)
    cutoff = now.cutoff[peer]
    changes = [
        (pos, ev)
        for pos, ev in enumerate(run.trace.events[:cutoff])
        if isinstance(ev, engine.StateChanged) and ev.peer is peer
    ]
    fresh = 0
    if before is not None and before.cutoff[peer] < cutoff:
        fresh = sum(pos >= before.cutoff[peer] for pos, _ in changes)
    current = changes[-1][1].new if changes else engine.State.CLOSED
    linux = takes_linux_rows(run)
    exits = tuple(
        ExitLine(
            names.transition_label(row, lang),
            t("same_state", lang) if row.next_state is current else row.next_state.value,
            names.short_transition_label(row, lang),
            names.short_transition_label(row, lang, when=False),
        )
        # the RFC's rows first: Linux's own and reads are the first a short pane leaves out
        for row in sorted(engine.TRANSITION_LIST, key=listed_once_taken)
        if row.state is current and (linux or not listed_once_taken(row))
    )
    labels = [_edge_label(ev, lang, pos in now.unsent) for pos, ev in changes]
    isn = run.isns.get(peer)
    symbol = "x" if peer is Role.CLIENT else "y"
    return PaneData(
        title=peer_name(peer, lang),
        isn=f"ISN {symbol}={'?' if isn is None else isn}",
        variables=variables(run, cutoff, peer, numbers, peer in now.hide_vars),
        path=tuple(
            PathStep(ev.old.value, labels[i - 1] if i else "") for i, (_, ev) in enumerate(changes)
        ),
        current=current.value,
        current_label=labels[-1] if labels else "",
        current_zh=names.state_zh(current) if lang == "zh" else "",
        exits=exits,
        exits_title=t("exits_title", lang),
        fresh=fresh,
    )


def takes_linux_rows(run: Run) -> bool:
    """Linux's own rows (and reads) are exits only in a lesson that takes one of them:
    elsewhere they would crowd the RFC's out of the pane."""
    return any(
        isinstance(ev, engine.StateChanged) and listed_once_taken(ev.transition)
        for ev in run.trace.events
    )


def _edge_label(change: engine.StateChanged, lang: str, unsent: bool = False) -> str:
    """The edge into a state; ``unsent``: what it put on the wire is still asked."""
    # a state the capture began in has no RFC row: say so instead
    if change.transition.observed:
        return t("capture_began", lang)
    transition = change.transition
    if unsent:
        transition = replace(transition, send="?")
    return names.transition_label(transition, lang)


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
        + in_parens(cause_text(run, number, lang), lang, after_words=True)
    ]
    if record.lost:
        lines.append(t("seg_lost", lang))
    for peer in (Role.CLIENT, Role.SERVER):
        state = record.state_of(peer)
        changes = state_changes(run, number, peer)
        if changes:
            lines.extend(explain_state(changes, peer, state, lang))
    if record.notes:
        lines.append(drop_note(record.notes, lang))
    return lines


def cause_text(run: Run, number: int, lang: str) -> str:
    """What made segment ``number`` go: ``the client's application calls connect()``;
    in Chinese the call is said in Chinese, then named (``主动打开，调用 connect()``)."""
    cause = run.causes[number - 1]
    peer = t(f"the_{cause.peer.value}", lang)
    if cause.kind == "call":
        name, _, size = cause.detail.partition(" ")
        call = f"{name}({size} bytes)" if size else f"{name}()"
        if size and lang == "zh":
            call = f"{name}()，{size} 字节"
        event = engine.Event(name) if name in {e.value for e in engine.Event} else None
        action = names.event_label(event, lang) if event is not None else ""
        return t("caused_by_call", lang, peer=peer, call=call, action=action)
    if cause.timer is not None:
        return t("caused_by_timer", lang, peer=peer, timer=names.timer_name(cause.timer, lang))
    if cause.kind == "segment":
        return t("caused_by_segment", lang, n=cause.detail)
    return ""


def in_parens(text: str, lang: str, after_words: bool = False) -> str:
    """``(text)``, or the full-width ``（text）`` in Chinese; ``after_words``: with the
    space English puts before it (none before a full-width parenthesis)."""
    space = " " if after_words and lang != "zh" else ""
    return space + t("in_parens", lang, text=text)
