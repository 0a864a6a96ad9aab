"""How the coding app behaves when a coder filters, jumps, writes notes and sees messages
(Textual Pilot on the fixed project); each test checks what the coder sees or what was
saved."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Button
from tui_snapshot_app import CODER, make_app

from themecoder.coding import Filter
from themecoder.store import Project
from themecoder.store.drafts import drafts
from themecoder.tui.app import CodingApp
from themecoder.tui.screens.dialogs import FilterDialog, NoteDialog

SIZE = (80, 24)


def messages(app) -> list[str]:  # noqa: ANN001
    return [str(n.message) for n in app._notifications]


async def test_go_to_an_answer_without_comment_says_so(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    with Project.open(app.project.location) as project:
        empty = project.answer_by_key("R002:change").id
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g", *str(empty), "enter")
        await pilot.pause()
        assert any(m.startswith(f"Answer {empty} has no comment") for m in messages(app))
        assert app.session.current.key == "R001:worked_well"  # stayed put
        await pilot.press("g", *"424242", "enter")
        await pilot.pause()
        assert "No answer with id or key '424242'." in messages(app)


async def test_clear_in_the_filter_dialog_restores_the_scope_and_the_answer(
        tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.session.filter == Filter(status="all")  # the app opens on all answers
        await pilot.press("f", *"paperwork", "enter")
        await pilot.pause()
        assert app.session.view_size == 2
        await pilot.press("n")  # R001:change, in the search results
        here = app.session.current.key
        await pilot.press("f")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, FilterDialog)
        await pilot.click(dialog.query_one("#clear", Button))
        await pilot.pause()
        assert app.session.filter == Filter(status="all")
        assert app.session.current.key == here
        assert "in all answers" in str(app.screen.query_one("#progress").render())


async def test_messages_never_cover_the_progress_line(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("u")  # "Nothing to undo."
        await pilot.pause(0.3)
        toasts = list(app.screen.query("Toast"))
        assert toasts
        progress = app.screen.query_one("#progress").region
        for toast in toasts:
            assert not toast.region.overlaps(progress)
            assert toast.region.bottom <= progress.y


async def test_a_note_is_kept_as_a_draft_while_typed_and_offered_back(
        tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        answer_id = app.session.current.id
        await pilot.press("m", *"ask about")
        await pilot.pause()
        with Project.open(app.project.location) as project:  # already on disk, unsaved
            assert drafts(project, CODER) == {answer_id: "ask about"}
            assert project.notes() == {}
        location = app.project.location
    # the app went away with the dialog open (as in a crash): the draft is offered back
    again = CodingApp(location, CODER, suggest_ahead=False, poll_seconds=None,
                      deterministic=True)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert any("Unsaved note" in m for m in messages(again))
        assert "unsaved draft" in str(again.screen.query_one("#note").render())
        await pilot.press("m")
        await pilot.pause()
        dialog = again.screen
        assert isinstance(dialog, NoteDialog)
        assert dialog.query_one("#note-input").value == "ask about"
        await pilot.press(*" hours", "enter")
        await pilot.pause()
    with Project.open(location) as project:
        assert project.notes()[(answer_id, CODER)] == "ask about hours"
        assert drafts(project, CODER) == {}


async def test_cancelling_a_note_drops_its_draft(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("m", *"never mind", "escape")
        await pilot.pause()
        with Project.open(app.project.location) as project:
            assert drafts(project, CODER) == {} and project.notes() == {}
