"""Benchmark the theme classifier on real hand-coded NHS Friends and Family Test comments.

Reads ``../shared/benchmarks/nhs_fft/coded_comments.csv`` beside the project (never
copied into it). Themes with at least 15 examples; the "Not assigned" column means no
theme. For each model: 5-fold cross-validated micro/macro F1 (KFold, shuffled, seed 0),
then the time to train on the full file and the prediction throughput, all themes and
again without the "Labelling not possible" theme.

Models:

- ``reference``: pxtextmining's published configuration: TF-IDF 1–2-grams +
  one-vs-rest SVC(C=15, class_weight="balanced", probability=True), threshold 0.5,
  the most likely theme when none passes.
- ``fast`` / ``accurate``: :class:`themecoder.suggest.model.ThemeClassifier` tiers.

Run: ``python benchmarks/classifier.py [--models reference,fast,accurate] [--jobs 1]``
(the accurate tier needs ``pip install -e '.[accurate]'``).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import warnings
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

DATA = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "nhs_fft" / \
    "coded_comments.csv"
MIN_EXAMPLES = 15
FOLDS = 5
SEED = 0
LNP = "Labelling not possible"


def load() -> tuple[list[str], list[str], pd.DataFrame]:
    df = pd.read_csv(DATA)
    theme_cols = list(df.columns[df.columns.get_loc("Not assigned") + 1:])
    counts = df[theme_cols].fillna(0).sum()
    themes = [c for c in theme_cols if counts[c] >= MIN_EXAMPLES]
    texts = df["FFT answer"].fillna("").astype(str).tolist()
    questions = df["FFT question"].fillna("").astype(str).tolist()
    return texts, questions, df[themes].fillna(0).astype(int)


class Reference:
    """pxtextmining's published SVC configuration, threshold 0.5, best label when none."""

    def __init__(self, n_jobs: int = 1) -> None:
        self.n_jobs = n_jobs

    def fit(self, texts, questions, Y, theme_ids, cancel=None):
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.multiclass import OneVsRestClassifier
        from sklearn.pipeline import make_pipeline
        from sklearn.svm import SVC

        self.pipe_ = make_pipeline(
            TfidfVectorizer(ngram_range=(1, 2)),
            OneVsRestClassifier(SVC(C=15, class_weight="balanced", probability=True,
                                    random_state=SEED), n_jobs=self.n_jobs))
        self.pipe_.fit(texts, np.asarray(Y))
        return self

    def predict_proba(self, texts, questions):
        return self.pipe_.predict_proba(texts)

    def predict(self, texts, questions):
        return decide_reference(self.predict_proba(texts, questions))

    def predict_with_proba(self, texts, questions):
        P = self.predict_proba(texts, questions)
        return decide_reference(P), P


def decide_reference(P: np.ndarray) -> np.ndarray:
    out = (P >= 0.5).astype(int)
    none = out.sum(axis=1) == 0
    out[np.flatnonzero(none), P[none].argmax(axis=1)] = 1
    return out


def make(name: str, n_jobs: int):
    from themecoder.suggest.model import ThemeClassifier

    if name == "reference":
        return lambda: Reference(n_jobs)
    return lambda: ThemeClassifier(tier=name)


