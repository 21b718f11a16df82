"""Answers as learners type them, and the grader, against the engine's own numbers.

``expr.parse`` reads ``x+1``, ``y - 2``, ``１００１``; whatever else is typed, it raises
``BadExpression`` and nothing else. The grader must mark the engine's own values right
for every segment of every shipped lesson, written as the app shows them
(``Numbers.show``) in each numbering mode and for several ISNs, and must catch the
classic mistake: an ack one short of a SYN or a FIN.
"""

from __future__ import annotations

import contextlib
from functools import cache

import pytest
import wrong_answers
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from wrong_answers import LESSONS, MODES

from tui_tutor.engine import MODULUS, Role
from tui_tutor.lessons import explain
from tui_tutor.lessons.expr import BadExpression, Expression, parse
from tui_tutor.lessons.loader import load_all
from tui_tutor.lessons.model import Choice, Lesson, PredictSegment, PredictState
from tui_tutor.lessons.quiz import (
    Numbers,
    expected_state,
    grade_choice,
    grade_segment,
    grade_state_question,
    parse_flags,
)
from tui_tutor.lessons.timeline import Run

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Ordinary ISNs, ISNs at the wrap (x+1 is 0), and numbers spread over the 32-bit space.
ISNS = [(1000, 5000), (MODULUS - 1, MODULUS - 1000), (123456789, 3000000000), (0, 2**31)]
FIELDS = ["flags", "seq", "ack", "len", "client_state", "server_state"]


@cache
def curriculum() -> dict[str, Lesson]:
    loaded, problems = load_all([LESSONS])
    assert problems == []
    return {item.path.stem: item.lesson for item in loaded}


@cache
def run_of(name: str, x: int, y: int) -> Run:
    """The lesson played with ISNs x and y, where its scenario leaves them to chance."""
    return wrong_answers.run_of(curriculum()[name], x, y)


numbers_for = wrong_answers.numbers_of


def shown_answers(run: Run, number: int, numbers: Numbers) -> dict[str, str]:
    """The engine's values for segment ``number``, written as the app shows them."""
    r = run.record(number)
    return {
        "flags": ",".join(f for f in r.flags if f != "PSH"),
        "seq": numbers.show(r.seq, "seq", r.sender),
        "ack": numbers.show(r.ack, "ack", r.sender),
        "len": str(r.length),
        "client_state": r.client_state.value,
        "server_state": r.server_state.value,
    }


def acknowledged(run: Run, number: int):
    """The segment whose end the ack of segment ``number`` points at, or None."""
    r = run.record(number)
    for earlier in reversed(run.records[: number - 1]):
        used = earlier.seg_len
        ends_at_ack = earlier.end == r.ack
        if earlier.sender is not r.sender and not earlier.lost and used and ends_at_ack:
            return earlier
    return None


LESSON_NAMES = sorted(p.stem for p in LESSONS.glob("*.toml"))


# ------------------------------------------------------------------ expr.parse


