"""Semi-automatic coding: the model codes the answers it is sure of, people check a blind sample.

The steps (``themecoder autocode``):

1. :func:`plan_autocode` runs each codebook's model on the answers still to do and estimates,
   per answer, the probability that the model's whole set of themes — or Not assigned — is
   exactly what a person would code (:class:`~themecoder.suggest.calibration.ExactSetCalibrator`,
   calibrated on answers the model did not train on: out-of-fold predictions of its training
   data carried in the model file, or this year's decisions people made after the model was
   trained, once there are enough of them). Sorted by that probability, the largest set of
   answers whose *expected* exact-set accuracy (the mean probability) reaches the target is
   chosen. Nothing is written.
2. :func:`apply_plan` records the chosen decisions as one batch (source ``auto``, model
   version and probability kept), all or nothing, and draws a random sample of them for a
   blind audit by people (:mod:`themecoder.store.autocode`).
3. :func:`~themecoder.autocode_audit.audit_report` (in :mod:`themecoder.autocode_audit`)
   compares people's blind decisions on the audit sample with the automatic ones: the
   exact-set accuracy reached with a 95 % Wilson interval, precision and recall per theme,
   and a warning when the interval's lower end is under the target.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from themecoder.errors import ModelError, ThemecoderError
from themecoder.store.autocode import (
    AUTO_CODER,
    DEFAULT_AUDIT_SHARE,
    MIN_AUDIT,
    AutoBatch,
    AutoRow,
    audit_answer_ids,
    people_decisions,
    record_auto_batch,
)

if TYPE_CHECKING:
    import numpy as np

    from themecoder.codebook import Codebook
    from themecoder.store.project import Answer, Project
    from themecoder.suggest.calibration import ExactSetCalibrator

CALIBRATION_SOURCES = ("auto", "model", "project")
"""Where the probabilities' calibration comes from: the model file (out-of-fold predictions
of its training data), this project's decisions made by people since the model was trained,
or ``auto``: the project's once there are enough of them, else the model's."""

STANDALONE_FACTOR = 5
"""A model without its own calibration needs this many times more of this year's decisions
to be calibrated on them alone (a whole map, not a two-number correction of one)."""

PEOPLE_SOURCES = ("accepted", "corrected", "manual", "adjudicated")
"""Decision sources that are people's judgements on this year's answers."""

Progress = Callable[[int, int], None]


class AutocodeError(ThemecoderError):
    """Automatic coding cannot be done as asked."""


def check_target(target: float) -> float:
    """The target accuracy, checked to lie strictly between 0 and 1.

    Raises:
        AutocodeError: it does not.
    """
    if not isinstance(target, int | float) or not 0 < float(target) < 1:
        raise AutocodeError(f"the target accuracy must be between 0 and 1 (e.g. 0.90), "
                            f"not {target}", field="target-accuracy")
    return float(target)


def check_audit_share(share: float) -> float:
    """The audit share, checked to lie in (0, 1].

    Raises:
        AutocodeError: it does not.
    """
    if not isinstance(share, int | float) or not 0 < float(share) <= 1:
        raise AutocodeError(f"the audit share must be above 0 and at most 1 (e.g. 0.05), "
                            f"not {share}", field="audit")
    return float(share)


# --------------------------------------------------------------------------- model outputs


def model_outputs(classifier: Any, texts: Sequence[str], questions: Sequence[str], *,
                  batch_size: int = 2000, cancel: threading.Event | None = None
                  ) -> tuple[np.ndarray, np.ndarray]:
    """The classifier's per-label probabilities and its decided 0/1 labels, (n, L) each.

    The labels are the themes, then Not assigned when the model has that head
    (``classifier.label_outputs``); an answer with no theme decided is Not assigned. Worked
    out a chunk at a time, so memory stays flat for a large project.
    """
    import numpy as np

    labels = len(classifier.theme_ids_) + (1 if classifier.has_not_assigned_ else 0)
    P = np.zeros((len(texts), labels))
    D = np.zeros((len(texts), labels), dtype=np.int8)
    for start in range(0, len(texts), batch_size):
        if cancel is not None and cancel.is_set():
            raise AutocodeError("automatic coding was cancelled; nothing was recorded")
        stop = start + batch_size
        P[start:stop], D[start:stop] = classifier.label_outputs(
            list(texts[start:stop]), list(questions[start:stop]))
    return P, D


def _label_matrix(decisions: Sequence[Any], classifier: Any) -> np.ndarray:
    """People's decisions as the (n, L) true labels of ``classifier.label_outputs``."""
    import numpy as np

    column = {t: j for j, t in enumerate(classifier.theme_ids_)}
    Y = np.zeros((len(decisions), len(column)), dtype=np.int8)
    for i, decision in enumerate(decisions):
        for theme in decision.themes:
            if theme in column:
                Y[i, column[theme]] = 1
    return classifier.label_truth(Y)


