"""Handing answers out to coders who work at once, and refusing a second decision.

- A *claim* reserves a to-do answer for one coder while they look at it, so coders on the
  same project never get the same answer. Handing out (:func:`claim_next`, :func:`claim`)
  is one transaction: the answer given has no decision in force by anyone (in the coder's
  own double-coding sample: by that coder) and no live claim by another coder, and the
  claim is written in the same transaction that checks it. Answers in a coder's
  double-coding sample are claimed per coder (a *lane*): each assigned coder codes them.
- A claim lasts :func:`claim_ttl` minutes (a project setting) unless renewed; a coder who
  quits releases theirs, and a crashed coder's claims expire.
- :func:`record_unless_decided` writes a decision only if no other coder decided the
  answer meanwhile (outside the coder's sample lane), in the transaction that writes it;
  a deliberate revision of another coder's decision is recorded as such (``revises``).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, delete, exists, literal, or_, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from themecoder.errors import DecidedByOther, StoreError
from themecoder.store import schema
from themecoder.store.autocode import seen_by_people
from themecoder.store.project import Decision, Project, decision_from_row

DEFAULT_TTL_MINUTES = 30.0
"""How long a claim holds when its coder's app stops renewing it (a crash)."""

TTL_SETTING = "claims.ttl_minutes"
"""The project setting (``project_info`` key) holding the claim time-to-live."""

_CLAIM_RETRIES = 50
_CHUNK_SIZES = (8, 64, 512)
"""Candidates are checked in growing chunks: the first few usually hold a free answer."""


# --------------------------------------------------------------------------- settings


def claim_ttl(project: Project) -> float:
    """Minutes a claim holds without renewal (the project's setting, default 30)."""
    value = project.info().get(TTL_SETTING)
    return float(value) if value else DEFAULT_TTL_MINUTES


def set_claim_ttl(project: Project, minutes: float) -> None:
    """Set how many minutes a claim holds without renewal (0.5 to 1440).

    Raises:
        StoreError: a value out of range.
    """
    if not 0.5 <= minutes <= 1440:
        raise StoreError(f"the claim time must be between 0.5 and 1440 minutes, not {minutes:g}",
                         field="claim-ttl")
    project.set_info(TTL_SETTING, f"{minutes:g}")


def _stamp(minutes: float = 0.0) -> str:
    return (datetime.now(UTC) + timedelta(minutes=minutes)).isoformat()


def _ttl(conn: Any) -> float:
    info = schema.project_info
    value = conn.execute(select(info.c.value).where(info.c.key == TTL_SETTING)).scalar()
    return float(value) if value else DEFAULT_TTL_MINUTES


# --------------------------------------------------------------------------- hand-out


class _ClaimRace(Exception):
    """The answer found was decided by another coder while it was being claimed."""


def decision_in_force(answer_col: Any, coder: str | None = None) -> Any:
    """``EXISTS`` a decision in force on the answer (by ``coder`` when given); an automatic
    decision on an answer of the blind audit does not count (people code it blind)."""
    d = schema.decisions
    undone = select(d.c.undoes).where(d.c.undoes.is_not(None))
    cond = [d.c.answer_id == answer_col, d.c.source != "undo", d.c.id.not_in(undone),
            seen_by_people(d)]
    if coder is not None:
        cond.append(d.c.coder == coder)
    return exists().where(and_(*cond))


class _Candidates:
    """Candidate answer ids read lazily, in growing chunks, and kept for a retry."""

    def __init__(self, ids: Iterable[int]) -> None:
        self._source: Iterator[int] = iter(ids)
        self._chunks: list[list[int]] = []
        self._seen: set[int] = set()
        self._sizes = itertools.chain(_CHUNK_SIZES, itertools.repeat(_CHUNK_SIZES[-1]))

    def chunks(self) -> Iterator[list[int]]:
        yield from self._chunks
        while True:
            chunk: list[int] = []
            size = next(self._sizes)
            for answer_id in self._source:
                if answer_id not in self._seen:
                    self._seen.add(answer_id)
                    chunk.append(answer_id)
                    if len(chunk) >= size:
                        break
            if not chunk:
                return
            self._chunks.append(chunk)
            yield chunk