def to_full_width(text: str) -> str:
    """As a Chinese input method in full-width mode types it: ｘ＋１."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" for c in text)


@st.composite
def expressions(draw) -> tuple[str, str, int]:
    """Text like ``3 + x - 2``: (text, symbol, offset); at most one x or y, always added."""
    symbol = draw(st.sampled_from(["", "x", "y"]))
    numbers = draw(st.lists(st.integers(-(2**40), 2**40), max_size=4))
    if not symbol and not numbers:
        numbers = [draw(st.integers(0, 2**40))]
    terms = [("-" if n < 0 else "+") + str(abs(n)) for n in numbers]
    if symbol:
        terms.insert(draw(st.integers(0, len(terms))), "+" + symbol)
    if terms[0].startswith("+") and draw(st.booleans()):
        terms[0] = terms[0][1:]
    space = draw(st.sampled_from(["", " ", "  "]))
    text = space.join(terms)
    if symbol and draw(st.booleans()):
        text = text.replace(symbol, symbol.upper())
    if draw(st.booleans()):
        text = to_full_width(text)
    return text, symbol, sum(numbers)


@SETTINGS
@given(expressions(), st.integers(0, MODULUS - 1), st.integers(0, MODULUS - 1))
def test_parse_reads_x_y_and_offsets_modulo_2_to_the_32(case, x, y):
    text, symbol, offset = case
    start = {"x": x, "y": y, "": 0}[symbol]
    assert parse(text).value(x, y, None) == (start + offset) % MODULUS


@SETTINGS
@given(expressions())
def test_parse_finds_the_symbol_and_the_sum_of_the_numbers(case):
    text, symbol, offset = case
    assert parse(text) == Expression(symbol, offset)
    assert parse(str(parse(text))) == parse(text)


@pytest.mark.parametrize(
    ("text", "meaning"),
    [
        ("x+1", Expression("x", 1)),
        ("Y + 1", Expression("y", 1)),
        ("ｘ＋１", Expression("x", 1)),
        ("１００１", Expression("", 1001)),
        ("x + 1 - 1", Expression("x", 0)),
        ("4294967295", Expression("", 4294967295)),
    ],
)
def test_parse_reads_what_learners_type(text, meaning):
    assert parse(text) == meaning


def test_a_plain_number_counts_from_the_isn_it_is_relative_to():
    assert parse("1").value(x=1000, y=5000, base=5000) == 5001
    assert parse("1").value(x=MODULUS - 1, y=5, base=MODULUS - 1) == 0


@pytest.mark.parametrize("text", ["", "   ", "x-y", "x+y", "-x", "x+", "1e3", "0x10", "ack", "½"])
def test_parse_refuses_what_is_not_an_expression_with_bad_expression(text):
    with pytest.raises(BadExpression):
        parse(text)


@SETTINGS
@given(st.text(max_size=40) | st.text("xy+-0123456789 ＋－１ｘ", max_size=20))
@example("+-x")
@example("x\n+1")
def test_parse_raises_nothing_but_bad_expression_whatever_is_typed(text):
    with contextlib.suppress(BadExpression):
        parse(text)


@pytest.mark.parametrize(
    "text", ["9" * 5000, "x+" + "1" * 4400], ids=["5000-digits", "x+4400-digits"]
)
def test_parse_refuses_a_number_of_thousands_of_digits_with_bad_expression(text):
    with pytest.raises(BadExpression):
        parse(text)


@SETTINGS
@given(st.text(max_size=30), st.sampled_from(["seq", "ack"]), st.sampled_from(list(Role)))
def test_readings_raise_nothing_but_bad_expression(text, field, sender):
    with contextlib.suppress(BadExpression):
        Numbers(1000, 5000).readings(text, field, sender)


def test_a_plain_number_past_32_bits_is_refused_with_advice_about_the_wrap():
    with pytest.raises(BadExpression, match="does not fit in 32 bits"):
        Numbers(1000, 5000).readings(str(MODULUS), "ack", Role.SERVER)


# ------------------------------------------------------------------ the engine's values grade right


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("name", LESSON_NAMES)
def test_the_engines_values_as_shown_grade_right_for_every_segment(name, mode):
    for x, y in ISNS:
        run = run_of(name, x, y)
        numbers = numbers_for(run, mode)
        for number in range(1, len(run.records) + 1):
            answers = shown_answers(run, number, numbers)
            for lang in ("en", "zh"):
                grade = grade_segment(run, number, answers, numbers, lang, ask=FIELDS)
                wrong = [(f.field, f.given, f.expected) for f in grade.fields if not f.correct]
                assert wrong == [], f"{name} segment {number}, ISNs {x},{y}, {mode}"
                # what the app reveals is what it grades right
                assert {f.field: f.expected for f in grade.fields} == answers


@pytest.mark.parametrize("name", LESSON_NAMES)
def test_the_lessons_own_mistakes_never_turn_a_right_answer_wrong(name):
    for x, y in ISNS:
        run = run_of(name, x, y)
        for mode in MODES:
            numbers = numbers_for(run, mode)
            for step in run.lesson.steps:
                if isinstance(step, PredictSegment):
                    answers = shown_answers(run, step.segment, numbers)
                    grade = grade_segment(run, step.segment, answers, numbers, question=step)
                    assert grade.correct, f"{name} segment {step.segment}, {mode}"
                    assert [f.field for f in grade.fields] == list(step.ask)
                    assert all(f.advice == [] for f in grade.fields)


@SETTINGS
@given(
    name=st.sampled_from(LESSON_NAMES),
    x=st.integers(0, MODULUS - 1),
    y=st.integers(0, MODULUS - 1),
    mode=st.sampled_from(list(MODES)),
)
def test_with_any_isns_every_shipped_segment_grades_right_as_shown(name, x, y, mode):
    run = run_of(name, x, y)
    numbers = numbers_for(run, mode)
    for number in range(1, len(run.records) + 1):
        grade = grade_segment(run, number, shown_answers(run, number, numbers), numbers, ask=FIELDS)
        assert grade.correct, [(f.field, f.given) for f in grade.fields if not f.correct]


def test_every_predict_state_question_grades_the_engines_state_right():
    asked = 0
    for name in LESSON_NAMES:
        for x, y in ISNS:
            run = run_of(name, x, y)
            for step in run.lesson.steps:
                if isinstance(step, PredictState):
                    state = expected_state(run, step).value
                    assert grade_state_question(run, step, state).correct, name
                    assert grade_state_question(run, step, state.lower().replace("_", " ")).correct
                    wrong = "CLOSED" if state != "CLOSED" else "LISTEN"
                    assert not grade_state_question(run, step, wrong).correct
                    asked += 1
    assert asked > 0


def test_every_choice_question_is_right_only_with_exactly_its_correct_options():
    asked = 0
    for lesson in curriculum().values():
        for step in lesson.steps:
            if not isinstance(step, Choice):
                continue
            correct = {i for i, o in enumerate(step.options) if o.correct}
            assert grade_choice(step, correct).correct
            for i, option in enumerate(step.options):
                if i not in correct:
                    grade = grade_choice(step, correct | {i}, "zh")
                    assert not grade.correct
                    if option.feedback is not None:
                        assert option.feedback.zh in grade.fields[0].advice
            asked += 1
    assert asked > 0


# ------------------------------------------------------------------ one short of a SYN or a FIN


def one_short_cases(name: str, x: int, y: int, mode: str):
    """(run, numbers, segment, "SYN"/"FIN") for each ack that acknowledges a SYN or a FIN."""
    run = run_of(name, x, y)
    numbers = numbers_for(run, mode)
    for number in range(1, len(run.records) + 1):
        record = run.record(number)
        acked = acknowledged(run, number) if record.ack is not None else None
        if acked is not None and {"SYN", "FIN"} & set(acked.flags):
            yield run, numbers, number, "SYN" if "SYN" in acked.flags else "FIN"


def grade_one_short(run: Run, numbers: Numbers, number: int, lang: str = "en"):
    record = run.record(number)
    typed = numbers.show((record.ack - 1) % MODULUS, "ack", record.sender)
    return typed, grade_segment(run, number, {"ack": typed}, numbers, lang, ask=["ack"]).fields[0]


ONE_SHORT_PARAMS = [(name, mode) for name in LESSON_NAMES for mode in MODES]


@pytest.mark.parametrize(("name", "mode"), ONE_SHORT_PARAMS)
def test_an_ack_one_short_of_a_syn_or_fin_is_wrong_with_the_one_short_advice(name, mode):
    isns = ISNS
    cases = [c for x, y in isns for c in one_short_cases(name, x, y, mode)]
    assert cases, "every lesson acknowledges a SYN"
    for run, numbers, number, what in cases:
        typed, grade = grade_one_short(run, numbers, number)
        assert not grade.correct, f"segment {number}: ack {typed} graded right"
        assert grade.advice == [explain.phrase("m_forgot_one", "en", what=what)]
        assert grade.advice[0].startswith(f"One short: a {what} takes one sequence number")


def test_one_short_advice_is_said_in_chinese_too():
    run, numbers, number, what = next(
        one_short_cases("02-three-way-handshake", 1000, 5000, "symbolic")
    )
    typed, grade = grade_one_short(run, numbers, number, "zh")
    assert (typed, what) == ("x", "SYN")
    assert grade.advice == ["少了 1：SYN 占用一个序列号，所以确认号要比它多 1。"]


def test_the_authors_feedback_for_a_common_mistake_replaces_the_generic_advice():
    run = run_of("02-three-way-handshake", 1000, 5000)
    question = next(s for s in run.lesson.steps if isinstance(s, PredictSegment) and s.segment == 2)
    numbers = numbers_for(run, "symbolic")
    grade = grade_segment(run, 2, {"ack": "x"}, numbers, "zh", question=question, ask=["ack"])
    mistake = next(m for m in question.mistakes if m.field == "ack" and m.answer == "x")
    assert grade.fields[0].advice == [mistake.feedback.zh]
    assert not grade.correct


def test_in_relative_mode_an_ack_of_0_for_a_syn_at_isn_2_to_the_32_minus_1_is_wrong():
    run = run_of("02-three-way-handshake", MODULUS - 1, 5000)
    numbers = numbers_for(run, "relative")
    assert run.record(2).ack == 0  # x+1 wraps to 0
    grade = grade_segment(run, 2, {"ack": "0"}, numbers, ask=["ack"]).fields[0]
    assert grade.expected == "1"
    assert not grade.correct


# ------------------------------------------------------------------ what else learners type


@pytest.mark.parametrize("typed", ["SYN,ACK", "syn ack", "ACK+SYN", "SYN，ACK", "ack, syn, psh"])
def test_flags_are_read_in_any_order_case_and_separator(typed):
    assert parse_flags(typed) == {"SYN", "ACK"}


@pytest.mark.parametrize("typed", ["SYN、ACK", "ＳＹＮ，ＡＣＫ"])
def test_flags_typed_with_a_chinese_input_method_are_read(typed):
    assert parse_flags(typed) == {"SYN", "ACK"}


@pytest.mark.parametrize("typed", ["syn_rcvd", "SYN-RECEIVED", "Syn Received", "SYN_RECV"])
def test_state_names_are_read_in_their_common_spellings(typed):
    run = run_of("02-three-way-handshake", 1000, 5000)
    grade = grade_segment(
        run, 1, {"server_state": typed}, Numbers(1000, 5000), ask=["server_state"]
    )
    assert grade.correct


@SETTINGS
@given(
    typed=st.dictionaries(st.sampled_from(FIELDS), st.text(max_size=12)), number=st.integers(1, 7)
)
def test_grading_never_fails_whatever_is_typed(typed, number):
    run = run_of("04-four-way-close-client-first", 1000, 5000)
    for mode in MODES:
        grade = grade_segment(run, number, typed, numbers_for(run, mode), ask=FIELDS)
        right = shown_answers(run, number, numbers_for(run, mode))
        for f in grade.fields:
            if typed.get(f.field, "") == right[f.field]:
                assert f.correct


def test_grading_a_5000_digit_answer_says_it_is_wrong_instead_of_crashing():
    run = run_of("02-three-way-handshake", 1000, 5000)
    grade = grade_segment(run, 2, {"ack": "9" * 5000}, Numbers(1000, 5000), ask=["ack"])
    assert not grade.correct


# ------------------------------------------------------------------ both languages


def test_every_reason_rule_state_event_and_sentence_has_chinese():
    assert explain.missing_translations() == []


def test_every_reason_the_engine_drops_a_segment_for_reads_in_chinese():
    """The ladder's note under a segment that changed nothing is shown in Chinese too."""
    import ast
    import inspect

    from tui_tutor.engine import peer

    reasons = [
        node.args[0]
        for node in ast.walk(ast.parse(inspect.getsource(peer)))
        if isinstance(node, ast.Call)
        and getattr(node.func, "attr", "") == "_drop"
        and isinstance(node.args[0], ast.Constant | ast.JoinedStr)
    ]
    assert len(reasons) > 15
    for reason in reasons:
        text = (
            reason.value
            if isinstance(reason, ast.Constant)
            else "data after their FIN in X: ignored"
        )
        if isinstance(reason, ast.JoinedStr):
            text = text.replace("X", "FIN_WAIT_2")
        zh = explain.drop_note(text, "zh")
        assert zh != text and not any(w in zh for w in ("dropped", "ignored", "sent")), text
    joined = explain.drop_note(
        ("their FIN again: our ACK of it was lost; ACK it again", "no ACK bit: dropped"), "zh"
    )
    assert joined == "对方再次发来 FIN：我方对它的确认丢失了；再确认一次；没有 ACK 标志：丢弃"


