"""The exact-set calibrator: honest probabilities, a cut that keeps its promise, plain arrays."""

from __future__ import annotations

import io

import numpy as np
import pytest

from themecoder.suggest.calibration import (
    ExactSetCalibrator,
    exactly_right,
    expected_accuracy_cut,
)


def synthetic(n: int, seed: int, k: int = 6) -> tuple[np.ndarray, ...]:
    """Labels drawn from known probabilities; a model that reports them distorted.

    The model is overconfident (its log-odds are doubled) and decides at 0.5, so the raw
    product of its probabilities overstates how often its set is exactly right.
    """
    rng = np.random.default_rng(seed)
    truth_p = rng.beta(0.4, 1.6, size=(n, k))
    Y = (rng.random((n, k)) < truth_p).astype(np.int8)
    logit = np.log(truth_p) - np.log1p(-truth_p)
    P = 1 / (1 + np.exp(-2.0 * logit))
    D = (P >= 0.5).astype(np.int8)
    exact_p = np.where(D > 0, truth_p, 1 - truth_p).prod(axis=1)
    return P, D, Y, exact_p


def test_probabilities_match_the_true_chance_of_an_exact_set() -> None:
    P, D, Y, _ = synthetic(6000, seed=1)
    calibrator = ExactSetCalibrator().fit(P, D, Y)
    P2, D2, _Y2, exact_p = synthetic(6000, seed=2)
    q = calibrator.predict(P2, D2)
    order = np.argsort(q)
    for part in np.array_split(order, 10):
        assert abs(q[part].mean() - exact_p[part].mean()) < 0.04
    raw = np.where(D2 > 0, P2, 1 - P2).prod(axis=1)
    # the uncalibrated product is far off; the calibrated probability is close
    assert np.mean((raw - exact_p) ** 2) > 4 * np.mean((q - exact_p) ** 2)


def test_probabilities_rise_with_the_raw_score() -> None:
    P, D, Y, _ = synthetic(3000, seed=3)
    calibrator = ExactSetCalibrator().fit(P, D, Y)
    score = calibrator.raw_score(P, D)
    q = calibrator.predict(P, D)
    order = np.argsort(score)
    assert np.all(np.diff(q[order]) >= -1e-12)
    assert 0.0 <= q.min() and q.max() <= 1.0


@pytest.mark.parametrize("method", ["isotonic", "platt"])
def test_arrays_round_trip_without_pickle(method: str) -> None:
    P, D, Y, _ = synthetic(2000, seed=4)
    calibrator = ExactSetCalibrator(method).fit(P, D, Y)
    buffer = io.BytesIO()
    np.savez(buffer, **calibrator.to_arrays())
    buffer.seek(0)
    with np.load(buffer, allow_pickle=False) as saved:
        arrays = {name: saved[name] for name in saved.files}
    assert all(a.dtype.kind == "f" for a in arrays.values())
    again = ExactSetCalibrator.from_arrays(arrays)
    np.testing.assert_allclose(again.predict(P, D), calibrator.predict(P, D))
    assert again.n_examples_ == 2000 and again.method == method


def test_bad_arrays_are_refused() -> None:
    P, D, Y, _ = synthetic(500, seed=5)
    arrays = ExactSetCalibrator().fit(P, D, Y).to_arrays()
    with pytest.raises(ValueError, match="missing"):
        ExactSetCalibrator.from_arrays({k: v for k, v in arrays.items()
                                        if not k.endswith("score_y")})
    bad = dict(arrays)
    bad["calibration_settings"] = bad["calibration_settings"].copy()
    bad["calibration_settings"][0] = 99
    with pytest.raises(ValueError, match="format"):
        ExactSetCalibrator.from_arrays(bad)
    bad = dict(arrays)
    bad["calibration_score_x"] = bad["calibration_score_x"][::-1].copy()
    with pytest.raises(ValueError, match="isotonic"):
        ExactSetCalibrator.from_arrays(bad)
    bad = dict(arrays)
    bad["calibration_label_slope"] = np.full_like(bad["calibration_label_slope"], np.nan)
    with pytest.raises(ValueError, match="non-finite"):
        ExactSetCalibrator.from_arrays(bad)


