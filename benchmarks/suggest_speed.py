"""Suggestion throughput of one tier on the whole NHS file, as ``themecoder suggest`` runs.

The quality figures come from ``benchmarks/classifier.py`` (fitted on the development part,
scored on the held-out part). This script fits the same way on the development part, then
times one pass of suggestions over all 6,364 comments with a suggester that has seen
nothing yet (no word, no answer, no character n-gram) — a survey's first run, longer than
the 1,370 held-out answers, so the words met for the first time weigh less per answer.
Nothing here is scored: it only times.

Run: ``python benchmarks/suggest_speed.py --model fast`` (``--model accurate`` needs the
``accurate`` extra; ``--no-keywords`` times the classifier's own decision instead).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import nhs_data  # noqa: E402
from classifier import Themecoder, machine  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="fast", choices=["fast", "accurate"])
    parser.add_argument("--no-keywords", action="store_true",
                        help="the classifier's own decision, without keyword rules")
    args = parser.parse_args()
    if not nhs_data.available():
        print(f"benchmark data not found at {nhs_data.DATA}; nothing to do", file=sys.stderr)
        return 0
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    warnings.filterwarnings("ignore", category=FutureWarning)
    from themecoder.suggest import embeddings

    data = nhs_data.load()
    print(machine(), flush=True)
    system = Themecoder(args.model, with_keywords=not args.no_keywords)
    wall, cpu = time.perf_counter(), time.process_time()
    system.fit(data.rows(data.development))
    print(f"{args.model}: fit on {int(data.development.sum())} answers: "
          f"{time.perf_counter() - wall:.1f} s wall, {time.process_time() - cpu:.1f} s CPU",
          flush=True)
    embeddings._EMBED_CACHE.clear()
    system.model_.features_.__dict__.pop("_word_grams", None)  # nothing remembered
    wall, cpu = time.perf_counter(), time.process_time()
    system.prepare()
    print(f"built the suggester: {time.perf_counter() - wall:.1f} s wall, "
          f"{time.process_time() - cpu:.1f} s CPU", flush=True)
    everything = data.rows(data.held_out | data.development)
    load = os.getloadavg()[0]
    wall, cpu = time.perf_counter(), time.process_time()
    system.predict(everything)
    seconds, cpu = time.perf_counter() - wall, time.process_time() - cpu
    n = len(everything.texts)
    method = "classifier alone" if args.no_keywords else "with keywords"
    print(f"{args.model} {method}: {n} answers, nothing seen before: {n / seconds:,.0f} "
          f"answers/s wall ({seconds:.2f} s), {n / cpu:,.0f} per CPU-second ({cpu:.2f} s); "
          f"load average {load:.1f} → {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
