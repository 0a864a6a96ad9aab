"""Learning while coding: code the answers the model is least sure of first, and retrain.

Two pieces, both usable without any UI:

- :func:`uncertainty_order` orders the answers still to do by how unsure the stored
  suggestions are (the smallest distance between a theme's score and its threshold, or the
  themes' total binary entropy), and interleaves a share of answers drawn at random. Coding
  the unsure answers first teaches the model most per answer; the random share keeps the
  coded sample representative, so figures estimated from it stay honest.
- :class:`Retrainer` trains a :class:`~themecoder.suggest.model.ThemeClassifier` on the
  project's coding so far (the current final decisions, imported prior coding included) for
  one codebook, saves it as the next numbered model version under the project's folder
  (``<project file stem>.models/<codebook id>/v<N>/``), registers it as the project's model
  for that codebook and refreshes the stored suggestions of the answers still to do, each
  stored with the new model version. It takes a cancel :class:`threading.Event` and a
  progress callback so an app can run it in a background thread while the coder goes on.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from themecoder.codebook import Codebook
from themecoder.errors import ThemecoderError

if TYPE_CHECKING:
    import numpy as np

    from themecoder.store.project import Answer, Project, StoredSuggestion

ProgressCallback = Callable[[int, int], None]

MEASURES = ("margin", "entropy")
"""How unsure a suggestion is: closeness of a score to its threshold, or binary entropy."""

ORDERS = ("plain", "uncertain")
"""Orders a coder can work through the answers in."""

DEFAULT_THRESHOLD = 0.5
"""Threshold assumed for a stored score when its suggestion does not name one."""

MODEL_NAME = "{codebook_id}-project"
"""Name of the models trained on a project's own coding."""

_THRESHOLD_RE = re.compile(r"\(threshold (\d*\.?\d+)\)")


# --------------------------------------------------------------------------- uncertainty


def uncertainty(P: np.ndarray, thresholds: np.ndarray | float = DEFAULT_THRESHOLD,
                measure: str = "margin") -> np.ndarray:
    """How unsure each row of theme scores is; larger means less sure.

    Args:
        P: (n, k) scores or probabilities in [0, 1].
        thresholds: (k,) per-theme thresholds, or one for all.
        measure: ``"margin"``: minus the smallest ``|p - threshold|`` over the themes (a
            theme on the edge makes the answer unsure); ``"entropy"``: the sum over themes
            of the binary entropy of ``p`` moved so that the threshold sits at 0.5.

    Returns:
        (n,) uncertainty per row.
    """
    import numpy as np

    P = np.asarray(P, dtype=float)
    if P.ndim != 2:
        raise ValueError("P must be an (n, k) array")
    t = np.broadcast_to(np.asarray(thresholds, dtype=float), (P.shape[1],))
    if P.shape[1] == 0:
        return np.zeros(P.shape[0])
    if measure == "margin":
        return -np.min(np.abs(P - t[None, :]), axis=1)
    if measure == "entropy":
        # Piecewise-linear map putting each threshold at 0.5, so "unsure" means "near the
        # line the decision is drawn at" rather than "near 0.5".
        tt = np.clip(t, 1e-6, 1 - 1e-6)[None, :]
        q = np.where(P < tt, 0.5 * P / tt, 0.5 + 0.5 * (P - tt) / (1 - tt))
        q = np.clip(q, 1e-12, 1 - 1e-12)
        return np.sum(-(q * np.log2(q) + (1 - q) * np.log2(1 - q)), axis=1)
    raise ValueError(f"measure must be one of {MEASURES}, not {measure!r}")


