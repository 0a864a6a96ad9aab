"""Keyword suggester speed (answers/s) and day-one quality (keyword-only F1).

Run from the repository root::

    python benchmarks/keywords.py

Speed is measured on the real NHS Friends and Family Test comments in
``../shared/benchmarks/nhs_fft/coded_comments.csv`` (column "FFT answer", codebook
``codebooks/nhs_fft.yaml``) and on ``sample_data/current_year.csv`` if present. Quality is
the micro/macro F1 of the keyword-only suggestions (no training data at all) against the
NHS hand coding, over the codebook's themes; nothing is tuned on this data.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared"
NHS = SHARED / "benchmarks" / "nhs_fft" / "coded_comments.csv"


def rate(label: str, func, texts, questions) -> list:
    """Time ``func`` on every answer: the first time (nothing seen yet: every word and
    answer is new to the suggester), then again (words and answers remembered)."""
    out = None
    for when in ("first time", "again"):
        start, cpu = time.perf_counter(), time.process_time()
        out = func(texts, questions)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        print(f"{label}, {when}: {len(texts)} answers in {seconds:.2f} s = "
              f"{len(texts) / seconds:,.0f} answers/s ({len(texts) / cpu:,.0f} per CPU-second)")
    return out


def main() -> int:
    import os

    import numpy as np
    import pandas as pd

    from themecoder.codebook import load_codebook
    from themecoder.evaluate import micro_macro_f1
    from themecoder.suggest.keywords import KeywordSuggester
    from themecoder.suggest.suggester import Suggester
    from themecoder.survey import normalise_question

    if not NHS.is_file():
        print(f"NHS comments not found at {NHS}: nothing to benchmark.")
        return 0
    codebook = load_codebook(ROOT / "codebooks" / "nhs_fft.yaml")
    data = pd.read_csv(NHS, dtype=str, keep_default_na=False)
    texts = data["FFT answer"].tolist()
    questions = [normalise_question(q) for q in data["FFT question"]]

    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    start = time.perf_counter()
    keywords = KeywordSuggester(codebook)
    print(f"built the keyword suggester ({len(codebook.themes)} themes) in "
          f"{time.perf_counter() - start:.2f} s")
    rate("NHS FFT, KeywordSuggester.suggest_many", keywords.suggest_many, texts, questions)
    suggester = Suggester(codebook, keyword_suggester=KeywordSuggester(codebook))
    # keep only what the F1 needs, as a streaming consumer (the CLI, the app) would
    suggested = rate("NHS FFT, Suggester.suggest_many (keywords only)",
                     lambda t, q: [set(s.suggested_ids) for s in suggester.suggest_many(t, q)],
                     texts, questions)

    current = ROOT / "sample_data" / "current_year.csv"
    if current.is_file():
        survey = pd.read_csv(current, dtype=str, keep_default_na=False)
        holders = Suggester(load_codebook(ROOT / "codebooks" / "poet_holders.yaml"))
        answers, asked = [], []
        for question in ("worked_well", "not_well", "change"):
            if question in survey:
                answers += survey[question].tolist()
                asked += [question] * len(survey)
        rate("sample_data/current_year.csv, Suggester (poet_holders keywords)",
             lambda t, q: [s.suggested_ids for s in holders.suggest_many(t, q)], answers, asked)

    themes = [t for t in codebook.themes if t.name in data.columns]
    truth = np.array([[v.strip() not in ("", "0", "0.0") for v in data[t.name]]
                      for t in themes]).T
    predicted = np.array([[t.id in ids for t in themes] for ids in suggested])
    micro, macro = micro_macro_f1(truth, predicted)
    print(f"NHS FFT keyword-only quality over {len(themes)} themes, all {len(texts)} comments: "
          f"micro-F1 {micro:.3f}, macro-F1 {macro:.3f}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    sys.exit(main())
