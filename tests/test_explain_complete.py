"""Every state-table row and every reason for a segment the engine can give has its
Chinese explanation: the lesson screen shows one for each, in the learner's language."""

from tui_tutor.lessons.explain import missing_translations


def test_every_row_and_every_reason_for_a_segment_is_explained_in_chinese():
    assert missing_translations() == []
