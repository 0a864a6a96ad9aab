"""Coding app speed on a large project: start-up, and decision → next answer shown.

Builds a project of 100,000 synthetic answers (sentences made up here, in the style of
the sample survey) with a stored suggestion for each, then drives the app with Textual's
Pilot and prints:

* start: app launched → first answer rendered (target ≤ 2 s);
* per decision (Enter): decision committed + the next answer fully rendered, p50/p95
  over about 300 decisions (target p95 ≤ 50 ms), once without and once with the background
  retraining every 50 decisions that the app does as shipped.

Run: ``python benchmarks/app_speed.py [--answers 100000] [--decisions 300]``
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

OPENERS = ["", "Mostly ", "To be honest ", "I think ", "Overall ", "Well "]
PHRASES = [
    ("my personal assistant helps with personal care", "support"),
    ("I choose my own carers", "choice_control"),
    ("I can get out and go to the shops", "independence"),
    ("too many forms and too much paperwork", "process"),
    ("the social worker was very helpful", "staff"),
    ("it took six months to set up", "timeliness"),
    ("the money is not enough for the hours I need", "funding_service_level"),
    ("nobody explained how it works", "advice"),
    ("managing the budget is a second job", "managing_budget"),
    ("I have never had a review", "review"),
]
QUESTIONS = ["worked_well", "not_well", "change"]


def build(folder: Path, n_answers: int, seed: int = 7) -> str:
    """A project with ``n_answers`` holder answers, each with a stored suggestion."""
    from themecoder.codebook import load_codebook
    from themecoder.store import Project
    from themecoder.survey import SurveyMapping, read_survey

    rng = random.Random(seed)
    csv_path = folder / "big.csv"
    respondents = (n_answers + 2) // 3
    with csv_path.open("w", encoding="utf-8") as out:
        out.write("respondent_id,group,worked_well,not_well,change\n")
        for r in range(respondents):
            cells = []
            for _ in QUESTIONS:
                a, b = rng.sample(PHRASES, 2)
                text = f"{rng.choice(OPENERS)}{a[0]}"
                if rng.random() < 0.5:
                    text += f" and {b[0]}"
                cells.append(text.replace(",", ""))
            out.write(f"B{r:06d},holder,{','.join(cells)}\n")
    location = str(folder / "big.themecoder")
    project = Project.create(location, name="benchmark")
    project.add_codebook(load_codebook(ROOT / "codebooks" / "poet_holders.yaml"))
    project.add_codebook(load_codebook(ROOT / "codebooks" / "poet_carers.yaml"))
    mapping = SurveyMapping(layout="wide", questions={q: q for q in QUESTIONS})
    project.import_survey(read_survey(csv_path, mapping))
    theme_of = dict(PHRASES)
    rows = []
    for answer in project.answers():
        themes = []
        for phrase, theme_id in theme_of.items():
            start = answer.text.find(phrase)
            if start >= 0:
                themes.append({"theme_id": theme_id, "score": 0.9, "suggested": True,
                               "reasons": [f"matched '{phrase}'"],
                               "spans": [[start, start + len(phrase)]]})
        rows.append((answer.id, themes, False))
    project.save_suggestions(rows, "keywords:poet_holders@1.0")
    project.close()
    return location


async def measure(location: str, n_decisions: int,
                  retrain_every: int | None) -> tuple[float, list[float]]:
    from themecoder.tui.app import CodingApp

    started = time.perf_counter()
    app = CodingApp(location, "bench", suggest_ahead=False, poll_seconds=3.0,
                    retrain_every=retrain_every)
    shown = asyncio.Event()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.coding_screen
        arrive = screen.arrive

        def arrive_and_signal() -> None:
            arrive()
            # set once the screen has been refreshed with the new answer
            screen.call_after_refresh(shown.set)

        screen.arrive = arrive_and_signal
        await pilot.pause()
        start_time = time.perf_counter() - started
        timings = []
        for _ in range(n_decisions):
            before = app.session.current.id
            shown.clear()
            t0 = time.perf_counter()
            app.simulate_key("enter")
            await shown.wait()
            while app.session.current.id == before:
                # a background retraining re-rendered the same answer: keep waiting
                shown.clear()
                await shown.wait()
            timings.append(time.perf_counter() - t0)
            await asyncio.sleep(0.02)  # a pause between keystrokes, as a person makes
    return start_time, timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=100_000)
    parser.add_argument("--decisions", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        location = build(Path(tmp), args.answers)
        print(f"built {args.answers} answers with suggestions in "
              f"{time.perf_counter() - t0:.1f} s")
        # Keys come every 20 ms here, so a retraining every 50 decisions overlaps almost
        # every decision; a person takes seconds per answer, so it overlaps a few at most.
        for label, every in (("no background retraining", None),
                             ("retraining every 50 decisions (as shipped)", 50)):
            start, timings = asyncio.run(measure(location, args.decisions, every))
            ms = sorted(t * 1000 for t in timings)
            p95 = ms[max(0, int(round(0.95 * len(ms))) - 1)]
            print(f"[{label}] start → first answer shown: {start:.2f} s (target ≤ 2 s)")
            print(f"[{label}] decision saved + next answer rendered over {len(ms)} "
                  f"decisions: p50 {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms, "
                  f"max {ms[-1]:.1f} ms (target p95 ≤ 50 ms)")


if __name__ == "__main__":
    main()
