"""Fill a project's suggestions: every commented answer gets ranked themes with reasons.

Answers are read and suggested in chunks of ids, and each chunk is saved before the
next is read, so memory stays flat for a million answers and an interrupted run keeps
what it finished. The model used for each codebook is remembered in the project
(setting ``model:<codebook id>``) so the coding app suggests with the same model.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import and_, func, select

from themecoder.codebook import Codebook
from themecoder.store import Project, schema
from themecoder.store.model_registry import MODEL_KEY

ProgressCallback = Callable[[int, int], None]


@dataclass
class SuggestRun:
    """What a run of :func:`suggest_project` did."""

    answers: int = 0
    by_codebook: dict[str, str] = field(default_factory=dict)
    """codebook id → model version used."""
    notes: list[str] = field(default_factory=list)
    """What a given model became: its version, and where prior coding comes from."""


def project_model_path(project: Project, codebook: Codebook) -> str | None:
    """The model directory remembered for ``codebook`` in ``project``, if any."""
    return project.info().get(MODEL_KEY.format(codebook_id=codebook.id))


def uses_meaning(codebook: Codebook, model_path: str | None) -> bool:
    """Whether suggestions for ``codebook`` would use meaning (given the ``accurate``
    extra): it has no model, or its model has no examples of some of its themes.

    Loads the model: off an app's main thread.

    Raises:
        ModelError: the model cannot be loaded.
    """
    if not model_path:
        return True
    from themecoder.suggest.model import load_model
    from themecoder.suggest.suggester import themes_without_examples

    return bool(themes_without_examples(codebook, load_model(model_path, codebook=codebook)))


def build_suggester(project: Project, codebook: Codebook, model_path: str | Path | None = None,
                    *, keyword_suggester: Any = None, wait_for_meaning: bool = True) -> Any:
    """A :class:`~themecoder.suggest.suggester.Suggester` for one codebook of the project.

    Uses ``model_path`` when given, else the model remembered in the project, else the
    codebook alone: keywords + meaning with the ``accurate`` extra, keywords without it;
    with a model, meaning for the themes it has no examples of
    (see :func:`~themecoder.suggest.suggester.codebook_suggester`).

    Args:
        wait_for_meaning: Whether the first suggestions that would use meaning wait for
            the embedding model to load (else they come without it until it has).

    Raises:
        ModelError: the model cannot be loaded or was made for another codebook version.
    """
    from themecoder.suggest.suggester import codebook_suggester

    path = model_path or project_model_path(project, codebook)
    model = None
    if path:
        from themecoder.suggest.model import load_model

        model = load_model(path, codebook=codebook)
    return codebook_suggester(codebook, keyword_suggester, model=model,
                              wait_for_meaning=wait_for_meaning)


def stored_item(answer_id: int, suggestion: Any) -> tuple[int, list[dict[str, Any]], bool,
                                                          float | None]:
    """A suggestion as :meth:`~themecoder.store.project.Project.save_suggestions` takes it."""
    return (answer_id, suggestion_rows(suggestion), bool(suggestion.vague),
            suggestion.not_assigned_score)


def suggestion_rows(suggestion: Any) -> list[dict[str, Any]]:
    """A suggestion as the JSON-ready theme list the store keeps."""
    return [{"theme_id": t.theme_id, "score": round(float(t.score), 4),
             "suggested": bool(t.suggested), "reasons": list(t.reasons),
             "spans": [list(span) for span in t.spans]} for t in suggestion.themes]


def _pending(project: Project, group: str, refresh: bool, batch_size: int,
             only: set[int] | None) -> Iterator[list[Any]]:
    a, r, s = schema.answers, schema.respondents, schema.suggestions
    last = 0
    while True:
        query = (select(a.c.id, a.c.text, a.c.question)
                 .join(r, r.c.id == a.c.respondent_id)
                 .where(and_(a.c.id > last, a.c.has_comment.is_(True), r.c.group_label == group))
                 .order_by(a.c.id).limit(batch_size))
        if not refresh:
            query = query.where(a.c.id.not_in(select(s.c.answer_id)))
        with project.engine.connect() as conn:
            rows = conn.execute(query).all()
        if not rows:
            return
        last = rows[-1].id
        chosen = [row for row in rows if only is None or row.id in only]
        if chosen:
            yield chosen


def _count_pending(project: Project, groups: list[str], refresh: bool) -> int:
    a, r, s = schema.answers, schema.respondents, schema.suggestions
    query = (select(func.count()).select_from(a.join(r, r.c.id == a.c.respondent_id))
             .where(and_(a.c.has_comment.is_(True), r.c.group_label.in_(groups))))
    if not refresh:
        query = query.where(a.c.id.not_in(select(s.c.answer_id)))
    with project.engine.connect() as conn:
        return int(conn.execute(query).scalar() or 0)


def project_groups(project: Project) -> list[str]:
    """The respondent groups present in the project."""
    r = schema.respondents
    with project.engine.connect() as conn:
        return [row[0] for row in conn.execute(select(r.c.group_label).distinct())]


def suggest_project(project: Project, *, model_path: str | Path | None = None,
                    refresh: bool = False, batch_size: int = 2000,
                    answer_ids: set[int] | None = None,
                    progress: ProgressCallback | None = None,
                    cancel: threading.Event | None = None) -> SuggestRun:
    """Compute and store suggestions for a project's commented answers.

    Args:
        project: the project.
        model_path: a model directory (or a directory of models, one per codebook id);
            it becomes a version of each codebook's model and the live one, and the
            training file its metadata names becomes the codebook's prior coding (see
            :func:`themecoder.model_versions.remember_model`). ``None`` uses the live model,
            or keywords alone.
        refresh: recompute answers that already have suggestions.
        batch_size: answers read, suggested and saved at a time.
        answer_ids: only these answers (e.g. the next ones in the app).
        progress: called with (done, total) after each chunk.
        cancel: when set, stops after the current chunk (what is done stays saved).

    Returns:
        how many answers got suggestions, and the model version per codebook.
    """
    project.require_writable("suggestions")
    run = SuggestRun()
    groups = project_groups(project)
    total = _count_pending(project, groups, refresh) if answer_ids is None else len(answer_ids)
    by_codebook: dict[str, Any] = {}
    for group in groups:
        codebook = project.codebook_for_group(group)
        if codebook.id not in by_codebook:
            by_codebook[codebook.id] = build_suggester(project, codebook, model_path)
            if model_path:
                from themecoder.model_versions import remember_model

                run.notes += remember_model(project, codebook, model_path)
        suggester = by_codebook[codebook.id]
        for rows in _pending(project, group, refresh, batch_size, answer_ids):
            if cancel is not None and cancel.is_set():
                return run
            results = list(suggester.suggest_many([row.text for row in rows],
                                                  [row.question for row in rows]))
            version = results[0].model_version if results else ""
            project.save_suggestions((stored_item(row.id, result)
                                      for row, result in zip(rows, results, strict=True)),
                                     model_version=version)
            run.answers += len(rows)
            run.by_codebook[codebook.id] = version
            if progress is not None:
                progress(run.answers, total)
    return run
