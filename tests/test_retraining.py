"""Retraining that never goes backwards: prior coding plus this year's decisions, a check
against the live model, candidates, going back to a version, and where prior coding comes
from."""

from __future__ import annotations

import csv
import json
import threading
from pathlib import Path

import numpy as np
import pytest
from conftest import CODEBOOKS, SAMPLE_DATA

from themecoder.codebook import Theme, load_codebook
from themecoder.model_versions import todo_answers, use_version
from themecoder.retraining import NotEnoughData, Retrainer
from themecoder.store import Project
from themecoder.store.model_registry import (
    live_model_path,
    model_versions,
    training_link,
)
from themecoder.survey import SurveyMapping, read_survey
from themecoder.training_sets import (
    PriorCodingError,
    link_prior_project,
    link_training_file,
    prior_coding,
    project_training_data,
)
from themecoder.version_check import (
    MIN_CHECKED,
    combined,
    fit_recipe,
    held_out_for_checking,
)

LONG = SurveyMapping(layout="long", id="respondent_id", group="group", question="question",
                     text="text", answer_id="answer_id", themes="themes")
FIELDS = ["answer_id", "respondent_id", "group", "question", "text", "themes"]
N_PRIOR = 250


def _holder_rows() -> list[dict[str, str]]:
    with (SAMPLE_DATA / "prior_year_long.csv").open(encoding="utf-8") as fh:
        return [r for r in csv.DictReader(fh) if r["group"] == "holder" and r["text"].strip()]


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _this_year(tmp_path: Path, rows: list[dict[str, str]], name: str = "this_year") -> Project:
    """A project holding ``rows`` uncoded (their true coding is kept by the caller)."""
    project = Project.create(tmp_path / f"{name}.themecoder")
    project.add_codebook(load_codebook(CODEBOOKS / "poet_holders.yaml"))
    project.import_survey(read_survey(_write(tmp_path / f"{name}.csv",
                                             [dict(r, themes="") for r in rows]), LONG))
    return project


def _code(project: Project, truth: dict[str, str], *, limit: int | None = None,
          garble: bool = False) -> int:
    """Record the true coding of answers to do (``garble``: "Support" alone on the answers
    retraining trains on, the truth on those held out to check it)."""
    codebook = project.codebooks()[0]
    done = 0
    for answer in todo_answers(project):
        if limit is not None and done >= limit:
            break
        names = [n for n in truth[answer.key].split("|") if n.strip()
                 and n.strip() != codebook.not_assigned.name]
        ids = [codebook.find(n).id for n in names]
        if garble and not held_out_for_checking(answer.key):
            ids = ["support"]
        if ids:
            project.record_decision(answer.id, "ana", ids, source="manual")
        else:
            project.record_decision(answer.id, "ana", not_assigned=True, source="manual")
        done += 1
    return done


@pytest.fixture
def setting(tmp_path: Path):  # noqa: ANN201
    """(project, prior file, true coding of this year's answers): the first 250 holder
    answers of the sample prior year are "prior coding", the other 136 "this year"."""
    rows = _holder_rows()
    prior_file = _write(tmp_path / "prior.csv", rows[:N_PRIOR])
    current = rows[N_PRIOR:]
    project = _this_year(tmp_path, current)
    truth = {r["answer_id"]: r["themes"] for r in current}
    try:
        yield project, prior_file, truth
    finally:
        project.close()


def _link(project: Project, prior_file: Path) -> None:
    link_training_file(project, project.codebooks()[0], prior_file, text_col="text",
                       question_col="question", themes_col="themes")


def _given_model(project: Project, data: Path, out: Path) -> None:
    """Train a model on ``data`` with `themecoder train` and suggest with it, as a person
    starting this year's project does (the model's training file becomes prior coding)."""
    from click.testing import CliRunner

    from themecoder.cli import cli

    runner = CliRunner()
    trained = runner.invoke(cli, ["train", "--codebook", str(CODEBOOKS / "poet_holders.yaml"),
                                  "--data", str(data), "--text-col", "text", "--question-col",
                                  "question", "--themes-col", "themes", "--out", str(out)])
    assert trained.exit_code == 0, trained.output
    suggested = runner.invoke(cli, ["suggest", project.location, "--model", str(out)])
    assert suggested.exit_code == 0, suggested.output


