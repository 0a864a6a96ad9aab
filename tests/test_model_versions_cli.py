"""``themecoder model retrain|list|use`` and ``themecoder project link-training``, and how a
project finds the data its model was trained on."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CODEBOOKS, ROOT, SAMPLE_DATA
from test_retraining import N_PRIOR, _code, _holder_rows, _this_year, _write

from themecoder import exit_codes
from themecoder.cli import cli
from themecoder.store import Project
from themecoder.store.model_registry import live_model_path, model_versions, training_link
from themecoder.training_sets import model_training_file


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def _train(data: str | Path, out: Path) -> None:
    code, out_text, err = _run("train", "--codebook", CODEBOOKS / "poet_holders.yaml",
                               "--data", data, "--text-col", "text", "--question-col",
                               "question", "--themes-col", "themes", "--out", out)
    assert code == 0, out_text + err


@pytest.fixture
def setup(tmp_path: Path):  # noqa: ANN201
    rows = _holder_rows()
    prior_file = _write(tmp_path / "prior.csv", rows[:N_PRIOR])
    project = _this_year(tmp_path, rows[N_PRIOR:])
    truth = {r["answer_id"]: r["themes"] for r in rows[N_PRIOR:]}
    location = project.location
    project.close()
    return location, prior_file, truth


# --------------------------------------------------------------------------- the model's data


def test_train_records_the_path_given_and_where_it_was(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001,E501
    data = _write(tmp_path / "prior.csv", _holder_rows()[:60])
    monkeypatch.chdir(tmp_path)
    _train("prior.csv", tmp_path / "model")
    meta = json.loads((tmp_path / "model" / "model.json").read_text(encoding="utf-8"))
    assert meta["data"]["path"] == "prior.csv"
    assert meta["data"]["resolved"] == str(data.resolve())
    monkeypatch.chdir(ROOT)
    assert model_training_file(tmp_path / "model").found == data.resolve()


@pytest.mark.parametrize("codebook_id", ["poet_holders", "poet_carers"])
def test_shipped_models_name_their_training_file_relative_to_the_repository(
        codebook_id: str) -> None:
    # an absolute path would be of the machine the model was trained on
    meta = json.loads((ROOT / "models" / "poet-sample" / codebook_id / "model.json").read_text())
    assert "resolved" not in meta["data"]
    assert not Path(meta["data"]["path"]).is_absolute()


def test_a_shipped_model_finds_its_training_file_beside_it() -> None:
    named = model_training_file(ROOT / "models" / "poet-sample" / "poet_holders")
    assert named is not None
    assert named.found == (SAMPLE_DATA / "prior_year_long.csv").resolve()
    assert (named.text_col, named.themes_col, named.filters) == ("text", "themes",
                                                                 ("group=holder",))


def test_a_model_moved_with_its_data_finds_it_by_the_path_given(tmp_path: Path) -> None:
    """Only the relative path and the train command survive a move (as in a shipped
    folder): the file is found relative to the folders above the model."""
    _train(_write(tmp_path / "prior.csv", _holder_rows()[:60]), tmp_path / "m")
    tree = tmp_path / "elsewhere"
    (tree / "data").mkdir(parents=True)
    shutil.copy(tmp_path / "prior.csv", tree / "data" / "prior.csv")
    shutil.copytree(tmp_path / "m", tree / "models" / "m")
    meta_path = tree / "models" / "m" / "model.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    for key in ("path", "resolved"):
        del meta["data"][key]
    meta["command"] = "themecoder train --data data/prior.csv --text-col text --out models/m"
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    (tmp_path / "prior.csv").unlink()
    assert model_training_file(tree / "models" / "m").found == \
        (tree / "data" / "prior.csv").resolve()


def test_suggest_with_a_model_links_its_training_file(setup, tmp_path: Path) -> None:  # noqa: ANN001
    location, prior_file, _truth = setup
    _train(prior_file, tmp_path / "model")
    code, out, _ = _run("suggest", location, "--model", tmp_path / "model")
    assert code == 0
    assert f"poet_holders: live model v1 is {(tmp_path / 'model').resolve()}" in out
    assert f"poet_holders: prior coding is file {prior_file}" in out
    with Project.open(location) as project:
        link = training_link(project, "poet_holders")
        assert link.location == str(prior_file.resolve()) and link.themes_col == "themes"
        assert live_model_path(project, "poet_holders") == str((tmp_path / "model").resolve())


def test_suggest_says_when_the_training_file_is_gone(setup, tmp_path: Path) -> None:  # noqa: ANN001
    location, prior_file, _truth = setup
    copy = _write(tmp_path / "gone.csv", _holder_rows()[:60])
    _train(copy, tmp_path / "model")
    copy.unlink()
    code, out, _ = _run("suggest", location, "--model", tmp_path / "model")
    assert code == 0
    assert "gone.csv was not found" in out and "project link-training" in out
    with Project.open(location) as project:
        assert training_link(project, "poet_holders") is None
    # naming the model explicitly is an error then, in one line
    code, _, err = _run("project", "link-training", location, "--model", tmp_path / "model")
    assert code == exit_codes.USER_ERROR
    assert len(err.strip().splitlines()) == 1 and "gone.csv was not found" in err


# --------------------------------------------------------------------------- link-training


def test_link_training_names_shows_and_forgets_prior_coding(setup, tmp_path: Path) -> None:  # noqa: ANN001,E501
    location, prior_file, _truth = setup
    code, out, _ = _run("project", "link-training", location)
    assert code == 0 and out.strip() == "poet_holders: no prior coding linked"
    code, _, err = _run("project", "link-training", location, "--data", prior_file,
                        "--text-col", "answer")
    assert code == exit_codes.USER_ERROR
    assert len(err.strip().splitlines()) == 1
    assert "prior.csv" in err and "'answer'" in err
    code, out, _ = _run("project", "link-training", location, "--data", prior_file,
                        "--text-col", "text", "--question-col", "question",
                        "--themes-col", "themes")
    assert code == 0 and f"{N_PRIOR} coded answers" in out
    code, out, _ = _run("project", "link-training", location)
    assert f"file {prior_file} (text, question, themes) (from link-training)" in out
    # a model's metadata does not replace a link named on purpose
    _train(_write(tmp_path / "other.csv", _holder_rows()[:60]), tmp_path / "model")
    code, out, _ = _run("suggest", location, "--model", tmp_path / "model")
    assert "prior coding stays file" in out
    with Project.open(location) as project:
        assert training_link(project, "poet_holders").location == str(prior_file.resolve())
    code, out, _ = _run("project", "link-training", location, "--none")
    assert code == 0 and "unlinked" in out
    code, _, err = _run("project", "link-training", location, "--none", "--data", prior_file)
    assert code != 0 and "give one of --model, --data, --project or --none" in err


# --------------------------------------------------------------------------- model commands


def test_model_retrain_list_and_use(setup, tmp_path: Path) -> None:  # noqa: ANN001
    location, prior_file, truth = setup
    _train(prior_file, tmp_path / "model")
    _run("suggest", location, "--model", tmp_path / "model")
    with Project.open(location) as project:
        _code(project, truth, limit=30)
    code, out, _ = _run("model", "retrain", location)
    assert code == 0, out
    assert out.startswith("poet_holders v2 is ")
    assert "trained on 250 answers of prior coding" in out
    assert "cross-validation of the 250 answers of prior coding" in out
    code, out, _ = _run("model", "list", location)
    assert code == 0
    assert "poet_holders: model versions" in out
    rows = {line.split()[0]: line for line in out.splitlines() if re.match(r" v\d ", line)}
    assert sorted(rows) == ["v1", "v2"]
    assert "prior coding: file" in out
    with Project.open(location) as project:
        live_before = live_model_path(project, "poet_holders")
        v1, v2 = model_versions(project, "poet_holders")
    assert "given" in rows["v1"] and "250+0" in rows["v1"]
    assert f"250+{v2.n_current}" in rows["v2"] and "prior CV 250" in rows["v2"]
    assert f"v1 {v2.compared_micro_f1:.3f}/{v2.compared_macro_f1:.3f}" in rows["v2"]
    live_row = "v2" if v2.accepted else "v1"
    assert "● live" in rows[live_row] and live_before == (v2.path if v2.accepted else v1.path)
    assert ("used" if v2.accepted else "candidate") in rows["v2"]
    code, out, _ = _run("model", "use", location, "v1")
    assert code == 0 and "poet_holders: v1 is live" in out
    assert "suggestions refreshed for" in out
    with Project.open(location) as project:
        assert live_model_path(project, "poet_holders") == v1.path == \
            str((tmp_path / "model").resolve())
    code, _, err = _run("model", "use", location, "v9")
    assert code == exit_codes.USER_ERROR and "has no model version v9" in err
    code, _, err = _run("model", "use", location, "latest")
    assert code == exit_codes.USER_ERROR and "not a model version" in err
