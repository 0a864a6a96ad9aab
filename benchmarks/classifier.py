"""Benchmark the theme classifier on real hand-coded NHS comments, scored as coders decide.

Reads ``../shared/benchmarks/nhs_fft/coded_comments.csv`` beside the project (never copied
into it) through :mod:`nhs_data`: a fixed held-out fifth (by a hash of the respondent id)
that no choice ever looks at, and the development part every system is fitted on.

What is scored is what a coder is shown: the 38 labels of the data's README (the themes
with at least 15 examples, and *Not assigned*), where an answer given no theme counts as
*Not assigned*. So leaving an answer empty is a decision that can be right or wrong.

Systems, each fitted on the development part and asked about the held-out part, in one run:

- ``tfidf-lr``: TF-IDF 1–2-grams + one-vs-rest logistic regression over the 38 labels,
  threshold 0.5, the best label when none passes (the README's plain reference).
- ``svc``: pxtextmining's SVC configuration (TF-IDF 1–2-grams, SVC C=15 balanced,
  probability, threshold 0.5, the best label when none passes).
- ``fast`` / ``accurate``: :class:`~themecoder.suggest.classifier.ThemeClassifier`, trained
  as ``themecoder train`` trains it — on every theme column of ``codebooks/nhs_fft.yaml``,
  with the data's ``Not assigned`` code as an answer without theme — and asked through
  :class:`~themecoder.suggest.suggester.Suggester` with the codebook's keywords, as
  ``themecoder suggest`` and the app ask it (``…+kw``), and alone.

Printed: micro/macro-F1 over the 38 labels, sample-based F1, share of answers left Not
assigned (truth: 4.5 %), fit time (wall clock and the process's CPU time, which a busy
machine inflates less), answers/s (wall clock and per CPU-second, with the load average
while suggesting; building the suggester once — loading spaCy's tokenizer and lemma
table, compiling the keywords — is timed apart, as a start-up cost); per-label F1 on the
held-out part; and, with ``--cv``, 5-fold cross-validation on the development part (for
tuning; not a claim).

Run: ``python benchmarks/classifier.py [--models tfidf-lr,svc,fast,accurate] [--cv]``
(the accurate tier needs ``pip install torch==2.13.0 && pip install -e '.[accurate]'``).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import nhs_data  # noqa: E402

SEED = 0
FOLDS = 5


# --------------------------------------------------------------------------- systems


class Reference:
    """A scikit-learn one-vs-rest pipeline over the 38 scored labels, as the README runs it."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def fit(self, data: nhs_data.NhsComments) -> Reference:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier
        from sklearn.pipeline import make_pipeline
        from sklearn.svm import SVC

        if self.kind == "svc":
            estimator = SVC(C=15, class_weight="balanced", probability=True, random_state=SEED)
        else:
            estimator = LogisticRegression(max_iter=1000)
        self.pipe_ = make_pipeline(TfidfVectorizer(ngram_range=(1, 2)),
                                   OneVsRestClassifier(estimator))
        self.pipe_.fit(data.texts, data.labels.to_numpy())
        return self

    def predict(self, data: nhs_data.NhsComments) -> np.ndarray:
        P = self.pipe_.predict_proba(data.texts)
        out = (P >= 0.5).astype(int)
        none = out.sum(axis=1) == 0
        out[np.flatnonzero(none), P[none].argmax(axis=1)] = 1
        return out


class Themecoder:
    """ThemeClassifier trained on the codebook's themes, asked alone or through the Suggester."""

    def __init__(self, tier: str, with_keywords: bool) -> None:
        self.tier = tier
        self.with_keywords = with_keywords

    def fit(self, data: nhs_data.NhsComments) -> Themecoder:
        from themecoder.codebook import load_codebook
        from themecoder.suggest.keyword_blend import keyword_score_matrix
        from themecoder.suggest.model import ThemeClassifier

        self.codebook_ = load_codebook(nhs_data.CODEBOOK)
        ids = self.codebook_.theme_ids
        # as `themecoder train` fits it: with the codebook's keyword scores of the answers
        self.model_ = ThemeClassifier(tier=self.tier).fit(
            data.texts, data.questions, codebook_matrix(data, self.codebook_), ids,
            keyword_scores=keyword_score_matrix(self.codebook_, data.texts, data.questions,
                                                ids))
        return self

    def prepare(self) -> None:
        """Build what suggesting needs once (the Suggester: spaCy's tokenizer and lemma
        table, the compiled keywords), as ``themecoder suggest`` and the app do at start."""
        self.suggester_ = self.suggester() if self.with_keywords else None

    def predict(self, data: nhs_data.NhsComments) -> np.ndarray:
        ids = self.codebook_.theme_ids
        if self.with_keywords:
            if getattr(self, "suggester_", None) is None:
                self.prepare()
            suggester = self.suggester_
            themes, na = [], []
            for s in suggester.suggest_many(data.texts, data.questions):
                chosen = set(s.suggested_ids)
                themes.append([int(t in chosen) for t in ids])
                na.append(s.vague)
            full, not_assigned = np.array(themes), np.array(na, dtype=bool)
        else:
            result = self.model_.predict_all(data.texts, data.questions)
            full, not_assigned = result.themes, result.not_assigned
        return scored_matrix(data, self.codebook_, full, not_assigned)

    def suggester(self):
        from themecoder.suggest.suggester import Suggester

        class Loaded:  # what load_model returns, without a round trip through files
            classifier = self.model_
            name, version, metadata = f"nhs-{self.tier}", "benchmark", {}

        return Suggester(self.codebook_, Loaded)


