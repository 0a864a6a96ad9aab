"""Semi-automatic coding on the NHS comments: how many answers the model may code at a target.

Run from the repository root::

    python benchmarks/autocode.py [--tier fast|accurate] [--compare-calibration]

Data: the real hand-coded NHS Friends and Family Test comments (``benchmarks/nhs_data.py``),
without the blank ones (a blank answer is "no comment" in a project and is never coded). The
model learns the scored themes; an answer with no theme is Not assigned.

Split: the fixed held-out part (a hash of the respondent id, about one comment in five) is
only ever predicted and scored. The model is trained, and the calibration that turns its
output into P(exact set right) fitted, on the development part alone — the calibration on
out-of-fold predictions of the development part (the model's own training data), as
``themecoder autocode`` does.

For each target accuracy the held-out answers are treated as a project's answers to do:
they are sorted by their calibrated probability, the largest set whose *expected* exact-set
accuracy (the mean probability) reaches the target is auto-coded, and the accuracy it
*reached* is scored against the hand coding (the whole scored set, Not assigned included,
must be exactly right). Printed per target: the share auto-coded, the expected and the
reached accuracy (with a 95 % Wilson interval). A reference in the same run: the same
selection on the *uncalibrated* probability of the set (the product over themes of ``p`` or
``1 - p``), which is what a tool without calibration would promise.

``--compare-calibration`` chooses the calibration method on the development part only: the
out-of-fold predictions of the development part are split again in five, each method is
fitted on four fifths and judged on the fifth (share auto-coded, and how far the reached
accuracy falls from the expected) — nothing of the held-out part is looked at.

The curve (reached and expected accuracy against the share auto-coded) is written to
``benchmarks/results/autocode_curve.png``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import nhs_data  # noqa: E402
import numpy as np  # noqa: E402

TARGETS = (0.80, 0.85, 0.90, 0.95)
GOAL_SHARE, GOAL_ACCURACY, GOAL_GAP = 0.40, 0.90, 0.03


def oof_predictions(tier: str, texts: list[str], questions: list[str], Y: np.ndarray,
                    themes: list[str], folds: int) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold (probabilities, decisions) on the development part."""
    from themecoder.evaluate import cross_validate_model
    from themecoder.suggest.model import ThemeClassifier

    cv = cross_validate_model(lambda: ThemeClassifier(tier=tier), texts, questions, Y, themes,
                              n_splits=folds, random_state=0)
    return cv.proba, cv.Y_pred


def compare_calibration(P: np.ndarray, D: np.ndarray, Y: np.ndarray) -> None:
    """Each calibration method cross-validated on the development part's OOF predictions."""
    from sklearn.model_selection import KFold

    from themecoder.suggest.calibration import (
        ExactSetCalibrator,
        exactly_right,
        expected_accuracy_cut,
    )

    right = exactly_right(D, Y)
    variants = {"isotonic, per-theme maps": dict(method="isotonic", per_label=True),
                "isotonic, raw probabilities": dict(method="isotonic", per_label=False),
                "logistic, per-theme maps": dict(method="platt", per_label=True),
                "logistic, raw probabilities": dict(method="platt", per_label=False)}
    print("\nCalibration methods, 5-fold on the development part's out-of-fold predictions "
          f"({len(Y)} answers, {right.mean():.3f} exactly right overall):")
    print("| method | " + " | ".join(f"{t:.2f}: share / reached − expected" for t in TARGETS)
          + " | Brier |")
    print("| --- |" + " ---: |" * (len(TARGETS) + 1))
    for name, params in variants.items():
        q = np.zeros(len(Y))
        s = np.zeros(len(Y))
        for train, test in KFold(5, shuffle=True, random_state=1).split(Y):
            cal = ExactSetCalibrator(**params).fit(P[train], D[train], Y[train])
            q[test] = cal.predict(P[test], D[test])
            s[test] = cal.raw_score(P[test], D[test])
        cells = []
        for target in TARGETS:
            chosen, expected = expected_accuracy_cut(q, target, s)
            reached = right[chosen].mean() if len(chosen) else float("nan")
            cells.append(f"{len(chosen) / len(Y):.3f} / {reached - expected:+.3f}")
        brier = float(np.mean((q - right) ** 2))
        print(f"| {name} | " + " | ".join(cells) + f" | {brier:.4f} |")


def wilson(successes: int, n: int) -> tuple[float, float]:
    from themecoder.autocode import wilson_interval

    return wilson_interval(successes, n)


