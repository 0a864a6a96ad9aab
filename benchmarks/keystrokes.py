"""Keystrokes per answer for a coder who starts from the suggestions, versus from scratch.

Run from the repository root::

    python benchmarks/keystrokes.py [--folds 5]

Data: the real NHS Friends and Family Test comments in
``../shared/benchmarks/nhs_fft/coded_comments.csv`` (see ``active_learning.py``): the model
suggests the themes with at least 15 examples; the hand coding's true themes are *all* its
theme columns (a rare theme the model never suggests still costs the coder a key), and a
comment with no theme, or only "Not assigned" / "Labelling not possible", is Not assigned.

Suggestions are cross-validated: each comment's suggestion comes from a fast-tier
``ThemeClassifier`` trained on the other folds (5 folds, shuffled, seed 0), never on itself.

Simulated coder, one key per action, as in the coding app:

- from the suggestions: 1 to confirm, plus 1 per theme to toggle, i.e. the size of the
  symmetric difference between the suggested set and the true set (Not assigned counts as
  one mark of its own: a model that suggests nothing pre-marks Not assigned);
- from scratch: 1 per true theme (or 1 for Not assigned) plus 1 to confirm.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from active_learning import NHS, NOT_ASSIGNED  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args(argv)
    if not NHS.is_file():
        print(f"NHS comments not found at {NHS}: nothing to benchmark.")
        return 0
    import numpy as np
    import pandas as pd
    from sklearn.model_selection import KFold

    from themecoder.suggest.model import ThemeClassifier
    from themecoder.survey import normalise_question

    data = pd.read_csv(NHS, dtype=str, keep_default_na=False)
    data = data[data["FFT answer"].str.strip() != ""]
    theme_cols = [c for c in data.columns[11:] if c not in NOT_ASSIGNED]
    truth = np.array([[v.strip() not in ("", "0", "0.0") for v in data[c]]
                      for c in theme_cols]).T
    modelled = [j for j in range(len(theme_cols)) if truth[:, j].sum() >= 15]
    texts = data["FFT answer"].tolist()
    questions = [normalise_question(q) or "other" for q in data["FFT question"]]
    n = len(texts)
    suggested = np.zeros_like(truth)
    started = time.perf_counter()
    for train, test in KFold(args.folds, shuffle=True, random_state=0).split(np.arange(n)):
        model = ThemeClassifier(tier="fast", random_state=0).fit(
            [texts[i] for i in train], [questions[i] for i in train],
            truth[train][:, modelled].astype(np.int8), [theme_cols[j] for j in modelled])
        pred = model.predict([texts[i] for i in test], [questions[i] for i in test])
        suggested[np.ix_(test, modelled)] = pred.astype(bool)
    seconds = time.perf_counter() - started

    # Not assigned is a mark of its own: add it as one more column on both sides.
    t = np.hstack([truth, ~truth.any(axis=1, keepdims=True)])
    s = np.hstack([suggested, ~suggested.any(axis=1, keepdims=True)])
    toggles = (t ^ s).sum(axis=1)
    with_suggestions = 1 + toggles
    from_scratch = t.sum(axis=1) + 1
    one_key = float((toggles == 0).mean())
    print(f"NHS FFT: {n} comments, {len(theme_cols)} themes ({len(modelled)} suggested by the "
          f"model, >= 15 examples), {args.folds}-fold cross-validated fast-tier suggestions "
          f"({seconds:.0f} s)")
    print(f"keystrokes per answer from the suggestions: {with_suggestions.mean():.2f}")
    print(f"keystrokes per answer from scratch:         {from_scratch.mean():.2f}")
    print(f"saving: {100 * (1 - with_suggestions.sum() / from_scratch.sum()):.0f} % of keys")
    print(f"answers accepted with one key: {100 * one_key:.1f} %")
    for label, mask in (("  with themes", truth.any(axis=1)),
                        ("  not assigned", ~truth.any(axis=1))):
        one = 100 * (toggles[mask] == 0).mean()
        print(f"{label}: {mask.sum()} answers, {with_suggestions[mask].mean():.2f} vs "
              f"{from_scratch[mask].mean():.2f} keys, one key {one:.1f} %")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    sys.exit(main())
