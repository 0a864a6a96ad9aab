"""Automatic coding in the store: batches of the model's own decisions and their blind audit.

- An *auto batch* is a set of decisions of source ``auto`` — made by the model alone, each
  with the model version and its estimated probability of being exactly right — written in
  **one transaction** with the batch's record and its audit sample: a run that is killed
  half-way leaves either the whole batch or nothing.
- :func:`undo_auto_batch` withdraws a batch as one: an ``undo`` row is appended for each of
  its decisions still in force (the log is never edited), in one transaction.
- The *audit sample* is a random share of a batch's answers (at least a minimum number) that
  people code *blind*: the coding app shows them as still to do, without the automatic
  decision or the model's suggestion, so the accuracy measured on them
  (:mod:`themecoder.autocode`) is honest. A person's decision on such an answer then counts
  over the automatic one (:meth:`Project.final_decisions`).
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.exc import OperationalError

from themecoder.errors import StoreError
from themecoder.store import schema
from themecoder.store.engine import now, short_error
from themecoder.store.project import Decision, Project
from themecoder.store.records import decision_of

AUTO_CODER = "auto"
"""Coder name automatic decisions are recorded under unless another is given."""

DEFAULT_AUDIT_SHARE = 0.05
"""Share of a batch drawn for the blind audit."""

MIN_AUDIT = 50
"""Fewest answers drawn for the blind audit (all of a smaller batch)."""


@dataclass(frozen=True)
class AutoRow:
    """One automatic decision to record."""

    answer_id: int
    themes: tuple[str, ...]
    not_assigned: bool
    probability: float
    model_version: str
    codebook_version: str


@dataclass(frozen=True)
class AutoBatch:
    """A recorded batch of automatic decisions."""

    id: int
    coder: str
    target: float
    expected_accuracy: float
    answers: int
    candidates: int
    audit_share: float
    audit_min: int
    seed: int
    models: dict[str, str]
    calibration: dict[str, Any]
    created_at: str
    undone_at: str | None = None
    audit_ids: tuple[int, ...] = field(default=(), compare=False)

    @property
    def live(self) -> bool:
        """Whether the batch is in force (not undone)."""
        return self.undone_at is None


@dataclass(frozen=True)
class AutoDecision:
    """An automatic decision as logged, with its probability and batch."""

    decision: Decision
    batch_id: int
    probability: float

    @property
    def answer_id(self) -> int:
        return self.decision.answer_id


def audit_size(n: int, share: float, minimum: int = MIN_AUDIT) -> int:
    """How many of ``n`` auto-coded answers the audit draws: ``share`` of them, at least
    ``minimum``, at most all."""
    return min(n, max(math.ceil(share * n - 1e-9), minimum))


def record_auto_batch(project: Project, rows: Sequence[AutoRow], *, coder: str = AUTO_CODER,
                      target: float, expected_accuracy: float, candidates: int,
                      audit_share: float = DEFAULT_AUDIT_SHARE, audit_min: int = MIN_AUDIT,
                      seed: int = 1, models: dict[str, str] | None = None,
                      calibration: dict[str, Any] | None = None,
                      chunk_size: int = 1000) -> AutoBatch:
    """Record a batch of automatic decisions and draw its audit sample, all or nothing.

    Answers decided by someone since ``rows`` were worked out, in a double-coding sample,
    or claimed by a coder right now are left out (they are people's to code).

    Args:
        project: the project.
        rows: the decisions, one per answer.
        coder: the name they are recorded under.
        target: the exact-set accuracy asked for.
        expected_accuracy: the mean estimated probability of the rows.
        candidates: how many answers to do were considered.
        audit_share: share of the batch drawn for the blind audit (0 < share ≤ 1).
        audit_min: fewest answers drawn for the audit.
        seed: seeds the audit draw (recorded, so the draw can be redone).
        models: codebook id → model version used.
        calibration: what the probabilities were calibrated on (recorded as given).
        chunk_size: decisions inserted per statement.

    Returns:
        The batch as recorded (with its audit sample).

    Raises:
        StoreError: an empty batch, a bad share, or a database that refused the write (then
            nothing of the batch is recorded).
    """
    coder = coder.strip()
    if not coder:
        raise StoreError("automatic decisions need a coder name", field="coder")
    if not 0 < audit_share <= 1:
        raise StoreError(f"the audit share must be above 0 and at most 1, not {audit_share}",
                         field="audit")
    by_answer = {row.answer_id: row for row in rows}
    if len(by_answer) != len(rows):
        raise StoreError("an answer appears twice in the batch", field="answers")
    stamp = now()
    try:
        with project.engine.begin() as conn:
            d = schema.decisions
            if conn.execute(select(d.c.id).where(
                    d.c.coder == coder, d.c.source.not_in(("auto", "undo"))).limit(1)).first():
                raise StoreError(f"'{coder}' codes by hand in this project: record automatic "
                                 "decisions under a name of their own", field="coder")
            kept = _still_to_do(conn, sorted(by_answer))
            if not kept:
                raise StoreError("no answer left to code automatically", field="answers")
            chosen = [by_answer[a] for a in kept]
            expected = sum(r.probability for r in chosen) / len(chosen) \
                if len(chosen) != len(rows) else expected_accuracy
            batch_id = conn.execute(schema.autocode_batches.insert().values(
                coder=coder, target=float(target), expected_accuracy=float(expected),
                answers=len(chosen), candidates=int(candidates),
                audit_share=float(audit_share), audit_min=int(audit_min), seed=int(seed),
                models=json.dumps(models or {}, sort_keys=True),
                calibration=json.dumps(calibration or {}, sort_keys=True),
                created_at=stamp)).inserted_primary_key[0]
            for start in range(0, len(chosen), chunk_size):
                _insert_chunk(conn, batch_id, coder, chosen[start:start + chunk_size], stamp)
            audit = sorted(random.Random(seed).sample(
                kept, audit_size(len(kept), audit_share, audit_min)))
            for start in range(0, len(audit), chunk_size):
                conn.execute(schema.audit_answers.insert(), [
                    {"batch_id": batch_id, "answer_id": a}
                    for a in audit[start:start + chunk_size]])
    except OperationalError as exc:
        raise StoreError(f"the batch could not be saved (nothing of it was): "
                         f"{short_error(exc)}", file=project.display_location) from None
    return AutoBatch(batch_id, coder, float(target), float(expected), len(chosen),
                     int(candidates), float(audit_share), int(audit_min), int(seed),
                     dict(models or {}), dict(calibration or {}), stamp, None, tuple(audit))


def _decided(answer_col: Any) -> Any:
    """``EXISTS`` a decision in force on the answer."""
    d = schema.decisions
    undone = select(d.c.undoes).where(d.c.undoes.is_not(None))
    return exists().where(and_(d.c.answer_id == answer_col, d.c.source != "undo",
                               d.c.id.not_in(undone)))


def _still_to_do(conn: Any, answer_ids: list[int]) -> list[int]:
    """Those of ``answer_ids`` nobody has decided, outside double coding and live claims."""
    a, dc, cl = schema.answers, schema.double_coding, schema.claims
    stamp = now()
    out: list[int] = []
    for start in range(0, len(answer_ids), 500):
        chunk = answer_ids[start:start + 500]
        out += conn.execute(select(a.c.id).where(
            a.c.id.in_(chunk), a.c.has_comment.is_(True),
            a.c.id.not_in(select(dc.c.answer_id)),
            a.c.id.not_in(select(cl.c.answer_id).where(cl.c.expires_at > stamp)),
            ~_decided(a.c.id))).scalars().all()
    return sorted(out)


def _insert_chunk(conn: Any, batch_id: int, coder: str, rows: Sequence[AutoRow],
                  stamp: str) -> None:
    d = schema.decisions
    values = [{"answer_id": r.answer_id, "coder": coder, "themes": json.dumps(list(r.themes)),
               "not_assigned": bool(r.not_assigned), "source": "auto", "undoes": None,
               "codebook_version": r.codebook_version, "model_version": r.model_version,
               "created_at": stamp} for r in rows]
    result = conn.execute(d.insert().returning(d.c.id, d.c.answer_id,
                                               sort_by_parameter_order=True), values)
    ids = {answer_id: decision_id for decision_id, answer_id in result}
    conn.execute(schema.auto_decisions.insert(), [
        {"decision_id": ids[r.answer_id], "batch_id": batch_id, "answer_id": r.answer_id,
         "probability": float(r.probability)} for r in rows])


def _batch(row: Any, audit_ids: Iterable[int] = ()) -> AutoBatch:
    return AutoBatch(row.id, row.coder, float(row.target), float(row.expected_accuracy),
                     int(row.answers), int(row.candidates), float(row.audit_share),
                     int(row.audit_min), int(row.seed), json.loads(row.models),
                     json.loads(row.calibration), row.created_at, row.undone_at,
                     tuple(sorted(audit_ids)))


def auto_batches(project: Project, *, live_only: bool = False) -> list[AutoBatch]:
    """Every recorded batch (or only those in force), oldest first, with its audit sample."""
    b, au = schema.autocode_batches, schema.audit_answers
    query = select(b).order_by(b.c.id)
    if live_only:
        query = query.where(b.c.undone_at.is_(None))
    with project.engine.connect() as conn:
        rows = conn.execute(query).all()
        audit: dict[int, list[int]] = {}
        for batch_id, answer_id in conn.execute(select(au.c.batch_id, au.c.answer_id)):
            audit.setdefault(batch_id, []).append(answer_id)
    return [_batch(row, audit.get(row.id, ())) for row in rows]


def auto_batch(project: Project, batch_id: int) -> AutoBatch:
    """One batch by its number.

    Raises:
        StoreError: no such batch.
    """
    for batch in auto_batches(project):
        if batch.id == batch_id:
            return batch
    raise StoreError(f"no automatic coding batch {batch_id}", field="batch")


def undo_auto_batch(project: Project, batch_id: int) -> int:
    """Withdraw every decision of a batch that is still in force, in one transaction.

    Returns:
        How many decisions were withdrawn (people's decisions on its answers stay).

    Raises:
        StoreError: no such batch, or it was undone already.
    """
    b, ad, d = schema.autocode_batches, schema.auto_decisions, schema.decisions
    stamp = now()
    with project.engine.begin() as conn:
        row = conn.execute(select(b).where(b.c.id == batch_id)).first()
        if row is None:
            raise StoreError(f"no automatic coding batch {batch_id}", field="batch")
        if row.undone_at is not None:
            raise StoreError(f"batch {batch_id} was undone already ({row.undone_at})",
                             field="batch")
        undone = select(d.c.undoes).where(d.c.undoes.is_not(None))
        live = conn.execute(select(d.c.id, d.c.answer_id, d.c.coder).join(
            ad, ad.c.decision_id == d.c.id).where(
            ad.c.batch_id == batch_id, d.c.id.not_in(undone)).order_by(d.c.id)).all()
        rows = [{"answer_id": r.answer_id, "coder": r.coder, "themes": "[]",
                 "not_assigned": False, "source": "undo", "undoes": r.id,
                 "created_at": stamp} for r in live]
        for start in range(0, len(rows), 1000):
            conn.execute(d.insert(), rows[start:start + 1000])
        conn.execute(b.update().where(b.c.id == batch_id).values(undone_at=stamp))
    return len(rows)


def auto_decisions(project: Project, *, batch_id: int | None = None,
                   answer_ids: Iterable[int] | None = None,
                   live_only: bool = True) -> dict[int, AutoDecision]:
    """Automatic decisions by answer id (of one batch, or of every batch in force).

    With ``answer_ids``, only those answers'. With ``live_only``, decisions withdrawn by an
    undo and batches undone are left out.
    """
    d, ad, b = schema.decisions, schema.auto_decisions, schema.autocode_batches
    query = (select(d, ad.c.batch_id, ad.c.probability)
             .join(ad, ad.c.decision_id == d.c.id).join(b, b.c.id == ad.c.batch_id)
             .order_by(d.c.id))
    if batch_id is not None:
        query = query.where(ad.c.batch_id == batch_id)
    if live_only:
        undone = select(d.c.undoes).where(d.c.undoes.is_not(None))
        query = query.where(b.c.undone_at.is_(None), d.c.id.not_in(undone))
    if answer_ids is None:
        queries = [query]
    else:
        ids = sorted(set(answer_ids))
        queries = [query.where(ad.c.answer_id.in_(ids[start:start + 500]))
                   for start in range(0, len(ids), 500)]
    with project.engine.connect() as conn:
        return {r.answer_id: AutoDecision(decision_of(r), r.batch_id, float(r.probability))
                for q in queries for r in conn.execute(q)}


def live_audit() -> Any:
    """``SELECT`` the answers in the blind audit of a batch in force."""
    au, b = schema.audit_answers, schema.autocode_batches
    return select(au.c.answer_id).join(b, b.c.id == au.c.batch_id).where(
        b.c.undone_at.is_(None))


def seen_by_people(decisions: Any) -> Any:
    """A condition on a decisions table: the decision is one people may see and must not
    code over. Automatic decisions on answers of the blind audit are not: people code
    those answers as if nothing had decided them."""
    return or_(decisions.c.source != "auto", decisions.c.answer_id.not_in(live_audit()))


def audit_answer_ids(project: Project) -> set[int]:
    """Answers in the blind audit of a batch in force: people code them without seeing
    the automatic decision."""
    au, b = schema.audit_answers, schema.autocode_batches
    with project.engine.connect() as conn:
        return set(conn.execute(select(au.c.answer_id).join(b, b.c.id == au.c.batch_id)
                                .where(b.c.undone_at.is_(None))).scalars())


def people_decisions(project: Project, answer_ids: Iterable[int] | None = None
                     ) -> dict[int, Decision]:
    """The decision people made per answer (automatic ones left out), by the export rule:
    adjudicated first, then the most recent."""
    chosen: dict[int, Decision] = {}
    for (answer_id, _coder), decision in project.current_decisions(
            answer_ids=answer_ids).items():
        if decision.source in ("auto", "undo"):
            continue
        best = chosen.get(answer_id)
        rank = (decision.source == "adjudicated", decision.id)
        if best is None or rank > (best.source == "adjudicated", best.id):
            chosen[answer_id] = decision
    return chosen


def count_auto_coded(project: Project) -> int:
    """Answers whose decision that counts is automatic (no person has coded them)."""
    d, ad, b = schema.decisions, schema.auto_decisions, schema.autocode_batches
    undone = select(d.c.undoes).where(d.c.undoes.is_not(None))
    human = select(d.c.answer_id).where(and_(d.c.source.not_in(("auto", "undo")),
                                             d.c.id.not_in(undone)))
    with project.engine.connect() as conn:
        return int(conn.execute(select(func.count(func.distinct(ad.c.answer_id)))
                                .select_from(ad.join(d, d.c.id == ad.c.decision_id)
                                             .join(b, b.c.id == ad.c.batch_id))
                                .where(b.c.undone_at.is_(None), d.c.id.not_in(undone),
                                       ad.c.answer_id.not_in(human))).scalar() or 0)


__all__ = ["AUTO_CODER", "DEFAULT_AUDIT_SHARE", "MIN_AUDIT", "AutoBatch", "AutoDecision",
           "AutoRow", "audit_answer_ids", "audit_size", "auto_batch", "auto_batches",
           "auto_decisions", "count_auto_coded", "people_decisions", "record_auto_batch",
           "undo_auto_batch"]
