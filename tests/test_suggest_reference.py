"""The fast keyword matcher and the batched combination with a model give exactly what the
straightforward versions in ``keyword_reference`` give: the same hits (themes, words,
spans, kinds, scores, reasons, negation, tone) and the same suggestions (scores, decisions,
reasons, order), on the bundled sample answers, hand-made hard cases and — when the shared
file is beside the project — a sample of the NHS comments."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pandas as pd
import pytest
from keyword_reference import ReferenceKeywords, reference_with_model

from themecoder.codebook import load_codebook, loads_codebook
from themecoder.suggest.keywords import KeywordSuggester
from themecoder.suggest.model import load_model
from themecoder.suggest.suggester import Suggester

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ("worked_well", "not_well", "change")

HARD_CASES = [
    "The social-worker was great but the paperwork is a nightmare.",
    "social-\nworker visits; PAs and a PA; pa's",
    "No problems with the paperwork at all.",
    "The paperwork was not a problem, nothing wrong with the forms either",
    "I had no choice but to use an agency, and now more choice",
    "paperwrok and beaurocracy, recruting staff is hard",
    "Forms. FORMS! forms, form-filling, “forms”",
    "never had an issue with the money, however the staff were rude",
    "",
    "   ",
    "n/a",
    "not enough information about the direct payment or the care plan",
    "Good good good good good",
] * 2  # every answer twice: a repeated answer is examined once, with the same result


def _sample_answers(path: Path, count: int, seed: int) -> tuple[list[str], list[str]]:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    pairs = [(text, q) for q in QUESTIONS if q in frame for text in frame[q]]
    random.Random(seed).shuffle(pairs)
    return [t for t, _ in pairs[:count]], [q for _, q in pairs[:count]]


def _poet_cases(group: str) -> tuple[list, list]:
    texts, questions = _sample_answers(ROOT / "sample_data" / "current_year.csv", 300, 1)
    more, asked = _sample_answers(ROOT / "sample_data" / "prior_year.csv", 150, 2)
    hard_questions = [QUESTIONS[i % 3] for i in range(len(HARD_CASES))]
    return (texts + more + HARD_CASES + [None, float("nan")],
            questions + asked + hard_questions + ["worked_well", None])


@pytest.mark.parametrize("group", ["poet_holders", "poet_carers"])
def test_keyword_hits_match_the_reference_on_poet_answers(group: str) -> None:
    codebook = load_codebook(ROOT / "codebooks" / f"{group}.yaml")
    texts, questions = _poet_cases(group)
    fast = KeywordSuggester(codebook)
    expected = ReferenceKeywords(codebook).suggest_many(texts, questions)
    assert sum(map(len, expected)) > 300  # the sample exercises the rules
    assert fast.suggest_many(texts, questions, batch_size=64) == expected
    # asked again (words and answers remembered), one at a time, and with no question
    assert fast.suggest_many(texts, questions) == expected
    assert [fast.suggest(t, q) for t, q in zip(texts[:60], questions[:60], strict=True)] \
        == expected[:60]
    assert fast.suggest_many(texts[:100]) == ReferenceKeywords(codebook).suggest_many(
        texts[:100], [None] * 100)


def test_keyword_hits_match_the_reference_on_edge_rules() -> None:
    codebook = loads_codebook("""
id: edge
name: Edge
version: "1"
groups: [holder]
not_assigned: {id: not_assigned, name: Not assigned}
themes:
  - id: process
    name: Process
    definition: Paperwork.
    keywords: [paperwork, form, forms, bureaucracy, form filling]
    patterns: ['form\\w*', 'pa(?:per)?']
  - id: choice
    name: Choice
    definition: Choice.
    keywords: [no choice, choice]
    exclude: [no choice but to]
  - id: staff
    name: Staff
    definition: Staff.
    keywords: [social worker, PA, staff, recruit]
    questions: [not_well, change]
  - id: money
    name: Money
    definition: Money.
    keywords: [money, direct payment, care plan, information]
