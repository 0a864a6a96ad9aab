"""Exporter speed: tally a project of 1,000,000 answers with their coding decisions.

Builds an SQLite project directly with bulk inserts (the Project API's one-commit-per-decision
path is for coders, not for building benchmarks), then times reading the tables, deriving the
final decision per answer, and the tallies (with and without a breakdown by an attribute).

Usage (from the repository root)::

    python benchmarks/export_speed.py [--answers 1000000] [--keep PATH]

The made-up project: respondents split 60/40 into holders and carers, three answers each;
70 % of answers have a comment; 90 % of comments are coded by one coder (1–3 themes, or
not assigned for 8 %), 20 % of those a second coder also codes, 2 % are adjudicated and 1 %
of decisions are undone.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import tempfile
import time
from pathlib import Path

import numpy as np

from themecoder.codebook import load_codebook
from themecoder.export.data import explode_themes, final_decisions_frame, read_decisions
from themecoder.export.tally import tally
from themecoder.store import Project

ROOT = Path(__file__).resolve().parents[1]
STAMP = "2026-01-01T00:00:00+00:00"
COUNCILS = ["Ashbourne Vale", "Brackenfield", "Cresswick", "Dunmoor", "Fenbridge"]


def build(path: Path, n_answers: int, seed: int = 1) -> dict[str, int]:
    """Create the project at ``path`` and fill it; returns row counts."""
    with Project.create(path, name="export speed benchmark") as project:
        holders = load_codebook(ROOT / "codebooks" / "poet_holders.yaml")
        carers = load_codebook(ROOT / "codebooks" / "poet_carers.yaml")
        project.add_codebook(holders)
        project.add_codebook(carers)
    rng = np.random.default_rng(seed)
    n_resp = -(-n_answers // 3)
    groups = np.where(rng.random(n_resp) < 0.6, "holder", "carer")
    councils = rng.integers(0, len(COUNCILS), n_resp)
    attrs = [json.dumps({"council": c, "budget_type": b})
             for c in COUNCILS for b in ("Direct payment", "Managed account")]
    budget = rng.integers(0, 2, n_resp)
    con = sqlite3.connect(path)
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA journal_mode=WAL")
    with con:
        con.executemany(
            "INSERT INTO respondents (id, respondent_key, group_label, attributes) "
            "VALUES (?, ?, ?, ?)",
            ((i + 1, f"R{i + 1}", str(groups[i]), attrs[councils[i] * 2 + budget[i]])
             for i in range(n_resp)))
        questions = ("worked_well", "not_well", "change")
        commented = rng.random(n_answers) < 0.7
        con.executemany(
            "INSERT INTO answers (id, answer_key, respondent_id, question, text, has_comment) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            ((a + 1, f"R{a // 3 + 1}:{questions[a % 3]}", a // 3 + 1, questions[a % 3],
              "a comment" if commented[a] else "", int(commented[a]))
             for a in range(n_answers)))
        theme_ids = {"holder": holders.theme_ids, "carer": carers.theme_ids}
        # a pool of theme lists per group, drawn from like real coding (1–3 themes)
        pools = {g: [json.dumps(list(rng.choice(ids, size=int(rng.integers(1, 4)),
                                                 replace=False)))
                     for _ in range(400)] for g, ids in theme_ids.items()}
        coded = np.flatnonzero(commented & (rng.random(n_answers) < 0.9))
        rows = []
        next_id = 1

        def decision(answer: int, coder: str, source: str = "manual") -> None:
            nonlocal next_id
            group = str(groups[answer // 3])
            if rng.random() < 0.08:
                themes, na = "[]", 1
            else:
                themes, na = pools[group][int(rng.integers(0, 400))], 0
            rows.append((next_id, answer + 1, coder, themes, na, source, None, STAMP))
            next_id += 1

        rand = rng.random(len(coded))
        for answer, r in zip(coded.tolist(), rand.tolist(), strict=True):
            decision(answer, "alice")
            if r < 0.2:
                decision(answer, "bob")
            if r < 0.02:
                decision(answer, "carol", "adjudicated")
            if r > 0.99:  # alice withdraws her decision
                rows.append((next_id, answer + 1, "alice", "[]", 0, "undo", next_id - 1, STAMP))
                next_id += 1
        con.executemany(
            "INSERT INTO decisions (id, answer_id, coder, themes, not_assigned, source, undoes, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    con.close()
    return {"respondents": n_resp, "answers": n_answers, "decisions": len(rows)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="Build the project here and keep it.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "bench.themecoder"
        start = time.perf_counter()
        counts = build(path, args.answers)
        print(f"built {counts['respondents']:,} respondents, {counts['answers']:,} answers, "
              f"{counts['decisions']:,} decisions in {time.perf_counter() - start:.1f} s")
        with Project.open(path) as project:
            start = time.perf_counter()
            log = read_decisions(project)
            t_read = time.perf_counter() - start
            start = time.perf_counter()
            final = final_decisions_frame(log)
            explode_themes(final)
            t_rule = time.perf_counter() - start
            print(f"load average {' / '.join(f'{x:.1f}' for x in os.getloadavg())}")
            print(f"read decision log: {t_read:.2f} s; decision rule + theme lists: "
                  f"{t_rule:.2f} s ({len(final):,} decided answers)")
            for by in ((), ("council",)):
                start, cpu = time.perf_counter(), time.process_time()
                result = tally(project, by=by)
                elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
                label = f"tally by {', '.join(by)}" if by else "tally"
                print(f"{label} (reads everything, derives decisions, counts): "
                      f"{elapsed:.2f} s wall, {cpu:.2f} s CPU — "
                      f"{int(result.counts['comments'].sum()):,} theme mentions, "
                      f"{result.to_do:,} answers to do")


if __name__ == "__main__":
    main()
