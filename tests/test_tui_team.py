"""The coding app with other coders at work on the same project (Textual Pilot): a decision
made meanwhile, a confirmed revision, an answer another coder holds, claims let go on quit,
and the double-coding sample on screen. Every test checks what was saved in the store."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Checkbox
from tui_snapshot_app import CODER, build_project, make_app

from themecoder.coding import CodingSession
from themecoder.store import Project
from themecoder.store.claims import claims
from themecoder.store.samples import draw_double_coding_sample
from themecoder.tui.app import CodingApp
from themecoder.tui.screens.dialogs import ConfirmDialog, FilterDialog

SIZE = (100, 34)


def messages(app) -> list[str]:  # noqa: ANN001
    """The notifications the app has shown (newest last)."""
    return [str(n.message) for n in app._notifications]


def assert_whole_message_shown(dialog: ConfirmDialog) -> None:
    """The question wraps inside the dialog: none of it is cut off at the border."""
    message = dialog.query_one("#confirm-message")
    box = dialog.query_one(".dialog").content_region
    assert box.contains_region(message.region), (box, message.region)
    assert message.region.height >= 2


def decisions_on(app, key: str) -> list[tuple[str, tuple[str, ...], int | None]]:  # noqa: ANN001
    with Project.open(app.project.location) as project:
        answer_id = project.answer_by_key(key).id
        return [(d.coder, d.themes, d.revises)
                for d in project.decision_log(answer_id=answer_id)]


async def test_a_decision_made_meanwhile_is_refused_then_revised(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.session.current.key == "R001:worked_well"
        with Project.open(app.project.location) as other:  # bob, in another process
            other.record_decision(other.answer_by_key("R001:worked_well").id, "bob",
                                  ["staff"])
        await pilot.press("enter")
        await pilot.pause()
        assert "bob decided this a moment ago — showing the next answer" in messages(app)
        assert app.session.current.key == "R001:not_well"
        assert decisions_on(app, "R001:worked_well") == [("bob", ("staff",), None)]
        # back to it: the screen says bob decided it; Enter asks before revising
        await pilot.press("p")
        await pilot.pause()
        assert "Decided by bob" in str(app.screen.query_one("#decision").render())
        await pilot.press("1", "enter")  # mark Support as well, accept
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert_whole_message_shown(app.screen)
        await pilot.press("enter")  # Enter never confirms: the Cancel button has focus
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmDialog)
        assert len(decisions_on(app, "R001:worked_well")) == 1
        await pilot.press("enter", "y")
        await pilot.pause()
        assert app.session.current.key == "R001:not_well"
    log = decisions_on(app, "R001:worked_well")
    assert [(c, set(t)) for c, t, _r in log] == [("bob", {"staff"}),
                                                  (CODER, {"support", "staff"})]
    assert log[1][2] is not None  # recorded as a revision of bob's decision


async def test_go_to_an_answer_another_coder_holds_is_read_only(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        with Project.open(app.project.location) as other:
            bob = CodingSession(other, "bob")  # holds the next answer, R001:not_well
            assert bob.current.key == "R001:not_well"
            await pilot.press("g", *"R001:not_well", "enter")
            await pilot.pause()
            assert app.session.current.key == "R001:not_well"
            assert any("bob is coding R001:not_well right now" in m for m in messages(app))
            held = app.screen.query_one("#held")
            assert held.display and "Read-only: bob is coding" in str(held.render())
            marked = set(app.screen.marked)
            await pilot.press("1", "backspace")  # read-only: the marks stay as they are
            await pilot.pause()
            assert app.screen.marked == marked
            await pilot.press("x")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmDialog)  # x asks to code it anyway
            await pilot.press("n")
            await pilot.pause()
            assert decisions_on(app, "R001:not_well") == []
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmDialog)
            assert_whole_message_shown(app.screen)
            await pilot.press("y")
            await pilot.pause()
            assert not app.screen.query_one("#held").display
            await pilot.press("enter")
            await pilot.pause()
            bob.close()
    assert decisions_on(app, "R001:not_well") == [(CODER, ("process",), None)]


async def test_claims_are_released_on_quit(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert [c["coder"] for c in claims(app.project)] == [CODER]
        await pilot.press("ctrl+q")
        await pilot.pause()
    with Project.open(app.project.location) as project:
        assert claims(project) == []


async def test_sample_answers_are_marked_counted_and_filtered(tmp_path: Path) -> None:
    location = build_project(tmp_path)
    with Project.open(location) as project:
        sample = draw_double_coding_sample(project, [CODER, "bob"], n=4, seed=2)
    app = CodingApp(location, CODER, suggest_ahead=False, poll_seconds=None,
                    deterministic=True)
    size = len(sample.answer_ids)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.session.current.id == sample.answer_ids[0]
        question = str(app.screen.query_one("#question").render())
        assert "double-coded, blind" in question
        progress = str(app.screen.query_one("#progress").render())
        assert f"sample 0 / {size}" in progress
        await pilot.press("x")
        await pilot.pause()
        assert f"sample 1 / {size}" in str(app.screen.query_one("#progress").render())
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, FilterDialog)
        app.screen.query_one("#sample-only", Checkbox).focus()
        await pilot.press("space")
        assert app.screen.query_one("#sample-only", Checkbox).value
        app.screen.query_one("#apply").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert sorted(app.session.view_ids()) == sorted(sample.answer_ids)
        assert "double-coding sample" in str(app.screen.query_one("#progress").render())
