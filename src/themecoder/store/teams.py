"""Coding as a team: adjudication, with samples and claims re-exported for convenience.

- Double-coding samples (answers several coders code blind) live in
  :mod:`themecoder.store.samples`.
- Handing answers out and refusing a second decision (claims, revisions) live in
  :mod:`themecoder.store.claims`.
- *Adjudication* (here) settles answers on which coders disagree with a decision of
  source ``adjudicated``, which exports prefer (:meth:`Project.final_decisions`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from themecoder.store.claims import (
    DEFAULT_TTL_MINUTES,
    claim,
    claim_next,
    claim_ttl,
    claimed_by_others,
    claims,
    holder,
    record_unless_decided,
    release,
    renew,
    set_claim_ttl,
)
from themecoder.store.project import Answer, Decision, Project
from themecoder.store.samples import (
    DoubleCodingSample,
    Stratum,
    allocate,
    blind_to,
    double_coded_by,
    double_coding_samples,
    draw_double_coding_sample,
)

__all__ = [
    "DEFAULT_TTL_MINUTES", "Disagreement", "DoubleCodingSample", "Stratum", "adjudicate",
    "adjudication_queue", "allocate", "blind_to", "claim", "claim_next", "claim_ttl",
    "claimed_by_others", "claims", "coder_decisions", "double_coded_by",
    "double_coding_samples", "draw_double_coding_sample", "holder", "record_unless_decided",
    "release", "renew", "set_claim_ttl",
]


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
    not. A decision another coder deliberately revised (a confirmed revision in the app)
    is no rival: the revision replaced it. Settled answers (an adjudicated decision in
    force) are left out unless ``include_settled``.
    """
    by_answer = coder_decisions(project, coders)
    adjudicated = {answer_id: d for (answer_id, _c), d in project.current_decisions().items()
                   if d.source == "adjudicated"}
    order = {c: i for i, c in enumerate(coders or project.coders())}
    out = []
    for answer_id in sorted(by_answer):
        revised = {d.revises for d in by_answer[answer_id].values()}
        decisions = {c: d for c, d in by_answer[answer_id].items() if d.id not in revised}
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
