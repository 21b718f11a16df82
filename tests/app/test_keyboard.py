"""The quiz's one keyboard model, as a learner types it.

Flags by letter (s a f r p) unless the cursor is in a text field, states by typing
their name's start, Tab and Shift+Tab between fields, Enter checks from anywhere,
arrows stay inside the focused field, the focused field is visible without colour,
and keys typed fast or pasted land in the field that had the focus when they came.
"""

from __future__ import annotations

import pytest
from textual import events

from tui_tutor.app.widgets.state_field import match_state
from tui_tutor.engine import State
from tui_tutor.lessons.quiz import expected_state

from .driver import (
    answer_keys,
    burst,
    feedback,
    focused_id,
    footer,
    moment_kind,
    new_app,
    next_until,
    plain_answer,
    region_lines,
    right_answer,
    typing,
)

LESSON = "three-way-handshake"
ASK = ["flags", "seq", "ack", "client_state", "server_state"]


def form_row(pilot, text: str) -> str:
    """The line of the quiz panel that holds ``text``."""
    for line in region_lines(pilot, "#quiz"):
        if text in line:
            return line
    raise AssertionError(f"{text!r} is not on the question panel")


class TestFlags:
    async def test_letters_tick_flags_unless_the_cursor_is_in_a_text_field(self, tmp_path):
        app = new_app(tmp_path, LESSON)
        async with app.run_test(size=(80, 24)) as pilot:
            await next_until(pilot, "PredictSegment")
            assert focused_id(pilot) == "field-flags", "a question starts in its first field"
            await pilot.press("s", "a", "f", "p", "a")
            row = form_row(pilot, "SYN")
            assert "[x]SYN" in row and "[ ]ACK" in row and "[x]FIN" in row and "[x]PSH" in row
            await pilot.press("tab", "s", "a")
            assert focused_id(pilot) == "field-seq"
            assert "[x]SYN" in form_row(pilot, "SYN"), "s typed in seq does not untick SYN"
            app.set_focus(None)
            await pilot.press("r")
            assert "[x]RST" in form_row(pilot, "SYN"), "with no field focused letters tick flags"

    async def test_space_and_arrows_inside_the_flags_field(self, tmp_path):
        app = new_app(tmp_path, LESSON)
        async with app.run_test(size=(80, 24)) as pilot:
            await next_until(pilot, "PredictSegment")
            index = app.screen.play.index
            await pilot.press("right", "space", "right", "right", "right", "right", "right")
            assert app.screen.play.index == index, "→ in a field does not leave the question"
            assert "[x]ACK" in form_row(pilot, "SYN")
            await pilot.press("left", "left", "left", "left", "left", "left", "left")
            assert app.screen.play.index == index, "nor does ←"


class TestStates:
    @pytest.mark.parametrize(
        "typed", ["c", "cl", "closed", "closew", "cw", "closi", "closing", "f2", "sr", "la"]
    )
    def test_type_ahead_reaches_every_state_by_its_start(self, typed):
        state = match_state(typed)
        assert state is not None
        name = state.value.replace("_", "")
        assert name.lower().startswith(typed[0]), "the first letter is the name's first letter"

    def test_a_later_word_picks_the_one_state_that_has_it(self):
        """Where no name starts with a letter, a later word may, if only one state has a
        word starting so (r: SYN_RECEIVED); where several do (w: four WAITs), none."""
        import string

        for char in string.ascii_lowercase + string.digits:
            if any(s.value.lower().startswith(char) for s in State):
                continue
            owners = [
                s for s in State if any(w.lower().startswith(char) for w in s.value.split("_")[1:])
            ]
            assert match_state(char) is (owners[0] if len(owners) == 1 else None), char
        assert match_state("r") is State.SYN_RECEIVED
        assert match_state("w") is None
        assert match_state("w2") is State.FIN_WAIT_2

    def test_every_state_can_be_typed_in_full(self):
        for state in State:
            assert match_state(state.value.lower()) is state
            assert match_state(state.value.lower().replace("_", " ")) is state

    async def test_typing_in_a_state_field_picks_the_state_and_arrows_step(self, tmp_path):
        app = new_app(tmp_path, LESSON)
        async with app.run_test(size=(80, 24)) as pilot:
            await next_until(pilot, "PredictSegment")
            await pilot.press("tab", "tab", "tab")
            assert focused_id(pilot) == "field-client_state"
            await pilot.press(*typing("close"))
            assert "CLOSED" in form_row(pilot, "after")
            await pilot.press("w")
            assert "CLOSE_WAIT" in form_row(pilot, "after")
            await pilot.press("backspace", "backspace", "i")
            assert "CLOSING" in form_row(pilot, "after")
            index = app.screen.play.index
            await pilot.press("down", "left", "right")
            assert "LAST_ACK" in form_row(pilot, "after"), "↓ steps to the next state"
            assert app.screen.play.index == index, "← → stay in the field"

    async def test_coming_back_to_a_state_field_starts_a_new_name(self, tmp_path):
        app = new_app(tmp_path, LESSON)
        async with app.run_test(size=(80, 24)) as pilot:
            await next_until(pilot, "PredictSegment")
            app.screen.query_one("#field-client_state").focus()
            await pilot.pause()
            await burst(pilot, ["e", "tab", "shift+tab", "s"])
            assert app.screen.query_one("#quiz").values()["client_state"] == "SYN_SENT"

    async def test_a_letter_no_state_starts_with_reaches_the_keys(self, tmp_path):
        app = new_app(tmp_path, LESSON)
        async with app.run_test(size=(80, 24)) as pilot:
            await next_until(pilot, "PredictSegment")
            app.screen.query_one("#field-server_state").focus()
            await pilot.press("h")
            await pilot.pause()
            assert "Hint:" in feedback(pilot)


