"""Report speed: the DOCX and HTML report (and the quote bank) for 100,000 answers.

Builds the made-up project of ``export_speed.py`` (bulk inserts: respondents 60/40 holders
and carers, 70 % of answers commented, 90 % of those coded), gives the commented answers
varied texts drawn from the bundled sample surveys (so the quote bank has real work to do:
TF-IDF over every coded answer, centrality, near-duplicate checks, redaction), then times
``themecoder report`` end to end for both formats, with a breakdown by council.

Usage (from the repository root)::

    python benchmarks/report_speed.py [--answers 100000] [--keep DIR]

Target: ≤ 30 s for 100,000 answers.
"""

from __future__ import annotations

import argparse
import csv
import os
import sqlite3
import tempfile
import time
from pathlib import Path

import numpy as np
from export_speed import build

from themecoder.export.settings import ExportSettings
from themecoder.report import write_report

ROOT = Path(__file__).resolve().parents[1]
ATTRIBUTION = ("group", "council", "budget_type")


def sample_texts() -> list[str]:
    """Every non-empty answer of the bundled sample surveys."""
    texts = []
    for name in ("prior_year.csv", "current_year.csv"):
        with open(ROOT / "sample_data" / name, encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                texts += [row[q].strip() for q in ("worked_well", "not_well", "change")
                          if row[q].strip()]
    return texts


def give_texts(path: Path, seed: int = 2) -> int:
    """Replace the placeholder texts of commented answers; returns how many."""
    texts = sample_texts()
    rng = np.random.default_rng(seed)
    con = sqlite3.connect(path)
    ids = [r[0] for r in con.execute("SELECT id FROM answers WHERE has_comment = 1")]
    picks = rng.integers(0, len(texts), len(ids))
    joins = rng.integers(0, len(texts), len(ids))
    with con:
        con.executemany("UPDATE answers SET text = ? WHERE id = ?", (
            (texts[p] if k % 3 else f"{texts[p]} {texts[j]}", i)
            for k, (i, p, j) in enumerate(zip(ids, picks.tolist(), joins.tolist(),
                                              strict=True))))
    con.close()
    return len(ids)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="folder to keep the project and reports in")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="themecoder-report-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "report-bench.themecoder"
    if path.exists():
        path.unlink()
    started = time.perf_counter()
    counts = build(path, args.answers)
    counts["commented"] = give_texts(path)
    print(f"built {counts} in {time.perf_counter() - started:.1f} s")
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    settings = ExportSettings(attribution=ATTRIBUTION)
    for name in ("report.docx", "report.html"):
        wall, cpu = time.perf_counter(), time.process_time()
        out = write_report(path, folder / name, by=["council"], settings=settings)
        print(f"{name}: {time.perf_counter() - wall:.1f} s wall, "
              f"{time.process_time() - cpu:.1f} s CPU, {out.stat().st_size / 1e6:.1f} MB")
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
