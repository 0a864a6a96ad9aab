"""How likely a model's whole decision for an answer is exactly right.

A multi-label model decides, per answer, a set of themes (or Not assigned). For coding
answers automatically what matters is not each theme's probability but the probability that
the *whole set* is exactly what a person would have coded: every theme right, none missing,
none extra. :class:`ExactSetCalibrator` estimates it.

It is fitted on out-of-fold predictions — per-label probabilities, the decided 0/1 set and
the true 0/1 set of answers the predicting model did not train on (Not assigned, when a model
decides it as a label of its own, is one more column) — in two steps:

1. **Per label**, a logistic map of the log-odds of each label's probability (Platt scaling,
   lightly regularised), so that a probability inflated by class weighting or a label seen
   rarely becomes an honest probability of that label. Labels with too few positive or
   negative examples keep their probability as it is.
2. **The whole set**: the log of the product over labels of ``q`` where the label is decided
   on and ``1 - q`` where it is off (what the probability of the set would be if the labels
   were independent). They are not: an answer given two themes is less often exactly right
   than that product says, one left Not assigned more often. So the set's score is a
   logistic regression on that log-probability with an offset per *kind* of decision (Not
   assigned or no theme, one theme, two or more), fitted on the same predictions
   (``count_aware=False``: the log-probability alone).
3. The score is mapped to the observed share of exactly right sets by isotonic regression
   (monotone: a higher score never gets a lower probability) or, with ``method="platt"``,
   by a logistic curve.

Everything fitted is a handful of plain arrays (:meth:`ExactSetCalibrator.to_arrays` /
:meth:`ExactSetCalibrator.from_arrays`), so a model file can carry it without pickle.
:meth:`ExactSetCalibrator.recalibrated` corrects the probabilities on newer decisions (this
year's human coding) once there are enough of them: by default with a logistic curve on the
log-odds of the probability (two numbers, steady on a few hundred decisions), or by fitting
the isotonic map again (which needs thousands).
"""

from __future__ import annotations

from typing import Any

import numpy as np

METHODS = ("isotonic", "platt")
"""How the raw score becomes a probability: isotonic regression or a logistic curve."""

FORMAT_VERSION = 2
"""Version of the array layout written by :meth:`ExactSetCalibrator.to_arrays` (version 1,
without the count-aware set score, is still read)."""

KINDS = 3
"""Kinds of decision the set score tells apart: no theme (Not assigned), one, two or more."""

MIN_RECALIBRATION = 200
"""Fewest decisions :meth:`ExactSetCalibrator.recalibrated` accepts."""

RECALIBRATIONS = ("logistic", "refit")
"""How :meth:`ExactSetCalibrator.recalibrated` corrects a calibrator on newer decisions."""

_EPS = 1e-6


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=np.float64), _EPS, 1 - _EPS)
    return np.log(p) - np.log1p(-p)


def _expit(z: np.ndarray) -> np.ndarray:
    from scipy.special import expit

    return expit(z)


def exactly_right(decided: Any, truth: Any) -> np.ndarray:
    """(n,) bool: whether each decided 0/1 row equals the true row in every column."""
    d = np.asarray(decided) > 0
    y = np.asarray(truth) > 0
    if d.shape != y.shape or d.ndim != 2:
        raise ValueError(f"decided {d.shape} and truth {y.shape} must be the same (n, k) shape")
    return np.all(d == y, axis=1)


def _check(P: Any, decided: Any) -> tuple[np.ndarray, np.ndarray]:
    P = np.asarray(P, dtype=np.float64)
    D = np.asarray(decided) > 0
    if P.ndim != 2 or P.shape != D.shape:
        raise ValueError(f"probabilities {P.shape} and decisions {D.shape} must be the same "
                         "(n, k) shape")
    return P, D


