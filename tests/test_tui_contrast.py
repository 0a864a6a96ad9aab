"""Every screen and dialog of the coding app is readable in both themes: each character's
contrast with its background is at least 4.5:1 (WCAG AA), measured on the rendered screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from contrast import contrast_ratio, low_contrast
from tui_states import STATES, State

from themecoder.tui.themes import DARK, LIGHT


def test_contrast_ratio_matches_wcag() -> None:
    assert contrast_ratio((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast_ratio((119, 119, 119), (255, 255, 255)) == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio((254, 166, 43), (224, 224, 224)) < 2  # the old light theme


@pytest.mark.parametrize("theme", [DARK, LIGHT])
@pytest.mark.parametrize("state", STATES, ids=lambda s: s.name)
async def test_all_text_is_readable(tmp_path: Path, state: State, theme: str) -> None:
    app = state.make(tmp_path)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        app.theme = theme
        await state.reach(pilot)
        problems = low_contrast(app)
    state.close(app)
    assert not problems, f"{state.name} in {theme}:\n" + "\n".join(problems)
