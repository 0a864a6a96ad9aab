"""Passwords in database locations never reach the screen, an error line or a file.

A location may carry its password three ways: ``postgresql://user:PASSWORD@host/db``, a
``?password=`` parameter, or a libpq string ``"host=… password=…"``. Every form is masked
in ``status``, error lines and every export file, and a libpq string is a database, never
a file name.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bad_input import CARERS, HOLDERS, SAMPLE, assert_refused, invoke, run
from sqlalchemy.engine import make_url

from themecoder.errors import StoreError
from themecoder.safe_text import mask_secrets
from themecoder.store import database_url, redact

SECRET = "s3cret-Pa55"


@pytest.mark.parametrize("location, masked", [
    ("postgresql://ann:s3cret@db/survey", "postgresql://ann:***@db/survey"),
    ("postgresql://ann:p@ss@db/survey", "postgresql://ann:***@db/survey"),
    ("postgresql://ann@db/survey?sslmode=require&password=s3cret",
     "postgresql://ann@db/survey?sslmode=require&password=***"),
    ("host=db dbname=survey password=s3cret user=ann",
     "host=db dbname=survey password=*** user=ann"),
    ("host=db password = 's3 cret' dbname=survey", "host=db password = *** dbname=survey"),
    ("survey2026.db", "survey2026.db"),
])
def test_every_form_is_masked(location: str, masked: str) -> None:
    assert redact(location) == masked
    assert "s3" not in mask_secrets(f"error: {location}: could not connect")


def test_a_libpq_string_is_a_database_not_a_file() -> None:
    url = make_url(database_url("host=db.example port=5433 dbname=survey user=ann "
                                "password='a b@c' sslmode=require"))
    assert (url.drivername, url.host, url.port, url.database, url.username, url.password,
            dict(url.query)) == ("postgresql+psycopg", "db.example", 5433, "survey", "ann",
                                 "a b@c", {"sslmode": "require"})
    socket = make_url(database_url("host=/var/run/postgresql dbname=survey"))
    assert socket.query["host"] == "/var/run/postgresql" and socket.database == "survey"


@pytest.mark.parametrize("location", ["host=db password", "host=db colour=blue"])
def test_a_broken_libpq_string_is_one_line(location: str) -> None:
    with pytest.raises(StoreError) as caught:
        database_url(location)
    assert "connection s" in caught.value.one_line()


def test_a_libpq_string_never_becomes_a_file(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    line = assert_refused(run("init", f"host=127.0.0.1 port=1 password={SECRET} dbname=x",
                              "--codebook", CARERS))
    assert SECRET not in line and "password=***" in line
    assert list(tmp_path.iterdir()) == []


def test_error_lines_mask_the_password() -> None:
    for location in (f"postgresql://ann:{SECRET}@127.0.0.1:1/survey",
                     f"postgresql://ann@127.0.0.1:1/survey?password={SECRET}",
                     f"postgress://ann:{SECRET}@127.0.0.1:1/survey"):
        line = assert_refused(run("status", location))
        assert SECRET not in line and "***" in line
        assert "***: " in line or "***@" in line  # the line's own separator survives


def test_masking_keeps_the_parts_of_an_error_line_apart() -> None:
    location = f"postgresql://ann@db/survey?password={SECRET}"
    line = StoreError("a project already exists in this database", file=location).one_line()
    assert line == ("postgresql://ann@db/survey?password=***: "
                    "a project already exists in this database")


def _with_password(url: str, form: str) -> str:
    """The test server's URL with a password in the given form (trust auth ignores it)."""
    parsed = make_url(url)
    if form == "url":
        return parsed.set(password=SECRET).render_as_string(hide_password=False)
    if form == "query":
        return parsed.update_query_dict({"password": SECRET}).render_as_string(
            hide_password=False)
    return (f"host={parsed.host} port={parsed.port} dbname={parsed.database} "
            f"user={parsed.username} password={SECRET}")


@pytest.mark.postgres
@pytest.mark.parametrize("form", ["url", "query", "libpq"])
def test_no_password_in_status_or_exports(form: str, pg_url: str, tmp_path: Path,
                                          monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    location = _with_password(pg_url, form)
    created = invoke("init", location, "--codebook", HOLDERS, "--codebook", CARERS)
    assert created.exit_code == 0, created.output
    imported = invoke("import", location, SAMPLE / "prior_year.csv", "--mapping",
                      SAMPLE / "mapping.yaml")
    assert imported.exit_code == 0, imported.output
    status = run("status", location)
    assert status.returncode == 0, status.stderr
    assert "***" in status.stdout
    exported = invoke("export", location, "--out", tmp_path / "out")
    assert exported.exit_code == 0, exported.output
    shown = created.output + imported.output + status.stdout + status.stderr + exported.output
    assert SECRET not in shown
    files = sorted((tmp_path / "out").iterdir())
    assert {"metadata.json", "theme_counts.md", "theme_counts.xlsx", "coded_data.xlsx"} <= \
        {f.name for f in files}
    for path in files:
        assert SECRET.encode() not in path.read_bytes(), path.name
    if form == "libpq":  # the xlsx files are zipped: look inside them too
        import zipfile

        for name in ("theme_counts.xlsx", "coded_data.xlsx"):
            with zipfile.ZipFile(tmp_path / "out" / name) as archive:
                for member in archive.namelist():
                    assert SECRET.encode() not in archive.read(member), (name, member)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
