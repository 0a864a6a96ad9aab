"""The coding app on a project without a model: the meaning model loads in the background,
the first answer does not wait for it, and the app says which method made each suggestion."""

from __future__ import annotations

import subprocess
import sys
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
        await _until(pilot, lambda: "· by keywords" in _text(app, "#suggested-by"))
        assert "load meaning model" not in {t.name for t in threading.enumerate()}
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
        await _until(pilot, lambda: "· by keywords" in _text(app, "#suggested-by"))
        assert "support" in app.screen.marked

        release.set()
        await _until(pilot, lambda: "· by keywords + meaning"
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


QUIT_WHILE_LOADING = """
import sys, time
sys.path.insert(0, sys.argv[2])
from themecoder.suggest import semantic
from themecoder.tui.app import CodingApp
from tui_snapshot_app import CODER

semantic.load_meaning_model = lambda: time.sleep(120)  # the model takes long to load
app = CodingApp(sys.argv[1], CODER, suggest_ahead=True, poll_seconds=None)

async def quit_while_loading(pilot):
    while "loading the meaning model" not in str(app.screen.query_one("#topbar").render()):
        await pilot.pause(0.1)
    await pilot.press("ctrl+q")

app.run(headless=True, size=(100, 34), auto_pilot=quit_while_loading)
print("quit")
"""


@pytest.mark.skipif(not meaning_available(), reason="the 'accurate' extra is not installed")
def test_quitting_does_not_wait_for_the_meaning_model(tmp_path: Path) -> None:
    """Ctrl+Q while the meaning model loads ends the program at once, not when it has loaded."""
    location = build_project(tmp_path, suggestions=False)
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-c", QUIT_WHILE_LOADING, location,
                           str(Path(__file__).parent)],
                          capture_output=True, text=True, timeout=110)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("quit")
    assert time.monotonic() - start < 60  # the loading would take 120 s
