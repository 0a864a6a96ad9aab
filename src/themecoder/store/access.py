"""Where a project lives, and what can go wrong reaching it.

* :func:`database_url` turns a project location — a file path, a ``postgresql://`` URL or a
  libpq connection string (``"host=db dbname=survey user=ann password=…"``) — into the
  SQLAlchemy URL to connect with, and refuses anything else (``postgress://``, ``mysql://``)
  with one line naming the scheme it expected.
* :func:`redact` masks every password in a location before it is shown or written.
* :func:`check_sqlite_project` looks at a file read-only before it is opened for writing, so
  an empty file or another program's database is refused without being touched (opening it
  with the project's settings would switch it to WAL mode or write a schema into it).
* :func:`database_problem` turns the database errors a user can act on (a damaged file, a
  read-only file, a missing folder, a full disk) into one line, naming the project.
* :func:`damaged_project` looks, after an unexpected failure, for a project file this process
  opened that is damaged: a damaged page can hand back rows that break the code reading them
  in ways no error message of SQLite names.
"""

from __future__ import annotations

import difflib
import os
import re
import sqlite3
from pathlib import Path
from urllib.parse import quote

from themecoder.errors import StoreError
from themecoder.safe_text import mask_secrets

SCHEMES = ("postgresql", "postgres", "postgresql+psycopg", "sqlite")
"""URL schemes a project location may use."""

LIBPQ_KEYWORDS = frozenset({
    "host", "hostaddr", "port", "dbname", "user", "password", "passfile", "connect_timeout",
    "client_encoding", "options", "application_name", "fallback_application_name",
    "keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count", "sslmode",
    "sslcert", "sslkey", "sslrootcert", "sslcrl", "sslpassword", "requiressl", "service",
    "target_session_attrs", "channel_binding", "gssencmode", "krbsrvname",
})
"""Keywords of a libpq connection string (``host=… dbname=…``)."""

SQLITE_HEADER = b"SQLite format 3\x00"
_LIBPQ_START = re.compile(r"^\s*([A-Za-z_]+)\s*=")
_MIGRATIONS_TABLE = "schema_migrations"


def redact(location: str | os.PathLike[str]) -> str:
    """A location (path, URL or libpq string) with every password replaced by ``***``."""
    return mask_secrets(str(location))


def is_libpq(text: str) -> bool:
    """Whether ``text`` reads as a libpq connection string (``host=… dbname=…``)."""
    match = _LIBPQ_START.match(text)
    return bool(match) and match.group(1).casefold() in LIBPQ_KEYWORDS


def database_url(location: str | os.PathLike[str]) -> str:
    """The SQLAlchemy URL for a project location.

    A path becomes an SQLite URL; ``postgresql://`` and ``postgres://`` URLs use the psycopg
    driver; a libpq string becomes the equivalent URL.

    Raises:
        StoreError: an unknown URL scheme or a libpq string that cannot be read.
    """
    text = str(location)
    if "://" in text:
        scheme, rest = text.split("://", 1)
        kind = scheme.casefold()
        if kind in ("postgresql", "postgres"):
            return "postgresql+psycopg://" + rest
        if kind in SCHEMES:
            return text
        close = difflib.get_close_matches(kind, ["postgresql", "sqlite"], n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]}://?" if close else ""
        raise StoreError(f"unknown kind of database '{scheme}://' (a project is a file, a "
                         f"postgresql:// URL or a libpq string 'host=… dbname=…'){hint}",
                         file=redact(text))
    if is_libpq(text):
        return _libpq_url(text)
    return f"sqlite:///{Path(text).expanduser().resolve()}"


def _libpq_url(text: str) -> str:
    from psycopg.conninfo import conninfo_to_dict
    from sqlalchemy.engine import URL

    try:
        params = {k: str(v) for k, v in conninfo_to_dict(text).items()}
    except Exception as exc:  # noqa: BLE001 - psycopg's parser reports any problem its own way
        raise StoreError(f"not a valid PostgreSQL connection string: {mask_secrets(str(exc))}",
                         file=redact(text)) from None
    unknown = sorted(set(params) - LIBPQ_KEYWORDS)
    if unknown:
        raise StoreError(f"not a PostgreSQL connection setting: {', '.join(unknown)}",
                         file=redact(text))
    host, port = params.get("host"), params.get("port")
    simple = host is not None and "/" not in host and "," not in host \
        and (port is None or port.isdigit())
    # a URL holds a password only beside a user name: otherwise it travels as a parameter
    in_url = ("user", "password", "dbname") if "user" in params else ("user", "dbname")
    query = {k: v for k, v in params.items() if k not in in_url
             and (not simple or k not in ("host", "port"))}
    url = URL.create("postgresql+psycopg", username=params.get("user"),
                     password=params.get("password") if "user" in params else None,
                     host=host if simple else None,
                     port=int(port) if simple and port else None,
                     database=params.get("dbname"), query=query)
    return url.render_as_string(hide_password=False)


def shown_url(url: str) -> str:
    """A connection URL as a user would name the project: the file's path, or the masked URL."""
    path = sqlite_path(url)
    return str(path) if path is not None else redact(url)


