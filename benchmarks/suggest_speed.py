"""Training time and suggestion throughput of one classifier tier on the whole NHS file.

The quality figures come from ``benchmarks/classifier.py`` (5-fold cross-validation); this
script only times a fit on all 6,364 comments and the suggestions for all of them with
nothing cached (for the accurate tier: every sentence embedded afresh), so it can be re-run
quickly on a quiet machine.

Run: ``python benchmarks/suggest_speed.py --model accurate`` (or ``fast``).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from classifier import DATA, load, machine, make


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="accurate", choices=["fast", "accurate"])
    args = parser.parse_args()
    if not DATA.exists():
        print(f"benchmark data not found at {DATA}; nothing to do", file=sys.stderr)
        return 0
    from themecoder.suggest import embeddings

    texts, questions, labels = load()
    themes = list(labels.columns)
    print(f"{machine()}; load average {os.getloadavg()[0]:.1f}", flush=True)
    embeddings._EMBED_CACHE.clear()
    model = make(args.model, 1)()
    wall, cpu = time.perf_counter(), time.process_time()
    model.fit(texts, questions, labels.to_numpy(), themes)
    print(f"{args.model}: fit on {len(texts)} answers, {len(themes)} themes: "
          f"{time.perf_counter() - wall:.1f} s wall, {time.process_time() - cpu:.1f} s CPU",
          flush=True)
    embeddings._EMBED_CACHE.clear()
    wall, cpu = time.perf_counter(), time.process_time()
    model.predict(texts, questions)
    seconds = time.perf_counter() - wall
    print(f"{args.model}: suggestions for {len(texts)} answers, nothing cached: "
          f"{len(texts) / seconds:.0f} answers/s wall ({seconds:.1f} s, "
          f"{time.process_time() - cpu:.1f} s CPU); load average {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
