"""Retraining that never goes backwards, measured as a coder would meet it.

Run from the repository root::

    python benchmarks/retraining.py [--steps 50,100,200] [--weight 3] [--part held-out]
    python benchmarks/retraining.py --demo

**NHS comments** (``--part held-out``, the default). The shared NHS Friends and Family Test
comments (:mod:`nhs_data`; never copied into the project): the development part plays *the
prior years* — a hand-coded file that ``themecoder train`` fits the first model on — and the
fixed held-out part (a hash of the respondent id, about one comment in five) plays *the new
year*, ordered by a hash of its comment ids into a stream. Everything runs through the real
project machinery: a themecoder project holds the new year; ``themecoder suggest PROJECT
--model`` fills its suggestions and links the prior file; a simulated coder then codes the
first 50, 100, 200 answers of the stream, accepting the true codes, and after each step the
project's :class:`~themecoder.retraining.Retrainer` retrains (prior coding plus this year's
decisions, this year's weighted up) and keeps or replaces the live model after its check. At
each step the stored suggestions of the rest of the new year (the answers still to do) are
scored against the hand coding (with retraining: what the coder sees), beside the first
model's suggestions of the same answers (no retraining) and the suggestions the newest
version would make (whether it was used or kept back). The difference between with and
without retraining comes with a 95 % interval from a paired bootstrap over the answers
scored, so a difference smaller than the scoring's own noise reads as such. Blank
comments are left out (a project does not suggest for them); line breaks inside a comment
are written as spaces in the files the script makes. The project keeps the three POET
questions only, so comments to the NHS's other questions ("FFT Why?", the 111 service
question) are filed under *worked well*, in the prior file and in the new year alike.

Scoring, as the data's README scores its reference systems (``nhs_data.as_scored``): the 38
labels with at least 15 examples, Not assigned among them, an answer with no scored theme
counting as Not assigned; micro- and macro-F1. The fast tier is used throughout: the
accurate tier's fits take too long for repeated retraining on this shared 2-core machine.

``--part development`` runs the same simulation inside the development part (a hash fifth
of it as the new year, the rest as prior years), where settings such as ``--weight`` may be
chosen without looking at the held-out part.

**Demo** (``--demo``): ``themecoder demo --no-tui``, then on this year's project a coder
accepts 50 suggestions in the app's order and retrains (F5); prints how many suggestion sets
of the answers still to do stay as they were and the themes per answer before and after.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import platform
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import nhs_data  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
GROUP = "patient"


def machine() -> str:
    return (f"{os.cpu_count()} cores, Python {platform.python_version()}, "
            f"load average {' / '.join(f'{x:.1f}' for x in os.getloadavg())}")


def stream_order(comment_id: str) -> str:
    """The new year's order: a hash of the comment id."""
    return hashlib.sha256(f"new-year:{comment_id}".encode()).hexdigest()


def poet_question(question: str) -> str:
    return question if question in ("worked_well", "not_well", "change") else "worked_well"


# --------------------------------------------------------------------------- NHS simulation


def _one_line(text: str) -> str:
    """A comment with its line breaks written as spaces (the classifier reads them as
    spaces anyway)."""
    return re.sub(r"[\r\n]+", " ", text)


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _write_prior(path: Path, data: nhs_data.NhsComments, codebook) -> Path:  # noqa: ANN001
    names = {t.name for t in codebook.themes}
    columns = [c for c in data.frame.columns[data.frame.columns.get_loc(nhs_data.NOT_ASSIGNED)
                                             + 1:] if c in names]
    rows = []
    for i, text in enumerate(data.texts):
        if not text.strip():
            continue
        row = data.frame.iloc[i]
        themes = [c for c in columns if str(row[c]).strip() in ("1", "1.0")]
        rows.append([_one_line(text), poet_question(data.questions[i]), "|".join(themes)])
    return _write_csv(path, ["text", "question", "themes"], rows)


