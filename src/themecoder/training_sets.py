"""The coded answers a model learns from: this year's decisions and earlier years' coding.

- :func:`project_training_data`: a project's final decisions for one codebook (a Not
  assigned decision is a row with no theme).
- Prior coding comes from a *training link* (:mod:`themecoder.store.model_registry`): a
  hand-coded file read as ``themecoder train`` read it, or a prior-year project whose
  decisions are that coding. :func:`link_from_model` finds the file a model was trained on
  from its metadata (``themecoder suggest PROJECT --model M`` records it);
  :func:`link_training_file` and :func:`link_prior_project` name one explicitly (``themecoder
  project link-training``), and :func:`prior_coding` reads it back for retraining.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from themecoder.codebook import Codebook
from themecoder.errors import StoreError, ThemecoderError
from themecoder.store.model_registry import (
    TrainingLink,
    set_training_link,
    training_link,
)

if TYPE_CHECKING:
    from themecoder.store.project import Project

LINKED_BY_COMMAND = "link-training"
"""Origin of a link named with ``themecoder project link-training``; a model's metadata
never replaces such a link."""


class PriorCodingError(ThemecoderError):
    """The prior coding a project is linked to cannot be read."""


@dataclass
class CodedAnswers:
    """Coded answers as the classifier takes them (one codebook).

    Attributes:
        texts: The answers.
        questions: Each answer's question (``None`` when unknown).
        Y: (n, k) 0/1 array over ``theme_ids``; a row of zeros is an answer coded Not
            assigned (or, in a file, with nothing).
        theme_ids: The codebook's theme ids, in column order.
        answer_ids: Each answer's id in the project (empty for a file).
        keys: Each answer's stable key (the project's answer key, or ``row <n>``).
        source: Where the answers come from, in words.
    """

    texts: list[str]
    questions: list[str | None]
    Y: Any
    theme_ids: list[str]
    answer_ids: list[int]
    keys: list[str]
    source: str

    def __len__(self) -> int:
        return len(self.texts)

    def rows(self, index: Any) -> CodedAnswers:
        """The answers at the positions ``index`` (a sequence of ints)."""
        index = [int(i) for i in index]
        return CodedAnswers(
            texts=[self.texts[i] for i in index], questions=[self.questions[i] for i in index],
            Y=self.Y[index], theme_ids=list(self.theme_ids),
            answer_ids=[self.answer_ids[i] for i in index] if self.answer_ids else [],
            keys=[self.keys[i] for i in index], source=self.source)

    def fingerprint(self) -> str:
        """SHA-256 of the texts, questions and labels."""
        from themecoder.suggest.model_files import training_fingerprint

        return training_fingerprint(self.texts, self.questions, self.Y)


ProjectTrainingData = CodedAnswers
"""The name :func:`project_training_data` returned in earlier releases."""


def _empty_labels(k: int) -> Any:
    import numpy as np

    return np.zeros((0, k), dtype=np.int8)


def project_training_data(project: Project, codebook: Codebook) -> CodedAnswers:
    """Every answer coded for ``codebook`` (final decisions, imported coding included).

    A Not assigned decision is a row with no theme: the model learns what vague looks
    like. Themes no longer in the codebook are ignored. The model's own automatic decisions
    (source ``auto``) are left out: a model must not learn from itself.
    """
    import numpy as np

    column = {t: j for j, t in enumerate(codebook.theme_ids)}
    decided = project.final_decisions()
    ids, keys, texts, questions, rows = [], [], [], [], []
    for answer in project.answers(with_comment=True, with_attributes=False):
        decision = decided.get(answer.id)
        if decision is None or decision.source == "auto" \
                or not codebook.applies_to(answer.group):
            continue
        row = np.zeros(len(column), dtype=np.int8)
        for theme_id in decision.themes:
            if theme_id in column:
                row[column[theme_id]] = 1
        ids.append(answer.id)
        keys.append(answer.key)
        texts.append(answer.text)
        questions.append(answer.question)
        rows.append(row)
    Y = np.array(rows, dtype=np.int8).reshape(len(rows), len(column)) if rows \
        else _empty_labels(len(column))
    return CodedAnswers(texts, questions, Y, list(codebook.theme_ids), ids, keys,
                        f"project {project.display_location}")


# --------------------------------------------------------------------------- a model's file


@dataclass(frozen=True)
class ModelTrainingFile:
    """The hand-coded file a model's metadata says it was trained on."""

    given: str
    """The path as recorded (as the person training named it)."""
    found: Path | None
    """Where it is now, ``None`` when it cannot be found."""
    text_col: str
    question_col: str | None
    themes_col: str | None
    filters: tuple[str, ...]


