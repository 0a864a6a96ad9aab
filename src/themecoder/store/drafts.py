"""Notes being typed, kept as drafts so a crash loses nothing.

While a coder types a note in the app, every change replaces the draft for that answer
and coder (:func:`save_draft`). Saving the note (:meth:`Project.add_note`) or abandoning it
removes the draft (:func:`discard_draft`); a draft still there when the app starts again
was cut off by a crash, and the app offers it back (:func:`drafts`).

Drafts are written through the project's coordination engine: on SQLite that commits
without waiting for the disk (a keystroke should not wait for a sync), which survives the
app being killed; only a power cut in the same second can lose the last keystrokes.
"""

from __future__ import annotations

from sqlalchemy import and_, select

from themecoder.store import schema
from themecoder.store.project import Project, now


def save_draft(project: Project, answer_id: int, coder: str, text: str) -> None:
    """Keep ``text`` as ``coder``'s draft note on an answer (replacing any earlier draft)."""
    d = schema.note_drafts
    with project.coordination_engine.begin() as conn:
        conn.execute(d.delete().where(and_(d.c.answer_id == answer_id, d.c.coder == coder)))
        conn.execute(d.insert().values(answer_id=answer_id, coder=coder, text=text,
                                       updated_at=now()))


def discard_draft(project: Project, answer_id: int, coder: str) -> None:
    """Remove ``coder``'s draft note on an answer (after it was saved, or abandoned)."""
    d = schema.note_drafts
    with project.coordination_engine.begin() as conn:
        conn.execute(d.delete().where(and_(d.c.answer_id == answer_id, d.c.coder == coder)))


def drafts(project: Project, coder: str) -> dict[int, str]:
    """``coder``'s unsaved draft notes: answer id → text, oldest first."""
    d = schema.note_drafts
    with project.coordination_engine.connect() as conn:
        rows = conn.execute(select(d.c.answer_id, d.c.text).where(d.c.coder == coder)
                            .order_by(d.c.updated_at)).all()
    return {row.answer_id: row.text for row in rows}
