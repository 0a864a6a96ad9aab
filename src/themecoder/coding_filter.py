"""What a coder's queue shows: the filter over answers and the progress counts.

:class:`Filter` narrows the queue of a :class:`~themecoder.coding.CodingSession`;
:class:`Progress` is what the progress line shows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from themecoder.questions import DeclaredQuestion, question_label

STATUSES = ("all", "todo", "done", "not_assigned", "auto")
"""Answer statuses a filter can select: everything, still to do, coded, not assigned, and
coded automatically by the model (no person has coded them)."""

STATUS_LABELS = {"all": "all answers", "todo": "to do", "done": "done",
                 "not_assigned": "not assigned", "auto": "auto-coded"}

LOW_CONFIDENCE = 0.5
"""A suggestion whose best score is below this counts as low confidence."""

@dataclass(frozen=True)
class Filter:
    """Which answers the queue holds.

    Attributes:
        status: One of :data:`STATUSES`: "todo" is undecided by anyone, "done" is coded with
            themes, "not_assigned" is decided as too vague (by this coder or another) and
            "auto" is coded by the model alone (see :mod:`themecoder.autocode`).
        question: Only this question (``worked_well``, ``not_well``, ``change``).
        group: Only this respondent group.
        theme: Only answers coded with (or, when undecided, suggested) this theme id.
        low_confidence: Only answers whose suggestion is missing or scored below
            :data:`LOW_CONFIDENCE`.
        search: Only answers whose text contains this (case-insensitive).
        fuzzy: Match ``search`` approximately (rapidfuzz partial ratio ≥ 80).
        sample: Only the coder's double-coding sample answers (coded blind).
        answer_ids: Only these answers (e.g. a discovered candidate's, to review).
        label: What ``answer_ids`` are, for :meth:`describe` ("to review for Transport").
    """

    status: str = "todo"
    question: str | None = None
    group: str | None = None
    theme: str | None = None
    low_confidence: bool = False
    search: str = ""
    fuzzy: bool = False
    sample: bool = False
    answer_ids: frozenset[int] | None = None
    label: str = ""

    def describe(self, theme_names: Mapping[str, str] | None = None,
                 declared: Iterable[DeclaredQuestion] = ()) -> str:
        """A short label, e.g. ``"to do · What worked well · theme Stress/worry · 'forms'"``.

        ``theme_names`` maps theme ids to the names shown (the id is shown without it);
        ``declared``: the questions the codebooks declare, for their labels.
        """
        parts = [STATUS_LABELS.get(self.status, self.status)]
        if self.sample:
            parts.append("double-coding sample")
        if self.answer_ids is not None:
            parts.append(self.label or f"{len(self.answer_ids)} chosen answers")
        if self.question:
            parts.append(question_label(self.question, declared))
        if self.group:
            parts.append(self.group)
        if self.theme:
            parts.append(f"theme {(theme_names or {}).get(self.theme, self.theme)}")
        if self.low_confidence:
            parts.append("low confidence")
        if self.search:
            parts.append(("~" if self.fuzzy else "") + repr(self.search))
        return " · ".join(parts)


@dataclass(frozen=True)
class Progress:
    """Counts for the progress line.

    Attributes:
        done: Answers in the current filter that are decided.
        total: Answers in the current filter.
        per_question: ``{question: (done, total)}`` over all commented answers.
        rate: This coder's decisions per hour over their recent decisions, this session's
            and earlier ones (``None`` until there are enough, see :mod:`themecoder.pace`).
        remaining: Commented answers still to do (all filters).
        seconds_left: Estimated time to finish ``remaining`` at ``rate``.
        auto: Commented answers coded by the model alone (counted in ``done`` too).
        audit_left: Answers of the blind audit of automatic coding still to code.
    """

    done: int
    total: int
    per_question: dict[str, tuple[int, int]]
    rate: float | None
    remaining: int
    seconds_left: float | None
    auto: int = 0
    audit_left: int = 0


def format_duration(seconds: float | None) -> str:
    """``"2 h 05 min"``, ``"14 min"``, ``"< 1 min"``; ``"–"`` when unknown."""
    if seconds is None:
        return "–"
    minutes = int(round(seconds / 60))
    if minutes < 1:
        return "< 1 min"
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"
