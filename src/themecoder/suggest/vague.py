"""Answers too vague to code: stock non-answers ("n/a", "nothing", "as above"...) and answers
with too few words that could carry a theme.

Without a trained model, :class:`~themecoder.suggest.suggester.Suggester` suggests *Not
assigned* for them; with one, the model's own Not-assigned decision rules.
"""

from __future__ import annotations

import re

# Stock non-answers; compared after lower-casing, trimming punctuation and spaces.
VAGUE_ANSWERS = frozenset({
    "", "n/a", "na", "n.a", "n a", "none", "nothing", "nil", "no", "nope", "fine", "ok",
    "okay", "as above", "see above", "same as above", "as before", "see previous answer",
    "see previous", "as previous", "ditto", "no comment", "no comments", "don't know",
    "dont know", "do not know", "not sure", "unsure", "dk", "not applicable", "nothing else",
    "nothing really", "nothing to add", "nothing to say", "none really", "no idea", "x",
    "not really", "all fine", "it's fine", "its fine", "nothing at all", "none at all",
    "no changes", "no change", "nothing to change", "nothing much",
})

# Words that carry no theme on their own (a compact English stop list plus survey filler).
_FUNCTION_WORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before
being below between both but by can could did do does doing done down during each else ever
every everything few for from further get got had has have having he her here hers herself
him himself his how i if in into is it its itself just me more most much my myself no nor
not now of off on once only or other our ours ourselves out over own same she should so some
something such than that the their theirs them themselves then there these they this those
through to too under until up very was we were what when where which while who whom why will
with would you your yours yourself yourselves really quite bit lot lots thing things way yes
no ok okay fine nothing none anything well good also still etc dont don didn doesn isn wasn
wouldn couldn can't cannot won't don't didn't doesn't isn't wasn't know sure think say said
comment comments answer question applicable see above previous same time times always never
""".split())
_WORD_RE = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_TRIM = " \t\r\n.,;:!?-–—_*'\"“”‘’()[]"


def _normalise(text: str) -> str:
    text = text.casefold().replace("’", "'").replace("‘", "'")
    return " ".join(text.split()).strip(_TRIM)


def is_stock_non_answer(text: str | None) -> bool:
    """Whether ``text`` is empty or one of :data:`VAGUE_ANSWERS` ("n/a", "nothing", "fine"...)."""
    if text is None or text != text:  # None or NaN
        return True
    norm = _normalise(str(text))
    return norm in VAGUE_ANSWERS or not any(ch.isalnum() for ch in norm)


def content_words(text: str) -> list[str]:
    """The words of ``text`` that could carry a theme (not function words or filler)."""
    return [w for w in _WORD_RE.findall(text.casefold().replace("’", "'"))
            if len(w) > 1 and w not in _FUNCTION_WORDS]


def looks_vague(text: str | None, *, keyword_hit: bool = False) -> bool:
    """Whether an answer looks too vague to code (the coder should pick Not assigned).

    Args:
        text: The answer as written.
        keyword_hit: Whether a codebook keyword matched it: a one-word answer such as
            "Paperwork" is not vague when it names a theme.

    Returns:
        True for empty text, punctuation only ("-", "..."), stock non-answers ("n/a", "none",
        "nothing", "fine", "ok", "as above", "see above", "no comment", "don't know"...), and
        answers with fewer than two content words and no keyword hit ("Everything.",
        "Very good").
    """
    if is_stock_non_answer(text):
        return True
    return len(content_words(str(text))) < 2 and not keyword_hit
