"""Semi-automatic coding on the NHS comments: how many answers the model may code at a target.

Run from the repository root::

    python benchmarks/autocode.py [--tier fast|accurate] [--compare-calibration]

Data: the real hand-coded NHS Friends and Family Test comments (``benchmarks/nhs_data.py``),
without the blank ones (a blank answer is "no comment" in a project and is never coded). The
model learns the scored themes; an answer with no theme is Not assigned.

Split: the fixed held-out part (a hash of the respondent id, about one comment in five) plays
this year's answers to do; it is only ever predicted and scored. The model is trained on the
development part alone, and its estimate of P(whole set exactly right) is the one its fit
makes (``ThemeClassifier.calibrator_``: out-of-fold predictions of its own training data,
each inner fold decided by a rule tuned on the other folds) — what ``themecoder autocode``
uses.

For each target accuracy the held-out answers are sorted by that probability, the largest set
whose *expected* exact-set accuracy (the mean probability) reaches the target is auto-coded,
and the accuracy it *reached* is scored against the hand coding (the whole scored set, Not
assigned included, must be exactly right). Printed per target: the share auto-coded, the
expected and the reached accuracy with a 95 % Wilson interval. In the same run:

- a reference: the same selection on the *uncalibrated* probability of the set (the product
  over themes of ``p`` or ``1 - p``), what a tool without calibration would promise;
- the calibration ``themecoder autocode`` switches to once people have coded 200 of this
  year's answers: here ``--people`` held-out answers drawn at random play the people's
  decisions, the model's calibration is corrected on them
  (``ExactSetCalibrator.recalibrated``) and the rest of the held-out part is auto-coded;
  the draw is repeated ``--draws`` times (seeds 0, 1, ...), since one draw of a few hundred
  answers moves the figures by a few points.

``--compare-calibration`` compares ways of calibrating, and of recalibrating on this year's
decisions, on the development part only (5 folds grouped by respondent: each fold's model is
fitted on the other four and judged on it, as the held-out part judges the final model; 300
of a fold's answers play the people's decisions for the recalibration) — nothing of the
held-out part is looked at. The ways: the set's score with or without an offset per kind of
decision (Not assigned, one theme, two or more), fitted on decisions of a rule tuned on other
folds (cross-fitted, what the fit does) or on those same predictions (as before).

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
PEOPLE_DEV = 300  # answers of a development fold that play this year's decisions by people
GOAL_SHARE, GOAL_ACCURACY, GOAL_GAP = 0.40, 0.90, 0.03


def rows_at_targets(q: np.ndarray, s: np.ndarray, right: np.ndarray) -> list[dict[str, float]]:
    """Share, expected and reached accuracy of the cut at each target."""
    from themecoder.autocode_audit import wilson_interval
    from themecoder.suggest.calibration import expected_accuracy_cut

    out = []
    for target in TARGETS:
        chosen, expected = expected_accuracy_cut(q, target, s)
        hits = int(right[chosen].sum())
        reached = hits / len(chosen) if len(chosen) else float("nan")
        low, high = wilson_interval(hits, len(chosen))
        out.append({"target": target, "n": len(chosen), "share": len(chosen) / len(q),
                    "expected": expected, "reached": reached, "low": low, "high": high})
    return out


def print_rows(title: str, rows: list[dict[str, float]], reference: list | None = None) -> None:
    print(f"\n{title}")
    head = ("| target | auto-coded | share | expected | reached | 95 % interval "
            "| reached − expected |")
    rule = "| ---: | ---: | ---: | ---: | ---: | --- | ---: |"
    if reference is not None:
        head += " uncalibrated: share / promised / reached |"
        rule += " --- |"
    print(head)
    print(rule)
    for i, r in enumerate(rows):
        line = (f"| {r['target']:.2f} | {r['n']} | {r['share']:.3f} | {r['expected']:.3f} | "
                f"{r['reached']:.3f} | {r['low']:.3f}–{r['high']:.3f} | "
                f"{r['reached'] - r['expected']:+.3f} |")
        if reference is not None:
            ref = reference[i]
            line += f" {ref['share']:.3f} / {ref['expected']:.3f} / {ref['reached']:.3f} |"
        print(line)


def exact(D: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Whether each predicted set, scored as the README scores it, equals the hand coding."""
    return np.all(nhs_data.as_scored(D) == truth, axis=1)


class _OutOfFold:
    """Keeps the out-of-fold predictions a classifier's fit calibrates on (benchmark only)."""

    def __enter__(self) -> _OutOfFold:
        import themecoder.suggest.classifier as classifier_module
        from themecoder.suggest.calibration import ExactSetCalibrator

        self.module, self.original = classifier_module, classifier_module.ExactSetCalibrator
        spy = self

        class Keeping(ExactSetCalibrator):
            def fit(self, P, decided, truth, *, not_assigned=False):
                spy.P, spy.D, spy.Y = np.asarray(P), np.asarray(decided), np.asarray(truth)
                return super().fit(P, decided, truth, not_assigned=not_assigned)

        classifier_module.ExactSetCalibrator = Keeping
        return self

    def __exit__(self, *exc: object) -> None:
        self.module.ExactSetCalibrator = self.original