class TestFlagsThenNumbers:
    @pytest.mark.parametrize("first", ["1", "x", "y"])
    async def test_a_number_typed_in_the_flags_field_moves_on_to_seq(self, tmp_path, first):
        app = new_app(tmp_path, LESSON)
        async with app.run_test(size=(80, 24)) as pilot:
            await next_until(pilot, "PredictSegment")
            await burst(pilot, ["s", "a", first, "plus", "1"])
            assert focused_id(pilot) == "field-seq"
            assert app.screen.query_one("#field-flags").flags == {"SYN", "ACK"}
            assert app.screen.query_one("#field-seq").value == f"{first}+1"

    async def test_typing_fast_behind_tab_replaces_a_field_as_slow_typing_does(self, tmp_path):
        app = new_app(tmp_path, LESSON)
        async with app.run_test(size=(80, 24)) as pilot:
            await next_until(pilot, "PredictSegment")
            await pilot.press("x", "plus", "9", "shift+tab")
            assert focused_id(pilot) == "field-flags"
            await burst(pilot, ["tab", "x"])
            assert app.screen.query_one("#field-seq").value == "x"
            await pilot.press("shift+tab", "tab", "y")
            assert app.screen.query_one("#field-seq").value == "y"


class TestFieldsAndEnter:
    async def test_tab_and_shift_tab_go_round_the_fields(self, tmp_path):
        app = new_app(tmp_path, LESSON)
        async with app.run_test(size=(80, 24)) as pilot:
            await next_until(pilot, "PredictSegment")
            seen = [focused_id(pilot)]
            for _ in range(5):
                await pilot.press("tab")
                seen.append(focused_id(pilot))
            assert seen == [
                "field-flags",
                "field-seq",
                "field-ack",
                "field-client_state",
                "field-server_state",
                "field-flags",
            ], "the Check button takes no focus: Enter checks"
            await pilot.press("shift+tab")
            assert focused_id(pilot) == "field-server_state"

    @pytest.mark.parametrize("field", ["flags", "seq", "client_state"])
    async def test_enter_checks_from_any_field(self, tmp_path, field):
        app = new_app(tmp_path, LESSON)
        async with app.run_test(size=(80, 24)) as pilot:
            await next_until(pilot, "PredictSegment")
            keys = answer_keys(
                plain_answer(pilot, 1), ["flags", "seq", "ack", "client_state", "server_state"]
            )
            await pilot.press(*keys[:-1])
            app.screen.query_one(f"#field-{field}").focus()
            await pilot.press("enter")
            assert "Right!" in feedback(pilot)

    async def test_the_focused_field_is_marked_without_colour(self, tmp_path, monkeypatch):
        monkeypatch.setenv("NO_COLOR", "1")
        app = new_app(tmp_path, LESSON)
        async with app.run_test(size=(80, 24)) as pilot:
            await next_until(pilot, "PredictSegment")
            assert app.no_color
            row = form_row(pilot, "SYN")
            assert "▐[ ]SYN" in row and "PSH▌" in row, "focused: heavy bars"
            assert "seq▏" in row, "not focused: thin bars"
            await pilot.press("tab")
            row = form_row(pilot, "SYN")
            assert "▏[ ]SYN" in row and "seq▐" in row