# --------------------------------------------------------------------------- pieces


def test_the_held_out_share_is_fixed_by_the_answer_key() -> None:
    keys = [f"R{i}:worked_well" for i in range(5000)]
    held = [k for k in keys if held_out_for_checking(k)]
    assert 0.17 < len(held) / len(keys) < 0.23
    assert held == [k for k in keys if held_out_for_checking(k)]   # the same every time


def test_this_years_decisions_are_weighted_up_and_change_the_model(setting) -> None:  # noqa: ANN001
    project, prior_file, _truth = setting
    _link(project, prior_file)
    codebook = project.codebooks()[0]
    prior = prior_coding(project, codebook)
    assert prior is not None and len(prior) == N_PRIOR
    # this year a coder codes every answer about money as "Managing budget" only
    money = [a for a in todo_answers(project) if "money" in a.text.lower()
             or "budget" in a.text.lower()][:12]
    assert len(money) >= 8
    for answer in money:
        project.record_decision(answer.id, "ana", ["managing_budget"])
    current = project_training_data(project, codebook)
    both, weights = combined(prior, current, 3.0)
    assert len(both) == N_PRIOR + len(current)
    assert list(weights[:N_PRIOR]) == [1.0] * N_PRIOR and set(weights[N_PRIOR:]) == {3.0}
    column = codebook.theme_ids.index("managing_budget")
    texts, questions = [a.text for a in money], [a.question for a in money]
    plain = fit_recipe(prior, current, 1.0, tier="fast", random_state=0)
    heavy = fit_recipe(prior, current, 6.0, tier="fast", random_state=0)
    p_plain = plain.predict_proba(texts, questions)[:, column]
    p_heavy = heavy.predict_proba(texts, questions)[:, column]
    assert (p_heavy > p_plain).all()


# --------------------------------------------------------------------------- retraining


def test_retraining_learns_from_prior_coding_plus_this_year(setting, tmp_path: Path) -> None:  # noqa: ANN001,E501
    project, prior_file, truth = setting
    _given_model(project, prior_file, tmp_path / "model")
    assert training_link(project, "poet_holders").location == str(prior_file.resolve())
    coded = _code(project, truth, limit=30)
    stages: list[str] = []
    retrainer = Retrainer(project, project.codebooks()[0])
    result = retrainer.retrain(progress=lambda stage, done, total: stages.append(stage))
    held = sum(held_out_for_checking(a.key) for a in project.answers()
               if a.id in project.final_decisions())
    assert result.n_prior == N_PRIOR
    assert result.n_current == coded - held and result.n_held_out == held
    assert held < MIN_CHECKED                           # early on: the prior coding is checked
    assert result.check is not None and result.check.kind == "cross-validation"
    assert "cross-validation of the 250 answers of prior coding" in result.reason
    assert [s for s in dict.fromkeys(stages)] == ["reading", "training", "checking"] + \
        (["refreshing"] if result.accepted else [])
    meta = json.loads((result.path / "model.json").read_text(encoding="utf-8"))
    assert meta["training_data"]["n_examples"] == N_PRIOR + result.n_current
    assert meta["data"]["current_weight"] == 3.0
    versions = model_versions(project, "poet_holders")
    assert [(v.label, v.origin) for v in versions] == [("v1", "given"), ("v2", "retrained")]
    v2 = versions[1]
    assert (v2.n_prior, v2.n_current, v2.check_kind) == (N_PRIOR, result.n_current,
                                                         "cross-validation")
    assert v2.compared_with == "v1" and v2.micro_f1 is not None
    assert v2.compared_micro_f1 is not None
    # nothing new since: nothing is trained
    again = retrainer.retrain()
    assert not again.changed and again.version == "v2"
    assert len(model_versions(project, "poet_holders")) == 2


