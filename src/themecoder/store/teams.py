"""Coding as a team: double-coding samples, claims on to-do answers, adjudication.

- A *double-coding sample* is a reproducible, stratified draw of answers that two or more
  named coders each code *blind* (without seeing one another's decisions), so their
  agreement can be measured (:mod:`themecoder.agreement`).
- A *claim* reserves a to-do answer for one coder for a while, so coders working on the
  same project at once never get the same answer. Answers in a coder's double-coding
  sample are claimed per coder: each assigned coder codes them.
- *Adjudication* settles answers on which coders disagree with a decision of source
  ``adjudicated``, which exports prefer (:meth:`Project.final_decisions`).
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, exists, select
from sqlalchemy.exc import IntegrityError

from themecoder.codebook import QUESTIONS
from themecoder.errors import StoreError
from themecoder.store import schema
from themecoder.store.project import Answer, Decision, Project, now

DEFAULT_TTL_MINUTES = 30
"""How long a claim holds when its coder does nothing more with the answer."""

_CLAIM_RETRIES = 50


# --------------------------------------------------------------------------- samples


@dataclass(frozen=True)
class Stratum:
    """One group × question cell of a double-coding sample."""

    group: str
    question: str
    available: int
    drawn: int


@dataclass(frozen=True)
class DoubleCodingSample:
    """Answers that each of ``coders`` codes blind."""

    id: int
    coders: tuple[str, ...]
    seed: int
    answer_ids: tuple[int, ...]
    strata: tuple[Stratum, ...]


def _coder_names(coders: Iterable[str]) -> list[str]:
    names = list(dict.fromkeys(c.strip() for c in coders if c.strip()))
    if len(names) < 2:
        raise StoreError("double coding needs at least two different coders", field="coders")
    return names


def allocate(sizes: Sequence[int], total: int) -> list[int]:
    """Proportional allocation of ``total`` draws over strata of ``sizes``.

    Every non-empty stratum gets at least one (so the result may exceed ``total`` when
    there are more strata than draws); no stratum gets more than it holds; the rest goes
    by largest remainder.
    """
    population = sum(sizes)
    total = min(total, population)
    if population == 0:
        return [0 for _ in sizes]
    quotas = [total * size / population for size in sizes]
    counts = [min(size, max(1, math.floor(q))) if size else 0 for size, q in zip(sizes, quotas,
                                                                                  strict=True)]
    left = total - sum(counts)
    order = sorted(range(len(sizes)), key=lambda i: (-(quotas[i] - math.floor(quotas[i])), i))
    while left > 0:
        moved = False
        for i in order:
            if left == 0:
                break
            if counts[i] < sizes[i]:
                counts[i] += 1
                left -= 1
                moved = True
        if not moved:
            break
    return counts


def draw_double_coding_sample(project: Project, coders: Iterable[str], *,
                              share: float | None = None, n: int | None = None,
                              seed: int = 1) -> DoubleCodingSample:
    """Draw and record a double-coding sample, stratified by group × question.

    Only answers with a comment that are in no earlier sample are drawn. The same project
    contents, size and seed always give the same answers.

    Args:
        project: the project.
        coders: at least two coder names; each codes every sampled answer blind.
        share: the fraction of eligible answers to draw (0 < share ≤ 1); or
        n: the number of answers to draw (exactly one of ``share`` and ``n``).
        seed: makes the draw reproducible.

    Returns:
        the recorded sample, with the count drawn from each stratum.

    Raises:
        StoreError: fewer than two coders, or a bad size.
    """
    names = _coder_names(coders)
    if (share is None) == (n is None):
        raise StoreError("give either a share or a number of answers to double-code",
                         field="share")
    if share is not None and not 0 < share <= 1:
        raise StoreError(f"the share must be above 0 and at most 1, not {share}", field="share")
    if n is not None and n < 1:
        raise StoreError(f"the number of answers must be at least 1, not {n}", field="n")
    a, r, dc = schema.answers, schema.respondents, schema.double_coding
    with project.engine.begin() as conn:
        rows = conn.execute(
            select(a.c.id, a.c.question, r.c.group_label)
            .join(r, r.c.id == a.c.respondent_id)
            .where(a.c.has_comment.is_(True), a.c.id.not_in(select(dc.c.answer_id)))
            .order_by(a.c.id)).all()
        by_stratum: dict[tuple[str, str], list[int]] = {}
        for row in rows:
            by_stratum.setdefault((row.group_label, row.question), []).append(row.id)
        qorder = {q: i for i, q in enumerate(QUESTIONS)}
        keys = sorted(by_stratum, key=lambda k: (k[0], qorder.get(k[1], 99), k[1]))
        population = len(rows)
        if population == 0:
            raise StoreError("no commented answers left to double-code", field="answers")
        total = round(share * population) if share is not None else int(n or 0)
        counts = allocate([len(by_stratum[k]) for k in keys], max(total, 1))
        rng = random.Random(seed)
        chosen: list[int] = []
        strata = []
        for key, count in zip(keys, counts, strict=True):
            picked = sorted(rng.sample(by_stratum[key], count))
            chosen.extend(picked)
            strata.append(Stratum(key[0], key[1], len(by_stratum[key]), count))
        sample_id = conn.execute(schema.double_coding_samples.insert().values(
            coders=json.dumps(names), seed=seed, share=share, requested_n=n,
            created_at=now())).inserted_primary_key[0]
        links = [{"sample_id": sample_id, "answer_id": answer_id, "coder": coder}
                 for answer_id in chosen for coder in names]
        for start in range(0, len(links), 1000):
            conn.execute(dc.insert(), links[start:start + 1000])
    return DoubleCodingSample(sample_id, tuple(names), seed, tuple(sorted(chosen)),
                              tuple(strata))


def double_coding_samples(project: Project) -> list[DoubleCodingSample]:
    """Every recorded double-coding sample, oldest first (strata not recomputed)."""
    s, dc = schema.double_coding_samples, schema.double_coding
    with project.engine.connect() as conn:
        samples = conn.execute(select(s).order_by(s.c.id)).all()
        links = conn.execute(select(dc.c.sample_id, dc.c.answer_id).distinct()).all()
    ids: dict[int, set[int]] = {}
    for link in links:
        ids.setdefault(link.sample_id, set()).add(link.answer_id)
    return [DoubleCodingSample(row.id, tuple(json.loads(row.coders)), row.seed,
                               tuple(sorted(ids.get(row.id, ()))), ()) for row in samples]


def double_coded_by(project: Project, coder: str) -> set[int]:
    """Answers in any double-coding sample assigned to ``coder``."""
    dc = schema.double_coding
    with project.engine.connect() as conn:
        return set(conn.execute(select(dc.c.answer_id).where(dc.c.coder == coder)).scalars())


def blind_to(project: Project, coder: str) -> set[int]:
    """Answers on which ``coder`` must not see other coders' decisions.

    These are the answers of ``coder``'s double-coding samples: they stay blind for that
    coder, so the agreement measured on them is honest. Adjudicators see everything.
    """
    return double_coded_by(project, coder)


# --------------------------------------------------------------------------- claims


def _stamp(minutes: float = 0.0) -> str:
    return (datetime.now(UTC) + timedelta(minutes=minutes)).isoformat()


class _ClaimRace(Exception):
    """The answer found was decided by another coder while it was being claimed."""


def _live_decision(answer_col: Any, coder: str | None = None) -> Any:
    """``EXISTS`` a decision in force on the answer (by ``coder`` when given)."""
    d = schema.decisions
    undone = select(d.c.undoes).where(d.c.undoes.is_not(None))
    cond = [d.c.answer_id == answer_col, d.c.source != "undo", d.c.id.not_in(undone)]
    if coder is not None:
        cond.append(d.c.coder == coder)
    return exists().where(and_(*cond))


def claim_next(project: Project, coder: str, *, candidates: Sequence[int] | None = None,
               ttl_minutes: float = DEFAULT_TTL_MINUTES) -> int | None:
    """Claim the next answer for ``coder`` to code; returns its id, or ``None`` when done.

    The next answer is the first (in ``candidates`` order, else in import order) commented
    answer that is either in ``coder``'s double-coding sample and not yet coded by
    ``coder``, or in no double-coding sample, not yet coded by anyone and not claimed by
    another coder. The claim is committed before returning and lasts ``ttl_minutes``
    (claiming the answer again renews it); the coder's claim on any other answer is
    released, since a coder works on one answer at a time. Concurrent callers never get the
    same ordinary answer: on PostgreSQL, answers being claimed are skipped
    (``FOR UPDATE SKIP LOCKED``) and a unique key settles any race; on SQLite, writers take
    turns (``BEGIN IMMEDIATE``).

    Args:
        project: the project.
        coder: who claims.
        candidates: answer ids to choose from, in the order wanted (e.g. the app's to-do
            list); ``None`` for every answer.
        ttl_minutes: how long the claim holds.
    """
    coder = coder.strip()
    if not coder:
        raise StoreError("a claim needs a coder name", field="coder")
    if candidates is not None:
        candidates = list(dict.fromkeys(candidates))
        if not candidates:
            return None
    for _attempt in range(_CLAIM_RETRIES):
        try:
            with project.coordination_engine.begin() as conn:
                stamp = _stamp()
                conn.execute(delete(schema.claims).where(schema.claims.c.expires_at <= stamp))
                found = _next_free(conn, coder, candidates, stamp)
                if found is None:
                    return None
                answer_id, lane = found
                _put_claim(conn, answer_id, lane, coder, stamp, ttl_minutes)
                if lane == "" and conn.execute(select(_live_decision(answer_id))).scalar():
                    # Decided meanwhile: another coder claimed, coded and let go of it after
                    # the search above took its snapshot (PostgreSQL, read committed). This
                    # new statement sees their decision; drop the claim and look again.
                    raise _ClaimRace
                return answer_id
        except (IntegrityError, _ClaimRace):
            continue  # another coder claimed that answer a moment ago: look again
    raise StoreError("could not claim an answer: too many coders claiming at once; try again",
                     file=project.display_location)


def _next_free(conn: Any, coder: str, candidates: list[int] | None,
               stamp: str) -> tuple[int, str] | None:
    a, dc, cl = schema.answers, schema.double_coding, schema.claims
    mine = select(a.c.id).where(
        a.c.id.in_(select(dc.c.answer_id).where(dc.c.coder == coder)),
        ~_live_decision(a.c.id, coder))
    taken = select(cl.c.answer_id).where(cl.c.lane == "", cl.c.coder != coder,
                                         cl.c.expires_at > stamp)
    free = (select(a.c.id).where(
        a.c.has_comment.is_(True),
        a.c.id.not_in(select(dc.c.answer_id)),
        a.c.id.not_in(taken),
        ~_live_decision(a.c.id))
        .with_for_update(of=a, skip_locked=True))
    if candidates is None:
        own = conn.execute(mine.order_by(a.c.id).limit(1)).scalar()
        other = conn.execute(free.order_by(a.c.id).limit(1)).scalar()
        options = [(x, lane) for x, lane in ((own, coder), (other, "")) if x is not None]
        return min(options) if options else None
    position = {answer_id: i for i, answer_id in enumerate(candidates)}
    for start in range(0, len(candidates), 500):
        chunk = candidates[start:start + 500]
        options = [(x, coder) for x in conn.execute(mine.where(a.c.id.in_(chunk))).scalars()]
        options += [(x, "") for x in conn.execute(free.where(a.c.id.in_(chunk))).scalars()]
        if options:
            return min(options, key=lambda o: position[o[0]])
    return None


def _put_claim(conn: Any, answer_id: int, lane: str, coder: str, stamp: str,
               ttl_minutes: float) -> None:
    cl = schema.claims
    # a coder works on one answer at a time: moving on lets go of the previous one
    conn.execute(delete(cl).where(cl.c.coder == coder))
    conn.execute(cl.insert().values(answer_id=answer_id, lane=lane, coder=coder,
                                    claimed_at=stamp, expires_at=_stamp(ttl_minutes)))


def claim(project: Project, coder: str, answer_id: int, *,
          ttl_minutes: float = DEFAULT_TTL_MINUTES) -> bool:
    """Claim one given answer (as a coder moves onto it); ``False`` if another coder holds it.

    Answers in ``coder``'s double-coding sample are always claimable by ``coder``. A
    successful claim releases the coder's claim on any other answer.
    """
    coder = coder.strip()
    dc, cl = schema.double_coding, schema.claims
    try:
        with project.coordination_engine.begin() as conn:
            stamp = _stamp()
            conn.execute(delete(cl).where(cl.c.expires_at <= stamp))
            sampled = conn.execute(select(dc.c.answer_id).where(
                dc.c.answer_id == answer_id, dc.c.coder == coder).limit(1)).first()
            lane = coder if sampled is not None else ""
            holder = conn.execute(select(cl.c.coder).where(
                cl.c.answer_id == answer_id, cl.c.lane == lane)).scalar()
            if holder is not None and holder != coder:
                return False
            _put_claim(conn, answer_id, lane, coder, stamp, ttl_minutes)
            return True
    except IntegrityError:
        return False


def release(project: Project, coder: str, answer_id: int | None = None) -> int:
    """Give up ``coder``'s claim on ``answer_id`` (or all of ``coder``'s claims).

    Returns:
        how many claims were released.
    """
    cl = schema.claims
    query = delete(cl).where(cl.c.coder == coder.strip())
    if answer_id is not None:
        query = query.where(cl.c.answer_id == answer_id)
    with project.coordination_engine.begin() as conn:
        return int(conn.execute(query).rowcount or 0)


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


# --------------------------------------------------------------------------- adjudication


def coder_decisions(project: Project, coders: Iterable[str] | None = None
                    ) -> dict[int, dict[str, Decision]]:
    """Each coder's own coding in force per answer: ``{answer_id: {coder: Decision}}``.

    Unlike :meth:`Project.current_decisions`, adjudicated decisions are left out, so a
    coder who also adjudicates keeps their original coding for agreement and comparison;
    so are the model's automatic decisions (source ``auto``): they are nobody's judgement.
    """
    wanted = set(coders) if coders is not None else None
    live: dict[tuple[int, str], list[Decision]] = {}
    withdrawn: set[int] = set()
    log = project.decision_log()
    for decision in log:
        if decision.source == "undo" and decision.undoes is not None:
            withdrawn.add(decision.undoes)
    for decision in log:
        if decision.source in ("undo", "adjudicated", "auto") or decision.id in withdrawn:
            continue
        if wanted is not None and decision.coder not in wanted:
            continue
        live.setdefault((decision.answer_id, decision.coder), []).append(decision)
    out: dict[int, dict[str, Decision]] = {}
    for (answer_id, coder), items in live.items():
        out.setdefault(answer_id, {})[coder] = items[-1]
    return out


def _verdict(decision: Decision) -> tuple[bool, frozenset[str]]:
    return decision.not_assigned, frozenset(decision.themes)


@dataclass(frozen=True)
class Disagreement:
    """An answer whose coders decided differently, with each coder's decision."""

    answer: Answer
    decisions: dict[str, Decision]
    """Coder name → that coder's decision, in coder order."""
    adjudicated: Decision | None = None
    """The adjudicated decision in force, if the disagreement was settled."""

    @property
    def coders(self) -> list[str]:
        """The coders who disagree, in order."""
        return list(self.decisions)