def _write_new_year(path: Path, data: nhs_data.NhsComments) -> list[int]:
    """The new year as a long survey file, in stream order; returns the rows written."""
    order = sorted((i for i, t in enumerate(data.texts) if t.strip()),
                   key=lambda i: stream_order(str(data.frame.iloc[i]["Comment ID"])))
    rows = []
    for i in order:
        row = data.frame.iloc[i]
        rows.append([f"C{row['Comment ID']}", f"R{row['Respondent ID']}", GROUP,
                     poet_question(data.questions[i]), _one_line(data.texts[i])])
    _write_csv(path, ["answer_id", "respondent_id", "group", "question", "text"], rows)
    return order


def _scored(suggestions: dict, ids: list[int], codebook, themes: list[str]) -> np.ndarray:  # noqa: ANN001
    """Stored suggestions of ``ids`` as the scored (n, 38) matrix."""
    name_of = {t.id: t.name for t in codebook.themes}
    column = {name: j for j, name in enumerate(themes)}
    pred = np.zeros((len(ids), len(themes)), dtype=int)
    na = np.zeros(len(ids), dtype=bool)
    for r, answer_id in enumerate(ids):
        stored = suggestions[answer_id]
        na[r] = stored.vague and not stored.suggested_ids()
        for theme_id in stored.suggested_ids():
            j = column.get(name_of.get(theme_id, ""))
            if j is not None:
                pred[r, j] = 1
    return nhs_data.as_scored(pred, na)


