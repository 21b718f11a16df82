"""``tui-tutor lessons check``: what the schema cannot see, as rustlings' ``dev check``.

Beyond the pydantic model: ids are unique, prerequisites exist, the scenario
runs in the engine, every segment number a step names exists, every value an
author wrote down (``expect``) agrees with the engine, every "common mistake" is
really wrong, and the text avoids errors popular articles make. Each problem is
one line: ``FILE: dotted.path: message``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel

from .. import engine
from ..engine import MODULUS, Role
from .catalog import catalog_entries, duplicate_id
from .expr import BadExpression
from .loader import LoadedLesson, lesson_files, load_all
from .model import Choice, Expect, Lesson, Narrate, PredictSegment, PredictState, Text
from .quiz import Numbers, expected_flags, expected_state, normalize_state, parse_flags
from .timeline import Run, build_timeline

# Wrong phrases that popular articles print, and what to write instead. A lesson may still
# quote one to correct it: in a sentence that says it is wrong ("not 四次握手", "a typo for",
# 误传) or whose claim it attributes to articles, or as the text of a wrong option.
KNOWN_ERRORS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"LASK[_-]?ACK", re.IGNORECASE), "the state is LAST_ACK"),
    (re.compile(r"四次握手"), "closing a connection is 四次挥手, not 四次握手"),
    (
        re.compile(r"握手[^。；]{0,12}(保证|确保|为了|使)[^。；]{0,8}安全"),
        "the handshake makes TCP reliable (可靠), not secure (安全)",
    ),
    (
        re.compile(
            r"handshake[^.;]{0,30}(makes?|ensures?|guarantees?)[^.;]{0,20}secure", re.IGNORECASE
        ),
        "the handshake makes TCP reliable, not secure",
    ),
    (
        re.compile(
            r"(RFC\s*9293|simultaneous)[^.;]{0,60}\b(figure|fig\.?)\s*8\b"
            r"|\b(figure|fig\.?)\s*8\b[^.;]{0,60}simultaneous",
            re.IGNORECASE,
        ),
        "RFC 9293 draws the simultaneous open in Figure 7 (Figure 8 was RFC 793's number)",
    ),
    (
        re.compile(r"(RFC\s*9293|同时打开)[^。；]{0,30}图\s*8|图\s*8[^。；]{0,30}同时打开"),
        "RFC 9293 draws the simultaneous open in Figure 7 (图 7; Figure 8 was RFC 793's number)",
    ),
    (
        re.compile(
            r"\brandom(ly chosen)?\s+(initial sequence numbers?|ISNs?)\b"
            r"|\b(ISNs?|initial sequence numbers?)\s+(is|are)\s+(a\s+)?(chosen\s+at\s+)?random",
            re.IGNORECASE,
        ),
        "ISNs are not random: RFC 9293 3.4.1 and RFC 6528 take them from a clock that keeps "
        "rising plus a keyed hash of the addresses and ports",
    ),
    (
        re.compile(r"随机(选择|选取|的)?(一个)?初始序列号|初始序列号[^。；]{0,6}随机"),
        "the ISN is not random (not 随机初始序列号): RFC 9293 3.4.1 and RFC 6528 take it from a "
        "clock plus a keyed hash",
    ),
]
# Just before the phrase: "not LASK_ACK", "不是四次握手".
_CORRECTING = re.compile(
    r"(不是|并非|而非|误|不叫|不要|不能|not|never|misspel|wrong)[^。.]{0,12}$", re.IGNORECASE
)
# Anywhere in its sentence: the sentence says the phrase is wrong, or whose claim it is.
_CORRECTING_SENTENCE = re.compile(
    r"wrong|misspel|typo|mistake|myth|article|误|错|不对|文章", re.IGNORECASE
)
_SENTENCE_END = re.compile(r"[.;!?](?:\s|$)|[。；！？\n]")


def _sentence(body: str, start: int, end: int) -> str:
    """The sentence of ``body`` around ``body[start:end]``."""
    begin = max((m.end() for m in _SENTENCE_END.finditer(body, 0, start)), default=0)
    after = _SENTENCE_END.search(body, end)
    return body[begin : after.end() if after else len(body)]


def _corrected(body: str, match: re.Match[str], claim: bool) -> bool:
    if claim or _CORRECTING.search(body[max(0, match.start() - 14) : match.start()]):
        return True
    return bool(_CORRECTING_SENTENCE.search(_sentence(body, match.start(), match.end())))


_CJK = re.compile(r"[\u4e00-\u9fff]")
_ENGLISH_WORD = re.compile(r"\b[A-Za-z][a-z]{2,}\b")  # words, not SYN or LAST_ACK

# ISN pairs every lesson is checked with when its scenario leaves them random:
# ordinary ones, and x = 2**32-1 so that x+1 wraps to 0. No pair has y = x+n for a small n.
CHECK_ISNS = [(1000, 5000), (MODULUS - 1, MODULUS - 1000), (123456789, 3000000000)]


def check_paths(paths: list[Path]) -> tuple[list[LoadedLesson], list[str]]:
    """Load and check every lesson under ``paths``; every problem, one line each."""
    loaded, problems = load_all(paths)
    for item in loaded:
        problems.extend(check_lesson(item))
    problems.extend(check_together(loaded, _neighbours(paths)))
    return loaded, problems


def _neighbours(paths: list[Path]) -> dict[Path, dict[str, str]]:
    """The lessons beside the files checked: folder -> {id: file}.

    A prerequisite may be one of them, and a lesson must not take one's id. Only their
    ids are read (as the picker reads them, skipping any file it cannot read): a broken
    neighbour is not what was asked to be checked.
    """
    checked = {file.resolve() for file in lesson_files(paths)[0]}
    found: dict[Path, dict[str, str]] = {}
    for folder in {p.parent.resolve() for p in paths if p.is_file()}:
        ids = found.setdefault(folder, {})
        for info in catalog_entries(folder):
            if info.path.resolve() not in checked:
                ids.setdefault(info.id, str(info.path))
    return found


def check_together(
    loaded: list[LoadedLesson], neighbours: dict[Path, dict[str, str]] | None = None
) -> list[str]:
    """No id of a lesson beside it (``load_all`` refused ids used twice among the files
    checked); prerequisites that name lessons."""
    neighbours = neighbours or {}
    problems = []
    for item in loaded:
        beside = neighbours.get(item.path.parent.resolve(), {})
        if item.lesson.id in beside:
            problems.append(duplicate_id(item.label, item.lesson.id, beside[item.lesson.id]))
    known = {i for ids in neighbours.values() for i in ids}
    seen = {item.lesson.id: item for item in loaded}
    ids = [*seen, *sorted(known - set(seen))]
    for item in loaded:
        for i, pre in enumerate(item.lesson.prerequisites):
            if pre == item.lesson.id:
                problems.append(f"{item.label}: prerequisites[{i}]: a lesson cannot need itself")
            elif pre not in ids:
                close = difflib.get_close_matches(pre, ids, n=1)
                hint = f'; did you mean "{close[0]}"?' if close else ""
                problems.append(f'{item.label}: prerequisites[{i}]: no lesson has id "{pre}"{hint}')
    return problems


def check_lesson(item: LoadedLesson) -> list[str]:
    lesson, label = item.lesson, item.label
    problems = [f"{label}: {p}" for p in _text_problems(lesson)]
    scenario = lesson.scenario.to_engine()
    runs: list[Run] = []
    for x, y in CHECK_ISNS:
        isns = {
            Role.CLIENT: scenario.client.isn if scenario.client.isn is not None else x,
            Role.SERVER: scenario.server.isn if scenario.server.isn is not None else y,
        }
        try:
            trace = engine.run(scenario, isns=isns)
        except engine.StepError as err:
            return [*problems, f"{label}: scenario.{err}"]
        except engine.LivelockError as err:
            return [*problems, f"{label}: scenario: {err}"]
        runs.append(build_timeline(lesson, trace))
        if scenario.client.isn is not None and scenario.server.isn is not None:
            break
    for run in runs:
        found = _step_problems(lesson, run)
        if found:
            problems.extend(f"{label}: {p}" for p in found)
            break
    return list(dict.fromkeys(problems))


def _step_problems(lesson: Lesson, run: Run) -> list[str]:
    count = len(run.records)
    problems = []
    for i, step in enumerate(lesson.steps):
        where = f"steps[{i}]"
        number = getattr(step, "segment", None)
        if number is not None and number > count:
            problems.append(
                f"{where}.segment: the scenario sends only {count} segment"
                f"{'s' if count != 1 else ''}, there is no segment {number}"
            )
            continue
        if isinstance(step, PredictSegment):
            problems.extend(_segment_problems(where, step, run))
        elif isinstance(step, PredictState):
            problems.extend(_state_problems(where, step, run))
        elif isinstance(step, Choice | Narrate):
            continue
    return problems


def _segment_problems(where: str, q: PredictSegment, run: Run) -> list[str]:
    record = run.record(q.segment)
    numbers = Numbers(run.x, run.y, symbolic=True)
    problems = []
    if q.expect is not None:
        problems.extend(_expect_problems(f"{where}.expect", q.expect, record, numbers))
    for j, m in enumerate(q.mistakes):
        at = f"{where}.mistakes[{j}]"
        if m.field == "state":
            problems.append(
                f'{at}.field: in a predict_segment question name the field, e.g. "client_state"'
            )
            continue
        if m.field not in q.ask:
            problems.append(f'{at}.field: "{m.field}" is not asked (ask = {q.ask})')
            continue
        problem = _mistake_problem(m.field, m.answer, record, numbers)
        if problem:
            problems.append(f"{at}.answer: {problem}")
    return problems


def _expect_problems(
    where: str, expect: Expect, record: engine.SegmentRecord, numbers: Numbers
) -> list[str]:
    problems = []
    if expect.flags is not None:
        want = expected_flags(record)
        wrote = set(expect.flags) - {"PSH"}
        if wrote != want:
            problems.append(f"{where}.flags: the engine sends {_flags(want)}, not {_flags(wrote)}")
    for name in ("seq", "ack"):
        written = getattr(expect, name)
        if written is None:
            continue
        value = record.seq if name == "seq" else record.ack
        if value is None:
            problems.append(f"{where}.{name}: the segment has no ACK flag, so no ack; remove it")
            continue
        try:
            ok = value in numbers.readings(str(written), name, record.sender)
        except BadExpression as err:
            problems.append(f"{where}.{name}: {err}")
            continue
        if not ok:
            shown = numbers.show(value, name, record.sender)
            rel = engine.relative(value, numbers.base(name, record.sender))
            problems.append(
                f'{where}.{name}: the engine computes {shown} (relative {rel}), not "{written}"'
            )
    if expect.len is not None and expect.len != record.length:
        problems.append(f"{where}.len: the engine sends {record.length} bytes, not {expect.len}")
    for name in ("client_state", "server_state"):
        written = getattr(expect, name)
        actual = getattr(record, name).value
        if written is not None and written != actual:
            problems.append(
                f"{where}.{name}: the engine says {actual} after this segment, not {written}"
            )
    return problems


def _mistake_problem(
    field: str, answer: str, record: engine.SegmentRecord, numbers: Numbers
) -> str:
    try:
        if field == "flags":
            right = parse_flags(answer) == expected_flags(record)
        elif field in ("seq", "ack"):
            value = record.seq if field == "seq" else record.ack
            right = value is not None and value in numbers.readings(answer, field, record.sender)
        elif field == "len":
            right = answer.strip() == str(record.length)
        else:
            right = normalize_state(answer) == getattr(record, field).value
            if normalize_state(answer) not in engine.State.__members__:
                return f'"{answer}" is not a state name{_did_you_mean_state(answer)}'
    except BadExpression as err:
        return str(err)
    return f'"{answer}" is the right answer, not a mistake' if right else ""


def _state_problems(where: str, q: PredictState, run: Run) -> list[str]:
    want = expected_state(run, q).value
    problems = []
    if q.expect is not None and q.expect != want:
        after = "at the end" if q.when == "end" else f"after segment {q.segment}"
        problems.append(
            f"{where}.expect: the engine says {q.peer} is in {want} {after}, not {q.expect}"
        )
    for j, m in enumerate(q.mistakes):
        name = normalize_state(m.answer)
        if name not in engine.State.__members__:
            hint = _did_you_mean_state(m.answer)
            problems.append(f'{where}.mistakes[{j}].answer: "{m.answer}" is not a state name{hint}')
        elif name == want:
            problems.append(
                f'{where}.mistakes[{j}].answer: "{m.answer}" is the right answer, not a mistake'
            )
    return problems


def _did_you_mean_state(answer: str) -> str:
    close = difflib.get_close_matches(normalize_state(answer), list(engine.State.__members__), n=1)
    return f'; did you mean "{close[0]}"?' if close else ""


def _flags(names: Iterable[str]) -> str:
    return engine.flags_label(engine.Flag.parse(sorted(names)))


def _texts(value: object, path: str) -> list[tuple[str, Text]]:
    """Every Text in a model, with its dotted path."""
    found: list[tuple[str, Text]] = []
    if isinstance(value, Text):
        return [(path, value)]
    if isinstance(value, list):
        for i, item in enumerate(value):
            found.extend(_texts(item, f"{path}[{i}]"))
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            sub = f"{path}.{name}" if path else name
            found.extend(_texts(getattr(value, name), sub))
    return found


def _text_problems(lesson: Lesson) -> list[str]:
    problems = []
    # a wrong option is a claim offered to be rejected, and its feedback (like a mistake's)
    # says why it is wrong: both may quote the error they are about
    claims = {
        f"steps[{i}].options[{j}].{part}"
        for i, step in enumerate(lesson.steps)
        if isinstance(step, Choice)
        for j, option in enumerate(step.options)
        if not option.correct and option.feedback is not None
        for part in ("text", "feedback")
    } | {
        f"steps[{i}].mistakes[{j}].feedback"
        for i, step in enumerate(lesson.steps)
        for j in range(len(getattr(step, "mistakes", [])))
    }
    for path, text in _texts(lesson, ""):
        for lang in ("en", "zh"):
            body = text.get(lang)
            for pattern, advice in KNOWN_ERRORS:
                for m in pattern.finditer(body):
                    if not _corrected(body, m, path in claims):
                        problems.append(f"{path}.{lang}: {advice}")
                        break
        if not _CJK.search(text.zh) and len(_ENGLISH_WORD.findall(text.zh)) >= 2:
            problems.append(f"{path}.zh: reads as English; write it in Chinese")
    return problems


def check_default(paths: list[Path] | None = None) -> tuple[list[LoadedLesson], list[str]]:
    from . import default_dir

    return check_paths(paths or [default_dir()])
