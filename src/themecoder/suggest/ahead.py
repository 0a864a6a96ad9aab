"""Suggestions computed ahead of the coder, for answers that have none stored yet.

:func:`suggest_ahead` takes a cancel event and a progress callback, so the coding app can
run it in a background thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from themecoder.codebook import Codebook
from themecoder.store.project import Answer, Project


def suggestion_record(suggestion: Any) -> tuple[list[dict[str, Any]], bool]:
    """A suggester's result as stored: ``(themes as dicts, vague)``."""
    from themecoder.suggest.project_suggest import suggestion_rows

    return suggestion_rows(suggestion), bool(suggestion.vague)


def suggest_ahead(project: Project, answers: Sequence[Answer], *,
                  cancel: threading.Event | None = None,
                  progress: Callable[[int, int], None] | None = None,
                  batch_size: int = 32,
                  suggesters: dict[str, Any] | None = None,
                  wait_for_meaning: bool = True) -> list[int]:
    """Compute and store suggestions for answers that need them.

    Args:
        project: Where to store them (:meth:`Project.save_suggestions`).
        answers: The answers, in the order to work through them.
        cancel: Set it to stop after the current batch.
        progress: Called with ``(done, total)`` after each batch.
        batch_size: Answers per batch (each batch is stored before the next starts).
        suggesters: Suggesters already built, by codebook id (built and cached here if not).
        wait_for_meaning: For a codebook without a model, whether to wait for the embedding
            model to load; if not, keywords alone suggest until it is loaded.

    Returns:
        Ids of the answers that got suggestions.
    """
    from themecoder.suggest.project_suggest import build_suggester, stored_item

    suggesters = {} if suggesters is None else suggesters
    by_codebook: dict[str, tuple[Codebook, list[Answer]]] = {}
    for answer in answers:
        codebook = project.codebook_for_group(answer.group)
        by_codebook.setdefault(codebook.id, (codebook, []))[1].append(answer)
    done: list[int] = []
    total = len(answers)
    for codebook_id, (codebook, items) in by_codebook.items():
        if codebook_id not in suggesters:
            # the project's model for this codebook when one is registered, else the
            # codebook (keywords, and meaning when the accurate extra is installed)
            suggesters[codebook_id] = build_suggester(project, codebook,
                                                      wait_for_meaning=wait_for_meaning)
        suggester = suggesters[codebook_id]
        for start in range(0, len(items), batch_size):
            if cancel is not None and cancel.is_set():
                return done
            batch = items[start:start + batch_size]
            results = list(suggester.suggest_many([a.text for a in batch],
                                                  [a.question for a in batch]))
            by_version: dict[str, list[tuple[Any, ...]]] = {}
            for answer, result in zip(batch, results, strict=True):
                by_version.setdefault(result.model_version, []).append(
                    stored_item(answer.id, result))
            for version, rows in by_version.items():
                project.save_suggestions(rows, version)
            done.extend(a.id for a in batch)
            if progress is not None:
                progress(len(done), total)
    return done
