"""How long reading a large CSV survey file takes, with the checks for swallowed rows.

Run from the repository root::

    python benchmarks/csv_reading.py [ROWS]

Writes a synthetic wide CSV (default 100,000 respondents) into a temporary folder, in two
versions: every answer on one line, and every answer spread over two lines inside quotes
(the worst case for the check that a quote does not swallow rows), and prints the median of
three timings of :func:`themecoder.survey_tables.read_table` for each.
"""

from __future__ import annotations

import csv
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

WORDS = ("the social worker was helpful and the paperwork took months to sort out, "
         "my carer is kind").split()


def write(path: Path, rows: int, multiline: bool) -> None:
    rng = random.Random(0)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["respondent_id", "group", "worked_well", "not_well", "change",
                         "council"])
        for i in range(rows):
            answer = " ".join(rng.choices(WORDS, k=12))
            if multiline:
                answer = answer.replace(" ", "\n", 1)
            writer.writerow([f"R{i:06d}", rng.choice(["holder", "carer"]), answer,
                             " ".join(rng.choices(WORDS, k=8)), "", "Brackenfield"])


def main() -> int:
    from themecoder.survey_tables import read_table

    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    print(f"load average {os.getloadavg()[0]:.1f}; {rows:,} rows")
    with tempfile.TemporaryDirectory() as folder:
        for multiline in (False, True):
            path = Path(folder) / f"survey_{multiline}.csv"
            write(path, rows, multiline)
            times = []
            for _ in range(3):
                start = time.perf_counter()
                read_table(path)
                times.append(time.perf_counter() - start)
            size = path.stat().st_size / 1e6
            kind = "answers over two lines" if multiline else "answers on one line"
            print(f"{kind}: {size:.1f} MB read in {statistics.median(times):.2f} s "
                  f"(median of 3)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
