"""Broken survey files, mapping files and project files: one line, exit 2, nothing changed.

Every bad file here is made by the test itself. Each refusal must name the file (and the
row, line or field where there is one), exit with code 2 without a traceback, and leave
the project exactly as it was.
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from bad_input import (
    SAMPLE,
    assert_refused,
    file_digest,
    invoke,
    new_project,
    project_rows,
    run,
)

from themecoder.errors import SurveyError
from themecoder.survey import SurveyMapping, load_mapping, read_survey

HEADER = ("Respondent ID,Respondent type,Council,What has worked well?,"
          "What has not worked well?,What would you change?\r\n")
ID_OPTIONS = ("--id-col", "Respondent ID", "--group-col", "Respondent type")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return new_project(tmp_path)


def import_refused(project: Path, survey: Path, *needles: str, options=ID_OPTIONS,
                   names: Path | None = None) -> str:
    """Import ``survey``: refused, naming ``names`` (default: the survey), nothing saved."""
    before = project_rows(project)
    line = assert_refused(invoke("import", project, survey, *options), str(names or survey),
                          *needles)
    assert project_rows(project) == before
    return line


# --------------------------------------------------------------------------- quotes


def test_an_unclosed_quote_is_refused_at_the_row_where_it_opened(project: Path,
                                                                 tmp_path: Path) -> None:
    survey = tmp_path / "q.csv"
    survey.write_bytes((HEADER + 'R010,Carer,C,"never closed,b,c\r\n'
                        'R011,Carer,C,fine,ok,more\r\nR012,Carer,C,good,bad,less\r\n').encode())
    line = import_refused(project, survey, "row 2", "What has worked well?", "never closed")
    assert "line 2" in line


def test_a_quote_closed_rows_later_is_refused(project: Path, tmp_path: Path) -> None:
    # the stray quote opened on R010 is "closed" by the quote on R012: R011 would vanish
    survey = tmp_path / "q.csv"
    survey.write_bytes((HEADER + 'R010,Carer,C,"oops,b,c\r\nR011,Carer,C,fine,ok,more\r\n'
                        'R012,Carer,C,"good",bad,less\r\n').encode())
    line = import_refused(project, survey, "row 2", "rows of their own")
    assert "R011,Carer,C,fine,ok,more" in line


def test_answers_over_several_lines_still_import(project: Path, tmp_path: Path) -> None:
    survey = tmp_path / "q.csv"
    survey.write_bytes((HEADER + 'R010,Carer,C,"first line, then\r\nsecond, with ""quotes""'
                        '\nthird",b,c\r\nR011,Carer,C,fine,ok,more\r\n').encode())
    result = invoke("import", project, survey, *ID_OPTIONS)
    assert result.exit_code == 0, result.output
    assert "2 respondents, 6 answers added" in result.output


def test_a_line_of_an_answer_with_many_commas_is_not_a_row(project: Path,
                                                          tmp_path: Path) -> None:
    # the second line splits into six cells, as many as the header, but does not start
    # like the rows' respondent ids: it is part of the answer
    survey = tmp_path / "q.csv"
    survey.write_bytes((HEADER + 'R010,Carer,C,"I would like:\r\nmore staff, more hours, '
                        'better pay, less forms, faster, kinder",b,c\r\n'
                        'R011,Carer,C,fine,ok,more\r\n').encode())
    result = invoke("import", project, survey, *ID_OPTIONS)
    assert result.exit_code == 0, result.output
    assert "2 respondents, 6 answers added" in result.output


def test_a_two_megabyte_answer_is_read_whole(tmp_path: Path) -> None:
    survey = tmp_path / "long.csv"
    text = "word " * 400_000
    survey.write_text(f'respondent_id,group,worked_well\nR1,holder,"{text}"\n',
                      encoding="utf-8")
    data = read_survey(survey, SurveyMapping())
    assert data.answers[0].text == text.strip()


# --------------------------------------------------------------------------- columns


def test_every_missing_column_is_named(project: Path, tmp_path: Path) -> None:
    survey = tmp_path / "s.csv"
    survey.write_text("id,type,worked well\nA1,holder,good\n", encoding="utf-8")
    line = import_refused(project, survey, "3 required columns are missing", "'idd'", "'typo'",
                          "'chg'", options=("--id-col", "idd", "--group-col", "typo",
                                            "--question", "change=chg"))
    assert "(the file's columns: id, type, worked well)" in line


def test_a_column_differing_only_in_case_is_suggested(project: Path, tmp_path: Path) -> None:
    survey = tmp_path / "s.csv"
    survey.write_text("ID,group,worked well\nA1,holder,good\n", encoding="utf-8")
    import_refused(project, survey, "did you mean 'ID'", options=("--id-col", "id"))


def test_group_labels_from_the_command_line(project: Path, tmp_path: Path) -> None:
    survey = tmp_path / "s.csv"
    survey.write_text("id,type,What worked well?\nA1,Personal budget holder,good\n"
                      "A2,Family carer,fine\n", encoding="utf-8")
    refused = import_refused(project, survey, "'personal budget holder'", "--group-value",
                             options=("--id-col", "id", "--group-col", "type"))
    assert "no codebook in the project codes group" in refused
    result = invoke("import", project, survey, "--id-col", "id", "--group-col", "type",
                    "--group-value", "Personal budget holder=holder",
                    "--group-value", "family  CARER=carer")
    assert result.exit_code == 0, result.output
    groups = {r[2] for r in project_rows(project)["respondents"]}
    assert groups == {"holder", "carer"}


def test_a_group_value_needs_label_and_group(project: Path, tmp_path: Path) -> None:
    result = invoke("import", project, tmp_path / "x.csv", "--group-value", "holder")
    assert result.exit_code == 2 and "LABEL=GROUP" in result.output


# --------------------------------------------------------------------------- mapping files

BAD_MAPPINGS = {
    "a list as a group label": ("group_values: {X: [holder]}\n", "group_values", 1),
    "a list as a question column": ("questions:\n  worked_well: [a, b]\n", "questions", 1),
    "a list of questions": ("questions: [worked_well, change]\n", "questions", 1),
    "a mapping as the id": ("layout: wide\nid: {a: b}\n", "id", 2),
    "a mapping as attributes": ("attributes: {a: b}\n", "attributes", 1),
    "a list key": ("? [a]\n: b\n", None, 1),
    "an unknown layout": ("layout: tall\n", "layout", 1),
    "not a question id": ("questions: {Worked Well: a}\n", "questions", 1),
    "theme columns not auto": ("theme_columns: yes\n", "theme_columns", 1),
    "not a mapping": ("- a\n- b\n", None, 1),
    "unclosed bracket": ("questions: [a\n", None, 2),
    "a tab indent": ("questions:\n\tworked_well: a\n", None, 2),
}


@pytest.mark.parametrize("name", BAD_MAPPINGS)
def test_a_badly_typed_mapping_is_one_line(name: str, project: Path, tmp_path: Path) -> None:
    text, field, line = BAD_MAPPINGS[name]
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(text, encoding="utf-8")
    with pytest.raises(SurveyError) as caught:
        load_mapping(mapping)
    assert caught.value.line == line
    if field:
        assert caught.value.field == field
    import_refused(project, SAMPLE / "current_year.csv", options=("--mapping", mapping),
                   names=mapping)


def test_a_question_no_codebook_declares_is_refused(project: Path, tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("questions: {fft_why: worked_well}\n", encoding="utf-8")
    import_refused(project, SAMPLE / "current_year.csv", "unknown question 'fft_why'",
                   "a codebook may declare others", options=("--mapping", mapping))


def test_numbers_may_name_columns(tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("id: 2025\ngroup_values: {1: holder, 2: carer}\n", encoding="utf-8")
    loaded = load_mapping(mapping)
    assert loaded.id == "2025" and loaded.group_values == {"1": "holder", "2": "carer"}


# --------------------------------------------------------------------------- project files


def test_another_programs_database_is_refused_untouched(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE notes (x)")
    conn.commit()
    conn.close()
    digest = file_digest(other)
    for args in (["status", other], ["import", other, SAMPLE / "current_year.csv"],
                 ["export", other, "--out", tmp_path / "out"], ["suggest", other],
                 ["init", other, "--codebook", SAMPLE.parent / "codebooks/poet_carers.yaml"]):
        assert_refused(invoke(*args), str(other), "not a themecoder project")
        assert file_digest(other) == digest
        assert sorted(p.name for p in tmp_path.iterdir()) == ["other.db"]
    conn = sqlite3.connect(f"file:{other}?mode=ro", uri=True)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()


@pytest.mark.parametrize("content", [b"", b"hello, not a database\n"])
def test_a_file_that_is_not_a_database_stays_as_it_was(content: bytes, tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    path.write_bytes(content)
    for command in ("status", "suggest"):
        assert_refused(invoke(command, path), str(path), "not a themecoder project")
        assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.db"]


def test_init_may_use_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    path.touch()
    assert invoke("init", path, "--codebook", SAMPLE.parent / "codebooks/poet_carers.yaml"
                  ).exit_code == 0
    assert invoke("status", path).exit_code == 0


def _damage(path: Path) -> None:
    """Overwrite pages in the middle of an SQLite file (as a failing disk might)."""
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.seek(4096 * 4)
        handle.write(random.Random(16).randbytes(min(4096 * 6, size - 4096 * 4)))


def test_a_damaged_project_is_one_line(project: Path, tmp_path: Path) -> None:
    assert invoke("import", project, SAMPLE / "current_year.csv", "--mapping",
                  SAMPLE / "mapping.yaml").exit_code == 0
    _damage(project)
    for args in (["status", project], ["export", project, "--out", tmp_path / "out"]):
        assert_refused(run(*args), str(project), "damaged")


def _garble(project: Path, sql: str) -> None:
    """Change a project's cells behind themecoder's back, as a damaged page would."""
    conn = sqlite3.connect(project)
    try:
        conn.execute(sql)
        conn.commit()
    finally:
        conn.close()


@pytest.mark.parametrize(("garbling", "commands"), [
    # bytes that are not UTF-8 in a text cell (the codebook every command reads)
    ("UPDATE codebooks SET yaml = CAST(X'69643a20fffe00' AS TEXT)", ("status", "export")),
    # JSON that no longer parses, in pages SQLite finds sound (one changed byte)
    ("UPDATE respondents SET attributes = replace(attributes, '\": ', '\"; ')", ("export",)),
])
def test_garbled_cells_are_one_line(garbling: str, commands: tuple[str, ...], project: Path,
                                    tmp_path: Path) -> None:
    assert invoke("import", project, SAMPLE / "current_year.csv", "--mapping",
                  SAMPLE / "mapping.yaml").exit_code == 0
    _garble(project, garbling)
    extra = {"status": [], "export": ["--out", tmp_path / "out"]}
    for command in commands:
        assert_refused(run(command, project, *extra[command]), str(project), "damaged")


def test_a_damaged_index_is_found_after_an_unexpected_failure(project: Path) -> None:
    from themecoder.store import Project
    from themecoder.store.access import damaged_project

    assert invoke("import", project, SAMPLE / "current_year.csv", "--mapping",
                  SAMPLE / "mapping.yaml").exit_code == 0
    Project.open(project).close()
    assert damaged_project(RuntimeError("a bug")) is None  # sound: the bug keeps its traceback
    conn = sqlite3.connect(project)  # an index that no longer matches its table
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute("UPDATE sqlite_master SET sql = replace(sql, '(respondent_id)', '(id)') "
                 "WHERE type = 'index' AND name = 'ix_answers_respondent'")
    conn.commit()
    conn.close()
    found = damaged_project(RuntimeError("a bug"))
    assert found is not None and "damaged" in found.one_line()
    assert "ix_answers_respondent" in found.one_line()


def _as_nobody() -> list[str] | None:
    """A command prefix that drops root's right to write anything (None: not needed/able)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    return [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"] if setpriv else None


