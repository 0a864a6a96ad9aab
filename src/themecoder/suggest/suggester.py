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
    the theme is absent. The scores then go through the model's own decision rule
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
from dataclasses import dataclass, field
from itertools import islice, repeat
from typing import TYPE_CHECKING, Any

from themecoder.codebook import Codebook, Theme
from themecoder.errors import ModelError
from themecoder.suggest.semantic import REASON_THEMES
from themecoder.suggest.vague import is_stock_non_answer, looks_vague

if TYPE_CHECKING:
    from themecoder.suggest.keywords import KeywordHit, KeywordSuggester
    from themecoder.suggest.semantic import MeaningMatch, MeaningScorer

DEFAULT_KEYWORD_WEIGHT = 0.35
"""How much a full keyword score adds to a model probability (see the module docstring)."""

DEFAULT_KEYWORD_THRESHOLD = 0.5
"""Keyword score at which a theme is suggested when there is no model."""

Progress = Callable[[int, "int | None"], None]
"""``progress(done, total)``: answers done so far, and the total if known (else ``None``)."""


@dataclass(frozen=True, slots=True)
class ThemeSuggestion:
    """One theme's score for one answer, with its reasons (an immutable value).

    Attributes:
        theme_id: The theme's id.
        theme_name: The theme's name.
        score: Combined score 0–1 (see the module docstring).
        suggested: Whether the theme should be pre-marked for the coder.
        reasons: Why, in words: model confidence first, then each keyword hit.
        spans: ``(start, end)`` character spans of the keyword hits that count, for
            highlighting in the original text.
        model_score: The model's probability (``None`` without a model).
        keyword_score: The keyword score (0 when no keyword matched).
        threshold: The score at which this theme is suggested.
        meaning_score: The meaning score (``None`` when meaning was not used).
    """

    theme_id: str
    theme_name: str
    score: float
    suggested: bool
    reasons: tuple[str, ...] = ()
    spans: tuple[tuple[int, int], ...] = ()
    model_score: float | None = None
    keyword_score: float = 0.0
    threshold: float = DEFAULT_KEYWORD_THRESHOLD
    meaning_score: float | None = None


@dataclass(frozen=True)
class Suggestion:
    """Suggested themes for one answer.

    Attributes:
        text: The answer.
        question: Its question (``None`` when unknown).
        themes: Every theme that applies to the question, best first.
        vague: Suggest *Not assigned*: the model's Not-assigned decision, or without a model
            an answer that looks too vague to code (:func:`looks_vague`).
        model_version: What made the suggestion, e.g. ``"keywords:poet_holders@1.0"``,
            ``"keywords:poet_holders@1.0+meaning:all-MiniLM-L6-v2"`` or
            ``"poet_holders@2026.11.23+keywords:poet_holders@1.0"``.
        hits: The keyword hits behind the reasons (empty without keywords).
        not_assigned_score: The model's probability of Not assigned (``None`` without a
            model, or when its training data gave every answer a theme).
        not_assigned_reason: Why Not assigned is (or is not) suggested, in words.
    """

    text: str
    question: str | None
    themes: list[ThemeSuggestion]
    vague: bool
    model_version: str
    hits: list[KeywordHit] = field(default_factory=list)
    not_assigned_score: float | None = None
    not_assigned_reason: str = ""

    @property
    def not_assigned(self) -> bool:
        """Whether *Not assigned* is suggested (the same as :attr:`vague`)."""
        return self.vague

    @property
    def suggested(self) -> list[ThemeSuggestion]:
        """The suggested themes, best first."""
        return [t for t in self.themes if t.suggested]

    @property
    def suggested_ids(self) -> list[str]:
        """Ids of the suggested themes, best first."""
        return [t.theme_id for t in self.themes if t.suggested]

    def score(self, theme_id: str) -> float:
        """A theme's score (0 for a theme that does not apply to the question)."""
        return next((t.score for t in self.themes if t.theme_id == theme_id), 0.0)

    @property
    def method(self) -> str:
        """What made the suggestion, in words: "keywords", "keywords + meaning", "model …"."""
        return describe_method(self.model_version)