def _data_option(command: str) -> str | None:
    """The ``--data`` value of a recorded ``themecoder train`` command line."""
    try:
        words = shlex.split(command)
    except ValueError:
        return None
    for i, word in enumerate(words):
        if word == "--data" and i + 1 < len(words):
            return words[i + 1]
        if word.startswith("--data="):
            return word.split("=", 1)[1]
    return None


def model_training_file(model_dir: str | Path) -> ModelTrainingFile | None:
    """The training file a model names in its ``model.json`` (``None`` if it names none).

    The file is looked for where it was when the model was trained (the absolute path
    recorded), then as named, relative to the current folder and to each folder above the
    model's (so a model shipped in ``models/`` finds ``sample_data/`` beside it).
    """
    from themecoder.suggest.model_files import MODEL_FILE

    model_dir = Path(model_dir)
    try:
        meta = json.loads((model_dir / MODEL_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    data = meta.get("data")
    if not isinstance(data, dict) or not data.get("text_col"):
        return None
    given = data.get("path") or _data_option(str(meta.get("command") or "")) or data.get("file")
    if not given:
        return None
    candidates: list[Path] = []
    if data.get("resolved"):
        candidates.append(Path(str(data["resolved"])))
    named = Path(str(given)).expanduser()
    if named.is_absolute():
        candidates.append(named)
    else:
        candidates += [Path.cwd() / named] + [base / named
                                              for base in model_dir.resolve().parents]
    found = next((c.resolve() for c in candidates if c.is_file()), None)
    return ModelTrainingFile(
        given=str(given), found=found, text_col=str(data["text_col"]),
        question_col=data.get("question_col") or None,
        themes_col=data.get("themes_col") or None,
        filters=tuple(str(f) for f in data.get("filters") or ()))


def link_from_model(project: Project, codebook: Codebook, model_dir: str | Path, *,
                    explicit: bool = False) -> tuple[TrainingLink | None, str]:
    """Record the training file named by a model as the codebook's prior coding.

    A link named with ``themecoder project link-training`` is kept (the person said so),
    unless this call is that command (``explicit``).

    Returns:
        ``(link in force or None, note)``: the note says what was recorded, or why nothing
        was (the model names no file, or the file is not where it says).

    Raises:
        PriorCodingError: ``explicit`` and the model's training file cannot be found.
    """
    existing = training_link(project, codebook.id)
    if not explicit and existing is not None and \
            existing.origin.startswith(LINKED_BY_COMMAND):
        return existing, (f"{codebook.id}: prior coding stays {existing.describe()} "
                          "(named with link-training)")
    named = model_training_file(model_dir)
    problem = ""
    if named is None:
        problem = "the model names no training file"
    elif named.found is None:
        problem = (f"the model's training file {named.given} was not found; retraining "
                   "learns from this year's decisions only until you name it with `themecoder "
                   f"project link-training PROJECT --codebook {codebook.id} --data FILE ...`")
    if problem:
        if explicit:
            raise PriorCodingError(problem, file=model_dir)
        return existing, f"{codebook.id}: {problem}"
    assert named is not None and named.found is not None
    origin = f"{LINKED_BY_COMMAND} --model {Path(model_dir).resolve()}" if explicit \
        else f"model {Path(model_dir).resolve()}"
    link = set_training_link(project, TrainingLink(
        codebook_id=codebook.id, kind="file", location=str(named.found), given=named.given,
        text_col=named.text_col, question_col=named.question_col,
        themes_col=named.themes_col, filters=named.filters, origin=origin))
    return link, f"{codebook.id}: prior coding is {link.describe()}"


# --------------------------------------------------------------------------- explicit links


def link_training_file(project: Project, codebook: Codebook, path: str | Path, *,
                       text_col: str, question_col: str | None = None,
                       themes_col: str | None = None, filters: tuple[str, ...] = ()
                       ) -> tuple[TrainingLink, int]:
    """Link a hand-coded file as the codebook's prior coding, after reading it.

    Returns:
        The link and how many answers the file gives.

    Raises:
        SurveyError: the file cannot be read as asked (naming file, row and column).
    """
    link = TrainingLink(codebook_id=codebook.id, kind="file",
                        location=str(Path(path).expanduser().resolve()), given=str(path),
                        text_col=text_col, question_col=question_col, themes_col=themes_col,
                        filters=tuple(filters), origin=LINKED_BY_COMMAND)
    rows = _read_link(project, link, codebook)
    return set_training_link(project, link), len(rows)


def link_prior_project(project: Project, codebook: Codebook, location: str
                       ) -> tuple[TrainingLink, int]:
    """Link another project's decisions as the codebook's prior coding, after reading them.

    Returns:
        The link and how many coded answers the prior project gives.

    Raises:
        StoreError: no project there, it is this project, or it has no codebook for these
            respondents.
    """
    from themecoder.store.project import database_url

    if database_url(location) == project.url:
        raise StoreError("a project cannot be its own prior coding", file=location)
    link = TrainingLink(codebook_id=codebook.id, kind="project",
                        location=_without_password(database_url(location)),
                        given=_without_password(location), origin=LINKED_BY_COMMAND)
    rows = _read_link(project, link, codebook)
    return set_training_link(project, link), len(rows)


def _without_password(location: str) -> str:
    """A location with any password left out (the server's own settings supply it)."""
    if "://" not in location or "@" not in location:
        return location
    scheme, rest = location.split("://", 1)
    creds, _, host = rest.rpartition("@")
    return f"{scheme}://{creds.split(':', 1)[0]}@{host}"


# --------------------------------------------------------------------------- reading


def prior_coding(project: Project, codebook: Codebook) -> CodedAnswers | None:
    """The prior coding linked for ``codebook``, read now (``None`` when nothing is linked).

    Raises:
        PriorCodingError: the linked file or project cannot be read (naming it).
    """
    link = training_link(project, codebook.id)
    if link is None:
        return None
    try:
        return _read_link(project, link, codebook)
    except ThemecoderError as exc:
        raise PriorCodingError(
            f"the prior coding linked for codebook '{codebook.id}' ({link.describe()}) cannot "
            f"be read: {exc.one_line()}; link it again with `themecoder project "
            "link-training`") from None


def _read_link(project: Project, link: TrainingLink, codebook: Codebook) -> CodedAnswers:
    if link.kind == "file":
        from themecoder.suggest.training_data import read_training_data

        data = read_training_data(link.location, codebook, text_col=link.text_col or "",
                                  question_col=link.question_col, themes_col=link.themes_col,
                                  filters=link.filters)
        questions = list(data.questions) if data.questions is not None \
            else [None] * len(data.texts)
        return CodedAnswers(list(data.texts), questions, data.Y, list(codebook.theme_ids), [],
                            [f"row {n}" for n in data.row_numbers], link.describe())
    from themecoder.store.project import Project

    with Project.open(link.location) as prior:
        theirs = _matching_codebook(prior, codebook, link.location)
        coded = project_training_data(prior, theirs)
    return _onto(coded, theirs, codebook, link.describe())


def _matching_codebook(prior: Project, codebook: Codebook, location: str) -> Codebook:
    """The prior project's codebook for the same respondents: the same id, else a shared
    group."""
    codebooks = prior.codebooks()
    for theirs in codebooks:
        if theirs.id == codebook.id:
            return theirs
    groups = {g.casefold() for g in codebook.groups}
    for theirs in codebooks:
        if groups & {g.casefold() for g in theirs.groups}:
            return theirs
    raise StoreError(f"the prior project has no codebook '{codebook.id}' nor one for group(s) "
                     f"{', '.join(codebook.groups)}", file=location)


def _onto(coded: CodedAnswers, theirs: Codebook, codebook: Codebook,
          source: str) -> CodedAnswers:
    """Coded answers with their columns moved from ``theirs`` onto ``codebook``'s themes
    (matched by id, else by name; a theme the codebook no longer has is dropped)."""
    import numpy as np

    Y = np.zeros((len(coded), len(codebook.theme_ids)), dtype=np.int8)
    for j, old in enumerate(theirs.themes):
        theme = codebook.find(old.id) or codebook.find(old.name)
        if theme is not None:
            Y[:, codebook.theme_ids.index(theme.id)] |= coded.Y[:, j]
    return CodedAnswers(coded.texts, coded.questions, Y, list(codebook.theme_ids), [],
                        coded.keys, source)


__all__ = ["CodedAnswers", "LINKED_BY_COMMAND", "ModelTrainingFile", "PriorCodingError",
           "ProjectTrainingData", "link_from_model", "link_prior_project",
           "link_training_file", "model_training_file", "prior_coding",
           "project_training_data"]