def _name(coder: str) -> str:
    coder = coder.strip()
    if not coder:
        raise StoreError("a claim needs a coder name", field="coder")
    return coder


def claim_next(project: Project, coder: str, *, candidates: Iterable[int] | None = None,
               ttl_minutes: float | None = None, sample: bool = True) -> int | None:
    """Claim the next answer for ``coder`` to code; returns its id, or ``None`` when done.

    The next answer is the first (in ``candidates`` order, else in import order) commented
    answer that is either in ``coder``'s double-coding sample and not yet coded by
    ``coder``, or in no double-coding sample, decided by nobody and not claimed by another
    coder. The check and the claim are one transaction, committed before returning; the
    claim lasts ``ttl_minutes`` (default: the project's setting), and the coder's claim on
    any other answer is released, since a coder works on one answer at a time. Concurrent
    callers never get the same ordinary answer: on PostgreSQL, answers being claimed or
    decided are skipped (``FOR UPDATE SKIP LOCKED``), a unique key settles any race and a
    last look catches a decision committed meanwhile; on SQLite, writers take turns
    (``BEGIN IMMEDIATE``).

    Args:
        project: the project.
        coder: who claims.
        candidates: answer ids to choose from, in the order wanted (e.g. the app's queue
            from the current answer on); read lazily, so a long queue costs little. ``None``
            for every answer.
        ttl_minutes: how long the claim holds (default: :func:`claim_ttl`).
        sample: look in the coder's double-coding sample too; ``False`` when the coder is
            known to have none (one query fewer).
    """
    coder = _name(coder)
    pending = _Candidates(candidates) if candidates is not None else None
    return _claim(project, coder, pending, ttl_minutes, sample=sample)


def claim(project: Project, coder: str, answer_id: int, *, ttl_minutes: float | None = None,
          take_over: bool = False) -> bool:
    """Claim one given answer as a coder moves onto it; ``False`` when it cannot be had.

    It cannot be had when it is decided (by anyone; in ``coder``'s sample lane, by
    ``coder``) or another coder holds it. ``take_over`` first ends another coder's claim
    on it (the coder confirmed they want to code an answer someone else is looking at).
    A successful claim releases the coder's claim on any other answer.
    """
    coder = _name(coder)
    return _claim(project, coder, _Candidates([answer_id]), ttl_minutes,
                  take_over=answer_id if take_over else None) == answer_id


def _claim(project: Project, coder: str, pending: _Candidates | None,
           ttl_minutes: float | None, *, take_over: int | None = None,
           sample: bool = True) -> int | None:
    cl = schema.claims
    for _attempt in range(_CLAIM_RETRIES):
        try:
            with project.coordination_engine.begin() as conn:
                stamp = _stamp()
                # a coder works on one answer at a time: moving on lets go of the previous
                # one (expired claims go too, so they never block a new claim)
                gone = or_(cl.c.coder == coder, cl.c.expires_at <= stamp)
                if take_over is not None:
                    gone = or_(gone, and_(cl.c.answer_id == take_over, cl.c.lane == ""))
                conn.execute(delete(cl).where(gone))
                found = _next_free(conn, coder, pending, stamp, sample)
                if found is None:
                    return None
                answer_id, lane = found
                ttl = ttl_minutes if ttl_minutes is not None else _ttl(conn)
                conn.execute(cl.insert().values(answer_id=answer_id, lane=lane, coder=coder,
                                                claimed_at=stamp, expires_at=_stamp(ttl)))
                if lane == "" and conn.dialect.name != "sqlite" and \
                        conn.execute(select(decision_in_force(answer_id))).scalar():
                    # PostgreSQL (read committed): another coder may have claimed, decided
                    # and let go of the answer after the search above took its snapshot
                    # (the insert then waited for their release). Only a statement started
                    # after the insert sees their decision, so this look is separate.
                    # SQLite writers take turns.
                    raise _ClaimRace
                return answer_id
        except (IntegrityError, _ClaimRace):
            continue  # another coder claimed or decided that answer a moment ago
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
            continue  # the server dropped the connection (e.g. restarted): a new one
    raise StoreError("could not claim an answer: too many coders claiming at once; try again",
                     file=project.display_location)


