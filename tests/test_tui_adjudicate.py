"""The adjudication app driven by key presses: picking a coder's version, setting themes by
toggling, leaving with Escape; every test checks what was saved in the store."""

from __future__ import annotations

from pathlib import Path

from conftest import make_project

from themecoder.store import Project
from themecoder.store.claims import claims
from themecoder.store.teams import adjudication_queue
from themecoder.tui.adjudicate_app import AdjudicationApp
from themecoder.tui.screens.adjudicate import (
    AdjudicationScreen,
    FinalThemeRow,
    FinalThemesDialog,
)

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


def _app(location: str) -> AdjudicationApp:
    return AdjudicationApp(location, "carol")


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
        # every theme here is chosen by one coder only: all marked as differing
        assert "≠ Support" in themes and "≠ Process" in themes and "•" not in themes
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
        rows = list(dialog.query(FinalThemeRow))
        codebook = dialog.codebook
        # starts from alice's version; ✓ or blank per theme, the first row highlighted
        text = {codebook.themes[n].id: str(row.render()) for n, row in
                enumerate(rows[:-1])}
        assert "[✓] Support" in text["support"] and "[ ] Process" in text["process"]
        assert "X" not in "".join(text.values())
        assert rows[0].has_class("-highlighted")
        # the coders differ on Support (alice), Process and Staff (bob): highlighted
        differ = {codebook.themes[n].id for n, row in enumerate(rows[:-1])
                  if row.has_class("-differs")}
        assert differ == {"support", "process", "staff"}
        assert "alice" in text["support"] and "bob" in text["staff"]
        assert not rows[-1].has_class("-differs")  # nobody chose Not assigned here
        # the very first key toggles: space on Support (the first theme) unmarks it
        await pilot.press("space")
        assert "[ ] Support" in str(rows[0].render())
        second = codebook.themes[1].id
        await pilot.press("2", "enter")  # the second theme by its key, then save
        await pilot.pause()
        assert isinstance(app.screen, AdjudicationScreen)
        await pilot.press("3")  # no third coder: nothing is recorded
        await pilot.pause()
        assert len(app.screen.queue) == 1
    source, themes, not_assigned = _final(location)[ids[0]]
    assert source == "adjudicated" and not not_assigned
    assert themes == (second,)


async def test_escape_goes_back_to_the_queue_then_leaves(tmp_path: Path) -> None:
    location, ids = _disputed_project(tmp_path)
    app = _app(location)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, FinalThemesDialog)
        await pilot.press("escape")  # the dialog: back to the queue, nothing saved
        await pilot.pause()
        assert isinstance(app.screen, AdjudicationScreen)
        await pilot.press("escape")  # the queue: leave adjudication
        await pilot.pause()
        assert not app.is_running
    with Project.open(location) as project:
        assert claims(project) == []  # the adjudicator never became a coder
        assert len(adjudication_queue(project)) == 2
        assert project.decision_log()[-1].coder == "bob"
