"""The project store on both backends: an SQLite file and a PostgreSQL database."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import CODEBOOKS, SAMPLE_DATA, make_project
from sqlalchemy import select

from themecoder.codebook import load_codebook
from themecoder.errors import StoreError, SurveyError
from themecoder.store import Project, database_url, redact, schema
from themecoder.store import migrations as store_migrations
from themecoder.survey import SurveyMapping, load_mapping, read_survey

LONG_MAPPING = SurveyMapping(layout="long", id="respondent_id", group="group",
                             question="question", text="text", answer_id="answer_id",
                             themes="themes")


def _theme_names(project: Project) -> list[str]:
    return [t.name for cb in project.codebooks() for t in cb.themes] + \
        [cb.not_assigned.name for cb in project.codebooks()]


def _wide(project: Project, path: Path = SAMPLE_DATA / "prior_year.csv"):  # noqa: ANN202
    return read_survey(path, load_mapping(SAMPLE_DATA / "mapping.yaml"),
                       theme_names=_theme_names(project))


def _first_answer(project: Project, group: str = "holder") -> int:
    return project.answers(group=group, with_comment=True)[0].id


# --------------------------------------------------------------------------- lifecycle


def test_create_then_open(store_url: str) -> None:
    with Project.create(store_url, name="POET 2026") as project:
        assert project.info()["name"] == "POET 2026"
    with Project.open(store_url) as project:
        assert project.info()["name"] == "POET 2026"
        assert project.count_answers() == 0


def test_create_twice_is_refused(store_url: str) -> None:
    Project.create(store_url).close()
    with pytest.raises(StoreError, match="already exists"):
        Project.create(store_url)
    Project.create(store_url, exist_ok=True).close()


def test_open_without_project_is_refused(store_url: str) -> None:
    if store_url.startswith("postgresql"):
        match = "not a themecoder project"  # an empty database
    else:
        match = "no project here"
    with pytest.raises(StoreError, match=match):
        Project.open(store_url)


def test_migrations_are_recorded_once(store_url: str) -> None:
    Project.create(store_url).close()
    with Project.open(store_url) as project, project.engine.connect() as conn:
        rows = conn.execute(select(schema.schema_migrations)
                            .order_by(schema.schema_migrations.c.version)).all()
    assert [r.version for r in rows] == [v for v, _n, _f in store_migrations.MIGRATIONS]
    assert rows[-1].version == store_migrations.latest_version()
    assert all(r.name and r.applied_at for r in rows)


def test_an_older_project_is_brought_up_to_date(store_url: str) -> None:
    """A database left at migration 1 gets the later migrations when opened."""
    engine = Project.create(store_url).engine
    with engine.begin() as conn:
        assert store_migrations.applied_versions(conn) == {
            v for v, _n, _f in store_migrations.MIGRATIONS}
        conn.execute(schema.schema_migrations.delete().where(
            schema.schema_migrations.c.version > 1))
        for table in reversed(schema.metadata.sorted_tables):
            if table.name not in {"schema_migrations", "project_info", "codebooks", "imports",
                                  "respondents", "answers", "decisions", "notes",
                                  "suggestions"}:
                table.drop(conn, checkfirst=True)
    engine.dispose()
    with Project.open(store_url) as project, project.engine.connect() as conn:
        assert store_migrations.applied_versions(conn) == {
            v for v, _n, _f in store_migrations.MIGRATIONS}


def test_url_credentials_are_never_stored(pg_url: str) -> None:
    """The project records no database URL or password, only what the user named."""
    secret_url = pg_url.replace("themecoder@", "themecoder:s3cret@", 1)
    assert redact(database_url(secret_url)).count("s3cret") == 0
    # trust authentication ignores the password, so the project opens with it
    with Project.create(secret_url, name="team") as project:
        assert "s3cret" not in project.display_location
        with project.engine.connect() as conn:
            values = [r.value for r in conn.execute(select(schema.project_info))]
        assert not any("s3cret" in v for v in values)


# --------------------------------------------------------------------------- codebooks


def test_codebooks_versions_and_groups(store_url: str) -> None:
    holders = load_codebook(CODEBOOKS / "poet_holders.yaml")
    carers = load_codebook(CODEBOOKS / "poet_carers.yaml")
    with Project.create(store_url) as project:
        project.add_codebook(holders)
        project.add_codebook(carers)
        assert project.codebook_for_group("holder").id == "poet_holders"
        assert project.codebook_for_group("carer").id == "poet_carers"
        with pytest.raises(StoreError, match="no codebook"):
            project.codebook_for_group("staff")
        # a second codebook for the holders is refused
        rival = replace(holders, id="rival")
        with pytest.raises(StoreError, match="already coded"):
            project.add_codebook(rival)
        # same version with other content is refused; a new version becomes active
        changed = replace(holders, name="Changed")
        with pytest.raises(StoreError, match="new version"):
            project.add_codebook(changed)
        newer = replace(holders, name="Changed", version="1.1")
        project.add_codebook(newer, change_note="renamed")
        project.refresh()
        assert project.codebook_for_group("holder").version == "1.1"
        history = project.codebook_history()
        assert [(h["codebook_id"], h["version"], bool(h["active"])) for h in history] == [
            ("poet_holders", "1.0", False), ("poet_carers", "1.0", True),
            ("poet_holders", "1.1", True)]


# --------------------------------------------------------------------------- import


def test_wide_import_and_reimport_adds_nothing(store_url: str) -> None:
    with make_project(store_url, survey=None) as project:
        data = _wide(project)
        coded = [a for a in data.answers if a.themes or a.not_assigned]
        commented = [a for a in data.answers if a.text.strip()]
        assert coded and len(commented) < len(data.answers)
        first = project.import_survey(data)
        assert first.respondents_added == len(data.respondents)
        assert first.answers_added == len(data.answers) == len(data.respondents) * 3
        assert first.decisions_added == len(coded)
        again = project.import_survey(_wide(project))
        assert (again.respondents_added, again.answers_added, again.decisions_added) == (0, 0, 0)
        assert again.answers_already_present == len(data.answers)
        assert project.count_answers() == len(data.answers)
        assert len(project.current_decisions()) == len(coded)
        assert len(project.answers(with_comment=True)) == len(commented)
        assert not project.answers(with_comment=False)[0].text.strip()


def test_long_import(store_url: str) -> None:
    with make_project(store_url, survey=None) as project:
        data = read_survey(SAMPLE_DATA / "prior_year_long.csv", LONG_MAPPING,
                           theme_names=_theme_names(project))
        result = project.import_survey(data)
        assert result.answers_added == len(data.answers)
        assert result.decisions_added == sum(1 for a in data.answers
                                             if a.themes or a.not_assigned)
        sample = next(a for a in data.answers if a.themes and len(a.themes) >= 2)
        answer = project.answer_by_key(sample.key)
        assert (answer.question, answer.text) == (sample.question, sample.text)
        codebook = project.codebook_for_group(answer.group)
        decision = project.current_decisions(answer_ids=[answer.id])[(answer.id, "imported")]
        assert set(decision.themes) == {codebook.find(name).id for name in sample.themes}
        assert project.import_survey(data).answers_added == 0


def test_a_bad_row_refuses_the_whole_file(store_url: str, tmp_path: Path) -> None:
    with open(SAMPLE_DATA / "prior_year_long.csv", encoding="utf-8", newline="") as handle:
        records = list(csv.reader(handle))[:80]
    bad = tmp_path / "bad.csv"
    # row 40 names a theme no codebook has (whole records kept: a cut inside a quoted,
    # multi-line answer would leave a quote open, refused for that reason instead)
    records[40][-1] = "Teleportation"
    with open(bad, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(records)
    with make_project(store_url, survey=None) as project:
        with pytest.raises(SurveyError, match="Teleportation"):
            project.import_survey(read_survey(bad, LONG_MAPPING,
                                              theme_names=_theme_names(project)))
        assert project.count_answers() == 0
        assert project.decision_log() == []


def test_changed_text_on_reimport_writes_nothing(store_url: str, tmp_path: Path) -> None:
    lines = (SAMPLE_DATA / "prior_year_long.csv").read_text(encoding="utf-8").splitlines()
    first = tmp_path / "first.csv"
    first.write_text("\n".join(lines[:50]) + "\n", encoding="utf-8")
    second = tmp_path / "second.csv"
    parts = lines[10].split(",")
    parts[4] = "a different text"
    second.write_text("\n".join(lines[:10] + [",".join(parts)] + lines[11:90]) + "\n",
                      encoding="utf-8")
    with make_project(store_url, survey=None) as project:
        names = _theme_names(project)
        project.import_survey(read_survey(first, LONG_MAPPING, theme_names=names))
        before = (project.count_answers(), len(project.decision_log()))
        with pytest.raises(SurveyError, match="different text"):
            project.import_survey(read_survey(second, LONG_MAPPING, theme_names=names))
        assert (project.count_answers(), len(project.decision_log())) == before
        with project.engine.connect() as conn:
            assert len(conn.execute(select(schema.imports)).all()) == 1


# --------------------------------------------------------------------------- decisions


def test_record_undo_current_and_final(team_project: Project) -> None:
    project = team_project
    answer_id = _first_answer(project)
    alice = project.record_decision(answer_id, "alice", ["support", "support"])
    assert alice.themes == ("support",)
    bob = project.record_decision(answer_id, "bob", not_assigned=True)
    current = project.current_decisions()
    assert current[(answer_id, "alice")].themes == ("support",)
    assert current[(answer_id, "bob")].not_assigned
    # the latest decision wins, unless a coder is preferred
    assert project.final_decisions()[answer_id].id == bob.id
    assert project.final_decisions(prefer_coder="alice")[answer_id].id == alice.id
    # an adjudicated decision beats everything
    final = project.record_decision(answer_id, "carol", ["support"], source="adjudicated")
    assert project.final_decisions(prefer_coder="alice")[answer_id].id == final.id
    # undo withdraws the coder's latest decision and brings back the previous one
    second = project.record_decision(answer_id, "alice", ["support"], source="corrected")
    assert project.undo_last("alice") == second
    assert project.current_decisions(coder="alice")[(answer_id, "alice")].id == alice.id
    assert project.undo_last("alice") == alice
    assert (answer_id, "alice") not in project.current_decisions()
    assert project.undo_last("alice") is None
    # the log keeps everything
    log = project.decision_log(answer_id=answer_id)
    assert [d.source for d in log] == ["manual", "manual", "adjudicated", "corrected", "undo",
                                       "undo"]
    assert project.coders() == ["alice", "bob", "carol"]


def test_bad_decisions_are_refused(team_project: Project) -> None:
    project = team_project
    answer_id = _first_answer(project)
    with pytest.raises(StoreError, match="not in codebook"):
        project.record_decision(answer_id, "alice", ["no_such_theme"])
    with pytest.raises(StoreError, match="either"):
        project.record_decision(answer_id, "alice", ["support"], not_assigned=True)
    with pytest.raises(StoreError, match="coder"):
        project.record_decision(answer_id, " ", ["support"])
    with pytest.raises(StoreError, match="no answer"):
        project.record_decision(10**9, "alice", ["support"])
    with pytest.raises(StoreError, match="source"):
        project.record_decision(answer_id, "alice", ["support"], source="undo")
    assert project.decision_log() == []


def test_notes(team_project: Project) -> None:
    project = team_project
    a1, a2 = [a.id for a in project.answers(with_comment=True)[:2]]
    project.add_note(a1, "alice", "ask about the audit")
    project.add_note(a1, "alice", "asked: it is the annual audit")
    project.add_note(a2, "bob", "vague?")
    project.add_note(a2, "bob", "")
    assert project.notes() == {(a1, "alice"): "asked: it is the annual audit"}
    assert project.notes(a2) == {}


def test_suggestions_replace_older_ones(team_project: Project) -> None:
    project = team_project
    a1, a2 = [a.id for a in project.answers(with_comment=True)[:2]]
    themes = [{"theme_id": "support", "score": 0.9, "suggested": True, "reasons": ["care"],
               "spans": [[0, 4]]},
              {"theme_id": "process", "score": 0.2, "suggested": False, "reasons": [],
               "spans": []}]
    assert project.save_suggestions([(a1, themes, False), (a2, [], True)], "rules@1") == 2
    stored = project.suggestions()
    assert stored[a1].suggested_ids() == ["support"]
    assert stored[a1].top_score == pytest.approx(0.9)
    assert stored[a1].score("process") == pytest.approx(0.2)
    assert stored[a2].vague
    project.save_suggestions([(a1, themes[1:], False)], "model@2")
    again = project.suggestions([a1])
    assert list(again) == [a1]
    assert again[a1].model_version == "model@2" and again[a1].suggested_ids() == []


def test_status_counts(team_project: Project) -> None:
    project = team_project
    holder = project.answers(group="holder", question="worked_well", with_comment=True)
    project.record_decision(holder[0].id, "alice", ["support"])
    project.record_decision(holder[1].id, "alice", not_assigned=True)
    project.record_decision(holder[2].id, "bob", ["support"])
    rows = {(r["group"], r["question"]): r for r in project.status()}
    row = rows[("holder", "worked_well")]
    assert row["commented"] == len(holder)
    assert (row["coded"], row["not_assigned"]) == (2, 1)
    assert row["to_do"] == len(holder) - 3
    assert sum(r["answers"] for r in rows.values()) == project.count_answers()
    mine = {(r["group"], r["question"]): r for r in project.status(coder="alice")}
    assert mine[("holder", "worked_well")]["coded"] == 1


# --------------------------------------------------------------------------- crash safety


def test_a_decision_survives_a_killed_process(tmp_path: Path) -> None:
    location = str(tmp_path / "crash.themecoder")
    project = make_project(location)
    answer_id = _first_answer(project)
    project.close()
    script = textwrap.dedent(f"""
        import os, signal
        from themecoder.store import Project
        project = Project.open({location!r})
        decision = project.record_decision({answer_id}, "alice", ["support"])
        print(decision.id, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60, env={**os.environ})
    assert done.returncode == -9, done.stderr
    decision_id = int(done.stdout.strip())
    with Project.open(location) as reopened:
        current = reopened.current_decisions()
        assert current[(answer_id, "alice")].id == decision_id
        assert current[(answer_id, "alice")].themes == ("support",)


def test_decisions_gain_a_revises_column(store_url: str) -> None:
    """A project from before migration 4 (no ``revises`` column) keeps its decisions and
    can record revisions once opened."""
    from sqlalchemy import text

    with make_project(store_url) as project:
        answer_id = project.answers(with_comment=True)[0].id
        group = project.answer(answer_id).group
        theme = "support" if group == "holder" else "process"
        first = project.record_decision(answer_id, "alice", [theme])
        with project.engine.begin() as conn:
            conn.execute(text("ALTER TABLE decisions DROP COLUMN revises"))
            conn.execute(schema.schema_migrations.delete().where(
                schema.schema_migrations.c.version == 4))
    with Project.open(store_url) as project:
        assert project.decision_log()[0].revises is None
        from themecoder.store.claims import record_unless_decided

        revision = record_unless_decided(project, answer_id, "bob", [theme], revise=True)
        assert revision.revises == first.id
        assert project.decision_log()[-1].revises == first.id
