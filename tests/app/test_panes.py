"""The state-machine panes, the ladder and the diagram, read from the screen as drawn.

Every expectation is derived from the engine's trace of the run the screen plays
(states, the transition that sent a segment, retransmission timers), never typed in.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import replace

import pytest
from rich.cells import cell_len

from tui_tutor import engine
from tui_tutor.app.diagram import is_drawn, listed_once_taken
from tui_tutor.app.screens.diagram import DiagramScreen
from tui_tutor.app.screens.lesson import LessonScreen
from tui_tutor.engine import Event, Role, State
from tui_tutor.lessons.model import PredictSegment, PredictState
from tui_tutor.lessons.names import STATE_ZH, short_transition_label, transition_label

from .driver import flat, ladder, new_app, pane, region_text, screen_lines

WALKED = ["three-way-handshake", "lost-last-ack", "simultaneous-open"]
STATE_NAMES = "|".join(sorted((s.value for s in State), key=len, reverse=True))


def is_segment_question(moment) -> bool:
    return (
        moment.kind == "step"
        and moment.segment is not None
        and (moment.step is None or isinstance(moment.step, PredictSegment))
    )


def sending(run, number: int) -> engine.StateChanged | None:
    """The sender's state change in the reaction that put segment ``number`` on the wire,
    if there is one: its last change before the segment, with no other event between."""
    sender = run.record(number).sender
    for ev in reversed(run.trace.events[: run.sent_at[number - 1]]):
        if isinstance(ev, engine.StateChanged) and ev.peer is sender:
            return ev
        if not isinstance(ev, engine.PeerVars | engine.TimerStarted | engine.TimerStopped):
            return None
    return None


def segment_moment(run, index: int, number: int):
    """The step after question ``index`` that shows segment ``number`` crossing."""
    return next(m for m in run.moments[index + 1 :] if m.kind == "segment" and m.segment == number)


def in_flight_calls(run, number: int) -> int:
    """How far the receiver of segment ``number`` has gone by its own application's calls
    (and what they sent) while the segment was in flight, before it arrives: the state it
    finds the receiver in (two SYNs or two FINs crossing). 0 when none, or lost."""
    record = run.record(number)
    if record.lost:
        return 0
    receiver = Role.SERVER if record.sender is Role.CLIENT else Role.CLIENT
    events = run.trace.events
    reach = 0
    for pos in range(run.sent_at[number - 1] + 1, len(events)):
        ev = events[pos]
        if isinstance(ev, engine.SegmentDelivered) and ev.index == record.index:
            return reach
        if isinstance(ev, engine.UserCalled) and ev.peer is receiver:
            reach = pos + 1
        elif reach == pos and isinstance(
            ev,
            engine.StateChanged
            | engine.PeerVars
            | engine.TimerStarted
            | engine.TimerStopped
            | engine.SegmentSent,
        ):
            reach = pos + 1  # the call's reaction
        elif getattr(ev, "peer", None) is receiver or getattr(ev, "receiver", None) is receiver:
            return reach
    return 0


def told_cutoff(run, index: int, peer: Role, answered: bool) -> int:
    """How far into the trace the learner has been told about ``peer`` at moment ``index``
    of a walk that answers every question when it reaches it: the moment itself, and
    every question answered so far: a segment question as far as the step that shows
    its segment, a state question about this peer its state. While a segment is being
    predicted its receiver is shown as the segment finds it (after calls of its own)."""
    cut = run.moments[index].cutoff
    moment = run.moments[index]
    asked = is_segment_question(moment) and moment.segments_shown < moment.segment
    if not answered and asked and run.record(moment.segment).sender is not peer:
        cut = max(cut, in_flight_calls(run, moment.segment))
    for q, m in enumerate(run.moments[: index + 1]):
        if q == index and not answered:
            break
        if is_segment_question(m):
            cut = max(cut, segment_moment(run, q, m.segment).cutoff)
        elif isinstance(m.step, PredictState) and m.step.peer == peer.value:
            end = m.step.when == "end"
            cut = max(cut, len(run.trace.events) if end else run.frame_end[m.step.segment - 1])
    return cut


def expected_state(run, index: int, peer: Role, answered: bool) -> State:
    """Where the peer's pane must put it: as far as the learner has been told, never
    behind it (the screen must not contradict an answer just given) nor ahead of it."""
    return run.states_at(told_cutoff(run, index, peer, answered))[peer]


def current_line(text: str) -> str:
    found = re.search(rf"▶ ({STATE_NAMES})(?: (\S+))?", text)
    assert found, f"no current state in the pane:\n{text}"
    return found.group(0)


async def walk(pilot, visit) -> None:
    """Every moment of the lesson, by keys alone; questions revealed (v) to go on."""
    screen = pilot.app.screen
    await pilot.pause()
    while isinstance(pilot.app.screen, LessonScreen):
        await visit(screen.play.index, answered=False)
        if screen._is_question(screen.moment) and not screen._done(screen.play.index):
            await pilot.press("v")
            await pilot.pause()
            await visit(screen.play.index, answered=True)
        await pilot.press("n")
        await pilot.pause()


async def to_the_last_segment(pilot):
    """Reveal and go on until every segment is on the ladder."""
    screen = pilot.app.screen
    run = screen.play.run
    while screen.moment.segments_shown < len(run.records):
        await pilot.press("v", "n")
        await pilot.pause()
    return screen, run


async def to_the_question_about(pilot, number: int):
    """Reveal and go on until segment ``number`` is being predicted."""
    screen = pilot.app.screen
    while not (screen._is_question(screen.moment) and screen.moment.segment == number):
        await pilot.press("v", "n")
        await pilot.pause()
    return screen


def exits_expected(run, state: State) -> list[engine.Transition]:
    """The table's rows out of ``state`` a pane lists: the RFC's, and Linux's own in a
    lesson that takes one of them."""
    linux = any(
        isinstance(ev, engine.StateChanged) and listed_once_taken(ev.transition)
        for ev in run.trace.events
    )
    return [
        row
        for row in engine.TRANSITION_LIST
        if row.state is state and (linux or not listed_once_taken(row))
    ]


def exit_shown(row: engine.Transition, lang: str, text: str) -> bool:
    """The exit's label is in the pane, in full or in one of its condensed wordings, and
    so is where it leads."""
    squeezed = flat(text).replace(" ", "")
    target = "" if row.next_state is row.state else row.next_state.value
    labels = [
        transition_label(row, lang),
        short_transition_label(row, lang),
        short_transition_label(row, lang, when=False),
    ]
    return target in squeezed and any(label.replace(" ", "") in squeezed for label in labels)


class TestPanes:
    @pytest.mark.parametrize("lang", ["en", "zh"])
    @pytest.mark.parametrize("lesson", [*WALKED, "rare-arrows"])
    async def test_the_current_state_and_all_its_exits_are_visible_at_80x24_on_every_step(
        self, tmp_path, lesson, lang
    ):
        app = new_app(tmp_path, lesson, lang=lang)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = app.screen

            async def visit(index: int, answered: bool) -> None:
                for peer in (Role.CLIENT, Role.SERVER):
                    shown = pane(pilot, peer.value)
                    state = expected_state(screen.play.run, index, peer, answered)
                    line = current_line(shown)
                    assert line.startswith(f"▶ {state.value}"), (
                        f"{lesson} step {index + 1}: {peer.value} shows {line!r}, "
                        f"the engine says {state.value}\n{shown}"
                    )
                    if lang == "zh":
                        assert STATE_ZH[state] in flat(shown), f"no textbook name in\n{shown}"
                    for row in exits_expected(screen.play.run, state):
                        assert exit_shown(row, lang, shown), (
                            f"{lesson} step {index + 1}: the exit {row.key} is not in the "
                            f"{peer.value}'s pane\n{shown}"
                        )

            await walk(pilot, visit)

    @pytest.mark.parametrize("size", [(80, 24), (120, 36)])
    @pytest.mark.parametrize("lang", ["en", "zh"])
    @pytest.mark.parametrize("lesson", ["simultaneous-open", "simultaneous-close"])
    async def test_crossing_segments_find_the_receiver_where_the_question_says(
        self, tmp_path, lesson, lang, size
    ):
        # "before it arrives, the server sends its own SYN and is in SYN_SENT": while a
        # segment is predicted its receiver's pane shows the state the segment finds it in
        app = new_app(tmp_path, lesson, lang=lang)
        async with app.run_test(size=size) as pilot:
            screen = app.screen
            first = True

            async def visit(index: int, answered: bool) -> None:
                nonlocal first
                run = screen.play.run
                moment = run.moments[index]
                if answered or not is_segment_question(moment):
                    return
                record = run.record(moment.segment)
                receiver = Role.SERVER if record.sender is Role.CLIENT else Role.CLIENT
                arrives = next(
                    pos
                    for pos, ev in enumerate(run.trace.events)
                    if isinstance(ev, engine.SegmentDelivered) and ev.index == record.index
                )
                state = run.states_at(arrives)[receiver]
                shown = pane(pilot, receiver.value)
                assert current_line(shown).startswith(f"▶ {state.value}"), shown
                if first:  # the question that says so
                    assert state.value in flat(region_text(pilot, "#quiz")).replace(" ", "")
                    first = False

            await walk(pilot, visit)

    @pytest.mark.parametrize("lesson", [*WALKED, "third-ack-carries-data", "review"])
    async def test_an_answer_is_never_contradicted_and_nothing_asked_shows_early(
        self, tmp_path, lesson
    ):
        app = new_app(tmp_path, lesson)
        async with app.run_test(size=(120, 36)) as pilot:
            screen = app.screen

            async def visit(index: int, answered: bool) -> None:
                run = screen.play.run
                moment = run.moments[index]
                if not is_segment_question(moment):
                    return
                number = moment.segment
                record = run.record(number)
                rows = ladder_rows_on_screen(ladder(pilot))
                seq = screen.numbers.show(record.seq, "seq", record.sender)
                if answered:
                    # what the reveal just said: the segment, and where it leaves both peers
                    assert f"seq={seq}" in rows.get(number, ""), "the answer is on the ladder"
                    if segment_moment(run, index, number).cutoff == run.frame_end[number - 1]:
                        for peer, state in (
                            (Role.CLIENT, record.client_state),
                            (Role.SERVER, record.server_state),
                        ):
                            line = current_line(pane(pilot, peer.value))
                            assert line.startswith(f"▶ {state.value}"), (
                                f"{lesson} step {index + 1}: revealed {peer.value} "
                                f"{state.value}, the pane says {line!r}"
                            )
                    return
                assert "seq=" not in rows.get(number, ""), "the asked segment is on the ladder"
                sender = pane(pilot, record.sender.value)
                if "SND.NXT" in sender:
                    assert "SND.NXT ?" in sender, f"the sender's SND.NXT shows:\n{sender}"
                change = sending(run, number)
                if change is None:
                    return
                position = run.trace.events.index(change)
                if position >= moment.cutoff:  # the move is the question's: not made yet
                    assert current_line(sender) == f"▶ {change.old.value}", sender
                    return
                # the sender moved earlier (told at the step that showed what it got, and
                # where it is now is checked step by step above); what that move put on the
                # wire is the question
                real = transition_label(change.transition, "en")
                hidden = transition_label(replace(change.transition, send="?"), "en")
                exits = {
                    transition_label(row, "en")
                    for row in engine.TRANSITION_LIST
                    if row.state is change.new
                }
                if real not in exits:
                    rest = flat(sender).replace(hidden, "")
                    assert real not in rest, f"{real!r} tells the answer:\n{sender}"
                if "  │ " in sender:  # the path in full, with its edges
                    assert hidden in flat(sender), f"no {hidden!r} in\n{sender}"

            await walk(pilot, visit)

    async def test_after_the_answer_the_moves_it_told_are_marked(self, tmp_path):
        app = new_app(tmp_path, "three-way-handshake")
        async with app.run_test(size=(120, 36)) as pilot:
            screen = await to_the_question_about(pilot, 3)
            run = screen.play.run
            receiver = run.record(3).sender.other
            before = current_line(pane(pilot, receiver.value))
            await pilot.press("v")
            await pilot.pause()
            arrives = [ev for ev in run.caused_by(3) if ev.peer is receiver]
            assert arrives, "the third segment moves the server"
            assert before == f"▶ {arrives[0].old.value}"
            shown = pane(pilot, receiver.value)
            assert current_line(shown) == f"▶ {arrives[0].new.value}"
            label = transition_label(arrives[0].transition, "en")
            assert f"│ {label} ★" in shown, f"the move just told is not marked:\n{shown}"

    async def test_in_chinese_the_exits_and_path_are_chinese(self, tmp_path):
        app = new_app(tmp_path, "three-way-handshake", lang="zh")
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.press("n")
            await pilot.pause()
            client = flat(pane(pilot, "client"))
            row = engine.transition(State.CLOSED, engine.Event.CONNECT)
            assert f"{transition_label(row, 'zh')} → SYN_SENT" in client
            assert "connect" not in client and "snd" not in client
            assert "接下来可能发生" in client


def ladder_rows_on_screen(text: str) -> dict[int, str]:
    """Row number -> the row's text (with the lines under it, for a row drawn on several)."""
    rows: dict[int, str] = {}
    current = None
    for line in text.splitlines():
        found = re.match(r"^│\s*(\d+) ", line)
        if found:
            current = int(found.group(1))
            rows[current] = line
        elif current is not None and "◷" not in line and not line.startswith("╰"):
            rows[current] += " " + line
        else:
            current = None
    return rows


