"""How the keyword rules see words: tokens, lemmas, misspellings and cue words.

An answer is split by the spaCy tokenizer of ``spacy.blank("en")`` (the rules need no
parser, tagger or entity recogniser, so no other component runs) and each token becomes a
:class:`Word`: its text without edge hyphens or quotes, lower-cased, its lemma, the keyword
word it is a misspelling of, whether it ends a clause, is a negation or a tone cue, and the
keyword phrases that may start at it. None of that depends on the words around it — the
lemma comes from the lookup table of ``spacy-lookups-data``, looked up on the lower-cased
token; punctuation and spaces are properties of the token's text — so a :class:`Lexicon`
works it out once per distinct token text and reuses it for every later occurrence.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

MIN_FUZZY_LENGTH = 5
"""Words shorter than this are matched exactly (or by lemma), never fuzzily."""

MAX_CACHED_WORDS = 200_000
"""Distinct token texts a :class:`Lexicon` remembers before it starts afresh."""

# Tokens dropped inside phrases: "social-worker", "carer's allowance", "day/night".
JOINERS = frozenset({"-", "–", "—", "/", "'", "’", "'s", "’s", "s'", "s’", '"', "“", "”", "‘"})
_EDGE = "-–—/'’\"“”‘"
NEGATIONS = frozenset({
    "no", "not", "n't", "n’t", "nt", "never", "without", "nothing", "none", "nobody", "neither",
    "nor", "cannot", "lack", "lacking", "hardly", "barely", "didnt", "dont", "doesnt", "wasnt",
    "werent", "isnt", "arent", "havent", "hasnt", "hadnt", "cant", "couldnt", "wont", "wouldnt",
    "shouldnt",
})
CONTRASTS = frozenset({"but", "however", "although", "though", "whereas", "except", "while",
                       "whilst", "apart"})
ABSENCE_NOUNS = frozenset({"problem", "issue", "complaint", "trouble", "difficulty", "concern",
                           "hassle", "fault", "bother", "worry"})
ABSENCE_AFTER_NOTHING = frozenset({"wrong", "bad"})
POSITIVE = frozenset({
    "good", "great", "fine", "excellent", "helpful", "easy", "brilliant", "wonderful", "happy",
    "pleased", "kind", "lovely", "fantastic", "ok", "okay", "well", "quick", "supportive",
    "perfect", "amazing", "useful", "smooth", "simple", "clear", "enough", "efficient",
    "friendly", "caring", "satisfied", "improve", "improved", "better", "best", "love",
    "marvellous", "superb", "prompt", "reliable", "straightforward", "grateful", "thank",
})
NEGATIVE = frozenset({
    "nightmare", "problem", "issue", "difficult", "hard", "slow", "poor", "bad", "terrible",
    "awful", "complicated", "confusing", "stressful", "stress", "delay", "late", "rude",
    "unhelpful", "frustrating", "worst", "struggle", "complaint", "hassle", "trouble", "mess",
    "unclear", "inadequate", "worry", "worried", "difficulty", "long", "lengthy", "horrendous",
    "wrong", "fail", "lack", "cut", "waste", "chaotic", "useless", "hopeless", "impossible",
    "disappointing", "disappointed", "concern",
})

_NLP: Any = None


def get_nlp() -> Any:
    """The shared spaCy pipeline: blank English with the lookup lemmatizer (built once).

    Its tokens carry only the lexical properties the keyword rules read (``is_punct``,
    ``is_space``): working out the twenty others (shape, prefix, ``like_num``...) for
    every word the vocabulary meets for the first time took a third of the time of
    tokenizing an answer.
    """
    global _NLP
    if _NLP is None:
        import spacy
        from spacy.attrs import IS_PUNCT, IS_SPACE, LANG

        nlp = spacy.blank("en")
        getters = nlp.vocab.lex_attr_getters
        nlp.vocab.lex_attr_getters = {attr: getters[attr]
                                      for attr in (IS_PUNCT, IS_SPACE, LANG) if attr in getters}
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        nlp.initialize()  # loads the lookup tables from spacy-lookups-data
        _NLP = nlp
    return _NLP


@dataclass(frozen=True, slots=True)
class KeywordToken:
    """One word of a keyword phrase: ``acronym`` words ("PA") only match the same capitals."""

    lower: str
    lemma: str
    surface: str
    acronym: bool


@dataclass(slots=True)
class Word:
    """What the keyword rules know about one token text (the same wherever it stands).

    Shared by every occurrence of the text, so never changed once made (not frozen only
    because a frozen dataclass is several times slower to make).

    Attributes:
        surface: The token as written, without edge hyphens, slashes or quotes.
        shift: Characters stripped from the token's start (``"-social"`` → 1).
        lower: ``surface`` lower-cased.
        lemma: The lemma of ``lower`` (itself when the table has none).
        barrier: Punctuation or a contrast word: ends a clause.
        stop: A barrier that is not a word (punctuation): also ends a phrase.
        fuzzy: ``(keyword lemma, keyword form, similarity)`` for a misspelt keyword word.
        negation: A negation word ("not", "never", "without"...).
        tone: +1 positive cue word, -1 negative, 0 neither.
        absence_noun: A problem noun of "no problems with X" (by lemma).
        after_nothing: "wrong"/"bad", as in "nothing wrong with X".
        candidates: Keyword phrases that may start at this word, in codebook order.
    """

    surface: str
    shift: int
    lower: str
    lemma: str
    barrier: bool
    stop: bool
    fuzzy: tuple[str, str, float] | None
    negation: bool
    tone: int
    absence_noun: bool
    after_nothing: bool
    candidates: tuple[Any, ...]


@dataclass(slots=True)
class AnswerTokens:
    """An answer's words with their character spans: ``text[starts[i]:ends[i]]``."""

    words: list[Word]
    starts: list[int]
    ends: list[int]


