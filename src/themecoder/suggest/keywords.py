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
from typing import Any, Literal

from themecoder.codebook import Codebook, Theme
from themecoder.suggest.clauses import ClauseLayout, outside_exclusions, widest_hits

MIN_FUZZY_LENGTH = 5
"""Words shorter than this are matched exactly (or by lemma), never fuzzily."""

DEFAULT_FUZZY_THRESHOLD = 80.0
"""Minimum :func:`rapidfuzz.fuzz.ratio` (0–100) for a misspelt word to count as a keyword word."""

NEGATION_WINDOW = 6
"""How many words before a keyword a negation may stand and still govern it."""

NEGATION_FACTOR = 0.6
"""Score multiplier for a negated hit: still evidence for the topic, but weaker."""

MAX_EXAMINED_CHARS = 100_000
"""Characters of an answer examined for keywords (about 15,000 words); the rest is not."""

KIND_SCORES = {"exact": 0.9, "lemma": 0.85, "pattern": 0.85, "fuzzy": 0.8}
"""Base score of a hit by how it matched (a fuzzy hit is also scaled by its similarity)."""

HitKind = Literal["exact", "lemma", "fuzzy", "pattern"]

# Tokens dropped inside phrases: "social-worker", "carer's allowance", "day/night".
_JOINERS = frozenset({"-", "–", "—", "/", "'", "’", "'s", "’s", "s'", "s’", '"', "“", "”", "‘"})
_EDGE = "-–—/'’\"“”‘"
_NEGATIONS = frozenset({
    "no", "not", "n't", "n’t", "nt", "never", "without", "nothing", "none", "nobody", "neither",
    "nor", "cannot", "lack", "lacking", "hardly", "barely", "didnt", "dont", "doesnt", "wasnt",
    "werent", "isnt", "arent", "havent", "hasnt", "hadnt", "cant", "couldnt", "wont", "wouldnt",
    "shouldnt",
})
_CONTRASTS = frozenset({"but", "however", "although", "though", "whereas", "except", "while",
                        "whilst", "apart"})
_ABSENCE_NOUNS = frozenset({"problem", "issue", "complaint", "trouble", "difficulty", "concern",
                            "hassle", "fault", "bother", "worry"})
_ABSENCE_AFTER_NOTHING = frozenset({"wrong", "bad"})
_POSITIVE = frozenset({
    "good", "great", "fine", "excellent", "helpful", "easy", "brilliant", "wonderful", "happy",
    "pleased", "kind", "lovely", "fantastic", "ok", "okay", "well", "quick", "supportive",
    "perfect", "amazing", "useful", "smooth", "simple", "clear", "enough", "efficient",
    "friendly", "caring", "satisfied", "improve", "improved", "better", "best", "love",
    "marvellous", "superb", "prompt", "reliable", "straightforward", "grateful", "thank",
})
_NEGATIVE = frozenset({
    "nightmare", "problem", "issue", "difficult", "hard", "slow", "poor", "bad", "terrible",
    "awful", "complicated", "confusing", "stressful", "stress", "delay", "late", "rude",
    "unhelpful", "frustrating", "worst", "struggle", "complaint", "hassle", "trouble", "mess",
    "unclear", "inadequate", "worry", "worried", "difficulty", "long", "lengthy", "horrendous",
    "wrong", "fail", "lack", "cut", "waste", "chaotic", "useless", "hopeless", "impossible",
    "disappointing", "disappointed", "concern",
})


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


# --------------------------------------------------------------------------- pipeline


_NLP: Any = None


def get_nlp() -> Any:
    """The shared spaCy pipeline: blank English with the lookup lemmatizer (built once)."""
    global _NLP
    if _NLP is None:
        import spacy

        nlp = spacy.blank("en")
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        nlp.initialize()  # loads the lookup tables from spacy-lookups-data
        _NLP = nlp
    return _NLP


@dataclass(frozen=True, slots=True)
class _KwToken:
    lower: str
    lemma: str
    surface: str
    acronym: bool


@dataclass(frozen=True, slots=True)
class _Phrase:
    theme: Theme
    keyword: str
    tokens: tuple[_KwToken, ...]
    exclude: bool


@dataclass(slots=True)
class _Tok:
    surface: str
    lower: str
    lemma: str
    start: int
    end: int
    barrier: bool  # punctuation or a contrast word: ends a clause and a phrase
    fuzzy: tuple[str, str, float] | None  # (keyword lemma, keyword form, similarity)


