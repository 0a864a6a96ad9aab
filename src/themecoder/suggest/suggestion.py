"""What a suggestion is: every theme of the answer's question with its score and reasons,
whether Not assigned is suggested, and what made it (:class:`Suggestion`,
:class:`ThemeSuggestion`, :func:`describe_method`); themes best first (:func:`ranked`) and
an answer's keyword evidence by theme (:func:`keyword_parts`).

They are made by :class:`~themecoder.suggest.suggester.Suggester`; the app, ``themecoder
suggest`` and the project store read them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from themecoder.suggest.keywords import KeywordHit

DEFAULT_KEYWORD_THRESHOLD = 0.5
"""Keyword score at which a theme is suggested when there is no model."""


class ThemeSuggestion(NamedTuple):
    """One theme's score for one answer, with its reasons (an immutable value).

    A named tuple rather than a frozen dataclass: one is made for every theme of every
    answer, and a tuple is several times cheaper to make.

    Attributes:
        theme_id: The theme's id.
        theme_name: The theme's name.
        score: Combined score 0–1 (see the module docstring).
        suggested: Whether the theme should be pre-marked for the coder.
        reasons: Why, in words: model confidence first, then each keyword hit.
        spans: ``(start, end)`` character spans of the keyword hits that count, for
            highlighting in the original text.
        model_score: The model's probability (``None`` without a model).
        keyword_score: The keyword score (0 when no keyword matched).
        threshold: The score at which this theme is suggested.
        meaning_score: The meaning score (``None`` when meaning was not used).
    """

    theme_id: str
    theme_name: str
    score: float
    suggested: bool
    reasons: tuple[str, ...] = ()
    spans: tuple[tuple[int, int], ...] = ()
    model_score: float | None = None
    keyword_score: float = 0.0
    threshold: float = DEFAULT_KEYWORD_THRESHOLD
    meaning_score: float | None = None


@dataclass(frozen=True)
class Suggestion:
    """Suggested themes for one answer.

    Attributes:
        text: The answer.
        question: Its question (``None`` when unknown).
        themes: Every theme that applies to the question, best first.
        vague: Suggest *Not assigned*: the model's Not-assigned decision, or without a model
            an answer that looks too vague to code (:func:`looks_vague`).
        model_version: What made the suggestion, e.g. ``"keywords:poet_holders@1.0"``,
            ``"keywords:poet_holders@1.0+meaning:all-MiniLM-L6-v2"`` or
            ``"poet_holders@2026.11.23+keywords:poet_holders@1.0"``.
        hits: The keyword hits behind the reasons (empty without keywords).
        not_assigned_score: The model's probability of Not assigned (``None`` without a
            model, or when its training data gave every answer a theme).
        not_assigned_reason: Why Not assigned is (or is not) suggested, in words.
    """

    text: str
    question: str | None
    themes: list[ThemeSuggestion]
    vague: bool
    model_version: str
    hits: list[KeywordHit] = field(default_factory=list)
    not_assigned_score: float | None = None
    not_assigned_reason: str = ""

    @property
    def not_assigned(self) -> bool:
        """Whether *Not assigned* is suggested (the same as :attr:`vague`)."""
        return self.vague

    @property
    def suggested(self) -> list[ThemeSuggestion]:
        """The suggested themes, best first."""
        return [t for t in self.themes if t.suggested]

    @property
    def suggested_ids(self) -> list[str]:
        """Ids of the suggested themes, best first."""
        return [t.theme_id for t in self.themes if t.suggested]

    def score(self, theme_id: str) -> float:
        """A theme's score (0 for a theme that does not apply to the question)."""
        return next((t.score for t in self.themes if t.theme_id == theme_id), 0.0)

    @property
    def method(self) -> str:
        """What made the suggestion, in words: "keywords", "keywords + meaning", "model …"."""
        return describe_method(self.model_version)


def describe_method(model_version: str | None) -> str:
    """A stored ``model_version`` in words for a coder.

    ``"keywords:poet_holders@1.0+meaning:all-MiniLM-L6-v2"`` → ``"keywords + meaning"``;
    ``"poet_holders@v3+keywords:poet_holders@1.0"`` → ``"model poet_holders@v3 + keywords"``.
    A part it does not recognise is shown as it is.
    """
    words = []
    for part in (model_version or "").split("+"):
        if part.startswith("keywords:"):
            words.append("keywords")
        elif part.startswith("meaning:"):
            words.append("meaning")
        elif "@" in part:
            words.append(f"model {part}")
        elif part and part != "none":
            words.append(part)
    return " + ".join(words) or "nothing"


_score_of = itemgetter(2)  # ThemeSuggestion.score


def ranked(themes: list[ThemeSuggestion]) -> list[ThemeSuggestion]:
    """Best score first; ties keep the codebook's order (the sort is stable)."""
    return sorted(themes, key=_score_of, reverse=True)


KeywordParts = tuple[dict[str, float], dict[str, list["KeywordHit"]], bool]
"""An answer's keyword scores by theme, its hits by theme, and whether any hit counts."""


def keyword_parts(hits: Sequence[KeywordHit]) -> KeywordParts:
    """An answer's keyword evidence: scores and hits by theme, whether any hit counts."""
    from themecoder.suggest.keywords import theme_scores

    by_theme: dict[str, list[KeywordHit]] = {}
    for hit in hits:
        by_theme.setdefault(hit.theme_id, []).append(hit)
    return theme_scores(hits), by_theme, any(h.score > 0 for h in hits)
