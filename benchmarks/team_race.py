"""Answers decided by two coders when coders press Enter at the same moment.

Each coder is a process with its own :class:`~themecoder.coding.CodingSession` on the
demo's current-year survey (the bundled ``current_year.csv`` and the POET codebooks),
driven the way the coding app's Enter drives it: decide the answer on screen
(``CodingSession.decide``), then move on (``CodingSession.next_todo``). Two runs per
backend:

- *barrier*: every round all coders wait at a barrier, then press Enter together;
- *paced*: each coder takes a random 2–7 s per answer (``--pace``), as people do.

Printed per run: answers decided, answers outside the double-coding sample decided by
two coders (must be 0), decisions the store refused because another coder had decided
the answer meanwhile, and with ``--sample`` the sample answers coded by both coders (they
should be: each codes the sample blind). PostgreSQL runs when ``THEMECODER_TEST_PG``
names a server (an admin URL; a scratch database is created and dropped for each run).

    python benchmarks/team_race.py [--coders 2] [--rounds 60] [--paced-rounds 10]
        [--pace 2,7] [--sample] [--backends sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import sys
import tempfile
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from team_speed import cpu_model, scratch_location  # noqa: E402

SAMPLE_SHARE = 0.1
"""With ``--sample``: the share double-coded, as ``themecoder assign`` draws by default."""
INTERLEAVE_SHARE = 0.25
"""With ``--sample``: sample answers are mixed in at this share, so both kinds come up."""


def build(location: str, coders: list[str], sample: bool) -> None:
    """The demo's current-year project (no coding yet), with a double-coding sample."""
    from themecoder.codebook import load_codebook
    from themecoder.resources import codebook_path, sample_path
    from themecoder.store import Project
    from themecoder.store.samples import draw_double_coding_sample, set_sample_order
    from themecoder.survey import load_mapping, read_survey

    with Project.create(location, name="current year") as project:
        for stem in ("poet_holders", "poet_carers"):
            project.add_codebook(load_codebook(codebook_path(stem)))
        mapping = load_mapping(sample_path("mapping.yaml"))
        mapping.themes = None
        project.import_survey(read_survey(sample_path("current_year.csv"), mapping))
        if sample:
            draw_double_coding_sample(project, coders, share=SAMPLE_SHARE)
            set_sample_order(project, "interleaved", INTERLEAVE_SHARE)


def coder(location: str, name: str, rounds: int, barrier: object,
          pace: tuple[float, float] | None) -> Counter:
    """One coder: each round wait at the barrier (or take 2–7 s), decide, move on."""
    import time

    from themecoder.coding import CodingSession
    from themecoder.errors import DecidedByOther
    from themecoder.store import Project

    pick = random.Random(name)
    counts: Counter = Counter()
    with Project.open(location) as project:
        session = CodingSession(project, name)
        try:
            for _ in range(rounds):
                if pace is None:
                    barrier.wait(300)  # type: ignore[attr-defined]
                else:
                    time.sleep(pick.uniform(*pace))
                answer = session.current
                if answer is None or session.my_decision(answer.id) is not None:
                    counts["idle"] += 1
                    continue
                themes, not_assigned = session.premarked()
                if not themes and not not_assigned:
                    ids = session.codebook(answer).theme_ids
                    themes = [ids[answer.id % len(ids)]]
                try:
                    session.decide(themes, not_assigned=not_assigned)
                    counts["decided"] += 1
                except DecidedByOther:
                    counts["refused"] += 1
                session.next_todo()
        finally:
            session.close()
    return counts


def run(location: str, coders: list[str], rounds: int,
        pace: tuple[float, float] | None) -> dict[str, int]:
    """Run the coders at once; returns what the decision log shows afterwards."""
    from themecoder.store import Project
    from themecoder.store.samples import sampled_answers

    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager, ctx.Pool(len(coders)) as pool:
        barrier = manager.Barrier(len(coders))
        jobs = [pool.apply_async(coder, (location, name, rounds, barrier, pace))
                for name in coders]
        counts = sum((job.get(timeout=3600) for job in jobs), Counter())
    with Project.open(location) as project:
        sample = sampled_answers(project)
        by_answer: dict[int, set[str]] = defaultdict(set)
        for decision in project.decision_log():
            by_answer[decision.answer_id].add(decision.coder)
    return {
        "answers": len(by_answer),
        "by_two": sum(1 for a, who in by_answer.items() if a not in sample and len(who) > 1),
        "sample_by_both": sum(1 for a, who in by_answer.items()
                              if a in sample and who >= set(coders)),
        "refused": counts["refused"],
        "decided": counts["decided"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--coders", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=60, help="barrier rounds (default 60)")
    parser.add_argument("--paced-rounds", type=int, default=10,
                        help="answers each coder decides at a random pace (default 10; 0: none)")
    parser.add_argument("--pace", default="2,7", help="seconds per answer, min,max (default 2,7)")
    parser.add_argument("--sample", action="store_true",
                        help="draw a 10%% double-coding sample for the coders, served "
                             "interleaved at a quarter of the answers")
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    names = [f"coder{i}" for i in range(args.coders)]
    low, high = (float(x) for x in args.pace.split(","))
    runs = [("barrier", args.rounds, None)]
    if args.paced_rounds:
        runs.append((f"paced {low:g}–{high:g} s", args.paced_rounds, (low, high)))
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {os.cpu_count()} CPUs · {cpu_model()} · "
          f"load average {os.getloadavg()[0]:.1f} · {args.coders} coders · "
          f"{'10% sample interleaved' if args.sample else 'no double-coding sample'}")
    print(f"{'backend':<11} {'run':<15} {'rounds':>6} {'answers':>7} {'by two':>6} "
          f"{'refused':>7} {'sample by both':>14}  load")
    admin = os.environ.get("THEMECODER_TEST_PG")
    for backend in (b.strip() for b in args.backends.split(",") if b.strip()):
        if backend == "postgresql" and not admin:
            print("postgresql  skipped (set THEMECODER_TEST_PG to a server URL)")
            continue
        for label, rounds, pace in runs:
            with tempfile.TemporaryDirectory() as folder, \
                    scratch_location(backend, admin or "", folder) as location:
                build(location, names, args.sample)
                result = run(location, names, rounds, pace)
            both = str(result["sample_by_both"]) if args.sample else "–"
            print(f"{backend:<11} {label:<15} {rounds:>6} {result['answers']:>7} "
                  f"{result['by_two']:>6} {result['refused']:>7} {both:>14}  "
                  f"{os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main()
