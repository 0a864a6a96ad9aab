"""The theme classifier: a scikit-learn model trained on earlier years' hand coding.

:class:`ThemeClassifier` is a multi-label classifier over an answer's text *and* its
question, because the same words mean different things under "what worked well" and
"what would you change". It follows scikit-learn conventions (``__init__`` stores
parameters, fitted attributes end in ``_``, :meth:`~ThemeClassifier.fit` returns
``self``, randomness through ``random_state``).

Two tiers:

- ``"fast"`` (default): word 1–2-grams + character 2–5-grams + question×word features,
  one logistic regression per theme. Needs nothing beyond the default install.
- ``"accurate"``: the fast model averaged with a logistic regression on sentence
  embeddings (:mod:`themecoder.suggest.embeddings`; needs the ``accurate`` extra); the
  share of each is chosen on the training data's out-of-fold probabilities.

Besides one head per theme there is a head for *Not assigned*, learned from the training
answers that have no theme; the decision rule (:mod:`themecoder.suggest.decision`) leaves an
answer unassigned when that is likely and otherwise gives it at least its most likely theme.
When the training data codes every answer, there is no such head and every answer gets a
theme.

Features are in :mod:`~themecoder.suggest.features`, heads and the decision rule in
:mod:`~themecoder.suggest.decision`, saving and loading in
:mod:`~themecoder.suggest.model_files`. The out-of-fold predictions that tune the thresholds
also fit the model's estimate of how likely its whole set of themes for an answer is exactly
right (:mod:`~themecoder.suggest.calibration`), which automatic coding relies on.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from themecoder.errors import ModelError, ThemecoderError
from themecoder.suggest.calibration import ExactSetCalibrator
from themecoder.suggest.decision import (
    DecisionRule,
    _expit,
    _fit_heads,
    _micro_f1_with_na,
    decide,
    tune_rule,
    tune_thresholds,
)
from themecoder.suggest.embeddings import (
    EMBEDDING_MODEL,
    _embedding_design,
    _missing_embeddings,
    embed,
    embedding_package,
)
from themecoder.suggest.features import (
    FEATURE_BLOCKS,
    VECTORIZER_PARAMS,
    TextFeatures,
    _feature_specs,
    as_texts,
    question_keys,
)
from themecoder.suggest.keyword_blend import tune_keyword_rule

TIERS: tuple[str, ...] = ("fast", "accurate")

_TIER_DEFAULTS: dict[str, dict[str, Any]] = {
    "fast": {"C": 4.0},
    "accurate": {"C": 4.0},
}

Progress = Callable[[int, int], None]


class TrainingCancelled(ThemecoderError):
    """Training stopped because its cancel event was set."""


def _check_cancel(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise TrainingCancelled("training was cancelled")


_EMBEDDING_WEIGHTS = (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7)


@dataclass
class Prediction:
    """What the classifier decides for each answer, with the probabilities behind it.

    Attributes:
        themes: (n, k) 0/1 int array of the themes each answer gets.
        not_assigned: (n,) bool: the answer is left Not assigned (its themes are all 0).
        proba: (n, k) theme probabilities.
        not_assigned_proba: (n,) probability of Not assigned (zeros when the model has no
            Not-assigned head).
    """

    themes: np.ndarray
    not_assigned: np.ndarray
    proba: np.ndarray
    not_assigned_proba: np.ndarray


def _cross_fitted_decisions(P: np.ndarray, Y: np.ndarray, has_na: bool, folds: Any,
                            shrinkage: float) -> np.ndarray:
    """(n, heads) 0/1 decisions of out-of-fold probabilities ``P`` (themes, then Not assigned
    when ``has_na``), each fold's by a rule tuned on the other folds alone."""
    k = Y.shape[1]
    D = np.zeros(P.shape, dtype=np.int8)
    for train, test in folds:
        p_na = P[train, k] if has_na else None
        thresholds, _ = tune_thresholds(P[train, :k], Y[train], shrinkage)
        rule = tune_rule(P[train, :k], Y[train], p_na, thresholds)
        themes, na = decide(P[test, :k], rule, P[test, k] if has_na else None)
        D[test, :k] = themes
        if has_na:
            D[test, k] = na
    return D


