"""Grouping answers by topic: vectors, density-based clustering, merging, and membership.

1. **Vectors.** Sentence embeddings (all-MiniLM-L6-v2, which the ``accurate`` extra ships)
   when installed; otherwise TF-IDF over lemmas and 2-word phrases, reduced by latent
   semantic analysis. Rows have unit length, so a dot product is a cosine similarity.
2. **Density-based clusters.** scikit-learn's HDBSCAN on the vectors (reduced to a few
   principal components, where density is meaningful) finds the dense cores of topics and
   leaves answers in sparse regions out as noise instead of forcing them into a cluster.
3. **Merging.** HDBSCAN often finds one topic as several dense cores ("the driver", "the
   taxi home", "transport to hospital"); clusters whose centres are at least
   ``merge_similarity`` alike (cosine, in the full vector space) are joined, closest pair
   first.
4. **Membership.** An answer left as noise joins the nearest cluster when it is as close to
   that cluster's centre as the cluster's own typical members (the ``expand_quantile``
   quantile of their similarities): a topic is held whole without pulling in answers that
   are about nothing in particular.

Everything is deterministic for a given ``random_state``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

Embedder = Callable[[list[str]], Any]
"""``embedder(texts) -> (n, d) array``: sentence embeddings (default: the shipped MiniLM)."""


@dataclass(frozen=True)
class Settings:
    """The clustering's parameters for one kind of vector (chosen on the development part of
    the NHS benchmark, see ``benchmarks/discover.py``).

    Attributes:
        dimensions: Principal components HDBSCAN clusters in (0: the vectors as they are).
        min_samples: HDBSCAN's ``min_samples`` (how dense a core must be).
        min_share: HDBSCAN's smallest cluster as a share of the answers (at least the
            smallest candidate): a large pool is not cut into crumbs.
        merge_similarity: Join clusters whose centres are at least this similar.
        expand_quantile: Noise joins a cluster when at least as close to its centre as this
            quantile of the members' similarities (above 1: never).
        code_similarity: An example is coded on adoption only when at least this similar to
            its candidate's centre.
    """

    dimensions: int
    min_samples: int
    min_share: float
    merge_similarity: float
    expand_quantile: float
    code_similarity: float


SETTINGS = {
    "embeddings": Settings(dimensions=5, min_samples=2, min_share=0.0, merge_similarity=0.5,
                           expand_quantile=0.2, code_similarity=0.55),
    "tfidf": Settings(dimensions=10, min_samples=2, min_share=0.0, merge_similarity=0.5,
                      expand_quantile=0.3, code_similarity=0.4),
}


def unit_rows(X: Any) -> np.ndarray:
    """``X`` as a dense array whose rows have unit length (zero rows stay zero)."""
    X = np.asarray(X, dtype=np.float64)
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    return np.divide(X, norms, out=np.zeros_like(X), where=norms > 0)


def tfidf_vectors(texts: Sequence[str], random_state: int) -> np.ndarray:
    """TF-IDF over lemmas and 2-word phrases, reduced to 100 dimensions when large."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from themecoder.discover.naming import PhraseCounter

    counter = PhraseCounter()
    tfidf = TfidfVectorizer(analyzer=lambda text: sorted(
        p for p in counter.phrases(text) if p.count(" ") <= 1), min_df=1, sublinear_tf=True)
    X = tfidf.fit_transform(list(texts))
    if X.shape[1] > 150 and X.shape[0] > 150:
        # Latent semantic analysis groups near-synonyms that share no word.
        from sklearn.decomposition import TruncatedSVD

        X = TruncatedSVD(n_components=100, random_state=random_state).fit_transform(X)
    else:
        X = X.toarray()
    return unit_rows(X)


def centre(X: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The unit-length mean of some rows."""
    c = X[rows].mean(axis=0)
    norm = float(np.linalg.norm(c))
    return c / norm if norm > 0 else c


def _dense_cores(X: np.ndarray, min_size: int, settings: Settings,
                 random_state: int) -> list[np.ndarray]:
    """HDBSCAN's clusters (row numbers), noise left out."""
    from sklearn.cluster import HDBSCAN
    from threadpoolctl import threadpool_limits

    n = X.shape[0]
    if n < max(min_size, 2):
        return []
    Z = X
    dims = settings.dimensions
    if dims and X.shape[1] > dims and n > dims + 1:
        from sklearn.decomposition import PCA

        Z = unit_rows(PCA(n_components=dims, random_state=random_state).fit_transform(X))
    with threadpool_limits(limits=1):
        labels = HDBSCAN(min_cluster_size=max(min_size, 2, int(settings.min_share * n)),
                         min_samples=min(settings.min_samples, n - 1),
                         copy=True).fit_predict(Z)
    return [np.flatnonzero(labels == k) for k in sorted(set(labels.tolist())) if k >= 0]


def merge_close(X: np.ndarray, clusters: list[np.ndarray],
                threshold: float) -> list[np.ndarray]:
    """Join clusters whose centres are at least ``threshold`` alike, closest pair first."""
    clusters = [np.asarray(c) for c in clusters]
    while len(clusters) > 1:
        C = np.vstack([centre(X, c) for c in clusters])
        S = C @ C.T
        np.fill_diagonal(S, -np.inf)
        a, b = np.unravel_index(int(np.argmax(S)), S.shape)
        if S[a, b] < threshold:
            break
        a, b = min(a, b), max(a, b)
        clusters[a] = np.sort(np.concatenate([clusters[a], clusters[b]]))
        del clusters[b]
    return clusters


def expand(X: np.ndarray, clusters: list[np.ndarray], quantile: float) -> list[np.ndarray]:
    """Let each answer in no cluster join the nearest one when it is as close to that
    cluster's centre as the cluster's ``quantile`` member."""
    if not clusters or quantile > 1:
        return clusters
    C = np.vstack([centre(X, c) for c in clusters])
    sims = X @ C.T
    owner = np.full(X.shape[0], -1)
    for k, rows in enumerate(clusters):
        owner[rows] = k
    cut = np.array([np.quantile(sims[rows, k], quantile) for k, rows in enumerate(clusters)])
    for row in np.flatnonzero(owner < 0):
        k = int(np.argmax(sims[row]))
        if sims[row, k] >= cut[k]:
            owner[row] = k
    return [np.flatnonzero(owner == k) for k in range(len(clusters))]


def find_topics(X: np.ndarray, *, min_size: int, settings: Settings,
                random_state: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """Topics in unit-row vectors ``X``: per topic, its rows (most central first) and their
    similarity to its centre. Topics smaller than ``min_size`` are dropped."""
    clusters = _dense_cores(X, min_size, settings, random_state)
    clusters = merge_close(X, clusters, settings.merge_similarity)
    clusters = expand(X, clusters, settings.expand_quantile)
    out = []
    for rows in clusters:
        if len(rows) < min_size:
            continue
        sims = X[rows] @ centre(X, rows)
        order = np.argsort(-sims, kind="stable")
        out.append((rows[order], sims[order]))
    return out
