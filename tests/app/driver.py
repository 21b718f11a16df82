"""Drive the tutor like a learner: press keys, read what is on the screen.

Everything a test reads comes from the rendered screen (the same pipeline as
``App.export_screenshot``), never from ``widget.render()``: text clipped out of
a panel, or drawn over by another widget, is not there for the test either.
"""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console
from textual.pilot import Pilot
from textual.widget import Widget

from tui_tutor.app import TutorApp, make_app
from tui_tutor.app.widgets.state_field import match_state
from tui_tutor.lessons.quiz import Numbers, expected_flags
from tui_tutor.progress import ProgressStore

FLAG_LETTERS = {"SYN": "s", "ACK": "a", "FIN": "f", "RST": "r", "PSH": "p"}
KEY_NAMES = {"_": "underscore", "+": "plus", "-": "minus", " ": "space", ",": "comma"}


def new_app(
    tmp_path: Path,
    lesson: str | None = None,
    seed: int = 7,
    lang: str = "en",
    learner: str = "ada",
    **kwargs: object,
) -> TutorApp:
    store = ProgressStore(tmp_path / "data", learner)
    return make_app(store=store, open_lesson=lesson, seed=seed, lang=lang, **kwargs)


# ------------------------------------------------------------------ reading the screen


def screen_lines(pilot: Pilot) -> list[str]:
    """The screen as the learner sees it, one string per row, as the compositor draws it:
    text clipped out of a panel is not there."""
    return [strip.text for strip in pilot.app.screen._compositor.render_strips()]


def exported_lines(pilot: Pilot) -> list[str]:
    """The whole screen as text lines, as the terminal shows it (modals over what is under)."""
    app = pilot.app
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    update = app.screen._compositor.render_update(
        full=True, screen_stack=app._background_screens, simplify=False
    )
    console.print(update)
    return console.export_text(styles=False).splitlines()


def screen_text(pilot: Pilot) -> str:
    """The whole screen, dialogs drawn over what is under them."""
    return "\n".join(exported_lines(pilot))


def region_lines(pilot: Pilot, selector: str | Widget) -> list[str]:
    """The lines of the screen inside a widget's region (border included)."""
    widget = pilot.app.screen.query_one(selector) if isinstance(selector, str) else selector
    region = widget.region
    lines = exported_lines(pilot)
    out = []
    for y in range(region.y, region.y + region.height):
        line = lines[y] if y < len(lines) else ""
        out.append(_cells(line, region.x, region.x + region.width))
    return out


def _cells(line: str, start: int, end: int) -> str:
    """Columns [start, end) of a line, counting wide characters as two cells."""
    from rich.cells import get_character_cell_size

    out, col = [], 0
    for char in line:
        size = get_character_cell_size(char)
        if col >= start and col + size <= end:
            out.append(char)
        col += size
        if col >= end:
            break
    return "".join(out)


def region_text(pilot: Pilot, selector: str) -> str:
    """What the screen shows inside a widget's box (border included), row by row."""
    region = pilot.app.screen.query_one(selector).region
    strips = pilot.app.screen._compositor.render_strips()[region.y : region.bottom]
    return "\n".join(strip.crop(region.x, region.right).text for strip in strips)


def flat(text: str) -> str:
    """Screen text as one line: borders dropped, runs of blanks (and line ends) one space, so
    that a label wrapped onto two lines of a panel still reads as one."""
    for border in "│╭╮╰╯─":
        text = text.replace(border, " ")
    return " ".join(text.split())


def region_words(pilot: Pilot, selector: str | Widget) -> str:
    """A widget's part of the screen, each line stripped of the border and joined, so that a
    sentence wrapped over two lines reads as one (Chinese joined without a space)."""
    lines = region_lines(pilot, selector)
    inner = [line.strip().strip("│╭╮╰╯─").rstrip("▁▂▃▄▅▆▇█ ").strip() for line in lines]
    out = ""
    for part in (p for p in inner if p):
        # a line wrapped inside Chinese text joins without a space
        wide = out and (_wide(out[-1]) or _wide(part[0]))
        out += part if not out or wide else " " + part
    return out


def _wide(char: str) -> bool:
    from rich.cells import get_character_cell_size

    return get_character_cell_size(char) == 2


def feedback(pilot: Pilot) -> str:
    return region_words(pilot, "#quiz")


def quiz_text(pilot: Pilot) -> str:
    return region_words(pilot, "#quiz")


def ladder(pilot: Pilot) -> str:
    return region_text(pilot, "#ladder")


def pane(pilot: Pilot, role: str) -> str:
    return region_text(pilot, f"#{role}-pane")


def header(pilot: Pilot) -> str:
    return screen_lines(pilot)[0]


def footer(pilot: Pilot) -> str:
    return screen_lines(pilot)[-1]


async def wait_for(pilot: Pilot, condition, tries: int = 50) -> None:
    """Pause until ``condition()`` holds (work the app does after a key, such as a restart)."""
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.02)
    assert condition()


