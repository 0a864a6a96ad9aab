"""The project store: schema, numbered migrations and the :class:`Project` API."""

from themecoder.store.project import (
    Answer,
    Decision,
    ImportResult,
    Project,
    StoredSuggestion,
    database_url,
    redact,
)

__all__ = ["Answer", "Decision", "ImportResult", "Project", "StoredSuggestion", "database_url",
           "redact"]
