"""How fast a coder is going: decisions per hour over a rolling window of recent decisions.

The rate is measured over the coder's last :data:`WINDOW` decisions, read back from the
project's decision log when a session starts, so it carries on across restarts instead of
starting again from nothing. A pause longer than :data:`BREAK_SECONDS` between two
decisions counts as that long (a lunch break does not halve the rate), and no rate is
given until :data:`MIN_DECISIONS` decisions are in the window (two quick decisions do not
make 6,000 an hour).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from themecoder.store import schema
from themecoder.store.project import Project

WINDOW = 30
"""How many recent decisions the rate is measured over."""

MIN_DECISIONS = 5
"""No rate is shown until the window holds this many decisions."""

BREAK_SECONDS = 300.0
"""A gap between two decisions counts as at most this long (longer is a break)."""

CODING_SOURCES = ("accepted", "corrected", "manual", "adjudicated")
"""Decisions a person made in the app (not imported, not undo rows)."""


def decisions_per_hour(times: Sequence[float]) -> float | None:
    """The rate over decision times (seconds, in order), or ``None`` while too few.

    Gaps longer than :data:`BREAK_SECONDS` count as :data:`BREAK_SECONDS`.
    """
    recent = list(times)[-WINDOW:]
    if len(recent) < MIN_DECISIONS:
        return None
    active = sum(min(max(0.0, later - earlier), BREAK_SECONDS)
                 for earlier, later in zip(recent, recent[1:], strict=False))
    if active <= 0:
        return None
    return (len(recent) - 1) * 3600.0 / active


def recent_decision_times(project: Project, coder: str, limit: int = WINDOW) -> list[float]:
    """When ``coder`` made their last ``limit`` decisions (POSIX seconds, oldest first)."""
    d = schema.decisions
    query = (select(d.c.created_at).where(d.c.coder == coder)
             .where(d.c.source.in_(CODING_SOURCES)).order_by(d.c.id.desc()).limit(limit))
    with project.engine.connect() as conn:
        stamps = [row.created_at for row in conn.execute(query)]
    return [datetime.fromisoformat(stamp).timestamp() for stamp in reversed(stamps)]
