"""One suggester for the whole project: keyword evidence and model probabilities, combined.

:class:`Suggester` turns an answer (and its question) into a :class:`Suggestion`: every theme
that applies to the question with a score 0–1, whether it is suggested, the reasons in words
("model 0.83 (threshold 0.41)", "matched 'paperwork' → Process") and the character spans an
app can highlight; plus whether the answer looks too vague to code (suggest Not assigned).

Combining rule
    *Without a model*, a theme's score is its keyword score (noisy-OR of its hits, see
    :mod:`themecoder.suggest.keywords`) and it is suggested at ``keyword_threshold`` (0.5: one
    plain, negated or misspelt keyword match is enough; a misspelt *and* negated one is not).

    *Without a model but with meaning* (a :class:`~themecoder.suggest.semantic.MeaningScorer`,
    which needs the ``accurate`` extra), the keyword score ``k`` and the meaning score ``m``
    combine by noisy-OR, ``score = 1 - (1 - k) * (1 - m)``, which ranks the themes. Themes
    are suggested by their keywords as above; when no keyword suggests a theme, the theme
    closest in meaning is suggested if its meaning score reaches 0.5 (unless the answer is a
    stock non-answer, or its only keyword hits are absences that do not count). The reasons
    say which sentence matched which theme.

    *With a model*, the model's probability ``p`` is primary and keyword evidence ``k`` raises
    it by noisy-OR with a weight ``w``: ``score = 1 - (1 - p) * (1 - w * k)``. With the default
    ``w`` = 0.35 a plain keyword match (k = 0.9) on its own adds 0.31, so it can tip a theme
    the model is unsure about over its threshold, but it cannot outvote a model that is sure
    the theme is absent. A model trained with its codebook's keyword scores carries its own
    ``w`` (0 when keywords added nothing) and thresholds for the combined scores, tuned on
    its training data (:mod:`themecoder.suggest.keyword_blend`); those are used unless
    ``keyword_weight`` is given. The scores then go through the model's decision rule
    (:func:`themecoder.suggest.decision.decide`): *Not assigned* when the model's
    Not-assigned head says so (learned from the training answers that had no theme),
    otherwise every theme whose score reaches its threshold and at least the most likely one.
    A theme the training data had no example of is scored by its keywords alone, at
    ``keyword_threshold``; with meaning as well, it is also suggested when it is the
    answer's closest theme in meaning (of all the question's themes) with a meaning score
    of at least 0.5, unless the model decides Not assigned, and its score is then
    ``1 - (1 - k) * (1 - m)``.

Vague answers (without a model)
    :func:`~themecoder.suggest.vague.looks_vague` decides; an answer that is one of the
    stock non-answers ("n/a", "nothing", "fine", "as above"...) gets no theme at all. An
    answer that is merely short
    (fewer than two content words and no keyword hit), or whose only keyword hits are
    absences that do not count ("no problems with the paperwork" under "what did not work
    well"), is vague only if nothing is suggested.

The model is what :func:`themecoder.suggest.model.load_model` returns: an object with a
``classifier`` (a fitted :class:`~themecoder.suggest.classifier.ThemeClassifier`), a
``name``, a ``version`` and ``metadata``.

Every suggestion records what made it in ``model_version`` (stored with it), e.g.
``keywords:poet_holders@1.0+meaning:all-MiniLM-L6-v2``; :func:`describe_method` turns that
into the words the app and the command line show ("keywords + meaning").
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice, repeat
from typing import TYPE_CHECKING, Any

from themecoder.bulk_load import collector_paused
from themecoder.codebook import Codebook, Theme
from themecoder.errors import ModelError
from themecoder.suggest.semantic import REASON_THEMES
from themecoder.suggest.suggestion import (
    DEFAULT_KEYWORD_THRESHOLD,
    Suggestion,
    ThemeSuggestion,
    describe_method,
    keyword_parts,
    ranked,
)
from themecoder.suggest.vague import is_stock_non_answer, looks_vague

if TYPE_CHECKING:
    from themecoder.suggest.combine import ModelCombiner
    from themecoder.suggest.keywords import KeywordHit, KeywordSuggester
    from themecoder.suggest.semantic import MeaningMatch, MeaningScorer



Progress = Callable[[int, "int | None"], None]
"""``progress(done, total)``: answers done so far, and the total if known (else ``None``)."""


def codebook_from_model(model: Any) -> Codebook:
    """A minimal codebook (ids and names, no keywords) from a model's metadata.

    For using a model on its own, when its codebook file is not at hand.

    Raises:
        ModelError: the metadata does not name its codebook and themes.
    """
    meta = getattr(model, "metadata", None) or {}
    try:
        cb = meta["codebook"]
        themes = tuple(Theme(id=str(t["id"]), name=str(t["name"]), definition="")
                       for t in meta["themes"])
        return Codebook(id=str(cb["id"]), name=str(cb.get("name", cb["id"])),
                        version=str(cb["version"]), groups=("any",), themes=themes)
    except (KeyError, TypeError) as exc:
        raise ModelError(f"the model does not describe its codebook ({exc}); "
                         "give the codebook file too") from None


def themes_without_examples(codebook: Codebook, model: Any) -> list[str]:
    """Ids of the codebook's themes that a loaded model has no examples of (or lacks)."""
    clf = model.classifier
    trained = {str(t) for t, untrained in zip(clf.theme_ids_, clf.untrained_themes_,
                                              strict=True) if not untrained}
    return [t.id for t in codebook.themes if t.id not in trained]