def test_not_assigned_is_one_more_column() -> None:
    # two themes plus a Not-assigned column: a set is right only if every column is
    D = np.array([[1, 0, 0], [0, 0, 1], [0, 1, 0]])
    Y = np.array([[1, 0, 0], [0, 0, 1], [0, 1, 1]])
    assert exactly_right(D, Y).tolist() == [True, True, False]


def test_recalibration_needs_enough_decisions_and_fixes_a_shifted_model() -> None:
    P, D, Y, _ = synthetic(3000, seed=6)
    calibrator = ExactSetCalibrator().fit(P, D, Y)
    with pytest.raises(ValueError, match="at least 200"):
        calibrator.recalibrated(P[:50], D[:50], Y[:50])
    # this year the labels are noisier: the same model is right less often
    rng = np.random.default_rng(7)
    P2, D2, Y2, _ = synthetic(3000, seed=8)
    flip = rng.random(Y2.shape) < 0.05
    Y2 = np.where(flip, 1 - Y2, Y2)
    before = calibrator.predict(P2, D2).mean()
    after = calibrator.recalibrated(P2[:1500], D2[:1500], Y2[:1500]).predict(P2[1500:],
                                                                            D2[1500:])
    actual = exactly_right(D2[1500:], Y2[1500:]).mean()
    assert before > actual + 0.05
    assert abs(after.mean() - actual) < 0.03
    refit = calibrator.recalibrated(P2[:1500], D2[:1500], Y2[:1500], how="refit")
    assert abs(refit.predict(P2[1500:], D2[1500:]).mean() - actual) < 0.03
    # the correction travels with the arrays
    corrected = calibrator.recalibrated(P2[:1500], D2[:1500], Y2[:1500])
    assert corrected.correction != (1.0, 0.0)
    again = ExactSetCalibrator.from_arrays(corrected.to_arrays())
    np.testing.assert_allclose(again.predict(P2, D2), corrected.predict(P2, D2))


def dependent_labels(n: int, seed: int) -> tuple[np.ndarray, ...]:
    """A model whose labels are not independent: a second theme it gives is right far less
    often than its probability says (people rarely code two themes), and a Not-assigned
    decision (the last column) far more often."""
    rng = np.random.default_rng(seed)
    k = 4
    D = np.zeros((n, k + 1), dtype=np.int8)
    kind = rng.integers(0, 3, size=n)  # 0 Not assigned, 1 one theme, 2 two themes
    for i in range(n):
        if kind[i] == 0:
            D[i, k] = 1
        else:
            D[i, rng.choice(k, size=kind[i], replace=False)] = 1
    P = np.where(D > 0, rng.uniform(0.75, 0.99, size=D.shape),
                 rng.uniform(0.01, 0.2, size=D.shape))
    log_p = np.where(D > 0, np.log(P), np.log1p(-P)).sum(axis=1)
    chance = np.clip(np.exp(log_p) * np.array([1.4, 1.0, 0.6])[kind], 0, 1)
    right = rng.random(n) < chance
    Y = D.copy()
    wrong = np.flatnonzero(~right)
    Y[wrong, rng.integers(0, k + 1, size=len(wrong))] ^= 1
    return P, D, Y, chance, kind


def test_each_kind_of_decision_gets_its_own_offset() -> None:
    P, D, Y, _chance, _kind = dependent_labels(8000, seed=11)
    aware = ExactSetCalibrator().fit(P, D, Y, not_assigned=True)
    plain = ExactSetCalibrator(count_aware=False).fit(P, D, Y, not_assigned=True)
    offsets = aware.set_coef_[1:]
    assert offsets[0] > offsets[1] > offsets[2]  # Not assigned, one theme, two themes
    np.testing.assert_array_equal(plain.set_coef_, [1.0, 0.0, 0.0, 0.0])
    P2, D2, _Y2, chance, kind = dependent_labels(8000, seed=12)
    assert aware.kinds(D2).tolist() == kind.tolist()
    q_aware, q_plain = aware.predict(P2, D2), plain.predict(P2, D2)
    # per kind, the count-aware probability is close to the true chance; the plain one is not
    for k in range(3):
        part = kind == k
        assert abs(q_aware[part].mean() - chance[part].mean()) < 0.03
    assert max(abs(q_plain[kind == k].mean() - chance[kind == k].mean())
               for k in range(3)) > 0.05
    again = ExactSetCalibrator.from_arrays(aware.to_arrays())
    np.testing.assert_allclose(again.predict(P2, D2), q_aware)
    assert again.not_assigned_column_ and again.count_aware