def resend_notes_expected(run, lang: str) -> dict[int, str]:
    """Per retransmission, the note the ladder must show: the segment it resends and the
    timeout after which it did, read from the trace."""
    from tui_tutor.app.i18n import t

    events = run.trace.events
    notes = {}
    for number, record in enumerate(run.records, 1):
        if not record.retransmission:
            continue
        sent = run.sent_at[number - 1]
        fired = max(p for p in range(sent) if isinstance(events[p], engine.TimerFired))
        started = max(
            p
            for p in range(fired)
            if isinstance(events[p], engine.TimerStarted) and events[p].peer is record.sender
        )
        rto = events[started].deadline - events[started].time
        first = next(
            n
            for n, r in enumerate(run.records, 1)
            if r.sender is record.sender and r.seq == record.seq and r.flags == record.flags
        )
        notes[number] = t("resent_of_rto", lang, n=first, rto=rto)
    return notes


class TestLadder:
    @pytest.mark.parametrize("absolute", [False, True])
    @pytest.mark.parametrize("lesson", ["server-closes-first", "lost-syn-backoff", "review"])
    async def test_every_label_keeps_its_flags_numbers_and_mark_at_80x24(
        self, tmp_path, lesson, absolute
    ):
        from tui_tutor.ladder import flags_text

        app = new_app(tmp_path, lesson)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = app.screen
            if absolute:
                await pilot.press("t")

            async def visit(index: int, answered: bool) -> None:
                run, numbers = screen.play.run, screen.numbers
                rows = ladder_rows_on_screen(ladder(pilot))
                for number, text in rows.items():
                    if number > screen.moment.segments_shown:
                        continue  # the row being predicted: "?"
                    record = run.record(number)
                    seq = numbers.show(record.seq, "seq", record.sender)
                    words = text.replace("│", " ").split()
                    assert f"seq={seq}" in words, f"row {number} lost its seq: {text}"
                    if record.ack is not None:
                        ack = numbers.show(record.ack, "ack", record.sender)
                        assert f"ack={ack}" in words, f"row {number} lost its ack: {text}"
                    flags = {flags_text(record.flags), flags_text(record.flags, short=True)}
                    assert flags & set(words), f"row {number} lost its flags: {text}"
                    if record.retransmission:
                        assert "↻" in text, f"row {number} lost its ↻: {text}"

            await walk(pilot, visit)

    async def test_a_retransmission_says_what_it_resends_and_after_what_timeout(self, tmp_path):
        app = new_app(tmp_path, "lost-syn-backoff")
        async with app.run_test(size=(120, 36)) as pilot:
            _, run = await to_the_last_segment(pilot)
            shown = ladder(pilot)
            for note in resend_notes_expected(run, "en").values():
                assert note in shown, shown
            assert "✗ lost" in shown and "↻ resent" in shown and "◷ timer" in shown

    @pytest.mark.parametrize("lang", ["en", "zh"])
    async def test_a_narrow_ladder_keeps_the_whole_retransmission_note_on_one_line(
        self, tmp_path, lang
    ):
        # the note is never shortened: the row takes another line instead
        app = new_app(tmp_path, "lost-syn-backoff", lang=lang)
        async with app.run_test(size=(80, 24)) as pilot:
            _, run = await to_the_last_segment(pilot)
            lines = ladder(pilot).splitlines()
            rows = ladder_rows_on_screen("\n".join(lines))
            for number, note in resend_notes_expected(run, lang).items():
                if number not in rows:
                    continue  # scrolled away
                assert any(note in line for line in lines), f"row {number}: {rows[number]}"
            assert any(n in rows for n in resend_notes_expected(run, lang)), lines

    async def test_old_rows_scroll_back_and_the_newest_stay_in_view(self, tmp_path):
        app = new_app(tmp_path, "lost-last-ack")
        async with app.run_test(size=(80, 24)) as pilot:
            _, run = await to_the_last_segment(pilot)
            rows = ladder_rows_on_screen(ladder(pilot))
            assert len(run.records) in rows, "the newest row is in view"
            assert 1 not in rows, "at 80x24 the first rows have scrolled away"
            for _ in range(20):
                await pilot.press("shift+up")
            await pilot.pause()
            assert 1 in ladder_rows_on_screen(ladder(pilot)), "shift+↑ brings them back"

    async def test_timer_rows_are_stamped_when_the_timer_fires(self, tmp_path):
        app = new_app(tmp_path, "lost-syn-backoff")
        async with app.run_test(size=(120, 36)) as pilot:
            screen, run = await to_the_last_segment(pilot)
            start = run.records[0].time
            fired = [
                ev.time - start
                for ev in run.trace.events[: screen.moment.cutoff]
                if isinstance(ev, engine.TimerFired)
            ]
            assert fired
            shown = ladder(pilot)
            for when in fired:
                assert re.search(rf"{when:.3f} ◷ ", shown), f"no timer row at {when:.3f}"


