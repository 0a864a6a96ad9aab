"""Long answers in the keyword suggester: the same hits as a plain reading, found in time
that grows with the answer's length (the figures are in BENCHMARKS.md, from
``benchmarks/long_answers.py``).

The running sums and sorted sweeps of :mod:`themecoder.suggest.clauses` are checked here
against the plain, quadratic definitions they replace, on random inputs.
"""

from __future__ import annotations

from types import SimpleNamespace

from conftest import CODEBOOKS
from hypothesis import given, settings
from hypothesis import strategies as st

from themecoder.codebook import load_codebook
from themecoder.suggest.clauses import ClauseLayout, outside_exclusions, widest_hits
from themecoder.suggest.keywords import MAX_EXAMINED_CHARS, KeywordSuggester

NEGATION_LOOKBACK = 3


def _plain_clause(barriers: list[bool], first: int, last: int) -> tuple[int, int]:
    lo = first
    while lo > 0 and not barriers[lo - 1]:
        lo -= 1
    hi = last
    while hi < len(barriers) and not barriers[hi]:
        hi += 1
    return lo, hi


def _plain_polarity(negations: list[bool], tones: list[int], lo: int, hi: int,
                    skip: range) -> int:
    total = 0
    for k in range(lo, hi):
        if k in skip or not tones[k]:
            continue
        value = tones[k]
        if any(negations[m] for m in range(max(lo, k - NEGATION_LOOKBACK), k)):
            value = -value
        total += value
    return (total > 0) - (total < 0)


tokens = st.lists(st.tuples(st.booleans(), st.booleans(), st.sampled_from([-1, 0, 0, 1])),
                  min_size=1, max_size=40)


@settings(max_examples=150, deadline=None)
@given(tokens, st.data())
def test_clauses_and_tone_match_the_plain_definitions(toks, data) -> None:
    barriers = [b for b, _, _ in toks]
    negations = [n for _, n, _ in toks]
    tones = [t for _, _, t in toks]
    layout = ClauseLayout(barriers, negations, tones)
    first = data.draw(st.integers(0, len(toks) - 1))
    last = data.draw(st.integers(first + 1, len(toks)))
    lo, hi = layout.clause(first, last)
    assert (lo, hi) == _plain_clause(barriers, first, last)
    assert layout.polarity(lo, hi, first, last) == \
        _plain_polarity(negations, tones, lo, hi, range(first, last))


THEMES = [SimpleNamespace(id=name) for name in "ab"]
hit = st.tuples(st.sampled_from(THEMES), st.integers(0, 30), st.integers(1, 12),
                st.sampled_from([0.5, 0.85, 0.9]))


def _as_hits(drawn) -> list[tuple]:
    return [(theme, start, start + length, "", "", "", score, "", 0, 0)
            for theme, start, length, score in drawn]


@settings(max_examples=150, deadline=None)
@given(st.lists(hit, max_size=25))
def test_only_the_widest_of_nested_hits_is_kept(drawn) -> None:
    raw = _as_hits(drawn)
    plain = [r for r in raw if not any(
        o[0].id == r[0].id and o[1] <= r[1] and r[2] <= o[2]
        and (o[2] - o[1], o[6]) > (r[2] - r[1], r[6]) for o in raw)]
    assert widest_hits(raw) == plain


@settings(max_examples=150, deadline=None)
@given(st.lists(hit, max_size=25), st.lists(hit, max_size=8))
def test_hits_overlapping_an_exclusion_are_dropped(drawn, excluded) -> None:
    raw = _as_hits(drawn)
    excludes = [(theme.id, start, start + length) for theme, start, length, _ in excluded]
    plain = [r for r in raw if not any(tid == r[0].id and s < r[2] and r[1] < e
                                       for tid, s, e in excludes)]
    assert outside_exclusions(raw, excludes) == plain


def test_a_long_answer_without_full_stops_gets_every_hit() -> None:
    suggester = KeywordSuggester(load_codebook(CODEBOOKS / "poet_holders.yaml"))
    piece = ("the social worker was helpful and the paperwork was not a problem and "
             "the money is fine ")
    short = suggester.suggest(piece, "not_well")
    repeats = 600  # about 55,000 characters, one clause
    hits = suggester.suggest(piece * repeats, "not_well")
    assert len(hits) == len(short) * repeats
    assert {(h.theme_id, h.matched) for h in hits} == {(h.theme_id, h.matched) for h in short}
    assert not any("characters were examined" in h.reason for h in hits)


def test_past_the_limit_the_reasons_say_what_was_examined() -> None:
    suggester = KeywordSuggester(load_codebook(CODEBOOKS / "poet_holders.yaml"))
    filler = "x" * (MAX_EXAMINED_CHARS - 20)
    text = f"{filler} social worker and more text about the paperwork " + "y " * 50_000
    hits = suggester.suggest(text, "not_well")
    assert [h.matched for h in hits] == ["social worker"]
    assert hits[0].reason.endswith(f"only the first {MAX_EXAMINED_CHARS:,} of {len(text):,} "
                                   "characters were examined")
