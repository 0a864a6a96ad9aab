"""Semi-automatic coding: the plan, the batch (all or nothing), undo, blind audit, report."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from autocode_setup import build_project, code_like_people, train_models

from themecoder.autocode import AutocodeError, apply_plan, plan_autocode
from themecoder.autocode_audit import audit_report, autocode_summary, wilson_interval
from themecoder.errors import StoreError
from themecoder.store import Project, schema
from themecoder.store import autocode as auto_store
from themecoder.store.autocode import (
    audit_answer_ids,
    audit_size,
    auto_batches,
    auto_decisions,
    undo_auto_batch,
)


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Models of both codebooks trained on the sample prior year (with their calibration)."""
    return train_models(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, models: Path) -> tuple[Path, dict]:
    tmp = tmp_path_factory.mktemp("autocode")
    project, truth = build_project(str(tmp / "template.themecoder"), tmp, model=models)
    project.close()
    return tmp / "template.themecoder", truth


@pytest.fixture
def project(template: tuple[Path, dict], tmp_path: Path):
    path = tmp_path / "project.themecoder"
    shutil.copy(template[0], path)
    with Project.open(path) as opened:
        yield opened


@pytest.fixture
def truth(template: tuple[Path, dict]) -> dict:
    return template[1]


def log_size(project: Project) -> int:
    return len(project.decision_log())


def is_right(row, truth: dict) -> bool:
    themes, not_assigned = truth[row.answer_id]
    return (set(row.themes), row.not_assigned) == (set(themes), not_assigned)


# --------------------------------------------------------------------------- planning


def test_the_plan_reaches_the_target_on_average_and_records_nothing(project, truth) -> None:
    before = log_size(project)
    plan = plan_autocode(project, 0.9)
    assert log_size(project) == before
    assert 0 < len(plan.rows) < plan.candidates
    assert plan.expected_accuracy >= 0.9
    probabilities = [r.probability for r in plan.rows]
    assert sum(probabilities) / len(probabilities) == pytest.approx(plan.expected_accuracy)
    # the answers left to people are the ones the model is less sure of
    assert min(probabilities) > 0
    # only answers nobody has decided are candidates
    decided = project.final_decisions()
    assert not any(r.answer_id in decided for r in plan.rows)
    assert plan.candidates == len(truth) - len(decided)
    # calibrated on the answers people coded since the model was trained
    assert {c["source"] for c in plan.calibration.values()} == {"project"}
    reached = sum(is_right(r, truth) for r in plan.rows) / len(plan.rows)
    assert reached > 0.8


def test_a_higher_target_codes_fewer_answers(project) -> None:
    low, high = plan_autocode(project, 0.8), plan_autocode(project, 0.97)
    assert len(high.rows) < len(low.rows)
    assert high.expected_accuracy >= 0.97 > low.expected_accuracy >= 0.8


@pytest.mark.parametrize("target", [0, 1, 1.5, -0.2])
def test_a_target_outside_0_1_is_refused(project, target) -> None:
    with pytest.raises(AutocodeError, match="between 0 and 1"):
        plan_autocode(project, target)


def test_the_model_files_calibration_or_this_years_decisions(project) -> None:
    by_model = plan_autocode(project, 0.9, calibration="model")
    assert {c["source"] for c in by_model.calibration.values()} == {"model"}
    assert all("out-of-fold predictions" in c["description"]
               for c in by_model.calibration.values())
    assert by_model.rows and by_model.expected_accuracy >= 0.9
    # too few of this year's decisions: the model's own calibration is used...
    fallback = plan_autocode(project, 0.9, min_project=500)
    assert {c["source"] for c in fallback.calibration.values()} == {"model"}
    # ...unless this year's are asked for
    with pytest.raises(AutocodeError, match="only 210 answers"):
        plan_autocode(project, 0.9, calibration="project", min_project=500)


