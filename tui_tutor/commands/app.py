"""``tui-tutor`` with no command: the tutor itself (for now, a demo in the terminal)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    parent.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from .. import engine
    from ..ladder import ladder_lines

    scenario = engine.Scenario(
        steps=(
            engine.Connect(),
            engine.Send(engine.Role.CLIENT, 5),
            engine.Close(engine.Role.CLIENT),
            engine.Close(engine.Role.SERVER),
            engine.Wait(61),
        )
    )
    trace = engine.run(scenario)
    for line in ladder_lines(trace.segments(), dict(trace.isn)):
        print(line)
    return 0