def compare_calibration(tier: str, data: nhs_data.NhsComments) -> None:
    """Ways of calibrating, each judged on the fold of the development part it never saw."""
    from sklearn.model_selection import GroupKFold

    from themecoder.suggest.calibration import ExactSetCalibrator
    from themecoder.suggest.model import ThemeClassifier

    themes = data.themes
    Y = data.labels[themes].to_numpy()
    truth = data.labels.to_numpy()
    groups = data.frame["Respondent ID"].to_numpy()
    # (name, count-aware set score, decisions of the rule tuned on the same predictions)
    variants = [
        ("shipped: count-aware set score, cross-fitted decisions", True, False),
        ("log-probability alone, cross-fitted decisions", False, False),
        ("count-aware set score, decisions of the rule tuned on them", True, True),
        ("log-probability alone, decisions of the rule tuned on them (earlier)", False, True),
    ]
    recalibrations = [f"shipped, recalibrated on {PEOPLE_DEV} of the fold's answers: {how}"
                      for how in ("logistic", "refit")]
    names = [v[0] for v in variants] + recalibrations
    pooled: dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = {n: [] for n in names}
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    for fold, (train, test) in enumerate(GroupKFold(5).split(data.texts, groups=groups)):
        sub = data.rows(np.isin(np.arange(len(data.texts)), train))
        held = data.rows(np.isin(np.arange(len(data.texts)), test))
        with _OutOfFold() as oof:
            model = ThemeClassifier(tier=tier).fit(sub.texts, sub.questions, Y[train], themes)
        k = len(themes)
        P, D = model.label_outputs(held.texts, held.questions)
        right = exact(D[:, :k], truth[test])
        has_na = model.has_not_assigned_
        # the decisions the final rule makes on the out-of-fold predictions it was tuned on
        in_sample = np.zeros_like(oof.D)
        in_sample[:, :k], na = _decide(model, oof.P)
        if has_na:
            in_sample[:, k] = na
        for name, aware, tuned_on_them in variants:
            decided = in_sample if tuned_on_them else oof.D
            calibrator = ExactSetCalibrator(count_aware=aware).fit(
                oof.P, decided, oof.Y, not_assigned=has_na)
            pooled[name].append((calibrator.predict(P, D), calibrator.raw_score(P, D), right))
        # this year's decisions by people: some of the fold's answers, the rest auto-coded
        people = np.zeros(len(test), dtype=bool)
        people[rng.choice(len(test), size=PEOPLE_DEV, replace=False)] = True
        rest = ~people
        for name, how in zip(recalibrations, ("logistic", "refit"), strict=True):
            calibrator = model.calibrator_.recalibrated(
                P[people], D[people], model.label_truth(Y[test][people]), how=how)
            pooled[name].append((calibrator.predict(P[rest], D[rest]),
                                 calibrator.raw_score(P[rest], D[rest]), right[rest]))
        print(f"  fold {fold + 1}/5 done ({time.perf_counter() - start:.0f} s)", flush=True)
    print("\nCalibration compared on the development part (5 folds grouped by respondent; each "
          "fold's answers auto-coded by a model fitted on the other four; figures pooled over "
          "the folds): share auto-coded / reached / reached − expected")
    print("| calibration | " + " | ".join(f"{t:.2f}" for t in TARGETS) + " | Brier |")
    print("| --- |" + " ---: |" * (len(TARGETS) + 1))
    for name in names:
        parts = pooled[name]
        cells = []
        # each fold is a separate batch of answers to do, as in a project; pool the outcomes
        per_fold = [rows_at_targets(q, s, r) for q, s, r in parts]
        total = sum(len(q) for q, _s, _r in parts)
        for i, _target in enumerate(TARGETS):
            n = sum(rows[i]["n"] for rows in per_fold)
            hits = sum(rows[i]["reached"] * rows[i]["n"] for rows in per_fold if rows[i]["n"])
            promised = sum(rows[i]["expected"] * rows[i]["n"] for rows in per_fold
                           if rows[i]["n"])
            cells.append(f"{n / total:.3f} / {hits / max(n, 1):.3f} / "
                         f"{(hits - promised) / max(n, 1):+.3f}")
        brier = float(np.mean(np.concatenate([(q - r) ** 2 for q, _s, r in parts])))
        print(f"| {name} | " + " | ".join(cells) + f" | {brier:.4f} |")


