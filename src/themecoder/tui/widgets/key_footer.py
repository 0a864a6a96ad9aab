"""The key line at the bottom: the keys that matter now, as many as the width allows.

Textual's footer lists every shown binding and runs off an 80-column terminal. This one
is compact and leaves out the less used keys (each action says from which width it is
shown, :attr:`themecoder.tui.actions.Action.footer_from`), so at 80 columns it still ends
with Help and Quit; the rest are in the help screen (F1) and the command palette.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.events import Resize
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class KeyFooter(Footer):
    """A compact footer that shows a key only from its action's ``footer_from`` width.

    Args:
        footer_from: Action (as in the binding, e.g. ``"note"``) → the narrowest screen
            width, in columns, at which the footer shows it.
        palette_from: The narrowest width at which the command palette key is shown.
    """

    def __init__(self, footer_from: dict[str, int], *, palette_from: int = 0) -> None:
        super().__init__(compact=True)
        self.footer_from = footer_from
        self.palette_from = palette_from
        self._width_band: tuple[bool, ...] = ()

    def _band(self, width: int) -> tuple[bool, ...]:
        """Which optional keys fit at ``width`` (recompose only when this changes)."""
        limits = sorted({*self.footer_from.values(), self.palette_from})
        return tuple(width >= limit for limit in limits)

    def compose(self) -> ComposeResult:
        width = self.app.size.width
        self.show_command_palette = width >= self.palette_from
        for widget in super().compose():
            if isinstance(widget, FooterKey) and \
                    self.footer_from.get(widget.action, 0) > width:
                continue
            yield widget

    def on_resize(self, event: Resize) -> None:
        band = self._band(self.app.size.width)
        if band != self._width_band:
            self._width_band = band
            self.call_after_refresh(self.recompose)