def _fit_logistic(x: np.ndarray, y: np.ndarray, C: float,
                  iterations: int = 100) -> tuple[float, float]:
    """Slope and intercept of a one-feature logistic regression (L2 penalty ``1/(2C)`` on
    the slope, as scikit-learn's), by Newton's method: two parameters need no solver."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    rate = min(max(y.mean(), 1e-3), 1 - 1e-3)
    w = np.array([0.0, np.log(rate / (1 - rate))])  # slope, intercept
    penalty = np.array([1.0 / C, 0.0])
    X = np.column_stack([x, np.ones_like(x)])
    for _ in range(iterations):
        p = _expit(X @ w)
        grad = X.T @ (p - y) + penalty * w
        hess = (X * (p * (1 - p))[:, None]).T @ X + np.diag(penalty) + 1e-9 * np.eye(2)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.max(np.abs(step)) < 1e-10:
            break
    return float(w[0]), float(w[1])


class ExactSetCalibrator:
    """P(a model's whole set of labels for an answer is exactly right), calibrated.

    Args:
        method: ``"isotonic"`` or ``"platt"``: how the raw score of a set becomes a
            probability (see the module docstring).
        per_label: Calibrate each label's probability before combining them.
        min_examples: A label needs at least this many positive *and* negative examples
            for its own map; otherwise its probability is used as it is.
        C: Inverse regularisation of the logistic maps.
        count_aware: Give each kind of decision (no theme, one, two or more) its own offset
            in the set's score (see the module docstring).

    Fitted attributes:
        label_slope_, label_intercept_: (k,) per-label maps ``q = expit(a·logit(p) + b)``.
        not_assigned_column_: whether the last label is Not assigned (not a theme).
        set_coef_: (1 + :data:`KINDS`,) the set's score: the slope of the log-probability,
            then the offset of each kind of decision (``(1, 0, 0, 0)``: the log-probability).
        score_x_, score_y_: the isotonic map as breakpoints (raw score → probability), or
            for ``platt`` the two coefficients in ``score_x_`` and nothing in ``score_y_``.
        n_examples_: answers the map was fitted on; ``base_rate_``: their share exactly right.
    """

    def __init__(self, method: str = "isotonic", *, per_label: bool = True,
                 min_examples: int = 5, C: float = 1.0, count_aware: bool = True) -> None:
        self.method = method
        self.per_label = per_label
        self.min_examples = min_examples
        self.C = C
        self.count_aware = count_aware

    def __repr__(self) -> str:
        return f"ExactSetCalibrator(method={self.method!r}, per_label={self.per_label})"

    # ------------------------------------------------------------------ fitting

    def fit(self, P: Any, decided: Any, truth: Any, *,
            not_assigned: bool = False) -> ExactSetCalibrator:
        """Fit on out-of-fold predictions.

        Args:
            P: (n, k) per-label probabilities of answers the model did not train on.
            decided: (n, k) 0/1: the labels the model decided for them.
            truth: (n, k) 0/1: the labels people coded.
            not_assigned: the last label is Not assigned rather than a theme.

        Returns:
            self
        """
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, not {self.method!r}")
        P, D = _check(P, decided)
        Y = np.asarray(truth) > 0
        right = exactly_right(D, Y)
        if len(right) == 0:
            raise ValueError("no examples to calibrate on")
        k = P.shape[1]
        self.not_assigned_column_ = bool(not_assigned)
        self.set_coef_ = np.array([1.0] + [0.0] * KINDS)
        self.label_slope_ = np.ones(k)
        self.label_intercept_ = np.zeros(k)
        if self.per_label:
            for j in range(k):
                positives = int(Y[:, j].sum())
                if min(positives, len(Y) - positives) < self.min_examples:
                    continue
                self.label_slope_[j], self.label_intercept_[j] = _fit_logistic(
                    _logit(P[:, j]), Y[:, j], self.C)
        if self.count_aware and 0 < right.sum() < len(right):
            self.set_coef_ = self._fit_set_score(self.log_probability(P, D), self.kinds(D),
                                                 right)
        self._fit_score_map(self.raw_score(P, D), right)
        return self

    def _fit_set_score(self, log_probability: np.ndarray, kinds: np.ndarray,
                       right: np.ndarray) -> np.ndarray:
        """Slope and per-kind offsets of a logistic regression of exactly-right on the
        log-probability and the kind of decision; a kind not seen gets the mean offset."""
        from sklearn.linear_model import LogisticRegression

        X = np.column_stack([log_probability, np.eye(KINDS)[kinds]])
        model = LogisticRegression(C=self.C, fit_intercept=False, max_iter=2000)
        coef = model.fit(X, right.astype(int)).coef_[0].astype(np.float64)
        seen = np.bincount(kinds, minlength=KINDS) > 0
        offsets = coef[1:]
        offsets[~seen] = offsets[seen].mean()
        # a higher log-probability never makes a set less likely to be right
        return np.concatenate([[max(coef[0], 1e-3)], offsets])

    def _fit_score_map(self, score: np.ndarray, right: np.ndarray) -> None:
        self.n_examples_ = int(len(right))
        self.base_rate_ = float(right.mean())
        if right.all() or not right.any():
            # nothing to separate: every answer gets the observed share
            self.score_x_ = np.array([0.0])
            self.score_y_ = np.array([self.base_rate_])
            self.fitted_method_ = "isotonic"
            return
        if self.method == "platt":
            slope, intercept = _fit_logistic(score, right, self.C)
            self.score_x_ = np.array([max(slope, 0.0), intercept])
            self.score_y_ = np.zeros(0)
        else:
            from sklearn.isotonic import IsotonicRegression

            iso = IsotonicRegression(y_min=0.0, y_max=1.0, increasing=True,
                                     out_of_bounds="clip").fit(score, right.astype(float))
            self.score_x_ = np.asarray(iso.X_thresholds_, dtype=np.float64)
            self.score_y_ = np.asarray(iso.y_thresholds_, dtype=np.float64)
        self.fitted_method_ = self.method

    def recalibrated(self, P: Any, decided: Any, truth: Any, *,
                     min_examples: int = MIN_RECALIBRATION,
                     how: str = "logistic") -> ExactSetCalibrator:
        """A copy corrected on newer decisions (e.g. this year's, coded by people).

        The per-label maps are kept (they need many examples of every label). With
        ``how="logistic"`` the probabilities are corrected by a logistic curve on their
        log-odds, ``q' = expit(a·logit(q) + b)``, fitted on the new decisions: two numbers,
        so a few hundred decisions are enough to correct a model that is over- or
        under-confident on them. ``how="refit"`` fits the map from raw score to probability
        again on the new decisions alone (it needs many more).

        Raises:
            ValueError: fewer than ``min_examples`` decisions, or an unknown ``how``.
        """
        self._check_fitted()
        if how not in RECALIBRATIONS:
            raise ValueError(f"how must be one of {RECALIBRATIONS}, not {how!r}")
        P, D = _check(P, decided)
        if len(P) < min_examples:
            raise ValueError(f"{len(P)} decisions to recalibrate on; at least {min_examples} "
                             "are needed")
        right = exactly_right(D, truth)
        other = ExactSetCalibrator(self.method, per_label=self.per_label,
                                   min_examples=self.min_examples, C=self.C,
                                   count_aware=self.count_aware)
        other.label_slope_ = self.label_slope_.copy()
        other.label_intercept_ = self.label_intercept_.copy()
        other.set_coef_ = self.set_coef_.copy()
        other.not_assigned_column_ = self.not_assigned_column_
        if how == "refit":
            other._fit_score_map(other.raw_score(P, D), right)
            return other
        for name in ("score_x_", "score_y_", "fitted_method_", "n_examples_", "base_rate_"):
            setattr(other, name, getattr(self, name))
        other.correction_ = np.array([1.0, 0.0])
        if right.all() or not right.any():
            other.correction_ = np.array([0.0, float(_logit(np.array([right.mean()]))[0])])
        else:
            base = np.clip(self._base_map(self.raw_score(P, D)), 1e-4, 1 - 1e-4)
            other.correction_ = np.array(_fit_logistic(_logit(base), right, C=1e6))
        return other

    # ------------------------------------------------------------------ using

    def _check_fitted(self) -> None:
        if not hasattr(self, "score_x_"):
            raise ValueError("the calibrator is not fitted yet")

    @property
    def n_labels(self) -> int:
        """How many label columns the calibrator expects."""
        self._check_fitted()
        return len(self.label_slope_)

    def label_probabilities(self, P: Any) -> np.ndarray:
        """Each label's calibrated probability, (n, k)."""
        if not hasattr(self, "label_slope_"):
            raise ValueError("the calibrator is not fitted yet")
        P = np.asarray(P, dtype=np.float64)
        if P.ndim != 2 or P.shape[1] != len(self.label_slope_):
            raise ValueError(f"expected (n, {len(self.label_slope_)}) probabilities, "
                             f"not {P.shape}")
        return _expit(_logit(P) * self.label_slope_ + self.label_intercept_)

    def log_probability(self, P: Any, decided: Any) -> np.ndarray:
        """Log of the product over labels of ``q`` (decided on) or ``1 - q`` (off), (n,)."""
        P, D = _check(P, decided)
        Q = np.clip(self.label_probabilities(P), _EPS, 1 - _EPS)
        return np.where(D, np.log(Q), np.log1p(-Q)).sum(axis=1)

    def kinds(self, decided: Any) -> np.ndarray:
        """(n,) kind of each decision: 0 no theme (Not assigned), 1 one theme, 2 more."""
        D = np.asarray(decided) > 0
        themes = D[:, :-1] if getattr(self, "not_assigned_column_", False) else D
        return np.minimum(themes.sum(axis=1), KINDS - 1).astype(int)

    def raw_score(self, P: Any, decided: Any) -> np.ndarray:
        """The set's score that the map turns into a probability, (n,): the slope times
        :meth:`log_probability` plus the offset of the decision's kind."""
        coef = getattr(self, "set_coef_", None)
        log_probability = self.log_probability(P, decided)
        if coef is None:
            return log_probability
        return coef[0] * log_probability + coef[1:][self.kinds(decided)]

    def predict(self, P: Any, decided: Any) -> np.ndarray:
        """P(the decided set is exactly right) per answer, (n,) in [0, 1]."""
        self._check_fitted()
        return self.map_score(self.raw_score(P, decided))

    def map_score(self, score: Any) -> np.ndarray:
        """Raw scores (:meth:`raw_score`) to probabilities."""
        q = self._base_map(score)
        slope, intercept = self.correction
        if slope == 1.0 and intercept == 0.0:
            return q
        return _expit(slope * _logit(np.clip(q, 1e-4, 1 - 1e-4)) + intercept)

    def _base_map(self, score: Any) -> np.ndarray:
        """Raw scores to probabilities by the fitted map, before any correction."""
        self._check_fitted()
        score = np.asarray(score, dtype=np.float64)
        if self.fitted_method_ == "platt":
            slope, intercept = self.score_x_
            return _expit(slope * score + intercept)
        if len(self.score_x_) == 1:
            return np.full(score.shape, float(self.score_y_[0]))
        return np.interp(score, self.score_x_, self.score_y_)

    @property
    def correction(self) -> tuple[float, float]:
        """``(a, b)`` of the correction ``expit(a·logit(q) + b)`` from
        :meth:`recalibrated` (``(1, 0)``: none)."""
        correction = getattr(self, "correction_", None)
        if correction is None:
            return 1.0, 0.0
        return float(correction[0]), float(correction[1])

    # ------------------------------------------------------------------ persistence

    def to_arrays(self, prefix: str = "calibration_") -> dict[str, np.ndarray]:
        """The fitted calibrator as plain numeric arrays (for an ``.npz``, no pickle)."""
        self._check_fitted()
        settings = np.array([FORMAT_VERSION, METHODS.index(self.fitted_method_),
                             METHODS.index(self.method), int(self.per_label),
                             self.min_examples, self.C, self.n_examples_, self.base_rate_,
                             int(self.count_aware), int(self.not_assigned_column_)],
                            dtype=np.float64)
        return {f"{prefix}settings": settings,
                f"{prefix}set_coef": np.asarray(self.set_coef_, dtype=np.float64),
                f"{prefix}correction": np.array(self.correction, dtype=np.float64),
                f"{prefix}label_slope": np.asarray(self.label_slope_, dtype=np.float64),
                f"{prefix}label_intercept": np.asarray(self.label_intercept_, dtype=np.float64),
                f"{prefix}score_x": np.asarray(self.score_x_, dtype=np.float64),
                f"{prefix}score_y": np.asarray(self.score_y_, dtype=np.float64)}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray],
                    prefix: str = "calibration_") -> ExactSetCalibrator:
        """Rebuild a calibrator written by :meth:`to_arrays`.

        Arrays of format version 1 (before the count-aware set score) give a calibrator
        that scores a set by its log-probability alone, as it did.

        Raises:
            ValueError: the arrays are missing, of another format version, or inconsistent.
        """
        try:
            settings = np.asarray(arrays[f"{prefix}settings"], dtype=np.float64)
            slope = np.asarray(arrays[f"{prefix}label_slope"], dtype=np.float64)
            intercept = np.asarray(arrays[f"{prefix}label_intercept"], dtype=np.float64)
            score_x = np.asarray(arrays[f"{prefix}score_x"], dtype=np.float64)
            score_y = np.asarray(arrays[f"{prefix}score_y"], dtype=np.float64)
            correction = np.asarray(arrays.get(f"{prefix}correction", (1.0, 0.0)),
                                    dtype=np.float64)
        except KeyError as exc:
            raise ValueError(f"calibration array {exc} is missing") from None
        version = int(settings[0]) if settings.ndim == 1 and len(settings) else -1
        if (version, settings.shape) not in ((1, (8,)), (FORMAT_VERSION, (10,))):
            raise ValueError("calibration arrays of an unknown format")
        set_coef = np.array([1.0] + [0.0] * KINDS)
        if version == FORMAT_VERSION:
            if f"{prefix}set_coef" not in arrays:
                raise ValueError(f"calibration array '{prefix}set_coef' is missing")
            set_coef = np.asarray(arrays[f"{prefix}set_coef"], dtype=np.float64)
            if set_coef.shape != (1 + KINDS,):
                raise ValueError("bad set score of the calibration")
        fitted, method = int(settings[1]), int(settings[2])
        if not (0 <= fitted < len(METHODS) and 0 <= method < len(METHODS)):
            raise ValueError("unknown calibration method")
        if slope.ndim != 1 or intercept.shape != slope.shape:
            raise ValueError("per-label calibration arrays do not match")
        if METHODS[fitted] == "platt":
            if score_x.shape != (2,):
                raise ValueError("bad logistic calibration map")
        elif score_x.ndim != 1 or score_x.shape != score_y.shape or len(score_x) == 0 \
                or np.any(np.diff(score_x) < 0):
            raise ValueError("bad isotonic calibration map")
        if correction.shape != (2,):
            raise ValueError("bad calibration correction")
        if not (np.all(np.isfinite(slope)) and np.all(np.isfinite(intercept))
                and np.all(np.isfinite(score_x)) and np.all(np.isfinite(score_y))
                and np.all(np.isfinite(correction)) and np.all(np.isfinite(set_coef))):
            raise ValueError("calibration arrays hold non-finite numbers")
        count_aware = bool(settings[8]) if version == FORMAT_VERSION else False
        out = cls(METHODS[method], per_label=bool(settings[3]),
                  min_examples=int(settings[4]), C=float(settings[5]), count_aware=count_aware)
        out.not_assigned_column_ = bool(settings[9]) if version == FORMAT_VERSION else False
        out.set_coef_ = set_coef
        out.fitted_method_ = METHODS[fitted]
        out.label_slope_, out.label_intercept_ = slope, intercept
        out.score_x_, out.score_y_ = score_x, score_y
        out.n_examples_, out.base_rate_ = int(settings[6]), float(settings[7])
        out.correction_ = correction
        return out


