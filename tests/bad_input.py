"""Helpers for the hostile- and broken-input tests: run the CLI, fingerprint a project.

A refused command must leave a project exactly as it was: :func:`project_rows` reads every
row of every table through a read-only connection, so two fingerprints compare the saved
content (not the file's bytes, which SQLite may legitimately touch).
"""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

from click.testing import CliRunner, Result

from themecoder import exit_codes
from themecoder.cli import cli

ROOT = Path(__file__).resolve().parents[1]
HOLDERS = str(ROOT / "codebooks" / "poet_holders.yaml")
CARERS = str(ROOT / "codebooks" / "poet_carers.yaml")
SAMPLE = ROOT / "sample_data"


def invoke(*args: str, width: int = 200) -> Result:
    """Run a command in-process (fast); exceptions are kept on the result, not raised.

    Tables are printed ``width`` columns wide, so cells are not wrapped.
    """
    return CliRunner().invoke(cli, [str(a) for a in args], env={"COLUMNS": str(width)})


def run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the installed ``themecoder`` program, as a user would."""
    exe = Path(sys.executable).parent / "themecoder"
    return subprocess.run([str(exe), *map(str, args)], capture_output=True, text=True,
                          timeout=timeout)


def assert_refused(result: Result | subprocess.CompletedProcess[str], *needles: str) -> str:
    """A user error: exit code 2, one ``error:`` line, no traceback; returns that line."""
    if isinstance(result, Result):
        assert result.exit_code == exit_codes.USER_ERROR, (result.output, result.exception)
        assert isinstance(result.exception, SystemExit), result.exception
        text = result.stderr
    else:
        assert result.returncode == exit_codes.USER_ERROR, (result.stdout, result.stderr)
        text = result.stderr
    assert "Traceback" not in text
    lines = text.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), text
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def new_project(folder: Path, name: str = "p.db") -> Path:
    """An empty project with the two POET codebooks."""
    path = folder / name
    result = invoke("init", path, "--codebook", HOLDERS, "--codebook", CARERS)
    assert result.exit_code == 0, result.output
    return path


def project_rows(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table of an SQLite project, read without writing."""
    conn = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: sorted(map(tuple, conn.execute(f'SELECT * FROM "{t}"')), key=repr)
                for t in tables}
    finally:
        conn.close()


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()
