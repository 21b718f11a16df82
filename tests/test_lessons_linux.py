"""The lessons teach what Linux does: each one's segments are the segments of recordings.

A lesson that tells several stories (one connection after another) lists one recorded case
of ``tests/kernel`` per story, in order; its segments, cut into pieces of the sizes of those
cases, must match them one by one (flags without PSH, seq and ack relative to each story's
ISNs, lengths). A story Linux cannot be made to tell is listed with how many segments it
takes and why. Timing may differ (a lesson's RTO may be 1 s where loopback's is 200 ms) as
long as the segments do not.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from loopback import comparable, relative_numbers  # tests/loopback.py: record.py numbers Linux's so

from tui_tutor import engine
from tui_tutor.lessons.loader import load_all

REPO = Path(__file__).resolve().parent.parent
KERNEL = REPO / "tests" / "kernel"
RACING = {"give_up_in_closing"}  # as in test_kernel: compared side by side


def not_on_linux(segments: int, why: str) -> tuple[int, str]:
    return (segments, why)


STORIES: dict[str, list[str | tuple[int, str]]] = {
    "lost-third-ack": ["lost_third_ack"],
    "lost-fin": ["lost_fin_and_its_ack"],
    "rare-arrows": [
        not_on_linux(8, "send() on a listening socket fails (EPIPE): no SYN to record"),
        "close_in_syn_received",
    ],
    "rst-instead-of-fin": ["close_with_unread_data", "data_after_close"],
    "closing-before-open": [
        "close_in_syn_sent",
        "close_listener_in_syn_received",
        "abort_in_syn_sent",
    ],
    "rst-while-closing": [
        "rst_in_fin_wait_2",
        "rst_in_close_wait",
        "abort_in_fin_wait_1",
        "rst_in_closing",
        "rst_in_last_ack",
        "abort_in_last_ack",
    ],
    "giving-up-handshake": ["give_up_in_syn_received", "give_up_in_syn_sent"],
    "giving-up-open": ["give_up_in_established", "give_up_in_fin_wait_1", "give_up_in_last_ack"],
    "half-open-keepalive": ["keepalive_finds_a_crashed_peer", "send_finds_a_crashed_peer"],
    "listen-backlog": ["accept_queue_full_drops_ack", "syn_flood_with_cookies"],
    "time-wait-busy": ["new_syn_into_time_wait", "time_wait_assassination"],
    "isn-old-duplicates": ["old_duplicate_and_blind_rst"],
    "giving-up-while-closing": [
        "give_up_in_close_wait",
        not_on_linux(1, "the server aborts its FIN_WAIT_2 socket to listen again: one RST"),
        "give_up_in_closing",
    ],
    "idle-connection-timers": ["fin_wait_2_timeout", "keepalive_times_out"],
}


def kernel_rows(name: str) -> list[dict]:
    rows = json.loads((KERNEL / f"{name}.expected.json").read_text())["segments"]
    return [r for r in rows if not r.get("dropped")]


def crossed(name: str) -> bool:
    rows = json.loads((KERNEL / f"{name}.expected.json").read_text())["segments"]
    return name in RACING or any(r.get("dropped") for r in rows)


@pytest.fixture(scope="module")
def lessons() -> dict:
    loaded, problems = load_all([REPO / "lessons"])
    assert problems == []
    return {item.lesson.id: item.lesson for item in loaded}


def test_every_story_named_is_a_recorded_case():
    for lesson_id, stories in STORIES.items():
        for story in stories:
            if isinstance(story, str):
                assert (KERNEL / f"{story}.expected.json").exists(), f"{lesson_id}: {story}"


@pytest.mark.parametrize("lesson_id", sorted(STORIES))
def test_the_lesson_sends_the_segments_linux_sent(lesson_id: str, lessons: dict):
    lesson = lessons[lesson_id]
    trace = engine.run(lesson.scenario.to_engine(), rng=random.Random(1))
    mine = trace.to_json(absolute=True)["connections"][0]["segments"]
    start = 0
    for story in STORIES[lesson_id]:
        size = story[0] if isinstance(story, tuple) else len(kernel_rows(story))
        piece = mine[start : start + size]
        start += size
        if isinstance(story, tuple):
            continue  # Linux cannot tell this one (the reason is in STORIES)
        got, want = comparable(relative_numbers(piece)), comparable(kernel_rows(story))
        if crossed(story):
            for side in ("client", "server"):
                assert [r for r in got if r["from"] == side] == [
                    r for r in want if r["from"] == side
                ], f"{lesson_id}, the {story} story: the {side} sent differently"
        else:
            assert got == want, f"{lesson_id}, the {story} story: it differs from Linux"
    assert start == len(mine), f"{lesson_id}: {len(mine)} segments, its stories account for {start}"
