"""A project's model versions and the prior coding its models learn from.

- A *training link* says, per codebook, where the coding of earlier years comes from: a
  hand-coded file (with its columns and filters, as ``themecoder train`` read it) or
  another themecoder project whose decisions are that coding. Retraining fits on it plus
  this year's decisions.
- A *model version* is one model a project has used or trained for a codebook, numbered
  ``v1``, ``v2``... per codebook, with its data sizes and how it scored against the model
  that was live when it was made. The *live* version is the one suggestions come from
  (project setting ``model:<codebook id>``, :data:`MODEL_KEY`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.exc import IntegrityError

from themecoder.errors import StoreError
from themecoder.store import schema
from themecoder.store.project import Project, now

MODEL_KEY = "model:{codebook_id}"
"""Project setting naming the live model directory of a codebook."""

LINK_KINDS = ("file", "project")
"""Where prior coding can come from."""


# --------------------------------------------------------------------------- training links


@dataclass(frozen=True)
class TrainingLink:
    """Where one codebook's prior coding comes from.

    Attributes:
        codebook_id: The codebook.
        kind: ``"file"`` (a hand-coded CSV/XLSX) or ``"project"`` (a prior-year project).
        location: The file's absolute path, or the prior project's location.
        given: The location as it was named (on the command line or in a model's metadata).
        text_col, question_col, themes_col, filters: How to read a file (as
            ``themecoder train`` takes them); unused for a project.
        origin: What recorded the link (``"model <dir>"`` or ``"link-training"``).
        created_at: When.
    """

    codebook_id: str
    kind: str
    location: str
    given: str
    text_col: str | None = None
    question_col: str | None = None
    themes_col: str | None = None
    filters: tuple[str, ...] = ()
    origin: str = "link-training"
    created_at: str = ""

    def describe(self) -> str:
        """One line: ``file data/2025.csv (text, themes, group=holder)`` or ``project x.db``."""
        if self.kind == "project":
            return f"project {self.given}"
        columns = [c for c in (self.text_col, self.question_col, self.themes_col) if c]
        detail = ", ".join([*columns, *self.filters])
        return f"file {self.given}" + (f" ({detail})" if detail else "")


def set_training_link(project: Project, link: TrainingLink) -> TrainingLink:
    """Record (or replace) the training link of ``link.codebook_id``; returns it as stored."""
    if link.kind not in LINK_KINDS:
        raise StoreError(f"unknown kind of prior coding '{link.kind}'", field="kind")
    stored = TrainingLink(**{**link.__dict__, "created_at": link.created_at or now()})
    table = schema.training_links
    with project.engine.begin() as conn:
        conn.execute(table.delete().where(table.c.codebook_id == link.codebook_id))
        conn.execute(table.insert().values(
            codebook_id=stored.codebook_id, kind=stored.kind, location=stored.location,
            given=stored.given, text_col=stored.text_col, question_col=stored.question_col,
            themes_col=stored.themes_col, filters=json.dumps(list(stored.filters)),
            origin=stored.origin, created_at=stored.created_at))
    return stored


def clear_training_link(project: Project, codebook_id: str) -> bool:
    """Forget a codebook's training link; returns whether there was one."""
    table = schema.training_links
    with project.engine.begin() as conn:
        result = conn.execute(table.delete().where(table.c.codebook_id == codebook_id))
    return bool(result.rowcount)


def training_links(project: Project) -> dict[str, TrainingLink]:
    """Every training link, by codebook id."""
    table = schema.training_links
    with project.engine.connect() as conn:
        rows = conn.execute(select(table).order_by(table.c.codebook_id)).all()
    return {r.codebook_id: TrainingLink(
        codebook_id=r.codebook_id, kind=r.kind, location=r.location, given=r.given,
        text_col=r.text_col, question_col=r.question_col, themes_col=r.themes_col,
        filters=tuple(json.loads(r.filters or "[]")), origin=r.origin,
        created_at=r.created_at) for r in rows}


def training_link(project: Project, codebook_id: str) -> TrainingLink | None:
    """The training link of one codebook, if any."""
    return training_links(project).get(codebook_id)


# --------------------------------------------------------------------------- versions


@dataclass(frozen=True)
class ModelVersion:
    """One model of a codebook, as the project keeps it (see the module docstring).

    Attributes:
        codebook_id: The codebook.
        number: ``v<number>``, counted per codebook.
        path: The model directory.
        origin: ``"given"`` (named with ``suggest --model``) or ``"retrained"``.
        created_at: When it was registered.
        tier: The classifier tier.
        n_prior: Prior-coding answers it was trained on (``None``: unknown).
        n_current: This year's decisions it was trained on.
        current_weight: The weight of this year's decisions against prior coding's 1.
        prior_source: Where the prior coding came from, in words.
        training_answers: The ids of this year's answers it was trained on.
        current_fingerprint: SHA-256 of this year's training rows (ids and labels).
        check_kind: How it was judged: ``"held-out"`` (this year's decisions it did not
            train on), ``"cross-validation"`` (of the prior coding), ``"none"``; empty
            for a given model.
        n_checked: Answers the check scored.
        micro_f1, macro_f1: Its scores in that check.
        compared_with: What it was compared with (the live version's label, or
            ``"keywords"``), and that one's scores in the same check.
        accepted: Whether it became live when made (``None`` for a given model).
        reason: Why, in words.
        recipe_cv: Its training recipe cross-validated on the prior coding (a cache).
    """

    codebook_id: str
    number: int
    path: str
    origin: str
    created_at: str
    tier: str | None = None
    n_prior: int | None = None
    n_current: int | None = None
    current_weight: float | None = None
    prior_source: str = ""
    training_answers: tuple[int, ...] = ()
    current_fingerprint: str | None = None
    check_kind: str = ""
    n_checked: int | None = None
    micro_f1: float | None = None
    macro_f1: float | None = None
    compared_with: str = ""
    compared_micro_f1: float | None = None
    compared_macro_f1: float | None = None
    accepted: bool | None = None
    reason: str = ""
    recipe_cv: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def label(self) -> str:
        """``v<number>``."""
        return f"v{self.number}"


_VERSION_FIELDS = ("path", "tier", "n_prior", "n_current", "current_weight", "prior_source",
                   "training_answers", "current_fingerprint", "check_kind", "n_checked",
                   "micro_f1", "macro_f1", "compared_with", "compared_micro_f1",
                   "compared_macro_f1", "accepted", "reason", "recipe_cv")


def _version(row: Any) -> ModelVersion:
    return ModelVersion(
        codebook_id=row.codebook_id, number=row.number, path=row.path, origin=row.origin,
        created_at=row.created_at, tier=row.tier, n_prior=row.n_prior,
        n_current=row.n_current, current_weight=row.current_weight,
        prior_source=row.prior_source or "",
        training_answers=tuple(json.loads(row.training_answers or "[]")),
        current_fingerprint=row.current_fingerprint, check_kind=row.check_kind or "",
        n_checked=row.n_checked, micro_f1=row.micro_f1, macro_f1=row.macro_f1,
        compared_with=row.compared_with or "", compared_micro_f1=row.compared_micro_f1,
        compared_macro_f1=row.compared_macro_f1,
        accepted=None if row.accepted is None else bool(row.accepted),
        reason=row.reason or "", recipe_cv=json.loads(row.recipe_cv or "{}"))


def _columns(values: dict[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(_VERSION_FIELDS)
    if unknown:
        raise ValueError(f"unknown model version fields: {', '.join(sorted(unknown))}")
    out = dict(values)
    if "path" in out:
        out["path"] = str(out["path"])
    if "training_answers" in out:
        out["training_answers"] = json.dumps([int(i) for i in out["training_answers"]])
    if "recipe_cv" in out:
        out["recipe_cv"] = json.dumps(out["recipe_cv"], sort_keys=True)
    return out


def register_model_version(project: Project, codebook_id: str, path: str | Path, *,
                           origin: str, taken: Sequence[int] = (),
                           **values: Any) -> ModelVersion:
    """Add a model version with the next free number of its codebook.

    Args:
        project: The project.
        codebook_id: The codebook.
        path: The model directory.
        origin: ``"given"`` or ``"retrained"``.
        taken: Numbers in use outside the table (model directories left by an older
            themecoder), skipped.
        **values: Any of :class:`ModelVersion`'s other fields.

    Returns:
        The version as stored. Two processes registering at once get different numbers.
    """
    table = schema.model_versions
    columns = _columns(values)
    for _attempt in range(20):
        with project.engine.connect() as conn:
            highest = conn.execute(select(func.max(table.c.number)).where(
                table.c.codebook_id == codebook_id)).scalar() or 0
        number = max([highest, *taken]) + 1
        try:
            with project.engine.begin() as conn:
                conn.execute(table.insert().values(
                    codebook_id=codebook_id, number=number, path=str(path), origin=origin,
                    created_at=now(), **columns))
        except IntegrityError:
            continue  # another process took that number meanwhile
        return model_version(project, codebook_id, number)
    raise StoreError(f"could not number a new model version of codebook '{codebook_id}'")


def update_model_version(project: Project, codebook_id: str, number: int,
                         **values: Any) -> ModelVersion:
    """Change fields of a version (its number never changes)."""
    table = schema.model_versions
    with project.engine.begin() as conn:
        conn.execute(table.update().where(and_(table.c.codebook_id == codebook_id,
                                               table.c.number == number))
                     .values(**_columns(values)))
    return model_version(project, codebook_id, number)


def discard_model_version(project: Project, codebook_id: str, number: int) -> None:
    """Remove a version whose model could not be written (nothing ever used it)."""
    table = schema.model_versions
    with project.engine.begin() as conn:
        conn.execute(table.delete().where(and_(table.c.codebook_id == codebook_id,
                                               table.c.number == number)))


def model_versions(project: Project, codebook_id: str | None = None) -> list[ModelVersion]:
    """Every registered version (of one codebook), oldest first."""
    table = schema.model_versions
    query = select(table).order_by(table.c.codebook_id, table.c.number)
    if codebook_id is not None:
        query = query.where(table.c.codebook_id == codebook_id)
    with project.engine.connect() as conn:
        return [_version(r) for r in conn.execute(query)]


def model_version(project: Project, codebook_id: str, number: int) -> ModelVersion:
    """One version.

    Raises:
        StoreError: there is no such version.
    """
    table = schema.model_versions
    with project.engine.connect() as conn:
        row = conn.execute(select(table).where(and_(table.c.codebook_id == codebook_id,
                                                    table.c.number == number))).first()
    if row is None:
        raise StoreError(f"codebook '{codebook_id}' has no model version v{number}",
                         field="version")
    return _version(row)


def version_at(project: Project, codebook_id: str, path: str | Path) -> ModelVersion | None:
    """The registered version whose directory is ``path``, if any."""
    wanted = _same_path(path)
    for version in model_versions(project, codebook_id):
        if _same_path(version.path) == wanted:
            return version
    return None


def live_model_path(project: Project, codebook_id: str) -> str | None:
    """The directory suggestions of ``codebook_id`` come from (``None``: keywords alone)."""
    return project.info().get(MODEL_KEY.format(codebook_id=codebook_id))


def live_version(project: Project, codebook_id: str) -> ModelVersion | None:
    """The registered version that is live, if the live model is registered."""
    path = live_model_path(project, codebook_id)
    return version_at(project, codebook_id, path) if path else None


def set_live_model(project: Project, codebook_id: str, path: str | Path) -> None:
    """Make the model at ``path`` the one suggestions of ``codebook_id`` come from."""
    project.set_info(MODEL_KEY.format(codebook_id=codebook_id), str(Path(path).resolve()))


def _same_path(path: str | Path) -> str:
    return str(Path(path).expanduser().resolve())


__all__ = ["LINK_KINDS", "MODEL_KEY", "ModelVersion", "TrainingLink", "clear_training_link",
           "discard_model_version",
           "live_model_path", "live_version", "model_version", "model_versions",
           "register_model_version", "set_live_model", "set_training_link",
           "training_link", "training_links", "update_model_version", "version_at"]
