"""End to end: F5 in the real ``themecoder code`` in a real terminal (tmux) at 80×24 —
retraining progress stays on screen until the retraining ends, then its outcome stays
until Esc."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from test_tui_retrain import _setting
from test_tui_tmux import start_session, tmux, wait_for

from themecoder.store import Project
from themecoder.store.model_registry import model_versions

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def test_f5_shows_progress_then_the_outcome_until_dismissed(tmp_path: Path) -> None:
    location = _setting(tmp_path, coded=30)
    themecoder = Path(sys.executable).parent / "themecoder"
    session = f"tc-retrain-{uuid.uuid4().hex[:8]}"
    command = f"env TERM=xterm-256color {themecoder} code {location} --coder ana"
    start_session(session, command, 80, 24)
    try:
        wait_for(session, lambda t: "Done 30/" in t, timeout=60)
        tmux("send-keys", "-t", session, "F5")
        progress = wait_for(session, lambda t: "Retraining poet_holders" in t, timeout=60)
        assert "(Esc: dismiss)" not in progress
        outcome = wait_for(session, lambda t: "(Esc: dismiss)" in t, timeout=600)
        assert "poet_holders v2 " in outcome and "micro-F1" in outcome
        assert "Retraining poet_holders" not in outcome
        # the outcome stays while the coder goes on
        tmux("send-keys", "-t", session, "Enter")
        after = wait_for(session, lambda t: "Done 31/" in t)
        assert "(Esc: dismiss)" in after and "poet_holders v2 " in after
        tmux("send-keys", "-t", session, "Escape")
        wait_for(session, lambda t: "poet_holders v2 " not in t and "Done 31/" in t)
        tmux("send-keys", "-t", session, "C-q")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and subprocess.run(
                ["tmux", "has-session", "-t", session], capture_output=True).returncode == 0:
            time.sleep(0.2)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    with Project.open(location) as project:
        versions = model_versions(project, "poet_holders")
    assert [v.number for v in versions] == [1, 2]
    assert versions[1].origin == "retrained"
    used = "in use" in outcome
    assert bool(versions[1].accepted) == used
