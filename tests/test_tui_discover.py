"""The coding app's discovery screen and background retraining, driven with Pilot."""

from __future__ import annotations

from pathlib import Path

from conftest import CODEBOOKS
from test_discover import PLANTED, _write_survey
from textual.widgets import DataTable

from themecoder.codebook import load_codebook
from themecoder.store import Project
from themecoder.survey import SurveyMapping, read_survey
from themecoder.tui.app import CodingApp
from themecoder.tui.screens.coding import CodingScreen
from themecoder.tui.screens.discover import AdoptDialog, ConfirmAdoption, DiscoverScreen

SIZE = (110, 34)
CODER = "ana"


def _project(tmp_path: Path) -> str:
    location = tmp_path / "app.themecoder"
    with Project.create(location) as project:
        project.add_codebook(load_codebook(CODEBOOKS / "poet_holders.yaml"))
        mapping = SurveyMapping(layout="long", id="respondent_id", group="group",
                                question="question", text="text", answer_id="answer_id",
                                themes="themes")
        names = [t.name for cb in project.codebooks() for t in cb.themes]
        project.import_survey(read_survey(_write_survey(tmp_path / "survey.csv"), mapping,
                                          theme_names=names))
    return str(location)


def _app(location: str) -> CodingApp:
    return CodingApp(location, CODER, suggest_ahead=False, poll_seconds=None,
                     deterministic=True, retrain_every=None)


async def _open_discovery(app: CodingApp, pilot) -> None:  # noqa: ANN001
    await pilot.pause()
    await app.run_action("discover")
    await pilot.pause()
    await app.screen.workers.wait_for_complete()
    await pilot.pause()


async def test_discover_lists_candidates_and_adopts_one(tmp_path: Path) -> None:
    location = _project(tmp_path)
    app = _app(location)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f6")
        await pilot.pause()
        assert isinstance(app.screen, DiscoverScreen)
        await app.screen.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert screen.candidates, "the planted topic should be found"
        best = screen.candidates[0]
        assert len(set(best.examples) & set(PLANTED)) >= 4
        detail = str(screen.query_one("#candidate-text").render())
        assert best.top_words[0] in detail
        assert best.examples[0].split()[0] in detail
        # the method and the pool's account, as the CLI prints them
        account = str(screen.query_one("#discover-account").render())
        assert screen.discovery.account.describe() in account
        assert "HDBSCAN" in account
        # every member, with the columns of --out-csv
        table = screen.query_one("#candidate-members", DataTable)
        assert [str(c.label) for c in table.columns.values()] == \
            ["candidate", "name", "answer_key", "question", "text"]
        assert table.row_count == best.size
        first = table.get_row_at(0)
        assert str(first[0]) == str(best.id) and str(first[1]) == best.name
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AdoptDialog)
        name = app.screen.query_one("#adopt-name")
        name.value = ""
        await pilot.click("#adopt-name")
        await pilot.press(*"Transport", "enter")
        await pilot.pause()
        # a confirmation naming the candidate, its size and top words
        assert isinstance(app.screen, ConfirmAdoption)
        text = str(app.screen.query_one("#confirm-text").render())
        assert f"Candidate {best.id}: {best.name}" in text
        assert f"{best.size} answers" in text and best.top_words[0] in text
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        # back on a coding screen that knows the new theme, on the rest of the candidate
        assert isinstance(app.screen, CodingScreen)
        assert "transport" in app.session.codebook(app.session.current).theme_ids
        sure = set(best.sure_example_ids())
        rest = set(best.answer_ids) - sure
        assert set(app.session.view_ids()) == rest
        assert "to review for Transport" in app.session.filter.describe()
    with Project.open(location) as project:
        codebook = project.codebook_for_group("holder")
        assert codebook.version == "1.1"
        assert codebook.theme("Transport")
        assert "from discovery" in project.codebook_history()[-1]["change_note"]
        coded = project.current_decisions(coder=CODER)
        assert {a for a, _ in coded} == sure
        assert all(d.themes == ("transport",) for d in coded.values())


async def test_adoption_can_be_cancelled_at_the_confirmation(tmp_path: Path) -> None:
    location = _project(tmp_path)
    app = _app(location)
    async with app.run_test(size=SIZE) as pilot:
        await _open_discovery(app, pilot)
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmAdoption)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DiscoverScreen)
    with Project.open(location) as project:
        assert project.codebook_for_group("holder").version == "1.0"


async def test_discover_escape_goes_back_without_changes(tmp_path: Path) -> None:
    location = _project(tmp_path)
    app = _app(location)
    async with app.run_test(size=SIZE) as pilot:
        await _open_discovery(app, pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, CodingScreen)
    with Project.open(location) as project:
        assert project.codebook_for_group("holder").version == "1.0"


async def test_palette_entries_exist(tmp_path: Path) -> None:
    from themecoder.tui.commands import CodingCommands

    names = {name for name, _action, _help in CodingCommands._entries(None)}  # type: ignore[arg-type]
    assert {"themes: discover", "model: retrain"} <= names


async def test_retrain_on_demand_runs_in_the_background(tmp_path: Path) -> None:
    location = _project(tmp_path)
    with Project.open(location) as project:
        # a few planted answers coded: too few to judge a model on, and the app says so
        for answer in project.answers():
            if answer.text in PLANTED[:12]:
                project.record_decision(answer.id, "bo", ["support"])
    app = _app(location)
    app.retrainers = {}
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await app.run_action("retrain")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
        notice = app.screen.query_one("#model-notice")
        assert notice.kind == "warning"
        text = str(notice.render())
        assert "poet_holders v1 kept as a candidate, keywords alone stays in use" in text
        assert "cannot be judged yet" in text and "no prior coding is linked" in text
    with Project.open(location) as project:
        assert "model:poet_holders" not in project.info()
