"""The keyword weight and the rule on combined scores, learned with the model."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
from click.testing import CliRunner

from themecoder.cli import cli
from themecoder.codebook import loads_codebook
from themecoder.suggest.decision import DecisionRule, _micro_f1_with_na, decide
from themecoder.suggest.keyword_blend import (
    KEYWORD_WEIGHTS,
    combine_scores,
    keyword_score_matrix,
    tune_keyword_rule,
)
from themecoder.suggest.model import ThemeClassifier, load_model, save_model, training_metadata
from themecoder.suggest.model_rules import ModelRuleError, check_state
from themecoder.suggest.suggester import Suggester

CODEBOOK_YAML = """\
id: kw
name: Keyword codebook
version: "1.0"
groups: [holder]
not_assigned: {id: not_assigned, name: Not assigned}
themes:
  - {id: staff, name: Staff, definition: People who help., keywords: [social worker]}
  - {id: money, name: Money, definition: The budget., keywords: [budget, payments]}
  - {id: time, name: Timeliness, definition: Waiting and delays., keywords: [waiting]}
"""
IDS = ["staff", "money", "time"]
# Each theme's words: the first is among the codebook's keywords, the rest are not, so the
# model learns them all from the data and keywords know only some.
WORDS = {
    "staff": ["social worker", "the team", "my assessor", "carers"],
    "money": ["budget", "payments", "the allowance", "the money"],
    "time": ["waiting", "took months", "too long", "slow"],
}
FILLER = ["it", "was", "really", "and", "we", "found", "quite", "the", "all"]


def make_data(n: int, seed: int) -> tuple[list[str], list[str], np.ndarray]:
    """Answers with one or two themes, a few with none ("no idea really")."""
    rng = random.Random(seed)
    texts, questions, rows = [], [], []
    for i in range(n):
        if rng.random() < 0.1:
            texts.append(rng.choice(["no idea really", "not sure", "it was all fine"]))
            rows.append([0, 0, 0])
        else:
            chosen = {rng.randrange(3)} | ({rng.randrange(3)} if rng.random() < 0.3 else set())
            parts = [w for j in sorted(chosen) for w in (rng.choice(WORDS[IDS[j]]),
                                                         rng.choice(FILLER), rng.choice(FILLER))]
            rng.shuffle(parts)
            texts.append(" ".join(parts))
            rows.append([int(j in chosen) for j in range(3)])
        questions.append(["worked_well", "not_well", "change"][i % 3])
    return texts, questions, np.array(rows)


@pytest.fixture(scope="module")
def codebook():
    return loads_codebook(CODEBOOK_YAML)


@pytest.fixture(scope="module")
def trained(codebook):
    texts, questions, Y = make_data(120, seed=1)
    K = keyword_score_matrix(codebook, texts, questions, IDS)
    return ThemeClassifier(cv=3).fit(texts, questions, Y, IDS, keyword_scores=K), (texts,
                                                                                    questions, Y)


def test_keyword_scores_are_the_suggesters_keyword_scores(codebook):
    texts = ["the social worker was great", "waiting for payments", "nothing to say", None]
    K = keyword_score_matrix(codebook, texts, ["worked_well"] * 4, IDS)
    alone = Suggester(codebook)  # keywords only: a theme's score is its keyword score
    for row, text in enumerate(texts):
        scores = {t.theme_id: t.score for t in alone.suggest(text, "worked_well").themes}
        assert K[row].tolist() == pytest.approx([scores[t] for t in IDS], abs=1e-4)
    assert K[0, 0] > 0.5 and K[1, 1] > 0.5 and K[1, 2] > 0.5 and not K[2:].any()


def test_a_codebook_without_keywords_gives_no_keyword_scores():
    plain = loads_codebook(CODEBOOK_YAML.replace(", keywords: [social worker]", "")
                           .replace(", keywords: [budget, payments]", "")
                           .replace(", keywords: [waiting]", ""))
    assert keyword_score_matrix(plain, ["budget"], None, IDS) is None


def _noisy(seed: int, n: int = 400, k: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    Y = (rng.random((n, k)) < 0.3).astype(np.int8)
    P = np.clip(0.35 * Y + rng.random((n, k)) * 0.65, 0, 1)  # a weak model
    return P, Y


def test_keywords_that_know_the_answer_get_weight_and_raise_out_of_fold_f1():
    P, Y = _noisy(0)
    own = DecisionRule(np.full(3, 0.5))
    learned = tune_keyword_rule(P, None, Y.astype(float), Y, own, 10.0)
    assert learned.weight in KEYWORD_WEIGHTS and learned.weight > 0
    assert learned.micro_f1 > learned.alone_micro_f1 + 0.05
    pred, na = decide(combine_scores(P, Y.astype(float), learned.weight), learned.rule)
    assert _micro_f1_with_na(Y, Y.sum(axis=1) == 0, pred, na) == pytest.approx(learned.micro_f1)


def test_keywords_that_know_nothing_get_no_weight_and_the_models_own_rule():
    P, Y = _noisy(1)
    own = DecisionRule(np.full(3, 0.5))
    learned = tune_keyword_rule(P, None, np.zeros_like(P), Y, own, 10.0)
    assert learned.weight == 0.0 and learned.rule is own
    assert learned.micro_f1 == learned.alone_micro_f1
    with pytest.raises(ValueError, match="shape"):
        tune_keyword_rule(P, None, np.zeros((2, 3)), Y, own, 10.0)


def test_fit_learns_the_weight_and_saving_keeps_it(trained, codebook, tmp_path):
    model, (texts, questions, Y) = trained
    assert model.keyword_weight_ in KEYWORD_WEIGHTS
    assert model.keyword_rule_.thresholds.shape == (3,)
    assert "micro_f1_with_keywords" in model.cv_metrics_
    path = save_model(model, tmp_path / "kw", training_metadata(codebook, texts, questions, Y))
    loaded = load_model(path, codebook).classifier
    assert loaded.keyword_weight_ == model.keyword_weight_
    np.testing.assert_array_equal(loaded.keyword_rule_.thresholds, model.keyword_rule_.thresholds)
    assert loaded.keyword_rule_.na_threshold == model.keyword_rule_.na_threshold
    assert loaded.keyword_rule_.na_margin == model.keyword_rule_.na_margin
    # a model trained without keyword scores has none, and says so after loading too
    plain = ThemeClassifier(cv=3).fit(texts, questions, Y, IDS)
    assert plain.keyword_weight_ is None and plain.keyword_rule_ is None
    path = save_model(plain, tmp_path / "plain", training_metadata(codebook, texts, questions, Y))
    assert load_model(path, codebook).classifier.keyword_rule_ is None


def test_fit_refuses_keyword_scores_of_the_wrong_shape(trained):
    _, (texts, questions, Y) = trained
    with pytest.raises(ValueError, match="keyword_scores"):
        ThemeClassifier(cv=3).fit(texts, questions, Y, IDS, keyword_scores=np.zeros((2, 3)))


def test_suggestions_decide_on_the_learned_weight_and_rule(trained, codebook, tmp_path):
    model, (texts, questions, Y) = trained
    path = save_model(model, tmp_path / "kw", training_metadata(codebook, texts, questions, Y))
    loaded = load_model(path, codebook)
    new_texts, new_questions, _ = make_data(60, seed=7)
    suggestions = list(Suggester(codebook, loaded).suggest_many(new_texts, new_questions))
    # the same decision worked out by hand: probabilities + weighted keywords, learned rule
    result = loaded.classifier.predict_all(new_texts, new_questions)
    K = keyword_score_matrix(codebook, new_texts, new_questions, IDS)
    expected, na = decide(combine_scores(result.proba, K, model.keyword_weight_),
                          model.keyword_rule_, result.not_assigned_proba)
    for s, row, unassigned in zip(suggestions, expected, na, strict=True):
        assert set(s.suggested_ids) == {t for t, on in zip(IDS, row, strict=True) if on}
        assert s.vague == bool(unassigned)
    shown = {t.theme_id: t.threshold for t in suggestions[0].themes}
    assert shown == pytest.approx(dict(zip(IDS, model.keyword_rule_.thresholds, strict=True)))
    # a weight given by the caller uses the model's own thresholds instead
    fixed = Suggester(codebook, loaded, keyword_weight=0.35).suggest(new_texts[0],
                                                                       new_questions[0])
    assert {t.theme_id: t.threshold for t in fixed.themes} == pytest.approx(
        dict(zip(IDS, model.thresholds_, strict=True)))


def test_model_files_with_keyword_settings_out_of_bounds_are_refused(trained, codebook,
                                                                     tmp_path):
    model, _ = trained
    state, arrays = model._state()
    check_state(state, arrays, "all-MiniLM-L6-v2")
    with pytest.raises(ModelRuleError, match="keyword_weight"):
        check_state({**state, "keyword_weight": 1.5}, arrays, "all-MiniLM-L6-v2")
    without = {name: a for name, a in arrays.items() if name != "keyword_thresholds"}
    with pytest.raises(ModelRuleError, match="keyword thresholds"):
        check_state(state, without, "all-MiniLM-L6-v2")
    with pytest.raises(ModelRuleError, match="keyword_thresholds"):
        check_state(state, {**arrays, "keyword_thresholds": np.array([0.5, 2.0, 0.5])},
                    "all-MiniLM-L6-v2")


def test_cli_train_learns_the_keyword_weight(tmp_path):
    import csv

    texts, questions, Y = make_data(90, seed=2)
    (tmp_path / "kw.yaml").write_text(CODEBOOK_YAML)
    data = tmp_path / "coded.csv"
    with data.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["question", "text", "themes"])
        for text, q, row in zip(texts, questions, Y, strict=True):
            names = [n for n, v in zip(["Staff", "Money", "Timeliness"], row, strict=True) if v]
            writer.writerow([q, text, "|".join(names) or "Not assigned"])
    out = tmp_path / "model"
    result = CliRunner().invoke(cli, [
        "train", "--codebook", str(tmp_path / "kw.yaml"), "--data", str(data), "--text-col",
        "text", "--question-col", "question", "--themes-col", "themes", "--out", str(out)])
    assert result.exit_code == 0, result.output
    state = json.loads((out / "model.json").read_text())["model"]
    assert state["keyword_weight"] in KEYWORD_WEIGHTS
    assert f"Keywords beside the model: weight {state['keyword_weight']:g}" in result.output
