"""Re-importing a survey whose answers changed: refuse with counts, or update on record.

A file imported again may hold answers already in the project with other text (the survey
platform's export was corrected, a respondent's late edit). Such an import adds nothing and
is refused, saying how many answers in how many rows differ. With ``update`` their text is
replaced, inside the import's transaction: every change is recorded in ``answer_updates``
(the text before and after, and the import), the suggestions made for the old text are
dropped, and coding decisions are never touched — the import reports which updated answers
have decisions, so a coder can look at them again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from themecoder.errors import SurveyError
from themecoder.store import schema
from themecoder.store.engine import in_chunks


@dataclass(frozen=True)
class ChangedAnswer:
    """An answer of the file whose text differs from the project's."""

    answer_id: int
    key: str
    row: int
    old_text: str
    new_text: str


@dataclass
class TextUpdates:
    """What an import with ``update`` changed.

    Attributes:
        updated: answer keys whose text was replaced.
        with_decisions: those of them that have coding decisions (kept as they were).
        suggestions_dropped: how many of them lost suggestions made for the old text.
    """

    updated: list[str] = field(default_factory=list)
    with_decisions: list[str] = field(default_factory=list)
    suggestions_dropped: int = 0


def refuse(changed: Sequence[ChangedAnswer], path: Any) -> SurveyError:
    """The error for an import whose answers differ from the project's text."""
    first = changed[0]
    rows = len({c.row for c in changed})
    answers = "1 answer" if len(changed) == 1 else f"{len(changed)} answers"
    in_rows = "1 row" if rows == 1 else f"{rows} rows"
    verb = "has" if len(changed) == 1 else "have"
    return SurveyError(f"{answers} in {in_rows} already in the project {verb} different text "
                       f"here (first: answer '{first.key}'); nothing was imported. Import "
                       "with --update to replace their text (their coding is kept, and "
                       "listed for review)", file=path, row=first.row, field="text")




def apply(conn: Any, changed: Sequence[ChangedAnswer], import_id: int,
          stamp: str) -> TextUpdates:
    """Replace the text of ``changed`` answers, on record; returns what was changed."""
    a, u, s, d = schema.answers, schema.answer_updates, schema.suggestions, schema.decisions
    report = TextUpdates(updated=[c.key for c in changed])
    for item in changed:
        conn.execute(a.update().where(a.c.id == item.answer_id).values(
            text=item.new_text, has_comment=bool(item.new_text.strip())))
    conn.execute(u.insert(), [{"answer_id": c.answer_id, "import_id": import_id,
                               "old_text": c.old_text, "new_text": c.new_text,
                               "updated_at": stamp} for c in changed])
    ids = [c.answer_id for c in changed]
    decided: set[int] = set()
    for chunk in in_chunks(ids):
        decided |= {r[0] for r in conn.execute(select(d.c.answer_id).where(
            d.c.answer_id.in_(chunk)).distinct())}
        report.suggestions_dropped += conn.execute(
            s.delete().where(s.c.answer_id.in_(chunk))).rowcount or 0
    report.with_decisions = [c.key for c in changed if c.answer_id in decided]
    return report


def history(conn: Any, answer_id: int) -> list[dict[str, Any]]:
    """Every recorded change of one answer's text, oldest first."""
    u = schema.answer_updates
    return [dict(r._mapping) for r in conn.execute(
        select(u.c.import_id, u.c.old_text, u.c.new_text, u.c.updated_at)
        .where(u.c.answer_id == answer_id).order_by(u.c.id))]