def run(name: str, texts, questions, labels: pd.DataFrame, n_jobs: int) -> list[dict]:
    from themecoder.evaluate import cross_validate_model, theme_metrics
    from themecoder.suggest import embeddings

    rows = []
    variants = [("all themes", list(labels.columns)),
                (f"without '{LNP}'", [c for c in labels.columns if c != LNP])]
    reference_cv = None
    for variant, themes in variants:
        Y = labels[themes].to_numpy()
        start = time.perf_counter()
        if name == "reference" and reference_cv is not None:
            # One-vs-rest SVCs are independent per theme: dropping a theme's column from
            # the probabilities is the same as not training it.
            keep = [list(labels.columns).index(t) for t in themes]
            proba = reference_cv.proba[:, keep]
            metrics = theme_metrics(Y, decide_reference(proba), themes)
            fit_s, fit_cpu, per_s = rows[-1]["fit_s"], rows[-1]["fit_cpu_s"], rows[-1]["per_s"]
        else:
            cv = cross_validate_model(make(name, n_jobs), texts, questions, Y, themes,
                                      n_splits=FOLDS, random_state=SEED)
            reference_cv = cv
            metrics = cv.metrics
            if name == "reference":
                # Its full-file fit would take as long again: report the folds' mean fit
                # (on 4/5 of the file) and the folds' prediction throughput instead.
                fit_s, fit_cpu, per_s = cv.fit_seconds, float("nan"), cv.predict_per_second
                rows.append(_row(name, variant, themes, metrics, fit_s, fit_cpu, per_s, start))
                continue
            # Training on the full file, and throughput on it, each with nothing cached.
            embeddings._EMBED_CACHE.clear()
            model = make(name, n_jobs)()
            wall, cpu = time.perf_counter(), time.process_time()
            model.fit(texts, questions, Y, themes)
            fit_s, fit_cpu = time.perf_counter() - wall, time.process_time() - cpu
            embeddings._EMBED_CACHE.clear()
            wall = time.perf_counter()
            model.predict(texts, questions)
            per_s = len(texts) / (time.perf_counter() - wall)
        rows.append(_row(name, variant, themes, metrics, fit_s, fit_cpu, per_s, start))
    return rows


def _row(name, variant, themes, metrics, fit_s, fit_cpu, per_s, start) -> dict:
    row = {"model": name, "themes": f"{variant} ({len(themes)})",
           "micro_f1": metrics.loc["micro", "f1"], "macro_f1": metrics.loc["macro", "f1"],
           "fit_s": fit_s, "fit_cpu_s": fit_cpu, "per_s": per_s,
           "minutes": (time.perf_counter() - start) / 60}
    print(f"{name:9} {row['themes']:38} micro-F1 {row['micro_f1']:.3f}  "
          f"macro-F1 {row['macro_f1']:.3f}  fit {fit_s:6.1f} s (CPU {fit_cpu:6.1f} s)  "
          f"{per_s:8.0f} answers/s", flush=True)
    return row


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal"))
        ram = f"{mem / 1024 ** 2:.0f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        ram = "unknown RAM"
    return f"{os.cpu_count()} cores, {cpu}, {ram}, Python {platform.python_version()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="reference,fast,accurate",
                        help="comma-separated: reference, fast, accurate")
    parser.add_argument("--jobs", type=int, default=1,
                        help="parallel jobs for the reference SVCs (default 1)")
    args = parser.parse_args()
    if not DATA.exists():
        print(f"benchmark data not found at {DATA}; nothing to do", file=sys.stderr)
        return 0
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    warnings.filterwarnings("ignore", category=FutureWarning)  # SVC(probability=True)
    texts, questions, labels = load()
    print(f"{date.today()}  {machine()}")
    print(f"{DATA.name}: {len(texts)} answers, {labels.shape[1]} themes with >= "
          f"{MIN_EXAMPLES} examples; {FOLDS}-fold KFold (shuffled, seed {SEED})", flush=True)
    rows = []
    for name in args.models.split(","):
        rows += run(name.strip(), texts, questions, labels, args.jobs)
    print()
    print("(reference: fit = mean per fold on 4/5 of the file, throughput over the folds;"
          " the others: one fit on the full file, throughput on it with nothing cached)")
    print("| model | themes | micro-F1 | macro-F1 | fit (s) | fit CPU (s) | answers/s |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        print(f"| {r['model']} | {r['themes']} | {r['micro_f1']:.3f} | {r['macro_f1']:.3f} | "
              f"{r['fit_s']:.1f} | {r['fit_cpu_s']:.1f} | {r['per_s']:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