def describe_method(model_version: str | None) -> str:
    """A stored ``model_version`` in words for a coder.

    ``"keywords:poet_holders@1.0+meaning:all-MiniLM-L6-v2"`` → ``"keywords + meaning"``;
    ``"poet_holders@v3+keywords:poet_holders@1.0"`` → ``"model poet_holders@v3 + keywords"``.
    A part it does not recognise is shown as it is.
    """
    words = []
    for part in (model_version or "").split("+"):
        if part.startswith("keywords:"):
            words.append("keywords")
        elif part.startswith("meaning:"):
            words.append("meaning")
        elif "@" in part:
            words.append(f"model {part}")
        elif part and part != "none":
            words.append(part)
    return " + ".join(words) or "nothing"


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
            model is present; their reasons and spans are still shown).
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
                 keyword_weight: float = DEFAULT_KEYWORD_WEIGHT,
                 keyword_threshold: float = DEFAULT_KEYWORD_THRESHOLD,
                 meaning: MeaningScorer | None = None) -> None:
        if not 0 <= keyword_weight <= 1:
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
        self._columns: dict[str, int] = {}
        self._thresholds: dict[str, float] = {}
        self._na_threshold: float | None = None
        self._na_margin = 1.0
        if model is not None:
            clf = model.classifier
            ids = [str(t) for t in clf.theme_ids_]
            unknown = [t for t in ids if codebook.find(t) is None]
            if unknown:
                raise ModelError(
                    f"the model has themes codebook '{codebook.id}' does not have: "
                    f"{', '.join(unknown)}; use the codebook it was trained with")
            untrained = clf.untrained_themes_
            # A theme the training data never had is left to its keywords.
            self._columns = {t: i for i, t in enumerate(ids) if not untrained[i]}
            self._thresholds = {t: float(clf.thresholds_[i]) for i, t in enumerate(ids)}
            self._na_threshold = clf.not_assigned_threshold_
            self._na_margin = float(clf.not_assigned_margin_)
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
            yield from self._suggest_chunk([_as_text(t) for t, _ in chunk],
                                           [q for _, q in chunk])
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
        probabilities = na_probabilities = None
        if self.model is not None:
            prediction = self.model.classifier.predict_all(texts, questions)
            probabilities = prediction.proba
            if self._na_threshold is not None:
                na_probabilities = prediction.not_assigned_proba
        # None while a scorer that does not wait has no model loaded yet: keywords alone
        meanings = self.meaning.score_many(texts) if self.meaning is not None else None
        version = self._version(with_meaning=meanings is not None)
        out = []
        for n, (text, question, hits) in enumerate(zip(texts, questions, all_hits, strict=True)):
            matches = meanings[n] if meanings is not None else None
            if probabilities is None:
                out.append(self._one_from_keywords(text, question, hits, version, matches))
            else:
                p_na = float(na_probabilities[n]) if na_probabilities is not None else None
                out.append(self._one_with_model(text, question, hits, probabilities[n], p_na,
                                                version, matches))
        return out

    def _keyword_parts(self, hits: list[KeywordHit]
                       ) -> tuple[dict[str, float], dict[str, list[KeywordHit]], bool]:
        from themecoder.suggest.keywords import theme_scores

        by_theme: dict[str, list[KeywordHit]] = {}
        for hit in hits:
            by_theme.setdefault(hit.theme_id, []).append(hit)
        return theme_scores(hits), by_theme, any(h.score > 0 for h in hits)

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
        kw_scores, by_theme, counted = self._keyword_parts(hits)
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
        return Suggestion(text=text, question=question, themes=_ranked(themes), vague=vague,
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

    def _closest_untrained(self, text: str, applicable: list[Theme],
                           matches: dict[str, MeaningMatch]) -> str | None:
        """A theme the model has no examples of, when it is the answer's closest in meaning
        of all the question's themes with a meaning score of at least 0.5."""
        if is_stock_non_answer(text):
            return None
        best = max((matches[t.id] for t in applicable if t.id in matches),
                   key=lambda m: m.similarity, default=None)
        if best is None or best.score < 0.5 or best.theme_id in self._columns:
            return None
        return best.theme_id

    def _one_with_model(self, text: str, question: str | None, hits: list[KeywordHit],
                        row: Any, p_na: float | None, version: str,
                        matches: dict[str, MeaningMatch] | None = None) -> Suggestion:
        """Model probabilities raised by keyword evidence, through the model's decision rule;
        themes the model has no examples of by their keywords (and meaning, when given)."""
        import numpy as np

        from themecoder.suggest.decision import DecisionRule, decide

        kw_scores, by_theme, counted = self._keyword_parts(hits)
        applicable = self._applicable(question)
        scores, thresholds, parts = [], [], []
        for theme in applicable:
            theme_hits = by_theme.get(theme.id, ())
            k = kw_scores.get(theme.id, 0.0)
            reasons = [h.reason for h in theme_hits]
            column = self._columns.get(theme.id)
            if column is not None:
                p: float | None = float(row[column])
                threshold = self._thresholds[theme.id]
                score = 1.0 - (1.0 - p) * (1.0 - self.keyword_weight * k)
                reasons.insert(0, f"model {p:.2f} (threshold {threshold:.2f})")
            else:
                p, threshold, score = None, self.keyword_threshold, k
                reasons.insert(0, "no training examples: keywords and meaning only"
                               if matches else "no training examples: keywords only")
            scores.append(score)
            thresholds.append(threshold)
            parts.append((theme, theme_hits, k, p, reasons))
        rule = DecisionRule(np.asarray(thresholds, dtype=float), self._na_threshold,
                            self._na_margin)
        on, na = decide(np.asarray([scores], dtype=float).reshape(1, len(scores)), rule,
                        None if p_na is None else np.asarray([p_na]))
        not_assigned = bool(na[0])
        # a theme without examples that is the closest in meaning (the model cannot know it);
        # not for absences alone ("no problems with the paperwork"), nor when Not assigned
        picked = self._closest_untrained(text, applicable, matches) \
            if matches and not not_assigned and (counted or not hits) else None
        themes = []
        for j, (theme, theme_hits, k, p, reasons) in enumerate(parts):
            suggested = bool(on[0, j])
            if suggested and scores[j] < thresholds[j]:
                reasons.append("most likely theme (nothing reached its threshold)")
            match = matches.get(theme.id) if matches and p is None else None
            if match is not None and (theme.id == picked or match.rank < REASON_THEMES):
                reasons.append(match.reason)
            if theme.id == picked and match is not None:
                scores[j] = 1.0 - (1.0 - k) * (1.0 - match.score)
                if not suggested:
                    suggested = True
                    reasons.append("closest in meaning (no training examples)")
            themes.append(ThemeSuggestion(
                theme_id=theme.id, theme_name=theme.name, score=round(scores[j], 4),
                suggested=suggested, reasons=tuple(reasons),
                spans=tuple((h.start, h.end) for h in theme_hits if h.score > 0),
                model_score=p, keyword_score=k, threshold=thresholds[j],
                meaning_score=match.score if match is not None else None))
        if p_na is None:
            reason = ""
        else:
            t_na = float(self._na_threshold or 0.0)
            reason = (f"model: {self.codebook.not_assigned.name} {p_na:.2f} "
                      f"(threshold {t_na:.2f})")
        return Suggestion(text=text, question=question, themes=_ranked(themes),
                          vague=not_assigned, model_version=version, hits=hits,
                          not_assigned_score=None if p_na is None else round(p_na, 4),
                          not_assigned_reason=reason)


def _ranked(themes: list[ThemeSuggestion]) -> list[ThemeSuggestion]:
    """Best score first; ties keep the codebook's order."""
    return [t for _, t in sorted(enumerate(themes), key=lambda it: (-it[1].score, it[0]))]


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
