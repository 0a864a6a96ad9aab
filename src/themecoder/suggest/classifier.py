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
  embeddings (:mod:`themecoder.suggest.embeddings`; needs the ``accurate`` extra).

Features are in :mod:`~themecoder.suggest.features`, heads and the decision rule in
:mod:`~themecoder.suggest.decision`, saving and loading in
:mod:`~themecoder.suggest.model_files`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from themecoder.errors import ModelError, ThemecoderError
from themecoder.suggest.decision import _expit, _fit_heads, _tune_floor, decide, tune_thresholds
from themecoder.suggest.embeddings import (
    EMBEDDING_MODEL,
    _embedding_design,
    _missing_embeddings,
    embed,
    embedding_package,
)
from themecoder.suggest.features import (
    VECTORIZER_PARAMS,
    TextFeatures,
    _feature_specs,
    as_texts,
    is_vague,
    question_keys,
)

TIERS: tuple[str, ...] = ("fast", "accurate")

_TIER_DEFAULTS: dict[str, dict[str, Any]] = {
    "fast": {"C": 4.0, "embedding_weight": 0.0},
    "accurate": {"C": 4.0, "embedding_weight": 0.4},
}

Progress = Callable[[int, int], None]


class TrainingCancelled(ThemecoderError):
    """Training stopped because its cancel event was set."""