def test_a_model_without_calibration_needs_this_years_decisions(tmp_path: Path) -> None:
    uncalibrated = train_models(tmp_path / "old", calibrated=False)
    project, _truth = build_project(str(tmp_path / "p.themecoder"), tmp_path, respondents=80,
                                    people_per_codebook=20, model=uncalibrated)
    with project, pytest.raises(AutocodeError, match="carries no calibration"):
        plan_autocode(project, 0.9)


# --------------------------------------------------------------------------- the batch


def test_a_batch_records_auto_decisions_with_model_version_and_probability(project) -> None:
    plan = plan_autocode(project, 0.9)
    batch = apply_plan(project, plan, seed=7)
    assert batch.answers == len(plan.rows)
    found = auto_decisions(project, batch_id=batch.id)
    assert set(found) == {r.answer_id for r in plan.rows}
    for row in plan.rows[:50]:
        auto = found[row.answer_id]
        assert auto.decision.source == "auto"
        assert auto.decision.coder == "auto"
        assert auto.decision.model_version == row.model_version
        assert "@" in auto.decision.model_version
        assert auto.probability == pytest.approx(row.probability)
    # they count as coded, and a person's later decision counts over them
    final = project.final_decisions()
    some = plan.rows[0].answer_id
    assert final[some].source == "auto"
    project.record_decision(some, "carol", ["staff"] if "staff" in
                            project.codebook_for_group(project.answer(some).group).theme_ids
                            else [], not_assigned="staff" not in project.codebook_for_group(
                                project.answer(some).group).theme_ids, source="manual")
    assert project.final_decisions()[some].coder == "carol"


