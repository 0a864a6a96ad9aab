"""Draft notes in the store, on SQLite and PostgreSQL: replaced as typed, per coder, gone
when saved or abandoned."""

from __future__ import annotations

from conftest import make_project

from themecoder.store import Project
from themecoder.store.drafts import discard_draft, drafts, save_draft


def test_drafts_are_kept_per_answer_and_coder(store_url: str) -> None:
    with make_project(store_url, survey="current_year.csv") as project:
        first, second = [a.id for a in project.answers(with_comment=True)[:2]]
        for text in ("c", "ca", "call back"):  # every keystroke replaces the draft
            save_draft(project, first, "alice", text)
        save_draft(project, second, "alice", "unclear")
        save_draft(project, first, "bob", "bob's own")
    with Project.open(store_url) as project:  # a new process, as after a crash
        assert drafts(project, "alice") == {first: "call back", second: "unclear"}
        assert drafts(project, "bob") == {first: "bob's own"}
        discard_draft(project, first, "alice")
        assert drafts(project, "alice") == {second: "unclear"}
        assert drafts(project, "bob") == {first: "bob's own"}
        assert project.notes() == {}  # a draft is not a note