_UNSEEN = object()


class Lexicon:
    """Lemmas, known words, keyword words' spellings, and one :class:`Word` per token text.

    Args:
        nlp: The pipeline of :func:`get_nlp`.
        fuzzy_threshold: Minimum :func:`rapidfuzz.fuzz.ratio` for a misspelt word to count
            as a keyword word; ``None`` or 100 turns fuzzy matching off.
    """

    def __init__(self, nlp: Any, fuzzy_threshold: float | None) -> None:
        self.nlp = nlp
        self.fuzzy_threshold = fuzzy_threshold
        self.fuzzy_on = fuzzy_threshold is not None and fuzzy_threshold < 100
        self._lookup = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
        from spacy.lang.en.stop_words import STOP_WORDS

        self._known = set(self._lookup.values()) | set(STOP_WORDS)
        self._lemmas: dict[str, str] = {}
        self._fuzzy_cache: dict[str, tuple[str, str, float] | None] = {}
        self._fuzzy_forms: dict[str, tuple[list[str], list[str]]] = {}
        self._forms: dict[str, str] = {}
        self.keyword_words: set[str] = set()
        self._words: dict[int, tuple[Word, int, int] | None] = {}  # by token text
        self._candidates: Callable[[str, str, str, str | None], tuple[Any, ...]] = \
            lambda lemma, lower, surface, fuzzy_lemma: ()

    # ------------------------------------------------------------------ keywords

    def lemma(self, lower: str) -> str:
        """The lemma of a lower-cased word (the word itself when the table has none)."""
        lemma = self._lemmas.get(lower)
        if lemma is None:
            lemma = self._lookup.get(lower, lower)
            self._lemmas[lower] = lemma
        return lemma

    def keyword_tokens(self, text: str) -> list[KeywordToken]:
        """A keyword phrase's words, joiners left out; each word is remembered as a keyword
        word (and, when long enough, as a spelling a misspelt word may be compared with)."""
        tokens: list[KeywordToken] = []
        for tok in self.nlp.tokenizer(text):
            if tok.is_space or tok.text in JOINERS:
                continue
            lower = tok.text.lower()
            acronym = tok.text.isalpha() and tok.text.isupper() and len(tok.text) >= 2
            tokens.append(KeywordToken(lower, self.lemma(lower), tok.text, acronym))
        for tok in tokens:
            if tok.acronym:
                continue
            self.keyword_words.update((tok.lower, tok.lemma))
            if len(tok.lemma) >= MIN_FUZZY_LENGTH and tok.lemma.isalpha():
                for form in self._inflections(tok.lemma) | {tok.lower}:
                    self._forms.setdefault(form, tok.lemma)
        return tokens

    def _inflections(self, lemma: str) -> set[str]:
        """The lemma and its regular inflections that the lookup table maps back to it."""
        stem = lemma[:-1]
        candidates = {lemma + "s", lemma + "es", lemma + "ed", lemma + "d", lemma + "ing",
                      stem + "ing", stem + "ies", stem + "ied", lemma + lemma[-1] + "ing",
                      lemma + lemma[-1] + "ed"}
        return {lemma} | {c for c in candidates if self._lookup.get(c) == lemma}

    def finish(self, candidates: Callable[[str, str, str, str | None], tuple[Any, ...]]
               ) -> None:
        """Called once every keyword is added: ``candidates(lemma, lower, surface,
        fuzzy_lemma)`` gives the phrases that may start at a word."""
        for form, lemma in sorted(self._forms.items()):
            forms, lemmas = self._fuzzy_forms.setdefault(form[0], ([], []))
            forms.append(form)
            lemmas.append(lemma)
        self._candidates = candidates
        self._words.clear()

    # ------------------------------------------------------------------ answers

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

    def _word(self, token: Any) -> Word | None:
        """The :class:`Word` of a spaCy token (``None`` for spaces and joiners)."""
        text = token.text
        if token.is_space or text in JOINERS:
            return None
        shift = 0
        if len(text) > 1 and (text[0] in _EDGE or text[-1] in _EDGE):
            # "social-\nworker" tokenizes as "social-": match the word, span the word
            core = text.strip(_EDGE)
            if core:
                shift = len(text) - len(text.lstrip(_EDGE))
                text = core
        lower = text.lower()
        lemma = self.lemma(lower)
        fuzzy = None
        if (self.fuzzy_on and len(lower) >= MIN_FUZZY_LENGTH and lower.isalpha()
                and lower not in self.keyword_words and lemma not in self.keyword_words
                and lower not in self._known and lower not in self._lookup):
            fuzzy = self._fuzzy(lower)
        barrier = token.is_punct or lower in CONTRASTS
        if lemma in POSITIVE or lower in POSITIVE:
            tone = 1
        elif lemma in NEGATIVE or lower in NEGATIVE:
            tone = -1
        else:
            tone = 0
        candidates = self._candidates(lemma, lower, text,
                                      fuzzy[0] if fuzzy is not None else None)
        return Word(text, shift, lower, lemma, barrier, barrier and not lower.isalpha(), fuzzy,
                    lower in NEGATIONS, tone, lemma in ABSENCE_NOUNS,
                    lower in ABSENCE_AFTER_NOTHING, candidates)

    def tokens(self, doc: Sequence[Any]) -> AnswerTokens:
        """A tokenized answer's words and spans (spaces and joiners left out)."""
        cache = self._words
        words: list[Word] = []
        starts: list[int] = []
        ends: list[int] = []
        add_word, add_start, add_end = words.append, starts.append, ends.append
        for token in doc:
            entry = cache.get(token.orth, _UNSEEN)
            if entry is _UNSEEN:
                word = self._word(token)
                entry = None if word is None else (word, word.shift, len(word.surface))
                if len(cache) >= MAX_CACHED_WORDS:
                    cache.clear()
                cache[token.orth] = entry
            if entry is not None:
                word, shift, length = entry  # type: ignore[misc]
                start = token.idx + shift
                add_word(word)
                add_start(start)
                add_end(start + length)
        return AnswerTokens(words, starts, ends)
