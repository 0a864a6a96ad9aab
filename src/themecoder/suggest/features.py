"""Text features of the theme classifier: TF-IDF blocks over words, characters, question×word
and the answer's shape.

The shape block describes an answer as a whole — no content word at all ("n/a", "nothing",
"don't know", see :func:`is_vague`), how many content words it has — alone and crossed with
its question, so the classifier *learns* what such answers get: under "how could we
improve?" a coder may well read "Nothing." as praise, while "Don't know" is left unassigned.

Each block is a :class:`~sklearn.feature_extraction.text.TfidfVectorizer`, L2-normalised,
weighted and stacked side by side. Fitted vectorisers are stored as plain arrays
(vocabulary and idf) so a model file needs no pickle; :data:`VECTORIZER_PARAMS` lists the
only settings a model file may give a vectoriser.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from scipy import sparse

_EXTRA_VAGUE_WORDS = frozenset(
    "na nil dk don dont didn doesn isn wasn know sure unsure comment comments applicable "
    "answer answered really just ok okay yes".split())
_WORD_RE = re.compile(r"[^\W\d_]+")


VECTORIZER_PARAMS: dict[str, type | tuple[type, ...]] = {
    "analyzer": str, "ngram_range": list, "min_df": (int, float), "max_df": (int, float),
    "sublinear_tf": bool, "lowercase": bool, "strip_accents": (str, type(None)),
    "token_pattern": str, "max_features": (int, type(None)),
}


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

    A feature of the answer's shape (see :func:`_shape_docs`), not a rule: the classifier
    learns from the training data what such answers are coded as.
    """
    if not text:
        return True
    stop = _STOP_WORDS
    return not any(len(w) > 1 and w not in stop for w in _WORD_RE.findall(text.casefold()))


_STOP_WORDS = _stop_words()


def as_texts(texts: Sequence[object]) -> list[str]:
    out = []
    for t in texts:
        if t is None or (isinstance(t, float) and np.isnan(t)):
            out.append("")
        else:
            out.append(str(t))
    return out


def question_keys(questions: Sequence[object] | None, n: int) -> list[str]:
    if questions is None:
        return ["none"] * n
    if len(questions) != n:
        raise ValueError(f"{len(questions)} questions for {n} texts")
    return [question_key(q) for q in questions]



_TOKEN_RE = re.compile(r"\w+")


def _question_docs(texts: list[str], qkeys: list[str]) -> list[str]:
    """Question×word tokens: "worked_well|staff" is a different feature from "change|staff"."""
    docs = []
    for text, q in zip(texts, qkeys, strict=True):
        words = _TOKEN_RE.findall(text.casefold())
        docs.append(" ".join([f"{q}|__question__", *(f"{q}|{w}" for w in words)]))
    return docs


def content_word_count(text: str) -> int:
    """Words of ``text`` that are not stop words or survey filler."""
    stop = _STOP_WORDS
    return sum(1 for w in _WORD_RE.findall(text.casefold()) if len(w) > 1 and w not in stop)


def _length_band(n: int) -> str:
    for limit, band in ((0, "0"), (1, "1"), (2, "2"), (5, "3-5"), (10, "6-10"), (25, "11-25")):
        if n <= limit:
            return band
    return "26+"


def _shape_docs(texts: list[str], qkeys: list[str]) -> list[str]:
    """Shape tokens per answer: vague or not and a content-word band, alone and × question."""
    docs = []
    for text, q in zip(texts, qkeys, strict=True):
        words = content_word_count(text)
        tokens = [f"shape|words_{_length_band(words)}"]
        if words == 0:
            tokens.append("shape|vague" if text.strip() else "shape|empty")
        docs.append(" ".join([*tokens, *(f"{q}|{t}" for t in tokens)]))
    return docs


_BLOCK_DOCS = {"question": _question_docs, "shape": _shape_docs}
FEATURE_BLOCKS = ("word", "char", "question", "shape")
"""The feature blocks a model may have (a model file naming another is refused)."""


def _feature_specs(word_ngrams: tuple[int, int], char_ngrams: tuple[int, int] | None,
                   use_question: bool, use_shape: bool = True) -> dict[str, dict[str, Any]]:
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
    if use_shape:
        specs["shape"] = {"analyzer": "word", "ngram_range": [1, 1], "min_df": 1,
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


MAX_CACHED_WORDS = 50_000
"""Distinct words whose character n-grams a fitted ``char_wb`` block remembers."""


def _char_wb_tfidf(vec: Any, docs: list[str],
                   word_grams: dict[str, list[int]] | None = None) -> sparse.csr_matrix:
    """``vec.transform(docs)`` for a fitted ``char_wb`` TfidfVectorizer, several times faster.

    ``char_wb`` n-grams never cross a word boundary, so a document's counts are the sum of
    its words' counts: each distinct word is analysed once, then the counts are a sparse
    product (documents × words) @ (words × n-grams). The TF-IDF weighting is then applied
    exactly as scikit-learn does (sublinear tf, idf, L2 norm). ``word_grams``, when given,
    remembers each word's n-gram columns from one call to the next.
    """
    from scipy import sparse
    from sklearn.preprocessing import normalize

    preprocess = vec.build_preprocessor()
    min_n, max_n = vec.ngram_range
    vocabulary = vec.vocabulary_
    if word_grams is None:
        word_grams = {}
    elif len(word_grams) > MAX_CACHED_WORDS:
        word_grams.clear()
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
        columns = word_grams.get(word)
        if columns is None:
            columns = []
            padded = f" {word} "
            for n in range(min_n, max_n + 1):
                # As scikit-learn's char_wb: a word shorter than n gives one (short) n-gram.
                grams = [padded[i:i + n] for i in range(max(len(padded) - n + 1, 1))]
                columns.extend(j for g in grams if (j := vocabulary.get(g)) is not None)
                if len(padded) <= n:
                    break
            word_grams[word] = columns
        g_indices.extend(columns)
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


class TextFeatures:
    """TF-IDF blocks (word, char, question×word, shape), each L2-normalised, then stacked."""

    def __init__(self, specs: dict[str, dict[str, Any]], weights: dict[str, float]) -> None:
        self.specs = specs
        self.weights = weights
        self.vectorizers: dict[str, Any] = {}
        self._word_grams: dict[str, dict[str, list[int]]] = {}  # per char_wb block

    def _docs(self, name: str, texts: list[str], qkeys: list[str]) -> list[str]:
        make = _BLOCK_DOCS.get(name)
        return make(texts, qkeys) if make is not None else texts

    def fit_transform(self, texts: list[str], qkeys: list[str]) -> sparse.csr_matrix:
        from scipy import sparse

        blocks = []
        self._word_grams = {}
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
            if vec.analyzer == "char_wb":
                remembered = self.__dict__.setdefault("_word_grams", {})  # also when unpickled
                X = _char_wb_tfidf(vec, docs, remembered.setdefault(name, {}))
            else:
                X = vec.transform(docs)
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
                    arrays: dict[str, np.ndarray]) -> TextFeatures:
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