def _handable(coder: str, stamp: str) -> tuple[Any, Any]:
    """The coder's own sample answers still to do, and ordinary answers free for them.

    Ordinary answers are in no sample, decided by nobody and held by no other coder; on
    PostgreSQL the rows found are locked, and rows locked by others (being claimed or
    decided) skipped. Sample answers are never skipped that way: each assigned coder
    must get every one of them.
    """
    a, dc, cl = schema.answers, schema.double_coding, schema.claims
    mine = select(a.c.id).where(
        a.c.id.in_(select(dc.c.answer_id).where(dc.c.coder == coder)),
        ~decision_in_force(a.c.id, coder))
    taken = select(cl.c.answer_id).where(cl.c.lane == "", cl.c.coder != coder,
                                         cl.c.expires_at > stamp)
    free = (select(a.c.id).where(
        a.c.has_comment.is_(True), a.c.id.not_in(select(dc.c.answer_id)),
        a.c.id.not_in(taken), ~decision_in_force(a.c.id))
        .with_for_update(of=a, skip_locked=True))
    return mine, free


def _next_free(conn: Any, coder: str, pending: _Candidates | None, stamp: str,
               sample: bool = True) -> tuple[int, str] | None:
    a = schema.answers
    mine, free = _handable(coder, stamp)
    if pending is None:
        own = conn.execute(mine.order_by(a.c.id).limit(1)).scalar() if sample else None
        other = conn.execute(free.order_by(a.c.id).limit(1)).scalar()
        options = [(x, lane) for x, lane in ((own, coder), (other, "")) if x is not None]
        return min(options) if options else None
    for chunk in pending.chunks():
        # the first in the chunk's order; LIMIT 1 also means only that row gets locked
        order = case({answer_id: n for n, answer_id in enumerate(chunk)}, value=a.c.id)
        options = [(x, lane) for x, lane in (
            (conn.execute(mine.where(a.c.id.in_(chunk)).order_by(order).limit(1)).scalar()
             if sample else None, coder),
            (conn.execute(free.where(a.c.id.in_(chunk)).order_by(order).limit(1)).scalar(),
             "")) if x is not None]
        if options:
            return min(options, key=lambda option: chunk.index(option[0]))
    return None


# --------------------------------------------------------------------------- claims


def _write(project: Project, statement: Callable[[Any], Any]) -> int:
    """Run one claims statement (made by ``statement`` from the connection) in its own
    transaction; returns the rows it touched. A dropped connection is tried once more."""
    for attempt in range(2):
        try:
            with project.coordination_engine.begin() as conn:
                return int(conn.execute(statement(conn)).rowcount or 0)
        except DBAPIError as exc:
            if not exc.connection_invalidated or attempt:
                raise
    return 0  # not reached


def renew(project: Project, coder: str, *, ttl_minutes: float | None = None) -> int:
    """Extend ``coder``'s live claims by the claim time (the app does this while it runs).

    Returns:
        how many claims were renewed (0 when the claim expired and was taken meanwhile).
    """
    cl = schema.claims

    def extend(conn: Any) -> Any:
        ttl = ttl_minutes if ttl_minutes is not None else _ttl(conn)
        return update(cl).where(cl.c.coder == coder.strip(), cl.c.expires_at > _stamp()) \
            .values(expires_at=_stamp(ttl))

    return _write(project, extend)


def release(project: Project, coder: str, answer_id: int | None = None) -> int:
    """Give up ``coder``'s claim on ``answer_id`` (or all of ``coder``'s claims).

    Returns:
        how many claims were released.
    """
    cl = schema.claims
    query = delete(cl).where(cl.c.coder == coder.strip())
    if answer_id is not None:
        query = query.where(cl.c.answer_id == answer_id)
    return _write(project, lambda _conn: query)


def holder(project: Project, answer_id: int, coder: str) -> str | None:
    """The other coder holding a live claim on an ordinary answer, if any."""
    cl = schema.claims
    with project.engine.connect() as conn:
        return conn.execute(select(cl.c.coder).where(
            cl.c.answer_id == answer_id, cl.c.lane == "", cl.c.coder != coder.strip(),
            cl.c.expires_at > _stamp())).scalar()