def codebook_matrix(data: nhs_data.NhsComments, codebook) -> np.ndarray:
    """(n, k) 0/1 over the codebook's themes, read from the columns named as the themes."""
    frame = data.frame
    return np.column_stack([frame[t.name].str.strip().isin(["1", "1.0"]).to_numpy()
                            for t in codebook.themes]).astype(int)


def scored_matrix(data: nhs_data.NhsComments, codebook, full: np.ndarray,
                  not_assigned: np.ndarray) -> np.ndarray:
    """Codebook-theme predictions as the 38 scored labels (no theme at all = Not assigned)."""
    column = {t.name: j for j, t in enumerate(codebook.themes)}
    scored = full[:, [column[name] for name in data.themes]]
    na = np.asarray(not_assigned, dtype=bool) | (full.sum(axis=1) == 0)
    return nhs_data.as_scored(scored, na)


SYSTEMS = {
    "tfidf-lr": lambda: Reference("lr"),
    "svc": lambda: Reference("svc"),
    "fast": lambda: Themecoder("fast", with_keywords=True),
    "fast-alone": lambda: Themecoder("fast", with_keywords=False),
    "accurate": lambda: Themecoder("accurate", with_keywords=True),
    "accurate-alone": lambda: Themecoder("accurate", with_keywords=False),
}


# --------------------------------------------------------------------------- scoring


def scores(truth: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    from sklearn.metrics import f1_score

    from themecoder.evaluate import micro_macro_f1

    micro, macro = micro_macro_f1(truth, pred)
    return {"micro": micro, "macro": macro,
            "samples": float(f1_score(truth, pred, average="samples", zero_division=0)),
            "exact": float((truth == pred).all(axis=1).mean()),
            "na_share": float(pred[:, 0].mean())}


def evaluate(name: str, train: nhs_data.NhsComments, test: nhs_data.NhsComments) -> dict:
    from themecoder.suggest import embeddings

    embeddings._EMBED_CACHE.clear()
    system = SYSTEMS[name]()
    wall, cpu = time.perf_counter(), time.process_time()
    system.fit(train)
    fit_s, fit_cpu = time.perf_counter() - wall, time.process_time() - cpu
    embeddings._EMBED_CACHE.clear()
    wall, cpu = time.perf_counter(), time.process_time()
    getattr(system, "prepare", lambda: None)()
    start_s, start_cpu = time.perf_counter() - wall, time.process_time() - cpu
    load = os.getloadavg()[0]
    wall, cpu = time.perf_counter(), time.process_time()
    pred = system.predict(test)
    per_s = len(test.texts) / (time.perf_counter() - wall)
    per_cpu_s = len(test.texts) / max(time.process_time() - cpu, 1e-9)
    model = getattr(system, "model_", None)
    return {"name": name, **scores(test.labels.to_numpy(), pred), "fit_s": fit_s,
            "keyword_weight": getattr(model, "keyword_weight_", None),
            "fit_cpu": fit_cpu, "start_s": start_s, "start_cpu": start_cpu, "per_s": per_s,
            "per_cpu_s": per_cpu_s, "load": (load + os.getloadavg()[0]) / 2, "pred": pred}


def cross_validate(name: str, dev: nhs_data.NhsComments) -> dict[str, float]:
    from sklearn.model_selection import KFold

    truth = dev.labels.to_numpy()
    pred = np.zeros_like(truth)
    for train, test in KFold(FOLDS, shuffle=True, random_state=SEED).split(truth):
        mask = np.zeros(len(truth), dtype=bool)
        mask[train] = True
        system = SYSTEMS[name]().fit(dev.rows(mask))
        pred[test] = system.predict(dev.rows(~mask))
    return scores(truth, pred)


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, "
            f"load average {load:.1f}")