def test_the_audit_sample_is_random_at_least_50_and_reproducible(project) -> None:
    plan = plan_autocode(project, 0.9)
    batch = apply_plan(project, plan, audit_share=0.05, seed=11)
    assert len(batch.audit_ids) == audit_size(len(plan.rows), 0.05) == \
        max(50, -(-len(plan.rows) * 5 // 100))
    assert set(batch.audit_ids) <= {r.answer_id for r in plan.rows}
    assert audit_answer_ids(project) == set(batch.audit_ids)
    assert auto_batches(project)[0].audit_ids == batch.audit_ids
    undo_auto_batch(project, batch.id)
    again = apply_plan(project, plan_autocode(project, 0.9), audit_share=0.05, seed=11)
    assert again.audit_ids == batch.audit_ids
    other = apply_plan(project, plan_autocode(project, 0.5), audit_share=0.2, seed=12) \
        if plan_autocode(project, 0.5).rows else None
    if other is not None:
        assert len(other.audit_ids) == audit_size(other.answers, 0.2)


def test_audit_size() -> None:
    assert audit_size(10, 0.05) == 10
    assert audit_size(400, 0.05) == 50
    assert audit_size(2000, 0.05) == 100
    assert audit_size(2001, 0.05) == 101


def test_undo_takes_back_the_whole_batch_and_keeps_peoples_decisions(project, truth) -> None:
    before = project.final_decisions()
    batch = apply_plan(project, plan_autocode(project, 0.9), seed=1)
    audited = list(batch.audit_ids)[:5]
    code_like_people(project, audited, truth)
    withdrawn = undo_auto_batch(project, batch.id)
    assert withdrawn == batch.answers
    after = project.final_decisions()
    assert set(after) == set(before) | set(audited)
    assert all(after[a].coder == "bob" for a in audited)
    assert auto_decisions(project) == {}
    assert audit_answer_ids(project) == set()
    # the log keeps everything: nothing was deleted
    log = project.decision_log()
    assert sum(d.source == "auto" for d in log) == batch.answers
    assert sum(d.source == "undo" for d in log) == batch.answers
    with pytest.raises(StoreError, match="undone already"):
        undo_auto_batch(project, batch.id)
    with pytest.raises(StoreError, match="no automatic coding batch 99"):
        undo_auto_batch(project, 99)
    # the answers can be auto-coded again
    assert plan_autocode(project, 0.9).rows


def test_a_failed_batch_leaves_nothing(project, monkeypatch) -> None:
    plan = plan_autocode(project, 0.9)
    before = log_size(project)
    calls = {"n": 0}
    real = auto_store._insert_chunk

    def fail_second_chunk(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("power cut")
        return real(*args, **kwargs)

    monkeypatch.setattr(auto_store, "_insert_chunk", fail_second_chunk)
    with pytest.raises(RuntimeError, match="power cut"):
        auto_store.record_auto_batch(project, plan.rows, target=0.9,
                                     expected_accuracy=plan.expected_accuracy,
                                     candidates=plan.candidates, chunk_size=100)
    assert calls["n"] == 2
    assert log_size(project) == before
    assert auto_batches(project) == []
    with project.engine.connect() as conn:
        for table in (schema.auto_decisions, schema.audit_answers):
            assert conn.execute(table.select()).first() is None


def test_answers_decided_meanwhile_are_left_to_people(project, truth) -> None:
    plan = plan_autocode(project, 0.9)
    taken = [r.answer_id for r in plan.rows[:3]]
    code_like_people(project, taken, truth, coder="dave")
    batch = apply_plan(project, plan, seed=2)
    assert batch.answers == len(plan.rows) - 3
    assert not set(taken) & set(auto_decisions(project))
    final = project.final_decisions()
    assert all(final[a].coder == "dave" for a in taken)


def test_auto_decisions_stay_out_of_training_and_agreement(project) -> None:
    from themecoder.learning import project_training_data
    from themecoder.store.teams import coder_decisions

    codebook = project.codebooks()[0]
    before = len(project_training_data(project, codebook))
    apply_plan(project, plan_autocode(project, 0.9), seed=1)
    assert len(project_training_data(project, codebook)) == before
    assert all("auto" not in coders for coders in coder_decisions(project).values())


def test_only_people_code_through_record_decision(project) -> None:
    answer_id = next(iter(plan_autocode(project, 0.9).rows)).answer_id
    with pytest.raises(StoreError, match="a batch at a time"):
        project.record_decision(answer_id, "x", not_assigned=True, source="auto")


def test_a_batch_on_each_backend(store_url: str, tmp_path: Path, models: Path) -> None:
    """Record, audit, report and undo on SQLite and on a PostgreSQL server."""
    project, truth = build_project(store_url, tmp_path, respondents=150,
                                   people_per_codebook=5, model=models)
    with project:
        plan = plan_autocode(project, 0.85, calibration="model")
        batch = apply_plan(project, plan, audit_share=0.05, seed=8)
        assert batch.answers == len(plan.rows) > 0
        assert len(auto_decisions(project)) == batch.answers
        assert len(batch.audit_ids) == audit_size(batch.answers, 0.05)
        code_like_people(project, batch.audit_ids, truth)
        [result] = audit_report(project)
        assert result.audited == len(batch.audit_ids)
        assert undo_auto_batch(project, batch.id) == batch.answers
        assert auto_decisions(project) == {}
        assert set(project.final_decisions()) >= set(batch.audit_ids)


# --------------------------------------------------------------------------- the report


def test_the_report_gives_the_audited_accuracy_with_a_wilson_interval(project, truth) -> None:
    batch = apply_plan(project, plan_autocode(project, 0.9), seed=5)
    [result] = audit_report(project)
    assert result.audited == 0 and "none of the" in result.warning()
    code_like_people(project, batch.audit_ids, truth)
    [result] = audit_report(project)
    autos = auto_decisions(project)
    exact = sum((set(autos[a].decision.themes), autos[a].decision.not_assigned)
                == (set(truth[a][0]), truth[a][1]) for a in batch.audit_ids)
    assert result.audited == result.sample == len(batch.audit_ids)
    assert result.exact == exact
    assert result.interval == pytest.approx(wilson_interval(exact, len(batch.audit_ids)))
    assert result.interval[0] < result.accuracy < result.interval[1]
    # precision and recall per theme, Not assigned as a label of its own
    table = result.per_theme
    assert "micro" in table.index and any("Not assigned" in str(n) for n in table.index)
    assert table.loc["micro", "support"] > 0
    # how many audit answers people and the model gave each theme
    assert table.loc["micro", "auto_coded"] == int(table["auto_coded"].iloc[:-2].sum())
    assert result.below_target == (result.interval[0] < 0.9)


def test_the_report_warns_when_the_lower_end_is_under_the_target(project, truth) -> None:
    batch = apply_plan(project, plan_autocode(project, 0.9), seed=5)
    # people disagree with the model on most audit answers
    for n, answer_id in enumerate(batch.audit_ids):
        auto = auto_decisions(project)[answer_id].decision
        if n % 3 == 0:
            project.record_decision(answer_id, "bob", auto.themes,
                                    not_assigned=auto.not_assigned, source="manual")
        else:
            project.record_decision(answer_id, "bob", (), not_assigned=True, source="manual") \
                if not auto.not_assigned else project.record_decision(
                    answer_id, "bob", [project.codebook_for_group(
                        project.answer(answer_id).group).theme_ids[0]], source="manual")
    [result] = audit_report(project)
    assert result.accuracy < 0.5
    assert result.below_target
    assert "WARNING" in result.warning() and "under the target 0.90" in result.warning()


def test_the_summary_for_exports(project, truth) -> None:
    assert autocode_summary(project) is None
    batch = apply_plan(project, plan_autocode(project, 0.9), seed=5)
    code_like_people(project, batch.audit_ids[:20], truth)
    summary = autocode_summary(project)
    assert summary["auto_coded"] == batch.answers - 20
    assert summary["share_auto_coded"] == pytest.approx(summary["auto_coded"] / len(truth),
                                                        abs=1e-4)
    assert summary["targets"] == [0.9]
    assert summary["audited"] == 20 and summary["audit_sample"] == len(batch.audit_ids)
    assert summary["interval"][0] <= summary["audited_accuracy"] <= summary["interval"][1]


def test_wilson_interval_known_values() -> None:
    low, high = wilson_interval(45, 50)
    assert low == pytest.approx(0.7864, abs=1e-4) and high == pytest.approx(0.9565, abs=1e-4)
    assert wilson_interval(50, 50)[1] == 1.0
    assert wilson_interval(0, 10)[0] == 0.0


# --------------------------------------------------------------------------- no model


def test_no_model_and_no_suggestions_are_one_line_errors(tmp_path: Path) -> None:
    project, _truth = build_project(str(tmp_path / "p.themecoder"), tmp_path, respondents=60,
                                    people_per_codebook=5, suggest=False)
    with project:
        with pytest.raises(AutocodeError, match="no model"):
            plan_autocode(project, 0.9)
        from themecoder.suggest.project_suggest import MODEL_KEY

        for codebook in project.codebooks():
            project.set_info(MODEL_KEY.format(codebook_id=codebook.id),
                             str(Path(__file__).parents[1] / "models" / "poet-sample"))
        with pytest.raises(AutocodeError, match="no suggestions yet"):
            plan_autocode(project, 0.9)


# --------------------------------------------------------------------------- the command


def themecoder(*args: str, timeout: float = 300):
    import subprocess
    import sys

    exe = Path(sys.executable).parent / "themecoder"
    return subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=timeout)


def test_command_prints_the_plan_then_records_reports_and_undoes(project, truth) -> None:
    location = project.location
    dry = themecoder("autocode", location, "--target-accuracy", "0.9", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "would be auto-coded, expected exact-set accuracy" in dry.stdout
    assert "dry run: nothing recorded" in dry.stdout
    assert auto_batches(project) == []
    run = themecoder("autocode", location, "--target-accuracy", "0.9", "--audit", "0.05",
                     "--coder", "model", "--seed", "3")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    planned = next(i for i, line in enumerate(lines) if "would be auto-coded" in line)
    recorded = next(i for i, line in enumerate(lines) if line.startswith("batch 1 recorded"))
    assert planned < recorded
    [batch] = auto_batches(project)
    assert batch.coder == "model" and batch.seed == 3 and batch.target == 0.9
    assert f"{batch.answers} of " in lines[planned]
    listed = themecoder("autocode", location, "--list")
    assert "batch 1:" in listed.stdout and "in force" in listed.stdout
    code_like_people(project, batch.audit_ids, truth)
    report = themecoder("autocode", location, "--report")
    assert report.returncode == 0, report.stderr
    assert f"blind audit: {len(batch.audit_ids)} of {len(batch.audit_ids)} answers" in \
        report.stdout
    assert "95 % CI" in report.stdout and "precision" in report.stdout
    # the table lists only the themes people or the model gave some audit answer
    [result] = audit_report(project)
    table = result.per_theme.iloc[:-2]
    for name, row in table.iterrows():
        listed_row = any(line.strip().startswith(f"{name}  ")
                         for line in report.stdout.splitlines())
        assert listed_row == bool(row["support"] or row["auto_coded"]), name
    undo = themecoder("autocode", location, "--undo", "1")
    assert undo.returncode == 0, undo.stderr
    assert f"{batch.answers} automatic decisions withdrawn" in undo.stdout
    again = themecoder("autocode", location, "--undo", "1")
    assert again.returncode == 2 and "undone already" in again.stderr


@pytest.mark.parametrize("args, message", [
    (["--target-accuracy", "1.5"], "between 0 and 1"),
    (["--target-accuracy", "0"], "between 0 and 1"),
    (["--target-accuracy", "0.9", "--audit", "0"], "audit share"),
    (["--report"], "nothing was auto-coded yet"),
    (["--undo", "4"], "no automatic coding batch 4"),
    (["--target-accuracy", "0.9", "--coder", "alice"], "'alice' codes by hand"),
])
def test_command_bad_input_is_one_line(project, args, message) -> None:
    before = log_size(project)
    result = themecoder("autocode", project.location, *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert log_size(project) == before


def test_command_without_model_or_suggestions(tmp_path: Path) -> None:
    project, _truth = build_project(str(tmp_path / "p.themecoder"), tmp_path, respondents=40,
                                    people_per_codebook=2, suggest=False)
    project.close()
    result = themecoder("autocode", str(tmp_path / "p.themecoder"), "--target-accuracy", "0.9")
    assert result.returncode == 2
    assert "no model" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_run_killed_half_way_leaves_the_whole_batch_or_none(project) -> None:
    """Kill the command at moments spread over its run; each time the project holds every
    decision of a batch, with its record and audit sample, or none of it."""
    import signal
    import subprocess
    import sys
    import time

    location = project.location
    exe = Path(sys.executable).parent / "themecoder"
    start = time.monotonic()
    full = themecoder("autocode", location, "--target-accuracy", "0.9", "--dry-run")
    assert full.returncode == 0
    run_time = time.monotonic() - start
    for fraction in (0.6, 0.8, 0.9, 0.95, 1.0, 1.1):
        proc = subprocess.Popen([str(exe), "autocode", location, "--target-accuracy", "0.97"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(run_time * fraction)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        with Project.open(location) as check:
            for batch in auto_batches(check):
                found = auto_decisions(check, batch_id=batch.id, live_only=False)
                assert len(found) == batch.answers
                assert len(batch.audit_ids) == audit_size(batch.answers, batch.audit_share)
            recorded = sum(b.answers for b in auto_batches(check))
            autos = [d for d in check.decision_log() if d.source == "auto"]
            assert len(autos) == recorded


# --------------------------------------------------------------------------- the coding app


def test_audit_answers_are_blind_and_auto_coded_ones_count_apart(project, truth) -> None:
    from themecoder.coding import CodingSession, Filter

    session = CodingSession(project, "erin")  # opened before the batch: picks it up later
    batch = apply_plan(project, plan_autocode(project, 0.9), seed=9)
    assert session.refresh_from_store()
    audit = set(batch.audit_ids)
    autos = set(auto_decisions(project)) - audit
    for answer_id in list(audit)[:10]:
        assert session.in_audit(answer_id)
        assert session.status_of(answer_id) == "todo"
        assert session.decision(answer_id) is None
        assert session.suggestion(answer_id) is None  # the model's view is hidden
        assert session.premarked(answer_id) == ([], False)
    for answer_id in list(autos)[:10]:
        assert session.status_of(answer_id) == "other"
        assert session.decision(answer_id).source == "auto"
    progress = session.progress()
    assert progress.auto == len(autos)
    assert progress.audit_left == len(audit)
    session.set_filter(Filter(status="auto"))
    assert session.view_size == len(autos)
    # coding an audit answer: no suggestion was shown, so it is the coder's own decision
    session.set_filter(Filter(status="todo"))
    target = sorted(audit)[0]
    session.jump(target)
    themes, not_assigned = truth[target]
    decision = session.decide(themes, not_assigned=not_assigned)
    assert decision.source == "manual"
    assert session.progress().audit_left == len(audit) - 1
    # a new session sees the same, and offers the audit answers first, in a random order
    fresh = CodingSession(project, "frank")
    assert fresh.progress().auto == len(autos)
    assert fresh.progress().audit_left == len(audit) - 1
    fresh.set_filter(Filter(status="todo"))
    first = [fresh.current.id]
    while len(first) < len(audit) - 1:
        first.append(fresh.next().id)
    assert set(first) == audit - {target}
    assert first != sorted(first)
    # undoing the batch makes its answers to do again, for the open session too
    undo_auto_batch(project, batch.id)
    session.refresh_from_store()
    assert session.progress().auto == 0 and session.progress().audit_left == 0
    assert not session.in_audit(sorted(audit)[1])


async def test_the_app_shows_auto_coded_answers_apart_and_filters_them(project) -> None:
    from themecoder.tui.app import CodingApp
    from themecoder.tui.screens.dialogs import FilterDialog

    batch = apply_plan(project, plan_autocode(project, 0.9), seed=4)
    autos = len(auto_decisions(project)) - len(batch.audit_ids)
    app = CodingApp(project.location, "gina", suggest_ahead=False, poll_seconds=None,
                    deterministic=True, retrain_every=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        line = str(app.screen.query_one("#progress").render())
        assert f"auto-coded {autos}" in line
        assert f"audit to do {len(batch.audit_ids)}" in line
        # an audit answer says it is blind and pre-marks nothing
        app.session.jump(batch.audit_ids[0])
        app.screen.arrive()
        await pilot.pause()
        assert "Blind audit" in str(app.screen.query_one("#suggested-by").render())
        assert app.screen.marked == set() and not app.screen.not_assigned
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, FilterDialog)
        await pilot.click("#status-auto")
        await pilot.click("#apply")
        await pilot.pause()
        assert app.session.filter.status == "auto"
        assert app.session.view_size == autos
        assert app.session.decision(app.session.current.id).source == "auto"


# --------------------------------------------------------------------------- exports


def test_exports_state_the_automatic_coding_and_mark_auto_coded_answers(project, truth,
                                                                        tmp_path) -> None:
    import json

    import pandas as pd

    from themecoder.export import export_project

    plain = export_project(project, tmp_path / "before", formats=["csv", "md"])
    assert "autocode" not in plain.metadata
    frame = pd.read_csv(tmp_path / "before" / "coded_data.csv", dtype=str)
    assert not any(c.endswith(":auto-coded") for c in frame.columns)

    batch = apply_plan(project, plan_autocode(project, 0.9), seed=5)
    code_like_people(project, batch.audit_ids, truth)
    out = tmp_path / "after"
    result = export_project(project, out, formats=["csv", "md", "xlsx", "sav"], by_source=True)
    meta = json.loads((out / "metadata.json").read_text(encoding="utf-8"))
    auto = meta["autocode"]
    [audit] = audit_report(project)
    assert auto["auto_coded"] == batch.answers - len(batch.audit_ids)
    assert auto["targets"] == [0.9]
    assert auto["audited"] == len(batch.audit_ids)
    assert auto["audited_accuracy"] == pytest.approx(audit.accuracy, abs=1e-4)
    assert auto["interval"] == pytest.approx(list(audit.interval), abs=1e-4)
    assert "coded automatically at a target exact-set accuracy of 0.90" in auto["text"]
    md = (out / "theme_counts.md").read_text(encoding="utf-8")
    assert "**Automatic coding:**" in md and "95 % CI" in md
    assert "## By who coded" in md
    assert result.metadata["autocode"]["share_auto_coded"] == pytest.approx(
        auto["auto_coded"] / len(truth), abs=1e-4)

    # the coded data says which answers the model coded alone
    frame = pd.read_csv(out / "coded_data.csv", dtype=str, keep_default_na=False)
    autos = set(auto_decisions(project)) - set(batch.audit_ids)
    keys = {a.id: (a.respondent_key, a.question) for a in project.answers()}
    by_row = frame.set_index("respondent_id")
    final = project.final_decisions()
    for answer_id in list(autos)[:30] + list(batch.audit_ids)[:10]:
        respondent, question = keys[answer_id]
        expected = "1" if answer_id in autos else "0"
        assert by_row.loc[respondent, f"{question}:auto-coded"] == expected
        assert final[answer_id].source == ("auto" if answer_id in autos else "manual")
    import pyreadstat

    sav, _meta = pyreadstat.read_sav(str(out / "coded_data.sav"))
    assert {"ww_auto_coded", "nw_auto_coded", "ch_auto_coded"} <= set(sav.columns)
    assert int(sav["ww_auto_coded"].sum() + sav["nw_auto_coded"].sum()
               + sav["ch_auto_coded"].sum()) == len(autos)

    # the counts split by source add up to the counts
    split = pd.read_csv(out / "theme_counts_by_source.csv")
    counts = pd.read_csv(out / "theme_counts.csv")
    themes = split[split["theme_id"].isin(counts["theme_id"])]
    summed = themes.groupby(["group", "question", "theme_id"])["comments"].sum()
    for row in counts.itertuples(index=False):
        assert summed[(row.group, row.question, row.theme_id)] == row.comments
    auto_rows = split[split["source"] == "auto"].drop_duplicates(["group", "question"])
    assert int(auto_rows["decided"].sum()) == len(autos)

    # the report document says it too
    from themecoder.export.settings import project_settings
    from themecoder.report.content import build_report

    report = build_report(project, by=[], prefer_coder=None, non_answers=None,
                          settings=project_settings(project)).text()
    assert "Automatic coding:" in report and auto["text"] in report


def test_the_export_warns_when_the_audit_falls_short(project, truth, tmp_path) -> None:
    from themecoder.export import export_project

    batch = apply_plan(project, plan_autocode(project, 0.9), seed=5)
    for answer_id in batch.audit_ids:  # people disagree with every automatic decision
        auto = auto_decisions(project)[answer_id].decision
        if auto.not_assigned:
            codebook = project.codebook_for_group(project.answer(answer_id).group)
            project.record_decision(answer_id, "bob", [codebook.theme_ids[0]], source="manual")
        else:
            project.record_decision(answer_id, "bob", (), not_assigned=True, source="manual")
    result = export_project(project, tmp_path / "out", formats=["md"])
    assert any("Automatic coding:" in w and "under the target 0.90" in w
               for w in result.metadata["warnings"])
