"""The look shared by figures, native Excel charts and the report.

The three questions get colours from the Okabe–Ito palette, which people with the common
colour-vision deficiencies tell apart, chosen so their grey levels are far apart too
(34 %, 64 % and 84 % luminance): the figures still read when printed in black and white.
"""

from __future__ import annotations

PALETTE = ("#0072B2", "#E69F00", "#F0E442")
"""Bar colours per question, in survey order: blue, orange, yellow."""

EDGE = "#000000"
"""Bar outline, so the light bars keep their shape on white paper."""

BANNER = "#B00020"
"""The colour of the unfinished-coding banner."""


def grey_level(colour: str) -> float:
    """The luminance (0 black … 1 white) a colour prints as in greyscale (ITU-R BT.601)."""
    value = colour.lstrip("#")
    red, green, blue = (int(value[i:i + 2], 16) / 255 for i in (0, 2, 4))
    return 0.299 * red + 0.587 * green + 0.114 * blue


def question_colour(index: int) -> str:
    """The colour of the ``index``-th question's bars."""
    return PALETTE[index % len(PALETTE)]