# --------------------------------------------------------------------------- calibration


@dataclass(frozen=True)
class CalibrationChoice:
    """The calibrator used for one codebook's model, and what it was fitted on."""

    calibrator: ExactSetCalibrator
    source: str
    """``model`` or ``project``."""
    examples: int
    description: str


def _model_created(loaded: Any) -> datetime | None:
    text = str(loaded.metadata.get("created", "") or "")
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def recent_people_decisions(project: Project, codebook: Codebook, loaded: Any
                            ) -> tuple[list[Answer], list[Any]]:
    """Answers of ``codebook`` that people decided after ``loaded`` was trained (so it never
    trained on them), with those decisions; automatic and imported coding left out."""
    created = _model_created(loaded)
    if created is None:
        return [], []
    decided = people_decisions(project)
    answers, decisions = [], []
    for answer in project.answers(with_comment=True, with_attributes=False):
        decision = decided.get(answer.id)
        if decision is None or decision.source not in PEOPLE_SOURCES \
                or not codebook.applies_to(answer.group):
            continue
        try:
            when = datetime.fromisoformat(decision.created_at)
        except ValueError:
            continue
        if when > created:
            answers.append(answer)
            decisions.append(decision)
    return answers, decisions


def choose_calibration(project: Project, codebook: Codebook, loaded: Any, *,
                       source: str = "auto", min_project: int | None = None
                       ) -> CalibrationChoice:
    """The calibrator for one codebook's model.

    Args:
        project: the project (its people's recent decisions may recalibrate the model).
        codebook: the codebook the model codes.
        loaded: the model as :func:`~themecoder.suggest.model.load_model` returns it.
        source: one of :data:`CALIBRATION_SOURCES`.
        min_project: fewest recent decisions by people to correct the model's own
            calibration with (default
            :data:`~themecoder.suggest.calibration.MIN_RECALIBRATION`); a model that carries
            none needs :data:`STANDALONE_FACTOR` times as many to be calibrated on them alone.

    Raises:
        AutocodeError: the model carries no calibration and the project has too few
            decisions to calibrate it, or the source asked for is unavailable.
    """
    from themecoder.suggest.calibration import MIN_RECALIBRATION, ExactSetCalibrator

    if source not in CALIBRATION_SOURCES:
        raise AutocodeError(f"unknown calibration '{source}' (choose from: "
                            f"{', '.join(CALIBRATION_SOURCES)})", field="calibration")
    carried: ExactSetCalibrator | None = getattr(loaded.classifier, "calibrator_", None)
    minimum = MIN_RECALIBRATION if min_project is None else min_project
    if carried is None:
        minimum *= STANDALONE_FACTOR
    name = f"{loaded.name}@{loaded.version}"
    answers: list[Answer] = []
    decisions: list[Any] = []
    if source in ("auto", "project"):
        answers, decisions = recent_people_decisions(project, codebook, loaded)
    if source == "project" or (source == "auto" and len(answers) >= minimum):
        if len(answers) < minimum:
            raise AutocodeError(f"model {name}: only {len(answers)} answers of codebook "
                                f"'{codebook.id}' were coded by people since it was trained; "
                                f"at least {minimum} are needed to calibrate on them",
                                field="calibration")
        P, D = model_outputs(loaded.classifier, [a.text for a in answers],
                             [a.question for a in answers])
        Y = _label_matrix(decisions, loaded.classifier)
        if carried is not None:
            calibrator = carried.recalibrated(P, D, Y, min_examples=minimum)
        else:
            calibrator = ExactSetCalibrator().fit(P, D, Y)
        return CalibrationChoice(calibrator, "project", len(answers),
                                 f"{len(answers)} answers people coded since model {name} "
                                 "was trained")
    if carried is None:
        raise AutocodeError(
            f"model {name} carries no calibration of its exact-set accuracy and only "
            f"{len(answers)} answers of codebook '{codebook.id}' were coded by people since it "
            f"was trained (at least {minimum} are needed): retrain the model with this "
            "version of themecoder, or code more answers first", field="calibration")
    examples = int(getattr(carried, "n_examples_", 0))
    return CalibrationChoice(carried, "model", examples,
                             f"out-of-fold predictions of model {name}'s {examples} "
                             "training answers")


