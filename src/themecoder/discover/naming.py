"""Words and names for candidates: class-based TF-IDF over phrases that occur in the answers.

A *phrase* is one to three consecutive topical words of an answer, never across a stop word
or punctuation: "hospital transport" occurs in "the hospital transport was late", but
"tell doctor" does not occur in "tell us about the doctor" (that would be a stop-word
bridge). Contractions ("it's", "don't") are grammar, not topic, and never part of a phrase;
a possessive loses its "'s" ("the driver's" → "driver"). Words are compared by lemma
("drivers" and "driver" count as one) and shown as they are most often written.

A candidate's *top words* are its phrases ranked by class-based TF-IDF (c-TF-IDF, as in
BERTopic): each candidate, and the answers left in no candidate, is one class;
``weight(t, c) = share of c's answers containing t × log(1 + A / f(t))`` where ``A`` is the
mean number of answers per class and ``f(t)`` the number of answers containing ``t`` across
all classes. Its *name* joins its two most distinctive phrases ("Transport / driver").

A candidate is *about the survey itself* ("Because it is true", "See previous question")
when most of its answers use words about questions, answers and the form: such candidates
rank last.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from themecoder.discover.pool import _stop_words

SURVEY_WORDS = frozenset("""
question questions questionnaire survey surveys answer answers answered answering true
truth truthful truthfully honest honestly previous previously above response responses
reply replies tick ticked box boxes opinion rating explained
""".split())
"""Words of answers about the survey itself rather than the service."""

MIN_SHARE = 0.1
"""A phrase becomes a top word only if at least this share of the candidate's answers has it."""

MAX_PHRASE = 3
"""Longest phrase, in words."""

_TOKEN_RE = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?|[^\w\s]|\d+")


def _lemmatiser() -> Callable[[str], str]:
    """Word → lemma through spaCy's lookup table (identity if the tables are missing)."""
    try:
        from themecoder.suggest.keywords import get_nlp

        table = get_nlp().get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
    except Exception:  # no lemma tables: plain words still name a topic, a little less well
        return lambda word: word
    cache: dict[str, str] = {}

    def lemma(word: str) -> str:
        found = cache.get(word)
        if found is None:
            found = cache[word] = table.get(word, word)
        return found

    return lemma


def segments(text: str) -> list[list[str]]:
    """Runs of consecutive topical words (lower-cased), split at stop words, contractions,
    numbers and punctuation."""
    stop = _stop_words()
    out: list[list[str]] = [[]]
    for token in _TOKEN_RE.findall(text.casefold().replace("’", "'").replace("‘", "'")):
        word = token
        if "'" in word:
            base, _, tail = word.partition("'")
            word = base if tail == "s" else ""
        if len(word) > 1 and word.isalpha() and word not in stop:
            out[-1].append(word)
        elif out[-1]:
            out.append([])
    return [s for s in out if s]


class PhraseCounter:
    """Phrases per answer, by lemma, remembering how each is most often written."""

    def __init__(self) -> None:
        self._lemma = _lemmatiser()
        self._written: dict[str, Counter[str]] = {}

    def phrases(self, text: str) -> set[str]:
        """The lemma keys of the phrases in ``text`` (each once)."""
        found: set[str] = set()
        for run in segments(text):
            lemmas = [self._lemma(w) for w in run]
            for n in range(1, MAX_PHRASE + 1):
                for start in range(len(run) - n + 1):
                    key = " ".join(lemmas[start:start + n])
                    self._written.setdefault(key, Counter())[" ".join(run[start:start + n])] += 1
                    found.add(key)
        return found

    def written(self, key: str) -> str:
        """How the phrase ``key`` is most often written in the answers."""
        counts = self._written.get(key)
        return counts.most_common(1)[0][0] if counts else key


def class_tfidf(answer_phrases: Sequence[set[str]], classes: Sequence[Sequence[int]],
                counter: PhraseCounter, limit: int = 6) -> list[list[str]]:
    """The top phrases of each class by c-TF-IDF (see the module docstring).

    Args:
        answer_phrases: The phrase keys of every answer in the pool.
        classes: Row numbers of each candidate's answers; answers in no class form one more
            class (the rest of the pool).
        counter: The counter that produced the phrases (for how they are written).
        limit: Phrases per class.

    Returns:
        Per class, its top phrases as written, most distinctive first.
    """
    import math

    n = len(answer_phrases)
    member = [False] * n
    for rows in classes:
        for r in rows:
            member[r] = True
    rest = [r for r in range(n) if not member[r]]
    all_classes = [list(rows) for rows in classes] + ([rest] if rest else [])
    total: Counter[str] = Counter()
    for phrases in answer_phrases:
        total.update(phrases)
    mean_size = n / max(len(all_classes), 1)
    out: list[list[str]] = []
    for rows in classes:
        inside: Counter[str] = Counter()
        for r in rows:
            inside.update(answer_phrases[r])
        size = max(len(rows), 1)
        scored = []
        for key, count in inside.items():
            if count < 2 or count / size < MIN_SHARE:
                continue
            weight = count / size * math.log(1 + mean_size / total[key])
            # a longer phrase is worth a little more than its words said apart
            weight *= 1 + 0.15 * (key.count(" "))
            scored.append((-weight, key))
        scored.sort()
        out.append(_distinct([key for _, key in scored], counter, limit))
    return out


def _distinct(keys: list[str], counter: PhraseCounter, limit: int) -> list[str]:
    """Best phrases first, skipping one whose words a chosen phrase already says."""
    chosen: list[str] = []
    for key in keys:
        words = set(key.split())
        if any(words <= set(other.split()) or set(other.split()) <= words
               for other in chosen):
            continue
        chosen.append(key)
        if len(chosen) >= limit:
            break
    return [counter.written(key) for key in chosen]


def propose_name(top_words: Sequence[str]) -> str:
    """A theme name from a candidate's top phrases: ``["minibus", "day centre"]`` →
    ``"Minibus / day centre"``."""
    words = list(top_words[:2])
    if not words:
        return "New theme"
    name = " / ".join(words)
    return name[:1].upper() + name[1:]


def about_survey(texts: Sequence[str], top_words: Sequence[str]) -> bool:
    """Whether a candidate is about the survey itself: most of its answers, or its two
    naming phrases, use words about questions and answers."""
    def surveyish(words: Any) -> bool:
        return any(w in SURVEY_WORDS for w in words)

    if top_words and all(surveyish(p.split()) for p in top_words[:2]):
        return True
    hits = sum(1 for t in texts if surveyish(re.findall(r"[a-z]+", t.casefold())))
    return hits * 2 > len(texts)
