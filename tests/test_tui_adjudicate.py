"""The adjudication screen driven by key presses: picking a coder's version, setting
themes by toggling; every test checks what was saved in the store."""

from __future__ import annotations

from pathlib import Path

from conftest import make_project

from themecoder.store import Project
from themecoder.store.teams import adjudication_queue
from themecoder.tui.app import CodingApp
from themecoder.tui.screens.adjudicate import AdjudicationScreen, FinalThemesDialog

SIZE = (110, 34)


def _disputed_project(tmp_path: Path) -> tuple[str, list[int]]:
    location = str(tmp_path / "team.themecoder")
    with make_project(location) as project:
        ids = [a.id for a in project.answers(group="holder", with_comment=True)[:3]]
        project.record_decision(ids[0], "alice", ["support"])
        project.record_decision(ids[0], "bob", ["process", "staff"])
        project.record_decision(ids[1], "alice", not_assigned=True)
        project.record_decision(ids[1], "bob", ["support"])
        project.record_decision(ids[2], "alice", ["support"])
        project.record_decision(ids[2], "bob", ["support"])
    return location, ids


def _app(location: str) -> CodingApp:
    return CodingApp(location, "carol", suggest_ahead=False, poll_seconds=None,
                     deterministic=True, adjudicate=True)


def _final(location: str) -> dict[int, tuple[str, tuple[str, ...], bool]]:
    with Project.open(location) as project:
        return {a: (d.source, d.themes, d.not_assigned)
                for a, d in project.final_decisions().items()}


async def test_pick_a_coders_version(tmp_path: Path) -> None:
    location, ids = _disputed_project(tmp_path)
    app = _app(location)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AdjudicationScreen)
        assert [d.answer.id for d in screen.queue] == ids[:2]
        columns = [str(w.render()) for w in screen.query(".coder-name")]
        assert columns == ["1 · alice", "2 · bob"]
        themes = " ".join(str(w.render()) for w in screen.query(".coder-themes"))
        assert "Support" in themes and "Process" in themes
        await pilot.press("2")  # bob's version of the first answer
        await pilot.pause()
        assert [d.answer.id for d in screen.queue] == [ids[1]]
        await pilot.press("1")  # alice: not assigned
        await pilot.pause()
        assert screen.queue == []
        assert "No disagreements left" in str(screen.query_one("#adjudicate-question").render())
    final = _final(location)
    assert final[ids[0]] == ("adjudicated", ("process", "staff"), False)
    assert final[ids[1]] == ("adjudicated", (), True)
    assert final[ids[2]][0] == "manual"
    with Project.open(location) as project:
        assert adjudication_queue(project) == []
        assert {d.coder for d in project.decision_log() if d.source == "adjudicated"} == \
            {"carol"}


async def test_set_final_themes_by_toggling(tmp_path: Path) -> None:
    location, ids = _disputed_project(tmp_path)
    app = _app(location)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, FinalThemesDialog)
        # starts from alice's version (Support); add the second theme in the list
        assert dialog.query_one("#final-themes").selected == ["support"]
        await pilot.press("down", "space", "s")
        await pilot.pause()
        assert isinstance(app.screen, AdjudicationScreen)
        await pilot.press("3")  # no third coder: nothing is recorded
        await pilot.pause()
        assert len(app.screen.queue) == 1
    with Project.open(location) as project:
        codebook = project.codebook_for_group("holder")
    source, themes, not_assigned = _final(location)[ids[0]]
    assert source == "adjudicated" and not not_assigned
    assert codebook.theme_ids[0] == "support"
    assert set(themes) == {"support", codebook.theme_ids[1]}
