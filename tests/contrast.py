"""WCAG contrast of what a running Textual app shows, measured cell by cell.

The screen is rendered by the app itself (its compositor, so the real theme variables and
the app's stylesheets decide every colour); each character's foreground is compared with
its background by the WCAG 2 formula. Box-drawing and block characters (borders, scroll
bars, score bars) are graphics, not text, and are left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from rich.color import Color
from rich.style import Style

AA = 4.5
"""WCAG AA: the least contrast for normal text."""


def relative_luminance(rgb: tuple[int, int, int]) -> float:
    """WCAG 2 relative luminance of an sRGB colour."""

    def channel(value: int) -> float:
        v = value / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = rgb
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_ratio(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """WCAG 2 contrast ratio of two colours (1 to 21)."""
    high, low = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@dataclass(frozen=True)
class Cell:
    """One character on screen with the colours it is drawn in."""

    x: int
    y: int
    char: str
    fg: tuple[int, int, int]
    bg: tuple[int, int, int]

    @property
    def ratio(self) -> float:
        return contrast_ratio(self.fg, self.bg)


def _rgb(color: Color | None) -> tuple[int, int, int] | None:
    if color is None or color.is_default:
        return None
    triplet = color.get_truecolor()
    return (triplet.red, triplet.green, triplet.blue)


def _colours(style: Style) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    fg, bg = _rgb(style.color), _rgb(style.bgcolor)
    if fg is None or bg is None:
        raise AssertionError(f"a cell has no resolved colour: {style!r}")
    if style.reverse:
        fg, bg = bg, fg
    if style.dim:  # terminals draw dim text half-way to the background
        fg = tuple((f + b) // 2 for f, b in zip(fg, bg, strict=True))  # type: ignore[assignment]
    return fg, bg


def is_text(char: str) -> bool:
    """Whether a character is text (not a space, border, scroll bar or bar chart cell)."""
    return not char.isspace() and not 0x2500 <= ord(char) <= 0x259F


def screen_cells(app: Any) -> Iterator[Cell]:
    """Every text character the app shows now, with its colours.

    On a modal screen (a dialog, the command palette) only the dialog itself counts: the
    screen behind it is faded on purpose.
    """
    screen = app.screen
    update = screen._compositor.render_update(full=True,
                                              screen_stack=app._background_screens)
    regions = None
    if screen.is_modal:
        regions = [child.region for child in screen.children if child.display]
    for y, line in enumerate(update.strips):
        x = 0
        for strip in line:
            for segment in strip:
                if segment.control:
                    continue
                for char in segment.text:
                    inside = regions is None or any(r.contains(x, y) for r in regions)
                    if inside and is_text(char):
                        fg, bg = _colours(segment.style or Style())
                        yield Cell(x, y, char, fg, bg)
                    x += 1


def low_contrast(app: Any, minimum: float = AA) -> list[str]:
    """Runs of text below ``minimum`` contrast, described for a failure message."""
    runs: dict[tuple[tuple[int, int, int], tuple[int, int, int]], list[Cell]] = {}
    for cell in screen_cells(app):
        if cell.ratio < minimum:
            runs.setdefault((cell.fg, cell.bg), []).append(cell)
    return [f"{''.join(c.char for c in cells)[:50]!r} at ({cells[0].x},{cells[0].y}): "
            f"{cells[0].ratio:.2f}:1 ({_hex(fg)} on {_hex(bg)})"
            for (fg, bg), cells in runs.items()]


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#" + "".join(f"{v:02x}" for v in rgb)
