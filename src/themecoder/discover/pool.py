"""The discovery pool: the answers no theme covers, and which of them carry no topic at all.

An answer is *uncovered* when it has a comment and no theme:

- its final decision is Not assigned, or
- nobody has decided it yet and its stored suggestion is weak (best score below
  ``weak_score``) or missing.

Of those, *non-answers* are left out before clustering: the stock non-answers the suggester
knows ("n/a", "nothing", "no comment", "as above"…) and answers without a single topical
word ("Did not answer", "Can't think of anything", "Everything."). Everything else takes
part, however short: "Food", "Dinner" and "Pudding." are exactly what a new theme looks
like. :class:`PoolAccount` says how many answers went where, so nothing is dropped silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from themecoder.errors import StoreError

if TYPE_CHECKING:
    from themecoder.store.project import Answer, Project

# Words that say nothing about a topic on their own: contractions written without their
# apostrophe, and the words of survey non-answers ("did not answer", "can't think of
# anything", "see previous comment"). English stop words are added when first needed.
NON_TOPICAL_WORDS = frozenset("""
did didn does doesn doing done don dont didnt doesnt isnt wasnt cant wont wouldnt couldnt
shouldnt im ive id youre theyre thats whats answer answers answered answering comment
comments question questions applicable know knew sure unsure think thought remember
previous previously said say just really ok okay yes yeah etc lot lots thing things stuff
""".split())

_WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS) | NON_TOPICAL_WORDS


def topical_words(text: str) -> list[str]:
    """The words of ``text`` that could name a topic (lower-cased; no stop words, no
    contractions, no survey filler)."""
    stop = _stop_words()
    out = []
    for word in _WORD_RE.findall(text.casefold().replace("’", "'")):
        if "'" in word:
            base, _, tail = word.partition("'")
            if tail != "s":  # it's, don't, I've: grammar, not topic
                continue
            word = base  # the driver's → driver
        if len(word) > 1 and word not in stop:
            out.append(word)
    return out


def is_non_answer(text: str | None) -> bool:
    """Whether an answer says nothing a theme could be about: a stock non-answer or no
    topical word at all. One topical word is enough to take part ("Food")."""
    from themecoder.suggest.vague import is_stock_non_answer

    return is_stock_non_answer(text) or not topical_words(str(text))


@dataclass(frozen=True)
class PoolAccount:
    """Where the uncovered answers went.

    Attributes:
        uncovered: Commented answers with no theme (Not assigned, or undecided with a weak or
            missing suggestion).
        non_answers: Of those, left out as non-answers.
        in_candidates: Of those, members of a candidate.
        noise: Of those, taking part but in no candidate (too far from every topic).
    """

    uncovered: int = 0
    non_answers: int = 0
    in_candidates: int = 0

    @property
    def clustered(self) -> int:
        """Answers that took part in clustering."""
        return self.uncovered - self.non_answers

    @property
    def noise(self) -> int:
        """Answers that took part but joined no candidate."""
        return self.clustered - self.in_candidates

    def __add__(self, other: PoolAccount) -> PoolAccount:
        return PoolAccount(self.uncovered + other.uncovered,
                           self.non_answers + other.non_answers,
                           self.in_candidates + other.in_candidates)

    def describe(self) -> str:
        """One line: ``"412 answers without a theme: 96 non-answers left out, 250 in
        candidates, 66 left as noise"``."""
        plural = "" if self.non_answers == 1 else "s"
        return (f"{self.uncovered} answers without a theme: {self.non_answers} "
                f"non-answer{plural} left out, {self.in_candidates} in candidates, "
                f"{self.noise} left as noise")


def check_group(project: Project, group: str | None) -> None:
    """Raise a one-line error when ``group`` is not a respondent group of the project."""
    if group is None:
        return
    groups = sorted({g for codebook in project.codebooks() for g in codebook.groups})
    if group not in groups:
        known = ", ".join(groups) or "none yet"
        raise StoreError(f"no respondent group '{group}' in the project (groups: {known})",
                         field="group")


def uncovered_answers(project: Project, *, group: str | None = None,
                      weak_score: float = 0.35) -> dict[str, list[Answer]]:
    """The commented answers without a theme, per respondent group, in import order.

    Args:
        project: The project.
        group: Only this respondent group (an unknown group is an error).
        weak_score: A suggestion whose best score is below this does not count as a theme.

    Returns:
        ``{group: answers}``; groups with no such answer are left out.
    """
    check_group(project, group)
    decided = project.final_decisions()
    suggestions = project.suggestions()
    out: dict[str, list[Answer]] = {}
    for answer in project.answers(group=group, with_comment=True):
        decision = decided.get(answer.id)
        if decision is not None:
            if not decision.not_assigned:
                continue
        else:
            suggestion = suggestions.get(answer.id)
            if suggestion is not None and suggestion.top_score >= weak_score:
                continue
        out.setdefault(answer.group, []).append(answer)
    return out


def discovery_pool(project: Project, *, group: str | None = None,
                   weak_score: float = 0.35) -> dict[str, list[Answer]]:
    """The uncovered answers that take part in clustering (non-answers left out), per group
    in import order; arguments as for :func:`uncovered_answers`."""
    out: dict[str, list[Answer]] = {}
    for grp, answers in uncovered_answers(project, group=group,
                                          weak_score=weak_score).items():
        kept = [a for a in answers if not is_non_answer(a.text)]
        if kept:
            out[grp] = kept
    return out
