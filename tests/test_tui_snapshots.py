"""Snapshots of the coding app's screens (pytest-textual-snapshot), on a fixed project.

Update them with ``pytest tests/test_tui_snapshots.py --snapshot-update`` after a
deliberate change, and look at the SVGs before committing.
"""

from __future__ import annotations

from pathlib import Path

from tui_snapshot_app import make_app


def test_main_screen_80x24(snap_compare, tmp_path: Path) -> None:  # noqa: ANN001
    assert snap_compare(make_app(tmp_path), terminal_size=(80, 24))


def test_main_screen_120x40_with_reasons(snap_compare, tmp_path: Path) -> None:  # noqa: ANN001
    assert snap_compare(make_app(tmp_path), press=["r"], terminal_size=(120, 40))


def test_after_decisions_light(snap_compare, tmp_path: Path) -> None:  # noqa: ANN001
    async def light(pilot) -> None:  # noqa: ANN001
        pilot.app.theme = "textual-light"

    assert snap_compare(make_app(tmp_path), press=["enter", "3"], terminal_size=(100, 30),
                        run_before=light)


def test_help_screen(snap_compare, tmp_path: Path) -> None:  # noqa: ANN001
    assert snap_compare(make_app(tmp_path), press=["f1"], terminal_size=(100, 40))


def test_filter_dialog(snap_compare, tmp_path: Path) -> None:  # noqa: ANN001
    assert snap_compare(make_app(tmp_path), press=["f"], terminal_size=(100, 34))


def test_note_dialog(snap_compare, tmp_path: Path) -> None:  # noqa: ANN001
    assert snap_compare(make_app(tmp_path), press=["m", *"call back"], terminal_size=(100, 30))


def test_theme_picker(snap_compare, tmp_path: Path) -> None:  # noqa: ANN001
    assert snap_compare(make_app(tmp_path), press=["slash", "s", "t"], terminal_size=(100, 30))


def test_definitions(snap_compare, tmp_path: Path) -> None:  # noqa: ANN001
    assert snap_compare(make_app(tmp_path), press=["down", "d"], terminal_size=(100, 34))


def test_adjudication_screen(snap_compare, tmp_path: Path) -> None:  # noqa: ANN001
    from test_tui_adjudicate import _app, _disputed_project

    location, _ids = _disputed_project(tmp_path)
    assert snap_compare(_app(location), terminal_size=(110, 34))


def test_discovery_screen(snap_compare, tmp_path: Path) -> None:  # noqa: ANN001
    from test_tui_discover import _app, _project

    async def open_discovery(pilot) -> None:  # noqa: ANN001
        from themecoder.tui.screens.discover import DiscoverScreen

        # TF-IDF, so the picture is the same with and without the accurate extra
        app = pilot.app
        await app.push_screen(DiscoverScreen(app.project, app.session.coder, method="tfidf"))
        await app.screen.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(_app(_project(tmp_path)), run_before=open_discovery,
                        terminal_size=(110, 34))


def test_model_notice_80x24(snap_compare, tmp_path: Path) -> None:  # noqa: ANN001
    async def kept_back(pilot) -> None:  # noqa: ANN001
        pilot.app.screen.show_model_notice(
            "poet_holders v3 kept as a candidate, v2 stays in use (trained on 386 prior + 96 "
            "of this year's answers): micro-F1 0.701 vs 0.731 for v2 on 24 held-out decisions "
            "of this year. `themecoder model use` can switch.", "warning")
        await pilot.pause()

    assert snap_compare(make_app(tmp_path), run_before=kept_back, terminal_size=(80, 24))


def test_sample_answer_blind_with_progress(snap_compare, tmp_path: Path) -> None:  # noqa: ANN001
    """A coder's double-coding sample answer: marked, counted on the progress line."""
    from tui_snapshot_app import CODER, build_project

    from themecoder.store import Project
    from themecoder.store.samples import draw_double_coding_sample
    from themecoder.tui.app import CodingApp

    location = build_project(tmp_path)
    with Project.open(location) as project:
        draw_double_coding_sample(project, [CODER, "bob"], n=4, seed=2)
    app = CodingApp(location, CODER, suggest_ahead=False, poll_seconds=None,
                    deterministic=True)
    assert snap_compare(app, terminal_size=(100, 30))


def test_answer_another_coder_holds(snap_compare, tmp_path: Path) -> None:  # noqa: ANN001
    """``g`` to an answer bob has open: read-only, with the warning."""
    from themecoder.coding import CodingSession
    from themecoder.store import Project

    app = make_app(tmp_path)
    bob = CodingSession(Project.open(app.project.location), "bob")  # holds R001:not_well
    assert snap_compare(app, press=["g", *"R001:not_well", "enter"], terminal_size=(100, 30))
    bob.close()
    bob.project.close()


def test_adjudication_edit_dialog(snap_compare, tmp_path: Path) -> None:  # noqa: ANN001
    from test_tui_adjudicate import _app, _disputed_project

    location, _ids = _disputed_project(tmp_path)
    assert snap_compare(_app(location), press=["e"], terminal_size=(110, 34))