def interleave(ranked: Sequence[int], *, random_share: float = 0.2, seed: int = 0) -> list[int]:
    """``ranked`` with a share of its items drawn at random, spread evenly through it.

    Every ``1/random_share``-th position (every 5th for 0.2) takes an item drawn at random
    from those not yet placed; the others take the best-ranked item not yet placed. The
    same seed gives the same order.
    """
    import numpy as np

    if not 0 <= random_share <= 1:
        raise ValueError("random_share must be between 0 and 1")
    items = list(ranked)
    rng = np.random.default_rng(seed)
    shuffled = [items[i] for i in rng.permutation(len(items))]
    placed: set[int] = set()
    out: list[int] = []
    best = iter(items)
    drawn = iter(shuffled)
    for position in range(len(items)):
        take_random = math.floor((position + 1) * random_share) > math.floor(
            position * random_share)
        source = drawn if take_random else best
        for item in source:
            if item not in placed:
                placed.add(item)
                out.append(item)
                break
    return out


def suggestion_scores(suggestion: StoredSuggestion) -> tuple[list[float], list[float]]:
    """(scores, thresholds) of a stored suggestion's themes.

    The threshold is read from the model's reason ("model 0.62 (threshold 0.41)"); scores
    without one (keywords alone) are judged against :data:`DEFAULT_THRESHOLD`.
    """
    scores, thresholds = [], []
    for item in suggestion.themes:
        scores.append(float(item.get("score", 0.0)))
        threshold = DEFAULT_THRESHOLD
        for reason in item.get("reasons", ()):
            found = _THRESHOLD_RE.search(str(reason))
            if found:
                threshold = float(found.group(1))
                break
        thresholds.append(threshold)
    return scores, thresholds


def todo_answers(project: Project, *, codebook_id: str | None = None) -> list[Answer]:
    """Commented answers nobody has decided yet, in import order (one codebook's only),
    without respondent attributes (a lean read of a large project)."""
    decided = project.final_decisions()
    out = []
    by_group: dict[str, str] = {}
    for answer in project.answers(with_comment=True, with_attributes=False):
        if answer.id in decided:
            continue
        if codebook_id is not None:
            if answer.group not in by_group:
                by_group[answer.group] = project.codebook_for_group(answer.group).id
            if by_group[answer.group] != codebook_id:
                continue
        out.append(answer)
    return out


def uncertainty_order(project: Project, coder: str | None = None, *,
                      random_share: float = 0.2, seed: int = 0,
                      measure: str = "margin") -> list[int]:
    """The answers still to do, the most uncertain first, with a random share mixed in.

    Args:
        project: The project.
        coder: Who codes (the to-do list is the same for every coder: answers nobody has
            decided yet, as in the coding app).
        random_share: Share of positions filled by answers drawn at random (see
            :func:`interleave`).
        seed: Seed of the random draw.
        measure: One of :data:`MEASURES` (see :func:`uncertainty`).

    Returns:
        Answer ids. Answers without a stored suggestion count as the most uncertain (the
        model knows nothing about them); ties keep import order.
    """
    import numpy as np

    todo = todo_answers(project)
    stored = project.suggestions([a.id for a in todo])
    keyed: list[tuple[float, int, int]] = []
    for position, answer in enumerate(todo):
        suggestion = stored.get(answer.id)
        if suggestion is None or not suggestion.themes:
            value = math.inf
        else:
            scores, thresholds = suggestion_scores(suggestion)
            value = float(uncertainty(np.array([scores]), np.array(thresholds), measure)[0])
        keyed.append((-value, position, answer.id))
    ranked = [answer_id for _, _, answer_id in sorted(keyed)]
    return interleave(ranked, random_share=random_share, seed=seed)


# --------------------------------------------------------------------------- training data


@dataclass
class ProjectTrainingData:
    """A project's coding as the classifier takes it (one codebook)."""

    answer_ids: list[int]
    texts: list[str]
    questions: list[str]
    Y: Any
    theme_ids: list[str]

    def __len__(self) -> int:
        return len(self.texts)


