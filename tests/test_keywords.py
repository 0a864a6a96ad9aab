"""Keyword suggester: lemmas, phrases, misspellings, spans, negation, restrictions."""

from __future__ import annotations

import pytest

from themecoder.codebook import loads_codebook
from themecoder.suggest.keywords import KeywordHit, KeywordSuggester, theme_scores

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
    keywords: [paperwork, form, bureaucracy, took months]
  - id: staff
    name: Staff
    definition: Council staff.
    keywords: [social worker, staff]
  - id: set_up
    name: Set up
    definition: Recruiting staff.
    keywords: [recruit, PA]
    questions: [not_well, change]
  - id: advice
    name: Advice
    definition: Information and guidance.
    keywords: [information]
  - id: funding
    name: Funding/service level
    definition: Amount of money.
    keywords: [money]
  - id: choice
    name: Choice/control
    definition: Choice and control.
    keywords: [no choice, choice]
    exclude: [no choice but to]
  - id: support
    name: Support
    definition: The support itself.
    keywords: [day centre]
    patterns: ['\\bPAs?\\b']
"""


@pytest.fixture(scope="module")
def ks() -> KeywordSuggester:
    return KeywordSuggester(loads_codebook(CODEBOOK))


def themes(hits: list[KeywordHit]) -> set[str]:
    return {h.theme_id for h in hits if h.score > 0}


def only(hits: list[KeywordHit], theme_id: str) -> KeywordHit:
    found = [h for h in hits if h.theme_id == theme_id]
    assert len(found) == 1, found
    return found[0]


def test_lemma_match_plural_and_capitalised(ks):
    hits = ks.suggest("Too many Forms to fill in")
    hit = only(hits, "process")
    assert hit.kind == "lemma"
    assert hit.matched == "Forms"
    assert "as 'form'" in hit.reason and hit.reason.endswith("→ Process")


def test_exact_match_scores_above_lemma(ks):
    exact = only(ks.suggest("the form"), "process")
    lemma = only(ks.suggest("the forms"), "process")
    assert exact.kind == "exact" and lemma.kind == "lemma"
    assert exact.score > lemma.score > 0


def test_multi_word_phrase_matches_inflected_words(ks):
    hit = only(ks.suggest("It was taking months to hear back"), "process")
    assert hit.matched == "taking months"
    assert hit.kind == "lemma"
    assert only(ks.suggest("My social workers were great"), "staff").matched == "social workers"


def test_phrase_needs_all_its_words_in_order(ks):
    assert "staff" not in themes(ks.suggest("a worker who was social"))
    assert "staff" not in themes(ks.suggest("social. Worker"))


@pytest.mark.parametrize(("text", "theme_id", "compared"), [
    ("the paperwrok was endless", "process", "paperwork"),
    ("so much beaurocracy", "process", "bureaucracy"),
    ("recruting was hard", "set_up", "recruiting"),
])
def test_misspellings_match_fuzzily(ks, text, theme_id, compared):
    hit = only(ks.suggest(text, "not_well"), theme_id)
    assert hit.kind == "fuzzy"
    assert f"≈ '{compared}'" in hit.reason
    assert 0 < hit.score < 0.85


def test_known_words_are_not_fuzzed(ks):
    from rapidfuzz import fuzz

    # "mouth" is as close to the keyword word "month" as the threshold allows, but it is a
    # real word, so it is not taken for a misspelling
    assert fuzz.ratio("mouth", "month") >= ks.fuzzy_threshold
    assert ks.suggest("my mouth hurts") == []
    assert only(ks.suggest("took monthz"), "process").kind == "fuzzy"


def test_short_words_are_not_fuzzed_and_acronyms_are_case_sensitive(ks):
    assert "set_up" not in themes(ks.suggest("my pa left", "not_well"))
    assert "set_up" not in themes(ks.suggest("my PB left", "not_well"))
    assert only(ks.suggest("my PA left", "not_well"), "set_up").kind == "exact"
    assert only(ks.suggest("two PAs left", "not_well"), "set_up").matched == "PAs"
    assert "process" not in themes(ks.suggest("a farm"))  # "form" is 4 letters: no fuzzing


def test_regular_expression_patterns(ks):
    hit = only(ks.suggest("Our PAs are great"), "support")
    assert hit.kind == "pattern"
    assert hit.matched == "PAs"
    assert "pattern" in hit.reason


@pytest.mark.parametrize("text", [
    "   My social worker was kind",
    "Ça va: my social worker was kind",
    "First line\nsecond line: my social worker\n",
    "🙂🙂 social worker",
    "the social-worker",
    "the social-\nworker",
])
def test_spans_point_into_the_original_text(ks, text):
    hit = only(ks.suggest(text), "staff")
    assert text[hit.start:hit.end] == hit.matched
    assert hit.matched.lower().startswith("social") and hit.matched.endswith("worker")


def test_span_of_misspelt_and_lemma_hits(ks):
    text = "  Paperwrok, forms!"
    for hit in ks.suggest(text):
        assert text[hit.start:hit.end] == hit.matched
    assert [h.matched for h in ks.suggest(text)] == ["Paperwrok", "forms"]


def test_absence_on_worked_well_keeps_the_theme_lowered_and_explained(ks):
    plain = only(ks.suggest("the paperwork", "worked_well"), "process")
    hit = only(ks.suggest("no problems with the paperwork", "worked_well"), "process")
    assert hit.negated
    assert 0 < hit.score < plain.score
    assert "negated: 'no problems with the'" in hit.reason
    assert hit.polarity == 1


@pytest.mark.parametrize("question", ["not_well", "change"])
def test_absence_on_not_well_and_change_does_not_count(ks, question):
    for text in ("no problems with the paperwork", "nothing wrong with the paperwork",
                 "the paperwork was not a problem"):
        hit = only(ks.suggest(text, question), "process")
        assert hit.negated
        assert hit.score == 0
        assert "absence" in hit.reason
        assert theme_scores([hit]) == {"process": 0.0}


def test_never_had_an_issue_with_staff(ks):
    hit = only(ks.suggest("never had an issue with my social worker", "worked_well"), "staff")
    assert hit.negated and hit.score > 0.5
    assert "never had an issue with my" in hit.cue


def test_negation_that_is_the_complaint_keeps_the_theme(ks):
    hit = only(ks.suggest("not enough information", "not_well"), "advice")
    assert hit.negated
    assert hit.score > 0.5  # still suggested by the default keyword threshold
    assert hit.polarity == -1
    assert "negated: 'not enough'" in hit.reason


def test_contrast_gives_both_themes_with_their_own_polarity(ks):
    hits = ks.suggest("the money is fine but the paperwork is a nightmare", "not_well")
    money, paperwork = only(hits, "funding"), only(hits, "process")
    assert not money.negated and not paperwork.negated
    assert money.polarity == 1 and paperwork.polarity == -1
    assert themes(hits) == {"funding", "process"}


def test_negation_does_not_cross_a_clause(ks):
    hit = only(ks.suggest("No. The paperwork was quick", "worked_well"), "process")
    assert not hit.negated
    hit = only(ks.suggest("nothing bad to say, but staff are slow", "not_well"), "staff")
    assert not hit.negated and hit.score == 0.9


def test_keyword_containing_a_negation_is_not_negated_by_itself(ks):
    hit = only(ks.suggest("I had no choice at all"), "choice")
    assert hit.keyword == "no choice" and not hit.negated


def test_exclude_phrase_blocks_overlapping_hits_only(ks):
    assert "choice" not in themes(ks.suggest("I had no choice but to use an agency"))
    hits = ks.suggest("I had no choice but to use an agency; now I have more choice")
    assert only(hits, "choice").matched == "choice"


def test_nested_hits_of_one_theme_keep_the_widest(ks):
    hits = ks.suggest("I had no choice")
    assert [h.keyword for h in hits] == ["no choice"]


def test_question_restriction(ks):
    assert "set_up" not in themes(ks.suggest("couldn't recruit anyone", "worked_well"))
    assert "set_up" in themes(ks.suggest("couldn't recruit anyone", "not_well"))
    assert "set_up" in themes(ks.suggest("couldn't recruit anyone"))  # unknown question


@pytest.mark.parametrize("text", ["", "   ", "\n\t", None])
def test_empty_text(ks, text):
    assert ks.suggest(text) == []


def test_suggest_many_matches_suggest_and_keeps_order(ks):
    texts = ["the paperwork", None, "my PA left", "form", "the paperwork"]
    questions = ["not_well", "change", "not_well", None, "worked_well"]
    batch = ks.suggest_many(texts, questions)
    assert batch == [ks.suggest(t, q) for t, q in zip(texts, questions, strict=True)]
    assert ks.suggest_many(["form", "staff"], "worked_well")[1][0].theme_id == "staff"
    with pytest.raises(ValueError):
        ks.suggest_many(["a", "b"], ["not_well"])


def test_theme_scores_noisy_or(ks):
    hits = ks.suggest("the paperwork and the forms and the social worker")
    scores = theme_scores(hits)
    assert set(scores) == {"process", "staff"}
    assert scores["process"] > max(h.score for h in hits if h.theme_id == "process")
    assert scores["process"] <= 1.0
    assert ks.theme_scores(hits) == scores
    assert theme_scores([]) == {}
