"""Suggestion throughput of one tier on the whole NHS file, as ``themecoder suggest`` runs.

The quality figures come from ``benchmarks/classifier.py`` (fitted on the development part,
scored on the held-out part). This script fits the same way on the development part, then
times one pass of suggestions over all 6,364 comments with a suggester that has seen
nothing yet (no word, no answer, no character n-gram) — a survey's first run, longer than
the 1,370 held-out answers, so the words met for the first time weigh less per answer.
Nothing here is scored: it only times.

With ``--new-process`` the fitted model is saved as ``themecoder train`` saves it, and a new
Python process does what ``themecoder suggest --model DIR --codebook FILE`` does — loads the
model and the codebook, builds the suggester, suggests every answer — so nothing left over
from fitting (objects the garbage collector still has to look at, words spaCy has seen) is
in the process that is timed.

Run: ``python benchmarks/suggest_speed.py --model fast [--new-process]`` (``--model
accurate`` needs the ``accurate`` extra; ``--no-keywords`` times the classifier's own
decision instead).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import nhs_data  # noqa: E402
from classifier import Themecoder, machine  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="fast", choices=["fast", "accurate"])
    parser.add_argument("--no-keywords", action="store_true",
                        help="the classifier's own decision, without keyword rules")
    parser.add_argument("--new-process", action="store_true",
                        help="save the model, then load it and suggest in a new process")
    parser.add_argument("--child", metavar="MODEL_DIR", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return suggest_in_this_process(args.child)
    if not nhs_data.ready():
        return 0
    from themecoder.suggest import embeddings

    data = nhs_data.load()
    print(machine(), flush=True)
    system = Themecoder(args.model, with_keywords=not args.no_keywords)
    wall, cpu = time.perf_counter(), time.process_time()
    system.fit(data.rows(data.development))
    print(f"{args.model}: fit on {int(data.development.sum())} answers: "
          f"{time.perf_counter() - wall:.1f} s wall, {time.process_time() - cpu:.1f} s CPU",
          flush=True)
    if args.new_process:
        if args.no_keywords:
            parser.error("--new-process times suggestions with keywords")
        return suggest_in_new_process(system, data)
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


def suggest_in_new_process(system: Themecoder, data: nhs_data.NhsComments) -> int:
    """Save the fitted model, then time loading it and suggesting in a new process."""
    from classifier import codebook_matrix

    from themecoder.suggest.model_files import save_model, training_metadata

    with tempfile.TemporaryDirectory() as folder:
        development = data.rows(data.development)
        metadata = training_metadata(system.codebook_, development.texts, development.questions,
                                     codebook_matrix(development, system.codebook_),
                                     name=f"nhs-{system.tier}")
        save_model(system.model_, folder, metadata)
        return subprocess.run([sys.executable, __file__, "--child", folder]).returncode


def suggest_in_this_process(model_dir: str) -> int:
    """What ``themecoder suggest --model DIR --codebook FILE`` does, timed (the new process):
    as installed without the ``accurate`` extra, then — when it is installed — with meaning
    for the themes the model has no examples of, as the command then does."""
    from themecoder.suggest.semantic import meaning_available

    data = nhs_data.load()
    for with_meaning in (False, True) if meaning_available() else (False,):
        wall, cpu = time.perf_counter(), time.process_time()
        from themecoder.codebook import load_codebook
        from themecoder.suggest.model import load_model
        from themecoder.suggest.semantic import MeaningScorer
        from themecoder.suggest.suggester import Suggester

        codebook = load_codebook(nhs_data.CODEBOOK)
        model = load_model(model_dir, codebook=codebook)
        suggester = Suggester(codebook, model=model,
                              meaning=MeaningScorer(codebook) if with_meaning else None)
        how = ("with meaning for the themes without examples" if with_meaning
               else "keywords + model (without the accurate extra)")
        print(f"new process, {how}: loaded the model and built the suggester: "
              f"{time.perf_counter() - wall:.1f} s wall, {time.process_time() - cpu:.1f} s CPU",
              flush=True)
        load = os.getloadavg()[0]
        wall, cpu = time.perf_counter(), time.process_time()
        n = sum(1 for _ in suggester.suggest_many(data.texts, data.questions))
        seconds, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(f"new process, {how}: {n} answers, nothing seen before: {n / seconds:,.0f} "
              f"answers/s wall ({seconds:.2f} s), {n / cpu:,.0f} per CPU-second ({cpu:.2f} s); "
              f"load average {load:.1f} → {os.getloadavg()[0]:.1f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