class ThemeClassifier:
    """Multi-label theme classifier over answer text and question, with a Not-assigned head.

    Args:
        tier: ``"fast"`` (TF-IDF only) or ``"accurate"`` (TF-IDF averaged with sentence
            embeddings; needs the ``accurate`` extra).
        C: Inverse regularisation of each head's logistic regression (``None``: the
            tier's default).
        class_weight: Passed to each logistic regression (``"balanced"`` or ``None``).
        word_ngrams: Word n-gram range.
        char_ngrams: Character n-gram range (within word boundaries), or ``None``.
        use_question: Add question×word features and a question indicator.
        question_weight: Weight of the question×word block relative to the others.
        use_shape: Add the answer-shape block (no content word, length band; see
            :mod:`themecoder.suggest.features`).
        embedding_weight: Share of the embedding model in the averaged probability
            (``None``: chosen on the out-of-fold probabilities; only the accurate tier).
        cv: Folds of the internal cross-validation that tunes thresholds and the rule.
        shrinkage: Pseudo-count pulling each theme's threshold toward the global one.
        random_state: Seed of the cross-validation split and the solvers.

    Fitted attributes:
        theme_ids_: The theme ids, in column order.
        thresholds_: Per-theme decision thresholds (tuned by internal cross-validation).
        global_threshold_: The best single threshold, which rare themes are shrunk toward.
        not_assigned_threshold_: Threshold of the Not-assigned head, ``None`` when every
            training answer had a theme (no head: every answer gets a theme).
        not_assigned_margin_: How far Not assigned must lead the best theme (see
            :func:`~themecoder.suggest.decision.decide`).
        untrained_themes_: (k,) bool: themes with no example in the training data (their
            heads are constant; a suggester falls back on keywords for them).
        embedding_weight_: The share of the embedding heads in the probabilities.
        keyword_weight_, keyword_rule_: The weight of keyword scores in a suggester's combined
            scores and the decision rule on those (see :mod:`~themecoder.suggest.keyword_blend`);
            ``None`` when the model was trained without its codebook's keyword scores.
        cv_metrics_: The internal cross-validation's per-label (themes, then
            ``not_assigned`` when the model has that head) and micro/macro metrics.
        calibrator_: The probability that an answer's whole decision (its themes, or Not
            assigned) is exactly right
            (:class:`~themecoder.suggest.calibration.ExactSetCalibrator`, over the labels of
            :meth:`label_outputs`), fitted on the same out-of-fold predictions, each fold
            decided by a rule tuned on the other folds; ``None`` in a model saved without one.
        n_features_, n_examples_: Size of the feature space and of the training data.
    """

    def __init__(self, tier: str = "fast", *, C: float | None = None,
                 class_weight: str | None = "balanced",
                 word_ngrams: tuple[int, int] = (1, 2),
                 char_ngrams: tuple[int, int] | None = (2, 5),
                 use_question: bool = True, question_weight: float = 0.5,
                 use_shape: bool = True,
                 embedding_weight: float | None = None,
                 cv: int = 3, shrinkage: float = 10.0,
                 random_state: int | None = 0) -> None:
        self.tier = tier
        self.C = C
        self.class_weight = class_weight
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.use_question = use_question
        self.question_weight = question_weight
        self.use_shape = use_shape
        self.embedding_weight = embedding_weight
        self.cv = cv
        self.shrinkage = shrinkage
        self.random_state = random_state

    # -- scikit-learn plumbing

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Constructor parameters, as scikit-learn's ``get_params``."""
        return {name: getattr(self, name) for name in (
            "tier", "C", "class_weight", "word_ngrams", "char_ngrams", "use_question",
            "question_weight", "use_shape", "embedding_weight", "cv", "shrinkage",
            "random_state")}

    def set_params(self, **params: Any) -> ThemeClassifier:
        """Set constructor parameters, as scikit-learn's ``set_params``."""
        valid = self.get_params()
        for key, value in params.items():
            if key not in valid:
                raise ValueError(f"unknown parameter {key!r}")
            setattr(self, key, value)
        return self

    def __repr__(self) -> str:
        changed = {k: v for k, v in self.get_params().items()
                   if v != ThemeClassifier().get_params()[k]}
        return f"ThemeClassifier({', '.join(f'{k}={v!r}' for k, v in changed.items())})"

    def _resolved(self) -> tuple[float, tuple[float, ...]]:
        """C and the embedding weights to choose from (``(0.0,)`` for the fast tier)."""
        if self.tier not in TIERS:
            raise ValueError(f"tier must be one of {TIERS}, not {self.tier!r}")
        C = _TIER_DEFAULTS[self.tier]["C"] if self.C is None else float(self.C)
        if self.tier == "fast":
            return C, (0.0,)
        if self.embedding_weight is not None:
            return C, (float(self.embedding_weight),)
        return C, _EMBEDDING_WEIGHTS

    def _new_features(self) -> TextFeatures:
        specs = _feature_specs(tuple(self.word_ngrams),
                               tuple(self.char_ngrams) if self.char_ngrams else None,
                               self.use_question, self.use_shape)
        return TextFeatures(specs, {"question": float(self.question_weight)})

    # -- training

    def fit(self, texts: Sequence[object], questions: Sequence[object] | None,
            Y: Any, theme_ids: Sequence[str], *, sample_weight: Any = None,
            keyword_scores: Any = None, progress: Progress | None = None,
            cancel: threading.Event | None = None) -> ThemeClassifier:
        """Train on hand-coded answers.

        Args:
            texts: The answers (``None``/NaN count as empty).
            questions: Each answer's question (``None`` or a list that may hold ``None``).
            Y: (n, k) 0/1 array: ``Y[i, j] == 1`` when answer ``i`` has theme
                ``theme_ids[j]``; a row of zeros is an answer coded Not assigned.
            theme_ids: The k theme ids, in column order.
            sample_weight: (n,) non-negative weights of the answers in the heads' fits
                (e.g. this year's decisions weighted above earlier years' coding);
                thresholds are tuned on the unweighted out-of-fold probabilities.
            keyword_scores: (n, k) the codebook's keyword scores of the answers
                (:func:`~themecoder.suggest.keyword_blend.keyword_score_matrix`): the weight
                a suggester gives them and the rule on the combined scores are then tuned
                with the rest (:attr:`keyword_weight_`, :attr:`keyword_rule_`).
            progress: Called as ``progress(done, total)`` after each step.
            cancel: When set, training stops at the next step with :class:`TrainingCancelled`.

        Returns:
            self

        Raises:
            ValueError: shapes do not match, fewer than 2 answers, or no answer has a theme.
        """
        from sklearn.model_selection import KFold

        C, alphas = self._resolved()
        texts_ = as_texts(texts)
        n = len(texts_)
        qkeys = question_keys(questions, n)
        Y = np.asarray(Y)
        if Y.ndim != 2 or Y.shape[0] != n:
            raise ValueError(f"Y must have shape ({n}, k), not {Y.shape}")
        if Y.shape[1] != len(theme_ids):
            raise ValueError(f"{len(theme_ids)} theme ids for {Y.shape[1]} label columns")
        K = None
        if keyword_scores is not None:
            K = np.asarray(keyword_scores, dtype=float)
            if K.shape != Y.shape or not np.isfinite(K).all():
                raise ValueError(f"keyword_scores must be finite with shape {Y.shape}")
        weights = None
        if sample_weight is not None:
            weights = np.asarray(sample_weight, dtype=float)
            if weights.shape != (n,) or (weights < 0).any() or not np.isfinite(weights).all():
                raise ValueError(f"sample_weight must be {n} non-negative numbers")
        Y = (Y > 0).astype(np.int8)
        k = Y.shape[1]
        n_splits = min(int(self.cv), n)
        if n_splits < 2:
            raise ValueError("need at least 2 training answers")
        if not Y.any():
            raise ValueError("no training answer has a theme")
        y_na = (Y.sum(axis=1) == 0).astype(np.int8)
        has_na = bool(y_na.any())
        # The heads: one per theme, then Not assigned when some answers had no theme.
        H = np.hstack([Y, y_na[:, None]]) if has_na else Y
        use_embeddings = max(alphas) > 0
        per_fit = H.shape[1] * (2 if use_embeddings else 1)
        total = (n_splits + 1) * per_fit + (1 if use_embeddings else 0)
        done = 0

        def step() -> None:
            nonlocal done
            _check_cancel(cancel)
            done += 1
            if progress is not None:
                progress(done, total)

        _check_cancel(cancel)
        E = None
        emb_questions = sorted(set(qkeys))
        if use_embeddings:
            E = _embedding_design(embed(texts_), qkeys, emb_questions)
            step()

        def fit_heads(train: np.ndarray):
            feats = self._new_features()
            X = feats.fit_transform([texts_[i] for i in train], [qkeys[i] for i in train])
            w = weights[train] if weights is not None else None
            W, b = _fit_heads(X, H[train], C, self.class_weight, self.random_state, step, w)
            emb = None
            if E is not None:
                emb = _fit_heads(E[train], H[train], C, self.class_weight,
                                 self.random_state, step, w)
            return feats, W, b, emb

        # Out-of-fold probabilities of every head, text and embedding apart: the only data
        # thresholds, the Not-assigned rule and the embedding share are chosen on.
        P_text = np.zeros((n, H.shape[1]))
        P_emb = np.zeros((n, H.shape[1])) if E is not None else None
        folds = KFold(n_splits=n_splits, shuffle=True, random_state=self.random_state)
        for train, test in folds.split(np.arange(n)):
            feats, W, b, emb = fit_heads(train)
            Xt = feats.transform([texts_[i] for i in test], [qkeys[i] for i in test])
            P_text[test] = _expit(Xt @ W.T + b)
            if emb is not None and P_emb is not None and E is not None:
                P_emb[test] = _expit(E[test] @ emb[0].T + emb[1])

        best: tuple[float, float, DecisionRule, np.ndarray, float, np.ndarray] | None = None
        for alpha in alphas:
            P = P_text if P_emb is None or alpha == 0 else (1 - alpha) * P_text + alpha * P_emb
            P_themes, p_na = P[:, :k], (P[:, k] if has_na else None)
            thresholds, t_global = tune_thresholds(P_themes, Y, float(self.shrinkage))
            rule = tune_rule(P_themes, Y, p_na, thresholds)
            pred, na = decide(P_themes, rule, p_na)
            score = _micro_f1_with_na(Y, y_na.astype(bool), pred, na)
            if best is None or score > best[0] + 1e-12:
                best = (score, alpha, rule, np.hstack([pred, na[:, None]]), t_global, P)
        assert best is not None
        _, alpha, rule, oof_pred, t_global, P_oof = best

        from themecoder.evaluate import metrics_to_dict, theme_metrics

        # Not assigned is scored as a label of its own when the training data has it.
        labels = [*theme_ids, "not_assigned"] if has_na else list(theme_ids)
        truth = np.hstack([Y, y_na[:, None]])
        self.cv_metrics_ = metrics_to_dict(theme_metrics(
            truth[:, :len(labels)], oof_pred[:, :len(labels)], labels))
        self.cv_metrics_["n_splits"] = n_splits
        # The exact-set calibration learns how often a decision is exactly right from
        # decisions the rule that made them was not tuned on: each fold's by a rule tuned on
        # the other folds' out-of-fold probabilities.
        crossed = _cross_fitted_decisions(P_oof, Y, has_na, folds.split(np.arange(n)),
                                          float(self.shrinkage))
        self.calibrator_ = ExactSetCalibrator().fit(P_oof, crossed, H, not_assigned=has_na)

        self.keyword_weight_ = self.keyword_rule_ = None
        if K is not None:
            learned = tune_keyword_rule(P_oof[:, :k], P_oof[:, k] if has_na else None, K, Y,
                                        rule, float(self.shrinkage))
            self.keyword_weight_, self.keyword_rule_ = learned.weight, learned.rule
            self.cv_metrics_["micro_f1_with_keywords"] = learned.micro_f1

        feats, W, b, emb = fit_heads(np.arange(n))
        if alpha == 0:
            emb = None
        self.features_ = feats
        self.coef_, self.intercept_ = W, b
        self.embedding_coef_ = emb[0] if emb is not None else None
        self.embedding_intercept_ = emb[1] if emb is not None else None
        self.embedding_questions_ = emb_questions if emb is not None else None
        self.embedding_weight_ = float(alpha)
        self.embedding_package_ = embedding_package() if emb is not None else None
        self.theme_ids_ = list(theme_ids)
        self.thresholds_ = np.asarray(rule.thresholds, dtype=float)
        self.global_threshold_ = t_global
        self.not_assigned_threshold_ = rule.na_threshold
        self.not_assigned_margin_ = float(rule.na_margin)
        self.untrained_themes_ = Y.sum(axis=0) == 0
        self.n_features_ = feats.n_features
        self.n_examples_ = n
        return self

    # -- prediction

    def _check_fitted(self) -> None:
        if not hasattr(self, "coef_"):
            raise ModelError("the classifier is not trained yet")

    @property
    def has_not_assigned_(self) -> bool:
        """Whether the model has a Not-assigned head (its training data had such answers)."""
        return self.coef_.shape[0] > len(self.theme_ids_)

    @property
    def decision_rule_(self) -> DecisionRule:
        """The fitted thresholds and Not-assigned rule."""
        return DecisionRule(self.thresholds_, self.not_assigned_threshold_,
                            self.not_assigned_margin_)

    def _coef_by_row(self) -> np.ndarray:
        """``coef_.T`` laid out row by row, made once per fitted ``coef_`` (a sparse product
        with the transposed view copies it into this layout on every call)."""
        made = self.__dict__.get("_coef_by_row_")
        if made is None or made[0] is not self.coef_:
            made = (self.coef_, np.ascontiguousarray(self.coef_.T))
            self.__dict__["_coef_by_row_"] = made
        return made[1]

    def _head_proba(self, texts: Sequence[object],
                    questions: Sequence[object] | None) -> np.ndarray:
        """Probabilities of every head: (n, k) themes, then Not assigned if the model has it."""
        self._check_fitted()
        texts_ = as_texts(texts)
        qkeys = question_keys(questions, len(texts_))
        if not texts_:
            return np.zeros((0, self.coef_.shape[0]))
        X = self.features_.transform(texts_, qkeys)
        P = _expit(X @ self._coef_by_row() + self.intercept_)
        if self.embedding_coef_ is not None:
            E = _embedding_design(embed(texts_), qkeys, self.embedding_questions_)
            P_emb = _expit(E @ self.embedding_coef_.T + self.embedding_intercept_)
            P = (1 - self.embedding_weight_) * P + self.embedding_weight_ * P_emb
        return np.asarray(P, dtype=np.float64)

    def predict_proba(self, texts: Sequence[object],
                      questions: Sequence[object] | None = None) -> np.ndarray:
        """Probability of each theme for each answer: an (n, k) array in [0, 1]."""
        return self._head_proba(texts, questions)[:, :len(self.theme_ids_)]

    def predict_not_assigned_proba(self, texts: Sequence[object],
                                   questions: Sequence[object] | None = None) -> np.ndarray:
        """Probability that each answer is Not assigned: (n,), zeros without such a head."""
        P = self._head_proba(texts, questions)
        k = len(self.theme_ids_)
        return P[:, k] if P.shape[1] > k else np.zeros(len(P))

    def predict_all(self, texts: Sequence[object],
                    questions: Sequence[object] | None = None) -> Prediction:
        """Themes, the Not-assigned decision and the probabilities, at the cost of one pass."""
        P = self._head_proba(texts, questions)
        k = len(self.theme_ids_)
        p_na = P[:, k] if P.shape[1] > k else None
        themes, na = decide(P[:, :k], self.decision_rule_, p_na)
        return Prediction(themes=themes, not_assigned=na, proba=P[:, :k],
                          not_assigned_proba=p_na if p_na is not None else np.zeros(len(P)))

    def predict(self, texts: Sequence[object],
                questions: Sequence[object] | None = None) -> np.ndarray:
        """0/1 themes for each answer: an (n, k) int array (see :meth:`predict_all`).

        An answer the model leaves Not assigned has no theme; every other answer has at
        least one.
        """
        return self.predict_all(texts, questions).themes

    def label_outputs(self, texts: Sequence[object], questions: Sequence[object] | None = None
                      ) -> tuple[np.ndarray, np.ndarray]:
        """Per-label probabilities and decided 0/1 labels, (n, L) each, as :attr:`calibrator_`
        takes them: the themes, then Not assigned when the model has that head."""
        result = self.predict_all(texts, questions)
        if not self.has_not_assigned_:
            return result.proba, result.themes
        return (np.hstack([result.proba, result.not_assigned_proba[:, None]]),
                np.hstack([result.themes, result.not_assigned[:, None].astype(np.int8)]))

    def label_truth(self, Y: Any) -> np.ndarray:
        """The (n, L) true labels matching :meth:`label_outputs` for (n, k) true themes: a
        Not-assigned column (no theme) is added when the model has that head."""
        Y = (np.asarray(Y) > 0).astype(np.int8)
        if not self.has_not_assigned_:
            return Y
        return np.hstack([Y, (Y.sum(axis=1) == 0).astype(np.int8)[:, None]])

    def predict_with_proba(self, texts: Sequence[object], questions: Sequence[object] | None = None
                           ) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`predict` and :meth:`predict_proba` at the cost of one."""
        result = self.predict_all(texts, questions)
        return result.themes, result.proba

    # -- persistence helpers (used by save_model / load_model)

    def _state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        self._check_fitted()
        params = self.get_params()
        params["word_ngrams"] = list(params["word_ngrams"])
        params["char_ngrams"] = list(params["char_ngrams"]) if params["char_ngrams"] else None
        state = {
            "class": "ThemeClassifier",
            "params": params,
            "theme_ids": self.theme_ids_,
            "features": {"specs": self.features_.specs, "weights": self.features_.weights},
            "global_threshold": self.global_threshold_,
            "not_assigned_threshold": self.not_assigned_threshold_,
            "not_assigned_margin": self.not_assigned_margin_,
            "embedding_weight": self.embedding_weight_,
            "embedding_model": EMBEDDING_MODEL if self.embedding_coef_ is not None else None,
            "embedding_package": self.embedding_package_,
            "embedding_questions": self.embedding_questions_,
            "n_examples": self.n_examples_,
            "cv_metrics": self.cv_metrics_,
        }
        keyword_rule = getattr(self, "keyword_rule_", None)
        if keyword_rule is not None:
            state["keyword_weight"] = self.keyword_weight_
            state["keyword_not_assigned_threshold"] = keyword_rule.na_threshold
            state["keyword_not_assigned_margin"] = float(keyword_rule.na_margin)
        arrays = {"coef": self.coef_, "intercept": self.intercept_,
                  "thresholds": np.asarray(self.thresholds_, dtype=np.float64),
                  "untrained_themes": np.asarray(self.untrained_themes_, dtype=np.int8),
                  **self.features_.to_arrays()}
        if self.embedding_coef_ is not None:
            arrays["embedding_coef"] = self.embedding_coef_
            arrays["embedding_intercept"] = self.embedding_intercept_
        if keyword_rule is not None:
            arrays["keyword_thresholds"] = np.asarray(keyword_rule.thresholds, dtype=np.float64)
        if getattr(self, "calibrator_", None) is not None:
            arrays.update(self.calibrator_.to_arrays())
        return state, arrays

    @classmethod
    def _from_state(cls, state: dict[str, Any], arrays: dict[str, np.ndarray]) -> ThemeClassifier:
        params = dict(state["params"])
        params["word_ngrams"] = tuple(params["word_ngrams"])
        if params["char_ngrams"]:
            params["char_ngrams"] = tuple(params["char_ngrams"])
        model = cls(**params)
        theme_ids = list(state["theme_ids"])
        k = len(theme_ids)
        specs = state["features"]["specs"]
        for name, spec in specs.items():
            if name not in FEATURE_BLOCKS:
                raise ValueError(f"unknown feature block '{name}'")
            for key, value in spec.items():
                if key not in VECTORIZER_PARAMS or not isinstance(value, VECTORIZER_PARAMS[key]):
                    raise ValueError(f"bad vectoriser setting '{key}'")
        model.features_ = TextFeatures.from_arrays(
            specs, {str(k_): float(v) for k_, v in state["features"]["weights"].items()}, arrays)
        d = model.features_.n_features
        model.coef_ = arrays["coef"]
        model.intercept_ = arrays["intercept"]
        model.thresholds_ = arrays["thresholds"]
        model.untrained_themes_ = arrays["untrained_themes"].astype(bool)
        na_threshold = state["not_assigned_threshold"]
        heads = k + (1 if na_threshold is not None else 0)
        if model.coef_.shape != (heads, d) or model.intercept_.shape != (heads,) \
                or model.thresholds_.shape != (k,) or model.untrained_themes_.shape != (k,):
            raise ValueError("array shapes do not match the theme list and vocabulary")
        model.not_assigned_threshold_ = None if na_threshold is None else float(na_threshold)
        model.not_assigned_margin_ = float(state["not_assigned_margin"])
        model.embedding_weight_ = float(state["embedding_weight"])
        model.embedding_package_ = state.get("embedding_package")
        if state.get("embedding_model"):
            if embedding_package() is None:
                raise _missing_embeddings("this model (accurate tier)")
            model.embedding_coef_ = arrays["embedding_coef"]
            model.embedding_intercept_ = arrays["embedding_intercept"]
            model.embedding_questions_ = [str(q) for q in state["embedding_questions"]]
            if model.embedding_coef_.shape[0] != heads \
                    or model.embedding_intercept_.shape != (heads,):
                raise ValueError("embedding arrays do not match the theme list")
        else:
            model.embedding_coef_ = model.embedding_intercept_ = None
            model.embedding_questions_ = None
        model.theme_ids_ = theme_ids
        model.global_threshold_ = float(state["global_threshold"])
        model.n_examples_ = int(state["n_examples"])
        model.n_features_ = d
        model.cv_metrics_ = state.get("cv_metrics", {})
        model.keyword_weight_ = model.keyword_rule_ = None  # trained without keyword scores
        if "keyword_weight" in state:
            if arrays["keyword_thresholds"].shape != (k,):
                raise ValueError("keyword thresholds do not match the theme list")
            t_na = state["keyword_not_assigned_threshold"]
            model.keyword_weight_ = float(state["keyword_weight"])
            model.keyword_rule_ = DecisionRule(
                arrays["keyword_thresholds"], None if t_na is None else float(t_na),
                float(state["keyword_not_assigned_margin"]))
        model.calibrator_ = None  # a model saved before calibration was part of the fit
        if any(name.startswith("calibration_") for name in arrays):
            model.calibrator_ = ExactSetCalibrator.from_arrays(arrays)
            if model.calibrator_.n_labels != heads:
                raise ValueError("calibration arrays do not match the theme list")
        return model

