"""Whether a retrained model scores at least as well as the live one, on answers it never saw.

A fixed share of this year's decisions — picked by a hash of each answer's key, so the same
answers every time (:func:`held_out_for_checking`) — is never trained on. Once enough of
them are coded (:data:`MIN_CHECKED`), a new version is scored on them beside the live model
(:func:`held_out_check`). Before that, the two *training recipes* are cross-validated on the
prior coding (:func:`prior_cv_check`): each is fitted on part of the prior coding plus the
decisions of this year it trains on, and scored on the rest of the prior coding.

Scores are what a coder gets: the suggestions of the project's suggester (keywords and
model together), with *Not assigned* a label of its own (an answer left without a theme
counts as Not assigned), as micro- and macro-F1 over the themes and Not assigned.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from themecoder.codebook import Codebook
from themecoder.training_sets import CodedAnswers

if TYPE_CHECKING:
    import numpy as np

    from themecoder.suggest.classifier import ThemeClassifier

CHECK_SHARE = 0.2
"""Share of this year's decisions held out of training to check new versions on."""

MIN_CHECKED = 20
"""Fewest held-out decisions a check on this year's coding needs; with fewer, the prior
coding is cross-validated instead."""

CV_FOLDS = 3
"""Folds of the cross-validation of the prior coding."""

RECIPE = "keywords-learned"
"""What the fitting recipe is, beyond its data and settings (a cached check of an earlier
recipe does not count for this one)."""

DEFAULT_CURRENT_WEIGHT = 3.0
"""Weight of one of this year's decisions against one answer of prior coding."""

Step = Callable[[int, int], None]


