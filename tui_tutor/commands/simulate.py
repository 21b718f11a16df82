"""``tui-tutor simulate FILE``: run a scenario file and print its ladder or JSON."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from . import CommandError


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("simulate", help="run a scenario file and print the segments")
    p.add_argument("file", type=Path, help="a scenario TOML file")
    p.add_argument("--json", action="store_true", help="print JSON instead of a ladder")
    p.add_argument(
        "--absolute",
        action="store_true",
        help="raw sequence numbers instead of numbers relative to each ISN",
    )
    p.add_argument("--seed", type=int, help="seed for the random ISNs (repeatable runs)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import random

    from .. import engine
    from ..ladder import ladder_lines
    from ..scenarios import load_scenario
    from ..validation import FileProblem

    label = str(args.file)
    try:
        scenario = load_scenario(args.file, label)
        trace = engine.run(scenario, rng=random.Random(args.seed))
    except FileProblem as err:
        raise CommandError(err.lines) from None
    except engine.StepError as err:
        raise CommandError(f"{label}: {err}") from None
    except engine.LivelockError as err:  # the limits should keep this from happening
        raise CommandError(f"{label}: the engine stopped the run: {err}") from None
    if args.json:
        print(json.dumps(trace.to_json(absolute=args.absolute), indent=2))
        return 0
    isns = dict(trace.isn)
    for line in ladder_lines(trace.segments(), isns, args.absolute):
        print(line)
    states = trace.final_states()
    print(f"end: client {states[engine.Role.CLIENT]}, server {states[engine.Role.SERVER]}")
    return 0
