"""Filling a project's suggestions: chunked, resumable, remembered model, CLI."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from themecoder.cli import cli
from themecoder.codebook import load_codebook
from themecoder.store import Project
from themecoder.suggest.project_suggest import suggest_project
from themecoder.survey import SurveyMapping, read_survey

ROOT = Path(__file__).resolve().parents[1]

ROWS = """respondent_id,group,worked_well,not_well,change
R1,holder,My social worker listened to me,Too much paperwork and forms,
R2,holder,fine,The direct payment took months to arrive,More money in the budget
R3,carer,I finally get a break thanks to respite,,
R4,holder,,,
"""


@pytest.fixture()
def project(tmp_path: Path) -> Project:
    survey = tmp_path / "s.csv"
    survey.write_text(ROWS, encoding="utf-8")
    store = Project.create(tmp_path / "p.db")
    for name in ("poet_holders", "poet_carers"):
        store.add_codebook(load_codebook(ROOT / "codebooks" / f"{name}.yaml"))
    store.import_survey(read_survey(survey, SurveyMapping()))
    yield store
    store.close()


def test_fills_commented_answers_with_reasons_and_spans(project: Project) -> None:
    seen: list[tuple[int, int]] = []
    run = suggest_project(project, batch_size=2, progress=lambda d, t: seen.append((d, t)))
    commented = [a for a in project.answers() if a.has_comment]
    assert run.answers == len(commented) == 6
    assert seen[-1] == (6, 6)
    stored = project.suggestions()
    assert set(stored) == {a.id for a in commented}
    by_key = {a.key: stored[a.id] for a in commented}
    paperwork = by_key["R1:not_well"]
    assert "process" in paperwork.suggested_ids()
    process = next(t for t in paperwork.themes if t["theme_id"] == "process")
    start, end = process["spans"][0]
    assert "Too much paperwork and forms"[start:end] in ("paperwork", "forms")
    assert any("paperwork" in reason or "form" in reason for reason in process["reasons"])
    assert by_key["R2:worked_well"].vague
    assert by_key["R1:worked_well"].model_version.startswith("keywords:poet_holders")
    # a second run finds nothing to do; --refresh redoes all
    assert suggest_project(project).answers == 0
    assert suggest_project(project, refresh=True).answers == 6


def test_cancel_keeps_finished_chunks(project: Project) -> None:
    cancel = threading.Event()

    def stop_after_first(done: int, total: int) -> None:
        cancel.set()

    run = suggest_project(project, batch_size=2, progress=stop_after_first, cancel=cancel)
    assert 0 < run.answers < 6
    assert len(project.suggestions()) == run.answers


def test_only_given_answers(project: Project) -> None:
    target = {a.id for a in project.answers() if a.key.startswith("R2")}
    run = suggest_project(project, answer_ids=target)
    assert set(project.suggestions()) == {a for a in target
                                          if project.answer(a).has_comment}
    assert run.answers == 3


def test_cli_project_mode(project: Project) -> None:
    result = CliRunner().invoke(cli, ["suggest", project.location])
    assert result.exit_code == 0, result.output
    assert "suggested themes for 6 answers" in result.output
    again = CliRunner().invoke(cli, ["suggest", project.location])
    assert "already has suggestions" in again.output
    bad = CliRunner().invoke(cli, ["suggest", project.location, "--data", "x.csv"])
    assert bad.exit_code == 2