def test_a_worse_version_is_kept_as_a_candidate(setting, tmp_path: Path) -> None:  # noqa: ANN001
    project, prior_file, truth = setting
    _given_model(project, prior_file, tmp_path / "model")
    codebook = project.codebooks()[0]
    first = model_versions(project, codebook.id)[0]
    assert live_model_path(project, codebook.id) == first.path
    # this year's answers coded carelessly ("Support" for everything), except the ones held
    # out to check on, which are coded as they should be
    _code(project, truth, garble=True)
    before = {a: s.model_version for a, s in project.suggestions().items()}
    result = Retrainer(project, codebook).retrain()
    assert result.n_held_out >= MIN_CHECKED and result.check.kind == "held-out"
    assert not result.accepted and result.version == "v2"
    assert result.check.candidate.micro < result.check.live.micro
    assert "scores worse" in result.reason and "for v1" in result.reason
    assert "kept as a candidate" in result.message()
    assert live_model_path(project, codebook.id) == first.path   # v1 stays live
    assert {a: s.model_version for a, s in project.suggestions().items()} == before
    v2 = model_versions(project, codebook.id)[1]
    assert v2.accepted is False and v2.check_kind == "held-out"
    assert v2.compared_with == "v1" and v2.compared_micro_f1 > v2.micro_f1
    # the person can still choose it, and go back
    version, refreshed = use_version(project, codebook, "v2")
    assert version.label == "v2" and live_model_path(project, codebook.id) == v2.path
    assert refreshed == 0   # every answer is coded: nothing to refresh
    use_version(project, codebook, "1")
    assert live_model_path(project, codebook.id) == first.path


def test_a_better_version_replaces_the_live_one_and_refreshes(setting, tmp_path: Path) -> None:  # noqa: ANN001,E501
    project, prior_file, truth = setting
    codebook = project.codebooks()[0]
    # the model in use was trained on a few answers only; the full prior file is linked
    _given_model(project, _write(tmp_path / "few.csv", _holder_rows()[:40]),
                 tmp_path / "model")
    _link(project, prior_file)
    coded = _code(project, truth, limit=125)
    result = Retrainer(project, codebook).retrain()
    assert result.check.kind == "held-out" and result.n_held_out >= MIN_CHECKED
    assert result.accepted, result.reason
    assert "at least as well" in result.reason and "for v1" in result.reason
    assert live_model_path(project, codebook.id) == str(result.path)
    todo = todo_answers(project)
    assert result.refreshed == len(todo) == len(truth) - coded > 0
    assert {s.model_version for s in project.suggestions([a.id for a in todo]).values()} == \
        {"poet_holders-project@v2+keywords:poet_holders@1.0"}


def test_too_few_decisions_and_no_prior_coding_cannot_be_judged(setting) -> None:  # noqa: ANN001
    project, _prior_file, truth = setting
    codebook = project.codebooks()[0]
    _code(project, truth, limit=40)
    result = Retrainer(project, codebook).retrain()
    assert not result.accepted and result.check.kind == "none"
    assert "cannot be judged yet" in result.reason
    assert "no prior coding is linked" in result.reason
    assert live_model_path(project, codebook.id) is None
    with pytest.raises(NotEnoughData):
        Retrainer(project, codebook, min_examples=1000).retrain()


def test_nothing_is_trained_before_this_years_first_decision(setting, tmp_path: Path) -> None:  # noqa: ANN001,E501
    project, prior_file, _truth = setting
    _given_model(project, prior_file, tmp_path / "model")
    result = Retrainer(project, project.codebooks()[0]).retrain()
    assert not result.changed and result.version == "v1"
    assert result.message() == "poet_holders: no decisions of this year yet; not retrained."
    assert len(model_versions(project, "poet_holders")) == 1


def test_the_live_recipes_cross_validation_is_reused(setting, tmp_path: Path) -> None:  # noqa: ANN001,E501
    project, prior_file, truth = setting
    _given_model(project, prior_file, tmp_path / "model")
    codebook = project.codebooks()[0]
    _code(project, truth, limit=5)
    Retrainer(project, codebook).retrain()
    v1, v2 = model_versions(project, codebook.id)
    assert v1.recipe_cv["n"] == v2.recipe_cv["n"] == N_PRIOR   # kept for later
    _code(project, truth, limit=5)
    fits: list[tuple[int, int]] = []
    result = Retrainer(project, codebook).retrain(
        progress=lambda stage, done, total: fits.append((done, total))
        if stage == "checking" else None)
    assert result.check.kind == "cross-validation"
    # only the new recipe is fitted: three folds, not six
    assert fits[-1] == (3, 3)