def adjudication_queue(project: Project, *, coders: Iterable[str] | None = None,
                       include_settled: bool = False) -> list[Disagreement]:
    """Answers on which two or more coders' decisions in force differ, in answer order.

    Decisions differ when their theme sets differ or one is not-assigned and the other
    not. Settled answers (an adjudicated decision in force) are left out unless
    ``include_settled``.
    """
    by_answer = coder_decisions(project, coders)
    adjudicated = {answer_id: d for (answer_id, _c), d in project.current_decisions().items()
                   if d.source == "adjudicated"}
    order = {c: i for i, c in enumerate(coders or project.coders())}
    out = []
    for answer_id in sorted(by_answer):
        decisions = by_answer[answer_id]
        if len(decisions) < 2 or len({_verdict(d) for d in decisions.values()}) < 2:
            continue
        settled = adjudicated.get(answer_id)
        if settled is not None and not include_settled:
            continue
        ranked = dict(sorted(decisions.items(), key=lambda kv: (order.get(kv[0], 1 << 30),
                                                                kv[0])))
        out.append(Disagreement(project.answer(answer_id), ranked, settled))
    return out


def adjudicate(project: Project, answer_id: int, adjudicator: str,
               themes: Sequence[str] = (), not_assigned: bool = False) -> Decision:
    """Record the final coding of a disputed answer (source ``adjudicated``).

    Exports prefer it over every coder's decision (see :meth:`Project.final_decisions`).
    """
    return project.record_decision(answer_id, adjudicator, themes, not_assigned=not_assigned,
                                   source="adjudicated")
