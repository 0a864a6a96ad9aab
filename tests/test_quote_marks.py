"""Starring and banning quotes in the coding app (one key each), saved at once."""

from __future__ import annotations

from pathlib import Path

from tui_snapshot_app import make_app

from themecoder.store import Project

SIZE = (100, 34)


def marks(location: str) -> dict[str, str]:
    """Quote marks in force by answer key, read through a fresh connection."""
    with Project.open(location) as project:
        keys = {a.id: a.key for a in project.answers()}
        return {keys[a]: m for a, m in project.quote_marks().items()}


async def test_star_and_ban_with_one_key_each(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        first = app.session.current.key
        await pilot.press("asterisk")
        await pilot.pause()
        assert marks(app.project.location) == {first: "star"}  # saved at once
        assert "Starred for the quote bank" in str(app.screen.query_one("#note").render())
        await pilot.press("n", "exclamation_mark")
        await pilot.pause()
        second = app.session.current.key
        assert marks(app.project.location) == {first: "star", second: "ban"}
        assert "Never quoted" in str(app.screen.query_one("#note").render())
        await pilot.press("exclamation_mark")  # the same key clears it
        await pilot.pause()
        await pilot.press("p", "exclamation_mark")  # a ban replaces the star
        await pilot.pause()
    assert marks(app.project.location) == {first: "ban"}
