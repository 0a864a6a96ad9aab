"""The adjudication app: ``themecoder adjudicate PROJECT --adjudicator NAME`` opens it.

It shows only the adjudication screen: the adjudicator settles disagreements and leaves
with Escape. It never opens the coding screen, so it never claims an answer to code.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import App
from textual.binding import Binding

from themecoder.store import Project
from themecoder.tui.screens.adjudicate import ADJUDICATE_ACTIONS, AdjudicationScreen
from themecoder.tui.screens.info import HelpScreen
from themecoder.tui.themes import other_theme, use_themes


class AdjudicationApp(App[None]):
    """Settle the disagreements of a project's coders.

    Args:
        project_location: Project file or database URL.
        adjudicator: Whose name the adjudicated decisions carry.
        coders: Compare only these coders (default: everyone).
    """

    CSS_PATH = "app.tcss"
    TITLE = "themecoder adjudication"
    BINDINGS: ClassVar = [
        Binding("f1,question_mark", "help", "Help", id="app.help", key_display="?"),
        Binding("f2", "toggle_dark", "Light/dark", show=False, id="view.toggle_dark"),
        Binding("ctrl+q", "quit", "Quit", show=False, id="app.quit"),
    ]

    def __init__(self, project_location: str, adjudicator: str, *,
                 coders: list[str] | None = None) -> None:
        super().__init__()
        self.project = Project.open(project_location)
        self.adjudicator = adjudicator
        self.coders = coders

    def on_mount(self) -> None:
        use_themes(self)
        self.push_screen(AdjudicationScreen(self.project, self.adjudicator, self.coders))

    def on_unmount(self) -> None:
        self.project.close()

    def action_toggle_dark(self) -> None:
        """Switch between the app's dark and light themes (F2)."""
        self.theme = other_theme(self.theme)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(actions=ADJUDICATE_ACTIONS))
