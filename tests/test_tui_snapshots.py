"""Snapshots of every screen and dialog of the coding app (pytest-textual-snapshot) at the
default terminal size, 80×24, and at 120×40, on fixed projects; and two in the light theme.

Update them with ``pytest tests/test_tui_snapshots.py --snapshot-update`` after a
deliberate change, and look at the SVGs before committing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tui_states import STATES, State

from themecoder.tui.themes import LIGHT

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("state", [s for s in STATES if s.snapshot], ids=lambda s: s.name)
def test_screen(snap_compare, tmp_path: Path, state: State, size: str) -> None:  # noqa: ANN001
    app = state.make(tmp_path)
    assert snap_compare(app, run_before=state.reach, terminal_size=SIZES[size])
    state.close(app)


@pytest.mark.parametrize("name", ["after-decisions", "filter"])
def test_light_theme(snap_compare, tmp_path: Path, name: str) -> None:  # noqa: ANN001
    state = next(s for s in STATES if s.name == name)

    async def light(pilot) -> None:  # noqa: ANN001
        pilot.app.theme = LIGHT
        await state.reach(pilot)

    assert snap_compare(state.make(tmp_path), run_before=light, terminal_size=(80, 24))
