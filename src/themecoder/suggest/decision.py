"""The classifier's heads and decision rule: logistic regressions, thresholds, decisions.

The classifier has one head per theme and one for *Not assigned* (an answer the training data
left without a theme). :func:`decide` turns their probabilities into what an answer gets:

1. *Not assigned* when its probability reaches its threshold and, relative to that threshold,
   is at least ``margin`` times the best theme's probability relative to that theme's
   threshold (``p_na / t_na >= margin * max_j p_j / t_j``);
2. otherwise every theme whose probability reaches its threshold, and at least the most likely
   one (relative to its threshold).

When the training data codes every answer, there is no Not-assigned head (``na_threshold`` is
``None``) and every answer gets at least one theme.

Every threshold and the margin are tuned on out-of-fold probabilities of the training data
only (:func:`tune_thresholds`, :func:`tune_rule`): nothing here ever sees the answers a model
is later asked about.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np


def _expit(z: np.ndarray) -> np.ndarray:
    from scipy.special import expit

    return expit(z)


def _fit_heads(X: Any, Y: np.ndarray, C: float, class_weight: str | None,
               random_state: int | None, step: Callable[[], None],
               sample_weight: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """One logistic regression per column of ``Y``; dense coefficients (k, d) and intercepts."""
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
            # liblinear's dual solver suits many sparse features; lbfgs a few dense ones
            # (sentence embeddings), where it is several times faster.
            sparse_input = hasattr(X, "tocsr")
            clf = LogisticRegression(C=C, class_weight=class_weight,
                                     solver="liblinear" if sparse_input else "lbfgs",
                                     dual=sparse_input, max_iter=1000,
                                     random_state=random_state)
            clf.fit(X, y, sample_weight=sample_weight)
            W[j] = clf.coef_[0]
            b[j] = clf.intercept_[0]
        step()
    return W, b


# --------------------------------------------------------------------------- thresholds

_GRID = np.round(np.arange(0.05, 0.951, 0.01), 2)
_NA_GRID = np.round(np.arange(0.05, 0.951, 0.025), 3)
_MARGIN_GRID = (0.0, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0, 6.0)
_SCALE_GRID = (0.8, 0.9, 1.0, 1.1, 1.2, 1.35, 1.5)


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


@dataclass(frozen=True)
class DecisionRule:
    """How probabilities become a decision (see the module docstring).

    Attributes:
        thresholds: (k,) per-theme thresholds.
        na_threshold: Threshold of the Not-assigned head, or ``None`` when the training
            data gave every answer a theme (then no answer is left unassigned).
        na_margin: How far Not assigned must lead the best theme, each relative to its
            threshold.
    """

    thresholds: np.ndarray
    na_threshold: float | None = None
    na_margin: float = 1.0


def decide(P: np.ndarray, rule: DecisionRule, p_na: np.ndarray | None = None
           ) -> tuple[np.ndarray, np.ndarray]:
    """Themes (an (n, k) 0/1 int array) and the Not-assigned decision ((n,) bool).

    Args:
        P: (n, k) theme probabilities.
        rule: Thresholds and the Not-assigned rule.
        p_na: (n,) probabilities of Not assigned (ignored when the rule has no
            Not-assigned threshold).
    """
    n, k = P.shape
    thresholds = np.maximum(np.asarray(rule.thresholds, dtype=float), 1e-9)
    out = (P >= thresholds[None, :]).astype(np.int8)
    na = np.zeros(n, dtype=bool)
    if k == 0:
        return out, ~out.any(axis=1) if n else na
    ratio = P / thresholds[None, :]
    best = np.argmax(ratio, axis=1)
    best_ratio = ratio[np.arange(n), best]
    if rule.na_threshold is not None and p_na is not None:
        t_na = max(float(rule.na_threshold), 1e-9)
        p_na = np.asarray(p_na, dtype=float)
        na = (p_na >= t_na) & (p_na / t_na >= rule.na_margin * best_ratio)
        out[na] = 0
    none = ~na & (out.sum(axis=1) == 0)
    out[np.flatnonzero(none), best[none]] = 1
    return out, na


def _micro_f1_with_na(Y: np.ndarray, y_na: np.ndarray, pred: np.ndarray,
                      na: np.ndarray) -> float:
    Yb, pb = Y.astype(bool), pred.astype(bool)
    tp = (Yb & pb).sum() + (y_na & na).sum()
    fp = (~Yb & pb).sum() + (~y_na & na).sum()
    fn = (Yb & ~pb).sum() + (y_na & ~na).sum()
    return float(_f1(np.array(tp), np.array(fp), np.array(fn)))


def rule_micro_f1(P: np.ndarray, Y: np.ndarray, rule: DecisionRule,
                  p_na: np.ndarray | None) -> float:
    """Micro-F1 over the themes and Not assigned of deciding ``P`` by ``rule`` against the
    true themes ``Y`` (a row of zeros is an answer left Not assigned)."""
    pred, na = decide(P, rule, p_na)
    return _micro_f1_with_na(Y, Y.sum(axis=1) == 0, pred, na)


def _best_na_rule(P: np.ndarray, Y: np.ndarray, p_na: np.ndarray,
                  thresholds: np.ndarray) -> tuple[float, float]:
    """The Not-assigned threshold and margin (from the grids) with the best micro-F1 for
    fixed theme thresholds; the first of equals (lowest threshold, then margin).

    Gives what scoring :func:`decide` on every pair of the grids gives, without deciding
    again for each: leaving an answer unassigned only takes its themes away, so each answer's
    share of the counts either way is worked out once and each pair sums the shares."""
    n = len(P)
    themes, _ = decide(P, DecisionRule(thresholds), None)  # every answer assigned
    Yb, pb = Y.astype(bool), themes.astype(bool)
    y_na = ~Yb.any(axis=1)
    tp_row = (Yb & pb).sum(axis=1)
    fp_row = (~Yb & pb).sum(axis=1)
    fn_row = (Yb & ~pb).sum(axis=1)
    # an answer left unassigned: its themes are missed, Not assigned is right or wrong
    tp_na, fp_na, fn_na = y_na.astype(int), (~y_na).astype(int), Yb.sum(axis=1)
    # kept assigned: its themes' counts, and a missed Not assigned where it was one
    fn_kept = fn_row + y_na
    base = np.array([tp_row.sum(), fp_row.sum(), fn_kept.sum()], dtype=float)
    change = np.stack([tp_na - tp_row, fp_na - fp_row, fn_na - fn_kept], axis=1)  # (n, 3)
    ratio = P / np.maximum(np.asarray(thresholds, dtype=float), 1e-9)[None, :]
    best_ratio = ratio.max(axis=1) if P.shape[1] else np.zeros(n)
    best: tuple[float, float, float] | None = None
    for t in _NA_GRID:
        t_ = max(float(t), 1e-9)
        over = p_na >= t_
        lead = p_na / t_
        for m in _MARGIN_GRID:
            na = over & (lead >= m * best_ratio)
            tp, fp, fn = base + change[na].sum(axis=0)
            denom = 2 * tp + fp + fn
            f1 = 2 * tp / denom if denom > 0 else 0.0
            if best is None or f1 > best[0]:
                best = (f1, float(t), m)
    assert best is not None
    return best[1], best[2]


def tune_rule(P: np.ndarray, Y: np.ndarray, p_na: np.ndarray | None,
              thresholds: np.ndarray) -> DecisionRule:
    """The decision rule that maximises micro-F1 (themes and Not assigned) on out-of-fold data.

    Searches a common scale of the per-theme thresholds (the "at least one theme" rule
    changes where each theme's best threshold lies) and, when the training data has answers
    without a theme, the Not-assigned threshold and margin.

    Args:
        P: (n, k) out-of-fold theme probabilities.
        Y: (n, k) the true themes; a row of zeros is an answer left Not assigned.
        p_na: (n,) out-of-fold Not-assigned probabilities, or ``None`` when every training
            answer has a theme.
        thresholds: (k,) per-theme thresholds from :func:`tune_thresholds`.
    """
    y_na = Y.sum(axis=1) == 0
    learn_na = p_na is not None and bool(y_na.any())

    def best_na(scaled: np.ndarray) -> DecisionRule:
        if not learn_na:
            return DecisionRule(scaled)
        assert p_na is not None
        t_na, margin = _best_na_rule(P, Y, np.asarray(p_na, dtype=float), scaled)
        return DecisionRule(scaled, t_na, margin)

    def best_scale(rule: DecisionRule) -> DecisionRule:
        options = [DecisionRule(np.round(np.clip(thresholds * s, 0.01, 0.99), 4),
                                rule.na_threshold, rule.na_margin) for s in _SCALE_GRID]
        return max(options, key=lambda r: rule_micro_f1(P, Y, r, p_na))

    # Coordinate ascent: the Not-assigned rule, the common scale, the rule again.
    rule = best_na(np.asarray(thresholds, dtype=float))
    rule = best_scale(rule)
    return best_na(rule.thresholds)
