"""Double-coding samples: answers that two or more named coders each code blind.

A *double-coding sample* is a reproducible, stratified draw of answers that two or more
named coders each code *blind* (without seeing one another's decisions), so their
agreement can be measured honestly (:mod:`themecoder.agreement`). Only answers nobody has
decided yet are drawn, so every coder's decision on them is made blind. How a coder's
sample answers are served among the others (all first, or interleaved at a fixed share)
is a project setting (:func:`sample_order`).
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import select

from themecoder.codebook import QUESTIONS
from themecoder.errors import StoreError
from themecoder.store import schema
from themecoder.store.claims import decision_in_force
from themecoder.store.project import Project, now

SAMPLE_ORDERS = ("first", "interleaved")
"""How a coder's sample answers are served: all before the others, or mixed in."""

ORDER_SETTING = "double_coding.order"
SHARE_SETTING = "double_coding.share"
DEFAULT_SHARE = 0.25
"""With interleaved serving, the share of answers served that are sample answers."""

T = TypeVar("T")


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
    created_at: str = ""
    """When it was drawn: decisions on its answers from then on are blind."""


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

    Only answers with a comment that nobody has decided yet and that are in no earlier
    sample are drawn, so each coder's decision on them is made blind. The same project
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
            .where(a.c.has_comment.is_(True), a.c.id.not_in(select(dc.c.answer_id)),
                   ~decision_in_force(a.c.id))
            .order_by(a.c.id)).all()
        by_stratum: dict[tuple[str, str], list[int]] = {}
        for row in rows:
            by_stratum.setdefault((row.group_label, row.question), []).append(row.id)
        qorder = {q: i for i, q in enumerate(QUESTIONS)}
        keys = sorted(by_stratum, key=lambda k: (k[0], qorder.get(k[1], 99), k[1]))
        population = len(rows)
        if population == 0:
            raise StoreError("no commented answer is left that nobody has coded yet",
                             field="answers")
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
                               tuple(sorted(ids.get(row.id, ()))), (), row.created_at)
            for row in samples]


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


@dataclass(frozen=True)
class SampleProgress:
    """How far each coder of a double-coding sample has coded it blind."""

    sample: DoubleCodingSample
    coded: dict[str, int]
    """Coder → sample answers that coder has decided since the sample was drawn."""


def sample_progress(project: Project) -> list[SampleProgress]:
    """Each double-coding sample, oldest first, with every coder's progress on it."""
    samples = double_coding_samples(project)
    if not samples:
        return []
    ids = set().union(*(sample.answer_ids for sample in samples))
    current = project.current_decisions(answer_ids=ids)
    out = []
    for sample in samples:
        members = set(sample.answer_ids)
        coded = dict.fromkeys(sample.coders, 0)
        for (answer_id, coder), decision in current.items():
            if answer_id in members and coder in coded and decision.source != "adjudicated" \
                    and decision.created_at >= sample.created_at:
                coded[coder] += 1
        out.append(SampleProgress(sample, coded))
    return out


def sampled_answers(project: Project) -> set[int]:
    """Answers in any double-coding sample (whoever codes them)."""
    dc = schema.double_coding
    with project.engine.connect() as conn:
        return set(conn.execute(select(dc.c.answer_id).distinct()).scalars())


def blind_since(project: Project) -> dict[tuple[int, str], str]:
    """When each (answer, coder) entered a double-coding sample: ``{(answer, coder): time}``.

    A coder's decision on such an answer made at or after that time was made blind (the
    app hides other coders' decisions on it), which is what agreement is measured on.
    """
    s, dc = schema.double_coding_samples, schema.double_coding
    out: dict[tuple[int, str], str] = {}
    with project.engine.connect() as conn:
        rows = conn.execute(select(dc.c.answer_id, dc.c.coder, s.c.created_at)
                            .join(s, s.c.id == dc.c.sample_id)).all()
    for row in rows:
        key = (row.answer_id, row.coder)
        if key not in out or row.created_at < out[key]:
            out[key] = row.created_at
    return out


# --------------------------------------------------------------------------- serving order


def sample_order(project: Project) -> tuple[str, float]:
    """How sample answers are served to their coders: ``(order, share)``.

    ``order`` is ``"first"`` (a coder's sample answers before any other) or
    ``"interleaved"`` (mixed in so that ``share`` of the answers served are sample answers
    while any are left). The default is ``("first", 0.25)``.
    """
    info = project.info()
    order = info.get(ORDER_SETTING, "first")
    share = float(info.get(SHARE_SETTING, DEFAULT_SHARE))
    return (order if order in SAMPLE_ORDERS else "first"), share


def set_sample_order(project: Project, order: str, share: float | None = None) -> None:
    """Set how sample answers are served (see :func:`sample_order`).

    Raises:
        StoreError: an unknown order, or a share not between 0 and 1.
    """
    if order not in SAMPLE_ORDERS:
        raise StoreError(f"the sample order must be {' or '.join(SAMPLE_ORDERS)}, not "
                         f"'{order}'", field="sample-order")
    if share is not None and not 0 < share < 1:
        raise StoreError(f"the sample share must be above 0 and below 1, not {share:g}",
                         field="sample-share")
    project.set_info(ORDER_SETTING, order)
    if share is not None:
        project.set_info(SHARE_SETTING, f"{share:g}")


def serving_order(ordinary: Sequence[T], sample: Sequence[T], *, order: str, share: float,
                  counts: Callable[[T], bool] = lambda _item: True) -> list[T]:
    """Merge a coder's queue of ordinary answers with their sample answers still to do.

    ``"first"`` puts the sample before everything; ``"interleaved"`` serves a sample
    answer whenever fewer than ``share`` of the answers served so far (counting only
    ordinary answers for which ``counts`` holds, i.e. those still to do) were sample
    answers, so the sample is mixed in evenly; what is left of it follows at the end.
    """
    if order == "first":
        return [*sample, *ordinary]
    out: list[T] = []
    taken = served = 0
    for item in ordinary:
        if counts(item):
            while taken < len(sample) and taken < share * (served + 1):
                out.append(sample[taken])
                taken += 1
                served += 1
            served += 1
        out.append(item)
    out.extend(sample[taken:])
    return out
