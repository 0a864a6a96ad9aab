"""Survey questions: the three POET questions, the questions a codebook declares, and telling
which question a survey's column header or question label means.

POET asks *what worked well*, *what did not work well* and *what would you change*
(``worked_well``, ``not_well``, ``change``); their many wordings are recognised. Other
surveys ask other questions — the NHS Friends and Family Test's "FFT Why?", a council's own
"Anything else?" — and a codebook may declare them, each with an id, the label reports print
and, optionally, the other ways a survey file writes it::

    questions:
      - worked_well
      - id: fft_why
        label: Why did you give that answer?
        aliases: ["FFT Why?", "Why?"]

A declared question is matched first (its id, label or an alias, ignoring case, spacing and
a final ``?``), so it wins over a POET wording it happens to resemble.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

QUESTIONS: tuple[str, ...] = ("worked_well", "not_well", "change")
"""The POET question ids, in the order surveys ask them."""

QUESTION_LABELS: dict[str, str] = {
    "worked_well": "What worked well",
    "not_well": "What did not work well",
    "change": "What would you change",
}
"""How reports name the POET questions."""

_POET_WORDINGS: dict[str, str] = {
    "worked_well": "worked_well", "worked well": "worked_well", "ww": "worked_well",
    "what worked well": "worked_well", "q1": "worked_well", "good": "worked_well",
    "not_well": "not_well", "not well": "not_well", "did not work well": "not_well",
    "what did not work well": "not_well", "didn't work well": "not_well",
    "what didn't work well": "not_well", "q2": "not_well", "nw": "not_well",
    "change": "change", "would change": "change", "what would you change": "change",
    "q3": "change", "improve": "change",
}


@dataclass(frozen=True)
class DeclaredQuestion:
    """A question a codebook declares.

    Attributes:
        id: The question's id, stored with every answer (lower-case letters, digits, ``_``).
        label: How reports, the app and exports name it.
        aliases: Other ways a survey file writes it (column headers, question labels).
    """

    id: str
    label: str
    aliases: tuple[str, ...] = ()

    def wordings(self) -> tuple[str, ...]:
        """Everything that names this question in a survey file."""
        return (self.id, self.label, *self.aliases)


def _key(value: object) -> str:
    """A wording compared loosely: case, spacing and a final ``?``, ``.``, ``!``, ``:`` ignored."""
    return re.sub(r"[?.!:]+$", "", " ".join(str(value).strip().casefold().split())).strip()


def question_label(question: str, declared: Iterable[DeclaredQuestion] = ()) -> str:
    """How reports name ``question``: its declared label, the POET label, or the id."""
    for item in declared:
        if item.id == question:
            return item.label
    return QUESTION_LABELS.get(question, question)


def normalise_question(value: str, declared: Iterable[DeclaredQuestion] = ()) -> str | None:
    """The question id a survey's header or label means, or ``None`` when it is not known.

    Declared questions come first (by id, label or alias); then the POET wordings
    ("What did not work well?" → ``not_well``).
    """
    key = _key(value)
    for item in declared:
        if key in {_key(w) for w in item.wordings()}:
            return item.id
    if key in _POET_WORDINGS:
        return _POET_WORDINGS[key]
    words = set(re.findall(r"[a-z']+", key))
    if words & {"change", "improve", "improved", "improvement", "better", "differently"}:
        return "change"
    if "well" in words or "good" in words:
        if words & {"not", "didn't", "didnt", "badly", "poorly"}:
            return "not_well"
        return "worked_well"
    if words & {"bad", "badly", "poorly", "problems", "problem"}:
        return "not_well"
    return None


def ordered(questions: Iterable[str]) -> list[str]:
    """Question ids in survey order: the POET questions first, then others as first seen."""
    seen = list(dict.fromkeys(questions))
    return [q for q in QUESTIONS if q in seen] + [q for q in seen if q not in QUESTIONS]


def declared_by(codebooks: Iterable[object]) -> tuple[DeclaredQuestion, ...]:
    """The questions the codebooks declare, each id once (the first declaration counts)."""
    found: dict[str, DeclaredQuestion] = {}
    for codebook in codebooks:
        for question in getattr(codebook, "declared_questions", ()):
            found.setdefault(question.id, question)
    return tuple(found.values())
