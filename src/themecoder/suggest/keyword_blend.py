"""How much keyword evidence a trained model's probabilities take in, learned with the model.

A coder is shown the model's probability ``p`` of each theme combined with the codebook's
keyword score ``k`` of that theme in the answer: ``score = 1 - (1 - p) * (1 - w * k)``
(:func:`combine_scores`). When the model is trained with its codebook's keyword scores of the
training answers (:func:`keyword_score_matrix`), the weight ``w`` and the decision rule
applied to the combined scores (the themes' thresholds, the Not-assigned threshold and
margin) are tuned together on the training data's out-of-fold probabilities
(:func:`tune_keyword_rule`): the thresholds are then those of what the coder is shown, not
of the model alone, and a keyword that adds nothing gets a weight of 0. The model's own rule
stays as it was for the places that use the model alone (automatic coding).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from themecoder.suggest.decision import (
    DecisionRule,
    rule_micro_f1,
    tune_rule,
    tune_thresholds,
)

if TYPE_CHECKING:
    from themecoder.codebook import Codebook
    from themecoder.suggest.keywords import KeywordSuggester

DEFAULT_KEYWORD_WEIGHT = 0.35
"""The weight for a model trained without its codebook's keyword scores."""

KEYWORD_WEIGHTS: tuple[float, ...] = (0.0, 0.1, 0.2, 0.35, 0.5, 0.7)
"""The weights tried, smallest first (a tie keeps the smaller)."""


def combine_scores(P: np.ndarray, K: np.ndarray, weight: float) -> np.ndarray:
    """``1 - (1 - P) * (1 - weight * K)``: probabilities raised by keyword scores."""
    return 1.0 - (1.0 - P) * (1.0 - weight * K)


def keyword_score_matrix(codebook: Codebook, texts: Sequence[object],
                         questions: Sequence[object] | None,
                         theme_ids: Sequence[str],
                         keyword_suggester: KeywordSuggester | None = None) -> np.ndarray | None:
    """(n, k) keyword scores of the codebook's keywords in each answer, as the suggester
    scores them (0 where a theme has no hit, or does not apply to the answer's question);
    ``None`` when no theme of the codebook has keywords or patterns.

    Args:
        codebook: The codebook whose keywords are looked for.
        texts: The answers.
        questions: Each answer's question, or ``None``.
        theme_ids: The k theme ids, in column order.
        keyword_suggester: The codebook's keyword suggester, when one is at hand (it
            remembers the answers it has seen, so fits on overlapping data score each once).
    """
    if not any(t.keywords or t.patterns for t in codebook.themes):
        return None
    from themecoder.suggest.features import as_texts
    from themecoder.suggest.keywords import KeywordSuggester
    from themecoder.suggest.suggestion import keyword_parts

    column = {str(t): j for j, t in enumerate(theme_ids)}
    K = np.zeros((len(texts), len(theme_ids)))
    answers = as_texts(texts)
    qs = [None if q is None else str(q) for q in questions] if questions is not None else None
    if keyword_suggester is None:
        keyword_suggester = KeywordSuggester(codebook)
    for row, hits in enumerate(keyword_suggester.suggest_many(answers, qs)):
        for theme_id, score in keyword_parts(hits)[0].items():
            j = column.get(theme_id)
            if j is not None:
                K[row, j] = score
    return K


@dataclass(frozen=True)
class KeywordRule:
    """The keyword weight and the decision rule on combined scores, with the out-of-fold
    micro-F1 (themes and Not assigned) they reached and that of the model alone."""

    weight: float
    rule: DecisionRule
    micro_f1: float
    alone_micro_f1: float


def tune_keyword_rule(P: np.ndarray, p_na: np.ndarray | None, K: np.ndarray, Y: np.ndarray,
                      own_rule: DecisionRule, shrinkage: float,
                      weights: Sequence[float] = KEYWORD_WEIGHTS) -> KeywordRule:
    """The weight and rule that decide best on combined out-of-fold scores.

    Args:
        P: (n, k) out-of-fold theme probabilities.
        p_na: (n,) out-of-fold Not-assigned probabilities, or ``None`` (no such head).
        K: (n, k) keyword scores (:func:`keyword_score_matrix`).
        Y: (n, k) true themes.
        own_rule: The model's rule for its probabilities alone (weight 0 keeps it).
        shrinkage: Shrinkage of the per-theme thresholds (see
            :func:`~themecoder.suggest.decision.tune_thresholds`).
        weights: The weights tried.

    Raises:
        ValueError: ``K`` and ``P`` differ in shape.
    """
    if K.shape != P.shape:
        raise ValueError(f"keyword scores have shape {K.shape}, probabilities {P.shape}")
    alone = rule_micro_f1(P, Y, own_rule, p_na)
    best = KeywordRule(0.0, own_rule, alone, alone)
    for weight in weights:
        if weight <= 0:
            continue
        S = combine_scores(P, K, weight)
        thresholds, _ = tune_thresholds(S, Y, shrinkage)
        rule = tune_rule(S, Y, p_na, thresholds)
        score = rule_micro_f1(S, Y, rule, p_na)
        if score > best.micro_f1 + 1e-12:
            best = KeywordRule(float(weight), rule, score, alone)
    return best