def project_training_data(project: Project, codebook: Codebook) -> ProjectTrainingData:
    """Every answer coded for ``codebook`` (final decisions, imported coding included).

    A Not assigned decision is a row with no theme: the model learns what vague looks
    like. Themes no longer in the codebook are ignored.
    """
    import numpy as np

    column = {t: j for j, t in enumerate(codebook.theme_ids)}
    decided = project.final_decisions()
    ids, texts, questions, rows = [], [], [], []
    for answer in project.answers(with_comment=True):
        decision = decided.get(answer.id)
        if decision is None or not codebook.applies_to(answer.group):
            continue
        row = np.zeros(len(column), dtype=np.int8)
        for theme_id in decision.themes:
            if theme_id in column:
                row[column[theme_id]] = 1
        ids.append(answer.id)
        texts.append(answer.text)
        questions.append(answer.question)
        rows.append(row)
    Y = np.array(rows, dtype=np.int8).reshape(len(rows), len(column))
    return ProjectTrainingData(ids, texts, questions, Y, list(codebook.theme_ids))


# --------------------------------------------------------------------------- retraining


class NotEnoughData(ThemecoderError):
    """Too few coded answers to train a model."""


def default_models_dir(project: Project) -> Path:
    """``<project file stem>.models`` beside an SQLite project; ``./<name>.models`` otherwise."""
    if project.url.startswith("sqlite:///"):
        path = Path(project.url.removeprefix("sqlite:///"))
        return path.with_name(path.stem + ".models")
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", project.info().get("name", "project"))
    return Path.cwd() / f"{name}.models"


@dataclass(frozen=True)
class RetrainResult:
    """What one retraining did."""

    version: str
    """The model's version, ``v<N>``."""
    model_version: str
    """What the refreshed suggestions are stored with (model name@version + keywords)."""
    path: Path
    n_examples: int
    refreshed: int
    """How many to-do answers got new suggestions."""


