"""Database engines for projects: SQLite tuned for several writers, PostgreSQL for teams.

:func:`make_engine` gives the engine a :class:`~themecoder.store.project.Project` works
through: SQLite in WAL mode with real transactions and a busy timeout (two coders on one
file wait for each other), errors a user can fix turned into one-line
:class:`~themecoder.errors.StoreError`; a non-durable variant for short-lived coordination rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, create_engine, event

from themecoder.errors import StoreError
from themecoder.store.access import database_problem, shown_url


def now() -> str:
    """The current UTC time as ISO-8601 text (microseconds kept, so order is clear)."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def make_engine(url: str, *, durable: bool = True) -> Engine:
    """An engine for ``url``; ``durable=False`` commits without waiting for the disk.

    Decisions always go through a durable engine; the non-durable one is for short-lived
    coordination rows (claims on to-do answers) that expire anyway.
    """
    engine = _engine_for(url, durable)

    @event.listens_for(engine, "handle_error")
    def _one_line(context: Any) -> StoreError | None:
        # a damaged, read-only or unreachable database is the user's to fix: one line
        problem = database_problem(context.original_exception)
        return StoreError(problem, file=shown_url(url)) if problem else None

    return engine


def _engine_for(url: str, durable: bool) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy's "begin" start real transactions, and wait for other
            # writers instead of failing at once (two coders on one file).
            dbapi_conn.isolation_level = None
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    if not durable and url.startswith("postgresql"):
        # commits without waiting for the server's disk (a lost claim only ends early), and
        # no ping before each use: a claim on a dropped connection is simply tried again
        # (themecoder.store.claims); decisions use the durable engine
        return create_engine(url, connect_args={"options": "-c synchronous_commit=off"})
    return create_engine(url, pool_pre_ping=True)


def short_error(exc: Exception) -> str:
    """The first line of a database error (at most 200 characters), for a one-line message."""
    text = str(getattr(exc, "orig", None) or exc)
    return text.splitlines()[0][:200] if text else type(exc).__name__


def in_chunks(items: Sequence[Any], size: int = 500) -> Iterator[Sequence[Any]]:
    """``items`` in slices of at most ``size``: one statement's bound parameters stay
    within what every database accepts."""
    for start in range(0, len(items), size):
        yield items[start:start + size]
