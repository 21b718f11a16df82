"""What the learner answered at each question, and the feedback drawn from it.

An ``Answer`` keeps values, never sentences: what the form holds, what was last
checked, what Enter could not read. The feedback is drawn from them afresh each
time (the grader is run again), so that switching language re-says everything
in the new one, and a reveal keeps the marks of the last check beside the answer.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text

from ..lessons.explain import field_name
from ..lessons.expr import BadExpression
from ..lessons.quiz import FieldGrade, Grade
from .i18n import t
from .widgets.quiz import FormState, field_rank


@dataclass
class Answer:
    form: FormState  # what the form holds (kept when the learner moves away and back)
    checked: dict[str, object] | None = None  # the values of the last check
    correct: bool = False  # that check was right
    tries: int = 0  # checks graded (an unreadable or incomplete one is not a try)
    revealed: bool = False
    entered: dict[str, object] | None = None  # the form when the answer was revealed
    hinted: bool = False
    unread: dict[str, object] | None = None  # values Enter could not take, until the next try

    @property
    def outcome(self) -> str:
        """As the progress store counts it (for a capture, which has no store entry)."""
        if self.revealed and not self.correct:
            return "revealed"
        if self.correct:
            return "first_try" if self.tries == 1 and not self.hinted else "solved"
        return "open"


def problems(
    values: dict[str, object], read_number: Callable[[str, str], object], lang: str = "en"
) -> list[tuple[str, str]]:
    """(field, what is wrong) for each asked field that keeps these values from being graded:
    "" when it is empty, else why it cannot be read. An empty ack and an empty len are
    answers (no ACK, no data); everything else asked must be there. ``read_number(field,
    text)`` raises BadExpression."""
    out: list[tuple[str, str]] = []
    for name in sorted(values, key=field_rank):
        value = values[name]
        if isinstance(value, set):
            if not value:
                out.append((name, ""))
            continue
        text = unicodedata.normalize("NFKC", str(value)).strip()
        if not text:
            if name not in ("ack", "len"):
                out.append((name, ""))
        elif name == "len":
            if not text.isdigit():
                out.append((name, text))
        elif name in ("seq", "ack"):
            try:
                read_number(name, text)
            except BadExpression as err:
                out.append((name, err.text(lang)))
    return out


def missing_or_unreadable(
    values: dict[str, object], read_number: Callable[[str, str], object], lang: str
) -> list[str]:
    """What to say about ``problems``: the missing fields in one line, then each unreadable."""
    found = problems(values, read_number, lang)
    lines = []
    missing = [name for name, why in found if not why]
    if missing:
        names = t("list_sep", lang).join(field_name(n, lang) for n in missing)
        lines.append(t("missing", lang, fields=names))
    for name, why in found:
        if why and name == "len":
            lines.append(t("bad_len", lang, given=why))
        elif why:
            lines.append(f"{field_name(name, lang)}{t('colon', lang)}{why}")
    return lines


@dataclass
class QuestionView:
    """One question as the feedback needs it; the grader is called in ``lang`` each time."""

    grade: Callable[[dict[str, object], str], Grade]
    read_number: Callable[[str, str], object]
    hint: Callable[[str], str]
    explain: Callable[[str], str | None]
    options: Callable[[str], list[str]] | None = None  # a choice question's option texts
    answered_before: bool = False  # in an earlier session


def feedback(answer: Answer | None, question: QuestionView, lang: str) -> Text:
    out = Text()
    if answer is None:
        if question.answered_before:
            out.append(t("answered_before", lang), style="dim")
        return out
    if answer.unread is not None:
        for line in missing_or_unreadable(answer.unread, question.read_number, lang):
            out.append(line + "\n", style="bold red")
        out.append(t("not_a_try", lang) + "\n", style="dim")
    if answer.hinted:
        out.append(f"{t('hint_is', lang)} ", style="bold")
        out.append(question.hint(lang) + "\n")
    if answer.revealed:
        _revealed(out, answer, question, lang)
    elif answer.checked is not None:
        grade = question.grade(answer.checked, lang)
        if grade.correct:
            out.append(t("correct", lang) + "\n", style="bold green")
            _explained(out, grade, lang, marks=True)
            _closing(out, question, lang)
        else:
            out.append(t("wrong", lang) + "\n", style="bold red")
            _wrong(out, grade, lang)
    return out


def _is_choice(grade: Grade) -> bool:
    return [f.field for f in grade.fields] == ["choice"]


def _wrong(out: Text, grade: Grade, lang: str) -> None:
    """Which fields are right, and advice on the wrong ones only (never the answer)."""
    if _is_choice(grade):
        for f in grade.fields:
            if f.advice:
                out.append(" ".join(f.advice) + "\n")
        return
    for f in grade.fields:
        mark, style = ("✔", "green") if f.correct else ("✘", "red")
        out.append(f"{mark} {field_name(f.field, lang)}  ", style=f"bold {style}")
    out.append("\n")
    for f in grade.fields:
        if f.advice and not f.correct:
            out.append(f"✘ {field_name(f.field, lang)}{t('colon', lang)}", style="bold red")
            out.append(" ".join(f.advice) + "\n")


def _explained(out: Text, grade: Grade, lang: str, marks: bool) -> None:
    for f in grade.fields:
        if _is_choice(grade):
            if f.advice:
                out.append(" ".join(f.advice) + "\n")
            continue
        lines = f.lines if marks else f.explanation
        if not lines:
            continue
        if marks:
            mark, style = ("✔", "green") if f.correct else ("✘", "red")
            out.append(f"{mark} ", style=f"bold {style}")
        out.append(f"{field_name(f.field, lang)}{t('colon', lang)}", style="bold")
        out.append(" ".join(lines) + "\n")


def _revealed(out: Text, answer: Answer, question: QuestionView, lang: str) -> None:
    """The answer beside what was entered, each entry with the mark of its last check."""
    expected = question.grade({}, lang)
    entered = answer.entered if answer.entered is not None else answer.checked or {}
    filled = {k: v for k, v in entered.items() if _filled(v)}
    marks: dict[str, FieldGrade] = question.grade(entered, lang).by_field() if filled else {}
    marks = {k: v for k, v in marks.items() if k in filled}
    out.append(t("revealed", lang) + "\n", style="bold")
    if _is_choice(expected) and question.options is not None:
        options = question.options(lang)
        right = [int(n) - 1 for n in expected.fields[0].expected.split(",") if n]
        # why the right options are right, as a right pick is told (not "pick an answer first")
        expected = question.grade({"choice": set(right)}, lang)
        for i in right:
            out.append(f"  {i + 1}. {options[i]}\n", style="bold")
        given = marks.get("choice")
        if given is not None and given.given:
            mark, style = ("✔", "green") if given.correct else ("✘", "red")
            out.append(f"{mark} {t('you_picked', lang)} {given.given}\n", style=style)
    else:
        width = max(cell_len(field_name(f.field, lang)) for f in expected.fields)
        for f in expected.fields:
            mine = marks.get(f.field)
            name = field_name(f.field, lang)
            pad = " " * (width - cell_len(name))
            if mine is None:
                out.append(f"· {name}{pad}  ", style="bold")
                out.append(f.expected + "\n", style="bold")
            elif mine.correct:
                out.append(f"✔ {name}{pad}  ", style="bold green")
                out.append(mine.expected + "\n")
            else:
                out.append(f"✘ {name}{pad}  ", style="bold red")
                out.append(_given(mine, lang), style="strike")
                out.append(" → ")
                out.append(f.expected + "\n", style="bold")
    _explained(out, expected, lang, marks=False)
    _closing(out, question, lang)


def _given(grade: FieldGrade, lang: str) -> str:
    text = str(grade.given).strip()
    return text if text else t("empty", lang)


def _filled(value: object) -> bool:
    return bool(value) if isinstance(value, set) else bool(str(value).strip())


def _closing(out: Text, question: QuestionView, lang: str) -> None:
    extra = question.explain(lang)
    if extra:
        out.append(extra + "\n", style="italic")
    out.append(t("press_n", lang), style="dim")
