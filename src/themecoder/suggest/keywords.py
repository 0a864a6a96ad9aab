"""Keyword suggestions: the codebook's keywords, patterns and exclusions applied to answers.

Works on day one with no training data. Every hit says which words matched, where in the
original text (so an app can highlight them), how (exactly, by lemma, fuzzily, or by a
regular expression), how confident it is, and why, in words a coder can check.

Matching
    Answers and keywords go through the same spaCy pipeline: ``spacy.blank("en")`` with the
    ``lemmatizer`` pipe in ``lookup`` mode, its tables taken from ``spacy-lookups-data`` (no
    model download). Lemmas are looked up on the lower-cased token (the pipe itself looks up
    the token as written, so "Forms" at the start of a sentence would stay "Forms") and cached
    per distinct token, which keeps batches fast. So "forms" matches the keyword "form" and
    "taking months" matches "took months". Hyphens, slashes, quotes and possessive "'s" are
    ignored inside phrases ("social-worker" matches "social worker"); other punctuation ends a
    phrase.

Misspellings
    A word of at least :data:`MIN_FUZZY_LENGTH` letters that is not a known English word (not
    in the lemma tables or the stop-word list) is compared with the keywords' words and their
    inflections sharing its first letter, with :func:`rapidfuzz.fuzz.ratio`. At or above
    ``fuzzy_threshold`` it counts as that word: "paperwrok" ≈ "paperwork", "beaurocracy" ≈
    "bureaucracy", "recruting" ≈ "recruiting". Shorter words are never fuzzed, and keyword
    words written in capitals ("PA", "SW") only match the same capitals (plural "PAs" too).

Exclusions
    An ``exclude`` phrase blocks the theme's hits that overlap it: with keyword "no choice"
    and exclusion "no choice but to", "I had no choice but to use an agency" gives no
    Choice/control hit, while "no choice but to ... and now more choice" still gets one for
    the second "choice".

Negation and contrast (topic over polarity)
    Themes are topics, so negation does not remove a topic: "not enough information" is an
    Advice comment (the lack is the complaint). A hit inside the scope of a negation (a
    negation word up to :data:`NEGATION_WINDOW` words before it in the same clause) is kept,
    flagged ``negated``, its score multiplied by :data:`NEGATION_FACTOR`, and the reason names
    the cue ("negated: 'not enough'"). Clauses end at punctuation and at contrast words
    ("but", "however", "although"...), so in "the money is fine but the paperwork is a
    nightmare" both themes fire, each judged in its own clause.

    A *pure absence* — "no problems with X", "never had an issue with X", "nothing wrong with
    X", "X was not a problem" — says there is nothing to report about X. On the worked-well
    question (or when the question is unknown) that is praise of X, so it is treated like any
    negation (kept, lowered). On the not-well and change questions it is not a complaint
    about X nor a wish to change it, so the hit's score becomes 0: the hit is still returned
    (an app can show it) and its reason says why it does not count.

    Each hit also carries a rough ``polarity`` (-1, 0, +1) from a few cue words in its clause
    ("nightmare", "helpful", "problem"...), flipped by a negation just before the cue: in the
    example above the money hit is +1 and the paperwork hit -1. It is a hint for display and
    never changes which themes are suggested.

Scores
    Each hit scores ``exact`` 0.9, ``lemma`` 0.85, ``pattern`` 0.85, ``fuzzy`` 0.8 × similarity,
    then the negation rule above. :func:`theme_scores` combines a theme's hits by noisy-OR,
    ``1 - Π(1 - score)``, so more evidence raises the score but never past 1.

Long answers
    Time grows with an answer's length and no faster: clauses and the tone of their cue
    words are worked out once per answer, so a hit costs the same in a short answer as in a
    100,000-character one without a full stop. Only the first :data:`MAX_EXAMINED_CHARS`
    characters of an answer are examined (a pasted document, not an answer, goes past that);
    every hit in a longer answer says so in its reason.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from operator import attrgetter
from typing import Literal

from themecoder.codebook import Codebook, Theme
from themecoder.suggest.clauses import ClauseLayout, outside_exclusions, widest_hits
from themecoder.suggest.keyword_words import (
    MIN_FUZZY_LENGTH,
    AnswerTokens,
    KeywordToken,
    Lexicon,
    Word,
    get_nlp,
)

__all__ = ["DEFAULT_FUZZY_THRESHOLD", "KIND_SCORES", "MAX_EXAMINED_CHARS", "MIN_FUZZY_LENGTH",
           "NEGATION_FACTOR", "NEGATION_WINDOW", "KeywordHit", "KeywordSuggester", "get_nlp",
           "theme_scores"]

DEFAULT_FUZZY_THRESHOLD = 80.0
"""Minimum :func:`rapidfuzz.fuzz.ratio` (0–100) for a misspelt word to count as a keyword word."""

NEGATION_WINDOW = 6
"""How many words before a keyword a negation may stand and still govern it."""

NEGATION_FACTOR = 0.6
"""Score multiplier for a negated hit: still evidence for the topic, but weaker."""

MAX_EXAMINED_CHARS = 100_000
"""Characters of an answer examined for keywords (about 15,000 words); the rest is not."""

MAX_REMEMBERED_ANSWERS = 20_000
"""Answers (up to :data:`MAX_REMEMBERED_CHARS` long) whose hits a suggester remembers, so
an answer given again (a duplicate, the app asking twice) is not examined again."""

MAX_REMEMBERED_CHARS = 2_000
"""Longer answers are examined again each time (rarely repeated, and costly to keep)."""

KIND_SCORES = {"exact": 0.9, "lemma": 0.85, "pattern": 0.85, "fuzzy": 0.8}
"""Base score of a hit by how it matched (a fuzzy hit is also scaled by its similarity)."""

HitKind = Literal["exact", "lemma", "fuzzy", "pattern"]


@dataclass(frozen=True, slots=True)
class KeywordHit:
    """One piece of keyword evidence for a theme in one answer.

    Attributes:
        theme_id: The theme's id.
        theme_name: The theme's name.
        start: Start of the matched words in the original text (character offset).
        end: End of the matched words (exclusive), so ``text[start:end] == matched``.
        matched: The words as written in the answer.
        keyword: The codebook keyword (or regular expression) that matched.
        kind: ``"exact"``, ``"lemma"``, ``"fuzzy"`` or ``"pattern"``.
        score: Confidence 0–1 after the negation rule (0 for an absence that does not count).
        negated: The words stand under a negation or in a "no problems with" phrase.
        reason: One line for a coder, e.g. ``"matched 'social worker' → Staff"``.
        polarity: Rough tone of the hit's clause: -1 negative, 0 unknown, +1 positive.
        cue: The negation words, when ``negated`` (e.g. ``"no problems with the"``).
    """

    theme_id: str
    theme_name: str
    start: int
    end: int
    matched: str
    keyword: str
    kind: HitKind
    score: float
    negated: bool
    reason: str
    polarity: int = 0
    cue: str = ""


def theme_scores(hits: Iterable[KeywordHit]) -> dict[str, float]:
    """Each theme's keyword score: its hits' scores combined by noisy-OR.

    Args:
        hits: Hits from one answer.

    Returns:
        ``{theme_id: score}`` for every theme with at least one hit (possibly 0.0 when its
        only hits are absences that do not count).
    """
    remaining: dict[str, float] = {}
    for hit in hits:
        remaining[hit.theme_id] = remaining.get(hit.theme_id, 1.0) * (1.0 - hit.score)
    return {theme_id: round(1.0 - rest, 6) for theme_id, rest in remaining.items()}


# --------------------------------------------------------------------------- matching


@dataclass(frozen=True, slots=True)
class _Phrase:
    theme: Theme
    keyword: str
    tokens: tuple[KeywordToken, ...]
    exclude: bool
    order: int  # position in the codebook: phrases starting at one word are tried in it


_order = attrgetter("order")
_Match = tuple[_Phrase, int, int, str, float]  # phrase, first word, end word, kind, similarity


def _token_match(word: Word, kw: KeywordToken) -> tuple[str, float] | None:
    if kw.acronym:
        if word.surface == kw.surface or word.surface == kw.surface + "s":
            return ("exact", 100.0)
        return None
    if word.lower == kw.lower:
        return ("exact", 100.0)
    if word.lemma == kw.lemma or word.lower == kw.lemma or word.lemma == kw.lower:
        return ("lemma", 100.0)
    if word.fuzzy is not None and word.fuzzy[0] == kw.lemma:
        return ("fuzzy", word.fuzzy[2])
    return None


def _phrase_at(words: list[Word], i: int, phrase: _Phrase) -> tuple[str, float] | None:
    """``(kind, similarity)`` when ``phrase`` matches the words from ``i`` on, else ``None``."""
    kind, similarity = "exact", 100.0
    for j, kw in enumerate(phrase.tokens):
        word = words[i + j]
        if j and word.stop:
            return None
        result = _token_match(word, kw)
        if result is None:
            return None
        if result[0] == "fuzzy":
            kind, similarity = "fuzzy", min(similarity, result[1])
        elif result[0] == "lemma" and kind == "exact":
            kind = "lemma"
    return kind, similarity


def _layout(words: list[Word]) -> ClauseLayout:
    return ClauseLayout([w.barrier for w in words], [w.negation for w in words],
                        [w.tone for w in words])


def _negation_before(words: list[Word], first: int, lo: int) -> int | None:
    for k in range(first - 1, max(lo, first - NEGATION_WINDOW) - 1, -1):
        if words[k].negation:
            return k
    return None


def _is_absence(words: list[Word], cue: int, upto: int) -> bool:
    """Whether the negation at ``cue`` negates a problem noun before ``upto``."""
    if words[cue].lower == "nothing" and cue + 1 < upto and words[cue + 1].after_nothing:
        return True
    return any(words[k].absence_noun for k in range(cue + 1, upto))


def _negation(tokens: AnswerTokens, layout: ClauseLayout, first: int, last: int, text: str,
              question: str | None) -> tuple[float, str, bool, int, str]:
    """``(factor, note, negated, polarity, cue)`` for the hit on words ``first:last``."""
    words = tokens.words
    lo, hi = layout.clause(first, last)
    polarity = layout.polarity(lo, hi, first, last)
    cue_at = _negation_before(words, first, lo)
    absence = False
    cue = ""
    if cue_at is not None:
        absence = _is_absence(words, cue_at, first)
        cue = text[tokens.starts[cue_at]:tokens.ends[first - 1]]
    else:
        # "the paperwork was not a problem": an absence after the keyword
        for k in range(last, min(hi, last + NEGATION_WINDOW)):
            if words[k].negation and _is_absence(words, k, min(hi, k + 4)):
                absence = True
                end = next(m for m in range(k + 1, min(hi, k + 4))
                           if words[m].absence_noun or words[m].after_nothing)
                cue = text[tokens.starts[k]:tokens.ends[end]]
                break
    if not cue:
        return 1.0, "", False, polarity, ""
    if polarity == 0:
        polarity = 1 if absence else -1
    if absence and question in ("not_well", "change"):
        return (0.0, f"; absence: '{cue}' — not counted on {question}", True, polarity, cue)
    return NEGATION_FACTOR, f"; negated: '{cue}'", True, polarity, cue


class KeywordSuggester:
    """Suggests themes from the codebook's keywords, patterns and exclusions.

    Args:
        codebook: The codebook whose themes to suggest.
        fuzzy_threshold: Minimum similarity (0–100) for a misspelt word to match; ``None``
            or 100 turns fuzzy matching off.

    Build it once and reuse it: building loads the spaCy pipeline (a few seconds the first
    time in a process) and compiles the keywords; the words it has seen and the hits of
    short answers it has examined are remembered for the next call.
    """

    def __init__(self, codebook: Codebook, *,
                 fuzzy_threshold: float | None = DEFAULT_FUZZY_THRESHOLD) -> None:
        self.codebook = codebook
        self.fuzzy_threshold = fuzzy_threshold
        self._nlp = get_nlp()
        self._lexicon = Lexicon(self._nlp, fuzzy_threshold)
        self._index: dict[str, list[_Phrase]] = {}
        self._patterns: list[tuple[Theme, re.Pattern[str], str]] = []
        self._phrases = 0
        for theme in codebook.themes:
            for keyword in theme.keywords:
                self._add_phrase(theme, keyword, exclude=False)
            for phrase in theme.exclude:
                self._add_phrase(theme, phrase, exclude=True)
            for pattern in theme.patterns:
                self._patterns.append((theme, re.compile(pattern), pattern))
        self._lexicon.finish(self._candidates)
        self._allowed: dict[str | None, frozenset[str]] = {}
        self._remembered: dict[tuple[str, str | None], list[KeywordHit]] = {}

    def _add_phrase(self, theme: Theme, text: str, *, exclude: bool) -> None:
        tokens = self._lexicon.keyword_tokens(text)
        if not tokens:
            return
        phrase = _Phrase(theme, text, tuple(tokens), exclude, self._phrases)
        self._phrases += 1
        first = tokens[0]
        key = "\0" + first.surface if first.acronym else first.lemma
        self._index.setdefault(key, []).append(phrase)
        if not first.acronym and first.lower != first.lemma:
            self._index.setdefault(first.lower, []).append(phrase)

    def _candidates(self, lemma: str, lower: str, surface: str, fuzzy_lemma: str | None
                    ) -> tuple[_Phrase, ...]:
        """The phrases that may start at a word, each once, in codebook order."""
        index = self._index
        keys = [lemma, lower, "\0" + surface]
        if surface.endswith("s"):
            keys.append("\0" + surface[:-1])
        if fuzzy_lemma is not None:
            keys.append(fuzzy_lemma)
        found = {id(p): p for key in keys if key in index for p in index[key]}
        if not found:
            return ()
        return tuple(sorted(found.values(), key=_order))

    def _match_phrases(self, words: list[Word], allowed: frozenset[str]
                       ) -> tuple[list[_Match], list[tuple[str, int, int]]]:
        """Keyword matches ``(phrase, i, j, kind, similarity)`` over words ``i:j`` and the
        exclusions' word spans ``(theme_id, i, j)``."""
        matches: list[_Match] = []
        excludes: list[tuple[str, int, int]] = []
        n_words = len(words)
        for i, word in enumerate(words):
            if not word.candidates or word.stop:
                continue
            for phrase in word.candidates:
                n = len(phrase.tokens)
                if i + n > n_words or phrase.theme.id not in allowed:
                    continue
                found = _phrase_at(words, i, phrase)
                if found is None:
                    continue
                if phrase.exclude:
                    excludes.append((phrase.theme.id, i, i + n))
                else:
                    matches.append((phrase, i, i + n, *found))
        return matches, excludes

    # ------------------------------------------------------------------ public API

    def suggest(self, text: str, question: str | None = None) -> list[KeywordHit]:
        """Keyword hits in one answer, in text order.

        Args:
            text: The answer as written.
            question: ``"worked_well"``, ``"not_well"``, ``"change"`` or ``None`` (unknown:
                every theme applies). Themes restricted to other questions never fire.

        Returns:
            Hits for themes that apply to ``question``; empty for empty text.
        """
        return self.suggest_many([text], [question])[0]

    def suggest_many(self, texts: Iterable[str | None],
                     questions: str | Sequence[str | None] | None = None,
                     *, batch_size: int = 256) -> list[list[KeywordHit]]:
        """Keyword hits for many answers at once (faster than calling :meth:`suggest`).

        Each distinct answer text is tokenized once, however often it occurs.

        Args:
            texts: The answers (``None`` counts as empty).
            questions: One question for all answers, or one per answer, or ``None``.
            batch_size: Texts the tokenizer handles at a time.

        Returns:
            One list of hits per answer, in input order.
        """
        texts = ["" if t is None or t != t else str(t) for t in texts]  # t != t: NaN
        if questions is None or isinstance(questions, str):
            qs: list[str | None] = [questions] * len(texts)  # type: ignore[list-item]
        else:
            qs = list(questions)
            if len(qs) != len(texts):
                raise ValueError(f"{len(texts)} texts but {len(qs)} questions")
        examined = [t[:MAX_EXAMINED_CHARS] for t in texts]
        found = self._examine(examined, qs, batch_size)
        out: list[list[KeywordHit]] = []
        for full, text, question in zip(texts, examined, qs, strict=True):
            hits = list(found[text, question])
            if len(full) > len(text) and hits:
                note = (f"; only the first {len(text):,} of {len(full):,} characters were "
                        "examined")
                hits = [replace(hit, reason=hit.reason + note) for hit in hits]
            out.append(hits)
        return out

    def theme_scores(self, hits: Iterable[KeywordHit]) -> dict[str, float]:
        """Same as the module function :func:`theme_scores`."""
        return theme_scores(hits)

    # ------------------------------------------------------------------ internals

    def _allowed_themes(self, question: str | None) -> frozenset[str]:
        allowed = self._allowed.get(question)
        if allowed is None:
            if question is not None and question not in self.codebook.questions:
                allowed = frozenset(t.id for t in self.codebook.themes)
            else:
                allowed = frozenset(t.id for t in self.codebook.themes_for(question))
            self._allowed[question] = allowed
        return allowed

    def _examine(self, texts: list[str], questions: list[str | None], batch_size: int
                 ) -> dict[tuple[str, str | None], list[KeywordHit]]:
        """Hits for each distinct ``(text, question)``: remembered, or worked out with each
        distinct text tokenized once."""
        remembered = self._remembered
        found: dict[tuple[str, str | None], list[KeywordHit]] = {}
        todo: dict[str, list[str | None]] = {}
        for text, question in zip(texts, questions, strict=True):
            key = (text, question)
            if key in found:
                continue
            hits = remembered.get(key)
            if hits is None and not text.strip():
                hits = []
            if hits is not None:
                found[key] = hits
                continue
            asked = todo.setdefault(text, [])
            if question not in asked:
                asked.append(question)
        docs = self._nlp.tokenizer.pipe(todo, batch_size=batch_size)
        for (text, asked), doc in zip(todo.items(), docs, strict=True):
            tokens = self._lexicon.tokens(doc)
            for question in asked:
                hits = self._hits(text, question, tokens, self._allowed_themes(question))
                found[text, question] = hits
                if len(text) <= MAX_REMEMBERED_CHARS:
                    if len(remembered) >= MAX_REMEMBERED_ANSWERS:
                        remembered.clear()
                    remembered[text, question] = hits
        return found

    def _hits(self, text: str, question: str | None, tokens: AnswerTokens,
              allowed: frozenset[str]) -> list[KeywordHit]:
        words, starts, ends = tokens.words, tokens.starts, tokens.ends
        matches, excluded = self._match_phrases(words, allowed)
        raw: list[tuple[Theme, int, int, str, str, str, float, str, int, int]] = []
        for phrase, i, j, kind, similarity in matches:
            start, end = starts[i], ends[j - 1]
            matched = text[start:end]
            name = phrase.theme.name
            if kind == "exact":
                score = KIND_SCORES["exact"]
                reason = f"matched '{matched}' → {name}"
            elif kind == "lemma":
                score = KIND_SCORES["lemma"]
                reason = f"matched '{matched}' (as '{phrase.keyword}') → {name}"
            else:
                score = KIND_SCORES["fuzzy"] * similarity / 100
                like = phrase.keyword
                fuzzy = words[i].fuzzy
                if j - i == 1 and fuzzy is not None:
                    like = fuzzy[1]  # the form it was compared with: "recruiting"
                reason = f"fuzzy '{matched}' ≈ '{like}' ({similarity:.0f}) → {name}"
            raw.append((phrase.theme, start, end, matched, phrase.keyword, kind, score,
                        reason, i, j))
        for theme, regex, source in self._patterns:
            if theme.id not in allowed:
                continue
            for m in regex.finditer(text):
                if m.end() <= m.start():
                    continue
                i = bisect.bisect_right(ends, m.start())  # the first token ending after it
                if i >= len(words):
                    continue
                j = bisect.bisect_left(starts, m.end(), lo=i)
                raw.append((theme, m.start(), m.end(), m.group(0), source, "pattern",
                            KIND_SCORES["pattern"],
                            f"pattern '{source}' matched '{m.group(0)}' → {theme.name}",
                            i, max(j, i + 1)))
        if not raw:
            return []
        if excluded:
            excludes = [(theme_id, starts[i], ends[j - 1]) for theme_id, i, j in excluded]
            raw = outside_exclusions(raw, excludes)
        if len({hit[0].id for hit in raw}) < len(raw):  # a theme's hits may nest
            raw = widest_hits(raw)
        layout = _layout(words)
        hits: list[KeywordHit] = []
        for theme, start, end, matched, keyword, kind, score, reason, i, j in raw:
            factor, note, negated, polarity, cue = _negation(tokens, layout, i, j, text,
                                                             question)
            hits.append(KeywordHit(theme.id, theme.name, start, end, matched, keyword,
                                   kind, round(score * factor, 4), negated, reason + note,
                                   polarity, cue))  # type: ignore[arg-type]
        hits.sort(key=lambda h: (h.start, h.end, h.theme_id))
        unique: list[KeywordHit] = []
        for hit in hits:
            if unique and (unique[-1].theme_id, unique[-1].start, unique[-1].end) == \
                    (hit.theme_id, hit.start, hit.end):
                continue
            unique.append(hit)
        return unique
