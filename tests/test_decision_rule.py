"""The Not-assigned rule search gives what deciding on every pair of its grids gives."""

from __future__ import annotations

import numpy as np
import pytest

from themecoder.suggest import decision
from themecoder.suggest.decision import DecisionRule, _micro_f1_with_na, decide, tune_rule


def _brute_force(P, Y, p_na, thresholds):
    y_na = Y.sum(axis=1) == 0
    options = [DecisionRule(thresholds, float(t), m)
               for t in decision._NA_GRID for m in decision._MARGIN_GRID]
    best = max(options, key=lambda r: _micro_f1_with_na(Y, y_na, *decide(P, r, p_na)))
    return best.na_threshold, best.na_margin


@pytest.mark.parametrize("seed", range(6))
def test_the_summed_search_equals_deciding_every_pair(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, k = 300, 1 + seed
    Y = (rng.random((n, k)) < 0.2).astype(np.int8)
    P = np.clip(0.4 * Y + 0.6 * rng.random((n, k)), 0, 1)
    p_na = np.clip(0.5 * (Y.sum(axis=1) == 0) + 0.5 * rng.random(n), 0, 1)
    thresholds = np.round(rng.uniform(0.2, 0.7, k), 4)
    assert decision._best_na_rule(P, Y, p_na, thresholds) == _brute_force(P, Y, p_na,
                                                                          thresholds)


def test_the_tuned_rule_beats_or_equals_every_pair_of_the_grids() -> None:
    rng = np.random.default_rng(9)
    Y = (rng.random((200, 4)) < 0.25).astype(np.int8)
    P = np.clip(0.4 * Y + 0.6 * rng.random((200, 4)), 0, 1)
    p_na = rng.random(200)
    rule = tune_rule(P, Y, p_na, np.full(4, 0.5))
    y_na = Y.sum(axis=1) == 0
    tuned = _micro_f1_with_na(Y, y_na, *decide(P, rule, p_na))
    for t in decision._NA_GRID[::5]:
        other = DecisionRule(rule.thresholds, float(t), 1.0)
        assert tuned >= _micro_f1_with_na(Y, y_na, *decide(P, other, p_na)) - 1e-12
