"""Day-one suggestions by meaning: how close each sentence of an answer is to each theme.

Without training data the keyword rules find a theme only when the answer uses one of its
words. :class:`MeaningScorer` also compares the *meaning* of the answer with each theme's
name, definition and keywords, using sentence embeddings (all-MiniLM-L6-v2, shipped for
offline use by the ``accurate`` extra; :func:`themecoder.suggest.embeddings.embed` computes them
and caches them per text). :class:`~themecoder.suggest.suggester.Suggester` combines the
result with the keyword evidence when there is no trained model; without the extra it
uses keywords alone.

How a theme's meaning score is made
    The answer is split into sentences (:func:`split_sentences`). Each sentence, and the
    answer as a whole, is compared (cosine similarity) with three descriptions of every
    theme: "name. definition keywords", "name: definition", and each keyword alone (the
    best of them); the three are averaged. A theme's similarity is the mean of its best
    sentence's and the whole answer's. Themes whose descriptions resemble the other
    themes' descriptions attract every answer a little, so each theme's similarity is
    lowered by :data:`GENERICNESS_WEIGHT` times its description's mean similarity to the
    other themes' descriptions. The result is mapped to 0–1 by a logistic curve that
    passes 0.5 at :data:`MEANING_THRESHOLD` (:data:`MEANING_SCALE` sets its steepness).

    The three constants were chosen on the development part of the NHS comments
    (``benchmarks/nhs_data.py``; see ``benchmarks/day_one.py`` and BENCHMARKS.md), never on
    the held-out part or the POET day-one set.

The embedding model takes seconds to load: :func:`load_meaning_model` loads it once (an app
calls it in the background), and a scorer made with ``wait=False`` returns nothing until it
is loaded, so keywords can answer in the meantime.
"""

from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

    from themecoder.codebook import Codebook, Theme

EMBEDDING_NAME = "all-MiniLM-L6-v2"
"""The sentence-embedding model, as stored with the suggestions it made."""

GENERICNESS_WEIGHT = 0.5
"""How much a theme description's mean similarity to the others lowers its similarity."""

MEANING_THRESHOLD = 0.1
"""Adjusted similarity at which the meaning score is 0.5 (the best theme is suggested)."""

MEANING_SCALE = 0.1
"""Steepness of the logistic curve from adjusted similarity to meaning score."""

REASON_THEMES = 5
"""How many of an answer's best-matching themes get a meaning reason (keeps storage small)."""

_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\s*\n\s*")
_TRIM = " \t\r\n,;:-–—"
_MAX_QUOTE = 70

_load_lock = threading.Lock()
_loaded = False


def meaning_available() -> bool:
    """Whether the ``accurate`` extra (torch, sentence-transformers, the model) is installed."""
    from themecoder.suggest.embeddings import embedding_package

    return embedding_package() is not None


def meaning_loaded() -> bool:
    """Whether the embedding model is loaded in this process."""
    return _loaded


