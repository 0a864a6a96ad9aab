"""The records a project hands out: answers, logged decisions, stored suggestions, import results.

Frozen dataclasses read from (and, for decisions, written to) the project's tables; see
:class:`~themecoder.store.project.Project`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from themecoder.store import updates


@dataclass(frozen=True)
class Answer:
    """One answer to one question by one respondent."""

    id: int
    key: str
    respondent_id: int
    respondent_key: str
    group: str
    question: str
    text: str
    has_comment: bool
    attributes: dict[str, str] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Decision:
    """One coder's themes (or not-assigned) for one answer, as logged."""

    id: int
    answer_id: int
    coder: str
    themes: tuple[str, ...]
    not_assigned: bool
    source: str
    created_at: str
    undoes: int | None = None
    codebook_version: str | None = None
    model_version: str | None = None
    revises: int | None = None
    """The other coder's decision that this one deliberately revised (see
    :func:`themecoder.store.claims.record_unless_decided`)."""


@dataclass(frozen=True)
class StoredSuggestion:
    """Suggested themes stored for an answer, with the model version that made them."""

    answer_id: int
    model_version: str
    themes: list[dict[str, Any]]
    top_score: float
    vague: bool
    not_assigned_score: float | None = None

    def suggested_ids(self) -> list[str]:
        """Ids of the themes marked as suggested, best first."""
        return [t["theme_id"] for t in self.themes if t.get("suggested")]

    def score(self, theme_id: str) -> float:
        """The score of one theme (0 when not scored)."""
        for item in self.themes:
            if item["theme_id"] == theme_id:
                return float(item["score"])
        return 0.0


@dataclass
class ImportResult:
    """What an import added (a repeated import adds nothing)."""

    respondents_added: int = 0
    answers_added: int = 0
    answers_already_present: int = 0
    decisions_added: int = 0
    #: With ``update``: the answers whose text was replaced (see :mod:`.updates`).
    text_updates: updates.TextUpdates = field(default_factory=updates.TextUpdates)


def decision_of(row: Any) -> Decision:
    """The :class:`Decision` a row read from the ``decisions`` table records."""
    return Decision(id=row.id, answer_id=row.answer_id, coder=row.coder,
                    themes=tuple(json.loads(row.themes)), not_assigned=bool(row.not_assigned),
                    source=row.source, created_at=row.created_at, undoes=row.undoes,
                    codebook_version=row.codebook_version, model_version=row.model_version,
                    revises=row.revises)


def decision_from_row(row: dict[str, Any], new_id: int) -> Decision:
    """The :class:`Decision` a ``decisions`` row (as written, with its new id) records."""
    return Decision(id=new_id, answer_id=row["answer_id"], coder=row["coder"],
                    themes=tuple(json.loads(row["themes"])),
                    not_assigned=row["not_assigned"], source=row["source"],
                    created_at=row["created_at"], undoes=row["undoes"],
                    codebook_version=row.get("codebook_version"),
                    model_version=row.get("model_version"), revises=row.get("revises"))
