"""The app on a lesson folder with a copied lesson: it starts, and says what is wrong."""

from __future__ import annotations

from pathlib import Path

from tui_tutor.app import make_app
from tui_tutor.app.screens.picker import PickerScreen
from tui_tutor.progress import ProgressStore

LESSONS = Path(__file__).resolve().parent.parent.parent / "lessons"


async def test_a_lesson_copied_under_the_same_id_is_listed_once_and_named_as_a_problem(tmp_path):
    """Before, the picker crashed on the second row with that id (a 600-line traceback)."""
    folder = tmp_path / "lessons"
    folder.mkdir()
    for path in LESSONS.glob("*.toml"):
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / "02-my-copy.toml").write_bytes((LESSONS / "02-three-way-handshake.toml").read_bytes())
    app = make_app(folder, store=ProgressStore(tmp_path / "data", "ada"), seed=1)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause(0.5)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        strips = app.screen._compositor.render_strips()
        lines = ["".join(segment.text for segment in strip) for strip in strips]
        # the detail panel, right of the list, wraps the message: read it as one text
        detail = " ".join(line.split("││", 1)[1].strip(" │") for line in lines if "││" in line)
        assert detail.startswith("Some lesson files have problems: "), detail
        assert 'id: "three-way-handshake" is also the id of' in detail, detail
        assert len(app.catalog) == len(list(LESSONS.glob("*.toml")))
    assert app.return_code in (None, 0)
