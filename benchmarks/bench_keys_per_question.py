"""Keys per question: lesson 2 (the three-way handshake) answered right by keyboard alone.

A learner who knows the answers and the keys: at a segment question the flags by
their letters, seq (a number typed in the flags field moves on to seq, no Tab),
Tab, ack, Tab, both states by the fewest letters of type-ahead (``r`` for
SYN_RECEIVED), Enter; at a choice its digit and Enter. The answers come from the
engine's run. Numbers are typed two ways: plain (counted from the ISN, ``1`` for
x+1) and as x+1 / y+1. Each answer is checked on the screen's state before it
counts. For reference, the same shortest paths on the form before the keyboard
model (commit 23a1c8c: Space and Tab through four check boxes, Select pop-ups
opened with Enter) took 17, 19 and 18 keys (plain) and 17, 21 and 22 (x+1).

Run: .venv/bin/python benchmarks/bench_keys_per_question.py
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from tui_tutor.app import make_app
from tui_tutor.app.widgets.state_field import match_state
from tui_tutor.lessons.quiz import expected_flags
from tui_tutor.progress import ProgressStore

LESSON = "three-way-handshake"
FLAG_LETTERS = {"SYN": "s", "ACK": "a", "FIN": "f", "RST": "r", "PSH": "p"}
KEY_NAMES = {"+": "plus", "-": "minus", "_": "underscore"}


def fewest_letters(state: str) -> str:
    """The shortest text that type-ahead takes to ``state``."""
    name = state.lower()
    letters = sorted(set(name.replace("_", "")) | {"1", "2"})
    frontier = [""]
    for _ in range(len(name)):
        frontier = [typed + c for typed in frontier for c in letters]
        for typed in frontier:
            found = match_state(typed)
            if found is not None and found.value == state:
                return typed
        frontier = [typed for typed in frontier if match_state(typed) is not None]
    return name


def segment_keys(screen, number: int, plain: bool) -> list[str]:
    record = screen.play.run.record(number)
    numbers = screen.numbers
    ask = list(screen.moment.step.ask)
    keys: list[str] = []
    fields = [f for f in ("flags", "seq", "ack", "len", "client_state", "server_state") if f in ask]
    for i, field in enumerate(fields):
        # a number typed in the flags field moves on by itself
        if i and not (fields[i - 1] == "flags" and field in ("seq", "ack")):
            keys.append("tab")
        if field == "flags":
            keys += [FLAG_LETTERS[f] for f in sorted(expected_flags(record))]
        elif field in ("seq", "ack"):
            value = record.seq if field == "seq" else record.ack
            if value is not None:
                if plain:
                    text = str((value - numbers.base(field, record.sender)) % 2**32)
                else:
                    text = numbers.show(value, field, record.sender)
                keys += [KEY_NAMES.get(c, c) for c in text]
        elif field == "len":
            keys += list(str(record.length)) if record.length else []
        else:
            state = record.client_state if field == "client_state" else record.server_state
            keys += list(fewest_letters(state.value))
    return [*keys, "enter"]


async def play(plain: bool) -> list[tuple[str, int]]:
    data = Path(tempfile.mkdtemp())
    app = make_app(store=ProgressStore(data, "bench"), open_lesson=LESSON, seed=1)
    counts: list[tuple[str, int]] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for _ in range(40):
            screen = app.screen
            moment = screen.moment
            step = type(moment.step).__name__ if moment.kind == "step" else ""
            if step == "PredictSegment":
                keys = segment_keys(screen, moment.segment, plain)
                name = f"segment {moment.segment}"
            elif step == "Choice":
                right = [str(i + 1) for i, o in enumerate(moment.step.options) if o.correct]
                keys, name = [*right, "enter"], "choice"
            else:
                keys, name = [], ""
            if keys:
                await pilot.press(*keys)
                await pilot.pause()
                answer = screen.play.answers.get(screen.play.index)
                assert answer is not None and answer.correct, f"{name}: {keys}"
                counts.append((name, len(keys)))
            if screen.play.index + 1 >= len(screen.play.run.moments):
                break
            await pilot.press("n")
            await pilot.pause()
    return counts


def main() -> None:
    for plain in (True, False):
        counts = asyncio.run(play(plain))
        how = "plain numbers (1 for x+1)" if plain else "x+1, y+1"
        print(f"lesson 2, numbers typed as {how}:")
        for name, n in counts:
            print(f"  {name:10} {n:3} keys")


if __name__ == "__main__":
    main()