class TestFastKeys:
    async def test_keys_typed_at_once_land_in_the_field_focused_when_typed(self, tmp_path):
        app = new_app(tmp_path, LESSON)
        async with app.run_test(size=(80, 24)) as pilot:
            await next_until(pilot, "PredictSegment")
            answer = right_answer(pilot, 1)
            keys = answer_keys(answer, ["flags", "seq", "ack", "client_state", "server_state"])
            await burst(pilot, keys)
            values = app.screen.query_one("#quiz").values()
            assert values["seq"] == answer["seq"] and values["ack"] == ""
            assert values["client_state"] == answer["client_state"]
            assert "Right!" in feedback(pilot), "Enter checked what was typed just before it"

    async def test_next_then_typing_at_once_starts_the_next_question(self, tmp_path):
        app = new_app(tmp_path, LESSON)
        async with app.run_test(size=(80, 24)) as pilot:
            await next_until(pilot, "PredictSegment")
            await pilot.press(
                *answer_keys(
                    right_answer(pilot, 1), ["flags", "seq", "ack", "client_state", "server_state"]
                )
            )
            await burst(pilot, ["n", "n", "s", "a", "tab", "y"])
            assert moment_kind(pilot) == "PredictSegment"
            assert app.screen.query_one("#field-flags").flags == {"SYN", "ACK"}
            assert app.screen.query_one("#field-seq").value == "y"

    async def test_letters_typed_at_one_question_do_not_run_on_into_the_next(self, tmp_path):
        app = new_app(tmp_path, LESSON)
        async with app.run_test(size=(80, 24)) as pilot:
            await next_until(pilot, "PredictSegment")
            await pilot.press(*answer_keys(right_answer(pilot, 1), ASK))
            await pilot.press("n", "n")
            second = answer_keys(right_answer(pilot, 2), ASK)
            third = ["n", "n", "a", "tab", "tab", "tab", "e", "tab", "e"]
            await burst(pilot, [*second, *third])
            values = app.screen.query_one("#quiz").values()
            assert values["server_state"] == "ESTABLISHED", "not SYN_RECEIVED from sr + e"

    async def test_a_paste_lands_in_the_focused_field_and_keeps_only_what_fits(self, tmp_path):
        app = new_app(tmp_path, LESSON)
        async with app.run_test(size=(80, 24)) as pilot:
            await next_until(pilot, "PredictSegment")
            await pilot.press("tab")
            app.post_message(events.Paste("x + 1\nrm -rf /"))
            await pilot.pause()
            assert app.screen.query_one("#field-seq").value == "x + 1"
            await pilot.press("tab", "tab")
            app.post_message(events.Paste("syn-sent"))
            await pilot.pause()
            assert app.screen.query_one("#quiz").values()["client_state"] == "SYN_SENT"


async def test_lesson_2_segment_questions_take_few_keys(tmp_path):
    """Lesson 2 answered right by keys alone, numbers typed plain (counted from the ISN):
    each segment question within 10 keys (17 to 19 before the keyboard model)."""
    app = new_app(tmp_path, LESSON)
    async with app.run_test(size=(80, 24)) as pilot:
        counts = []
        for _ in range(20):
            if moment_kind(pilot) == "PredictSegment":
                answer = plain_answer(pilot, app.screen.moment.segment)
                keys = answer_keys(answer, list(app.screen.moment.step.ask))
                await pilot.press(*keys)
                assert "Right!" in feedback(pilot)
                counts.append(len(keys))
            if app.screen.play.index + 1 >= len(app.screen.play.run.moments):
                break
            if moment_kind(pilot) == "Choice":
                break
            await pilot.press("n")
        assert len(counts) == 3 and max(counts) <= 10, counts


