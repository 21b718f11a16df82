"""``tui-tutor live SCENARIO_OR_LESSON``: play it on this machine's kernel and compare.

The argument is a scenario file, a lesson file, or a lesson's id. The engine runs
the scenario; the kernel plays it with real sockets on loopback
(``tui_tutor.live``); the two ladders are printed side by side, then both peers'
states after every step, then every difference, each known one with the reason.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from . import CommandError, add_global_options


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "live",
        help="play a scenario or lesson on this machine's kernel and compare it with the engine",
        description="Play a scenario or lesson with real sockets on loopback (Linux) and "
        "compare what the kernel did with what the engine says. States need no privilege; "
        "segments, loss and crossing segments need root.",
    )
    p.add_argument(
        "target", metavar="SCENARIO_OR_LESSON", help="a scenario file, lesson file or lesson id"
    )
    p.add_argument("--json", action="store_true", help="print JSON: engine, kernel, differences")
    p.add_argument(
        "--absolute",
        action="store_true",
        help="raw sequence numbers instead of numbers relative to each ISN",
    )
    p.add_argument(
        "--max-wait",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="longest real wait for one wait step (default 10)",
    )
    p.add_argument(
        "--full-waits",
        action="store_true",
        help="wait every wait step out (up to --max-wait) instead of cutting long ones short",
    )
    p.add_argument("--pcap", type=Path, metavar="FILE", help="also save the capture (root)")
    p.add_argument("--ipv6", action="store_true", help="play on ::1 instead of 127.0.0.1")
    p.add_argument("--seed", type=int, help="seed for the engine's random ISNs")
    add_global_options(p, "lessons", help="lesson folder for a lesson id")
    p.set_defaults(handler=run)


def load_target(target: str, lessons: Path | None = None):
    """(label, scenario) for a scenario file, a lesson file or a lesson id."""
    from ..lessons import default_dir
    from ..lessons.catalog import read_catalog
    from ..lessons.loader import load_lesson
    from ..scenarios import load_scenario
    from ..validation import FileProblem, read_toml

    path = Path(target)
    try:
        if path.exists() and not path.is_dir():  # a FIFO or a device is refused by name
            try:
                is_lesson = "scenario" in read_toml(path)
            except FileProblem:
                is_lesson = False  # load_scenario says what is wrong
            if is_lesson:
                lesson = load_lesson(path).lesson
                return f"lesson {lesson.id}", lesson.scenario.to_engine()
            return str(path), load_scenario(path)
        catalog = read_catalog(lessons or default_dir())
        info = next((i for i in catalog if i.id == target), None)
        if info is None:
            import difflib

            close = difflib.get_close_matches(target, [i.id for i in catalog], n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise CommandError(f"{target}: no such file, and no lesson with that id{hint}")
        lesson = load_lesson(info.path).lesson
        return f"lesson {lesson.id}", lesson.scenario.to_engine()
    except FileProblem as err:
        raise CommandError(err.lines) from None


def run(args: argparse.Namespace) -> int:
    from ..live import not_linux

    reason = not_linux()
    if reason:
        raise CommandError(reason, status=1)
    if args.max_wait <= 0:
        raise CommandError(f"--max-wait {args.max_wait:g}: must be more than 0 seconds")
    if args.pcap is not None and not args.pcap.parent.is_dir():
        raise CommandError(f"--pcap {args.pcap}: no such folder {args.pcap.parent}")
    label, scenario = load_target(args.target, args.lessons)

    import signal

    from ..live import LiveSettings, run_live

    def stop(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt  # so that every socket and rule is let go on the way out

    signal.signal(signal.SIGTERM, stop)
    settings = LiveSettings(
        host="::1" if args.ipv6 else "127.0.0.1",
        max_wait=args.max_wait,
        full_waits=args.full_waits,
        pcap=args.pcap,
        seed=args.seed,
    )
    try:
        result = run_live(scenario, settings)
    except OSError as err:
        raise CommandError(f"live: {err.strerror or err}", status=1) from None
    if args.json:
        print(json.dumps(result.to_json(args.absolute), indent=2, ensure_ascii=False))
    else:
        from ..live.report import report_lines

        for line in report_lines(result, label, args.absolute):
            print(line)
    return 0
