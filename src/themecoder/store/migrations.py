"""Numbered, recorded schema migrations.

Each migration is a function that takes a connection inside a transaction. It is
applied once, in order, and recorded in ``schema_migrations`` with its number and name,
so a project file made by an older themecoder is brought up to date when opened.
New schema changes are new functions appended to :data:`MIGRATIONS`; a released
migration is never edited.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Connection, inspect, select, text

from themecoder.store import schema

Migration = Callable[[Connection], None]


def _m001_initial(conn: Connection) -> None:
    """Projects, codebooks, imports, respondents, answers, decisions, notes, suggestions."""
    tables = [schema.project_info, schema.codebooks, schema.imports, schema.respondents,
              schema.answers, schema.decisions, schema.notes, schema.suggestions]
    schema.metadata.create_all(conn, tables=tables)


def _m002_teams(conn: Connection) -> None:
    """Double-coding samples and claims on to-do answers, for coders working together."""
    tables = [schema.double_coding_samples, schema.double_coding, schema.claims]
    schema.metadata.create_all(conn, tables=tables)


def _m003_model_versions(conn: Connection) -> None:
    """Every model version of a project with its data sizes and scores, and where the
    prior coding its models are trained on comes from."""
    schema.metadata.create_all(conn, tables=[schema.training_links, schema.model_versions])


def _m004_decision_revisions(conn: Connection) -> None:
    """A decision may name the other coder's decision it deliberately revises."""
    # a project created by this version already has the column (migration 1 builds the
    # decisions table from the current definition)
    if "revises" not in {c["name"] for c in inspect(conn).get_columns("decisions")}:
        conn.execute(text("ALTER TABLE decisions ADD COLUMN revises INTEGER"))


def _m005_quote_marks(conn: Connection) -> None:
    """Quotes a coder starred (quoted first) or banned (never quoted)."""
    schema.metadata.create_all(conn, tables=[schema.quote_marks])


def _m006_note_drafts(conn: Connection) -> None:
    """Notes being typed, saved as drafts keystroke by keystroke (a crash loses nothing)."""
    schema.metadata.create_all(conn, tables=[schema.note_drafts])


def _m007_autocode(conn: Connection) -> None:
    """Batches of decisions the model made on its own, their probabilities, the blind audit."""
    tables = [schema.autocode_batches, schema.auto_decisions, schema.audit_answers]
    schema.metadata.create_all(conn, tables=tables)


def _m008_answer_updates(conn: Connection) -> None:
    """Answers whose text a re-import replaced (import --update), old and new text."""
    schema.metadata.create_all(conn, tables=[schema.answer_updates])


def _m010_not_assigned_score(conn: Connection) -> None:
    """The model's probability of Not assigned, stored beside each suggestion."""
    columns = {c["name"] for c in inspect(conn).get_columns("suggestions")}
    if "not_assigned_score" not in columns:  # a project made before the column existed
        conn.execute(text("ALTER TABLE suggestions ADD COLUMN not_assigned_score FLOAT"))


MIGRATIONS: list[tuple[int, str, Migration]] = [
    (1, "initial schema", _m001_initial),
    (2, "double coding and claims", _m002_teams),
    (3, "model versions and training links", _m003_model_versions),
    (4, "decision revisions", _m004_decision_revisions),
    (5, "quote marks", _m005_quote_marks),
    (6, "note drafts", _m006_note_drafts),
    (7, "automatic coding batches and blind audit", _m007_autocode),
    (8, "answer text updates", _m008_answer_updates),
    (10, "Not-assigned score of suggestions", _m010_not_assigned_score),
]


def applied_versions(conn: Connection) -> set[int]:
    """Versions already applied to the database behind ``conn``."""
    if not inspect(conn).has_table("schema_migrations"):
        return set()
    return {row[0] for row in conn.execute(select(schema.schema_migrations.c.version))}


def migrate(conn: Connection) -> list[int]:
    """Apply every migration not yet applied; returns the versions applied now."""
    schema.metadata.create_all(conn, tables=[schema.schema_migrations])
    done = applied_versions(conn)
    newly: list[int] = []
    for version, name, step in sorted(MIGRATIONS, key=lambda m: m[0]):
        if version in done:
            continue
        step(conn)
        conn.execute(schema.schema_migrations.insert().values(
            version=version, name=name, applied_at=datetime.now(UTC).isoformat()))
        newly.append(version)
    return newly


def latest_version() -> int:
    """The newest (highest-numbered) migration this themecoder knows."""
    return max(version for version, _name, _step in MIGRATIONS)
