"""The coding session's notes: a coder's memos, quote-bank marks and note drafts.

:class:`NotesAndMarks` is the part of :class:`themecoder.coding.CodingSession` that keeps
this coder's memo on an answer, the star/ban marks for the quote bank, and the draft of a
note as it is typed (stored at once, so a crash loses nothing). Each is saved to the store
before the call returns.
"""

from __future__ import annotations

from collections.abc import Callable

from themecoder.store.drafts import discard_draft, save_draft
from themecoder.store.project import Answer, Project


class NotesAndMarks:
    """Memos, quote marks and note drafts (mixed into the coding session)."""

    project: Project
    coder: str
    _notes: dict[int, str]
    _drafts: dict[int, str]
    _quote_marks: dict[int, str]

    current: Answer | None
    _or_current: Callable[[int | None], int | None]

    # ------------------------------------------------------------------ notes

    def note(self, text: str, answer_id: int | None = None) -> None:
        """Save this coder's memo on an answer (the current one by default); empty clears."""
        answer_id = self._or_current(answer_id)
        if answer_id is None:
            raise LookupError("no current answer")
        text = text.strip()
        self.project.add_note(answer_id, self.coder, text)
        if text:
            self._notes[answer_id] = text
        else:
            self._notes.pop(answer_id, None)
        self.discard_note_draft(answer_id)

    def note_for(self, answer_id: int | None = None) -> str:
        """This coder's memo on an answer ("" when none)."""
        answer_id = self._or_current(answer_id)
        return "" if answer_id is None else self._notes.get(answer_id, "")

    # ------------------------------------------------------------------ quote marks

    def quote_mark(self, answer_id: int | None = None) -> str:
        """``star``, ``ban`` or "" for an answer (the current one by default)."""
        answer_id = self._or_current(answer_id)
        if answer_id is None:
            return ""
        if answer_id not in self._quote_marks:
            self._quote_marks[answer_id] = self.project.quote_marks([answer_id]).get(
                answer_id, "")
        return self._quote_marks[answer_id]

    def toggle_quote_mark(self, mark: str) -> str:
        """Star (or ban) the current answer for the quote bank, or clear that mark; saved at
        once. Returns the mark now in force."""
        answer = self.current
        if answer is None:
            raise LookupError("no current answer")
        new = "" if self.quote_mark(answer.id) == mark else mark
        self.project.mark_quote(answer.id, self.coder, new or "clear")
        self._quote_marks[answer.id] = new
        return new

    # ------------------------------------------------------------------ note drafts

    def note_draft(self, answer_id: int) -> str | None:
        """The unsaved draft of this coder's note on an answer, if a crash left one."""
        return self._drafts.get(answer_id)

    def note_drafts(self) -> dict[int, str]:
        """Every unsaved draft note of this coder: answer id → text."""
        return dict(self._drafts)

    def save_note_draft(self, text: str, answer_id: int) -> None:
        """Keep a note as it is being typed (stored at once, so a crash loses nothing)."""
        save_draft(self.project, answer_id, self.coder, text)
        self._drafts[answer_id] = text

    def discard_note_draft(self, answer_id: int) -> None:
        """Drop the draft of a note (saved, or abandoned)."""
        if answer_id in self._drafts:
            discard_draft(self.project, answer_id, self.coder)
            del self._drafts[answer_id]
