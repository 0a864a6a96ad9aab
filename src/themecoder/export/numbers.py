"""One rounding rule and one way of writing numbers, for every export format.

Analysts expect "half up" rounding (6.25 → 6.3), not Python's round-half-to-even on binary
floats (``round(6.25, 1) == 6.2``). Every percentage, χ² and p-value an export writes — CSV,
Markdown, XLSX, charts, quote bank, report — goes through this module, so a number reads the
same everywhere. Percentages of counts are rounded exactly, in integers, so no float error can
tip a half the wrong way.

p-values are written as ``"< 0.001"`` below 0.001 and to three significant digits otherwise;
Holm's step-down adjustment (:func:`holm`) controls the family-wise error rate over the many
tests of one breakdown.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

P_FLOOR = 0.001
"""p-values below this are written as ``"< 0.001"``."""

PCT_DECIMALS = 1
"""Decimals of every percentage an export writes."""


def round_half_up(value: float, decimals: int = 0) -> float:
    """``value`` rounded to ``decimals`` places, halves away from zero (``6.25`` → ``6.3``).

    The float's shortest decimal form is rounded, so ``0.125`` → ``0.13`` as written.
    NaN and infinities come back unchanged.
    """
    if value is None or not math.isfinite(value):
        return value
    quantum = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP))


def pct(part: int, whole: int, decimals: int = PCT_DECIMALS) -> float:
    """``100 × part / whole`` rounded half up, computed exactly in integers (NaN when
    ``whole`` is 0)."""
    if not whole:
        return math.nan
    scale = 10 ** decimals
    numerator = 100 * scale * int(part)
    # floor((2 n + d) / 2d) = n/d rounded half up, for n, d ≥ 0
    rounded = (2 * numerator + int(whole)) // (2 * int(whole))
    return rounded / scale


def format_pct(value: float, *, sign: str = " %") -> str:
    """A percentage already rounded by :func:`pct`, as text: ``"6.3 %"`` (``"–"`` for NaN)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{round_half_up(value, PCT_DECIMALS):.{PCT_DECIMALS}f}{sign}"


def significant(value: float, digits: int = 3) -> float:
    """``value`` rounded half up to ``digits`` significant digits."""
    if value is None or not math.isfinite(value) or value == 0:
        return value
    exponent = math.floor(math.log10(abs(value)))
    return round_half_up(value, digits - 1 - exponent)


def p_decimals(p: float, digits: int = 3) -> int:
    """Decimals needed to show ``p`` to ``digits`` significant digits (for number formats)."""
    if p is None or not math.isfinite(p) or p <= 0:
        return digits
    rounded = significant(p, digits)
    return max(digits - 1 - math.floor(math.log10(abs(rounded))), 0)


def format_p(p: float) -> str:
    """A p-value as the report writes it: ``"< 0.001"`` or three significant digits."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "–"
    if p < P_FLOOR:
        return f"< {P_FLOOR:g}"
    return f"{significant(p):.{p_decimals(p)}f}"


def format_number(value: float, decimals: int = 2) -> str:
    """A statistic (χ², expected count) rounded half up to ``decimals`` places."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{round_half_up(value, decimals):.{decimals}f}"


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm-adjusted p-values, in the order given; NaN (untestable) stays NaN.

    The i-th smallest of m p-values becomes ``max over j ≤ i of min(1, (m − j + 1) p_(j))``.
    """
    tested = [(p, i) for i, p in enumerate(p_values) if p is not None and not math.isnan(p)]
    out = [math.nan] * len(p_values)
    m = len(tested)
    running = 0.0
    for rank, (p, index) in enumerate(sorted(tested)):
        running = max(running, min(1.0, (m - rank) * p))
        out[index] = running
    return out