def claimed_by_others(project: Project, coder: str) -> set[int]:
    """Answers another coder holds a live claim on (to leave out of ``coder``'s to-do list).

    Claims inside a double-coding sample are per coder and never block anyone else.
    """
    cl = schema.claims
    with project.engine.connect() as conn:
        return set(conn.execute(select(cl.c.answer_id).where(
            cl.c.lane == "", cl.c.coder != coder.strip(),
            cl.c.expires_at > _stamp())).scalars())


def claims(project: Project) -> list[dict[str, Any]]:
    """Every live claim: ``answer_id``, ``coder``, ``double_coding``, ``expires_at``."""
    cl = schema.claims
    with project.engine.connect() as conn:
        rows = conn.execute(select(cl).where(cl.c.expires_at > _stamp())
                            .order_by(cl.c.answer_id)).all()
    return [{"answer_id": r.answer_id, "coder": r.coder, "double_coding": r.lane != "",
             "expires_at": r.expires_at} for r in rows]


# --------------------------------------------------------------------------- decisions


def record_unless_decided(project: Project, answer_id: int, coder: str,
                          themes: Sequence[str] = (), *, not_assigned: bool = False,
                          source: str = "manual", model_version: str | None = None,
                          revise: bool = False) -> Decision:
    """Record a decision unless another coder decided the answer meanwhile.

    The decision is written only if, in the same transaction (the answer's row locked on
    PostgreSQL, writers taking turns on SQLite), no other coder's decision is in force on
    the answer. Otherwise it is refused with :class:`~themecoder.errors.DecidedByOther`,
    unless ``revise`` (the coder confirmed they mean to change it): then it is written
    naming the decision it revises. In ``coder``'s own double-coding sample other coders'
    decisions do not count: each assigned coder codes the answer blind.

    Raises:
        DecidedByOther: another coder's decision is in force and ``revise`` is false.
        StoreError: as :meth:`Project.record_decision`.
    """
    row = project.decision_row(answer_id, coder, themes, not_assigned=not_assigned,
                               source=source, model_version=model_version)
    a, d = schema.answers, schema.decisions
    try:
        with project.engine.begin() as conn:
            if conn.dialect.name != "sqlite":  # SQLite writers take turns anyway
                # one decision on an answer at a time; the statements below then see the
                # decision of whoever held the lock before
                conn.execute(select(a.c.id).where(a.c.id == answer_id).with_for_update())
            if revise:
                other = conn.execute(_other_in_force(answer_id, row["coder"])).first()
                row["revises"] = other.id if other is not None else None
                new_id = conn.execute(d.insert().values(**row)).inserted_primary_key[0]
            else:
                # written only where no other decision is in force: one statement
                values = select(*(literal(value, d.c[name].type).label(name)
                                  for name, value in row.items())).where(
                    ~exists(_other_in_force(answer_id, row["coder"])))
                new_id = conn.execute(d.insert().from_select(list(row), values)
                                      .returning(d.c.id)).scalar()
                if new_id is None:
                    other = conn.execute(_other_in_force(answer_id, row["coder"])).one()
                    raise DecidedByOther(answer_id, other.coder, other.id)
    except OperationalError as exc:
        raise project.not_saved(exc) from None
    return decision_from_row(row, new_id)


def _other_in_force(answer_id: int, coder: str) -> Any:
    """The latest decision in force on an answer by a coder other than ``coder``, unless
    the answer is in ``coder``'s sample lane (where others' decisions do not count); the
    model's decision on an answer of the blind audit does not count either."""
    d, dc = schema.decisions, schema.double_coding
    undo = d.alias("undo")
    withdrawn = select(undo.c.undoes).where(undo.c.answer_id == answer_id,
                                            undo.c.undoes.is_not(None))
    in_lane = exists().where(dc.c.answer_id == answer_id, dc.c.coder == coder)
    return (select(d.c.id, d.c.coder)
            .where(d.c.answer_id == answer_id, d.c.coder != coder, d.c.source != "undo",
                   d.c.id.not_in(withdrawn), ~in_lane, seen_by_people(d))
            .order_by(d.c.id.desc()).limit(1))