TARGETS = {"fast": (0.745, 0.52, 30.0), "accurate": (0.77, 0.58, 600.0)}
"""Per tier with keywords (as coders get it): micro-F1, macro-F1 on the held-out part, fit (s)."""


def print_targets(rows: list[dict]) -> None:
    """Each tier's targets, its figures to four decimals, met or not."""
    by_name = {r["name"]: r for r in rows}
    svc = by_name.get("svc")
    for name, (micro, macro, fit) in TARGETS.items():
        row = by_name.get(name)
        if row is None:
            continue
        checks = [f"micro {row['micro']:.4f} ≥ {micro}: {_met(row['micro'] >= micro)}",
                  f"macro {row['macro']:.4f} ≥ {macro}: {_met(row['macro'] >= macro)}",
                  f"fit {row['fit_s']:.1f} s wall / {row['fit_cpu']:.1f} s CPU ≤ {fit:g} s: "
                  f"{_met(row['fit_s'] <= fit)} / {_met(row['fit_cpu'] <= fit)}"]
        if svc is not None:
            ahead = row["micro"] > svc["micro"] and row["macro"] > svc["macro"]
            checks.append(f"ahead of svc on both: {_met(ahead)}")
        print(f"targets, {name}: " + "; ".join(checks))


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="tfidf-lr,svc,fast,accurate",
                        help="comma-separated: " + ", ".join(SYSTEMS))
    parser.add_argument("--cv", action="store_true",
                        help="also 5-fold cross-validation on the development part")
    parser.add_argument("--per-label", action="store_true", help="print per-label F1")
    args = parser.parse_args()
    if not nhs_data.ready():
        return 0
    data = nhs_data.load()
    dev, test = data.rows(data.development), data.rows(data.held_out)
    print(f"{date.today()}  {machine()}")
    print(f"{nhs_data.DATA.name}: {len(dev.texts)} development answers, {len(test.texts)} "
          f"held out (by respondent); {data.labels.shape[1]} scored labels; truly Not "
          f"assigned in the held-out part: {test.labels.iloc[:, 0].mean():.1%}", flush=True)
    names = [n.strip() for n in args.models.split(",") if n.strip()]
    rows = []
    for name in names:
        row = evaluate(name, dev, test)
        rows.append(row)
        print(f"{name:15} held out: micro {row['micro']:.3f}  macro {row['macro']:.3f}  "
              f"samples {row['samples']:.3f}  exact {row['exact']:.3f}  "
              f"Not assigned {row['na_share']:.1%}  fit {row['fit_s']:.1f} s "
              f"({row['fit_cpu']:.1f} s CPU)  "
              f"{row['per_s']:,.0f} answers/s ({row['per_cpu_s']:,.0f} per CPU-second; "
              f"load average {row['load']:.1f})", flush=True)
        if row["keyword_weight"] is not None:
            print(f"{'':15} keyword weight learned in the fit: {row['keyword_weight']:g}",
                  flush=True)
        if row["start_s"] >= 0.01:
            print(f"{'':15} built the suggester once before suggesting (spaCy tokenizer "
                  f"and lemma table, keywords): {row['start_s']:.1f} s "
                  f"({row['start_cpu']:.1f} s CPU), not in answers/s", flush=True)
        if args.cv:
            cv = cross_validate(name, dev)
            print(f"{'':15} {FOLDS}-fold CV on development: micro {cv['micro']:.3f}  "
                  f"macro {cv['macro']:.3f}  samples {cv['samples']:.3f}", flush=True)
    print()
    print("| system | micro-F1 | macro-F1 | sample F1 | exact set | Not assigned | fit (s) "
          "| fit CPU (s) | answers/s | answers/CPU-s |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        print(f"| {r['name']} | {r['micro']:.3f} | {r['macro']:.3f} | {r['samples']:.3f} | "
              f"{r['exact']:.3f} | {r['na_share']:.1%} | {r['fit_s']:.1f} | "
              f"{r['fit_cpu']:.1f} | {r['per_s']:,.0f} | {r['per_cpu_s']:,.0f} |")
    print_targets(rows)
    if args.per_label:
        from sklearn.metrics import f1_score

        truth = test.labels.to_numpy()
        print()
        print("| label | support | " + " | ".join(r["name"] for r in rows) + " |")
        print("| --- | ---: |" + " ---: |" * len(rows))
        for j, label in enumerate(test.labels.columns):
            f1s = [f1_score(truth[:, j], r["pred"][:, j], zero_division=0) for r in rows]
            print(f"| {label} | {int(truth[:, j].sum())} | "
                  + " | ".join(f"{f:.2f}" for f in f1s) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
