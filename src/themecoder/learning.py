"""Learning while coding: code the answers the model is least sure of first, and retrain.

Usable without any UI:

- :func:`uncertainty_order` orders the answers still to do by how unsure the stored
  suggestions are (the smallest distance between a theme's score and its threshold, or the
  themes' total binary entropy), and interleaves a share of answers drawn at random. Coding
  the unsure answers first teaches the model most per answer; the random share keeps the
  coded sample representative, so figures estimated from it stay honest.
- Retraining on the project's coding lives in :mod:`themecoder.retraining`
  (:class:`Retrainer`, imported here too): prior coding plus this year's decisions, and a
  new version is used only when it scores at least as well as the live one.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from themecoder.model_versions import todo_answers

if TYPE_CHECKING:
    import numpy as np

    from themecoder.store.project import Project, StoredSuggestion

ProgressCallback = Callable[[int, int], None]

MEASURES = ("margin", "entropy")
"""How unsure a suggestion is: closeness of a score to its threshold, or binary entropy."""

ORDERS = ("plain", "uncertain")
"""Orders a coder can work through the answers in."""

DEFAULT_THRESHOLD = 0.5
"""Threshold assumed for a stored score when its suggestion does not name one."""


_THRESHOLD_RE = re.compile(r"\(threshold (\d*\.?\d+)\)")


# --------------------------------------------------------------------------- uncertainty


def uncertainty(P: np.ndarray, thresholds: np.ndarray | float = DEFAULT_THRESHOLD,
                measure: str = "margin") -> np.ndarray:
    """How unsure each row of theme scores is; larger means less sure.

    Args:
        P: (n, k) scores or probabilities in [0, 1].
        thresholds: (k,) per-theme thresholds, or one for all.
        measure: ``"margin"``: minus the smallest ``|p - threshold|`` over the themes (a
            theme on the edge makes the answer unsure); ``"entropy"``: the sum over themes
            of the binary entropy of ``p`` moved so that the threshold sits at 0.5.

    Returns:
        (n,) uncertainty per row.
    """
    import numpy as np

    P = np.asarray(P, dtype=float)
    if P.ndim != 2:
        raise ValueError("P must be an (n, k) array")
    t = np.broadcast_to(np.asarray(thresholds, dtype=float), (P.shape[1],))
    if P.shape[1] == 0:
        return np.zeros(P.shape[0])
    if measure == "margin":
        return -np.min(np.abs(P - t[None, :]), axis=1)
    if measure == "entropy":
        # Piecewise-linear map putting each threshold at 0.5, so "unsure" means "near the
        # line the decision is drawn at" rather than "near 0.5".
        tt = np.clip(t, 1e-6, 1 - 1e-6)[None, :]
        q = np.where(P < tt, 0.5 * P / tt, 0.5 + 0.5 * (P - tt) / (1 - tt))
        q = np.clip(q, 1e-12, 1 - 1e-12)
        return np.sum(-(q * np.log2(q) + (1 - q) * np.log2(1 - q)), axis=1)
    raise ValueError(f"measure must be one of {MEASURES}, not {measure!r}")


def interleave(ranked: Sequence[int], *, random_share: float = 0.2, seed: int = 0) -> list[int]:
    """``ranked`` with a share of its items drawn at random, spread evenly through it.

    Every ``1/random_share``-th position (every 5th for 0.2) takes an item drawn at random
    from those not yet placed; the others take the best-ranked item not yet placed. The
    same seed gives the same order.
    """
    import numpy as np

    if not 0 <= random_share <= 1:
        raise ValueError("random_share must be between 0 and 1")
    items = list(ranked)
    rng = np.random.default_rng(seed)
    shuffled = [items[i] for i in rng.permutation(len(items))]
    placed: set[int] = set()
    out: list[int] = []
    best = iter(items)
    drawn = iter(shuffled)
    for position in range(len(items)):
        take_random = math.floor((position + 1) * random_share) > math.floor(
            position * random_share)
        source = drawn if take_random else best
        for item in source:
            if item not in placed:
                placed.add(item)
                out.append(item)
                break
    return out


def suggestion_scores(suggestion: StoredSuggestion) -> tuple[list[float], list[float]]:
    """(scores, thresholds) of a stored suggestion's themes.

    The threshold is read from the model's reason ("model 0.62 (threshold 0.41)"); scores
    without one (keywords alone) are judged against :data:`DEFAULT_THRESHOLD`.
    """
    scores, thresholds = [], []
    for item in suggestion.themes:
        scores.append(float(item.get("score", 0.0)))
        threshold = DEFAULT_THRESHOLD
        for reason in item.get("reasons", ()):
            found = _THRESHOLD_RE.search(str(reason))
            if found:
                threshold = float(found.group(1))
                break
        thresholds.append(threshold)
    return scores, thresholds


def uncertainty_order(project: Project, coder: str | None = None, *,
                      random_share: float = 0.2, seed: int = 0,
                      measure: str = "margin") -> list[int]:
    """The answers still to do, the most uncertain first, with a random share mixed in.

    Args:
        project: The project.
        coder: Who codes (the to-do list is the same for every coder: answers nobody has
            decided yet, as in the coding app).
        random_share: Share of positions filled by answers drawn at random (see
            :func:`interleave`).
        seed: Seed of the random draw.
        measure: One of :data:`MEASURES` (see :func:`uncertainty`).

    Returns:
        Answer ids. Answers without a stored suggestion count as the most uncertain (the
        model knows nothing about them); ties keep import order.
    """
    import numpy as np

    todo = todo_answers(project)
    stored = project.suggestions([a.id for a in todo])
    keyed: list[tuple[float, int, int]] = []
    for position, answer in enumerate(todo):
        suggestion = stored.get(answer.id)
        if suggestion is None or not suggestion.themes:
            value = math.inf
        else:
            scores, thresholds = suggestion_scores(suggestion)
            value = float(uncertainty(np.array([scores]), np.array(thresholds), measure)[0])
        keyed.append((-value, position, answer.id))
    ranked = [answer_id for _, _, answer_id in sorted(keyed)]
    return interleave(ranked, random_share=random_share, seed=seed)


# Retraining and the training data live in their own modules; these names stay here.
from themecoder.retraining import (  # noqa: E402
    MODEL_NAME,
    NotEnoughData,
    Retrainer,
    RetrainResult,
    default_models_dir,
)
from themecoder.training_sets import ProjectTrainingData, project_training_data  # noqa: E402

__all__ = ["MEASURES", "MODEL_NAME", "ORDERS", "NotEnoughData", "ProjectTrainingData",
           "RetrainResult", "Retrainer", "default_models_dir", "interleave",
           "project_training_data", "suggestion_scores", "todo_answers", "uncertainty",
           "uncertainty_order"]
