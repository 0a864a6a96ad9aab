"""Four coders in four processes code one project at once, on SQLite and PostgreSQL.

Each process claims answers with :func:`claim_next` and records a decision on each;
afterwards every decision is in the log exactly once and no answer was decided twice.
"""

from __future__ import annotations

import multiprocessing
import time
from collections import Counter
from pathlib import Path

import pytest
from conftest import make_project

from themecoder.store import Project
from themecoder.store.teams import claim_next, draw_double_coding_sample
from themecoder.survey import SurveyMapping, read_survey

PROCESSES = 4
DECISIONS = 2000
THEMES = ["support", "process", "choice_control", "staff"]


def write_survey(path: Path, respondents: int) -> Path:
    """A long-layout survey of holders: three commented answers per respondent."""
    lines = ["answer_id,respondent_id,group,question,text"]
    for r in range(respondents):
        for question in ("worked_well", "not_well", "change"):
            lines.append(f"R{r:05d}-{question},R{r:05d},holder,{question},answer {r} {question}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def build_project(location: str, folder: Path, answers: int) -> None:
    project = make_project(location, survey=None)
    mapping = SurveyMapping(layout="long", id="respondent_id", group="group",
                            question="question", text="text", answer_id="answer_id")
    survey = write_survey(folder / "survey.csv", -(-answers // 3))
    project.import_survey(read_survey(survey, mapping))
    project.close()


def code(location: str, coder: str, quota: int, start: multiprocessing.synchronize.Event
         ) -> list[int]:
    """One coder's session: claim the next answer, decide it, until ``quota`` are done."""
    project = Project.open(location)
    themes = [t for t in THEMES if t in project.codebook_for_group("holder").theme_ids]
    done: list[int] = []
    start.wait(60)
    try:
        while len(done) < quota:
            answer_id = claim_next(project, coder)
            if answer_id is None:
                break
            project.record_decision(answer_id, coder, [themes[answer_id % len(themes)]])
            done.append(answer_id)
    finally:
        project.close()
    return done


def run_coders(location: str, quota: int, processes: int = PROCESSES) -> dict[str, list[int]]:
    """Run ``processes`` coders at once; returns the answers each coded."""
    ctx = multiprocessing.get_context("spawn")
    manager = ctx.Manager()
    start = manager.Event()
    with ctx.Pool(processes) as pool:
        pending = {f"coder{i}": pool.apply_async(code, (location, f"coder{i}", quota, start))
                   for i in range(processes)}
        time.sleep(0.5)  # let the workers open the project before the start signal
        start.set()
        results = {coder: job.get(timeout=300) for coder, job in pending.items()}
    manager.shutdown()
    return results


@pytest.mark.slow
def test_four_coders_at_once(store_url: str, tmp_path: Path) -> None:
    build_project(store_url, tmp_path, DECISIONS + 100)
    began = time.perf_counter()
    results = run_coders(store_url, DECISIONS // PROCESSES)
    elapsed = time.perf_counter() - began
    coded = [answer_id for ids in results.values() for answer_id in ids]
    assert len(coded) == DECISIONS
    assert len(set(coded)) == DECISIONS, "an answer was given to two coders"
    with Project.open(store_url) as project:
        log = project.decision_log()
        assert len(log) == DECISIONS
        per_answer = Counter(d.answer_id for d in log)
        assert max(per_answer.values()) == 1
        for coder, ids in results.items():
            assert sorted(d.answer_id for d in log if d.coder == coder) == sorted(ids)
        assert sum(r["coded"] for r in project.status()) == DECISIONS
    print(f"{store_url.split(':')[0]}: {DECISIONS} decisions by {PROCESSES} processes "
          f"in {elapsed:.1f} s")


@pytest.mark.slow
def test_double_coding_sample_is_coded_by_both(store_url: str, tmp_path: Path) -> None:
    """Inside a double-coding sample both assigned coders code every answer, once each."""
    build_project(store_url, tmp_path, 240)
    with Project.open(store_url) as project:
        sample = set(draw_double_coding_sample(project, ["coder0", "coder1"], n=40,
                                               seed=5).answer_ids)
    results = run_coders(store_url, 10_000)
    for coder in ("coder0", "coder1"):
        assert sample <= set(results[coder])
    with Project.open(store_url) as project:
        per_answer = Counter(d.answer_id for d in project.decision_log())
        total = project.count_answers()
    assert all(per_answer[a] == 2 for a in sample)
    assert all(n == 1 for a, n in per_answer.items() if a not in sample)
    assert len(per_answer) == total
