"""The coding app on a project without a model: the meaning model loads in the background,
the first answer does not wait for it, and the app says which method made each suggestion."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from tui_snapshot_app import CODER, build_project

from themecoder.store import Project
from themecoder.suggest.semantic import meaning_available

SIZE = (100, 34)
MEANING = "keywords:poet_holders@1.0+meaning:all-MiniLM-L6-v2"


def _app(folder: Path):  # noqa: ANN202
    from themecoder.tui.app import CodingApp

    location = build_project(folder, suggestions=False)
    return CodingApp(location, CODER, suggest_ahead=True, poll_seconds=None,
                     deterministic=True)


def _text(app, selector: str) -> str:  # noqa: ANN001
    return str(app.screen.query_one(selector).render())


async def _until(pilot, condition, timeout: float = 120.0) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await pilot.pause(0.1)


def _stored_version(location: str, key: str) -> str:
    with Project.open(location) as project:
        ids = {a.key: a.id for a in project.answers()}
        return project.suggestions([ids[key]])[ids[key]].model_version


async def test_keywords_alone_without_the_extra(tmp_path: Path, without_extra: None) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "loading the meaning model" not in _text(app, "#topbar")
        await _until(pilot, lambda: "Suggestion by keywords:" in _text(app, "#suggested-by"))
        assert not any(w.group == "meaning" for w in app.workers)
        assert "support" in app.screen.marked  # "personal assistant"
    assert _stored_version(app.project.location, "R001:worked_well") == \
        "keywords:poet_holders@1.0"


@pytest.mark.skipif(not meaning_available(), reason="the 'accurate' extra is not installed")
async def test_meaning_loads_in_the_background_and_upgrades_the_suggestion(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from themecoder.suggest import semantic

    # hold the (real) loading back until the first answer has been shown and suggested
    release = threading.Event()
    load = semantic.load_meaning_model

    def load_when_released() -> None:
        assert release.wait(120)
        load()

    monkeypatch.setattr(semantic, "_loaded", False)
    monkeypatch.setattr(semantic, "load_meaning_model", load_when_released)
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.session.current.key == "R001:worked_well"
        assert "personal assistant" in _text(app, "#answer-text")
        assert "loading the meaning model" in _text(app, "#topbar")
        await _until(pilot, lambda: "Suggestion by keywords:" in _text(app, "#suggested-by"))
        assert "support" in app.screen.marked

        release.set()
        await _until(pilot, lambda: "Suggestion by keywords + meaning:"
                     in _text(app, "#suggested-by"))
        assert "loading the meaning model" not in _text(app, "#topbar")
        assert "support" in app.screen.marked
        await pilot.press("r")  # reasons: the sentence that matched
        await pilot.pause()
        assert 'meaning ' in _text(app, "#reasons")
        assert '"My personal assistant helps me get out to the shops."' in \
            _text(app, "#reasons")
        await pilot.press("enter")
        await pilot.pause()
    assert _stored_version(app.project.location, "R001:worked_well") == MEANING
    with Project.open(app.project.location) as project:
        ids = {a.key: a.id for a in project.answers()}
        decision = project.current_decisions(coder=CODER)[(ids["R001:worked_well"], CODER)]
    assert decision.model_version == MEANING
