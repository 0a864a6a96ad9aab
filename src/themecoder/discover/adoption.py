"""Adopting a candidate: a new theme in a new codebook version, and answers coded with it.

:func:`adopt` adds the theme (the group's codebook gets a new minor version, recorded with a
change note naming the candidate) and, in the same step, codes the chosen answers with it:
by default only the candidate's examples that are similar enough to it to need no review
(:meth:`~themecoder.discover.candidates.Candidate.sure_example_ids`); the rest of the
candidate is left for a person to review (the app opens it as a filtered queue).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from themecoder.codebook import Codebook, Theme, slugify
from themecoder.errors import StoreError

if TYPE_CHECKING:
    from themecoder.discover.candidates import Candidate
    from themecoder.store.project import Project

CODE_CHOICES = ("examples", "all", "none")
"""What adopting codes: the sure examples, every member, or nothing."""


@dataclass(frozen=True)
class Adoption:
    """What :func:`adopt` did.

    Attributes:
        codebook: The new codebook version.
        theme: The new theme.
        coded: Answers coded with it.
        change_note: The note recorded with the codebook version.
        to_review: The candidate's other answers, for a person to review.
        candidate: The candidate adopted.
    """

    codebook: Codebook
    theme: Theme
    coded: tuple[int, ...]
    change_note: str
    to_review: tuple[int, ...] = ()
    candidate: Candidate | None = None


def theme_id_for(name: str) -> str:
    """A theme id from a name that has words: ``"Café & food"`` → ``"cafe_food"``.

    Raises:
        StoreError: the name has no letter ("!!!", "123").
    """
    name = " ".join(name.split())
    if not re.search(r"[^\W\d_]", name):
        raise StoreError(f"the theme name {name!r} has no word in it; give a name such as "
                         "'Transport'", field="name")
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = slugify(ascii_name)
    if not re.search(r"[a-z]", slug):
        raise StoreError(f"the theme name {name!r} gives no usable theme id; give a name "
                         "with letters a-z or pass a theme id", field="name")
    return slug


def adopt(project: Project, candidate: Candidate, *, name: str, definition: str = "",
          keywords: Sequence[str] = (), coder: str, code: str = "examples",
          answer_ids: Sequence[int] | None = None, theme_id: str | None = None) -> Adoption:
    """Add a theme for ``candidate`` to its group's codebook and code answers with it.

    The new codebook version (minor version bumped) becomes the group's active codebook,
    stored with a change note naming the discovery ("added theme X from discovery: 14
    answers, top words ..."). In the same step the chosen answers are coded with the new
    theme by ``coder`` (source ``manual``); an answer this coder had already coded keeps its
    themes and gains the new one. A model registered for the codebook was trained on the
    old theme list, so it is unregistered (suggestions fall back to keywords until the model
    is retrained).

    Args:
        project: The project.
        candidate: From :func:`~themecoder.discover.candidates.run_discovery`.
        name: The theme's name (must contain a word).
        definition: What it covers (default: a line naming the candidate's top words).
        keywords: Words and phrases that signal it (for the keyword suggester).
        coder: Who codes the answers.
        code: ``examples`` (the examples similar enough to the candidate), ``all`` (every
            member) or ``none``; ignored when ``answer_ids`` is given.
        answer_ids: Code exactly these answers instead.
        theme_id: The theme's id (default: made from the name).

    Returns:
        What was done, with the candidate's answers left to review.

    Raises:
        CodebookError: a theme with that id or name already exists.
        StoreError: a name without a word, no coder, or an answer outside the candidate's
            codebook.
    """
    from themecoder.suggest.project_suggest import MODEL_KEY

    if code not in CODE_CHOICES:
        raise ValueError(f"code must be one of {CODE_CHOICES}, not {code!r}")
    name = " ".join(name.split())
    if not name:
        raise StoreError("the new theme needs a name", field="name")
    new_id = theme_id or theme_id_for(name)
    coder = coder.strip()
    if not coder:
        raise StoreError("coding the answers needs a coder name", field="coder")
    old = project.codebook_for_group(candidate.group)
    theme = Theme(id=new_id, name=name,
                  definition=" ".join(definition.split()) or
                  f"Answers about {', '.join(candidate.top_words[:4])}.",
                  keywords=tuple(k.strip() for k in keywords if k.strip()),
                  questions=old.questions)
    new = old.with_theme(theme)
    if answer_ids is None:
        answer_ids = {"examples": candidate.sure_example_ids(), "all": candidate.answer_ids,
                      "none": ()}[code]
    ids = list(dict.fromkeys(answer_ids))
    for answer_id in ids:
        if project.codebook_for_group(project.answer(answer_id).group).id != old.id:
            raise StoreError(f"answer {answer_id} is not coded with codebook '{old.id}'",
                             field="answer")
    note = (f"added theme {name} from discovery: {candidate.size} answers, top words "
            f"{', '.join(candidate.top_words)}")
    project.add_codebook(new, change_note=note)
    if project.info().get(MODEL_KEY.format(codebook_id=old.id)):
        project.set_info(MODEL_KEY.format(codebook_id=old.id), "")
    current = project.current_decisions(coder=coder, answer_ids=ids) if ids else {}
    for answer_id in ids:
        before = current.get((answer_id, coder))
        themes = [theme.id]
        if before is not None and not before.not_assigned:
            themes = [*before.themes, theme.id]
        project.record_decision(answer_id, coder, themes, source="manual")
    coded = set(ids)
    return Adoption(codebook=new, theme=theme, coded=tuple(ids), change_note=note,
                    to_review=tuple(a for a in candidate.answer_ids if a not in coded),
                    candidate=candidate)


def adopt_candidate(project: Project, candidate: Candidate, *, name: str,
                    definition: str = "", keywords: Sequence[str] = (), coder: str,
                    code_examples: bool = True, answer_ids: Sequence[int] | None = None,
                    theme_id: str | None = None) -> Codebook:
    """:func:`adopt`, returning only the new codebook version (``code_examples=False``
    codes nothing unless ``answer_ids`` is given)."""
    return adopt(project, candidate, name=name, definition=definition, keywords=keywords,
                 coder=coder, code="examples" if code_examples else "none",
                 answer_ids=answer_ids, theme_id=theme_id).codebook
