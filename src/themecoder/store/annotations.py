"""What a project keeps about answers beside the decisions: notes, quote marks, suggestions.

:class:`AnswerAnnotations` is the part of :class:`~themecoder.store.project.Project` that
stores a coder's memo on an answer, the star/ban marks of the quote bank, and the suggested
themes computed for answers. Notes and marks are logs (the latest row is in force), each
committed on its own; suggestions for a set of answers are replaced in one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import OperationalError

from themecoder.errors import StoreError
from themecoder.store import schema
from themecoder.store.engine import in_chunks, now, short_error
from themecoder.store.records import Answer, StoredSuggestion

QUOTE_MARKS = ("star", "ban", "clear")
"""Marks a coder can put on an answer for the quote bank."""


class AnswerAnnotations:
    """Notes, quote marks and stored suggestions (mixed into the project)."""

    engine: Engine
    display_location: str
    answer: Callable[[int], Answer]

    # ---------------------------------------------------------------- quote marks

    def mark_quote(self, answer_id: int, coder: str, mark: str) -> None:
        """Star an answer as a quote (quoted first), ban it (never quoted) or clear the mark.

        Raises:
            StoreError: unknown answer or mark.
        """
        if mark not in QUOTE_MARKS:
            raise StoreError(f"unknown quote mark '{mark}' (expected: {', '.join(QUOTE_MARKS)})",
                             field="mark")
        self.answer(answer_id)
        try:
            with self.engine.begin() as conn:
                conn.execute(schema.quote_marks.insert().values(
                    answer_id=answer_id, coder=coder, mark=mark, created_at=now()))
        except OperationalError as exc:
            raise StoreError(f"the quote mark could not be saved: {short_error(exc)}",
                             file=self.display_location) from None

    def quote_marks(self, answer_ids: Iterable[int] | None = None) -> dict[int, str]:
        """The quote mark in force per answer (``star`` or ``ban``; cleared ones left out)."""
        q = schema.quote_marks
        query = select(q.c.answer_id, q.c.mark).order_by(q.c.id)
        if answer_ids is not None:
            ids = list(answer_ids)
            if not ids:
                return {}
            query = query.where(q.c.answer_id.in_(ids))
        with self.engine.connect() as conn:
            latest = {r.answer_id: r.mark for r in conn.execute(query)}
        return {a: m for a, m in latest.items() if m != "clear"}

    # ---------------------------------------------------------------- notes

    def add_note(self, answer_id: int, coder: str, text: str) -> None:
        """Attach a memo to an answer (an empty text clears the coder's note)."""
        self.answer(answer_id)
        with self.engine.begin() as conn:
            conn.execute(schema.notes.insert().values(answer_id=answer_id, coder=coder,
                                                      text=text, created_at=now()))

    def notes(self, answer_id: int | None = None) -> dict[tuple[int, str], str]:
        """The latest note per (answer, coder); cleared notes are left out."""
        n = schema.notes
        latest = select(func.max(n.c.id)).group_by(n.c.answer_id, n.c.coder)
        query = select(n).where(n.c.id.in_(latest))
        if answer_id is not None:
            query = query.where(n.c.answer_id == answer_id)
        with self.engine.connect() as conn:
            return {(r.answer_id, r.coder): r.text for r in conn.execute(query) if r.text}

    # ---------------------------------------------------------------- suggestions

    def save_suggestions(self, items: Iterable[tuple[Any, ...]], model_version: str) -> int:
        """Store suggestions, replacing older ones for the same answers.

        Args:
            items: ``(answer_id, themes, vague)`` or ``(answer_id, themes, vague,
                not_assigned_score)`` where ``themes`` is a list of ``{theme_id, score,
                suggested, reasons, spans}`` dicts, best first, ``vague`` says whether Not
                assigned is suggested, and ``not_assigned_score`` is the model's probability
                of it (``None`` without a model).
            model_version: what made them (stored with each).

        Returns:
            how many answers got suggestions.
        """
        stamp = now()
        rows = [{"answer_id": item[0], "model_version": model_version,
                 "themes": json.dumps(item[1], ensure_ascii=False),
                 "top_score": max((float(t["score"]) for t in item[1]), default=0.0),
                 "vague": bool(item[2]), "created_at": stamp,
                 "not_assigned_score": None if len(item) < 4 or item[3] is None
                 else float(item[3])}
                for item in items]
        if not rows:
            return 0
        s = schema.suggestions
        with self.engine.begin() as conn:
            for chunk in in_chunks(rows, 500):
                conn.execute(s.delete().where(s.c.answer_id.in_([r["answer_id"] for r in chunk])))
                conn.execute(s.insert(), chunk)
        return len(rows)

    def suggestions(self, answer_ids: Iterable[int] | None = None) -> dict[int, StoredSuggestion]:
        """Stored suggestions by answer id."""
        s = schema.suggestions
        out: dict[int, StoredSuggestion] = {}
        with self.engine.connect() as conn:
            if answer_ids is None:
                batches: Iterator[Any] = iter([select(s)])
            else:
                batches = (select(s).where(s.c.answer_id.in_(chunk))
                           for chunk in in_chunks(list(answer_ids), 500))
            for query in batches:
                for r in conn.execute(query):
                    out[r.answer_id] = StoredSuggestion(r.answer_id, r.model_version,
                                                        json.loads(r.themes), r.top_score,
                                                        bool(r.vague), r.not_assigned_score)
        return out
