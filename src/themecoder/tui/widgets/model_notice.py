"""A line about the model: retraining progress while it runs, then what came of it.

Progress stays on screen until the retraining ends; the outcome (a new version used, kept
as a candidate and why, or an error) stays until the coder dismisses it (Esc, or a click),
so a message about the model is never gone before it could be read.
"""

from __future__ import annotations

from textual.content import Content
from textual.events import Click
from textual.widgets import Static

from themecoder.safe_text import visible_controls

KINDS = ("progress", "success", "warning", "error")
"""How a notice looks: running, a new version used, a candidate kept, something failed."""


class ModelNotice(Static):
    """Retraining progress and outcome, above the progress line (hidden when empty)."""

    DEFAULT_CSS = """
    ModelNotice {
        display: none;
        height: auto;
        max-height: 6;
        padding: 0 1;
        background: $boost;
        border-left: thick $accent;
    }
    ModelNotice.-shown { display: block; }
    ModelNotice.-success { border-left: thick $success; }
    ModelNotice.-warning { border-left: thick $warning; }
    ModelNotice.-error { border-left: thick $error; }
    """

    kind: str = ""
    """The kind shown (one of :data:`KINDS`), empty when hidden."""

    def show_notice(self, text: str, kind: str) -> None:
        """Show ``text``; an outcome (any kind but progress) says how to dismiss it."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}")
        self.kind = kind
        if kind != "progress":
            text += "  (Esc: dismiss)"
        for other in KINDS:
            self.set_class(other == kind, f"-{other}")
        self.add_class("-shown")
        self.update(Content(visible_controls(text)))

    def dismiss(self) -> bool:
        """Hide the notice; returns whether one was shown."""
        if not self.kind:
            return False
        self.kind = ""
        self.remove_class("-shown")
        self.update("")
        return True

    @property
    def is_outcome(self) -> bool:
        """Whether an outcome (not progress) is shown."""
        return self.kind not in ("", "progress")

    def on_click(self, event: Click) -> None:
        if self.is_outcome:
            event.stop()
            self.dismiss()
