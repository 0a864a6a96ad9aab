"""Day-one suggestions (a codebook, no training data): keywords alone vs keywords + meaning.

Run from the repository root (the meaning rows need the ``accurate`` extra:
``pip install torch==2.13.0 && pip install -e '.[accurate]'``)::

    python benchmarks/day_one.py                          # POET set + NHS held-out part
    python benchmarks/day_one.py --split development      # the NHS part choices were made on

Data:

- ``benchmarks/data/poet_day_one.yaml``: 50 interview-length POET-style answers written for
  this project (holders and carers, all three questions), coded with the themes of
  ``codebooks/poet_holders.yaml`` / ``poet_carers.yaml``. Nothing was tuned on it.
- The NHS Friends and Family Test comments (``benchmarks/nhs_data.py``, codebook
  ``codebooks/nhs_fft.yaml``): by default the fixed held-out part; ``--split development``
  is the part the meaning scorer's constants were chosen on.

Figures, per data set and method:

- *top-3 hit rate*: of the answers with at least one true theme, the share with a true
  theme among the three best-ranked themes (only themes with a score above 0 count, so an
  answer the keywords do not touch is a miss). For the NHS comments it is also printed
  without and for the stock non-answers ("Nothing.", "n/a" …, which the suggester marks
  vague and suggests nothing for).
- *micro/macro-F1* of the suggested themes, scored as the NHS data's README scores: the
  labels are Not assigned plus the themes, and an answer with no suggested theme counts as
  Not assigned (macro over the labels that occur).
- *answers/s* (wall clock; and per CPU-second, all threads, which depends less on other
  jobs on the machine): suggestions for the whole set, keyword caches warm, answers' embeddings
  not cached (the model is loaded and the theme descriptions embedded before timing; both
  times are printed apart).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
POET_SET = ROOT / "benchmarks" / "data" / "poet_day_one.yaml"
POET_CODEBOOKS = {"holder": ROOT / "codebooks" / "poet_holders.yaml",
                  "carer": ROOT / "codebooks" / "poet_carers.yaml"}
NOT_ASSIGNED = "Not assigned"


@dataclass
class DaySet:
    """Answers with their true themes (by id), grouped by the codebook that codes them.

    ``scored`` names, per group, the theme ids the F1 is computed over, and
    ``not_assigned`` whether each answer was coded Not assigned.
    """

    name: str
    codebooks: dict[str, object]
    texts: dict[str, list[str]]
    questions: dict[str, list[str | None]]
    truth: dict[str, list[set[str]]]
    scored: dict[str, list[str]]
    not_assigned: dict[str, list[bool]]


def poet_set() -> DaySet:
    """The POET day-one answers (the file names themes; they become ids here)."""
    import yaml

    from themecoder.codebook import load_codebook

    codebooks = {group: load_codebook(path) for group, path in POET_CODEBOOKS.items()}
    answers = yaml.safe_load(POET_SET.read_text(encoding="utf-8"))["answers"]
    data = DaySet("POET day-one set", codebooks, {g: [] for g in codebooks},
                  {g: [] for g in codebooks}, {g: [] for g in codebooks},
                  {g: [t.id for t in cb.themes] for g, cb in codebooks.items()},
                  {g: [] for g in codebooks})
    for answer in answers:
        group = answer["group"]
        by_name = {t.name: t.id for t in codebooks[group].themes}
        data.texts[group].append(answer["text"])
        data.questions[group].append(answer["question"])
        data.truth[group].append({by_name[name] for name in answer["themes"]})
        data.not_assigned[group].append(not answer["themes"])
    return data


def nhs_set(split: str) -> DaySet:
    """The NHS comments of one part.

    The truth is every codebook theme the labellers gave (the ranking is over all of
    them); the F1 is over the README's scored themes (at least 15 examples in the file).
    """
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import nhs_data

    from themecoder.codebook import load_codebook

    comments = nhs_data.load()
    part = comments.rows(comments.held_out if split == "held_out" else comments.development)
    codebook = load_codebook(nhs_data.CODEBOOK)
    names = [t.name for t in codebook.themes]
    values = part.frame[names].apply(lambda col: col.str.strip().isin(["1", "1.0"])).to_numpy()
    truth = [{codebook.themes[j].id for j in np.flatnonzero(row)} for row in values]
    by_name = {t.name: t.id for t in codebook.themes}
    return DaySet(f"NHS comments, {split} part", {"patient": codebook},
                  {"patient": part.texts}, {"patient": part.questions}, {"patient": truth},
                  {"patient": [by_name[name] for name in part.themes]},
                  {"patient": part.labels[nhs_data.NOT_ASSIGNED].astype(bool).tolist()})


def scored_matrices(data: DaySet, predicted: dict[str, list[set[str]]],
                    scored: dict[str, list[str]]) -> tuple[np.ndarray, np.ndarray]:
    """Truth and predictions over Not assigned + every group's scored themes.

    The truth's Not assigned is the coders'; a prediction with no scored theme counts as
    Not assigned.
    """
    columns = [(g, t) for g in data.codebooks for t in scored[g]]
    where = {c: i + 1 for i, c in enumerate(columns)}
    rows_true, rows_pred = [], []
    for group in data.codebooks:
        for truth, na, pred in zip(data.truth[group], data.not_assigned[group],
                                   predicted[group], strict=True):
            for sets, rows in ((truth, rows_true), (pred, rows_pred)):
                row = np.zeros(len(columns) + 1, dtype=bool)
                for theme in sets:
                    if (group, theme) in where:
                        row[where[(group, theme)]] = True
                rows.append(row)
            rows_true[-1][0] = na
            rows_pred[-1][0] = not rows_pred[-1].any()
    return np.array(rows_true), np.array(rows_pred)


def evaluate(data: DaySet, suggesters: dict[str, object]) -> dict[str, float]:
    """Top-3 hit rate, micro/macro-F1 and answers/s of one method on one data set."""
    from themecoder.evaluate import micro_macro_f1
    from themecoder.suggest.vague import is_stock_non_answer

    predicted: dict[str, list[set[str]]] = {}
    hits, stock_flags = [], []
    seconds = cpu = 0.0
    for group, suggester in suggesters.items():
        start, start_cpu = time.perf_counter(), time.process_time()
        results = list(suggester.suggest_many(data.texts[group], data.questions[group]))
        seconds += time.perf_counter() - start
        cpu += time.process_time() - start_cpu
        predicted[group] = [set(r.suggested_ids) for r in results]
        for result, truth in zip(results, data.truth[group], strict=True):
            if not truth:
                continue
            top = [t.theme_id for t in result.themes if t.score > 0][:3]
            hits.append(bool(truth & set(top)))
            stock_flags.append(is_stock_non_answer(result.text))
    micro, macro = micro_macro_f1(*scored_matrices(data, predicted, data.scored))
    hits_arr, stock = np.array(hits), np.array(stock_flags)
    n = sum(len(t) for t in data.texts.values())
    return {"top3": hits_arr.mean(), "top3_content": hits_arr[~stock].mean(),
            "top3_stock": hits_arr[stock].mean() if stock.any() else float("nan"),
            "stock": int(stock.sum()), "with_theme": len(hits_arr),
            "micro": micro, "macro": macro, "rate": n / seconds, "answers": n,
            "cpu_rate": n / max(cpu, 1e-9),
            "suggested_none": float(np.mean([not p for ps in predicted.values() for p in ps]))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("held_out", "development"), default="held_out",
                        help="NHS part to report on (default: held_out)")
    parser.add_argument("--data", choices=("poet", "nhs", "both"), default="both")
    args = parser.parse_args()

    from themecoder.suggest.keywords import KeywordSuggester
    from themecoder.suggest.semantic import MeaningScorer, load_meaning_model, meaning_available
    from themecoder.suggest.suggester import Suggester

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import nhs_data

    sets = []
    if args.data in ("poet", "both"):
        sets.append(poet_set())
    if args.data in ("nhs", "both"):
        if nhs_data.available():
            sets.append(nhs_set(args.split))
        else:
            print(f"NHS comments not found at {nhs_data.DATA}: skipped.")
    print(f"machine: {os.cpu_count()} cores, load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    with_meaning = meaning_available()
    if with_meaning:
        start = time.perf_counter()
        load_meaning_model()
        print(f"embedding model loaded in {time.perf_counter() - start:.1f} s")
    else:
        print("the 'accurate' extra is not installed: keywords only")
    header = ("| data | method | answers | top-3 hit rate | of content answers | "
              "of stock non-answers | micro-F1 | macro-F1 | no theme | answers/s | "
              "answers per CPU-second |")
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for data in sets:
        keywords = {g: KeywordSuggester(cb) for g, cb in data.codebooks.items()}
        methods = {"keywords": {g: Suggester(cb, keyword_suggester=keywords[g])
                                for g, cb in data.codebooks.items()}}
        if with_meaning:
            scorers = {g: MeaningScorer(cb) for g, cb in data.codebooks.items()}
            start = time.perf_counter()
            for scorer in scorers.values():
                scorer.prepare()
            print(f"{data.name}: theme descriptions embedded in "
                  f"{time.perf_counter() - start:.1f} s (once per codebook)")
            methods["keywords + meaning"] = {
                g: Suggester(cb, keyword_suggester=keywords[g], meaning=scorers[g])
                for g, cb in data.codebooks.items()}
        for g, s in methods["keywords"].items():  # warm the shared keyword caches
            list(s.suggest_many(data.texts[g][:20], data.questions[g][:20]))
        for method, suggesters in methods.items():
            r = evaluate(data, suggesters)
            print(f"| {data.name} | {method} | {r['answers']} ({r['with_theme']} with a theme)"
                  f" | {r['top3']:.3f} | {r['top3_content']:.3f} | "
                  f"{r['top3_stock']:.3f} ({r['stock']}) | {r['micro']:.3f} | "
                  f"{r['macro']:.3f} | {r['suggested_none']:.1%} | {r['rate']:,.0f} | "
                  f"{r['cpu_rate']:,.0f} |",
                  flush=True)
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    sys.exit(main())
