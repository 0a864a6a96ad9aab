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
        return make_app(folder, **self.options)

    async def reach(self, pilot: Any) -> None:
        """Press the keys (and run the steps) that lead to this state."""
        await pilot.pause()
        if self.keys:
            await pilot.press(*self.keys)
        if self.steps is not None:
            await self.steps(pilot)
        await pilot.pause()


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


async def _discovered(pilot: Any) -> None:
    await pilot.press("f6")
    await pilot.app.workers.wait_for_complete()
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
    State("message", keys=("u",), snapshot=False),  # a toast, gone after a while
    State("adjudication", app="adjudication"),
    State("final-themes", app="adjudication", keys=("e",)),
    State("discovery", app="discovery", steps=_discovered),
    State("adopt", app="discovery", steps=_adopt),
)
"""Every state, by name."""
