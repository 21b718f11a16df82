"""A live comparison as text for the terminal: two ladders side by side, states, differences."""

from __future__ import annotations

import platform

from .. import engine
from ..engine import Role
from ..ladder import segment_label
from .compare import Row, align, rows
from .session import LiveResult
from .words import MODES, difference, known, note, say

CELL = 44


def report_lines(result: LiveResult, label: str, absolute: bool = False) -> list[str]:
    run = result.run
    host = f"[{run.host}]" if ":" in run.host else run.host
    lines = [
        f"live: {label} on your kernel, Linux {platform.release()} "
        f"(client {host}:{run.ports[Role.CLIENT]}, server {host}:{run.ports[Role.SERVER]})",
        say(MODES, run.mode, "en"),
    ]
    lines += [f"note: {note(n, 'en')}" for n in run.limits]
    lines.append("")
    if run.mode != "states":
        lines += _ladders(result, absolute)
        lines.append("")
    lines += _states(result)
    lines.append("")
    found = result.comparison.differences
    if not found:
        lines.append("differences: none")
        return lines
    unexplained = len(result.comparison.unexplained)
    lines.append(f"differences: {len(found)} ({len(found) - unexplained} known)")
    for d in found:
        lines.append(f"  - {difference(d)}")
        why = known(d)
        lines.append(f"    known: {why}" if why else "    not explained")
    return lines


def _ladders(result: LiveResult, absolute: bool) -> list[str]:
    ours, theirs = rows(result.engine), rows(result.kernel)
    e_records, k_records = result.engine.segments(), result.kernel.segments()
    e_isns, k_isns = dict(result.engine.isn), dict(result.kernel.isn)
    e_start = e_records[0].time if e_records else 0.0
    k_start = k_records[0].time if k_records else 0.0
    marks = {}
    for d in result.comparison.differences:
        if d.segment is not None or d.kernel_segment is not None:
            tag = "known" if d.known else "differs"
            marks[(d.segment, d.kernel_segment)] = tag
    lines = [f"  {'#':>2}  {'engine':<{CELL}}  kernel"]
    for n, (e, k) in enumerate(align(ours, theirs), 1):
        left = _cell(e, e_records, e_isns, e_start, absolute)
        right = _cell(k, k_records, k_isns, k_start, absolute)
        key = (e.number if e else None, k.number if k else None)
        mark = marks.get(key) or marks.get((key[0], None)) or marks.get((None, key[1])) or ""
        lines.append(f"  {n:>2}  {left:<{CELL}}  {right:<{CELL}}  {mark}".rstrip())
    return lines


def _cell(
    row: Row | None,
    records: list[engine.SegmentRecord],
    isns: dict[Role, int],
    start: float,
    absolute: bool,
) -> str:
    if row is None:
        return "-"
    record = records[row.number - 1]
    arrow = "→" if record.sender is Role.CLIENT else "←"
    text = segment_label(record, dict(isns), absolute)
    if record.retransmission:
        text += " ↻"
    if record.lost:
        text += " ✗"
    return f"{record.time - start:6.3f} {arrow} {text}"


def _states(result: LiveResult) -> list[str]:
    comparison = result.comparison
    width = max([len("setup"), *(len(engine.describe(s)) + 12 for s in result.scenario.steps)])
    lines = [f"  {'step':<{width}}  {'engine client / server':<27}  kernel client / server"]
    for played, ours, theirs in zip(
        result.run.steps, comparison.engine_states, comparison.kernel_states, strict=True
    ):
        step = result.scenario.steps[played.index]
        what = f"{played.index + 1}. {engine.describe(step)}"
        if played.seconds is not None and isinstance(step, engine.Wait):
            what += f" {step.seconds:g} s"
            if played.seconds < step.seconds:
                what += f" (waited {played.seconds:g})"
        left = f"{ours[Role.CLIENT].value} / {ours[Role.SERVER].value}"
        right = f"{theirs[Role.CLIENT].value} / {theirs[Role.SERVER].value}" if theirs else "-"
        line = f"  {what:<{width}}  {left:<27}  {right}"
        lines.append(line.rstrip())
        lines += [f"  {'':<{width}}  ({note(n, 'en')})" for n in played.notes]
    return lines