class Retrainer:
    """Retrains a codebook's model on the project's coding, every so many decisions.

    Args:
        project: The project.
        codebook: The codebook to train for (its latest active version is used at each
            retraining, so a theme added meanwhile is learnt too).
        every: :meth:`maybe_retrain` retrains once this many decisions were made since
            the last retraining.
        tier: The classifier tier (``"fast"`` or ``"accurate"``).
        models_dir: Where model versions go (default :func:`default_models_dir`).
        min_examples: Fewest coded answers worth training on.
        random_state: Seed of the classifier.
        refresh_limit: After retraining, refresh the suggestions of at most this many
            answers still to do (``None``: all). The coding app refreshes the next ones it
            will show, so a large project's refresh stays short and the coder never waits.
        coming_next: Returns the answer ids the coder will see next; refreshed first.
    """

    def __init__(self, project: Project, codebook: Codebook, *, every: int = 50,
                 tier: str = "fast", models_dir: str | Path | None = None,
                 min_examples: int = 20, random_state: int = 0,
                 refresh_limit: int | None = None,
                 coming_next: Callable[[], Sequence[int]] | None = None) -> None:
        if every < 1:
            raise ValueError("every must be at least 1")
        self.project = project
        self.codebook = codebook
        self.every = every
        self.tier = tier
        self.models_dir = Path(models_dir) if models_dir is not None \
            else default_models_dir(project)
        self.min_examples = min_examples
        self.random_state = random_state
        #: refresh at most this many to-do answers after a retraining (``None``: all of them)
        self.refresh_limit = refresh_limit
        #: the answer ids the coder will see next, refreshed first (e.g. the app's queue)
        self.coming_next = coming_next
        self.last: RetrainResult | None = None
        self._lock = threading.Lock()

    @property
    def directory(self) -> Path:
        """The folder holding this codebook's model versions."""
        return self.models_dir / self.codebook.id

    def next_version(self) -> int:
        """The number the next model version gets."""
        numbers = [int(p.name[1:]) for p in self.directory.glob("v*")
                   if p.name[1:].isdigit() and (p / "model.json").is_file()]
        return max(numbers, default=0) + 1

    def due(self, decisions_since: int) -> bool:
        """Whether ``decisions_since`` decisions call for a retraining."""
        return decisions_since >= self.every

    def maybe_retrain(self, decisions_since: int, *, cancel: threading.Event | None = None,
                      progress: ProgressCallback | None = None) -> str | None:
        """Retrain if :meth:`due`; returns the new version, or ``None`` when not due or when
        there are still too few coded answers."""
        if not self.due(decisions_since):
            return None
        try:
            return self.retrain(cancel, progress)
        except NotEnoughData:
            return None

    def _current_codebook(self) -> Codebook:
        self.project.refresh()
        for codebook in self.project.codebooks():
            if codebook.id == self.codebook.id:
                self.codebook = codebook
                break
        return self.codebook

    def retrain(self, cancel: threading.Event | None = None,
                progress: ProgressCallback | None = None) -> str:
        """Train on the coding so far, save, register, refresh the to-do suggestions.

        Args:
            cancel: When set, stops (training raises
                :class:`~themecoder.suggest.model.TrainingCancelled`; refreshing stops after
                the current chunk, and the model stays registered).
            progress: Called with ``(done, total)``: training steps, then answers refreshed.

        Returns:
            The new model version, ``v<N>`` (details in :attr:`last`).

        Raises:
            NotEnoughData: fewer than ``min_examples`` coded answers.
        """
        from themecoder.suggest.model import ThemeClassifier, save_model, training_metadata
        from themecoder.suggest.project_suggest import MODEL_KEY

        with self._lock:  # two retrainings of one codebook must not race for a version
            codebook = self._current_codebook()
            data = project_training_data(self.project, codebook)
            if len(data) < self.min_examples:
                raise NotEnoughData(f"{len(data)} coded answers for codebook '{codebook.id}'; "
                                    f"at least {self.min_examples} are needed to train")
            model = ThemeClassifier(tier=self.tier, random_state=self.random_state)
            model.fit(data.texts, data.questions, data.Y, data.theme_ids, progress=progress,
                      cancel=cancel)
            number = self.next_version()
            version = f"v{number}"
            path = self.directory / version
            meta = training_metadata(
                codebook, data.texts, data.questions, data.Y,
                name=MODEL_NAME.format(codebook_id=codebook.id), version=version,
                data=f"project {self.project.display_location}: {len(data)} coded answers")
            save_model(model, path, meta)
            self.project.set_info(MODEL_KEY.format(codebook_id=codebook.id),
                                  str(path.resolve()))
            refreshed, stored_as = self._refresh(codebook, path, cancel, progress)
            self.last = RetrainResult(version=version, model_version=stored_as, path=path,
                                      n_examples=len(data), refreshed=refreshed)
            return version

    def _refresh(self, codebook: Codebook, path: Path, cancel: threading.Event | None,
                 progress: ProgressCallback | None, batch_size: int = 500) -> tuple[int, str]:
        from themecoder.suggest.project_suggest import build_suggester, stored_item

        todo = todo_answers(self.project, codebook_id=codebook.id)
        if self.coming_next is not None:
            # the answers the coder will see next first, then the rest in import order
            rank = {answer_id: i for i, answer_id in enumerate(self.coming_next())}
            todo.sort(key=lambda a: rank.get(a.id, len(rank)))
        if self.refresh_limit is not None:
            todo = todo[:self.refresh_limit]
        suggester = build_suggester(self.project, codebook, path)
        done = 0
        for start in range(0, len(todo), batch_size):
            if cancel is not None and cancel.is_set():
                break
            batch = todo[start:start + batch_size]
            results = list(suggester.suggest_many([a.text for a in batch],
                                                  [a.question for a in batch]))
            self.project.save_suggestions(
                (stored_item(a.id, r) for a, r in zip(batch, results, strict=True)),
                model_version=suggester.model_version)
            done += len(batch)
            if progress is not None:
                progress(done, len(todo))
        return done, suggester.model_version


__all__ = ["MEASURES", "ORDERS", "NotEnoughData", "ProjectTrainingData", "RetrainResult",
           "Retrainer", "default_models_dir", "interleave", "project_training_data",
           "suggestion_scores", "todo_answers", "uncertainty", "uncertainty_order"]
