"""The combining suggester: keyword-only and model modes, ranking, reasons, vague answers."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from themecoder.codebook import loads_codebook
from themecoder.errors import ModelError
from themecoder.suggest.keywords import KeywordSuggester
from themecoder.suggest.suggester import Suggester, codebook_from_model
from themecoder.suggest.vague import looks_vague

CODEBOOK = """
id: test_holders
name: Test holders
version: "1.0"
groups: [holder]
not_assigned: {id: not_assigned, name: Not assigned}
themes:
  - id: process
    name: Process
    definition: Getting and controlling a budget; paperwork.
    keywords: [paperwork, form, bureaucracy]
  - id: staff
    name: Staff
    definition: Council staff.
    keywords: [social worker, staff]
  - id: set_up
    name: Set up
    definition: Recruiting staff.
    keywords: [recruit, PA]
    questions: [not_well, change]
  - id: funding
    name: Funding/service level
    definition: Amount of money.
    keywords: [money]
"""

# Hand-coded answers for a small real classifier (themes in codebook order).
TRAINING = [
    ("the paperwork was endless", "not_well", "process"),
    ("too many forms to fill in", "not_well", "process"),
    ("the application process took ages", "not_well", "process"),
    ("filling in the returns every month", "change", "process"),
    ("less bureaucracy please", "change", "process"),
    ("the assessment process was simple", "worked_well", "process"),
    ("my social worker was brilliant", "worked_well", "staff"),
    ("the care manager listened to me", "worked_well", "staff"),
    ("council staff were rude", "not_well", "staff"),
    ("the officer never called back", "not_well", "staff"),
    ("more knowledgeable staff", "change", "staff"),
    ("friendly helpful staff", "worked_well", "staff"),
    ("hard to recruit a personal assistant", "not_well", "set_up"),
    ("could not find a PA for months", "not_well", "set_up"),
    ("help with recruiting carers", "change", "set_up"),
    ("advertising for staff took ages", "not_well", "set_up"),
    ("not enough money in the budget", "not_well", "funding"),
    ("the budget was cut", "not_well", "funding"),
    ("more money for more hours", "change", "funding"),
    ("enough money to pay for what I need", "worked_well", "funding"),
    ("the hourly rate is too low", "not_well", "funding"),
    ("increase the budget", "change", "funding"),
]


@pytest.fixture(scope="module")
def codebook():
    return loads_codebook(CODEBOOK, source="test.yaml")


@pytest.fixture(scope="module")
def keywords(codebook):
    return KeywordSuggester(codebook)


@pytest.fixture(scope="module")
def model(codebook, tmp_path_factory):
    """A real trained classifier, saved and loaded the way the CLI loads it."""
    from themecoder.suggest.model import (
        ThemeClassifier,
        load_model,
        save_model,
        training_metadata,
    )

    rows = TRAINING * 3
    texts = [t for t, _, _ in rows]
    questions = [q for _, q, _ in rows]
    ids = codebook.theme_ids
    Y = np.array([[int(theme == i) for i in ids] for _, _, theme in rows])
    clf = ThemeClassifier(cv=3).fit(texts, questions, Y, ids)
    path = tmp_path_factory.mktemp("models") / "test_model"
    save_model(clf, path, training_metadata(codebook, texts, questions, Y, name="test_model",
                                            version="2026.01.01"))
    return load_model(path, codebook=codebook)


@pytest.fixture(scope="module")
def kw_only(codebook, keywords):
    return Suggester(codebook, keyword_suggester=keywords)


# --------------------------------------------------------------------------- vague


@pytest.mark.parametrize("text", [
    "", "   ", None, "n/a", "N/A.", "none", "Nothing", "fine", "OK!", "as above", "See above",
    "-", "...", "no comment", "Don't know", "don’t know", "Everything", "very good",
])
def test_vague_answers(text):
    assert looks_vague(text)


@pytest.mark.parametrize("text", [
    "The paperwork took months", "Choosing my own carers", "Flexible hours suit me",
])
def test_answers_with_content_are_not_vague(text):
    assert not looks_vague(text)


def test_one_word_naming_a_theme_is_not_vague():
    assert looks_vague("Paperwork")
    assert not looks_vague("Paperwork", keyword_hit=True)


# --------------------------------------------------------------------------- keywords only


def test_keyword_only_ranking_reasons_and_spans(kw_only):
    text = "The paperwork and the forms! Also my social worker"
    s = kw_only.suggest(text, "not_well")
    assert s.suggested_ids == ["process", "staff"]  # two hits rank above one
    top = s.themes[0]
    assert top.score > s.themes[1].score > 0
    assert top.model_score is None
    assert any("matched 'paperwork'" in r for r in top.reasons)
    assert [text[a:b] for a, b in top.spans] == ["paperwork", "forms"]
    assert s.model_version == "keywords:test_holders@1.0"
    assert not s.vague
    assert {t.theme_id for t in s.themes} == {"process", "staff", "set_up", "funding"}


def test_keyword_only_question_restriction(kw_only):
    s = kw_only.suggest("my PA is great", "worked_well")
    assert "set_up" not in {t.theme_id for t in s.themes}
    assert kw_only.suggest("my PA left", "not_well").suggested_ids == ["set_up"]


def test_misspelt_keyword_suggests_but_scores_below_an_exact_one(kw_only):
    fuzzy = kw_only.suggest("the paperwrok", "not_well").themes[0]
    exact = kw_only.suggest("the paperwork", "not_well").themes[0]
    assert fuzzy.theme_id == exact.theme_id == "process"
    assert fuzzy.suggested and 0.5 <= fuzzy.score < exact.score
    assert "fuzzy" in fuzzy.reasons[0]
    negated = kw_only.suggest("not enough paperwrok", "worked_well").themes[0]
    assert negated.theme_id == "process" and 0 < negated.score < 0.5
    assert not negated.suggested


def test_absence_does_not_suggest_on_not_well(kw_only):
    s = kw_only.suggest("No problems with the paperwork", "not_well")
    assert s.suggested_ids == []
    assert s.vague  # nothing to code: an absence is not a complaint
    assert any("absence" in r for r in s.themes[0].reasons)
    assert s.themes[0].spans == ()  # nothing to highlight as evidence


def test_stock_non_answer_is_vague_and_gets_no_theme(kw_only):
    s = kw_only.suggest("n/a", "change")
    assert s.vague and s.suggested_ids == []
    assert all(t.score == 0 for t in s.themes)


def test_short_answer_naming_a_theme_is_not_vague(kw_only):
    s = kw_only.suggest("Paperwork", "not_well")
    assert not s.vague and s.suggested_ids == ["process"]


def test_suggest_many_is_lazy_ordered_and_reports_progress(kw_only):
    seen = []
    pulled = []

    def texts():
        for t in ["paperwork", "n/a", "money", "staff", "nothing"]:
            pulled.append(t)
            yield t

    results = kw_only.suggest_many(texts(), "not_well", batch_size=2,
                                   progress=lambda done, total: seen.append((done, total)))
    first = next(results)
    assert first.suggested_ids == ["process"]
    assert len(pulled) == 2  # only one batch read so far
    rest = list(results)
    assert [s.suggested_ids for s in rest] == [[], ["funding"], ["staff"], []]
    assert seen == [(2, None), (4, None), (5, None)]


def test_suggest_many_cancel_and_length_mismatch(kw_only):
    cancel = threading.Event()
    out = []
    for s in kw_only.suggest_many(["paperwork"] * 10, None, batch_size=3, cancel=cancel):
        out.append(s)
        cancel.set()
    assert len(out) == 3  # the batch in hand finishes, then it stops
    with pytest.raises(ValueError):
        list(kw_only.suggest_many(["a", "b"], ["not_well"]))


# --------------------------------------------------------------------------- with a model


def test_model_mode_reasons_and_version(codebook, keywords, model):
    s = Suggester(codebook, model, keyword_suggester=keywords).suggest(
        "the paperwork was endless", "not_well")
    top = s.themes[0]
    assert top.theme_id == "process" and top.suggested
    assert top.reasons[0].startswith("model ")
    assert "(threshold " in top.reasons[0]
    assert any("matched 'paperwork'" in r for r in top.reasons[1:])
    assert top.model_score is not None and top.score >= top.model_score
    assert s.model_version == "test_model@2026.01.01+keywords:test_holders@1.0"


def test_keywords_raise_the_model_score(codebook, keywords, model):
    text, q = "so much bureaucracy", "change"
    without = Suggester(codebook, model, keywords=False).suggest(text, q)
    with_kw = Suggester(codebook, model, keyword_suggester=keywords).suggest(text, q)
    p = without.themes[0].model_score
    assert without.score("process") == pytest.approx(model.classifier.predict_proba(
        [text], [q])[0][0], abs=1e-4)
    expected = 1 - (1 - with_kw.themes[0].model_score) * (1 - 0.35 * 0.9)
    assert with_kw.score("process") == pytest.approx(expected, abs=1e-3)
    assert with_kw.score("process") > without.score("process")
    assert without.model_version == "test_model@2026.01.01"
    assert p is not None


def test_model_mode_ranks_by_combined_score(codebook, keywords, model):
    s = Suggester(codebook, model, keyword_suggester=keywords).suggest(
        "not enough money in the budget", "not_well")
    scores = [t.score for t in s.themes]
    assert scores == sorted(scores, reverse=True)
    assert s.themes[0].theme_id == "funding"


def test_model_trained_on_fully_coded_data_gives_every_answer_a_theme(codebook, keywords,
                                                                      model):
    # Its training data never left an answer without a theme, so neither does it.
    s = Suggester(codebook, model, keyword_suggester=keywords).suggest("n/a", "not_well")
    assert not s.vague and len(s.suggested_ids) >= 1 and s.not_assigned_score is None


@pytest.fixture(scope="module")
def model_with_not_assigned(codebook, tmp_path_factory):
    """A classifier whose training data left the non-answers without a theme."""
    from themecoder.suggest.model import ThemeClassifier, load_model, save_model, training_metadata

    blanks = [("n/a", "not_well"), ("don't know", "change"), ("no comment", "worked_well"),
              ("not sure really", "change"), ("as above", "not_well"), ("nothing to add", "change")]
    rows = TRAINING * 3
    texts = [t for t, _, _ in rows] + [t for t, _ in blanks] * 4
    questions = [q for _, q, _ in rows] + [q for _, q in blanks] * 4
    ids = codebook.theme_ids
    Y = np.array([[int(theme == i) for i in ids] for _, _, theme in rows]
                 + [[0] * len(ids)] * (len(blanks) * 4))
    clf = ThemeClassifier(cv=3).fit(texts, questions, Y, ids)
    path = tmp_path_factory.mktemp("models") / "na_model"
    save_model(clf, path, training_metadata(codebook, texts, questions, Y, name="na_model"))
    return load_model(path, codebook=codebook)


def test_model_mode_learned_not_assigned(codebook, keywords, model_with_not_assigned):
    suggester = Suggester(codebook, model_with_not_assigned, keyword_suggester=keywords)
    s = suggester.suggest("don't know", "not_well")
    assert s.vague and s.not_assigned and s.suggested_ids == []
    assert s.not_assigned_score is not None and s.not_assigned_score > 0.5
    assert s.not_assigned_reason.startswith("model: Not assigned")
    coded = suggester.suggest("the paperwork was endless", "not_well")
    assert not coded.vague and coded.suggested_ids[0] == "process"
    assert coded.not_assigned_score is not None and coded.not_assigned_score < 0.5


def test_model_for_another_codebook_is_refused(model):
    other = loads_codebook(CODEBOOK.replace("id: funding", "id: money"))
    with pytest.raises(ModelError, match="money|funding"):
        Suggester(other, model, keywords=False)


def test_codebook_from_model(model):
    cb = codebook_from_model(model)
    assert cb.id == "test_holders" and cb.theme_names[-1] == "Funding/service level"
    s = Suggester(cb, model, keywords=False).suggest("the paperwork was endless", "not_well")
    assert s.suggested_ids[0] == "process"
