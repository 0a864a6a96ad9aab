"""``themecoder code`` without a terminal: one line on stderr and exit code 2, at once,
instead of waiting for keys that never come."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tui_snapshot_app import build_project

from themecoder import exit_codes

THEMECODER = Path(sys.executable).parent / "themecoder"


def test_code_without_a_terminal_exits_with_one_line(tmp_path: Path) -> None:
    location = build_project(tmp_path)
    done = subprocess.run([str(THEMECODER), "code", location, "--coder", "ann"],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert done.returncode == exit_codes.USER_ERROR
    assert done.stdout == ""  # no control codes written
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: the coding app needs a terminal")
    assert "themecoder serve" in lines[0]