def _tone(tok: _Tok) -> int:
    """+1 / -1 / 0: whether a word is a positive or negative cue."""
    if tok.lemma in _POSITIVE or tok.lower in _POSITIVE:
        return 1
    if tok.lemma in _NEGATIVE or tok.lower in _NEGATIVE:
        return -1
    return 0


def _layout(toks: list[_Tok]) -> ClauseLayout:
    return ClauseLayout([t.barrier for t in toks], [t.lower in _NEGATIONS for t in toks],
                        [_tone(t) for t in toks])


class KeywordSuggester:
    """Suggests themes from the codebook's keywords, patterns and exclusions.

    Args:
        codebook: The codebook whose themes to suggest.
        fuzzy_threshold: Minimum similarity (0–100) for a misspelt word to match; ``None``
            or 100 turns fuzzy matching off.

    Build it once and reuse it: building loads the spaCy pipeline (about a second the first
    time in a process) and compiles the keywords.
    """

    def __init__(self, codebook: Codebook, *,
                 fuzzy_threshold: float | None = DEFAULT_FUZZY_THRESHOLD) -> None:
        self.codebook = codebook
        self.fuzzy_threshold = fuzzy_threshold
        self._nlp = get_nlp()
        lemmatizer = self._nlp.get_pipe("lemmatizer")
        self._lookup = lemmatizer.lookups.get_table("lemma_lookup")
        from spacy.lang.en.stop_words import STOP_WORDS

        self._known = set(self._lookup.values()) | set(STOP_WORDS)
        self._lemma_cache: dict[str, str] = {}
        self._fuzzy_cache: dict[str, tuple[str, str, float] | None] = {}
        self._index: dict[str, list[_Phrase]] = {}
        self._patterns: list[tuple[Theme, re.Pattern[str], str]] = []
        self._kw_words: set[str] = set()
        fuzzy_forms: dict[str, str] = {}
        for theme in codebook.themes:
            for keyword in theme.keywords:
                self._add_phrase(theme, keyword, exclude=False, fuzzy_forms=fuzzy_forms)
            for phrase in theme.exclude:
                self._add_phrase(theme, phrase, exclude=True, fuzzy_forms=fuzzy_forms)
            for pattern in theme.patterns:
                self._patterns.append((theme, re.compile(pattern), pattern))
        self._fuzzy_forms: dict[str, tuple[list[str], list[str]]] = {}
        for form, lemma in sorted(fuzzy_forms.items()):
            forms, lemmas = self._fuzzy_forms.setdefault(form[0], ([], []))
            forms.append(form)
            lemmas.append(lemma)

    # ------------------------------------------------------------------ building

    def _lemma(self, lower: str) -> str:
        lemma = self._lemma_cache.get(lower)
        if lemma is None:
            lemma = self._lookup.get(lower, lower)
            self._lemma_cache[lower] = lemma
        return lemma

    def _add_phrase(self, theme: Theme, text: str, *, exclude: bool,
                    fuzzy_forms: dict[str, str]) -> None:
        tokens: list[_KwToken] = []
        for tok in self._nlp.tokenizer(text):
            if tok.is_space or tok.text in _JOINERS:
                continue
            lower = tok.text.lower()
            acronym = tok.text.isalpha() and tok.text.isupper() and len(tok.text) >= 2
            tokens.append(_KwToken(lower, self._lemma(lower), tok.text, acronym))
        if not tokens:
            return
        phrase = _Phrase(theme, text, tuple(tokens), exclude)
        first = tokens[0]
        key = "\0" + first.surface if first.acronym else first.lemma
        self._index.setdefault(key, []).append(phrase)
        if not first.acronym and first.lower != first.lemma:
            self._index.setdefault(first.lower, []).append(phrase)
        for tok in tokens:
            if tok.acronym:
                continue
            self._kw_words.update((tok.lower, tok.lemma))
            if len(tok.lemma) >= MIN_FUZZY_LENGTH and tok.lemma.isalpha():
                for form in self._inflections(tok.lemma) | {tok.lower}:
                    fuzzy_forms.setdefault(form, tok.lemma)

    def _inflections(self, lemma: str) -> set[str]:
        """The lemma and its regular inflections that the lookup table maps back to it."""
        stem = lemma[:-1]
        candidates = {lemma + "s", lemma + "es", lemma + "ed", lemma + "d", lemma + "ing",
                      stem + "ing", stem + "ies", stem + "ied", lemma + lemma[-1] + "ing",
                      lemma + lemma[-1] + "ed"}
        return {lemma} | {c for c in candidates if self._lookup.get(c) == lemma}

    # ------------------------------------------------------------------ matching

    def _fuzzy(self, lower: str) -> tuple[str, str, float] | None:
        if lower in self._fuzzy_cache:
            return self._fuzzy_cache[lower]
        found = None
        group = self._fuzzy_forms.get(lower[0])
        if group is not None:
            from rapidfuzz import fuzz, process

            best = process.extractOne(lower, group[0], scorer=fuzz.ratio,
                                      score_cutoff=self.fuzzy_threshold)
            if best is not None:
                form, similarity, index = best
                found = (group[1][index], form, float(similarity))
        self._fuzzy_cache[lower] = found
        return found

    def _tokens(self, doc: Any) -> list[_Tok]:
        fuzzy_on = self.fuzzy_threshold is not None and self.fuzzy_threshold < 100
        toks: list[_Tok] = []
        for t in doc:
            text = t.text
            if t.is_space or text in _JOINERS:
                continue
            start = t.idx
            if len(text) > 1 and (text[0] in _EDGE or text[-1] in _EDGE):
                # "social-\nworker" tokenizes as "social-": match the word, span the word
                core = text.strip(_EDGE)
                if core:
                    start += len(text) - len(text.lstrip(_EDGE))
                    text = core
            lower = text.lower()
            lemma = self._lemma(lower)
            fuzzy = None
            if (fuzzy_on and len(lower) >= MIN_FUZZY_LENGTH and lower.isalpha()
                    and lower not in self._kw_words and lemma not in self._kw_words
                    and lower not in self._known and lower not in self._lookup):
                fuzzy = self._fuzzy(lower)
            barrier = t.is_punct or lower in _CONTRASTS
            toks.append(_Tok(text, lower, lemma, start, start + len(text), barrier, fuzzy))
        return toks

    @staticmethod
    def _token_match(tok: _Tok, kw: _KwToken) -> tuple[str, float] | None:
        if kw.acronym:
            if tok.surface == kw.surface or tok.surface == kw.surface + "s":
                return ("exact", 100.0)
            return None
        if tok.lower == kw.lower:
            return ("exact", 100.0)
        if tok.lemma == kw.lemma or tok.lower == kw.lemma or tok.lemma == kw.lower:
            return ("lemma", 100.0)
        if tok.fuzzy is not None and tok.fuzzy[0] == kw.lemma:
            return ("fuzzy", tok.fuzzy[2])
        return None

    def _candidates(self, tok: _Tok) -> list[_Phrase]:
        found: list[_Phrase] = []
        keys = {tok.lemma, tok.lower, "\0" + tok.surface}
        if tok.surface.endswith("s"):
            keys.add("\0" + tok.surface[:-1])
        if tok.fuzzy is not None:
            keys.add(tok.fuzzy[0])
        for key in keys:
            found.extend(self._index.get(key, ()))
        return found

    def _match_phrases(self, toks: list[_Tok], allowed: set[str]) -> tuple[list, list]:
        """Keyword matches and exclusion spans: ``(matches, excludes)``."""
        matches: list[tuple[_Phrase, int, int, str, float]] = []
        excludes: list[tuple[str, int, int]] = []
        seen: set[tuple[int, int]] = set()
        for i, tok in enumerate(toks):
            if tok.barrier and not tok.lower.isalpha():
                continue
            for phrase in self._candidates(tok):
                if phrase.theme.id not in allowed or (id(phrase), i) in seen:
                    continue
                seen.add((id(phrase), i))
                n = len(phrase.tokens)
                if i + n > len(toks):
                    continue
                kind, similarity = "exact", 100.0
                for j, kw in enumerate(phrase.tokens):
                    tok_j = toks[i + j]
                    if j and tok_j.barrier and not tok_j.lower.isalpha():
                        break
                    result = self._token_match(tok_j, kw)
                    if result is None:
                        break
                    if result[0] == "fuzzy":
                        kind, similarity = "fuzzy", min(similarity, result[1])
                    elif result[0] == "lemma" and kind == "exact":
                        kind = "lemma"
                else:
                    if phrase.exclude:
                        excludes.append((phrase.theme.id, toks[i].start, toks[i + n - 1].end))
                    else:
                        matches.append((phrase, i, i + n, kind, similarity))
        return matches, excludes

    # ------------------------------------------------------------------ negation

    @staticmethod
    def _negation_before(toks: list[_Tok], first: int, lo: int) -> int | None:
        for k in range(first - 1, max(lo, first - NEGATION_WINDOW) - 1, -1):
            if toks[k].lower in _NEGATIONS:
                return k
        return None

    @staticmethod
    def _is_absence(toks: list[_Tok], cue: int, upto: int) -> bool:
        """Whether the negation at ``cue`` negates a problem noun before ``upto``."""
        if toks[cue].lower == "nothing" and cue + 1 < upto \
                and toks[cue + 1].lower in _ABSENCE_AFTER_NOTHING:
            return True
        return any(toks[k].lemma in _ABSENCE_NOUNS for k in range(cue + 1, upto))

    def _negation(self, toks: list[_Tok], layout: ClauseLayout, first: int, last: int, text: str,
                  question: str | None) -> tuple[float, str, bool, int, str]:
        """``(factor, note, negated, polarity, cue)`` for the hit on ``toks[first:last]``."""
        lo, hi = layout.clause(first, last)
        polarity = layout.polarity(lo, hi, first, last)
        cue_at = self._negation_before(toks, first, lo)
        absence = False
        cue = ""
        if cue_at is not None:
            absence = self._is_absence(toks, cue_at, first)
            cue = text[toks[cue_at].start:toks[first - 1].end]
        else:
            # "the paperwork was not a problem": an absence after the keyword
            for k in range(last, min(hi, last + NEGATION_WINDOW)):
                if toks[k].lower in _NEGATIONS and self._is_absence(toks, k, min(hi, k + 4)):
                    absence = True
                    end = next(m for m in range(k + 1, min(hi, k + 4))
                               if toks[m].lemma in _ABSENCE_NOUNS
                               or toks[m].lower in _ABSENCE_AFTER_NOTHING)
                    cue = text[toks[k].start:toks[end].end]
                    break
        if not cue:
            return 1.0, "", False, polarity, ""
        if polarity == 0:
            polarity = 1 if absence else -1
        if absence and question in ("not_well", "change"):
            return (0.0, f"; absence: '{cue}' — not counted on {question}", True, polarity, cue)
        return NEGATION_FACTOR, f"; negated: '{cue}'", True, polarity, cue

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
        allowed_by_q: dict[str | None, set[str]] = {}
        out: list[list[KeywordHit]] = []
        examined = [t[:MAX_EXAMINED_CHARS] for t in texts]
        docs = self._nlp.tokenizer.pipe(examined, batch_size=batch_size)
        for full, text, question, doc in zip(texts, examined, qs, docs, strict=True):
            allowed = allowed_by_q.get(question)
            if allowed is None:
                allowed = {t.id for t in self.codebook.themes_for(question)}
                if question is not None and question not in self.codebook.questions:
                    allowed = {t.id for t in self.codebook.themes}
                allowed_by_q[question] = allowed
            hits = self._hits(text, question, doc, allowed) if text.strip() else []
            if len(full) > len(text):
                note = (f"; only the first {len(text):,} of {len(full):,} characters were "
                        "examined")
                hits = [replace(hit, reason=hit.reason + note) for hit in hits]
            out.append(hits)
        return out

    def theme_scores(self, hits: Iterable[KeywordHit]) -> dict[str, float]:
        """Same as the module function :func:`theme_scores`."""
        return theme_scores(hits)

    def _hits(self, text: str, question: str | None, doc: Any,
              allowed: set[str]) -> list[KeywordHit]:
        toks = self._tokens(doc)
        matches, excludes = self._match_phrases(toks, allowed)
        raw: list[tuple[Theme, int, int, str, str, str, float, str, int, int]] = []
        for phrase, i, j, kind, similarity in matches:
            start, end = toks[i].start, toks[j - 1].end
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
                if j - i == 1 and toks[i].fuzzy is not None:
                    like = toks[i].fuzzy[1]  # the form it was compared with: "recruiting"
                reason = f"fuzzy '{matched}' ≈ '{like}' ({similarity:.0f}) → {name}"
            raw.append((phrase.theme, start, end, matched, phrase.keyword, kind, score,
                        reason, i, j))
        starts = [t.start for t in toks]
        ends = [t.end for t in toks]
        for theme, regex, source in self._patterns:
            if theme.id not in allowed:
                continue
            for m in regex.finditer(text):
                if m.end() <= m.start():
                    continue
                i = bisect.bisect_right(ends, m.start())  # the first token ending after it
                if i >= len(toks):
                    continue
                j = bisect.bisect_left(starts, m.end(), lo=i)
                raw.append((theme, m.start(), m.end(), m.group(0), source, "pattern",
                            KIND_SCORES["pattern"],
                            f"pattern '{source}' matched '{m.group(0)}' → {theme.name}",
                            i, max(j, i + 1)))
        raw = widest_hits(outside_exclusions(raw, excludes))
        layout = _layout(toks)
        hits: list[KeywordHit] = []
        for theme, start, end, matched, keyword, kind, score, reason, i, j in raw:
            factor, note, negated, polarity, cue = self._negation(toks, layout, i, j, text,
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