@pytest.fixture
def open_folder() -> Iterator[Path]:
    """A folder another user can reach (pytest's own temporary folders are private)."""
    folder = Path(tempfile.mkdtemp(prefix="themecoder-ro-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder, ignore_errors=True)


def test_suggest_on_a_read_only_project_is_refused_at_once(open_folder: Path) -> None:
    prefix = _as_nobody()
    if prefix is None:
        pytest.skip("running as root without setpriv: cannot make a file read-only")
    tmp_path = open_folder
    project = new_project(tmp_path)
    assert invoke("import", project, SAMPLE / "current_year.csv", "--mapping",
                  SAMPLE / "mapping.yaml").exit_code == 0
    before = project_rows(project)
    project.chmod(0o444)
    tmp_path.chmod(0o555)
    try:
        code = "from themecoder.cli import main; main()"
        result = subprocess.run([*prefix, sys.executable, "-c", code, "suggest", str(project)],
                                capture_output=True, text=True, timeout=300, cwd="/")
        assert_refused(result, str(project), "read-only")
        status = subprocess.run([*prefix, sys.executable, "-c", code, "status", str(project)],
                                capture_output=True, text=True, timeout=300, cwd="/")
        assert status.returncode == 0, status.stderr  # reading still works
    finally:
        tmp_path.chmod(0o755)
        project.chmod(0o644)
    assert project_rows(project) == before


def test_a_project_in_an_unreadable_folder_is_one_line(open_folder: Path) -> None:
    prefix = _as_nobody()
    if prefix is None:
        pytest.skip("running as root without setpriv: every folder is readable")
    project = new_project(open_folder)
    open_folder.chmod(0o700)
    code = "from themecoder.cli import main; main()"
    result = subprocess.run([*prefix, sys.executable, "-c", code, "status", str(project)],
                            capture_output=True, text=True, timeout=300, cwd="/")
    assert_refused(result, str(project), "cannot reach the project file")


def test_a_misspelt_database_scheme_is_one_line() -> None:
    line = assert_refused(run("status", "postgress://ann:s3cret@localhost/survey"),
                          "postgress://", "did you mean postgresql://")
    assert "s3cret" not in line


def test_a_project_name_with_markup_is_shown_as_written(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    name = "old [/] survey [bold]x[/bold] [@click=app.quit]y"
    assert invoke("init", path, "--codebook", SAMPLE.parent / "codebooks/poet_carers.yaml",
                  "--name", name).exit_code == 0
    result = run("status", path)
    assert result.returncode == 0, result.stderr
    assert name in result.stdout


def test_a_folder_named_like_markup_is_shown_as_written(tmp_path: Path) -> None:
    folder = tmp_path / "[old]"
    folder.mkdir()
    project = new_project(folder)
    result = invoke("status", project, width=400)
    assert result.exit_code == 0, result.output
    assert f"{folder}/p.db" in result.output
