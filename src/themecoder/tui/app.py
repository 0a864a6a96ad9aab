"""The coding app: ``themecoder code PROJECT`` opens it on the first answer still to do."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import App

from themecoder.coding import CodingSession
from themecoder.store import Project
from themecoder.tui.actions import APP_ACTIONS, keymap_from_env
from themecoder.tui.commands import CodingCommands
from themecoder.tui.screens.coding import CodingScreen
from themecoder.tui.screens.info import HelpScreen

POLL_SECONDS = 3.0
"""How often the app looks for decisions made by other coders."""


class CodingApp(App[None]):
    """Code a project's answers as one coder.

    Args:
        project_location: Project file or database URL.
        coder: The coder's name, stored with every decision.
        suggest_ahead: Compute missing suggestions in the background.
        poll_seconds: How often to look for other coders' decisions (``None``: never).
        deterministic: Hide the rate and time left (for snapshots).
        keymap: Binding id → keys, overriding the defaults (also read from
            ``THEMECODER_KEYMAP``).
        suggesters: Suggesters to use ahead, by codebook id (default: built from the
            project's model or keywords when first needed).
        adjudicate: Open on the adjudication screen, ``coder`` being the adjudicator.
        adjudicate_coders: Coders whose disagreements to settle (default: everyone).
    """

    CSS_PATH = "app.tcss"
    TITLE = "themecoder"
    BINDINGS: ClassVar = [a.binding() for a in APP_ACTIONS]
    COMMANDS = App.COMMANDS | {CodingCommands}

    def __init__(self, project_location: str, coder: str, *, suggest_ahead: bool = True,
                 poll_seconds: float | None = POLL_SECONDS, deterministic: bool = False,
                 keymap: dict[str, str] | None = None,
                 suggesters: dict[str, Any] | None = None, adjudicate: bool = False,
                 adjudicate_coders: list[str] | None = None) -> None:
        super().__init__()
        self.project = Project.open(project_location)
        self.session = CodingSession(self.project, coder)
        self.poll_seconds = poll_seconds
        self.suggest_ahead = suggest_ahead
        self.deterministic = deterministic
        self.cursor_blink = not deterministic
        """Whether text inputs blink their cursor (off for snapshots)."""
        self.keymap = {**keymap_from_env(), **(keymap or {})}
        self.suggesters = suggesters
        self.coding_screen: CodingScreen | None = None
        self.adjudicate = adjudicate
        """Open on the adjudication screen (``coder`` is the adjudicator)."""
        self.adjudicate_coders = adjudicate_coders

    def on_mount(self) -> None:
        if self.keymap:
            self.set_keymap(self.keymap)
        name = self.project.info().get("name", "project")
        self.coding_screen = CodingScreen(self.session, project_name=name,
                                          suggest_ahead_enabled=self.suggest_ahead,
                                          show_rate=not self.deterministic,
                                          suggesters=self.suggesters)
        self.push_screen(self.coding_screen)
        if self.adjudicate:
            from themecoder.tui.screens.adjudicate import AdjudicationScreen

            self.push_screen(AdjudicationScreen(self.project, self.session.coder,
                                                self.adjudicate_coders))
        if self.poll_seconds:
            self.set_interval(self.poll_seconds, self.coding_screen.poll_store)

    def on_unmount(self) -> None:
        self.project.close()

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(keys=self.keymap))

    async def run_palette_action(self, action: str) -> None:
        """Run a registry action from the command palette on the right screen."""
        if self.coding_screen is not None and action not in {a.action for a in APP_ACTIONS}:
            await self.run_action(action, self.coding_screen)
        else:
            await self.run_action(action)
