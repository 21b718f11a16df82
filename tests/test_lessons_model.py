"""The lesson model: hypothesis writes valid lesson tables; they survive a round trip.

The strategies below build plain dicts, as ``tomllib`` returns them, for every table
of the format (text, the four step kinds, mistakes, expectations, options, the
scenario and its seven step kinds), within the limits the model declares. A lesson
validated, dumped and validated again must be the same lesson; so must one dumped to
JSON, or dumped without its defaults (the smallest file that says the same).
"""

from __future__ import annotations

import json
import typing
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from tui_tutor.commands.lessons import lesson_schema
from tui_tutor.lessons.model import Lesson
from tui_tutor.scenarios import MAX_BYTES, MAX_LOST, MAX_SECONDS, MAX_SEGMENTS
from tui_tutor.validation import FileProblem, validate

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

STATES = [
    "CLOSED",
    "LISTEN",
    "SYN_SENT",
    "SYN_RECEIVED",
    "ESTABLISHED",
    "FIN_WAIT_1",
    "FIN_WAIT_2",
    "CLOSE_WAIT",
    "CLOSING",
    "LAST_ACK",
    "TIME_WAIT",
]
FLAGS = ["SYN", "ACK", "FIN", "RST", "PSH"]
FIELDS = ["flags", "seq", "ack", "len", "client_state", "server_state"]
PEERS = st.sampled_from(["client", "server"])

words = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1).filter(
    lambda s: s.strip()
)
ids = st.from_regex(r"[a-z0-9][a-z0-9-]{0,30}", fullmatch=True)
segment_numbers = st.integers(1, 50)


def optional(strategy):
    return st.none() | strategy


@st.composite
def tables(draw, required: dict[str, Any], optional_keys: dict[str, Any] | None = None):
    """A dict with every required key and any subset of the optional ones."""
    table = {key: draw(strategy) for key, strategy in required.items()}
    for key, strategy in (optional_keys or {}).items():
        if draw(st.booleans()):
            table[key] = draw(strategy)
    return table


texts = tables({"en": words, "zh": words})
hint_explain = {"hint": texts, "explain": texts}
question_id = {"id": ids}


@st.composite
def placed(draw, whens=("start", "before", "after", "end")) -> dict[str, Any]:
    """``when`` and ``segment`` that agree: a segment for before/after, none for start/end."""
    when = draw(st.sampled_from(whens))
    table: dict[str, Any] = {}
    if when != "before" or draw(st.booleans()):
        table["when"] = when  # "before" is the default
    if when in ("before", "after"):
        table["segment"] = draw(segment_numbers)
    return table


def mistakes(field_names):
    return st.lists(
        tables({"answer": words, "feedback": texts}, {"field": st.sampled_from(field_names)}),
        max_size=3,
    )


expects = tables(
    {},
    {
        "flags": st.lists(st.sampled_from(FLAGS), max_size=5),
        "seq": st.integers() | words,
        "ack": st.integers() | words,
        "len": st.integers(0, 10**6),
        "client_state": st.sampled_from(STATES),
        "server_state": st.sampled_from(STATES),
    },
)


@st.composite
def narrate(draw):
    return {"kind": "narrate", **draw(placed()), "text": draw(texts)}


@st.composite
def predict_segment(draw):
    table = draw(
        tables(
            {"segment": segment_numbers, **hint_explain},
            {
                "ask": st.lists(st.sampled_from(FIELDS), min_size=1, max_size=6, unique=True),
                "prompt": texts,
                "expect": expects,
                "mistakes": mistakes(FIELDS),
                **question_id,
            },
        )
    )
    return {"kind": "predict_segment", **table}


@st.composite
def predict_state(draw):
    table = draw(
        tables(
            {"peer": PEERS, "prompt": texts, **hint_explain},
            {
                "expect": st.sampled_from(STATES),
                "mistakes": mistakes([*FIELDS, "state"]),
                **question_id,
            },
        )
    )
    when = draw(st.sampled_from(["after", "end"]))
    if when == "end":
        table["when"] = "end"
    else:
        table["segment"] = draw(segment_numbers)
    return {"kind": "predict_state", **table}


@st.composite
def choice(draw):
    options = draw(
        st.lists(
            tables({"text": texts}, {"correct": st.booleans(), "feedback": texts}),
            min_size=2,
            max_size=6,
        )
    )
    if not any(o.get("correct") for o in options):
        options[draw(st.integers(0, len(options) - 1))]["correct"] = True
    table = draw(tables({"prompt": texts, **hint_explain}, question_id))
    return {"kind": "choice", **draw(placed()), **table, "options": options}


