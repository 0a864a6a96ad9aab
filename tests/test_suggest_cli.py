"""``themecoder suggest`` on files: output columns, neutralised cells, input formats, errors."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from themecoder import exit_codes
from themecoder.cli import cli
from themecoder.codebook import loads_codebook

CODEBOOK = """
id: test_holders
name: Test holders
version: "1.0"
groups: [holder]
not_assigned: {id: not_assigned, name: Not assigned}
themes:
  - id: process
    name: Process
    definition: Paperwork.
    keywords: [paperwork, form]
  - id: staff
    name: Staff
    definition: Council staff.
    keywords: [social worker]
  - id: set_up
    name: Set up
    definition: Recruiting staff.
    keywords: [recruit]
    questions: [not_well, change]
"""
NAMES = ["Process", "Staff", "Set up"]
HEADER = ["id", *NAMES, "Not assigned", *(f"score:{n}" for n in NAMES), "score:Not assigned",
          "reasons", "method"]


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("suggest")
    (root / "codebook.yaml").write_text(CODEBOOK, encoding="utf-8")
    (root / "other.yaml").write_text(CODEBOOK.replace("id: set_up", "id: setting_up"),
                                     encoding="utf-8")
    with (root / "answers.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "question", "answer"])
        writer.writerow(["r1", "What did not work well", "The paperwork, and the forms"])
        writer.writerow(["=2+3", "not_well", "my social worker never called"])
        writer.writerow(["-r3", "worked_well", "n/a"])
        writer.writerow(["r4", "worked_well", "recruiting was easy"])
        writer.writerow(["r5", "not_well", "recruiting was hard"])
        writer.writerow(["r6", "change", ""])
    return root


@pytest.fixture(scope="module")
def model_dir(files: Path) -> Path:
    from themecoder.suggest.model import ThemeClassifier, save_model, training_metadata

    codebook = loads_codebook(CODEBOOK)
    rows = [("the paperwork was endless", "process"), ("too many forms", "process"),
            ("so much paperwork to fill in", "process"), ("forms every month", "process"),
            ("my social worker was great", "staff"), ("the social worker listened", "staff"),
            ("staff were rude", "staff"), ("the care manager helped", "staff"),
            ("hard to recruit carers", "set_up"), ("could not find a PA", "set_up"),
            ("recruiting took ages", "set_up"), ("advertising for staff", "set_up"),
            ("n/a", None), ("don't know", None), ("no comment", None)] * 3
    texts = [t for t, _ in rows]
    # The last three rows have no theme: the model learns Not assigned from them.
    Y = np.array([[int(theme == i) for i in codebook.theme_ids] for _, theme in rows])
    clf = ThemeClassifier(cv=3).fit(texts, None, Y, codebook.theme_ids)
    path = files / "models" / "test_model"
    save_model(clf, path, training_metadata(codebook, texts, None, Y, name="test_model"))
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["suggest", *args])
    return result.exit_code, result.stdout, result.stderr


def read_out(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def test_keyword_only_output_columns_and_values(files: Path, tmp_path: Path,
                                                without_extra: None):
    out = tmp_path / "out.csv"
    code, stdout, _ = run("--codebook", str(files / "codebook.yaml"),
                          "--data", str(files / "answers.csv"), "--text-col", "answer",
                          "--question-col", "question", "--out", str(out))
    assert code == 0, stdout
    rows = read_out(out)
    assert rows[0] == HEADER
    by_id = {row[0]: dict(zip(HEADER, row, strict=True)) for row in rows[1:]}
    assert len(by_id) == 6
    r1 = by_id["r1"]
    assert (r1["Process"], r1["Staff"], r1["Set up"]) == ("1", "0", "0")
    assert float(r1["score:Process"]) > 0.9 and r1["score:Staff"] == "0.0000"
    assert "matched 'paperwork' → Process" in r1["reasons"]
    # question restriction: Set up only applies to not_well and change
    assert by_id["r4"]["Set up"] == "0" and by_id["r5"]["Set up"] == "1"
    assert by_id["'-r3"]["reasons"] == "the answer looks too vague to code → Not assigned"
    assert by_id["'-r3"]["Not assigned"] == "1" and by_id["r1"]["Not assigned"] == "0"
    # keywords alone have no Not-assigned probability
    assert by_id["r1"]["score:Not assigned"] == ""
    assert all(len(row[5]) == 6 for row in rows[1:])  # scores: 4 decimals
    assert {row[-1] for row in rows[1:]} == {"keywords"}
    assert "wrote 6 rows" in stdout and "by keywords (keywords:test_holders@1.0)" in stdout


def test_formulas_in_cells_are_neutralised(files: Path, tmp_path: Path):
    out = tmp_path / "out.csv"
    code, _, _ = run("--codebook", str(files / "codebook.yaml"), "--data",
                     str(files / "answers.csv"), "--text-col", "answer", "--out", str(out))
    assert code == 0
    ids = [row[0] for row in read_out(out)[1:]]
    assert ids == ["r1", "'=2+3", "'-r3", "r4", "r5", "r6"]
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in read_out(out)
                   for cell in row)


def test_cp1252_csv_and_xlsx_input(files: Path, tmp_path: Path):
    import pandas as pd

    legacy = tmp_path / "legacy.csv"
    legacy.write_bytes("ref,answer\nA1,Café staff – the paperwork\n".encode("cp1252"))
    out = tmp_path / "out.csv"
    code, _, _ = run("--codebook", str(files / "codebook.yaml"), "--data", str(legacy),
                     "--text-col", "answer", "--out", str(out))
    assert code == 0
    rows = read_out(out)
    assert rows[0][0] == "ref" and rows[1][:2] == ["A1", "1"]

    book = tmp_path / "answers.xlsx"
    pd.DataFrame({"ref": ["X1", "X2"], "answer": ["my social worker", "forms"]}).to_excel(
        book, index=False)
    code, _, _ = run("--codebook", str(files / "codebook.yaml"), "--data", str(book),
                     "--text-col", "answer", "--out", str(out))
    assert code == 0
    rows = read_out(out)
    assert [row[:3] for row in rows[1:]] == [["X1", "0", "1"], ["X2", "1", "0"]]


def test_small_batches_give_the_same_output(files: Path, tmp_path: Path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    common = ["--codebook", str(files / "codebook.yaml"), "--data", str(files / "answers.csv"),
              "--text-col", "answer", "--question-col", "question"]
    assert run(*common, "--out", str(a))[0] == 0
    assert run(*common, "--out", str(b), "--batch-size", "2")[0] == 0
    assert a.read_bytes() == b.read_bytes()


def test_model_with_and_without_codebook(files: Path, model_dir: Path, tmp_path: Path):
    out = tmp_path / "out.csv"
    code, stdout, _ = run("--model", str(model_dir), "--data", str(files / "answers.csv"),
                          "--text-col", "answer", "--question-col", "question",
                          "--out", str(out))
    assert code == 0, stdout
    rows = read_out(out)
    assert rows[0] == HEADER
    assert rows[1][1] == "1" and "model " in rows[1][-2]
    assert rows[1][-1].startswith("model test_model@") and "keywords" not in rows[1][-1]
    assert "keywords" not in stdout
    by_id = {row[0]: dict(zip(HEADER, row, strict=True)) for row in rows[1:]}
    # The learned Not-assigned decision, with the model's probability, beside the themes.
    assert by_id["'-r3"]["Not assigned"] == "1"
    assert [by_id["'-r3"][n] for n in NAMES] == ["0", "0", "0"]
    assert float(by_id["'-r3"]["score:Not assigned"]) > 0.5
    assert by_id["r1"]["Not assigned"] == "0" and float(by_id["r1"]["score:Not assigned"]) < 0.5
    assert by_id["'-r3"]["reasons"].startswith("model: Not assigned")

    code, stdout, _ = run("--model", str(model_dir), "--codebook", str(files / "codebook.yaml"),
                          "--data", str(files / "answers.csv"), "--text-col", "answer",
                          "--out", str(out))
    assert code == 0, stdout
    assert "test_model@" in stdout and "+keywords:test_holders@1.0" in stdout
    reasons, method = read_out(out)[1][-2:]
    assert "model " in reasons and "matched 'paperwork'" in reasons
    assert method.startswith("model test_model@") and method.endswith(" + keywords")


@pytest.mark.parametrize(("args", "message"), [
    (["--text-col", "nope"], "no column 'nope'"),
    (["--text-col", "answer", "--question-col", "q"], "no column 'q'"),
    (["--text-col", "answer", "--data", "missing.csv"], "no such file"),
])
def test_bad_input_is_one_line_and_exit_2(files: Path, tmp_path: Path, args, message):
    base = ["--codebook", str(files / "codebook.yaml"), "--data", str(files / "answers.csv"),
            "--out", str(tmp_path / "out.csv")]
    code, _, stderr = run(*base, *args)
    assert code == exit_codes.USER_ERROR
    assert message in stderr
    assert len(stderr.strip().splitlines()) == 1 and "Traceback" not in stderr
    assert not (tmp_path / "out.csv").exists()


def test_model_for_another_codebook_is_refused(files: Path, model_dir: Path, tmp_path: Path):
    code, _, stderr = run("--model", str(model_dir), "--codebook", str(files / "other.yaml"),
                          "--data", str(files / "answers.csv"), "--text-col", "answer",
                          "--out", str(tmp_path / "out.csv"))
    assert code == exit_codes.USER_ERROR
    assert "retrain" in stderr and len(stderr.strip().splitlines()) == 1


def test_needs_a_codebook_or_a_model(files: Path, tmp_path: Path):
    code, _, stderr = run("--data", str(files / "answers.csv"), "--text-col", "answer",
                          "--out", str(tmp_path / "out.csv"))
    assert code == exit_codes.USER_ERROR
    assert "--codebook" in stderr
