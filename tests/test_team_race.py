"""Coders pressing Enter at the same moment, through the path the coding app takes.

Each coder is a process with its own :class:`CodingSession` on the demo's current-year
survey. Every round all coders wait at a barrier, then decide the answer on their screen
and move on to the next answer to do (``decide`` then ``next_todo``, as the app's Enter
does). Afterwards no answer outside the double-coding sample may carry decisions of two
coders, and every sample answer has one decision from each of its coders.
"""

from __future__ import annotations

import multiprocessing
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from conftest import make_project

from themecoder.coding import CodingSession
from themecoder.errors import DecidedByOther
from themecoder.store import Project
from themecoder.store.teams import draw_double_coding_sample

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from team_race import coder as press_enter_rounds  # noqa: E402  (the benchmark's coder)

CODERS = 3
ROUNDS = 200
SAMPLED = 24
SAME_ROUNDS = 60


def code_rounds(location: str, coder: str, rounds: int, barrier) -> Counter:  # noqa: ANN001
    """One coder: each round, wait for the others, then decide and move on."""
    return press_enter_rounds(location, coder, rounds, barrier, pace=None)


def decide_same_answers(location: str, coder: str, answer_ids: list[int],
                        barrier) -> list[int]:  # noqa: ANN001
    """One coder: each round, go to the round's answer, wait, then press Enter on it."""
    project = Project.open(location)
    session = CodingSession(project, coder)
    won = []
    try:
        for answer_id in answer_ids:
            answer = session.jump(answer_id)
            ids = session.codebook(answer).theme_ids
            barrier.wait(120)
            try:
                session.decide([ids[answer_id % len(ids)]])
                won.append(answer_id)
            except DecidedByOther:
                pass
    finally:
        session.close()
        project.close()
    return won


def run_race(location: str, coders: int, rounds: int, work=code_rounds,  # noqa: ANN001
             arg: object = None) -> dict[str, object]:
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager, ctx.Pool(coders) as pool:
        barrier = manager.Barrier(coders)
        jobs = {f"coder{i}": pool.apply_async(work, (location, f"coder{i}",
                                                     rounds if arg is None else arg, barrier))
                for i in range(coders)}
        return {name: job.get(timeout=600) for name, job in jobs.items()}


def test_coders_pressing_enter_together_never_share_an_answer(store_url: str) -> None:
    with make_project(store_url) as project:
        sample = set(draw_double_coding_sample(project, ["coder0", "coder1"], n=SAMPLED,
                                               seed=3).answer_ids)
    began = time.perf_counter()
    results = run_race(store_url, CODERS, ROUNDS)
    elapsed = time.perf_counter() - began
    with Project.open(store_url) as project:
        log = project.decision_log()
    by_answer: dict[int, list[str]] = defaultdict(list)
    for decision in log:
        by_answer[decision.answer_id].append(decision.coder)
    shared = {a: c for a, c in by_answer.items() if a not in sample and len(c) > 1}
    assert shared == {}, f"{len(shared)} answers decided by two coders: {shared}"
    assert sum(r.get("decided", 0) for r in results.values()) == len(log)
    # nobody was even handed an answer another coder had decided: no decision was refused
    assert sum(r.get("refused", 0) for r in results.values()) == 0
    # the sample: both of its coders, once each; nobody else
    for answer_id in sample:
        assert sorted(by_answer[answer_id]) == ["coder0", "coder1"], answer_id
    assert len(log) >= CODERS * ROUNDS - CODERS  # nobody sat idle while work was left
    backend = "postgresql" if "://" in store_url else "sqlite"
    print(f"{backend}: {len(log)} decisions in {ROUNDS} rounds by {CODERS} coders in "
          f"{elapsed:.1f} s; {results}")


def test_coders_deciding_one_answer_at_once_one_wins(store_url: str) -> None:
    """All coders on the same answer press Enter together: one decision is kept, the others
    are refused (the store checks in the transaction that writes it)."""
    with make_project(store_url) as project:
        answer_ids = [a.id for a in project.answers(with_comment=True)[:SAME_ROUNDS]]
    results = run_race(store_url, CODERS, SAME_ROUNDS, decide_same_answers, answer_ids)
    won = Counter(a for ids in results.values() for a in ids)
    assert sorted(won) == sorted(answer_ids) and set(won.values()) == {1}
    with Project.open(store_url) as project:
        log = project.decision_log()
    assert Counter(d.answer_id for d in log) == won
