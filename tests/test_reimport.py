"""Re-importing a file whose answers changed: refused with counts, or updated on record with
``--update`` — decisions never touched, the change listed for review."""

from __future__ import annotations

import csv
from pathlib import Path

from bad_input import SAMPLE, assert_refused, invoke, new_project, project_rows
from conftest import make_project
from sqlalchemy import select

from themecoder.store import Project, schema
from themecoder.store.updates import history
from themecoder.survey import SurveyMapping, read_survey


def changed_copy(folder: Path) -> Path:
    """The current year's file with two answers edited and one respondent added."""
    with open(SAMPLE / "current_year.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    rows[1][header.index("worked_well")] = "Now it works: my social worker calls back."
    rows[2][header.index("not_well")] = rows[2][header.index("not_well")] + " (edited)"
    rows.append(["C2026-9999", "holder", "Brackenfield", "45-64", "Direct payment", "Male",
                 "new respondent", "", ""])
    path = folder / "changed.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_changed_text_is_refused_with_counts_and_nothing_changes(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    assert invoke("import", project, SAMPLE / "current_year.csv").exit_code == 0
    before = project_rows(project)
    line = assert_refused(invoke("import", project, changed_copy(tmp_path)),
                          "2 answers in 2 rows", "row 2", "C2026-0001:worked_well",
                          "--update")
    assert "nothing was imported" in line
    assert project_rows(project) == before


def test_update_replaces_text_on_record_and_keeps_coding(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    assert invoke("import", project, SAMPLE / "current_year.csv").exit_code == 0
    assert invoke("suggest", project).exit_code == 0
    with Project.open(project) as store:
        first = store.answer_by_key("C2026-0001:worked_well")
        second = store.answer_by_key("C2026-0002:not_well")
        store.record_decision(second.id, "ann", [], not_assigned=True)
        log_before = store.decision_log()
        kept = store.suggestions()
    assert not first.has_comment and second.id in kept
    result = invoke("import", project, changed_copy(tmp_path), "--update")
    assert result.exit_code == 0, result.output
    assert "1 respondents, 3 answers added" in result.stdout
    assert "updated the text of 2 answer(s)" in result.stdout
    assert ("1 updated answer(s) already have coding, which is kept as it was; review them: "
            "C2026-0002:not_well") in result.stderr
    with Project.open(project) as store:
        now_first = store.answer_by_key("C2026-0001:worked_well")
        now_second = store.answer_by_key("C2026-0002:not_well")
        assert now_first.text == "Now it works: my social worker calls back."
        assert now_first.has_comment
        assert now_second.text == second.text + " (edited)"
        assert store.decision_log() == log_before  # coding untouched
        suggestions = store.suggestions()
        assert second.id not in suggestions  # made for the old text
        assert set(kept) - {second.id} <= set(suggestions)
        with store.engine.connect() as conn:
            record = history(conn, second.id)
            imports = conn.execute(select(schema.imports.c.id)).scalars().all()
        assert [(r["old_text"], r["new_text"]) for r in record] == \
            [(second.text, second.text + " (edited)")]
        assert record[0]["import_id"] == imports[-1]
    again = invoke("import", project, changed_copy(tmp_path), "--update")
    assert again.exit_code == 0 and "updated" not in again.stdout


def test_update_on_each_database(store_url: str, tmp_path: Path) -> None:
    survey = changed_copy(tmp_path)
    mapping = SurveyMapping(attributes=["council"])
    with make_project(store_url) as project:
        data = read_survey(survey, mapping)
        result = project.import_survey(data, update=True)
        assert result.text_updates.updated == ["C2026-0001:worked_well", "C2026-0002:not_well"]
        assert project.import_survey(data, update=True).text_updates.updated == []
        answer = project.answer_by_key("C2026-0002:not_well")
        assert answer.text.endswith("(edited)")
        with project.engine.connect() as conn:
            assert len(history(conn, answer.id)) == 1