def _check_cancel(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise TrainingCancelled("training was cancelled")




class ThemeClassifier:
    """Multi-label theme classifier over answer text and question.

    Args:
        tier: ``"fast"`` (TF-IDF only) or ``"accurate"`` (TF-IDF averaged with sentence
            embeddings; needs the ``accurate`` extra).
        C: Inverse regularisation of each theme's logistic regression (``None``: the
            tier's default).
        class_weight: Passed to each logistic regression (``"balanced"`` or ``None``).
        word_ngrams: Word n-gram range.
        char_ngrams: Character n-gram range (within word boundaries), or ``None``.
        use_question: Add question×word features and a question indicator.
        question_weight: Weight of the question×word block relative to the others.
        embedding_weight: Share of the embedding model in the averaged probability
            (``None``: the tier's default; only used by the accurate tier).
        cv: Folds of the internal cross-validation that tunes the thresholds.
        shrinkage: Pseudo-count pulling each theme's threshold toward the global one.
        random_state: Seed of the cross-validation split and the solvers.

    Fitted attributes:
        theme_ids_: The theme ids, in column order.
        thresholds_: Per-theme decision thresholds (tuned by internal cross-validation).
        global_threshold_: The best single threshold, which rare themes are shrunk toward.
        fallback_floor_: An answer with no theme over its threshold gets its most likely
            theme only if that theme's probability reaches this (tuned likewise).
        vague_themes_: (k,) bool: the only themes a vague answer (:func:`is_vague`) can get.
        cv_metrics_: The internal cross-validation's per-theme and micro/macro metrics.
        n_features_, n_examples_: Size of the feature space and of the training data.
    """

    def __init__(self, tier: str = "fast", *, C: float | None = None,
                 class_weight: str | None = "balanced",
                 word_ngrams: tuple[int, int] = (1, 2),
                 char_ngrams: tuple[int, int] | None = (2, 5),
                 use_question: bool = True, question_weight: float = 0.5,
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
        self.embedding_weight = embedding_weight
        self.cv = cv
        self.shrinkage = shrinkage
        self.random_state = random_state

    # -- scikit-learn plumbing

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Constructor parameters, as scikit-learn's ``get_params``."""
        return {name: getattr(self, name) for name in (
            "tier", "C", "class_weight", "word_ngrams", "char_ngrams", "use_question",
            "question_weight", "embedding_weight", "cv", "shrinkage", "random_state")}

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

    def _resolved(self) -> tuple[float, float]:
        if self.tier not in TIERS:
            raise ValueError(f"tier must be one of {TIERS}, not {self.tier!r}")
        defaults = _TIER_DEFAULTS[self.tier]
        C = defaults["C"] if self.C is None else float(self.C)
        alpha = defaults["embedding_weight"] if self.embedding_weight is None \
            else float(self.embedding_weight)
        if self.tier == "fast":
            alpha = 0.0
        return C, alpha

    def _new_features(self) -> TextFeatures:
        specs = _feature_specs(tuple(self.word_ngrams),
                               tuple(self.char_ngrams) if self.char_ngrams else None,
                               self.use_question)
        return TextFeatures(specs, {"question": float(self.question_weight)})

    # -- training

    def fit(self, texts: Sequence[object], questions: Sequence[object] | None,
            Y: Any, theme_ids: Sequence[str], *, progress: Progress | None = None,
            cancel: threading.Event | None = None) -> ThemeClassifier:
        """Train on hand-coded answers.

        Args:
            texts: The answers (``None``/NaN count as empty).
            questions: Each answer's question (``None`` or a list that may hold ``None``).
            Y: (n, k) 0/1 array: ``Y[i, j] == 1`` when answer ``i`` has theme ``theme_ids[j]``.
            theme_ids: The k theme ids, in column order.
            progress: Called as ``progress(done, total)`` after each step.
            cancel: When set, training stops at the next step with :class:`TrainingCancelled`.

        Returns:
            self
        """
        from sklearn.model_selection import KFold

        C, alpha = self._resolved()
        texts_ = as_texts(texts)
        n = len(texts_)
        qkeys = question_keys(questions, n)
        Y = np.asarray(Y)
        if Y.ndim != 2 or Y.shape[0] != n:
            raise ValueError(f"Y must have shape ({n}, k), not {Y.shape}")
        if Y.shape[1] != len(theme_ids):
            raise ValueError(f"{len(theme_ids)} theme ids for {Y.shape[1]} label columns")
        Y = (Y > 0).astype(np.int8)
        k = Y.shape[1]
        n_splits = min(int(self.cv), n)
        if n_splits < 2:
            raise ValueError("need at least 2 training answers")

        heads = 2 if alpha > 0 else 1
        total = (n_splits + 1) * k * heads + (1 if alpha > 0 else 0)
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
        if alpha > 0:
            E = _embedding_design(embed(texts_), qkeys, emb_questions)
            step()

        def fit_predict(train: np.ndarray, test: np.ndarray | None):
            feats = self._new_features()
            X = feats.fit_transform([texts_[i] for i in train], [qkeys[i] for i in train])
            W, b = _fit_heads(X, Y[train], C, self.class_weight, self.random_state, step)
            emb = None
            if E is not None:
                emb = _fit_heads(E[train], Y[train], C, self.class_weight,
                                 self.random_state, step)
            if test is None:
                return feats, W, b, emb
            Xt = feats.transform([texts_[i] for i in test], [qkeys[i] for i in test])
            P = _expit(Xt @ W.T + b)
            if emb is not None:
                P = (1 - alpha) * P + alpha * _expit(E[test] @ emb[0].T + emb[1])
            return P

        # Out-of-fold probabilities on the training data: the only data thresholds see.
        P_oof = np.zeros((n, k))
        folds = KFold(n_splits=n_splits, shuffle=True, random_state=self.random_state)
        for train, test in folds.split(np.arange(n)):
            P_oof[test] = fit_predict(train, test)

        vague = np.array([is_vague(t) for t in texts_], dtype=bool)
        # Themes that at least two vague training answers had (e.g. "Labelling not possible").
        vague_themes = Y[vague].sum(axis=0) >= 2
        thresholds, t_global = tune_thresholds(P_oof, Y, float(self.shrinkage))
        floor = _tune_floor(P_oof, Y, thresholds, vague, vague_themes)

        from themecoder.evaluate import metrics_to_dict, theme_metrics

        oof_pred = decide(P_oof, thresholds, floor, vague, vague_themes)
        self.cv_metrics_ = metrics_to_dict(theme_metrics(Y, oof_pred, list(theme_ids)))
        self.cv_metrics_["n_splits"] = n_splits

        feats, W, b, emb = fit_predict(np.arange(n), None)
        self.features_ = feats
        self.coef_, self.intercept_ = W, b
        self.embedding_coef_ = emb[0] if emb is not None else None
        self.embedding_intercept_ = emb[1] if emb is not None else None
        self.embedding_questions_ = emb_questions if emb is not None else None
        self.embedding_weight_ = alpha
        self.embedding_package_ = embedding_package() if emb is not None else None
        self.theme_ids_ = list(theme_ids)
        self.thresholds_ = thresholds
        self.global_threshold_ = t_global
        self.fallback_floor_ = floor
        self.vague_themes_ = vague_themes
        self.n_features_ = feats.n_features
        self.n_examples_ = n
        return self

    # -- prediction

    def _check_fitted(self) -> None:
        if not hasattr(self, "coef_"):
            raise ModelError("the classifier is not trained yet")

    def predict_proba(self, texts: Sequence[object],
                      questions: Sequence[object] | None = None) -> np.ndarray:
        """Probability of each theme for each answer: an (n, k) array in [0, 1]."""
        self._check_fitted()
        texts_ = as_texts(texts)
        qkeys = question_keys(questions, len(texts_))
        if not texts_:
            return np.zeros((0, len(self.theme_ids_)))
        X = self.features_.transform(texts_, qkeys)
        P = _expit(X @ self.coef_.T + self.intercept_)
        if self.embedding_coef_ is not None:
            E = _embedding_design(embed(texts_), qkeys, self.embedding_questions_)
            P_emb = _expit(E @ self.embedding_coef_.T + self.embedding_intercept_)
            P = (1 - self.embedding_weight_) * P + self.embedding_weight_ * P_emb
        return np.asarray(P, dtype=np.float64)

    def predict(self, texts: Sequence[object],
                questions: Sequence[object] | None = None) -> np.ndarray:
        """0/1 themes for each answer: an (n, k) int array (see :func:`decide`).

        Every answer gets at least one theme, except vague ones (no content word, see
        :func:`is_vague`) and those whose most likely theme is below ``fallback_floor_``;
        those get only the themes whose thresholds they pass, possibly none.
        """
        return self.predict_with_proba(texts, questions)[0]

    def predict_with_proba(self, texts: Sequence[object], questions: Sequence[object] | None = None
                           ) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`predict` and :meth:`predict_proba` at the cost of one."""
        P = self.predict_proba(texts, questions)
        vague = np.array([is_vague(t) for t in as_texts(texts)], dtype=bool)
        return decide(P, self.thresholds_, self.fallback_floor_, vague, self.vague_themes_), P

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
            "fallback_floor": self.fallback_floor_,
            "embedding_weight": self.embedding_weight_,
            "embedding_model": EMBEDDING_MODEL if self.embedding_coef_ is not None else None,
            "embedding_package": self.embedding_package_,
            "embedding_questions": self.embedding_questions_,
            "n_examples": self.n_examples_,
            "cv_metrics": self.cv_metrics_,
        }
        arrays = {"coef": self.coef_, "intercept": self.intercept_,
                  "thresholds": np.asarray(self.thresholds_, dtype=np.float64),
                  "vague_themes": np.asarray(self.vague_themes_, dtype=np.int8),
                  **self.features_.to_arrays()}
        if self.embedding_coef_ is not None:
            arrays["embedding_coef"] = self.embedding_coef_
            arrays["embedding_intercept"] = self.embedding_intercept_
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
            if name not in ("word", "char", "question"):
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
        model.vague_themes_ = arrays["vague_themes"].astype(bool)
        if model.coef_.shape != (k, d) or model.intercept_.shape != (k,) \
                or model.thresholds_.shape != (k,) or model.vague_themes_.shape != (k,):
            raise ValueError("array shapes do not match the theme list and vocabulary")
        model.embedding_weight_ = float(state["embedding_weight"])
        model.embedding_package_ = state.get("embedding_package")
        if state.get("embedding_model"):
            if embedding_package() is None:
                raise _missing_embeddings("this model (accurate tier)")
            model.embedding_coef_ = arrays["embedding_coef"]
            model.embedding_intercept_ = arrays["embedding_intercept"]
            model.embedding_questions_ = [str(q) for q in state["embedding_questions"]]
            if model.embedding_coef_.shape[0] != k or model.embedding_intercept_.shape != (k,):
                raise ValueError("embedding arrays do not match the theme list")
        else:
            model.embedding_coef_ = model.embedding_intercept_ = None
            model.embedding_questions_ = None
        model.theme_ids_ = theme_ids
        model.global_threshold_ = float(state["global_threshold"])
        model.fallback_floor_ = float(state["fallback_floor"])
        model.n_examples_ = int(state["n_examples"])
        model.n_features_ = d
        model.cv_metrics_ = state.get("cv_metrics", {})
        return model