def label_on_screen(lines: list[str], label: str) -> bool:
    """A label on one line, or split at " / " over two lines starting in the same column."""
    if any(label in line for line in lines):
        return True
    event, slash, send = label.partition(" / ")
    if not slash:
        return False
    for top, bottom in itertools.pairwise(lines):
        column = top.find(event)
        while column >= 0:
            cells = cell_len(top[:column])  # Chinese characters take two cells each
            below = next((i for i in range(len(bottom)) if cell_len(bottom[:i]) >= cells), 0)
            if bottom[below:].startswith("/ " + send):
                return True
            column = top.find(event, column + 1)
    return False


class TestDiagram:
    @pytest.mark.parametrize("lang", ["en", "zh"])
    async def test_d_draws_every_transition_and_marks_both_peers(self, tmp_path, lang):
        app = new_app(tmp_path, "lost-last-ack", lang=lang)
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.press("n", "n")
            await pilot.pause()
            client = current_line(pane(pilot, "client")).split()[1]
            server = current_line(pane(pilot, "server")).split()[1]
            await pilot.press("d")
            await pilot.pause()
            assert isinstance(app.screen, DiagramScreen)
            lines = screen_lines(pilot)
            text = "\n".join(lines)
            for state in State:
                assert state.value in text
                if lang == "zh":
                    assert STATE_ZH[state] in text
            for row in engine.TRANSITION_LIST:
                label = transition_label(row, lang)
                if is_drawn(row):
                    assert label_on_screen(lines, label), f"no arrow labelled {label!r}"
                elif not listed_once_taken(row):
                    short = transition_label(row, lang, when=False)
                    assert short in flat(text), f"{row.key} is neither drawn nor listed"
            marks = {"C": client, "S": server}
            for mark, state in marks.items():
                found = [
                    (y, line.index(f" {mark} "))
                    for y, line in enumerate(lines)
                    if re.search(rf"━ (C )?{mark}( S)? ━", line)
                ]
                assert found, f"no {mark} mark"
                y, x = found[0]
                assert state in lines[y + 1][x - 2 :], f"{mark} is not on {state}"
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, LessonScreen)
            await pilot.press("d")
            await pilot.pause()
            await pilot.press("d")
            await pilot.pause()
            assert isinstance(app.screen, LessonScreen), "d closes it again"

    async def test_the_diagram_fits_120x36_and_opens_on_the_peers_at_80x24(self, tmp_path):
        app = new_app(tmp_path, "lost-last-ack")
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.press("d")
            await pilot.pause()
            scroll = app.screen.query_one("#diagram-scroll")
            assert scroll.max_scroll_y == 0 and scroll.max_scroll_x == 0, "all of it in view"
        app = new_app(tmp_path, "lost-last-ack", learner="bo")
        async with app.run_test(size=(80, 24)) as pilot:
            for _ in range(8):
                await pilot.press("v", "n")
            await pilot.pause()
            await pilot.press("d")
            await pilot.pause()
            await pilot.pause()
            text = region_text(pilot, "#diagram-scroll")
            assert re.search(r"━ (C )?C( S)? ━|━ C S ━", text), f"C not in view:\n{text}"

    @pytest.mark.parametrize("number", [1, 2])
    async def test_the_diagram_puts_the_peers_where_the_panes_do(self, tmp_path, number):
        app = new_app(tmp_path, "three-way-handshake")
        async with app.run_test(size=(120, 36)) as pilot:
            screen = await to_the_question_about(pilot, number)
            states = {
                mark: current_line(pane(pilot, role)).split()[1]
                for mark, role in (("C", "client"), ("S", "server"))
            }
            change = sending(screen.play.run, number)
            if screen.play.run.trace.events.index(change) >= screen.moment.cutoff:
                assert states["C" if change.peer is Role.CLIENT else "S"] == change.old.value
            await pilot.press("d")
            await pilot.pause()
            lines = screen_lines(pilot)
            for mark, state in states.items():
                at = next(
                    i for i, line in enumerate(lines) if re.search(rf"━ (C )?{mark}( S)? ━", line)
                )
                assert state in lines[at + 1], f"{mark} is not on {state}"

    async def test_language_switches_inside_the_diagram(self, tmp_path):
        app = new_app(tmp_path, "three-way-handshake")
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.press("d")
            await pilot.pause()
            await pilot.press("l")
            await pilot.pause()
            text = "\n".join(screen_lines(pilot))
            assert "已建立连接" in text and "被动打开" in text
            assert "passive open" not in text.replace("(passive open)", "")

    @pytest.mark.parametrize("lang", ["en", "zh"])
    async def test_a_row_of_linux_s_own_is_listed_once_a_peer_takes_it(self, tmp_path, lang):
        unread = engine.transition(State.ESTABLISHED, Event.CLOSE, "unread data")
        assert unread is not None and listed_once_taken(unread) and not is_drawn(unread)
        listed = transition_label(unread, lang, when=False)  # "close / snd RST"
        app = new_app(tmp_path, "rst-instead-of-fin", lang=lang)
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.press("d")
            await pilot.pause()
            assert listed not in flat("\n".join(screen_lines(pilot))), "not taken yet"
            await pilot.press("escape")
            await to_the_last_segment(pilot)
            await pilot.press("d")
            await pilot.pause()
            assert listed in flat("\n".join(screen_lines(pilot)))