def test_every_rule_of_the_state_table_is_said_in_chinese_in_its_explanation():
    from tui_tutor.engine import TRANSITION_LIST

    for row in TRANSITION_LIST:
        zh = explain.rule(row, "zh")
        assert zh != row.rule and "check the" not in zh, row.key


@SETTINGS
@given(
    name=st.sampled_from(LESSON_NAMES),
    typed=st.dictionaries(
        st.sampled_from(FIELDS),
        st.one_of(st.text(max_size=10), st.sampled_from(["x", "y+1", "x+2", "SYN,ACK", "1"])),
    ),
    number=st.integers(1, 12),
    mode=st.sampled_from(list(MODES)),
)
def test_grading_again_in_the_other_language_gives_the_same_marks_and_rules(
    name, typed, number, mode
):
    """The app re-grades stored answers when the learner presses l: only the words change."""
    run = run_of(name, *ISNS[2])
    number = min(number, len(run.records))
    numbers = numbers_for(run, mode)
    en = grade_segment(run, number, typed, numbers, "en", ask=FIELDS)
    zh = grade_segment(run, number, typed, numbers, "zh", ask=FIELDS)
    assert [(f.field, f.correct, f.expected, f.mistakes, f.readable) for f in en.fields] == [
        (f.field, f.correct, f.expected, f.mistakes, f.readable) for f in zh.fields
    ]
    for e, z in zip(en.fields, zh.fields, strict=True):
        assert len(e.advice) == len(z.advice) and len(e.explanation) == len(z.explanation)
        if not e.correct:
            assert e.advice and z.advice, "a wrong field is never left without advice"


@SETTINGS
@given(typed=st.text(max_size=12), lang=st.sampled_from(["en", "zh"]))
def test_an_unreadable_answer_is_not_an_attempt_and_says_why_in_the_learners_language(typed, lang):
    run = run_of("02-three-way-handshake", 1000, 5000)
    grade = grade_segment(run, 2, {"seq": typed}, Numbers(1000, 5000), lang, ask=["seq"])
    field = grade.fields[0]
    try:
        Numbers(1000, 5000).readings(typed, "seq", Role.SERVER)
        readable = typed.strip().lower() not in ("", "-", "none", "无", "null")
    except BadExpression:
        readable = False
    assert field.readable == readable == grade.readable
    if not readable:
        assert not field.correct and field.advice


def test_an_expression_error_is_said_in_chinese():
    with pytest.raises(BadExpression) as err:
        parse("x+y")
    assert err.value.text("zh") == "“x+y”：x 或 y 只能用一次，并且只能加上去"
    assert str(err.value) == '"x+y": use x or y once, added'
