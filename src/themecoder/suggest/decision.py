"""The classifier's heads and decision rule: per-theme logistic regressions, thresholds, decisions.

Thresholds are tuned on out-of-fold probabilities of the training data only (see
:func:`tune_thresholds`); :func:`decide` turns probabilities into the themes an answer gets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


def _expit(z: np.ndarray) -> np.ndarray:
    from scipy.special import expit

    return expit(z)


def _fit_heads(X: Any, Y: np.ndarray, C: float, class_weight: str | None,
               random_state: int | None, step: Callable[[], None]) -> tuple[np.ndarray, np.ndarray]:
    """One logistic regression per theme; returns dense coefficients (k, d) and intercepts."""
    from sklearn.linear_model import LogisticRegression

    k = Y.shape[1]
    W = np.zeros((k, X.shape[1]))
    b = np.zeros(k)
    for j in range(k):
        y = Y[:, j]
        positives = int(y.sum())
        if positives == 0 or positives == len(y):
            # Nothing to learn: a constant, confident answer.
            b[j] = -8.0 if positives == 0 else 8.0
        else:
            clf = LogisticRegression(C=C, class_weight=class_weight, solver="liblinear", dual=True,
                                     max_iter=1000, random_state=random_state)
            clf.fit(X, y)
            W[j] = clf.coef_[0]
            b[j] = clf.intercept_[0]
        step()
    return W, b


# --------------------------------------------------------------------------- thresholds

_GRID = np.round(np.arange(0.05, 0.951, 0.01), 2)
_FLOOR_GRID = np.round(np.concatenate([[0.0], np.arange(0.02, 0.51, 0.02)]), 2)


def _f1(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray) -> np.ndarray:
    denom = 2 * tp + fp + fn
    return np.divide(2 * tp, denom, out=np.zeros(np.shape(denom)), where=denom > 0)


def tune_thresholds(P: np.ndarray, Y: np.ndarray, shrinkage: float) -> tuple[np.ndarray, float]:
    """Per-theme thresholds from out-of-fold probabilities, shrunk toward a global one.

    The global threshold maximises micro-F1 over all themes; each theme's own best-F1
    threshold ``t_k`` is pulled toward it as ``(n_k t_k + m t_global) / (n_k + m)`` with
    ``n_k`` the theme's positive examples and ``m = shrinkage``.

    Returns:
        (thresholds of shape (k,), the global threshold)
    """
    Yb = Y.astype(bool)
    pred = P[:, :, None] >= _GRID[None, None, :]          # (n, k, g)
    tp = (pred & Yb[:, :, None]).sum(axis=0)               # (k, g)
    fp = (pred & ~Yb[:, :, None]).sum(axis=0)
    fn = (~pred & Yb[:, :, None]).sum(axis=0)
    t_global = float(_GRID[np.argmax(_f1(tp.sum(0), fp.sum(0), fn.sum(0)))])
    n_pos = Yb.sum(axis=0).astype(float)
    f1 = _f1(tp, fp, fn)
    t_best = np.where(n_pos > 0, _GRID[np.argmax(f1, axis=1)], t_global)
    thresholds = (n_pos * t_best + shrinkage * t_global) / (n_pos + shrinkage)
    return np.round(thresholds, 4), t_global


def decide(P: np.ndarray, thresholds: np.ndarray, floor: float,
           vague: np.ndarray, vague_themes: np.ndarray | None = None) -> np.ndarray:
    """0/1 themes from probabilities.

    A theme is on when its probability reaches its threshold. An answer with no theme on
    gets its most likely theme (relative to that theme's threshold), unless the answer is
    vague (:func:`is_vague`) or even that theme's probability is below ``floor``.
    A vague answer can only get the themes in ``vague_themes`` (a (k,) bool mask: the
    themes vague answers had in the training data, e.g. a "Labelling not possible" code);
    elsewhere a model has nothing to go on for it.
    """
    out = (P >= thresholds[None, :]).astype(np.int8)
    if vague_themes is not None and vague.any():
        out[vague] *= np.asarray(vague_themes, dtype=np.int8)[None, :]
    if P.shape[1] == 0:
        return out
    none = out.sum(axis=1) == 0
    ratio = P / np.maximum(thresholds[None, :], 1e-9)
    best = np.argmax(ratio, axis=1)
    best_p = P[np.arange(len(P)), best]
    force = none & ~vague & (best_p >= floor)
    out[np.flatnonzero(force), best[force]] = 1
    return out


def _micro_f1(Y: np.ndarray, pred: np.ndarray) -> float:
    Yb, pb = Y.astype(bool), pred.astype(bool)
    return float(_f1(np.array((Yb & pb).sum()), np.array((~Yb & pb).sum()),
                     np.array((Yb & ~pb).sum())))


def _tune_floor(P: np.ndarray, Y: np.ndarray, thresholds: np.ndarray,
                vague: np.ndarray, vague_themes: np.ndarray) -> float:
    scores = [_micro_f1(Y, decide(P, thresholds, f, vague, vague_themes)) for f in _FLOOR_GRID]
    return float(_FLOOR_GRID[int(np.argmax(scores))])