# --------------------------------------------------------------------------- planning


@dataclass
class CodebookPlan:
    """What the plan does for one codebook."""

    codebook_id: str
    model_version: str
    candidates: int
    chosen: int = 0
    calibration: str = ""


@dataclass
class AutocodePlan:
    """The answers the model would code, worked out but not recorded.

    Attributes:
        target: the exact-set accuracy asked for.
        rows: the chosen decisions, most probable first.
        candidates: answers still to do that the models could code.
        expected_accuracy: the mean probability of the chosen answers (nan when none).
        by_codebook: per codebook, its model, candidates and chosen answers.
        notes: things the user should know (codebooks without a model...).
    """

    target: float
    rows: list[AutoRow]
    candidates: int
    expected_accuracy: float
    by_codebook: dict[str, CodebookPlan] = field(default_factory=dict)
    calibration: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def share(self) -> float:
        """Share of the candidates that would be auto-coded."""
        return len(self.rows) / self.candidates if self.candidates else 0.0

    @property
    def models(self) -> dict[str, str]:
        """Codebook id → the model version that codes it."""
        return {cb: p.model_version for cb, p in self.by_codebook.items()}

    def summary(self) -> str:
        """One line: how many answers, the share and the expected accuracy."""
        if not self.rows:
            return (f"no answer can be auto-coded at a target of {self.target:.2f}: even the "
                    f"answers the model is surest of fall short ({self.candidates} to do)")
        return (f"{len(self.rows)} of {self.candidates} answers to do "
                f"({100 * self.share:.1f} %) would be auto-coded, expected exact-set "
                f"accuracy {self.expected_accuracy:.3f} (target {self.target:.2f})")


def _double_coded(project: Project) -> set[int]:
    from themecoder.store.teams import double_coding_samples

    return {a for sample in double_coding_samples(project) for a in sample.answer_ids}


def _has_suggestions(project: Project) -> bool:
    from sqlalchemy import select

    from themecoder.store import schema

    with project.engine.connect() as conn:
        return conn.execute(select(schema.suggestions.c.answer_id).limit(1)).first() is not None


