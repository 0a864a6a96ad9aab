"""Check boxes, radio buttons and selection lists whose state shows as a glyph.

Textual draws the same "X" (or "●") in a ticked and an unticked box and tells them
apart by colour alone. These subclasses draw ``✓`` (or ``●``) when ticked and a blank
when not, so the state reads the same in any theme and to anyone.
"""

from __future__ import annotations

from textual.content import Content
from textual.strip import Strip
from textual.widgets import Checkbox, RadioButton, SelectionList

TICK = "✓"
DOT = "●"


class TickBox(Checkbox):
    """A check box that shows ``✓`` when ticked, nothing when not."""

    @property
    def _button(self) -> Content:
        self.BUTTON_INNER = TICK if self.value else " "
        return super()._button


class RadioChoice(RadioButton):
    """A radio button that shows ``●`` when chosen, nothing when not."""

    @property
    def _button(self) -> Content:
        self.BUTTON_INNER = DOT if self.value else " "
        return super()._button


class TickList(SelectionList[str]):
    """A selection list that shows ``✓`` beside selected items, nothing beside the rest."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        segments = list(strip)
        if len(segments) < 3 or segments[1].text != "X":
            return strip
        index = self.scroll_offset.y + y
        try:
            option = self.get_option_at_index(index)
        except Exception:  # noqa: BLE001 - past the last option: nothing to mark
            return strip
        chosen = option.value in self.selected
        glyph = TICK if chosen else " "
        segments[1] = segments[1].__class__(glyph, segments[1].style, segments[1].control)
        return Strip(segments, strip.cell_length)
