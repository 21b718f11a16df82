"""Benchmark (not a test): load and check the whole curriculum, engine runs included.

Times what ``tui-tutor lessons check`` does, in this process
(``tui_tutor.lessons.checker.check_paths`` on the bundled ``lessons/``: read and
validate every TOML file, run each scenario in the engine with the checker's ISN
pairs, compare every written answer), best and median of N runs, split into
loading (TOML + pydantic) and the rest. Then the command itself as a subprocess,
cold: interpreter start, imports and all, next to a bare ``python -c pass``.
The aim: well under 200 ms in process on this machine.

    .venv/bin/python benchmarks/bench_lessons.py [--runs N] [--profile]

``--profile`` runs cProfile over one in-process check and prints where the time goes.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

AIM_MS = 200.0
REPO = Path(__file__).resolve().parent.parent


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    """Milliseconds of each of ``runs`` calls."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def report(label: str, times: list[float]) -> None:
    print(
        f"{label:<44} best {min(times):7.1f} ms   median {statistics.median(times):7.1f} ms"
        f"   ({len(times)} runs)"
    )


def command() -> list[str]:
    script = Path(sys.executable).with_name("tui-tutor")
    return [str(script)] if script.exists() else [sys.executable, "-m", "tui_tutor"]


def run_cold(cmd: list[str], runs: int) -> list[float]:
    def once() -> None:
        done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stderr}")

    return timed(once, runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="runs of each measurement")
    parser.add_argument("--profile", action="store_true", help="cProfile one in-process check")
    args = parser.parse_args()

    start = time.perf_counter()
    from tui_tutor.lessons import default_dir
    from tui_tutor.lessons.checker import check_paths
    from tui_tutor.lessons.loader import load_all

    imported = (time.perf_counter() - start) * 1000
    folder = default_dir()

    first = timed(lambda: check_paths([folder]), 1)[0]
    loaded, problems = check_paths([folder])
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    steps = sum(len(item.lesson.steps) for item in loaded)
    print(f"curriculum: {len(loaded)} lessons, {steps} steps, in {folder}")
    print(f"{'import tui_tutor.lessons.checker (once)':<44} {imported:12.1f} ms")
    print(f"{'first check in a fresh process':<44} {first:12.1f} ms")

    load = timed(lambda: load_all([folder]), args.runs)
    check = timed(lambda: check_paths([folder]), args.runs)
    report("load all (TOML + pydantic)", load)
    report("check all (load + engine + compare)", check)

    cmd = [*command(), "lessons", "check"]
    python = run_cold([sys.executable, "-c", "pass"], args.runs)
    cold = run_cold(cmd, args.runs)
    report("python -c pass (interpreter start)", python)
    report("tui-tutor lessons check (subprocess, cold)", cold)

    best = min(check)
    verdict = "under" if best < AIM_MS else "OVER"
    print(f"in process: best {best:.1f} ms, {verdict} the {AIM_MS:.0f} ms aim")

    if args.profile or best >= AIM_MS:
        profiler = cProfile.Profile()
        profiler.enable()
        check_paths([folder])
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(25)
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
