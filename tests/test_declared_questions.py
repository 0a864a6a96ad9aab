"""Questions other than the three POET ones, declared by a codebook with their labels: import
recognises them, suggestions use them, the app and every export name them by their label.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyreadstat
import pytest
from bad_input import assert_refused, invoke

from themecoder.codebook import loads_codebook
from themecoder.errors import CodebookError
from themecoder.questions import DeclaredQuestion, normalise_question, question_label
from themecoder.store import Project

LABEL = "Why did you give that answer?"
CODEBOOK = f"""
id: fft
name: Friends and Family Test
version: "1.0"
groups: [patient]
questions:
  - worked_well
  - id: fft_why
    label: {LABEL}
    aliases: ["FFT Why?", "Why?"]
not_assigned: {{id: not_assigned, name: Not assigned}}
themes:
  - id: staff
    name: Staff attitude
    definition: How staff treated the patient.
    keywords: [nurse, staff, doctor, rude, kind]
  - id: waiting
    name: Waiting time
    definition: How long the patient waited.
    keywords: [wait, waiting, queue, delay]
    questions: [fft_why]
"""
LONG = [("id", "respondent", "FFT question", "FFT answer"),
        ("A1", "P1", "FFT Why?", "The nurse was kind but the wait was long"),
        ("A2", "P1", "What was good?", "Kind staff"),
        ("A3", "P2", "why", "Waiting three hours in a queue"),
        ("A4", "P2", "What worked well", "")]


def write_csv(path: Path, rows) -> Path:  # noqa: ANN001
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


@pytest.fixture
def fft_project(tmp_path: Path) -> Path:
    (tmp_path / "fft.yaml").write_text(CODEBOOK, encoding="utf-8")
    project = tmp_path / "fft.db"
    assert invoke("init", project, "--codebook", tmp_path / "fft.yaml").exit_code == 0
    survey = write_csv(tmp_path / "fft.csv", LONG)
    result = invoke("import", project, survey, "--layout", "long", "--id-col", "respondent",
                    "--answer-id-col", "id", "--question-col", "FFT question",
                    "--text-col", "FFT answer", "--group", "patient")
    assert result.exit_code == 0, result.output
    return project


def test_a_declared_question_round_trips_through_the_codebook() -> None:
    codebook = loads_codebook(CODEBOOK)
    assert codebook.questions == ("worked_well", "fft_why")
    assert codebook.question_label("fft_why") == LABEL
    assert codebook.question_label("worked_well") == "What worked well"
    assert codebook.theme("waiting").questions == ("fft_why",)
    assert loads_codebook(codebook.to_yaml()) == codebook


@pytest.mark.parametrize("questions, message", [
    ("[worked_well, fft_why]", "unknown question 'fft_why'"),
    ("[{id: fft_why}]", "missing required field"),
    ("[{id: Fft Why, label: x}]", "not a valid id"),
    ("[worked_well, worked_well]", "listed twice"),
])
def test_a_badly_declared_question_is_refused(questions: str, message: str) -> None:
    text = CODEBOOK.replace(CODEBOOK[CODEBOOK.index("questions:"):CODEBOOK.index(
        "not_assigned:")], f"questions: {questions}\n")
    with pytest.raises(CodebookError, match=message):
        loads_codebook(text)


def test_declared_wordings_are_recognised_first() -> None:
    declared = [DeclaredQuestion("fft_why", LABEL, ("FFT Why?",)),
                DeclaredQuestion("better", "What would make it better?")]
    assert normalise_question("  fft   why ", declared) == "fft_why"
    assert normalise_question(LABEL.upper(), declared) == "fft_why"
    # a declared label wins over the POET wording it resembles ("better" → change)
    assert normalise_question("What would make it better", declared) == "better"
    assert normalise_question("What would make it better") == "change"
    assert normalise_question("FFT Why?") is None
    assert question_label("fft_why", declared) == LABEL


def test_without_the_declaration_the_question_is_refused(tmp_path: Path) -> None:
    plain = CODEBOOK.replace("  - id: fft_why\n    label: Why did you give that answer?\n"
                             '    aliases: ["FFT Why?", "Why?"]\n', "")
    plain = plain.replace("    questions: [fft_why]\n", "")
    (tmp_path / "plain.yaml").write_text(plain, encoding="utf-8")
    project = tmp_path / "p.db"
    assert invoke("init", project, "--codebook", tmp_path / "plain.yaml").exit_code == 0
    survey = write_csv(tmp_path / "fft.csv", LONG)
    assert_refused(invoke("import", project, survey, "--layout", "long", "--id-col",
                          "respondent", "--question-col", "FFT question", "--text-col",
                          "FFT answer", "--group", "patient", "--answer-id-col", "id"),
                   "row 2", "cannot tell which question 'FFT Why?' is",
                   "a codebook may declare others")


def test_import_suggest_status_and_exports_use_the_declared_question(fft_project: Path,
                                                                      tmp_path: Path) -> None:
    with Project.open(fft_project) as store:
        questions = {a.key: a.question for a in store.answers()}
    assert questions == {"A1": "fft_why", "A2": "worked_well", "A3": "fft_why",
                         "A4": "worked_well"}
    assert invoke("suggest", fft_project).exit_code == 0
    with Project.open(fft_project) as store:
        ids = {a.key: a.id for a in store.answers()}
        suggested = {key: store.suggestions([ids[key]])[ids[key]].suggested_ids()
                     for key in ("A1", "A2", "A3")}
        store.record_decision(ids["A1"], "ann", ["staff", "waiting"])
        store.record_decision(ids["A2"], "ann", ["staff"])
        store.record_decision(ids["A3"], "ann", ["waiting"])
    # Waiting time applies to the declared question only
    assert "waiting" in suggested["A1"] and "waiting" in suggested["A3"]
    assert "waiting" not in suggested["A2"]
    status = invoke("status", fft_project)
    assert status.exit_code == 0 and LABEL in status.output

    out = tmp_path / "out"
    result = invoke("export", fft_project, "--out", out)
    assert result.exit_code == 0, result.output
    with open(out / "theme_counts.csv", encoding="utf-8-sig", newline="") as handle:
        counts = list(csv.DictReader(handle))
    waiting = [r for r in counts if r["theme_id"] == "waiting"]
    assert [(r["question"], r["question_label"], r["comments"]) for r in waiting] == \
        [("fft_why", LABEL, "2")]
    with open(out / "coded_data.csv", encoding="utf-8-sig", newline="") as handle:
        merged = {r["respondent_id"]: r for r in csv.DictReader(handle)}
    assert merged["P1"]["fft_why"] == "The nurse was kind but the wait was long"
    assert merged["P1"]["fft_why:Waiting time"] == "1"
    assert merged["P2"]["fft_why:Staff attitude"] == "0"
    assert LABEL in (out / "theme_counts.md").read_text(encoding="utf-8")
    frame, meta = pyreadstat.read_sav(str(out / "coded_data.sav"))
    assert LABEL in meta.column_names_to_labels.values()
    assert json.loads((out / "metadata.json").read_text())["files"]


async def test_the_app_names_the_declared_question(fft_project: Path) -> None:
    from themecoder.tui.app import CodingApp

    app = CodingApp(str(fft_project), "ann", suggest_ahead=False, poll_seconds=None,
                    deterministic=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.session.current.key == "A1"
        assert str(app.screen.query_one("#question").render()) == LABEL
        await pilot.press("f")
        await pilot.pause()
        prompts = [str(p) for p, _v in app.screen.query_one("#question")._options]
        assert LABEL in prompts


def test_a_wide_file_finds_the_declared_column(tmp_path: Path) -> None:
    (tmp_path / "fft.yaml").write_text(CODEBOOK, encoding="utf-8")
    project = tmp_path / "wide.db"
    assert invoke("init", project, "--codebook", tmp_path / "fft.yaml").exit_code == 0
    survey = write_csv(tmp_path / "wide.csv", [("id", "What was good?", "FFT Why?"),
                                               ("P1", "kind staff", "long wait")])
    result = invoke("import", project, survey, "--id-col", "id", "--group", "patient")
    assert result.exit_code == 0, result.output
    with Project.open(project) as store:
        assert {(a.question, a.text) for a in store.answers()} == {
            ("worked_well", "kind staff"), ("fft_why", "long wait")}