def load_meaning_model() -> None:
    """Load the embedding model once per process (safe to call from several threads).

    Raises:
        ModelError: the ``accurate`` extra is not installed.
    """
    global _loaded
    if _loaded:
        return
    with _load_lock:
        if not _loaded:
            from themecoder.suggest.embeddings import embed

            embed(["personal budget"])
            _loaded = True


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of an answer: ``text == answer[start:end]``."""

    start: int
    end: int
    text: str


def split_sentences(text: str) -> list[Sentence]:
    """The sentences of ``text``: split after ``.``, ``!``, ``?`` and ``;``, and at line breaks.

    Returns:
        The non-empty sentences in order, trimmed of spaces and stray punctuation at
        their edges, with their character offsets in ``text``.
    """
    out = []
    start = 0
    for match in (*_SENTENCE_END.finditer(text), None):
        end = match.start() if match else len(text)
        piece = text[start:end]
        left = len(piece) - len(piece.lstrip(_TRIM))
        right = len(piece.rstrip(_TRIM))
        if right > left and any(ch.isalnum() for ch in piece):
            out.append(Sentence(start + left, start + right, piece[left:right]))
        if match:
            start = match.end()
    return out


@dataclass(frozen=True, slots=True)
class MeaningMatch:
    """How close one answer is in meaning to one theme.

    Attributes:
        theme_id: The theme's id.
        score: Meaning score 0–1 (0.5 at :data:`MEANING_THRESHOLD`).
        similarity: The adjusted similarity behind the score.
        sentence: The answer's sentence closest to the theme.
        rank: 0 for the answer's closest theme, 1 for the next, …
    """

    theme_id: str
    score: float
    similarity: float
    sentence: Sentence
    rank: int

    @property
    def reason(self) -> str:
        """One line for a coder, e.g. ``meaning 0.81: "The carers are always late"``."""
        quote = self.sentence.text
        if len(quote) > _MAX_QUOTE:
            quote = quote[:_MAX_QUOTE - 1].rstrip() + "…"
        return f'meaning {self.score:.2f}: "{quote}"'


def theme_descriptions(theme: Theme) -> tuple[str, str]:
    """The two whole-theme descriptions compared with answers: with and without keywords."""
    keywords = ", ".join(theme.keywords)
    full = f"{theme.name}. {theme.definition}".strip()
    return (f"{full} {keywords}".strip(), f"{theme.name}: {theme.definition}".strip(" :"))


class MeaningScorer:
    """Scores answers against a codebook's themes by meaning (see the module docstring).

    Args:
        codebook: The codebook whose themes to score.
        wait: When the embedding model is not loaded yet, load it (True) or return
            ``None`` from :meth:`score_many` until someone else has (False).

    The themes' descriptions are embedded once, on first use (or by :meth:`prepare`).
    """

    name = EMBEDDING_NAME

    def __init__(self, codebook: Codebook, *, wait: bool = True) -> None:
        self.codebook = codebook
        self.wait = wait
        self._theme_ids = [t.id for t in codebook.themes]
        self._profiles: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                              np.ndarray] | None = None

    @property
    def ready(self) -> bool:
        """Whether scoring would run now without loading the model."""
        return meaning_loaded()

    def prepare(self) -> None:
        """Load the model and embed the themes' descriptions now rather than on first use.

        Raises:
            ModelError: the ``accurate`` extra is not installed.
        """
        load_meaning_model()
        self._theme_profiles()

    def _theme_profiles(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                                       np.ndarray]:
        if self._profiles is None:
            import numpy as np

            from themecoder.suggest.embeddings import embed

            themes = self.codebook.themes
            described = [theme_descriptions(t) for t in themes]
            full = embed([d[0] for d in described])
            definition = embed([d[1] for d in described])
            owners = np.array([i for i, t in enumerate(themes) for _ in t.keywords], dtype=int)
            keywords = embed([k for t in themes for k in t.keywords])
            if len(themes) > 1:
                between = full @ full.T
                np.fill_diagonal(between, 0.0)
                generic = between.sum(axis=1) / (len(themes) - 1)
            else:
                generic = np.zeros(len(themes))
            self._profiles = (full, definition, owners, keywords, generic)
        return self._profiles

    def _similarity(self, units: np.ndarray) -> np.ndarray:
        """(units, themes) similarity: mean of full, definition and best-keyword cosines."""
        import numpy as np

        full, definition, owners, keywords, _ = self._theme_profiles()
        n_themes = len(self._theme_ids)
        best_keyword = np.zeros((n_themes, len(units)))
        if len(owners):
            best_keyword[:] = -1.0
            np.maximum.at(best_keyword, owners, keywords @ units.T)
        # a theme without keywords is described by its name and definition alone
        has_keywords = np.bincount(owners, minlength=n_themes) > 0
        best_keyword[~has_keywords] = 0.0
        total = units @ full.T + units @ definition.T + best_keyword.T
        return total / np.where(has_keywords, 3.0, 2.0)

    def score_many(self, texts: list[str]) -> list[dict[str, MeaningMatch]] | None:
        """Each answer's meaning match with every theme, by theme id.

        Args:
            texts: The answers.

        Returns:
            One ``{theme_id: MeaningMatch}`` per answer (empty for an answer with no
            words), or ``None`` when the model is not loaded and the scorer does not wait.

        Raises:
            ModelError: the ``accurate`` extra is not installed.
        """
        if not self.ready:
            if not self.wait:
                return None
            load_meaning_model()
        import numpy as np

        from themecoder.suggest.embeddings import embed

        sentences = [split_sentences(text) for text in texts]
        units = list(dict.fromkeys(
            [t.strip() for t, s in zip(texts, sentences, strict=True) if s]
            + [s.text for ss in sentences for s in ss]))
        if not units:
            return [{} for _ in texts]
        index = {u: i for i, u in enumerate(units)}
        similarity = self._similarity(embed(units))
        generic = self._theme_profiles()[4]
        out: list[dict[str, MeaningMatch]] = []
        for text, found in zip(texts, sentences, strict=True):
            if not found:
                out.append({})
                continue
            rows = similarity[[index[s.text] for s in found]]
            best_sentence = rows.argmax(axis=0)
            whole = similarity[index[text.strip()]]
            adjusted = (rows.max(axis=0) + whole) / 2 - GENERICNESS_WEIGHT * generic
            order = np.argsort(-adjusted, kind="stable")
            rank = np.empty_like(order)
            rank[order] = np.arange(len(order))
            out.append({theme_id: MeaningMatch(
                theme_id=theme_id, score=_logistic(float(adjusted[j])),
                similarity=round(float(adjusted[j]), 4),
                sentence=found[int(best_sentence[j])], rank=int(rank[j]))
                for j, theme_id in enumerate(self._theme_ids)})
        return out


def _logistic(similarity: float) -> float:
    z = (similarity - MEANING_THRESHOLD) / MEANING_SCALE
    return round(1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z)))), 4)