def held_out_for_checking(key: str, share: float = CHECK_SHARE) -> bool:
    """Whether the answer with this key is held out of training, to check versions on."""
    digest = hashlib.sha256(b"themecoder-check:" + str(key).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") < share * 2 ** 64


@dataclass(frozen=True)
class Score:
    """Micro- and macro-F1 of suggestions over the themes and Not assigned, on ``n`` answers."""

    micro: float
    macro: float
    n: int

    def __str__(self) -> str:
        return f"micro-F1 {self.micro:.3f} / macro {self.macro:.3f}"


@dataclass(frozen=True)
class CheckResult:
    """How a new version compared with the live model.

    Attributes:
        kind: ``"held-out"``, ``"cross-validation"``, ``"live unusable"`` or ``"none"``.
        candidate: The new version's score (``None`` when nothing could be scored).
        live: The live model's score in the same check (``None`` likewise).
        accepted: Whether the new version should replace the live one.
        reason: Why, in words.
        recipe_cv: The cross-validation scores to cache, per recipe (``"candidate"`` and
            ``"live"``), with the key they were computed under.
    """

    kind: str
    candidate: Score | None
    live: Score | None
    accepted: bool
    reason: str
    recipe_cv: dict[str, dict[str, Any]]


# --------------------------------------------------------------------------- scoring


def labels_with_not_assigned(Y: Any) -> np.ndarray:
    """(n, 1 + k): Not assigned (no theme) first, then the themes."""
    import numpy as np

    Y = np.asarray(Y, dtype=np.int8)
    return np.hstack([(Y.sum(axis=1) == 0).astype(np.int8)[:, None], Y])


def suggested_matrix(suggestions: list[Any], theme_ids: list[str]) -> np.ndarray:
    """(n, k) 0/1 of the suggested themes (a Not-assigned suggestion has none)."""
    import numpy as np

    column = {t: j for j, t in enumerate(theme_ids)}
    out = np.zeros((len(suggestions), len(theme_ids)), dtype=np.int8)
    for i, suggestion in enumerate(suggestions):
        if suggestion.vague:
            continue
        for theme_id in suggestion.suggested_ids:
            if theme_id in column:
                out[i, column[theme_id]] = 1
    return out


def score(Y_true: Any, Y_pred: Any) -> Score:
    """:class:`Score` of suggested themes against coding, Not assigned scored as a label."""
    from themecoder.evaluate import micro_macro_f1

    truth, pred = labels_with_not_assigned(Y_true), labels_with_not_assigned(Y_pred)
    micro, macro = micro_macro_f1(truth, pred) if len(truth) else (0.0, 0.0)
    return Score(round(micro, 4), round(macro, 4), len(truth))


def suggest_matrix(suggester: Any, answers: CodedAnswers) -> np.ndarray:
    """What ``suggester`` suggests for ``answers``, as a (n, k) 0/1 array."""
    results = list(suggester.suggest_many(answers.texts, answers.questions))
    return suggested_matrix(results, answers.theme_ids)


# --------------------------------------------------------------------------- fitting


def combined(prior: CodedAnswers | None, current: CodedAnswers,
             weight: float) -> tuple[CodedAnswers, Any]:
    """Prior coding and this year's decisions as one training set, with sample weights
    (``None`` when every answer weighs the same)."""
    import numpy as np

    if prior is None or not len(prior):
        return current, None
    both = CodedAnswers(
        texts=prior.texts + current.texts, questions=prior.questions + current.questions,
        Y=np.vstack([np.asarray(prior.Y, dtype=np.int8), np.asarray(current.Y, dtype=np.int8)]),
        theme_ids=list(current.theme_ids), answer_ids=list(current.answer_ids),
        keys=prior.keys + current.keys, source=f"{prior.source} + {current.source}")
    weights = np.concatenate([np.ones(len(prior)), np.full(len(current), float(weight))])
    return both, (None if weight == 1 else weights)


def fit_recipe(prior: CodedAnswers | None, current: CodedAnswers, weight: float, *,
               tier: str, random_state: int, codebook: Codebook | None = None,
               keyword_suggester: Any = None, progress: Step | None = None,
               cancel: threading.Event | None = None) -> ThemeClassifier:
    """A classifier fitted on prior coding plus this year's decisions (weighted by
    ``weight``); with the codebook, its keyword weight and rule are learned too (scored with
    ``keyword_suggester`` when given, which remembers the answers of earlier fits).

    Raises:
        ValueError: the classifier cannot learn from the data (too few answers, no theme).
    """
    from themecoder.suggest.keyword_blend import keyword_score_matrix
    from themecoder.suggest.model import ThemeClassifier

    data, weights = combined(prior, current, weight)
    model = ThemeClassifier(tier=tier, random_state=random_state)
    extra: dict[str, Any] = {} if weights is None else {"sample_weight": weights}
    if codebook is not None:
        extra["keyword_scores"] = keyword_score_matrix(codebook, data.texts, data.questions,
                                                       data.theme_ids, keyword_suggester)
    return model.fit(data.texts, data.questions, data.Y, data.theme_ids, progress=progress,
                     cancel=cancel, **extra)


def in_memory_model(classifier: Any, codebook: Codebook, name: str) -> Any:
    """A fitted classifier dressed as a loaded model, for a suggester."""
    from pathlib import Path

    from themecoder.suggest.model import LoadedModel

    return LoadedModel(classifier=classifier,
                       metadata={"name": name, "version": "check",
                                 "codebook": {"id": codebook.id, "version": codebook.version}},
                       path=Path(name), theme_names=list(codebook.theme_names))


# --------------------------------------------------------------------------- checks


def held_out_check(candidate: Any, live: Any, checked: CodedAnswers,
                   live_label: str) -> CheckResult:
    """Score the candidate's and the live suggester on this year's held-out decisions.

    Args:
        candidate: The new version's suggester.
        live: The live suggester (keywords alone when no model is live).
        checked: This year's decisions held out of training.
        live_label: How to name the live model in the reason.
    """
    ours = score(checked.Y, suggest_matrix(candidate, checked))
    theirs = score(checked.Y, suggest_matrix(live, checked))
    return _verdict("held-out", ours, theirs, live_label,
                    f"{ours.n} of this year's decisions it did not train on", {})


def prior_cv_check(codebook: Codebook, prior: CodedAnswers, current: CodedAnswers,
                   live_current: CodedAnswers | None, live_label: str, *,
                   make_suggester: Callable[[Any], Any], weight: float, tier: str,
                   random_state: int, cached: dict[str, dict[str, Any]],
                   keyword_suggester: Any = None, progress: Step | None = None,
                   cancel: threading.Event | None = None) -> CheckResult:
    """Cross-validate the candidate's recipe and the live one's on the prior coding.

    Args:
        codebook: The codebook.
        prior: The prior coding (split into :data:`CV_FOLDS` folds).
        current: This year's decisions the candidate trains on (added to every fold).
        live_current: This year's decisions the live model was trained on, or ``None``
            when no model is live (keyword suggestions are scored instead).
        live_label: How to name the live model in the reason.
        make_suggester: Builds a suggester around a model (``None``: keywords alone).
        weight: This year's weight.
        tier: The classifier tier.
        random_state: Seed of the folds and the classifier.
        cached: Earlier results by recipe (``"candidate"``/``"live"``: ``{key, micro,
            macro, n}``); one whose key matches is used instead of fitting again.
        keyword_suggester: The codebook's keyword suggester, shared by every fit.
        progress: ``(done, total)`` over the fits.
        cancel: Stops between fits.
    """
    import numpy as np
    from sklearn.model_selection import KFold

    folds = list(KFold(n_splits=CV_FOLDS, shuffle=True, random_state=random_state)
                 .split(np.arange(len(prior))))
    base = (f"{prior.fingerprint()}|{codebook.fingerprint}|{tier}|{random_state}|{weight}"
            f"|{RECIPE}")
    recipes = {"candidate": current, "live": live_current}
    keys = {name: _recipe_key(base, rows) for name, rows in recipes.items()}
    todo = [name for name in recipes
            if not (name == "live" and live_current is None)
            and cached.get(name, {}).get("key") != keys[name]]
    total, done = len(todo) * len(folds), 0
    scores: dict[str, Score] = {}
    for name in recipes:
        if name == "live" and live_current is None:
            scores[name] = score(prior.Y, suggest_matrix(make_suggester(None), prior))
            continue
        if name not in todo:
            hit = cached[name]
            scores[name] = Score(float(hit["micro"]), float(hit["macro"]), int(hit["n"]))
            continue
        pred = np.zeros_like(np.asarray(prior.Y, dtype=np.int8))
        for train, test in folds:
            if cancel is not None and cancel.is_set():
                from themecoder.suggest.model import TrainingCancelled

                raise TrainingCancelled("checking was cancelled")
            rows = recipes[name]
            assert rows is not None
            model = fit_recipe(prior.rows(train), rows, weight, tier=tier,
                               random_state=random_state, codebook=codebook,
                               keyword_suggester=keyword_suggester, cancel=cancel)
            suggester = make_suggester(in_memory_model(model, codebook, name))
            pred[test] = suggest_matrix(suggester, prior.rows(test))
            done += 1
            if progress is not None:
                progress(done, total)
        scores[name] = score(prior.Y, pred)
    cache = {name: {"key": keys[name], "micro": s.micro, "macro": s.macro, "n": s.n}
             for name, s in scores.items() if not (name == "live" and live_current is None)}
    return _verdict("cross-validation", scores["candidate"], scores["live"], live_label,
                    f"{CV_FOLDS}-fold cross-validation of the {len(prior)} answers of prior "
                    "coding", cache)


def _recipe_key(base: str, rows: CodedAnswers | None) -> str:
    ids = "none" if rows is None else ",".join(str(i) for i in sorted(rows.answer_ids))
    return hashlib.sha256(f"{base}|{ids}".encode()).hexdigest()


def _verdict(kind: str, ours: Score, theirs: Score, live_label: str, on: str,
             cache: dict[str, dict[str, Any]]) -> CheckResult:
    accepted = ours.micro >= theirs.micro
    compare = f"{ours} against {theirs} for {live_label}, on {on}"
    reason = ("scores at least as well: " if accepted else "scores worse: ") + compare
    return CheckResult(kind, ours, theirs, accepted, reason, cache)


def no_check(reason: str) -> CheckResult:
    """The result when nothing can judge the new version."""
    return CheckResult("none", None, None, False, reason, {})


__all__ = ["CHECK_SHARE", "CV_FOLDS", "CheckResult", "DEFAULT_CURRENT_WEIGHT", "MIN_CHECKED",
           "Score", "combined", "fit_recipe", "held_out_check", "held_out_for_checking",
           "in_memory_model", "labels_with_not_assigned", "no_check", "prior_cv_check",
           "score", "suggest_matrix", "suggested_matrix"]