def test_a_live_model_made_for_an_older_codebook_is_replaced(setting, tmp_path: Path) -> None:  # noqa: ANN001,E501
    project, prior_file, _truth = setting
    _given_model(project, prior_file, tmp_path / "model")
    codebook = project.codebooks()[0]
    retrainer = Retrainer(project, codebook)
    project.add_codebook(codebook.with_theme(Theme("transport", "Transport", "Getting there.")))
    result = retrainer.retrain()
    assert result.accepted and result.check.kind == "live unusable"
    assert "v1, which cannot serve" in result.reason
    assert retrainer.codebook.version == "1.1"
    meta = json.loads((result.path / "model.json").read_text(encoding="utf-8"))
    assert "transport" in [t["id"] for t in meta["themes"]]


def test_retraining_can_be_cancelled(setting) -> None:  # noqa: ANN001
    from themecoder.suggest.model import TrainingCancelled

    project, prior_file, _truth = setting
    _link(project, prior_file)
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(TrainingCancelled):
        Retrainer(project, project.codebooks()[0]).retrain(cancel)
    assert live_model_path(project, "poet_holders") is None
    assert model_versions(project, "poet_holders") == []


# --------------------------------------------------------------------------- prior coding


def test_a_prior_year_project_is_prior_coding(setting, tmp_path: Path) -> None:  # noqa: ANN001
    project, _prior_file, _truth = setting
    rows = _holder_rows()[:N_PRIOR]
    prior = Project.create(tmp_path / "last_year.themecoder")
    prior.add_codebook(load_codebook(CODEBOOKS / "poet_holders.yaml"))
    names = [t.name for t in prior.codebooks()[0].themes]
    prior.import_survey(read_survey(_write(tmp_path / "last.csv", rows), LONG,
                                    theme_names=names + ["Not assigned"]))
    prior.close()
    codebook = project.codebooks()[0]
    link, n = link_prior_project(project, codebook, str(tmp_path / "last_year.themecoder"))
    assert link.kind == "project" and n == N_PRIOR
    data = prior_coding(project, codebook)
    expected = {r["answer_id"]: {n for n in r["themes"].split("|")
                                 if n and n != "Not assigned"} for r in rows}
    assert sorted(data.keys) == sorted(expected)
    for key, y in zip(data.keys, data.Y, strict=True):
        assert {codebook.theme_ids[j] for j in np.flatnonzero(y)} == \
            {codebook.find(name).id for name in expected[key]}
    with pytest.raises(Exception, match="its own prior coding"):
        link_prior_project(project, codebook, project.location)


def test_a_missing_prior_file_is_a_clear_error(setting) -> None:  # noqa: ANN001
    project, prior_file, _truth = setting
    _link(project, prior_file)
    prior_file.unlink()
    with pytest.raises(PriorCodingError, match="prior.csv.*link-training"):
        Retrainer(project, project.codebooks()[0]).retrain()
    assert training_link(project, "poet_holders") is not None


# --------------------------------------------------------------------------- the registry


def test_versions_and_links_are_kept_on_sqlite_and_postgresql(store_url: str,
                                                              tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from themecoder.store.model_registry import (
        TrainingLink,
        register_model_version,
        set_training_link,
        training_links,
        update_model_version,
        version_at,
    )

    with Project.create(store_url) as project:
        project.add_codebook(load_codebook(CODEBOOKS / "poet_holders.yaml"))
        with ThreadPoolExecutor(4) as pool:   # several processes retraining at once
            made = list(pool.map(lambda n: register_model_version(
                project, "poet_holders", tmp_path / f"m{n}", origin="retrained",
                training_answers=[n, n + 1], recipe_cv={"n": n}), range(6)))
        assert sorted(v.number for v in made) == [1, 2, 3, 4, 5, 6]
        assert register_model_version(project, "poet_holders", tmp_path / "x", origin="given",
                                      taken=[9]).label == "v10"
        v = update_model_version(project, "poet_holders", 2, accepted=False, micro_f1=0.5,
                                 reason="scores worse")
        assert (v.accepted, v.micro_f1, v.reason) == (False, 0.5, "scores worse")
        assert version_at(project, "poet_holders", tmp_path / "x").number == 10
        link = set_training_link(project, TrainingLink(
            codebook_id="poet_holders", kind="file", location="/data/2025.csv",
            given="2025.csv", text_col="text", filters=("group=holder",)))
        assert training_links(project) == {"poet_holders": link}
        assert link.describe() == "file 2025.csv (text, group=holder)"
