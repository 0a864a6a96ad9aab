"""Retraining in the coding app: progress shown until it ends, the outcome and its reason
shown until dismissed, a worse version kept back."""

from __future__ import annotations

from pathlib import Path

from test_retraining import N_PRIOR, _code, _given_model, _holder_rows, _this_year, _write

from themecoder.store import Project
from themecoder.store.model_registry import live_model_path, model_versions
from themecoder.tui.app import CodingApp

SIZE = (100, 30)


def _setting(tmp_path: Path, *, coded: int, garble: bool = False) -> str:
    rows = _holder_rows()
    project = _this_year(tmp_path, rows[N_PRIOR:])
    _given_model(project, _write(tmp_path / "prior.csv", rows[:N_PRIOR]), tmp_path / "model")
    _code(project, {r["answer_id"]: r["themes"] for r in rows[N_PRIOR:]}, limit=coded,
          garble=garble)
    location = project.location
    project.close()
    return location


def _app(location: str) -> CodingApp:
    return CodingApp(location, "ana", suggest_ahead=False, poll_seconds=None,
                     deterministic=True, retrain_every=None)


def _retraining(app: CodingApp) -> bool:
    return any(w.group == "retrain" and not w.is_finished for w in app.workers)


async def test_progress_shows_until_the_retraining_ends(tmp_path: Path) -> None:
    location = _setting(tmp_path, coded=30)
    app = _app(location)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        notice = app.screen.query_one("#model-notice")
        assert not notice.display
        seen: list[str] = []  # every text the notice showed (a fast machine trains in a blink)
        show_notice = notice.show_notice

        def recording(text: str, kind: str) -> None:
            show_notice(text, kind)
            if kind == "progress":
                seen.append(str(notice.render()))

        notice.show_notice = recording
        await pilot.press("f5")
        await pilot.pause()
        while _retraining(app):
            assert notice.display and notice.kind == "progress"
            await pilot.pause(0.05)
        await pilot.pause()
        assert any("Retraining poet_holders: training" in text for text in seen)
        assert any("checking against the model in use" in text for text in seen)
        text = str(notice.render())
        assert notice.kind in ("success", "warning")
        assert text.startswith("poet_holders v2 ")
        assert "micro-F1" in text and "cross-validated" in text and "(Esc: dismiss)" in text
        # it stays while the coder goes on, until dismissed
        await pilot.press("enter")
        await pilot.pause(2.5)
        assert notice.display and str(notice.render()) == text
        await pilot.press("escape")
        await pilot.pause()
        assert not notice.display
    with Project.open(location) as project:
        v2 = model_versions(project, "poet_holders")[1]
        assert (live_model_path(project, "poet_holders") == v2.path) == bool(v2.accepted)


async def test_a_worse_version_is_kept_and_the_app_says_why(tmp_path: Path) -> None:
    location = _setting(tmp_path, coded=125, garble=True)
    with Project.open(location) as project:
        live = live_model_path(project, "poet_holders")
        before = {a: s.model_version for a, s in project.suggestions().items()}
    app = _app(location)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        await pilot.pause()
        notice = app.screen.query_one("#model-notice")
        text = str(notice.render())
        assert notice.kind == "warning"
        assert "poet_holders v2 kept as a candidate, v1 stays in use" in text
        assert "held-out decisions of this year" in text
        assert "`themecoder model use` can switch" in text
    with Project.open(location) as project:
        assert live_model_path(project, "poet_holders") == live
        assert {a: s.model_version for a, s in project.suggestions().items()} == before