def test_arrays_of_the_first_format_still_load() -> None:
    P, D, Y, _ = synthetic(2000, seed=13)
    first = ExactSetCalibrator(count_aware=False).fit(P, D, Y)
    arrays = first.to_arrays()
    del arrays["calibration_set_coef"]
    arrays["calibration_settings"] = np.concatenate([[1.0], arrays["calibration_settings"][1:8]])
    old = ExactSetCalibrator.from_arrays(arrays)
    np.testing.assert_allclose(old.predict(P, D), first.predict(P, D))
    np.testing.assert_allclose(old.raw_score(P, D), old.log_probability(P, D))


def test_the_cut_takes_the_largest_set_that_keeps_the_target() -> None:
    q = np.array([0.5, 0.99, 0.95, 0.9, 0.8, 0.7])
    chosen, expected = expected_accuracy_cut(q, 0.9)
    # 0.99, 0.95, 0.9, 0.8 average 0.91; adding 0.7 gives 0.868
    assert sorted(q[chosen].tolist()) == [0.8, 0.9, 0.95, 0.99]
    assert expected == pytest.approx(0.91)
    assert expected_accuracy_cut(q, 0.995)[0].size == 0
    chosen, expected = expected_accuracy_cut(q, 0.5)
    assert len(chosen) == 6


def test_the_cut_breaks_ties_by_the_raw_score() -> None:
    q = np.array([0.9, 0.9, 0.9, 0.6])
    chosen, _ = expected_accuracy_cut(q, 0.8, tie_break=np.array([-3.0, -1.0, -2.0, 0.0]))
    assert chosen.tolist() == [1, 2, 0, 3][:len(chosen)]


@pytest.mark.parametrize("target", [0.0, 1.0, -0.5, 1.5])
def test_the_cut_refuses_a_target_outside_0_1(target: float) -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        expected_accuracy_cut(np.array([0.9]), target)


def test_a_trained_model_carries_its_calibration_in_its_files(tmp_path) -> None:
    from autocode_setup import CODEBOOKS, prior_year

    from themecoder.codebook import load_codebook
    from themecoder.suggest.model import (
        ThemeClassifier,
        load_model,
        save_model,
        training_metadata,
    )

    codebook = load_codebook(CODEBOOKS / "poet_holders.yaml")
    texts, questions, Y = prior_year(codebook, "holder")
    model = ThemeClassifier().fit(texts, questions, Y, codebook.theme_ids)
    # one label per theme and one for Not assigned (the sample prior year has such answers)
    assert model.has_not_assigned_
    assert model.calibrator_.n_labels == len(codebook.themes) + 1
    assert model.calibrator_.n_examples_ == len(texts)
    save_model(model, tmp_path / "m", training_metadata(codebook, texts, questions, Y))
    loaded = load_model(tmp_path / "m", codebook=codebook)
    P, D = loaded.classifier.label_outputs(texts[:40], questions[:40])
    themes, proba = loaded.classifier.predict_with_proba(texts[:40], questions[:40])
    k = len(codebook.themes)
    np.testing.assert_array_equal(D[:, :k], themes)
    np.testing.assert_allclose(P[:, :k], proba)
    # the Not-assigned label is on exactly where no theme is
    np.testing.assert_array_equal(D[:, k], themes.sum(axis=1) == 0)
    truth = loaded.classifier.label_truth(Y[:40])
    np.testing.assert_array_equal(truth[:, k], Y[:40].sum(axis=1) == 0)
    np.testing.assert_allclose(loaded.classifier.calibrator_.predict(P, D),
                               model.calibrator_.predict(P, D))
    # a model file written before calibration was part of the fit still loads, without one
    model.calibrator_ = None
    save_model(model, tmp_path / "old", training_metadata(codebook, texts, questions, Y))
    state, arrays = model._state()
    assert not any(name.startswith("calibration_") for name in arrays)
    assert load_model(tmp_path / "old", codebook=codebook).classifier.calibrator_ is None