def plot_curve(path: Path, q: np.ndarray, s: np.ndarray, right: np.ndarray,
               rows: list[dict[str, float]], title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    order = np.lexsort((-s, -q))
    n = np.arange(1, len(q) + 1)
    share = n / len(q)
    expected = np.cumsum(q[order]) / n
    reached = np.cumsum(right[order]) / n
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=120)
    start = 20  # the first few answers make a noisy curve
    ax.plot(share[start:], reached[start:], label="reached (against the hand coding)",
            color="#1f5fa8")
    ax.plot(share[start:], expected[start:], label="expected (mean calibrated probability)",
            color="#c2571a", linestyle="--")
    for row in rows:
        ax.plot([row["share"]], [row["reached"]], "o", color="#1f5fa8")
        ax.annotate(f"target {row['target']:.2f}", (row["share"], row["reached"]),
                    textcoords="offset points", xytext=(6, 6), fontsize=8)
    ax.axhline(GOAL_ACCURACY, color="grey", linewidth=0.8, linestyle=":")
    ax.axvline(GOAL_SHARE, color="grey", linewidth=0.8, linestyle=":")
    ax.set_xlabel("share of held-out answers auto-coded (most probable first)")
    ax.set_ylabel("exact-set accuracy of the auto-coded answers")
    ax.set_xlim(0, 1)
    ax.set_ylim(max(0.0, float(reached[start:].min()) - 0.05), 1.0)
    ax.set_title(title, fontsize=10)
    ax.legend(loc="lower left", fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tier", choices=("fast", "accurate"), default="fast")
    parser.add_argument("--folds", type=int, default=5,
                        help="folds of the out-of-fold predictions the calibration is fitted on")
    parser.add_argument("--compare-calibration", action="store_true",
                        help="also compare calibration methods on the development part")
    parser.add_argument("--oof-cache", metavar="FILE.npz",
                        help="keep the out-of-fold predictions in this file and reuse them")
    parser.add_argument("--png", default=str(ROOT / "benchmarks" / "results" /
                                              "autocode_curve.png"))
    args = parser.parse_args(argv)
    if not nhs_data.available():
        print(f"NHS comments not found at {nhs_data.DATA}: nothing to benchmark.")
        return 0
    from themecoder.suggest.calibration import ExactSetCalibrator, expected_accuracy_cut
    from themecoder.suggest.model import ThemeClassifier

    data = nhs_data.load()
    data = data.rows(np.array([bool(t.strip()) for t in data.texts]))
    dev, held = data.rows(data.development), data.rows(data.held_out)
    themes = data.themes
    Y_dev = dev.labels[themes].to_numpy()
    print(f"NHS comments with text: {len(data.texts)}; development {len(dev.texts)}, "
          f"held out {len(held.texts)}; {len(themes)} themes + Not assigned; tier {args.tier}; "
          f"load average {os.getloadavg()[0]:.1f}")

    start = time.perf_counter()
    cache = Path(args.oof_cache) if args.oof_cache else None
    if cache is not None and cache.is_file():
        with np.load(cache, allow_pickle=False) as saved:
            P_oof, D_oof = saved["P"], saved["D"]
    else:
        P_oof, D_oof = oof_predictions(args.tier, dev.texts, dev.questions, Y_dev, themes,
                                       args.folds)
        if cache is not None:
            np.savez(cache, P=P_oof, D=D_oof)
    print(f"out-of-fold predictions on the development part ({args.folds} folds): "
          f"{time.perf_counter() - start:.0f} s")
    if args.compare_calibration:
        compare_calibration(P_oof, D_oof, Y_dev)
    calibrator = ExactSetCalibrator().fit(P_oof, D_oof, Y_dev)

    start = time.perf_counter()
    model = ThemeClassifier(tier=args.tier).fit(dev.texts, dev.questions, Y_dev, themes)
    D, P = model.predict_with_proba(held.texts, held.questions)
    print(f"fit on the development part and prediction of the held-out part: "
          f"{time.perf_counter() - start:.0f} s")
    q = calibrator.predict(P, D)
    s = calibrator.raw_score(P, D)
    truth = held.labels.to_numpy()
    right = np.all(nhs_data.as_scored(D) == truth, axis=1)
    uncalibrated = np.where(D > 0, np.log(np.clip(P, 1e-9, 1)),
                            np.log(np.clip(1 - P, 1e-9, 1))).sum(axis=1)
    n = len(right)
    print(f"held-out answers: {n}; exactly right overall: {right.mean():.3f}")

    rows = []
    print("\n| target | auto-coded | share | expected | reached | 95 % interval | "
          "reached − expected | uncalibrated: share / promised / reached |")
    print("| ---: | ---: | ---: | ---: | ---: | --- | ---: | --- |")
    for target in TARGETS:
        chosen, expected = expected_accuracy_cut(q, target, s)
        hits = int(right[chosen].sum())
        reached = hits / len(chosen) if len(chosen) else float("nan")
        low, high = wilson(hits, len(chosen))
        raw_chosen, raw_promised = expected_accuracy_cut(np.exp(uncalibrated), target)
        raw_reached = right[raw_chosen].mean() if len(raw_chosen) else float("nan")
        rows.append({"target": target, "share": len(chosen) / n, "expected": expected,
                     "reached": reached})
        print(f"| {target:.2f} | {len(chosen)} | {len(chosen) / n:.3f} | {expected:.3f} | "
              f"{reached:.3f} | {low:.3f}–{high:.3f} | {reached - expected:+.3f} | "
              f"{len(raw_chosen) / n:.3f} / {raw_promised:.3f} / {raw_reached:.3f} |")
    at_goal = [r for r in rows if r["target"] == GOAL_ACCURACY][0]
    share_ok = at_goal["share"] >= GOAL_SHARE and at_goal["reached"] >= GOAL_ACCURACY
    gap_ok = all(abs(r["reached"] - r["expected"]) <= GOAL_GAP for r in rows)
    print(f"\ngoal: ≥ {GOAL_SHARE:.0%} auto-coded at reached ≥ {GOAL_ACCURACY:.2f}: "
          f"{'met' if share_ok else 'NOT met'} ({at_goal['share']:.1%} at "
          f"{at_goal['reached']:.3f}); reached within {GOAL_GAP * 100:.0f} points of expected "
          f"at every target: {'met' if gap_ok else 'NOT met'}")
    png = Path(args.png)
    plot_curve(png, q, s, right, rows,
               f"Auto-coding the held-out NHS comments ({n} answers, {args.tier} tier)")
    print(f"curve: {png}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
