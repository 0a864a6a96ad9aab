"""Learning while coding: how many answers must be coded before the model is nearly as good
as one trained on everything, when the coder takes the most uncertain answers first.

Run from the repository root::

    python benchmarks/active_learning.py [--cap 3000] [--batch 100] [--cv 3]

Data: the real NHS Friends and Family Test comments in
``../shared/benchmarks/nhs_fft/coded_comments.csv`` (column "FFT answer"), themes with at
least 15 examples; a comment whose only codes are "Not assigned" / "Labelling not possible"
(or rarer themes) is a row with no theme. 20 % of the comments are held out at random
(seed 0) and never used for anything but scoring.

Simulation: a coder starts from the same 100 randomly chosen coded answers, then codes
batches of 100 more, chosen by each strategy from the rest of the training part; after each
batch the fast-tier ``ThemeClassifier`` is retrained on everything coded so far and scored
(micro/macro F1) on the held-out part. Strategies: ``random``; ``margin`` (smallest distance
of a theme's probability to its threshold); ``entropy`` (summed binary entropy, threshold
moved to 0.5); ``margin+20% random`` (what ``themecoder code --order uncertain`` does).
Training stops at ``--cap`` answers to keep the run bounded. To keep 100 retrainings
affordable on a shared 2-core machine the simulation uses, by default, a lighter model: the
fast tier without its character n-grams (``--model fast`` keeps them), with 3-fold instead
of 5-fold threshold tuning (``--cv``); the full-data reference is trained the same way.

Prints the learning-curve table, the full-training-data micro-F1, the first point at which
each strategy comes within 2 points of it, and writes
``benchmarks/results/learning_curve.png``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared"
NHS = SHARED / "benchmarks" / "nhs_fft" / "coded_comments.csv"
RESULTS = ROOT / "benchmarks" / "results"
NOT_ASSIGNED = ("Not assigned", "Labelling not possible")
MIN_EXAMPLES = 15


def load_nhs():  # noqa: ANN201
    """(texts, questions, Y, theme names) of the NHS comments that have text."""
    import numpy as np
    import pandas as pd

    from themecoder.survey import normalise_question

    data = pd.read_csv(NHS, dtype=str, keep_default_na=False)
    data = data[data["FFT answer"].str.strip() != ""]
    theme_cols = list(data.columns[11:])
    Y_all = np.array([[v.strip() not in ("", "0", "0.0") for v in data[c]]
                      for c in theme_cols]).T
    keep = [j for j, c in enumerate(theme_cols)
            if c not in NOT_ASSIGNED and Y_all[:, j].sum() >= MIN_EXAMPLES]
    texts = data["FFT answer"].tolist()
    questions = [normalise_question(q) or "other" for q in data["FFT question"]]
    return texts, questions, Y_all[:, keep].astype(np.int8), [theme_cols[j] for j in keep]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cap", type=int, default=3000, help="stop at this many coded answers")
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--start", type=int, default=100)
    parser.add_argument("--cv", type=int, default=3, help="threshold-tuning folds")
    parser.add_argument("--model", choices=["light", "fast"], default="light",
                        help="light: the fast tier without character n-grams (about 4x "
                             "quicker to retrain); fast: the fast tier as shipped")
    parser.add_argument("--strategies", default="random,margin,entropy,margin+random")
    args = parser.parse_args(argv)
    if not NHS.is_file():
        print(f"NHS comments not found at {NHS}: nothing to benchmark.")
        return 0
    import numpy as np

    from themecoder.evaluate import micro_macro_f1
    from themecoder.learning import interleave, uncertainty
    from themecoder.suggest.model import ThemeClassifier

    texts, questions, Y, themes = load_nhs()
    n = len(texts)
    rng = np.random.default_rng(0)
    order = rng.permutation(n)
    n_test = n // 5
    test, train = order[:n_test], order[n_test:]
    print(f"NHS FFT: {n} comments with text, {len(themes)} themes with >= {MIN_EXAMPLES} "
          f"examples; held out {len(test)} (random 20 %, seed 0), training part {len(train)}")
    light = args.model == "light"
    print(f"simulation: start {args.start}, batches of {args.batch}, cap {args.cap} answers, "
          f"{'lighter model: fast tier without character n-grams' if light else 'fast tier'}"
          f", {args.cv}-fold threshold tuning, retrained after every batch")

    def fit(rows: np.ndarray) -> ThemeClassifier:
        return ThemeClassifier(tier="fast", cv=args.cv, random_state=0,
                               char_ngrams=None if light else (2, 5)).fit(
            [texts[i] for i in rows], [questions[i] for i in rows], Y[rows], themes)

    def score(model: ThemeClassifier) -> tuple[float, float]:
        pred = model.predict([texts[i] for i in test], [questions[i] for i in test])
        return micro_macro_f1(Y[test], pred)

    started = time.perf_counter()
    full = fit(train)
    full_micro, full_macro = score(full)
    full_seconds = time.perf_counter() - started
    print(f"full training part ({len(train)} answers): micro-F1 {full_micro:.3f}, "
          f"macro-F1 {full_macro:.3f} (fit {full_seconds:.0f} s)")

    seed_rows = train[:args.start]
    curves: dict[str, list[tuple[int, float, float]]] = {}
    for strategy in args.strategies.split(","):
        strategy = strategy.strip()
        coded = list(seed_rows)
        pool = [i for i in train if i not in set(coded)]
        pick_rng = np.random.default_rng(1)
        curve = []
        started = time.perf_counter()
        step = 0
        while True:
            model = fit(np.array(coded))
            micro, macro = score(model)
            curve.append((len(coded), micro, macro))
            if len(coded) >= args.cap or not pool:
                break
            size = min(args.batch, args.cap - len(coded), len(pool))
            if strategy == "random":
                chosen_pos = pick_rng.choice(len(pool), size=size, replace=False)
                chosen = [pool[p] for p in chosen_pos]
            else:
                measure = "entropy" if strategy.startswith("entropy") else "margin"
                P = model.predict_proba([texts[i] for i in pool], [questions[i] for i in pool])
                u = uncertainty(P, model.thresholds_, measure)
                ranked = [pool[p] for p in np.argsort(-u, kind="stable")]
                if strategy.endswith("+random"):
                    ranked = interleave(ranked, random_share=0.2, seed=step)
                chosen = ranked[:size]
            taken = set(chosen)
            coded += chosen
            pool = [i for i in pool if i not in taken]
            step += 1
        curves[strategy] = curve
        print(f"  {strategy}: {len(curve)} retrainings in {time.perf_counter() - started:.0f} s")

    sizes = [c[0] for c in next(iter(curves.values()))]
    names = list(curves)
    print()
    print("| coded | " + " | ".join(f"{s} micro / macro" for s in names) + " |")
    print("|---:|" + "---:|" * len(names))
    for row, size in enumerate(sizes):
        cells = [f"{curves[s][row][1]:.3f} / {curves[s][row][2]:.3f}" for s in names]
        print(f"| {size} | " + " | ".join(cells) + " |")
    print()
    target = full_micro - 0.02
    print(f"full-data micro-F1 {full_micro:.3f} (macro {full_macro:.3f}); within 2 points "
          f"means micro-F1 >= {target:.3f}; half of the training part is {len(train) // 2}")
    for s in names:
        reached = next((size for size, micro, _ in curves[s] if micro >= target), None)
        best = max(curves[s], key=lambda c: c[1])
        print(f"  {s}: " + (f"within 2 points at {reached} coded answers "
                            f"({100 * reached / len(train):.0f} % of the training part)"
                            if reached is not None else
                            f"not within 2 points by {curves[s][-1][0]} (best "
                            f"{best[1]:.3f} at {best[0]})"))
    _plot(curves, full_micro, len(train))
    return 0


def _plot(curves: dict, full_micro: float, n_train: int) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    RESULTS.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(7.5, 4.5), dpi=120)
    for name, curve in curves.items():
        ax.plot([c[0] for c in curve], [c[1] for c in curve], marker=".", label=name)
    ax.axhline(full_micro, color="black", linewidth=0.8,
               label=f"all {n_train} training answers ({full_micro:.3f})")
    ax.axhline(full_micro - 0.02, color="black", linewidth=0.8, linestyle=":",
               label="2 points below")
    ax.set_xlabel("answers coded")
    ax.set_ylabel("micro-F1 on held-out 20 %")
    ax.set_title("NHS FFT comments: learning while coding")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    out = RESULTS / "learning_curve.png"
    fig.savefig(out)
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    sys.exit(main())