class TestAfterEnter:
    async def test_after_a_wrong_check_the_cursor_is_in_the_first_field_to_fix(self, tmp_path):
        app = new_app(tmp_path, LESSON)
        async with app.run_test(size=(80, 24)) as pilot:
            await next_until(pilot, "PredictSegment")
            right = right_answer(pilot, 1)
            wrong = right | {"seq": "y", "server_state": "LISTEN"}
            await pilot.press(*answer_keys(wrong, ASK))
            text = feedback(pilot)
            assert "Not quite" in text and "✘ seq" in text and "✘ server state" in text
            assert focused_id(pilot) == "field-seq", "the first ✘ in the form's order"
            assert "seq▐" in form_row(pilot, "seq"), "the field to fix is in view, with the ring"
            assert "✘ seq" in text, "and the feedback under it"
            await pilot.press(*typing(str(right["seq"])))
            assert app.screen.query_one("#field-seq").value == right["seq"], "typing replaces"
            await pilot.press("tab", "tab", "tab", "r")
            assert focused_id(pilot) == "field-server_state"
            assert "type a state" in footer(pilot) and "中文" not in footer(pilot)
            await pilot.press("enter")
            assert "Right!" in feedback(pilot)
            assert focused_id(pilot) is None, "right: the cursor has left the form"
            await pilot.press("l")
            await pilot.pause()
            assert "正确！" in feedback(pilot), "l switched the language, it typed no LISTEN"

    async def test_a_wrong_state_question_keeps_the_cursor_in_its_field(self, tmp_path):
        app = new_app(tmp_path, "lost-last-ack")
        async with app.run_test(size=(80, 24)) as pilot:
            for _ in range(40):
                if moment_kind(pilot) == "PredictState":
                    break
                await pilot.press("v", "n")
            want = expected_state(app.screen.play.run, app.screen.moment.step)
            other = next(s for s in State if s is not want)
            await pilot.press(*typing(other.value.lower()), "enter")
            assert "Not quite" in feedback(pilot)
            assert focused_id(pilot) == "field-state"
            await pilot.press(*typing(want.value.lower()), "enter")
            assert "Right!" in feedback(pilot)

    async def test_enter_with_a_field_missing_puts_the_cursor_in_it(self, tmp_path):
        app = new_app(tmp_path, LESSON)
        async with app.run_test(size=(80, 24)) as pilot:
            await next_until(pilot, "PredictSegment")
            await pilot.press("s", "tab", "x", "enter")
            assert "Fill in first: client state, server state." in feedback(pilot)
            assert focused_id(pilot) == "field-client_state"

    async def test_in_a_state_field_the_footer_says_letters_type_the_state(self, tmp_path):
        app = new_app(tmp_path, LESSON)
        async with app.run_test(size=(120, 36)) as pilot:
            await next_until(pilot, "PredictSegment")
            assert "flags" in footer(pilot) and "中文" in footer(pilot)
            app.screen.query_one("#field-client_state").focus()
            await pilot.pause()
            keys = footer(pilot)
            assert "type a state" in keys and "中文" not in keys, "l would type LISTEN here"


class TestFooter:
    @pytest.mark.parametrize("lang", ["en", "zh"])
    async def test_at_80_columns_each_key_keeps_a_space_before_its_words(self, tmp_path, lang):
        """Fewer items when narrow, never a key run into its words (``pflags``): the keys of
        the question (flags, Tab, Enter, h, v) and ?, esc, q stay; the rest is in help."""
        from tui_tutor.app.i18n import t

        app = new_app(tmp_path, LESSON, lang=lang)
        async with app.run_test(size=(80, 24)) as pilot:
            await next_until(pilot, "PredictSegment")
            line = footer(pilot)
            wanted = [
                ("s a f r p", "key_flags"),
                ("tab", "key_fields"),
                ("⏎", "key_check"),
                ("h", "key_hint"),
                ("v", "key_reveal"),
                ("?", "key_help"),
                ("esc", "key_lessons"),
                ("q", "key_quit"),
            ]
            for key, label in wanted:
                assert f" {key} {t(label, lang)}" in line, f"{key} {t(label, lang)!r} in {line!r}"
            app.screen.query_one("#field-server_state").focus()
            await pilot.pause()
            assert f" a-z {t('key_type_state', lang)} " in footer(pilot)
