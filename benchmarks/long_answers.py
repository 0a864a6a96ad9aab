"""Suggestion time for long answers: does it grow with the length, and no faster?

Run from the repository root::

    python benchmarks/long_answers.py
    python benchmarks/long_answers.py --commands

An answer is built by repeating a sentence full of keywords, negations and tone words, with
and without full stops (without them, the whole answer is one clause, which used to make the
keyword suggester quadratic). For 1,000 to 2,000,000 characters it prints the seconds taken
by the keyword suggester (``poet_holders``) and by the whole suggester with the shipped
model (``models/poet-sample``), and the microseconds per character. Keywords examine at
most the first 100,000 characters of an answer (``MAX_EXAMINED_CHARS``).

With ``--commands`` it times the commands a user runs instead — ``themecoder import``,
``suggest PROJECT --model models/poet-sample`` and ``export`` — on a project whose answers
are 10,000, 50,000, 100,000 and 2,000,000 characters without full stops, and on one with a
single short respondent (the commands' fixed cost: start-up, loading the model), and checks
that the exported CSV keeps every text whole and that ``pyreadstat`` reads the ``.sav``.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SENTENCE = ("the social worker was helpful and the paperwork was not a problem but the money "
            "never covers the care and I worry about the direct payment ")
LENGTHS = (1_000, 10_000, 50_000, 100_000, 500_000, 2_000_000)


def answer(length: int, full_stops: bool) -> str:
    """A synthetic answer of ``length`` characters."""
    sentence = SENTENCE.replace(" but ", " and ").strip() + (". " if full_stops else " ")
    return (sentence * (length // len(sentence) + 1))[:length]


def timed(func, text: str) -> float:
    start = time.perf_counter()
    func(text)
    return time.perf_counter() - start


def _command(*args: str | Path) -> float:
    themecoder = Path(sys.executable).parent / "themecoder"
    start = time.perf_counter()
    subprocess.run([str(themecoder), *map(str, args)], check=True, capture_output=True)
    return time.perf_counter() - start


def commands() -> int:
    """Wall-clock seconds of import, suggest and export, with and without the long answers."""
    lengths = (10_000, 50_000, 100_000, 2_000_000)
    codebooks = [arg for name in ("poet_holders", "poet_carers")
                 for arg in ("--codebook", ROOT / "codebooks" / f"{name}.yaml")]
    print(f"load average {os.getloadavg()[0]:.1f}")
    print(f"{'project':>22}  {'import s':>8}  {'suggest s':>9}  {'export s':>8}")
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        for label, long_ones in (("one short respondent", ()), ("10k–2M characters", lengths)):
            rows = [["respondent_id", "group", "worked_well", "not_well", "change"],
                    ["S1", "carer", "good", "the money", "more"]]
            rows += [[f"L{n}", "holder", answer(n, False), "fine", "ok"] for n in long_ones]
            survey = folder / f"{len(rows)}.csv"
            with open(survey, "w", encoding="utf-8", newline="") as handle:
                csv.writer(handle).writerows(rows)
            project, out = folder / f"{len(rows)}.db", folder / f"out{len(rows)}"
            _command("init", project, *codebooks)
            imported = _command("import", project, survey)
            suggested = _command("suggest", project, "--model", ROOT / "models" / "poet-sample")
            exported = _command("export", project, "--out", out)
            print(f"{label:>22}  {imported:>8.2f}  {suggested:>9.2f}  {exported:>8.2f}",
                  flush=True)
        import pandas as pd
        import pyreadstat

        texts = pd.read_csv(out / "coded_data.csv", dtype=str)["worked_well"].str.len()
        whole = sorted(int(n) for n in texts if n > 100)
        sav, _meta = pyreadstat.read_sav(out / "coded_data.sav")
        expected = [len(answer(n, False).strip()) for n in lengths]  # import trims the ends
        print(f"coded_data.csv keeps the long texts whole: {whole == expected} "
              f"({whole}); coded_data.sav reads back: {len(sav)} rows")
    return 0


def main() -> int:
    if "--commands" in sys.argv[1:]:
        return commands()
    from themecoder.codebook import load_codebook
    from themecoder.suggest.keywords import MAX_EXAMINED_CHARS, KeywordSuggester
    from themecoder.suggest.model import load_model
    from themecoder.suggest.suggester import Suggester

    codebook = load_codebook(ROOT / "codebooks" / "poet_holders.yaml")
    keywords = KeywordSuggester(codebook)
    model_dir = ROOT / "models" / "poet-sample" / "poet_holders"
    suggester = Suggester(codebook, load_model(model_dir), keyword_suggester=keywords) \
        if model_dir.is_dir() else None
    keywords.suggest("warm up the caches: social worker", "not_well")
    if suggester is not None:
        suggester.suggest("warm up the caches: social worker", "not_well")
    print(f"load average {os.getloadavg()[0]:.1f}; keywords examine the first "
          f"{MAX_EXAMINED_CHARS:,} characters")
    print(f"{'characters':>10}  {'full stops':>10}  {'keywords s':>10}  {'µs/char':>8}  "
          f"{'suggester s':>11}  {'µs/char':>8}")
    for full_stops in (False, True):
        for length in LENGTHS:
            text = answer(length, full_stops)
            kw = timed(lambda t: keywords.suggest(t, "not_well"), text)
            line = (f"{length:>10,}  {'yes' if full_stops else 'no':>10}  {kw:>10.3f}  "
                    f"{kw / length * 1e6:>8.2f}")
            if suggester is not None:
                whole = timed(lambda t: suggester.suggest(t, "not_well"), text)
                line += f"  {whole:>11.3f}  {whole / length * 1e6:>8.2f}"
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
