"""The first thing a browser tab shows: who is coding? Each tab is one coder's session."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Button, Input, Static

from themecoder.tui.screens.dialogs import Dialog, dialog_box, dialog_buttons, dialog_title

MAX_NAME = 200
"""The longest coder name the store keeps."""


class CoderNameDialog(Dialog):
    """Ask the coder's name; returns it (``None`` when the coder leaves instead).

    Args:
        project_name: Shown in the title, so the coder knows which survey this is.
        known: Names of coders who have coded this project already (offered as a hint).
    """

    def __init__(self, project_name: str, known: list[str]) -> None:
        super().__init__()
        self.project_name = project_name
        self.known = [name for name in known if name != "imported"]

    def compose(self) -> ComposeResult:
        with dialog_box("coder-name"):
            yield dialog_title(f"themecoder · {self.project_name}")
            yield Static("Who is coding? Your name is stored with every decision you make.")
            yield Input(placeholder="your name", id="coder-name", max_length=MAX_NAME)
            if self.known:
                yield Static(f"Coders so far: {', '.join(self.known[:12])}",
                             id="known-coders")
            yield dialog_buttons(Button("Start coding", variant="primary", id="start"))

    def _start(self) -> None:
        name = " ".join(self.query_one("#coder-name", Input).value.split())
        if not name:
            self.notify("Type your name to start.", severity="warning")
            return
        self.dismiss(name)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._start()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self._start()

    def action_cancel(self) -> None:
        """Escape does not leave a blank tab: the question stays until answered."""
        self.app.bell()