def difference_interval(truth: np.ndarray, ours: np.ndarray, theirs: np.ndarray, *,
                        resamples: int = 2000, seed: int = 0) -> list[tuple[float, float]]:
    """95 % intervals of the micro- and macro-F1 differences (ours − theirs), by a paired
    bootstrap over the answers (the same resampled answers score both)."""
    rng = np.random.default_rng(seed)
    weights = rng.multinomial(len(truth), np.full(len(truth), 1 / len(truth)), size=resamples)

    def f1s(pred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        tp, fp, fn = (weights @ ((truth == a) & (pred == b)).astype(float)
                      for a, b in ((1, 1), (0, 1), (1, 0)))
        with np.errstate(divide="ignore", invalid="ignore"):
            per_label = np.nan_to_num(2 * tp / (2 * tp + fp + fn))
            micro = np.nan_to_num(2 * tp.sum(1) / (2 * tp.sum(1) + fp.sum(1) + fn.sum(1)))
        return micro, per_label.mean(axis=1)

    (ours_micro, ours_macro), (their_micro, their_macro) = f1s(ours), f1s(theirs)
    return [tuple(np.percentile(a - b, [2.5, 97.5]))
            for a, b in ((ours_micro, their_micro), (ours_macro, their_macro))]


def _newest_scored(project, codebook, path: Path, ids: list[int], themes: list[str]  # noqa: ANN001
                   ) -> np.ndarray:
    """The newest version's own suggestions for ``ids`` (used or kept back), scored."""
    from themecoder.store.project import StoredSuggestion
    from themecoder.suggest.project_suggest import build_suggester

    answers = [project.answer(i) for i in ids]
    results = build_suggester(project, codebook, path).suggest_many(
        [a.text for a in answers], [a.question for a in answers])
    stored = {a.id: StoredSuggestion(a.id, "", [{"theme_id": t, "suggested": True}
                                                for t in r.suggested_ids], 0.0, r.vague)
              for a, r in zip(answers, results, strict=True)}
    return _scored(stored, ids, codebook, themes)


def simulate(part: str, steps: list[int], weight: float) -> None:
    from click.testing import CliRunner

    from themecoder.cli import cli
    from themecoder.codebook import load_codebook
    from themecoder.evaluate import micro_macro_f1
    from themecoder.model_versions import todo_answers
    from themecoder.retraining import Retrainer
    from themecoder.store import Project
    from themecoder.survey import SurveyMapping, read_survey

    data = nhs_data.load()
    if part == "held-out":
        prior, new_year = data.rows(data.development), data.rows(data.held_out)
    else:  # choose settings inside the development part only
        dev = data.rows(data.development)
        inner = np.array([nhs_data.is_held_out(f"inner:{r}") for r in dev.frame["Respondent ID"]])
        prior, new_year = dev.rows(~inner), dev.rows(inner)
    codebook = load_codebook(nhs_data.CODEBOOK)
    themes = data.themes  # the 37 scored themes
    print(f"Data: {nhs_data.DATA.name}; prior years = the {part} part's complement "
          f"({sum(bool(t.strip()) for t in prior.texts)} commented answers), new year = "
          f"{sum(bool(t.strip()) for t in new_year.texts)} commented answers; fast tier; "
          f"this year's weight {weight:g}")
    print(f"Machine: {machine()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="themecoder-retrain-") as tmp:
        folder = Path(tmp)
        prior_file = _write_prior(folder / "prior_years.csv", prior, codebook)
        order = _write_new_year(folder / "new_year.csv", new_year)
        truth = {f"C{new_year.frame.iloc[i]['Comment ID']}": i for i in order}
        started = time.perf_counter()
        runner = CliRunner()
        trained = runner.invoke(cli, ["train", "--codebook", str(nhs_data.CODEBOOK), "--data",
                                      str(prior_file), "--text-col", "text", "--question-col",
                                      "question", "--themes-col", "themes", "--out",
                                      str(folder / "model")])
        assert trained.exit_code == 0, trained.output
        print(f"first model trained on the prior years in {time.perf_counter() - started:.0f} s "
              f"(load {os.getloadavg()[0]:.1f})", flush=True)
        project = Project.create(folder / "new_year.themecoder")
        project.add_codebook(codebook)
        mapping = SurveyMapping(layout="long", id="respondent_id", group="group",
                                question="question", text="text", answer_id="answer_id")
        project.import_survey(read_survey(folder / "new_year.csv", mapping))
        suggested = runner.invoke(cli, ["suggest", project.location, "--model",
                                        str(folder / "model")])
        assert suggested.exit_code == 0, suggested.output
        print(suggested.output.strip())
        first = project.suggestions()
        stream = todo_answers(project)          # import order: the stream order
        key_of = {a.id: a.key for a in stream}
        labels = new_year.labels.to_numpy()
        retrainer = Retrainer(project, codebook, current_weight=weight)
        header = ("| coded | held out | version | outcome | checked on | with retraining | "
                  "no retraining | difference [95 % interval] | the new version itself | rest |")
        rows = []
        coded = 0
        for step in steps:
            for answer in stream[coded:step]:
                i = truth[answer.key]
                ids = [codebook.find(t).id for t in themes if labels[i, themes.index(t) + 1]]
                extra = [t.id for t in codebook.themes if t.name not in themes
                         and str(new_year.frame.iloc[i].get(t.name, "")).strip() in ("1",
                                                                                     "1.0")]
                ids += extra
                if ids:
                    project.record_decision(answer.id, "coder", ids)
                else:
                    project.record_decision(answer.id, "coder", not_assigned=True)
            coded = step
            t0 = time.perf_counter()
            result = retrainer.retrain()
            seconds = time.perf_counter() - t0
            rest = [a.id for a in todo_answers(project)]
            truth_matrix = labels[[truth[key_of[i]] for i in rest]]
            now = project.suggestions(rest)
            now_scored = _scored(now, rest, codebook, themes)
            first_scored = _scored(first, rest, codebook, themes)
            ours = micro_macro_f1(truth_matrix, now_scored)
            base = micro_macro_f1(truth_matrix, first_scored)
            spread = difference_interval(truth_matrix, now_scored, first_scored)
            newest = micro_macro_f1(truth_matrix, _newest_scored(project, codebook, result.path,
                                                                 rest, themes))
            outcome = "used" if result.accepted else "candidate"
            check = result.check.kind if result.check else "-"
            n = result.check.candidate.n if result.check and result.check.candidate else 0
            rows.append(f"| {step} | {result.n_held_out} | {result.version} | {outcome} | "
                        f"{check} ({n}) | {ours[0]:.3f} / {ours[1]:.3f} | "
                        f"{base[0]:.3f} / {base[1]:.3f} | "
                        f"{ours[0] - base[0]:+.3f} [{spread[0][0]:+.3f}, {spread[0][1]:+.3f}] / "
                        f"{ours[1] - base[1]:+.3f} [{spread[1][0]:+.3f}, {spread[1][1]:+.3f}] | "
                        f"{newest[0]:.3f} / {newest[1]:.3f} | {len(rest)} |")
            print(f"step {step}: {result.version} {outcome} after {seconds:.0f} s (load "
                  f"{os.getloadavg()[0]:.1f}): {result.reason}", flush=True)
        project.close()
    print()
    print(header)
    print("|---:|---:|---|---|---|---:|---:|---:|---:|---:|")
    for row in rows:
        print(row)
    print(f"\nMachine at the end: {machine()}")


# --------------------------------------------------------------------------- demo


def demo(accepted_target: int = 50) -> None:
    from click.testing import CliRunner

    from themecoder.cli import cli
    from themecoder.coding import CodingSession
    from themecoder.model_versions import todo_answers
    from themecoder.retraining import Retrainer
    from themecoder.store import Project
    from themecoder.suggest.project_suggest import build_suggester

    def as_set(themes: list[str], vague: bool) -> tuple[str, ...]:
        return tuple(sorted(themes)) + (("<not assigned>",) if vague and not themes else ())

    print(f"Machine: {machine()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="themecoder-demo-") as tmp:
        folder = Path(tmp) / "demo"
        result = CliRunner().invoke(cli, ["demo", "--no-tui", "--dir", str(folder)])
        assert result.exit_code == 0, result.output
        with Project.open(folder / "current_year.db") as project:
            before = {a: as_set(s.suggested_ids(), s.vague)
                      for a, s in project.suggestions().items()}
            session = CodingSession(project, "coder")
            accepted = 0
            while accepted < accepted_target:
                themes, not_assigned = session.premarked()
                if themes or not_assigned:
                    session.decide(themes, not_assigned=not_assigned)
                    accepted += 1
                    session.next_todo()
                else:
                    session.next()
            totals = {"unchanged": 0, "total": 0, "before": 0, "after": 0}
            for codebook in project.codebooks():
                t0 = time.perf_counter()
                outcome = Retrainer(project, codebook, refresh_limit=1000).retrain()
                todo = todo_answers(project, codebook_id=codebook.id)
                fresh = list(build_suggester(project, codebook, outcome.path).suggest_many(
                    [a.text for a in todo], [a.question for a in todo]))
                same = sum(as_set(f.suggested_ids, f.vague) == before[a.id]
                           for a, f in zip(todo, fresh, strict=True))
                n_before = sum(len([t for t in before[a.id] if t != "<not assigned>"])
                               for a in todo)
                n_after = sum(len(f.suggested_ids) for f in fresh)
                print(f"{codebook.id}: {outcome.version} "
                      f"{'used' if outcome.accepted else 'kept as a candidate'} after "
                      f"{time.perf_counter() - t0:.0f} s; trained on {outcome.n_prior} prior + "
                      f"{outcome.n_current} this year's; {same}/{len(todo)} suggestion sets "
                      f"unchanged; themes per answer {n_before / len(todo):.2f} → "
                      f"{n_after / len(todo):.2f}")
                for key, value in (("unchanged", same), ("total", len(todo)),
                                   ("before", n_before), ("after", n_after)):
                    totals[key] += value
    n = totals["total"]
    print(f"all answers to do: {totals['unchanged']}/{n} = {totals['unchanged'] / n:.1%} "
          f"unchanged; themes per answer {totals['before'] / n:.2f} → "
          f"{totals['after'] / n:.2f}")
    print(f"Machine at the end: {machine()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", default="50,100,200",
                        help="Cumulative numbers of new-year answers coded (default 50,100,200).")
    parser.add_argument("--weight", type=float, default=None,
                        help="This year's weight (default: the Retrainer's).")
    parser.add_argument("--part", choices=("held-out", "development"), default="held-out",
                        help="Which part plays the new year (see the module docstring).")
    parser.add_argument("--demo", action="store_true",
                        help="Measure suggestion stability on the demo instead.")
    args = parser.parse_args()
    if args.demo:
        demo()
        return
    if not nhs_data.available():
        print(f"skipped: {nhs_data.DATA} is not there")
        return
    from themecoder.version_check import DEFAULT_CURRENT_WEIGHT

    simulate(args.part, [int(s) for s in args.steps.split(",")],
             DEFAULT_CURRENT_WEIGHT if args.weight is None else args.weight)


if __name__ == "__main__":
    main()