hold = {"hold": st.booleans()}
STEPS_AT_MOST = 8


def scenario_steps(mss: int):
    """One step, each within its share of the scenario's totals (``tui_tutor.scenarios``)."""
    send_bytes = min(MAX_BYTES, MAX_SEGMENTS * mss) // STEPS_AT_MOST
    return st.one_of(
        tables({"do": st.just("connect")}, {"peer": PEERS, **hold}),
        tables({"do": st.just("listen")}, {"peer": PEERS, **hold}),
        tables({"do": st.just("send"), "peer": PEERS, "bytes": st.integers(1, send_bytes)}, hold),
        tables({"do": st.just("close"), "peer": PEERS}, hold),
        tables({"do": st.just("abort"), "peer": PEERS}, hold),
        tables(
            {"do": st.just("lose"), "peer": PEERS},
            {"count": st.integers(1, MAX_LOST // STEPS_AT_MOST), **hold},
        ),
        tables(
            {
                "do": st.just("wait"),
                "seconds": st.floats(0, MAX_SECONDS / STEPS_AT_MOST, exclude_min=True),
            },
            hold,
        ),
    )


peer_tables = tables(
    {},
    {
        "isn": st.integers(0, 2**32 - 1),
        "listening": st.booleans(),
        "delayed_ack": st.booleans(),
    },
)


@st.composite
def scenarios(draw):
    table = draw(
        tables(
            {},
            {
                "msl": st.floats(0, 3600, exclude_min=True) | st.integers(1, 3600),
                "mss": st.integers(1, 65495),
                "client": peer_tables,
                "server": peer_tables,
            },
        )
    )
    steps = scenario_steps(table.get("mss", 1460))
    table["steps"] = draw(st.lists(steps, min_size=1, max_size=STEPS_AT_MOST))
    return table


lesson_tables = tables(
    {
        "format_version": st.just(1),
        "id": ids,
        "number": st.integers(0, 1000),
        "level": st.sampled_from(["basic", "intermediate", "advanced", "review"]),
        "title": texts,
        "summary": texts,
        "scenario": scenarios(),
        "steps": st.lists(
            st.one_of(narrate(), predict_segment(), predict_state(), choice()),
            min_size=1,
            max_size=6,
        ),
    },
    {
        "prerequisites": st.lists(ids, max_size=3),
        "numbers": st.sampled_from(["symbolic", "relative", "absolute"]),
    },
)


# ------------------------------------------------------------------ round trips


def keeps(dumped: Any, written: Any) -> bool:
    """Does the dump hold each key and value of the table as written (ints as floats ok)?"""
    if isinstance(written, dict):
        return all(k in dumped and keeps(dumped[k], v) for k, v in written.items())
    if isinstance(written, list):
        return len(dumped) == len(written) and all(map(keeps, dumped, written))
    if isinstance(written, int) and isinstance(dumped, float):
        return dumped == written
    return type(dumped) is type(written) and dumped == written


@SETTINGS
@given(lesson_tables)
def test_a_valid_lesson_table_survives_model_dump_json_and_a_dump_without_defaults(data):
    lesson = Lesson.model_validate(data)
    dumped = lesson.model_dump()
    assert keeps(dumped, data), "validation changed a value the author wrote"
    assert Lesson.model_validate(dumped) == lesson
    assert Lesson.model_validate(json.loads(lesson.model_dump_json())) == lesson
    assert Lesson.model_validate(lesson.model_dump(exclude_defaults=True)) == lesson


# ------------------------------------------------------------------ what the model refuses


def paths_to_tables(data: Any, path: tuple = ()) -> list[tuple]:
    """The path of every table (dict) inside ``data``."""
    found = [path] if isinstance(data, dict) else []
    if isinstance(data, dict):
        for key, value in data.items():
            found.extend(paths_to_tables(value, (*path, key)))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found.extend(paths_to_tables(value, (*path, i)))
    return found


@SETTINGS
@given(data=lesson_tables, pick=st.data())
def test_an_unknown_key_in_any_table_is_reported_at_its_path(data, pick):
    path = pick.draw(st.sampled_from(paths_to_tables(data)))
    node = data
    for part in path:
        node = node[part]
    node["zz_unknown"] = 1
    with pytest.raises(FileProblem) as err:
        validate(Lesson, data, "f.toml")
    dotted = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")
    where = f"{dotted}.zz_unknown" if dotted else "zz_unknown"
    assert f'f.toml: {where}: unknown key "zz_unknown"' in err.value.lines


def test_a_step_kind_with_no_segment_where_one_is_needed_is_refused():
    data = {"kind": "narrate", "when": "after", "text": {"en": "a", "zh": "甲"}}
    with pytest.raises(ValidationError, match='"segment" is required when "when" is "after"'):
        Lesson.model_validate({"steps": [data]})


def test_a_choice_with_no_correct_option_is_refused():
    option = {"text": {"en": "a", "zh": "甲"}}
    step = {
        "kind": "choice",
        "when": "end",
        "prompt": option["text"],
        "hint": option["text"],
        "explain": option["text"],
        "options": [option, option],
    }
    with pytest.raises(ValidationError, match="no option is marked correct = true"):
        Lesson.model_validate({"steps": [step]})


def test_the_model_is_strict_a_number_written_as_a_string_is_refused():
    with pytest.raises(ValidationError) as err:
        Lesson.model_validate({"number": "2"})
    assert any(e["loc"] == ("number",) and e["type"] == "int_type" for e in err.value.errors())


# ------------------------------------------------------------------ descriptions


def fields_without_description(discriminators: bool) -> list[str]:
    schema = lesson_schema()
    tables = {"Lesson": schema, **schema["$defs"]}
    missing = []
    for name, table in tables.items():
        for key, prop in table.get("properties", {}).items():
            if key in ("kind", "do") and not discriminators:
                continue
            if not prop.get("description", "").strip():
                missing.append(f"{name}.{key}")
    return missing


def models_of_the_format() -> list[type[BaseModel]]:
    seen: list[type[BaseModel]] = []

    def visit(tp: Any) -> None:
        if isinstance(tp, type) and issubclass(tp, BaseModel) and tp not in seen:
            seen.append(tp)
            for field in tp.model_fields.values():
                visit(field.annotation)
        for arg in typing.get_args(tp):
            visit(arg)

    visit(Lesson)
    return seen


def test_every_table_of_the_format_appears_in_the_schema():
    defs = {"Lesson", *lesson_schema()["$defs"]}
    assert {m.__name__ for m in models_of_the_format()} <= defs


def test_every_field_has_a_description_in_the_schema_apart_from_kind_and_do():
    assert fields_without_description(discriminators=False) == []


def test_the_kind_and_do_keys_have_a_description_in_the_schema_too():
    assert fields_without_description(discriminators=True) == []


def test_every_table_has_a_description_in_the_schema():
    schema = lesson_schema()
    assert schema.get("description")
    assert [name for name, d in schema["$defs"].items() if not d.get("description")] == []


def test_a_line_break_inside_a_sentence_is_the_authors_and_goes():
    from tui_tutor.lessons.model import Text, flowed

    text = Text(
        en="One thing changes: the client's FIN\nhas been acknowledged.\nNext.", zh="甲，\n乙。"
    )
    assert text.get("en") == "One thing changes: the client's FIN has been acknowledged.\nNext."
    assert text.get("zh") == "甲，乙。", "no space between two Chinese characters"
    assert flowed("Two.\n\nParagraphs") == "Two.\n\nParagraphs"
    assert flowed("A list:\n- one\n- two") == "A list:\n- one\n- two"


def test_no_bundled_lesson_text_breaks_a_line_inside_a_sentence():
    import tomllib
    from pathlib import Path

    from tui_tutor.lessons.model import SENTENCE_ENDS, flowed

    def texts(node):
        if isinstance(node, dict):
            for value in node.values():
                yield from texts(value)
        elif isinstance(node, list):
            for value in node:
                yield from texts(value)
        elif isinstance(node, str):
            yield node

    folder = Path(__file__).resolve().parent.parent / "lessons"
    for path in sorted(folder.glob("*.toml")):
        for text in texts(tomllib.loads(path.read_text())):
            for line in flowed(text.strip()).split("\n")[:-1]:
                assert not line or line[-1] in SENTENCE_ENDS, (path.name, line)


def test_a_lesson_file_edited_after_it_was_loaded_is_read_again(tmp_path):
    """Loaded lessons are kept by file (serve-ssh's fork server loads them once for every
    app); an author's edit must still show, and a file broken since must say so."""
    import shutil

    from tui_tutor.lessons import default_dir
    from tui_tutor.lessons.loader import load_lesson

    path = tmp_path / "lesson.toml"
    shutil.copy(default_dir() / "01-why-handshake.toml", path)
    first = load_lesson(path).lesson
    assert load_lesson(path).lesson == first
    text = path.read_text(encoding="utf-8")
    edited = first.title.en + " (edited)"
    path.write_text(text.replace(first.title.en, edited, 1), encoding="utf-8")
    assert load_lesson(path).lesson.title.en == edited
    path.write_text(text + "\nnot toml at all [[[\n", encoding="utf-8")
    with pytest.raises(FileProblem):
        load_lesson(path)