def default_name(location: str | os.PathLike[str]) -> str:
    """A project name from its location: the file's stem, or the database's name."""
    url = database_url(location)
    if url.startswith("sqlite"):
        return Path(str(location)).stem
    from sqlalchemy.engine import make_url

    return make_url(url).database or "project"


def sqlite_path(url: str) -> Path | None:
    """The file behind an SQLite URL (``None`` for other databases or an in-memory one)."""
    if not url.startswith("sqlite:///"):
        return None
    return Path(url.removeprefix("sqlite:///"))


def file_exists(path: Path, shown: str) -> bool:
    """Whether ``path`` exists.

    Raises:
        StoreError: it cannot be looked at (a folder on the way is not readable).
    """
    try:
        path.stat()
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise StoreError(f"cannot reach the project file ({exc.strerror or exc})",
                         file=shown) from None
    return True


def check_sqlite_project(path: Path, shown: str) -> None:
    """Refuse a file that is not a themecoder project, without changing it.

    The file is read through a read-only connection: an empty file, a file that is not an
    SQLite database, or another program's database is refused before anything opens it for
    writing.

    Raises:
        StoreError: naming the file and what it is instead.
    """
    try:
        with open(path, "rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except IsADirectoryError:
        raise StoreError("is a folder, not a project file", file=shown) from None
    except OSError as exc:
        raise StoreError(f"cannot read the project file ({exc.strerror or exc})",
                         file=shown) from None
    if not header:
        raise StoreError("the file is empty: not a themecoder project (create one with "
                         "`themecoder init`)", file=shown)
    if header != SQLITE_HEADER:
        raise StoreError("not a themecoder project (the file is not an SQLite database)",
                         file=shown)
    try:
        conn = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True, timeout=30)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open the project: {exc}", file=shown) from None
    try:
        found = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                             (_MIGRATIONS_TABLE,)).fetchone()
    except sqlite3.Error as exc:
        raise StoreError(database_problem(exc) or f"cannot read the project: {exc}",
                         file=shown) from None
    finally:
        conn.close()
    if found is None:
        raise StoreError("not a themecoder project (an SQLite database of another program; "
                         "it was left unchanged)", file=shown)
    _opened.setdefault(path, shown)


_opened: dict[Path, str] = {}
"""The SQLite projects opened since :func:`forget_opened`, with the name the user gave each."""


def forget_opened() -> None:
    """Start a new command: :func:`damaged_project` looks only at what is opened from now."""
    _opened.clear()


def damaged_project(failure: BaseException) -> StoreError | None:
    """After an unexpected ``failure``: a one-line error if it came from a damaged project.

    Each project file this process opened is checked read-only (``PRAGMA integrity_check``);
    the first damaged one is named with SQLite's first finding. Text a project holds in a form
    themecoder never writes (JSON that does not parse) means the same, even where the check
    finds the pages sound (one changed byte in a cell). ``None``: nothing is damaged, so the
    failure is a bug and keeps its traceback.
    """
    for path, shown in list(_opened.items()):
        if not path.exists():
            continue
        try:
            conn = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True, timeout=30)
            try:
                findings = [row[0] for row in conn.execute("PRAGMA integrity_check(3)")]
            finally:
                conn.close()
        except sqlite3.Error as exc:
            findings = [str(exc)]
        if findings != ["ok"]:
            first = " ".join(findings[0].split()).removeprefix("*** in database main *** ")
            return StoreError(f"the project file is damaged ({first[:200]}); restore it from "
                              "a backup", file=shown)
    if isinstance(failure, ValueError) and type(failure).__name__ == "JSONDecodeError" \
            and _opened:
        shown = next(iter(_opened.values()))
        return StoreError(f"the project file holds data themecoder never writes ({failure}): "
                          "it is damaged or was edited by another program; restore it from a "
                          "backup", file=shown)
    return None


_PROBLEMS = (
    ("malformed", "the project file is damaged ({detail}); restore it from a backup"),
    ("not a database", "the project file is damaged or not a database ({detail})"),
    # SQLite hands back text whose bytes a damaged page garbled as this error
    ("could not decode to utf-8", "the project file is damaged ({detail}); restore it from "
                                  "a backup"),
    ("readonly database", "the project is read-only here ({detail}): make the file and its "
                          "folder writable, or work on a copy"),
    ("read-only", "the project is read-only here ({detail})"),
    ("permission denied for", "the database user may not do this ({detail})"),
    ("unable to open database", "cannot open the project file ({detail}): check that its "
                                "folder exists and is readable"),
    ("disk i/o error", "the disk failed while reading or writing the project ({detail})"),
    ("database or disk is full", "the disk is full: the project could not be written "
                                 "({detail})"),
)


def database_problem(exc: BaseException) -> str | None:
    """One line for a database error a user can act on (damaged, read-only, disk full…).

    Returns ``None`` for other errors, which are bugs and keep their traceback.
    """
    original = getattr(exc, "orig", None) or exc
    detail = str(original).splitlines()[0] if str(original) else type(original).__name__
    lowered = detail.casefold()
    # the garbled text itself says nothing to the user
    detail = detail.split(" with text '")[0]
    for needle, message in _PROBLEMS:
        if needle in lowered:
            return message.format(detail=mask_secrets(detail[:200]))
    return None
