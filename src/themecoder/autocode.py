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
3. :func:`audit_report` compares people's blind decisions on the audit sample with the
   automatic ones: the exact-set accuracy reached with a 95 % Wilson interval, precision and
   recall per theme, and a warning when the interval's lower end is under the target.
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
    auto_batches,
    auto_decisions,
    count_auto_coded,
    people_decisions,
    record_auto_batch,
)

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

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


def wilson_interval(successes: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """The Wilson score interval of a proportion (95 % by default); ``(nan, nan)`` for n = 0."""
    if n <= 0:
        return math.nan, math.nan
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


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


# --------------------------------------------------------------------------- the audit


@dataclass
class AuditResult:
    """What the blind audit of one batch (or of all batches in force) found.

    Attributes:
        batches: the batches covered.
        target: their target accuracy (the highest, when they differ).
        expected_accuracy: the expected accuracy of the audited answers' batch(es).
        sample: answers in the audit sample whose automatic decision is in force.
        audited: of those, how many people have coded.
        exact: of those, how many automatic decisions were exactly right.
        interval: the 95 % Wilson interval of ``exact / audited``.
        per_theme: precision, recall, F1, support (audit answers people gave the theme) and
            ``auto_coded`` (audit answers the model gave it) per theme (people's coding is the
            truth; Not assigned is a label of its own), plus micro and macro rows.
    """

    batches: list[AutoBatch]
    target: float
    expected_accuracy: float
    sample: int
    audited: int
    exact: int
    interval: tuple[float, float]
    per_theme: pd.DataFrame | None = None

    @property
    def accuracy(self) -> float:
        """The audited exact-set accuracy (nan before any audit answer is coded)."""
        return self.exact / self.audited if self.audited else math.nan

    @property
    def below_target(self) -> bool:
        """Whether the interval's lower end is under the target."""
        return self.audited > 0 and self.interval[0] < self.target

    def warning(self) -> str:
        """The warning to show ("" when there is none)."""
        if self.audited == 0:
            return (f"WARNING: none of the {self.sample} audit answers is coded yet: the "
                    "accuracy reached is unknown")
        if self.below_target:
            return (f"WARNING: the lower end of the 95 % interval ({self.interval[0]:.3f}) is "
                    f"under the target {self.target:.2f}: the accuracy reached may fall short"
                    + ("" if self.audited >= self.sample else
                       f" (only {self.audited} of {self.sample} audit answers are coded)"))
        return ""

    def summary(self) -> str:
        """One line: audited accuracy with its interval."""
        if self.audited == 0:
            return f"blind audit: 0 of {self.sample} answers coded by people yet"
        low, high = self.interval
        return (f"blind audit: {self.audited} of {self.sample} answers coded by people; "
                f"{self.exact} exactly right: accuracy {self.accuracy:.3f} "
                f"(95 % CI {low:.3f}–{high:.3f}; expected {self.expected_accuracy:.3f}, "
                f"target {self.target:.2f})")


def _label_names(project: Project, codebook_ids: set[str]) -> dict[str, list[tuple[str, str]]]:
    """Per codebook, its (theme id, label) pairs; labels carry the codebook when several."""
    several = len(codebook_ids) > 1
    out: dict[str, list[tuple[str, str]]] = {}
    for codebook in project.codebooks():
        if codebook.id not in codebook_ids:
            continue
        prefix = f"{codebook.id}: " if several else ""
        out[codebook.id] = [(t.id, prefix + t.name) for t in codebook.themes] + \
            [("", prefix + codebook.not_assigned.name)]
    return out


def audit_result(project: Project, batches: Sequence[AutoBatch]) -> AuditResult:
    """Compare people's blind decisions on the batches' audit samples with the automatic ones."""
    import numpy as np

    from themecoder.evaluate import theme_metrics

    autos = {}
    for batch in batches:
        found = auto_decisions(project, batch_id=batch.id, answer_ids=batch.audit_ids)
        autos.update({a: found[a] for a in batch.audit_ids if a in found})
    people = people_decisions(project, list(autos))
    audited = [a for a in sorted(autos) if a in people]
    exact = sum(1 for a in audited
                if (autos[a].decision.not_assigned, set(autos[a].decision.themes))
                == (people[a].not_assigned, set(people[a].themes)))
    expected = (sum(b.expected_accuracy * b.answers for b in batches)
                / max(1, sum(b.answers for b in batches)))
    result = AuditResult(batches=list(batches), target=max(b.target for b in batches),
                         expected_accuracy=expected, sample=len(autos), audited=len(audited),
                         exact=exact, interval=wilson_interval(exact, len(audited)))
    if audited:
        codebook_of = {a: autos[a].decision.codebook_version.split("@")[0]
                       for a in audited if autos[a].decision.codebook_version}
        labels = _label_names(project, set(codebook_of.values()))
        columns = [(cb, tid, name) for cb, pairs in labels.items() for tid, name in pairs]
        index = {(cb, tid): j for j, (cb, tid, _n) in enumerate(columns)}
        truth = np.zeros((len(audited), len(columns)), dtype=np.int8)
        auto = np.zeros_like(truth)
        for i, answer_id in enumerate(audited):
            cb = codebook_of.get(answer_id)
            for matrix, decision in ((truth, people[answer_id]), (auto, autos[answer_id].decision)):
                keys = [""] if decision.not_assigned else list(decision.themes)
                for key in keys:
                    j = index.get((cb, key))
                    if j is not None:
                        matrix[i, j] = 1
        table = theme_metrics(truth, auto, [name for _c, _t, name in columns])
        given = auto.sum(axis=0)
        table["auto_coded"] = [*(int(x) for x in given), int(given.sum()), int(given.sum())]
        result.per_theme = table
    return result


def audit_report(project: Project, batch_id: int | None = None) -> list[AuditResult]:
    """The blind audit of each batch in force (or of one batch), then of all of them pooled
    when there are several.

    Raises:
        AutocodeError: no batch in force (or no such batch).
    """
    batches = auto_batches(project, live_only=batch_id is None)
    if batch_id is not None:
        batches = [b for b in batches if b.id == batch_id]
        if not batches:
            raise AutocodeError(f"no automatic coding batch {batch_id}", field="batch")
    if not batches:
        raise AutocodeError("nothing was auto-coded yet (or every batch was undone): run "
                            "`themecoder autocode PROJECT --target-accuracy 0.90` first",
                            file=project.display_location)
    results = [audit_result(project, [b]) for b in batches]
    if len(batches) > 1:
        results.append(audit_result(project, batches))
    return results


# --------------------------------------------------------------------------- for exports


def autocode_summary(project: Project) -> dict[str, Any] | None:
    """What exports state about automatic coding, or ``None`` when nothing was auto-coded.

    Returns:
        ``auto_coded`` (answers whose decision that counts is automatic), ``commented``,
        ``share_auto_coded``, ``targets``, ``expected_accuracy``, ``audit_sample``,
        ``audited``, ``audited_accuracy``, ``interval`` (low, high), ``warning``, ``batches``.
    """
    from sqlalchemy import func, select

    from themecoder.store import schema

    batches = auto_batches(project, live_only=True)
    if not batches:
        return None
    audit = audit_result(project, batches)
    with project.engine.connect() as conn:
        commented = int(conn.execute(select(func.count()).select_from(schema.answers).where(
            schema.answers.c.has_comment.is_(True))).scalar() or 0)
    auto_coded = count_auto_coded(project)
    return {
        "auto_coded": auto_coded,
        "commented": commented,
        "share_auto_coded": round(auto_coded / commented, 4) if commented else 0.0,
        "targets": sorted({b.target for b in batches}),
        "expected_accuracy": round(audit.expected_accuracy, 4),
        "audit_sample": audit.sample,
        "audited": audit.audited,
        "audited_accuracy": None if not audit.audited else round(audit.accuracy, 4),
        "interval": None if not audit.audited else [round(audit.interval[0], 4),
                                                    round(audit.interval[1], 4)],
        "warning": audit.warning(),
        "batches": [b.id for b in batches],
    }


def describe_summary(summary: dict[str, Any]) -> str:
    """The automatic-coding summary as one sentence for a report or a file header."""
    targets = "/".join(f"{t:.2f}" for t in summary["targets"])
    text = (f"{summary['auto_coded']} of {summary['commented']} commented answers "
            f"({100 * summary['share_auto_coded']:.1f} %) were coded automatically at a target "
            f"exact-set accuracy of {targets} (expected {summary['expected_accuracy']:.3f}); ")
    if summary["audited"]:
        low, high = summary["interval"]
        text += (f"a blind audit of {summary['audited']} of them by people found "
                 f"{summary['audited_accuracy']:.3f} exactly right (95 % CI "
                 f"{low:.3f}–{high:.3f})")
        if summary["audited"] < summary["audit_sample"]:
            text += f", {summary['audit_sample'] - summary['audited']} audit answers to go"
    else:
        text += f"the blind audit of {summary['audit_sample']} of them is not coded yet"
    return text + "."


__all__ = ["CALIBRATION_SOURCES", "AuditResult", "AutocodeError", "AutocodePlan",
           "CalibrationChoice", "apply_plan", "audit_answer_ids", "audit_report",
           "audit_result", "autocode_summary", "check_audit_share", "check_target",
           "choose_calibration", "describe_summary", "model_outputs", "plan_autocode",
           "wilson_interval"]
