"""The coding app at the sizes people use: nothing in the header or the key line is cut or
wrapped from 80 to 200 columns, the answer pane scrolls with keys, and every dialog's
buttons stay on screen even when its body does not fit."""

from __future__ import annotations

from pathlib import Path

import pytest
from contrast import low_contrast
from tui_snapshot_app import make_app
from tui_states import STATES

from themecoder.tui.screens.dialogs import FilterDialog
from themecoder.tui.widgets.answer_view import AnswerView

LONG_ANSWER = " ".join(f"Sentence {n} about the support plan and the money." for n in range(60))


@pytest.mark.parametrize("width", [80, 100, 120, 160, 200])
async def test_header_and_key_line_fit_every_width(tmp_path: Path, width: int) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(width, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        for part in ("#topbar", "#question", "#meta"):
            assert screen.query_one(part).region.height == 1, part
        keys = list(screen.query("FooterKey"))
        shown = {str(key.description) for key in keys}
        assert {"Accept", "Not assigned", "Undo", "Filter", "Scroll", "Help", "Quit"} <= shown
        assert all(key.region.right <= width for key in keys)
        assert screen.query_one("#buttons").region.right <= width


async def test_answer_pane_scrolls_with_page_keys(tmp_path: Path) -> None:
    rows = [("L001", "holder", LONG_ANSWER, "Too many forms.", "More money.")]
    app = make_app(tmp_path, rows=rows)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        view = app.screen.query_one(AnswerView)
        assert view.max_scroll_y > 0 and view.scroll_y == 0
        await pilot.press("pagedown")
        await pilot.pause()
        assert view.scroll_y > 0
        await pilot.press("pagedown", "pagedown", "pagedown", "pagedown", "pagedown")
        await pilot.pause()
        context = app.screen.query_one("#context")
        assert view.scroll_y == view.max_scroll_y
        assert context.region.y < view.region.bottom  # the respondent's other answers
        await pilot.press("pageup", "pageup", "pageup", "pageup", "pageup", "pageup")
        await pilot.pause()
        assert view.scroll_y == 0


@pytest.mark.parametrize("size", [(80, 24), (80, 14), (60, 12)])
async def test_dialog_buttons_stay_visible_and_the_body_scrolls(tmp_path: Path,
                                                               size: tuple[int, int]) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=size) as pilot:
        await pilot.press("f")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, FilterDialog)
        width, height = size
        for button in dialog.query("Button"):
            assert 0 <= button.region.y and button.region.bottom <= height, button.id
            assert button.region.right <= width, button.id
        body = dialog.query_one(".dialog")
        if size[1] < 20:
            assert body.max_scroll_y > 0  # what does not fit scrolls
        # the search box, last in the body, can be reached and typed in
        await pilot.press(*"forms")
        await pilot.pause()
        search = dialog.query_one("#search")
        assert search.value == "forms"
        assert body.region.contains_region(search.region)
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.filter.search == "forms"


@pytest.mark.parametrize("state", STATES, ids=lambda s: s.name)
async def test_every_state_fits_80x24(tmp_path: Path, state) -> None:  # noqa: ANN001
    app = state.make(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await state.reach(pilot)
        for button in app.screen.query("Button"):
            if button.display and button.visible:
                assert button.region.bottom <= 24 and button.region.right <= 80, button
        for key in app.screen.query("FooterKey"):
            assert key.region.right <= 80, key  # the key line is never cut
    state.close(app)


async def test_the_contrast_check_catches_textuals_own_light_theme(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        app.theme = "textual-light"
        await pilot.pause()
        problems = low_contrast(app)
    assert any(p.startswith("'Whatworkedwell") for p in problems)