""")
    texts = HARD_CASES + ["form " * 300 + "no choice but to " * 50 + "x" * 100_500]
    questions = [QUESTIONS[i % 3] for i in range(len(texts))]
    for fuzzy in (80.0, 100.0):
        fast = KeywordSuggester(codebook, fuzzy_threshold=fuzzy)
        expected = ReferenceKeywords(codebook, fuzzy_threshold=fuzzy).suggest_many(
            texts, questions)
        assert fast.suggest_many(texts, questions, batch_size=3) == expected
        assert any(h.kind == "fuzzy" for hits in expected for h in hits) == (fuzzy < 100)
        assert "only the first" in expected[-1][0].reason


def _nhs_data():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import nhs_data

    if not nhs_data.available():
        pytest.skip(f"the shared NHS comments are not at {nhs_data.DATA}")
    return nhs_data


def test_keyword_hits_match_the_reference_on_nhs_comments() -> None:
    nhs_data = _nhs_data()
    data = nhs_data.load()
    chosen = random.Random(3).sample(range(len(data.texts)), 400)
    texts = [data.texts[i] for i in chosen]
    questions = [data.questions[i] for i in chosen]
    codebook = load_codebook(nhs_data.CODEBOOK)
    expected = ReferenceKeywords(codebook).suggest_many(texts, questions)
    assert sum(map(len, expected)) > 300
    assert KeywordSuggester(codebook).suggest_many(texts, questions) == expected


@pytest.mark.parametrize("weight", [None, 0.35], ids=["learned", "given"])
@pytest.mark.parametrize("group", ["poet_holders", "poet_carers"])
def test_suggestions_with_a_model_match_the_reference(group: str, weight: float | None) -> None:
    codebook = load_codebook(ROOT / "codebooks" / f"{group}.yaml")
    model = load_model(ROOT / "models" / "poet-sample", codebook=codebook)
    assert model.classifier.keyword_rule_ is not None  # the sample models learned theirs
    texts, questions = _poet_cases(group)
    texts = ["" if t is None or t != t else t for t in texts]
    keywords = KeywordSuggester(codebook)
    suggester = Suggester(codebook, model, keyword_suggester=keywords, keyword_weight=weight)
    got = list(suggester.suggest_many(texts, questions, batch_size=128))
    hits = keywords.suggest_many(texts, questions)
    expected = [reference_with_model(codebook, model, t, q, h, suggester.model_version,
                                     keyword_weight=weight)
                for t, q, h in zip(texts, questions, hits, strict=True)]
    assert got == expected
    assert sum(len(s.suggested_ids) for s in got) > len(got) // 2
    assert any(r.startswith("most likely theme") for s in got for t in s.themes
               for r in t.reasons)


def test_batch_rounding_is_pythons_rounding_to_the_last_bit() -> None:
    import numpy as np

    from themecoder.suggest.combine import decimal_places, rounded

    rng = np.random.default_rng(0)
    values = np.concatenate([
        rng.random(200_000), np.arange(10_001) / 1e4, (np.arange(20_000) + 0.5) / 2e4,
        [0.125, 0.375, 0.625, 0.875, 2.675, 0.00005, 0.99995, 1.0, 0.0, -0.25, np.nan]])
    for digits in (2, 4):
        got = rounded(values[:-1], digits)
        assert got.tolist() == [round(float(v), digits) for v in values[:-1]]
        units = decimal_places(values, digits)
        assert units[-1] == -1 and units[-2] == -1  # nan and negatives: left to Python
        sure = units >= 0
        assert (~sure).sum() < len(values) // 10
        shown = [f"{q // 10 ** digits}.{q % 10 ** digits:0{digits}d}" for q in units[sure]]
        assert shown == [f"{v:.{digits}f}" for v in values[sure]]


def test_suggestions_with_themes_the_model_has_no_examples_of_match_the_reference() -> None:
    from autocode_setup import prior_year

    from themecoder.suggest.model import ThemeClassifier

    codebook = load_codebook(ROOT / "codebooks" / "poet_holders.yaml")
    texts, questions, Y = prior_year(codebook, "holder")
    Y[:, [0, 3]] = 0  # two themes without a single example

    class Loaded:
        classifier = ThemeClassifier(cv=3).fit(texts, questions, Y, codebook.theme_ids)
        name, version, metadata = "no-examples", "1", {}

    assert Loaded.classifier.untrained_themes_.sum() == 2
    answers, asked = _poet_cases("poet_holders")
    answers = ["" if t is None or t != t else t for t in answers]
    keywords = KeywordSuggester(codebook)
    suggester = Suggester(codebook, Loaded, keyword_suggester=keywords)
    got = list(suggester.suggest_many(answers, asked, batch_size=200))
    hits = keywords.suggest_many(answers, asked)
    assert got == [reference_with_model(codebook, Loaded, t, q, h, suggester.model_version)
                   for t, q, h in zip(answers, asked, hits, strict=True)]
    untrained = {codebook.themes[0].id, codebook.themes[3].id}
    assert any(t.suggested for s in got for t in s.themes if t.theme_id in untrained)
