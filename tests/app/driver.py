"""Drive the tutor like a learner: press keys, read the widgets."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Static

from tui_tutor.app import TutorApp, make_app
from tui_tutor.lessons.quiz import Numbers, expected_flags
from tui_tutor.progress import ProgressStore

FLAGS = ("SYN", "ACK", "FIN", "RST")


def new_app(
    tmp_path: Path, lesson: str | None = None, seed: int = 7, lang: str = "en", learner: str = "ada"
) -> TutorApp:
    store = ProgressStore(tmp_path / "data", learner)
    return make_app(store=store, open_lesson=lesson, seed=seed, lang=lang)


def text_of(pilot: Pilot, selector: str) -> str:
    widget = pilot.app.screen.query_one(selector)
    if isinstance(widget, Static):
        return str(widget.render())
    return str(widget.render())


def feedback(pilot: Pilot) -> str:
    return text_of(pilot, "#quiz-feedback-text")


def quiz_text(pilot: Pilot) -> str:
    return text_of(pilot, "#quiz-text")


def screen_lines(pilot: Pilot) -> list[str]:
    """The screen as the learner sees it, one string per row, as the compositor draws it:
    text clipped out of a panel is not there."""
    return [strip.text for strip in pilot.app.screen._compositor.render_strips()]


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


def ladder(pilot: Pilot) -> str:
    return region_text(pilot, "#ladder")


def pane(pilot: Pilot, role: str) -> str:
    return region_text(pilot, f"#{role}-pane")


async def type_text(pilot: Pilot, text: str) -> None:
    keys = {"_": "underscore", "+": "plus", "-": "minus", " ": "space", ",": "comma"}
    await pilot.press(*(keys.get(c, c) for c in text))


async def pick_state(pilot: Pilot, state: str) -> None:
    """On a focused state Select: open it, type the name, take it."""
    await pilot.press("enter")
    await pilot.pause()
    await type_text(pilot, state.lower())
    await pilot.press("enter")
    await pilot.pause()


async def answer_segment(pilot: Pilot, answer: dict[str, object]) -> None:
    """Fill the segment form with keys only: Space for flags, Tab between fields."""
    screen = pilot.app.screen
    screen.query_one("#flag-SYN").focus()
    await pilot.pause()
    flags = set(answer.get("flags", ()))  # type: ignore[arg-type]
    for flag in FLAGS:
        box = screen.query_one(f"#flag-{flag}")
        if box.value != (flag in flags):
            await pilot.press("space")
        await pilot.press("tab")
    for name in ("seq", "ack", "len"):
        if screen.query_one(f"#field-{name}").display:
            field = screen.query_one(f"#field-{name}")
            await pilot.press(*["backspace"] * len(field.value))
            await type_text(pilot, str(answer.get(name, "")))
            await pilot.press("tab")
    for name in ("client_state", "server_state"):
        if screen.query_one(f"#field-{name}").display:
            await pick_state(pilot, str(answer.get(name, "")))
            await pilot.press("tab")
    await pilot.press("c")
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
        "len": str(record.length),
        "client_state": record.client_state.value,
        "server_state": record.server_state.value,
    }


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
