"""A trained model's probabilities and keyword evidence combined into suggestions, a batch
of answers at a time.

The rule is the :class:`~themecoder.suggest.suggester.Suggester`'s: for a theme the model
knows, ``score = 1 - (1 - p) * (1 - w * k)`` (``p`` its probability, ``k`` the keyword
score, ``w`` the keyword weight); for a theme it has no examples of, the keyword score
alone at the keyword threshold (and, with meaning, the closest theme in meaning); then the
model's decision rule (:func:`~themecoder.suggest.decision.decide`).

Speed. A suggestion lists every theme of its question with its score and reasons, so with
dozens of themes the per-theme work is what costs. It is done for all the answers to one
question at once: the classifier is asked once per distinct answer, the scores and the
decision are worked out in numpy, and the common theme — one the model knows, without a
keyword hit — is assembled from ready-made parts (its reason, "model 0.83 (threshold
0.41)", comes from a table of the 101 ways a probability shows to two decimals), and so
is a theme without examples or keyword hits when meaning is not at hand. Only the themes
with keyword hits, those without examples when meaning is at hand, and those with a note of
their own ("most likely theme") are worked out one by one. The result is the same, to the
last character, as working out each theme alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import repeat
from operator import getitem
from typing import TYPE_CHECKING, Any

import numpy as np

from themecoder.codebook import Codebook, Theme
from themecoder.suggest.decision import DecisionRule, decide
from themecoder.suggest.keyword_blend import DEFAULT_KEYWORD_WEIGHT, combine_scores
from themecoder.suggest.semantic import REASON_THEMES
from themecoder.suggest.suggestion import (
    KeywordParts,
    Suggestion,
    ThemeSuggestion,
    keyword_parts,
    ranked,
)
from themecoder.suggest.vague import is_stock_non_answer

if TYPE_CHECKING:
    from themecoder.suggest.keywords import KeywordHit
    from themecoder.suggest.semantic import MeaningMatch

MOST_LIKELY = "most likely theme (nothing reached its threshold)"
_NO_EXAMPLES = "no training examples: keywords only"


def decimal_places(values: np.ndarray, digits: int) -> np.ndarray:
    """Each value rounded to ``digits`` decimals, as an int array of units of
    ``10 ** -digits``, exactly as Python's ``round(x, digits)`` and ``f"{x:.{digits}f}"``
    round it (correctly, from the exact binary value); -1 where that cannot be told from
    the float product ``x * 10 ** digits`` (within 1e-9 of a half) or ``x`` is negative or
    not finite — those are left to Python, one by one."""
    X = np.asarray(values, dtype=float) * 10.0 ** digits
    low = np.floor(X)
    frac = X - low  # exact
    sure = (np.abs(frac - 0.5) > 1e-9) & (X >= 0) & (X < 2.0 ** 52)
    return np.where(sure, low + (frac > 0.5), -1).astype(np.int64)


def rounded(values: np.ndarray, digits: int) -> np.ndarray:
    """``round(x, digits)`` for every value, to the last bit (see :func:`decimal_places`)."""
    units = decimal_places(values, digits)
    out = units / 10.0 ** digits  # the double nearest the decimal, as round() gives
    for at in zip(*np.nonzero(units < 0), strict=True):
        out[at] = round(float(values[at]), digits)
    return out


def _reason_table(note: str) -> list[tuple[str]]:
    """The model reason for each probability in hundredths (0–100), ready made: the same
    text as ``f"model {p:.2f}{note}"``."""
    return [(f"model {q // 100}.{q % 100:02d}{note}",) for q in range(101)]


class _QuestionPlan:
    """What combining needs for one question's themes, worked out once: which model
    column each theme is, its threshold, its reasons, the decision rule."""

    def __init__(self, themes: list[Theme], columns: dict[str, int],
                 thresholds: dict[str, float], keyword_threshold: float,
                 na_threshold: float | None, na_margin: float,
                 tables: dict[str | None, list[tuple[str]]]) -> None:
        self.themes = themes
        self.ids = [t.id for t in themes]
        self.names = [t.name for t in themes]
        self.position = {t.id: j for j, t in enumerate(themes)}
        known = [t.id in columns for t in themes]
        self.trained = np.asarray(known, dtype=bool)
        self.trained_at = np.flatnonzero(self.trained)
        self.untrained_at = np.flatnonzero(~self.trained).tolist()
        self.model_columns = np.asarray([columns[t.id] for t in themes if t.id in columns],
                                        dtype=int)
        self.thresholds = [thresholds[t.id] if k else keyword_threshold
                           for t, k in zip(themes, known, strict=True)]
        # " (threshold 0.41)" after "model 0.83" for a theme the model knows, else None
        self.notes = [f" (threshold {thresholds[t.id]:.2f})" if k else None
                      for t, k in zip(themes, known, strict=True)]
        for note in self.notes:
            if note not in tables:
                tables[note] = _reason_table(note) if note is not None else \
                    [(_NO_EXAMPLES,)] * 101  # such a theme's probability shows as 0.00
        self.reasons = [tables[note] for note in self.notes]
        self.rule = DecisionRule(np.asarray(self.thresholds, dtype=float), na_threshold,
                                 na_margin)


_new_tuple = tuple.__new__  # a ThemeSuggestion from its field values, in field order
class ModelCombiner:
    """Suggestions from a loaded model and keyword hits, for a codebook.

    Args:
        codebook: The codebook.
        model: A loaded model (``classifier``, ``name``, ``version``, ``metadata``).
        applicable: The themes that apply to a question (the suggester's rule).
        keyword_weight: ``w`` of the combining rule; ``None``: the weight and decision rule
            the model learned with its codebook's keywords (when it did; else
            :data:`~themecoder.suggest.keyword_blend.DEFAULT_KEYWORD_WEIGHT` and its own
            rule).
        keyword_threshold: The threshold of themes the model has no examples of.
    """

    def __init__(self, codebook: Codebook, model: Any, applicable: Any,
                 keyword_weight: float | None, keyword_threshold: float) -> None:
        clf = model.classifier
        ids = [str(t) for t in clf.theme_ids_]
        untrained = clf.untrained_themes_
        self.codebook = codebook
        self.classifier = clf
        self.applicable = applicable
        learned: DecisionRule | None = getattr(clf, "keyword_rule_", None)
        if keyword_weight is None and learned is not None:
            self.keyword_weight = float(clf.keyword_weight_)
            rule = learned
        else:
            self.keyword_weight = DEFAULT_KEYWORD_WEIGHT if keyword_weight is None \
                else keyword_weight
            rule = DecisionRule(clf.thresholds_, clf.not_assigned_threshold_,
                                clf.not_assigned_margin_)
        self.keyword_threshold = keyword_threshold
        # A theme the training data never had is left to its keywords.
        self.columns = {t: i for i, t in enumerate(ids) if not untrained[i]}
        self.thresholds = {t: float(rule.thresholds[i]) for i, t in enumerate(ids)}
        self.na_threshold: float | None = rule.na_threshold
        self.na_margin = float(rule.na_margin)
        self._plans: dict[str | None, _QuestionPlan] = {}
        self._tables: dict[str | None, list[tuple[str]]] = {}  # reasons by threshold note

    def _plan(self, question: str | None) -> _QuestionPlan:
        plan = self._plans.get(question)
        if plan is None:
            plan = _QuestionPlan(self.applicable(question), self.columns, self.thresholds,
                                 self.keyword_threshold, self.na_threshold, self.na_margin,
                                 self._tables)
            self._plans[question] = plan
        return plan

    def _predict(self, texts: list[str], questions: list[str | None]
                 ) -> tuple[np.ndarray, np.ndarray | None]:
        """Theme probabilities (n, k) and Not-assigned probabilities (or ``None``), the
        classifier asked once per distinct ``(text, question)``."""
        index: dict[tuple[str, str | None], int] = {}
        rows = [index.setdefault(pair, len(index)) for pair in zip(texts, questions, strict=True)]
        if len(index) < len(rows):
            unique = list(index)
            prediction = self.classifier.predict_all([t for t, _ in unique],
                                                     [q for _, q in unique])
        else:
            prediction = self.classifier.predict_all(texts, questions)
            rows = None
        proba = np.asarray(prediction.proba, dtype=float)
        p_na = None
        if self.na_threshold is not None:
            p_na = np.asarray(prediction.not_assigned_proba, dtype=float)
        if rows is not None:
            proba = proba[rows]
            p_na = p_na[rows] if p_na is not None else None
        return proba, p_na

    def suggest(self, texts: list[str], questions: list[str | None],
                all_hits: list[list[KeywordHit]],
                meanings: list[dict[str, MeaningMatch]] | None,
                version: str) -> list[Suggestion]:
        """One suggestion per answer, in input order."""
        proba, na_all = self._predict(texts, questions)
        rows_by_question: dict[str | None, list[int]] = {}
        for n, question in enumerate(questions):
            rows_by_question.setdefault(question, []).append(n)
        by_row: dict[int, Suggestion] = {}
        for question, rows in rows_by_question.items():
            plan = self._plan(question)
            P = np.zeros((len(rows), len(plan.themes)))
            if len(plan.trained_at):
                P[:, plan.trained_at] = proba[np.ix_(rows, plan.model_columns)]
            K = np.zeros_like(P)
            parts = [keyword_parts(all_hits[n]) for n in rows]
            for r, (kw_scores, _, _) in enumerate(parts):
                for theme_id, k in kw_scores.items():
                    j = plan.position.get(theme_id)
                    if j is not None:
                        K[r, j] = k
            scores = np.where(plan.trained, combine_scores(P, K, self.keyword_weight), K)
            p_na = None if na_all is None else na_all[rows]
            on, na = decide(scores, plan.rule, p_na)
            # themes that cannot be assembled from ready-made parts (and, in _one, those
            # with keyword hits, and those without examples when meaning is at hand)
            shown = decimal_places(P, 2)
            alone = (shown < 0) | ((on > 0) & (scores < np.asarray(plan.thresholds)[None, :]))
            alone_at = [[] for _ in rows]
            for r, j in zip(*np.nonzero(alone), strict=True):
                alone_at[r].append(int(j))
            ps = P.tolist()
            for row in ps if plan.untrained_at else ():
                for j in plan.untrained_at:
                    row[j] = None  # no model probability
            columns = (ps, scores.tolist(), rounded(scores, 4).tolist(), (on > 0).tolist(),
                       shown.tolist(), alone_at)
            for r, (n, *row) in enumerate(zip(rows, *columns, strict=True)):
                by_row[n] = self._one(
                    texts[n], question, all_hits[n], parts[r], plan, *row, bool(na[r]),
                    None if p_na is None else float(p_na[r]), version,
                    meanings[n] if meanings is not None else None)
        return [by_row[n] for n in range(len(texts))]

    def _one(self, text: str, question: str | None, hits: list[KeywordHit],
             parts: KeywordParts, plan: _QuestionPlan, ps: list[float | None],
             scores: list[float],
             shown_scores: list[float], on: list[bool], shown: list[int], alone: list[int],
             not_assigned: bool,
             p_na: float | None, version: str,
             matches: dict[str, MeaningMatch] | None) -> Suggestion:
        """One answer's suggestion from its combined scores and decision."""
        # the common theme (no keyword hit; known to the model, or without meaning at hand):
        # its ready-made reason
        themes = list(map(_new_tuple, repeat(ThemeSuggestion), zip(
            plan.ids, plan.names, shown_scores, on,
            map(getitem, plan.reasons, shown), repeat(()), ps, repeat(0.0),
            plan.thresholds, repeat(None))))
        if matches:
            alone = alone + plan.untrained_at
        if alone or parts[1]:
            kw_scores, by_theme, counted = parts
            # a theme without examples that is the closest in meaning (the model cannot
            # know it); not for absences alone, nor when Not assigned
            picked = self._closest_untrained(text, plan.themes, matches) \
                if matches and not not_assigned and (counted or not hits) else None
            with_hits = (plan.position.get(t) for t in by_theme)
            for j in sorted({*alone, *(j for j in with_hits if j is not None)}):
                themes[j] = self._theme(plan, j, ps[j], scores[j], on[j],
                                        kw_scores.get(plan.ids[j], 0.0),
                                        by_theme.get(plan.ids[j], ()), picked, matches)
        if p_na is None:
            reason = ""
        else:
            t_na = float(self.na_threshold or 0.0)
            reason = (f"model: {self.codebook.not_assigned.name} {p_na:.2f} "
                      f"(threshold {t_na:.2f})")
        return Suggestion(text=text, question=question, themes=ranked(themes),
                          vague=not_assigned, model_version=version, hits=hits,
                          not_assigned_score=None if p_na is None else round(p_na, 4),
                          not_assigned_reason=reason)

    def _theme(self, plan: _QuestionPlan, j: int, p: float | None, score: float,
               suggested: bool,
               k: float, theme_hits: Sequence[KeywordHit], picked: str | None,
               matches: dict[str, MeaningMatch] | None) -> ThemeSuggestion:
        """One theme worked out alone: keyword hits, no examples, or a note of its own."""
        theme, threshold, note = plan.themes[j], plan.thresholds[j], plan.notes[j]
        reasons = [h.reason for h in theme_hits]
        model_score: float | None = None
        if note is not None and p is not None:
            model_score = p
            reasons.insert(0, f"model {p:.2f}{note}")
        else:
            reasons.insert(0, "no training examples: keywords and meaning only"
                           if matches else _NO_EXAMPLES)
        if suggested and score < threshold:
            reasons.append(MOST_LIKELY)
        match = matches.get(theme.id) if matches and note is None else None
        if match is not None and (theme.id == picked or match.rank < REASON_THEMES):
            reasons.append(match.reason)
        if theme.id == picked and match is not None:
            score = 1.0 - (1.0 - k) * (1.0 - match.score)
            if not suggested:
                suggested = True
                reasons.append("closest in meaning (no training examples)")
        return ThemeSuggestion(
            theme.id, theme.name, round(score, 4), suggested, tuple(reasons),
            tuple((h.start, h.end) for h in theme_hits if h.score > 0), model_score, k,
            threshold, match.score if match is not None else None)

    def _closest_untrained(self, text: str, applicable: list[Theme],
                           matches: dict[str, MeaningMatch]) -> str | None:
        """A theme the model has no examples of, when it is the answer's closest in meaning
        of all the question's themes with a meaning score of at least 0.5."""
        if is_stock_non_answer(text):
            return None
        best = max((matches[t.id] for t in applicable if t.id in matches),
                   key=lambda m: m.similarity, default=None)
        if best is None or best.score < 0.5 or best.theme_id in self.columns:
            return None
        return best.theme_id