class Suggester:
    """Suggests themes from keywords, a trained model, or both.

    Args:
        codebook: The codebook whose themes to suggest.
        model: A loaded model (see the module docstring), or ``None`` for keywords only.
        keyword_suggester: The keyword suggester to use; by default one is built from the
            codebook (unless ``keywords`` is False).
        keywords: Use keyword evidence at all. With a model and a codebook that has no
            keywords, turning it off saves loading spaCy.
        keyword_weight: ``w`` of the combining rule (0 ignores keywords' scores when a
            model is present; their reasons and spans are still shown). ``None``: the
            weight and thresholds the model learned with its codebook's keywords, or
            :data:`~themecoder.suggest.keyword_blend.DEFAULT_KEYWORD_WEIGHT` and the model's
            own thresholds for a model trained without them.
        keyword_threshold: Keyword score at which a theme is suggested without a model.
        meaning: A :class:`~themecoder.suggest.semantic.MeaningScorer` for the codebook:
            without a model, rank and suggest by meaning as well as keywords; with one,
            for the themes the model has no examples of (ignored when it has them all).

    Raises:
        ModelError: the model has themes the codebook does not have.
    """

    def __init__(self, codebook: Codebook, model: Any = None,
                 keyword_suggester: KeywordSuggester | None = None, *,
                 keywords: bool = True,
                 keyword_weight: float | None = None,
                 keyword_threshold: float = DEFAULT_KEYWORD_THRESHOLD,
                 meaning: MeaningScorer | None = None) -> None:
        if keyword_weight is not None and not 0 <= keyword_weight <= 1:
            raise ValueError("keyword_weight must be between 0 and 1")
        self.codebook = codebook
        self.model = model
        self.meaning = meaning
        self.keyword_weight = keyword_weight
        self.keyword_threshold = keyword_threshold
        if keyword_suggester is None and keywords:
            from themecoder.suggest.keywords import KeywordSuggester

            keyword_suggester = KeywordSuggester(codebook)
        self.keyword_suggester = keyword_suggester if keywords else None
        self._combiner: ModelCombiner | None = None
        if model is not None:
            ids = [str(t) for t in model.classifier.theme_ids_]
            unknown = [t for t in ids if codebook.find(t) is None]
            if unknown:
                raise ModelError(
                    f"the model has themes codebook '{codebook.id}' does not have: "
                    f"{', '.join(unknown)}; use the codebook it was trained with")
            from themecoder.suggest.combine import ModelCombiner

            self._combiner = ModelCombiner(codebook, model, self._applicable, keyword_weight,
                                           keyword_threshold)
            if not themes_without_examples(codebook, model):
                self.meaning = None  # the model knows every theme: nothing for meaning to do
        self._themes_for: dict[str | None, list[Theme]] = {}
        self._zeros = {t.id: ThemeSuggestion(t.id, t.name, 0.0, False,
                                             threshold=self.keyword_threshold)
                       for t in codebook.themes}

    @property
    def model_version(self) -> str:
        """What makes the suggestions: model name@version, keywords:codebook@version and/or
        meaning:embedding model (see :func:`describe_method`)."""
        return self._version(with_meaning=self.meaning is not None)

    @property
    def method(self) -> str:
        """What makes the suggestions, in words ("keywords + meaning", "model … + keywords")."""
        return describe_method(self.model_version)

    def _version(self, *, with_meaning: bool) -> str:
        parts = []
        if self.model is not None:
            name = getattr(self.model, "name", None)
            version = str(getattr(self.model, "version", "") or "unversioned")
            parts.append(f"{name}@{version}" if name else version)
        if self.keyword_suggester is not None:
            parts.append(f"keywords:{self.codebook.id}@{self.codebook.version}")
        if with_meaning and self.meaning is not None:
            parts.append(f"meaning:{self.meaning.name}")
        return "+".join(parts) or "none"

    def suggest(self, text: str | None, question: str | None = None) -> Suggestion:
        """Suggestions for one answer (see :meth:`suggest_many` for many)."""
        return next(self.suggest_many([text], [question]))

    def suggest_many(self, texts: Iterable[str | None],
                     questions: str | Iterable[str | None] | None = None, *,
                     batch_size: int = 512, progress: Progress | None = None,
                     cancel: threading.Event | None = None) -> Iterator[Suggestion]:
        """Suggestions for many answers, lazily, a batch at a time (memory stays flat).

        Args:
            texts: The answers, any iterable (a generator over a huge file is fine).
            questions: One question for all, an iterable with one per answer, or ``None``.
            batch_size: Answers handled together (the model and spaCy are faster in batches).
            progress: Called as ``progress(done, total)`` after each batch; ``total`` is
                ``len(texts)`` when it has a length, else ``None``.
            cancel: When set, the iteration stops quietly before the next batch.

        Yields:
            One :class:`Suggestion` per answer, in input order.

        Raises:
            ValueError: ``questions`` has a different length from ``texts``.
        """
        total = len(texts) if isinstance(texts, Sequence) else None
        if questions is None or isinstance(questions, str):
            q_iter: Iterable[str | None] = repeat(questions)
            pairs: Iterator[tuple[Any, Any]] = zip(texts, q_iter, strict=False)
        else:
            pairs = zip(texts, questions, strict=True)
        done = 0
        while True:
            if cancel is not None and cancel.is_set():
                return
            chunk = list(islice(pairs, batch_size))
            if not chunk:
                return
            with collector_paused():
                suggestions = self._suggest_chunk([_as_text(t) for t, _ in chunk],
                                                  [q for _, q in chunk])
            # Let go of each suggestion as it is handed over: one the caller is done with is
            # freed at once instead of living on, with the rest of its batch, into the
            # collector's older generations (whose full collections scan the whole process).
            suggestions.reverse()
            while suggestions:
                yield suggestions.pop()
            done += len(chunk)
            if progress is not None:
                progress(done, total)

    # ------------------------------------------------------------------ internals

    def _applicable(self, question: str | None) -> list[Theme]:
        themes = self._themes_for.get(question)
        if themes is None:
            if question is not None and question not in self.codebook.questions:
                themes = list(self.codebook.themes)
            else:
                themes = self.codebook.themes_for(question)
            self._themes_for[question] = themes
        return themes

    def _suggest_chunk(self, texts: list[str], questions: list[str | None]) -> list[Suggestion]:
        if self.keyword_suggester is not None:
            all_hits = self.keyword_suggester.suggest_many(texts, questions)
        else:
            all_hits = [[] for _ in texts]
        # None while a scorer that does not wait has no model loaded yet: keywords alone
        meanings = self.meaning.score_many(texts) if self.meaning is not None else None
        version = self._version(with_meaning=meanings is not None)
        if self._combiner is not None:
            return self._combiner.suggest(texts, questions, all_hits, meanings, version)
        return [self._one_from_keywords(text, question, hits, version,
                                        meanings[n] if meanings is not None else None)
                for n, (text, question, hits)
                in enumerate(zip(texts, questions, all_hits, strict=True))]

    def _meaning_pick(self, text: str, applicable: list[Theme], kw_scores: dict[str, float],
                      matches: dict[str, MeaningMatch]) -> str | None:
        """The theme suggested by meaning: the closest, when no keyword suggests one."""
        if not matches or is_stock_non_answer(text) or any(
                kw_scores.get(t.id, 0.0) >= self.keyword_threshold for t in applicable):
            return None
        best = max((matches[t.id] for t in applicable if t.id in matches),
                   key=lambda m: m.similarity, default=None)
        return best.theme_id if best is not None and best.score >= 0.5 else None

    def _one_from_keywords(self, text: str, question: str | None, hits: list[KeywordHit],
                           version: str, matches: dict[str, MeaningMatch] | None = None
                           ) -> Suggestion:
        """Day one: keyword scores (and meaning, when given), and the vague-answer rule for
        Not assigned."""
        kw_scores, by_theme, counted = keyword_parts(hits)
        stock = is_stock_non_answer(text)
        themes: list[ThemeSuggestion] = []
        applicable = self._applicable(question)
        # "no problems with the paperwork": the keywords found only absences; meaning,
        # which cannot tell an absence, does not get to suggest the theme instead
        picked = self._meaning_pick(text, applicable, kw_scores, matches) \
            if matches and (counted or not hits) else None
        for theme in applicable:
            theme_hits = by_theme.get(theme.id, ())
            match = matches.get(theme.id) if matches else None
            if match is not None:
                themes.append(self._with_meaning(theme, theme_hits, kw_scores, match,
                                                 picked == theme.id, stock))
                continue
            if not theme_hits:
                # the common case: one shared immutable zero per theme
                themes.append(self._zeros[theme.id])
                continue
            k = kw_scores.get(theme.id, 0.0)
            themes.append(ThemeSuggestion(
                theme_id=theme.id, theme_name=theme.name, score=round(k, 4),
                suggested=k >= self.keyword_threshold and not stock,
                reasons=tuple(h.reason for h in theme_hits),
                spans=tuple((h.start, h.end) for h in theme_hits if h.score > 0),
                keyword_score=k, threshold=self.keyword_threshold))
        any_suggested = any(t.suggested for t in themes)
        # "no problems with the paperwork" on not_well: only absences, nothing to code
        only_absences = bool(hits) and not counted
        vague = not any_suggested and (only_absences or looks_vague(text, keyword_hit=counted))
        reason = "the answer looks too vague to code" if vague else ""
        return Suggestion(text=text, question=question, themes=ranked(themes), vague=vague,
                          model_version=version, hits=hits, not_assigned_reason=reason)

    def _with_meaning(self, theme: Theme, theme_hits: Sequence[KeywordHit],
                      kw_scores: dict[str, float], match: MeaningMatch, picked: bool,
                      stock: bool) -> ThemeSuggestion:
        """A theme's suggestion from its keyword hits and its meaning match."""
        k = kw_scores.get(theme.id, 0.0)
        score = 1.0 - (1.0 - k) * (1.0 - match.score)
        reasons = [h.reason for h in theme_hits]
        if picked or match.rank < REASON_THEMES:
            reasons.append(match.reason)
        if picked:
            reasons.append("closest in meaning (no keyword suggested a theme)")
        return ThemeSuggestion(
            theme_id=theme.id, theme_name=theme.name, score=round(score, 4),
            suggested=(k >= self.keyword_threshold or picked) and not stock,
            reasons=tuple(reasons),
            spans=tuple((h.start, h.end) for h in theme_hits if h.score > 0),
            keyword_score=k, threshold=self.keyword_threshold,
            meaning_score=match.score)

def codebook_suggester(codebook: Codebook, keyword_suggester: KeywordSuggester | None = None,
                       *, model: Any = None, wait_for_meaning: bool = True) -> Suggester:
    """A suggester for the codebook, with its trained model if there is one, and meaning
    where it helps when the ``accurate`` extra is installed: for every theme without a
    model, for the themes the model has no examples of with one.

    Args:
        codebook: The codebook.
        keyword_suggester: A keyword suggester already built for it, if any.
        model: A loaded model (see :class:`Suggester`), or ``None``.
        wait_for_meaning: Whether the first suggestions wait for the embedding model to
            load; if not, they come without meaning until it is loaded (see
            :func:`themecoder.suggest.semantic.load_meaning_model`).
    """
    from themecoder.suggest.semantic import MeaningScorer, meaning_available

    meaning = MeaningScorer(codebook, wait=wait_for_meaning) if meaning_available() else None
    return Suggester(codebook, model=model, keyword_suggester=keyword_suggester,
                     meaning=meaning)


def _as_text(value: Any) -> str:
    if value is None or value != value:  # None or NaN
        return ""
    return str(value)