def focused_id(pilot: Pilot) -> str | None:
    focused = pilot.app.focused
    return focused.id if focused is not None else None


# ------------------------------------------------------------------ answering by keyboard


async def burst(pilot: Pilot, keys: list[str]) -> None:
    """Send keys as a terminal does when the learner types fast or a script pastes them:
    all at once, without waiting for the app between two keys."""
    from textual import events
    from textual.keys import _character_to_key

    driver = pilot.app._driver
    assert driver is not None
    for key in keys:
        name = _character_to_key(key) if len(key) == 1 and not key.isalnum() else key
        char = key if len(key) == 1 else {"space": " ", "plus": "+", "minus": "-"}.get(key)
        event = events.Key(name, char)
        event.set_sender(pilot.app)
        driver.send_message(event)
    for _ in range(5):
        await pilot.pause()


def typing(text: str) -> list[str]:
    return [KEY_NAMES.get(c, c) for c in text]


def state_keys(state: str) -> str:
    """The fewest letters that type-ahead takes to ``state`` (computed, not written here)."""
    name = state.lower()
    words = name.split("_")
    candidates = {name[:n] for n in range(1, len(name) + 1)}
    candidates |= {
        words[0][0] + "".join(w[0] for w in words[1:k]) for k in range(1, len(words) + 1)
    }
    candidates |= {words[0][0] + w[0] for w in words[1:]}
    candidates |= {words[0][0] + w for w in words[1:]}
    candidates |= {w[:n] for w in words[1:] for n in range(1, len(w) + 1)}  # r: SYN_RECEIVED
    fits = [c for c in candidates if match_state(c) is not None and match_state(c).value == state]
    return min(fits, key=lambda c: (len(c), c))


def answer_keys(answer: dict[str, object], ask: list[str]) -> list[str]:
    """The keys of the lesson's keyboard model that fill the segment form with ``answer``,
    starting with the flags field focused, ending with Enter (no Tab after the flags when a
    number follows: typing it moves on)."""
    keys: list[str] = []
    order = [
        name
        for name in ("flags", "seq", "ack", "len", "client_state", "server_state")
        if name in ask
    ]
    for i, name in enumerate(order):
        value = answer.get(name, "")
        spills = order[i - 1] == "flags" and name in ("seq", "ack") and str(value)
        if i and not spills:
            keys.append("tab")
        if name == "flags":
            keys += [FLAG_LETTERS[f] for f in sorted(value)]  # type: ignore[arg-type]
        elif name in ("client_state", "server_state"):
            keys += typing(state_keys(str(value)))
        else:
            keys += typing(str(value))
    keys.append("enter")
    return keys


async def answer_segment(pilot: Pilot, answer: dict[str, object]) -> int:
    """Fill the segment form with keys only and press Enter; returns how many keys it took."""
    screen = pilot.app.screen
    screen.query_one("#quiz").focus_first()
    await pilot.pause()
    await clear_form(pilot)
    ask = [name for name in answer if screen.query_one(f"#field-{name}").display]
    keys = answer_keys(answer, ask)
    await pilot.press(*keys)
    await pilot.pause()
    return len(keys)


async def clear_form(pilot: Pilot) -> None:
    """Empty every field of the segment form (what a previous try left)."""
    screen = pilot.app.screen
    screen.query_one("#field-flags").flags = set()
    for name in ("seq", "ack", "len"):
        screen.query_one(f"#field-{name}").value = ""
    for name in ("client_state", "server_state"):
        screen.query_one(f"#field-{name}").value = None
    await pilot.pause()


def right_answer(pilot: Pilot, number: int) -> dict[str, object]:
    """What the engine says segment ``number`` is, written as the screen shows numbers."""
    screen = pilot.app.screen
    run = screen.play.run
    record = run.record(number)
    numbers: Numbers = screen.numbers
    return {
        "flags": expected_flags(record),
        "seq": numbers.show(record.seq, "seq", record.sender),
        "ack": "" if record.ack is None else numbers.show(record.ack, "ack", record.sender),
        "len": str(record.length) if record.length else "",
        "client_state": record.client_state.value,
        "server_state": record.server_state.value,
    }


def plain_answer(pilot: Pilot, number: int) -> dict[str, object]:
    """The right answer with seq and ack as plain numbers counted from the ISN."""
    screen = pilot.app.screen
    record = screen.play.run.record(number)
    numbers: Numbers = screen.numbers
    out = right_answer(pilot, number)
    for name, value in (("seq", record.seq), ("ack", record.ack)):
        if value is not None:
            out[name] = str((value - numbers.base(name, record.sender)) % 2**32)
    return out


def moment_kind(pilot: Pilot) -> str:
    m = pilot.app.screen.moment
    return type(m.step).__name__ if m.kind == "step" else m.kind


async def next_until(pilot: Pilot, kind: str, limit: int = 40) -> None:
    for _ in range(limit):
        if moment_kind(pilot) == kind:
            return
        await pilot.press("n")
        await pilot.pause()
    raise AssertionError(f"no {kind} moment reached")
