"""`tui-tutor lessons list` and `tui-tutor lessons schema`, as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tui_tutor import cli
from tui_tutor.lessons.loader import load_all, load_lesson

REPO = Path(__file__).resolve().parent.parent
LESSONS = REPO / "lessons"
REGENERATE = "run `tui-tutor lessons schema > lessons/schema.json`"


def run(capsys, *args: str) -> tuple[int, str, str]:
    status = cli.main(["lessons", *args])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture(scope="module")
def curriculum():
    loaded, problems = load_all([LESSONS])
    assert problems == []
    return [item.lesson for item in loaded]


# ------------------------------------------------------------------ list --json


def test_list_json_gives_id_title_level_and_file_of_each_lesson_in_curriculum_order(
    capsys, curriculum
):
    status, out, err = run(capsys, "list", "--json")
    assert (status, err) == (0, "")
    rows = json.loads(out)
    assert [row["id"] for row in rows] == [lesson.id for lesson in curriculum]
    assert [lesson.number for lesson in curriculum] == list(range(1, len(curriculum) + 1))
    for row, lesson in zip(rows, curriculum, strict=True):
        assert row == {
            "id": lesson.id,
            "title": {"en": lesson.title.en, "zh": lesson.title.zh},
            "level": lesson.level,
            "file": row["file"],
        }


def test_list_json_file_is_the_file_that_holds_that_lesson(capsys):
    _, out, _ = run(capsys, "list", "--json")
    for row in json.loads(out):
        path = Path(row["file"])
        assert path.resolve().parent == LESSONS
        assert load_lesson(path).lesson.id == row["id"]


def test_list_json_prints_chinese_as_text_not_escapes(capsys):
    _, out, _ = run(capsys, "list", "--json")
    assert "三次握手" in out
    assert "\\u" not in out


def test_list_dir_lists_the_lessons_of_another_folder(capsys, tmp_path):
    for name in ("04-four-way-close-client-first.toml", "02-three-way-handshake.toml"):
        (tmp_path / name).write_bytes((LESSONS / name).read_bytes())
    status, out, _ = run(capsys, "list", "--json", "--dir", str(tmp_path))
    assert status == 0
    assert [(row["id"], row["file"]) for row in json.loads(out)] == [
        ("three-way-handshake", str(tmp_path / "02-three-way-handshake.toml")),
        ("four-way-close-client-first", str(tmp_path / "04-four-way-close-client-first.toml")),
    ]


def test_list_of_a_folder_with_a_broken_lesson_prints_its_problem_and_exits_1(capsys, tmp_path):
    broken = REPO / "tests" / "lessons_broken" / "missing-id.toml"
    (tmp_path / "missing-id.toml").write_bytes(broken.read_bytes())
    status, out, err = run(capsys, "list", "--dir", str(tmp_path))
    assert err.splitlines() == [f"{tmp_path / 'missing-id.toml'}: id: required key is missing"]
    assert (status, out) == (1, "")


def test_list_of_a_missing_folder_is_one_line_and_exit_1(capsys, tmp_path):
    status, out, err = run(capsys, "list", "--dir", str(tmp_path / "nowhere"))
    assert err.splitlines() == [f"{tmp_path / 'nowhere'}: no such file or folder"]
    assert (status, out) == (1, "")


# ------------------------------------------------------------------ list (table)


def table_rows(out: str) -> list[list[str]]:
    """The cells of each table line that starts a row (its first cell holds a number)."""
    rows = []
    for line in out.splitlines():
        cells = [c.strip() for c in line.strip("│").split("│")]
        if len(cells) == 5 and cells[0].isdigit():
            rows.append(cells)
    return rows


def test_list_prints_a_table_of_number_id_level_and_both_titles_in_order(
    capsys, monkeypatch, curriculum
):
    monkeypatch.setenv("COLUMNS", "200")
    status, out, _ = run(capsys, "list")
    assert status == 0
    header = next(line for line in out.splitlines() if "标题" in line)
    assert [c.strip() for c in header.split("┃")[1:-1]] == ["#", "id", "level", "title", "标题"]
    assert table_rows(out) == [
        [str(lesson.number), lesson.id, lesson.level, lesson.title.en, lesson.title.zh]
        for lesson in curriculum
    ]


def test_list_shows_every_id_in_full_in_an_80_column_terminal(capsys, monkeypatch, curriculum):
    monkeypatch.setenv("COLUMNS", "80")
    _, out, _ = run(capsys, "list")
    assert max(len(line) for line in out.splitlines()) <= 80
    assert [row[1] for row in table_rows(out)] == [lesson.id for lesson in curriculum]


# ------------------------------------------------------------------ schema


def test_schema_prints_the_committed_lessons_schema_json(capsys):
    status, out, err = run(capsys, "schema")
    assert (status, err) == (0, "")
    committed = json.loads((LESSONS / "schema.json").read_text(encoding="utf-8"))
    assert json.loads(out) == committed, f"lessons/schema.json is out of date: {REGENERATE}"


def test_the_committed_schema_is_byte_for_byte_what_the_command_writes(capsys):
    _, out, _ = run(capsys, "schema")
    committed = (LESSONS / "schema.json").read_text(encoding="utf-8")
    assert out == committed, f"lessons/schema.json differs from the command's output: {REGENERATE}"


def test_schema_is_a_draft_2020_12_schema_of_a_lesson_table(capsys):
    _, out, _ = run(capsys, "schema")
    schema = json.loads(out)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) >= {"format_version", "id", "title", "scenario", "steps"}


def test_every_shipped_lesson_points_editors_at_the_schema():
    for path in sorted(LESSONS.glob("*.toml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == "#:schema ./schema.json", f"{path.name} starts with {first!r}"
