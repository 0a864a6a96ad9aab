"""The blind audit of automatic coding, and what exports say about it.

:func:`audit_report` compares people's blind decisions on the audit sample of each batch
(:mod:`themecoder.autocode`, :mod:`themecoder.store.autocode`) with the model's: the
exact-set accuracy reached with a 95 % Wilson interval, precision and recall per theme, and a
warning when the interval's lower end is under the target. :func:`autocode_summary` and
:func:`describe_summary` give the counts and the sentence a report prints about it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from themecoder.autocode import AutocodeError
from themecoder.store.autocode import (
    AutoBatch,
    auto_batches,
    auto_decisions,
    count_auto_coded,
    people_decisions,
)

if TYPE_CHECKING:
    import pandas as pd

    from themecoder.store.project import Project


def wilson_interval(successes: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """The Wilson score interval of a proportion (95 % by default); ``(nan, nan)`` for n = 0."""
    if n <= 0:
        return math.nan, math.nan
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


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


__all__ = ["AuditResult", "audit_report", "audit_result", "autocode_summary",
           "describe_summary", "wilson_interval"]
