"""A project's model versions: the model it was given, the ones retraining made, going back.

- :func:`remember_model`: ``themecoder suggest PROJECT --model M`` registers M as a version of
  each codebook's model, makes it live, and records the training file its metadata names as
  the codebook's prior coding.
- :func:`use_version`: ``themecoder model use PROJECT VERSION`` makes an earlier (or a
  candidate) version live again and refreshes the suggestions of the answers still to do.
- :func:`refresh_todo`: recompute the stored suggestions of the answers still to do with
  the live model, the ones a coder sees next first.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from themecoder.codebook import Codebook
from themecoder.errors import StoreError
from themecoder.store.model_registry import (
    ModelVersion,
    model_version,
    model_versions,
    register_model_version,
    set_live_model,
    version_at,
)

if TYPE_CHECKING:
    from themecoder.store.project import Answer, Project

ProgressCallback = Callable[[int, int], None]

_LABEL_RE = re.compile(r"^\s*v?(\d+)\s*$", re.IGNORECASE)


def todo_answers(project: Project, *, codebook_id: str | None = None) -> list[Answer]:
    """Commented answers nobody has decided yet, in import order (one codebook's only),
    without respondent attributes (a lean read of a large project)."""
    decided = project.final_decisions()
    out = []
    by_group: dict[str, str] = {}
    for answer in project.answers(with_comment=True, with_attributes=False):
        if answer.id in decided:
            continue
        if codebook_id is not None:
            if answer.group not in by_group:
                by_group[answer.group] = project.codebook_for_group(answer.group).id
            if by_group[answer.group] != codebook_id:
                continue
        out.append(answer)
    return out


def parse_version(label: str) -> int:
    """``"v3"`` or ``"3"`` → 3.

    Raises:
        StoreError: not a version label.
    """
    found = _LABEL_RE.match(label)
    if found is None:
        raise StoreError(f"'{label}' is not a model version (write it as v1, v2, ...)",
                         field="VERSION")
    return int(found.group(1))


def remember_model(project: Project, codebook: Codebook, model_path: str | Path) -> list[str]:
    """Make a given model live for ``codebook`` and note where its training data is.

    Args:
        project: The project.
        codebook: The codebook (picks the sub-directory of a directory of models).
        model_path: The model directory, or a directory of them.

    Returns:
        Notes for the person (the version it became, where prior coding comes from).
    """
    from themecoder.suggest.model import resolve_model_dir
    from themecoder.suggest.model_files import MODEL_FILE
    from themecoder.training_sets import link_from_model

    directory = resolve_model_dir(model_path, codebook).resolve()
    version = version_at(project, codebook.id, directory)
    if version is None:
        import json

        meta = json.loads((directory / MODEL_FILE).read_text(encoding="utf-8"))
        n = meta.get("n_examples")
        version = register_model_version(
            project, codebook.id, directory, origin="given", tier=meta.get("tier"),
            n_prior=int(n) if isinstance(n, int) else None, n_current=0,
            prior_source=str(meta.get("command") or meta.get("data") or ""),
            reason=f"given with suggest --model {model_path}")
    set_live_model(project, codebook.id, directory)
    _link, note = link_from_model(project, codebook, directory)
    return [f"{codebook.id}: live model {version.label} is {directory}", note]


def refresh_todo(project: Project, codebook: Codebook, model_path: str | Path | None, *,
                 limit: int | None = None, coming_next: Sequence[int] = (),
                 cancel: threading.Event | None = None,
                 progress: ProgressCallback | None = None,
                 batch_size: int = 500) -> tuple[int, str]:
    """Recompute the suggestions of ``codebook``'s answers still to do with a model.

    Args:
        project: The project.
        codebook: The codebook.
        model_path: The model (``None``: keywords alone).
        limit: At most this many answers (``None``: all).
        coming_next: Answer ids the coder sees next, refreshed first.
        cancel: Stops after the current batch (what is done stays saved).
        progress: ``(done, total)`` after each batch.
        batch_size: Answers suggested and saved at a time.

    Returns:
        How many answers got new suggestions, and what they are stored as made by.
    """
    from themecoder.suggest.project_suggest import build_suggester, stored_item

    todo = todo_answers(project, codebook_id=codebook.id)
    if coming_next:
        # the answers the coder will see next first, then the rest in import order
        rank = {answer_id: i for i, answer_id in enumerate(coming_next)}
        todo.sort(key=lambda a: rank.get(a.id, len(rank)))
    if limit is not None:
        todo = todo[:limit]
    suggester = build_suggester(project, codebook, model_path)
    done = 0
    for start in range(0, len(todo), batch_size):
        if cancel is not None and cancel.is_set():
            break
        batch = todo[start:start + batch_size]
        results = list(suggester.suggest_many([a.text for a in batch],
                                              [a.question for a in batch]))
        project.save_suggestions((stored_item(a.id, r)
                                  for a, r in zip(batch, results, strict=True)),
                                 model_version=suggester.model_version)
        done += len(batch)
        if progress is not None:
            progress(done, len(todo))
    return done, suggester.model_version


def use_version(project: Project, codebook: Codebook, label: str, *,
                cancel: threading.Event | None = None,
                progress: ProgressCallback | None = None) -> tuple[ModelVersion, int]:
    """Make a registered version live and refresh the suggestions still to do.

    Returns:
        The version and how many answers got new suggestions.

    Raises:
        StoreError: no such version.
        ModelError: its files are gone or it was made for another codebook version.
    """
    from themecoder.suggest.model import load_model

    version = model_version(project, codebook.id, parse_version(label))
    load_model(version.path, codebook=codebook)  # refuse a model that cannot serve now
    set_live_model(project, codebook.id, version.path)
    refreshed, _ = refresh_todo(project, codebook, version.path, cancel=cancel,
                                progress=progress)
    return version, refreshed


def codebook_versions(project: Project, codebook: Codebook) -> list[ModelVersion]:
    """Every registered version of ``codebook``'s model, oldest first."""
    return model_versions(project, codebook.id)


__all__ = ["codebook_versions", "parse_version", "refresh_todo", "remember_model",
           "todo_answers", "use_version"]