def _decide(model, P_oof: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The fitted rule's themes and Not-assigned decisions for out-of-fold probabilities."""
    from themecoder.suggest.decision import decide

    k = len(model.theme_ids_)
    return decide(P_oof[:, :k], model.decision_rule_, P_oof[:, k] if P_oof.shape[1] > k
                  else None)


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


def goal_line(rows: list[dict[str, float]]) -> str:
    at_goal = next(r for r in rows if r["target"] == GOAL_ACCURACY)
    share_ok = at_goal["share"] >= GOAL_SHARE and at_goal["reached"] >= GOAL_ACCURACY
    gap_ok = all(abs(r["reached"] - r["expected"]) <= GOAL_GAP for r in rows)
    return (f"goal: ≥ {GOAL_SHARE:.0%} auto-coded at target {GOAL_ACCURACY:.2f} with reached ≥ "
            f"{GOAL_ACCURACY:.2f}: {'met' if share_ok else 'NOT met'} ({at_goal['share']:.1%} "
            f"at {at_goal['reached']:.3f}); reached within {GOAL_GAP * 100:.0f} points of "
            f"expected at every target: {'met' if gap_ok else 'NOT met'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tier", choices=("fast", "accurate"), default="fast")
    parser.add_argument("--people", type=int, default=300,
                        help="held-out answers that play this year's decisions by people")
    parser.add_argument("--draws", type=int, default=20,
                        help="random draws of those answers (the figures vary with the draw)")
    parser.add_argument("--compare-calibration", action="store_true",
                        help="first compare ways of calibrating on the development part")
    parser.add_argument("--png", default=str(ROOT / "benchmarks" / "results" /
                                              "autocode_curve.png"))
    args = parser.parse_args(argv)
    if not nhs_data.available():
        print(f"NHS comments not found at {nhs_data.DATA}: nothing to benchmark.")
        return 0
    from themecoder.suggest.model import ThemeClassifier

    data = nhs_data.load()
    data = data.rows(np.array([bool(t.strip()) for t in data.texts]))
    dev, held = data.rows(data.development), data.rows(data.held_out)
    themes = data.themes
    print(f"NHS comments with text: {len(data.texts)}; development {len(dev.texts)}, "
          f"held out {len(held.texts)}; {len(themes)} themes + Not assigned; tier {args.tier}; "
          f"load average {os.getloadavg()[0]:.1f}")
    if args.compare_calibration:
        compare_calibration(args.tier, dev)

    start = time.perf_counter()
    model = ThemeClassifier(tier=args.tier).fit(dev.texts, dev.questions,
                                                dev.labels[themes].to_numpy(), themes)
    fit_seconds = time.perf_counter() - start
    P, D = model.label_outputs(held.texts, held.questions)
    print(f"fit on the development part: {fit_seconds:.0f} s (its calibration from "
          f"{model.cv_metrics_['n_splits']}-fold out-of-fold predictions of "
          f"{model.calibrator_.n_examples_} answers); load average {os.getloadavg()[0]:.1f}")
    calibrator = model.calibrator_
    q, s = calibrator.predict(P, D), calibrator.raw_score(P, D)
    right = exact(D[:, :len(themes)], held.labels.to_numpy())
    print(f"held-out answers: {len(right)}; exactly right overall: {right.mean():.3f}")
    uncalibrated = np.where(D > 0, np.log(np.clip(P, 1e-12, 1)),
                            np.log(np.clip(1 - P, 1e-12, 1))).sum(axis=1)
    rows = rows_at_targets(q, s, right)
    print_rows("The model's own calibration (what `themecoder autocode` uses at first):", rows,
               reference=rows_at_targets(np.exp(uncalibrated), uncalibrated, right))
    print(goal_line(rows))

    Y_held = model.label_truth(held.labels[themes].to_numpy())
    draws = []
    for seed in range(args.draws):
        rng = np.random.default_rng(seed)
        people = np.zeros(len(right), dtype=bool)
        people[rng.choice(len(right), size=min(args.people, len(right) - 1),
                          replace=False)] = True
        recalibrated = calibrator.recalibrated(P[people], D[people], Y_held[people],
                                               min_examples=min(args.people, 200))
        rest = ~people
        draws.append(rows_at_targets(recalibrated.predict(P[rest], D[rest]),
                                     recalibrated.raw_score(P[rest], D[rest]), right[rest]))
    print_rows(f"Recalibrated on {args.people} held-out answers people coded, drawn at random "
               f"(the first draw); the other {len(right) - args.people} auto-coded:", draws[0])
    print(f"\nOver {args.draws} such draws (seeds 0–{args.draws - 1}): mean share / mean "
          "expected / mean reached / reached − expected: mean (lowest, highest)")
    print("| target | share | expected | reached | reached − expected |")
    print("| ---: | ---: | ---: | ---: | --- |")
    for i, target in enumerate(TARGETS):
        share = np.mean([d[i]["share"] for d in draws])
        expected = np.mean([d[i]["expected"] for d in draws])
        reached = np.mean([d[i]["reached"] for d in draws])
        gaps = [d[i]["reached"] - d[i]["expected"] for d in draws]
        print(f"| {target:.2f} | {share:.3f} | {expected:.3f} | {reached:.3f} | "
              f"{np.mean(gaps):+.3f} ({min(gaps):+.3f}, {max(gaps):+.3f}) |")
    png = Path(args.png)
    plot_curve(png, q, s, right, rows, f"Auto-coding the held-out NHS comments\n({len(right)} "
               f"answers, {args.tier} tier, the model's own calibration)")
    print(f"curve: {png}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
