"""Every screen and dialog of the coding app, each reached the way a coder reaches it.

The snapshot tests photograph each state at 80×24 and 120×40; the contrast tests render
each in the dark and the light theme and measure every character on screen. A new screen
or dialog is added here once and both kinds of test cover it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui_snapshot_app import make_app

Steps = Callable[[Any], Awaitable[None]]


@dataclass(frozen=True)
class State:
    """One thing a coder sees: which app, then which keys (or steps) lead there.

    ``snapshot`` is false for a state whose picture is not the same from run to run (the
    command palette lists its providers' entries in the order they arrive).
    """

    name: str
    app: str = "coding"
    keys: tuple[str, ...] = ()
    steps: Steps | None = None
    options: dict[str, Any] = field(default_factory=dict)
    snapshot: bool = True

    def make(self, folder: Path) -> Any:
        """The app this state starts from, on a fresh copy of its project."""
        if self.app == "adjudication":
            from test_tui_adjudicate import _app, _disputed_project

            return _app(_disputed_project(folder)[0])
        if self.app == "discovery":
            from test_tui_discover import _app, _project

            return _app(_project(folder))
        if self.app == "sample":
            return _sample_app(folder)
        app = make_app(folder, **self.options)
        if self.app == "held":
            # bob opens the project after alice and holds the next answer to do
            from themecoder.coding import CodingSession
            from themecoder.store import Project

            app.other_session = CodingSession(Project.open(app.project.location), "bob")
        return app

    @staticmethod
    def close(app: Any) -> None:
        """Close what :meth:`make` opened beside the app (another coder's session)."""
        other = getattr(app, "other_session", None)
        if other is not None:
            other.close()
            other.project.close()

    async def reach(self, pilot: Any) -> None:
        """Press the keys (and run the steps) that lead to this state."""
        await pilot.pause()
        if self.keys:
            await pilot.press(*self.keys)
        if self.steps is not None:
            await self.steps(pilot)
        await pilot.pause()


def _sample_app(folder: Path) -> Any:
    """The fixed project with a double-coding sample for alice and bob; alice codes."""
    from tui_snapshot_app import CODER, build_project

    from themecoder.store import Project
    from themecoder.store.samples import draw_double_coding_sample
    from themecoder.tui.app import CodingApp

    location = build_project(folder)
    with Project.open(location) as project:
        draw_double_coding_sample(project, [CODER, "bob"], n=4, seed=2)
    return CodingApp(location, CODER, suggest_ahead=False, poll_seconds=None,
                     deterministic=True)


async def _palette(pilot: Any) -> None:
    """Open the command palette and wait until its list has filled (it fills in tasks)."""
    from textual.widgets import Input, OptionList

    await pilot.press("ctrl+p")
    await pilot.pause()
    pilot.app.screen.query_one(Input).cursor_blink = False
    counts: list[int] = []
    while len(counts) < 3 or len(set(counts[-3:])) > 1:
        await pilot.pause(0.1)
        counts.append(pilot.app.screen.query_one(OptionList).option_count)
    pilot.app.screen.query_one(OptionList).highlighted = 0


async def _model_kept_back(pilot: Any) -> None:
    """A retraining's outcome: the new version kept as a candidate, with the reason."""
    pilot.app.screen.show_model_notice(
        "poet_holders v3 kept as a candidate, v2 stays in use (trained on 386 prior + 96 "
        "of this year's answers): micro-F1 0.701 vs 0.731 for v2 on 24 held-out decisions "
        "of this year. `themecoder model use` can switch.", "warning")
    await pilot.pause()


async def _discovered(pilot: Any) -> None:
    """The discovery screen as F6 opens it, with TF-IDF vectors whether or not the accurate
    extra is installed, so that the picture is the same in every environment."""
    from themecoder.tui.screens.discover import DiscoverScreen

    app = pilot.app
    await app.push_screen(DiscoverScreen(app.project, app.session.coder, method="tfidf"),
                          app.theme_adopted)
    await app.workers.wait_for_complete()
    await app.screen.workers.wait_for_complete()
    await pilot.pause()


async def _adopt(pilot: Any) -> None:
    await _discovered(pilot)
    await pilot.press("a")


STATES: tuple[State, ...] = (
    State("main"),
    State("main-reasons", keys=("r",)),
    State("after-decisions", keys=("enter", "3")),
    State("help", keys=("f1",)),
    State("filter", keys=("f",)),
    State("note", keys=("m", *"call back")),
    State("jump", keys=("g", *"150")),
    State("picker", keys=("slash", "s", "t")),
    State("definitions", keys=("down", "d")),
    State("palette", steps=_palette, snapshot=False),
    State("coder-name", options={"coder": None}),
    State("coder-name-typed", options={"coder": None}, keys=tuple("Ana")),
    State("message", keys=("u",), snapshot=False),
    State("model-notice", steps=_model_kept_back),  # a toast, gone after a while
    # a sample answer, coded blind and counted on the progress line
    State("sample-blind", app="sample"),
    # g to the answer bob has open: read-only, with a warning
    State("another-coder-holds", app="held", keys=("g", *"R001:not_well", "enter")),
    State("adjudication", app="adjudication"),
    State("final-themes", app="adjudication", keys=("e",)),
    State("discovery", app="discovery", steps=_discovered),
    State("adopt", app="discovery", steps=_adopt),
)
"""Every state, by name."""