def plan_autocode(project: Project, target: float, *, calibration: str = "auto",
                  min_project: int | None = None, cancel: threading.Event | None = None,
                  progress: Progress | None = None) -> AutocodePlan:
    """Work out which answers still to do the model would code at ``target`` accuracy.

    Args:
        project: the project; each codebook's model is the one its suggestions use.
        target: the expected exact-set accuracy to reach, 0 < target < 1.
        calibration: one of :data:`CALIBRATION_SOURCES`.
        min_project: fewest recent decisions by people to calibrate on.
        cancel: when set, stops (nothing is recorded by planning anyway).
        progress: called with (codebooks done, codebooks).

    Raises:
        AutocodeError: a bad target, no model, no suggestions yet, or no calibration.
        ModelError: a model that cannot be loaded.
    """
    import numpy as np

    from themecoder.learning import todo_answers
    from themecoder.suggest.calibration import expected_accuracy_cut
    from themecoder.suggest.model import load_model
    from themecoder.suggest.project_suggest import project_model_path

    target = check_target(target)
    codebooks = project.codebooks()
    with_model = [(cb, project_model_path(project, cb)) for cb in codebooks]
    if not any(path for _cb, path in with_model):
        raise AutocodeError("no model: automatic coding needs a trained model (themecoder "
                            "suggest PROJECT --model DIR, or retrain in the app)",
                            file=project.display_location)
    if not _has_suggestions(project):
        raise AutocodeError("no suggestions yet: run `themecoder suggest PROJECT` first",
                            file=project.display_location)
    skip = _double_coded(project)
    todo_by_codebook: dict[str, list[Answer]] = {}
    for answer in todo_answers(project):
        if answer.id not in skip:
            codebook_id = project.codebook_for_group(answer.group).id
            todo_by_codebook.setdefault(codebook_id, []).append(answer)
    plan = AutocodePlan(target=target, rows=[], candidates=0, expected_accuracy=math.nan)
    rows: list[AutoRow] = []
    probabilities: list[np.ndarray] = []
    scores: list[np.ndarray] = []
    for done, (codebook, path) in enumerate(with_model, 1):
        todo = todo_by_codebook.get(codebook.id, [])
        if not path:
            if todo:
                plan.notes.append(f"codebook '{codebook.id}' has no model: its {len(todo)} "
                                  "answers to do are left to people")
            continue
        try:
            loaded = load_model(path, codebook=codebook)
        except ModelError:
            raise
        version = f"{loaded.name}@{loaded.version}"
        item = CodebookPlan(codebook.id, version, len(todo))
        plan.by_codebook[codebook.id] = item
        if not todo:
            continue
        choice = choose_calibration(project, codebook, loaded, source=calibration,
                                    min_project=min_project)
        item.calibration = choice.description
        plan.calibration[codebook.id] = {"source": choice.source, "examples": choice.examples,
                                         "description": choice.description}
        P, D = model_outputs(loaded.classifier, [a.text for a in todo],
                             [a.question for a in todo], cancel=cancel)
        q = choice.calibrator.predict(P, D)
        s = choice.calibrator.raw_score(P, D)
        theme_ids = list(loaded.classifier.theme_ids_)
        cb_version = f"{codebook.id}@{codebook.version}"
        for i, answer in enumerate(todo):
            themes = tuple(theme_ids[j] for j in np.flatnonzero(D[i, :len(theme_ids)]))
            rows.append(AutoRow(answer.id, themes, not themes, float(q[i]), version,
                                cb_version))
        probabilities.append(q)
        scores.append(s)
        plan.candidates += len(todo)
        if progress is not None:
            progress(done, len(with_model))
    if not rows:
        return plan
    chosen, expected = expected_accuracy_cut(np.concatenate(probabilities), target,
                                             np.concatenate(scores))
    plan.rows = [rows[i] for i in chosen]
    plan.expected_accuracy = expected
    by_version = {p.model_version: p for p in plan.by_codebook.values()}
    for row in plan.rows:
        by_version[row.model_version].chosen += 1
    return plan


def apply_plan(project: Project, plan: AutocodePlan, *, coder: str = AUTO_CODER,
               audit_share: float = DEFAULT_AUDIT_SHARE, audit_min: int = MIN_AUDIT,
               seed: int | None = None) -> AutoBatch:
    """Record a plan's decisions as one batch and draw its blind audit sample.

    Raises:
        AutocodeError: the plan codes nothing, or a bad audit share.
        StoreError: the database refused the batch (nothing of it is recorded).
    """
    import secrets

    audit_share = check_audit_share(audit_share)
    if not plan.rows:
        raise AutocodeError(plan.summary(), field="target-accuracy")
    return record_auto_batch(
        project, plan.rows, coder=coder, target=plan.target,
        expected_accuracy=plan.expected_accuracy, candidates=plan.candidates,
        audit_share=audit_share, audit_min=audit_min,
        seed=secrets.randbelow(2 ** 31) if seed is None else seed, models=plan.models,
        calibration=plan.calibration)


__all__ = ["CALIBRATION_SOURCES", "AutocodeError", "AutocodePlan", "CalibrationChoice",
           "apply_plan", "audit_answer_ids", "check_audit_share", "check_target",
           "choose_calibration", "model_outputs", "plan_autocode"]