def expected_accuracy_cut(probabilities: Any, target: float,
                          tie_break: Any = None) -> tuple[np.ndarray, float]:
    """The largest set of answers whose expected exact-set accuracy reaches ``target``.

    Answers are taken in order of decreasing probability (ties broken by ``tie_break``,
    larger first, e.g. the raw score); the set grows while the mean probability of the
    answers in it stays at or above ``target``. The mean of a prefix of a decreasing
    sequence only falls as it grows, so the first prefix that falls below ends the search.

    Args:
        probabilities: (n,) calibrated P(exactly right).
        target: the accuracy to reach, 0 < target < 1.
        tie_break: (n,) secondary key, or ``None``.

    Returns:
        (indices of the chosen answers, best first; their expected accuracy — the mean
        probability — or ``nan`` when none is chosen)
    """
    q = np.asarray(probabilities, dtype=np.float64)
    if q.ndim != 1:
        raise ValueError("probabilities must be one-dimensional")
    if not 0 < target < 1:
        raise ValueError(f"the target accuracy must be between 0 and 1, not {target}")
    secondary = np.zeros_like(q) if tie_break is None else np.asarray(tie_break, dtype=float)
    order = np.lexsort((-secondary, -q))
    if len(order) == 0:
        return order, float("nan")
    running = np.cumsum(q[order]) / np.arange(1, len(order) + 1)
    # tiny tolerance: a mean equal to the target in exact arithmetic must not be lost to
    # rounding in the running sum
    ok = running >= target - 1e-12
    m = len(order) if ok.all() else int(np.argmin(ok))
    chosen = order[:m]
    return chosen, (float(running[m - 1]) if m else float("nan"))


__all__ = ["KINDS", "METHODS", "MIN_RECALIBRATION", "RECALIBRATIONS", "ExactSetCalibrator",
           "exactly_right", "expected_accuracy_cut"]
