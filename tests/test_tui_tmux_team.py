"""End to end: two coders, each running the real ``themecoder code`` in a real terminal
(tmux), on one project; round after round both press Enter at the same moment. No answer
is ever on both screens at once, none is decided by both, and quitting lets go of claims."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
import uuid
from collections import Counter
from functools import partial
from pathlib import Path

import pytest
from conftest import make_project
from test_tui_tmux import tmux as tmux_on
from test_tui_tmux import wait_for as wait_on

from themecoder.store import Project
from themecoder.store.claims import claims

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

ROUNDS = 6
ANSWER_ID = re.compile(r"respondent \S+ · answer (\d+)")
SOCKET = f"themecoder-team-{uuid.uuid4().hex[:8]}"
"""A tmux server of this test's own, so no one else's tmux settings change the window size."""
tmux = partial(tmux_on, socket=SOCKET)
wait_for = partial(wait_on, socket=SOCKET)


def shown(text: str) -> int | None:
    """The id of the answer on the screen."""
    found = ANSWER_ID.search(text)
    return int(found.group(1)) if found else None


def with_suggestions(location: str) -> None:
    """A suggested theme for every commented answer, so Enter always records a decision."""
    with Project.open(location) as project:
        rows = []
        for answer in project.answers(with_comment=True):
            theme = project.codebook_for_group(answer.group).theme_ids[answer.id % 5]
            rows.append((answer.id, [{"theme_id": theme, "score": 0.9, "suggested": True,
                                      "reasons": ["test"], "spans": []}], False))
        project.save_suggestions(rows, "fixed-test")


def test_two_coders_press_enter_together(store_url: str) -> None:
    make_project(store_url).close()
    with_suggestions(store_url)
    themecoder = Path(sys.executable).parent / "themecoder"
    sessions = {coder: f"tc-team-{coder}-{uuid.uuid4().hex[:6]}" for coder in ("alice", "bob")}
    try:
        for coder, session in sessions.items():
            # without the COLUMNS/LINES the test process may carry (80×24), so the app
            # draws at the pane's real size
            command = (f"env -u COLUMNS -u LINES TERM=xterm-256color {themecoder} code "
                       f"'{store_url}' --coder {coder}")
            tmux("new-session", "-d", "-s", session, "-x", "160", "-y", "40", command)
        for session in sessions.values():
            size = tmux("display", "-p", "-t", session, "#{pane_width}x#{pane_height}")
            assert size.strip() == "160x40", size
        on_screen = {coder: shown(wait_for(session, lambda t: shown(t) is not None, 60))
                     for coder, session in sessions.items()}
        seen = []
        for _ in range(ROUNDS):
            assert on_screen["alice"] != on_screen["bob"], on_screen
            seen.append(dict(on_screen))
            alice, bob = sessions["alice"], sessions["bob"]
            tmux("send-keys", "-t", alice, "Enter", ";", "send-keys", "-t", bob, "Enter")
            for coder, session in sessions.items():
                before = on_screen[coder]
                on_screen[coder] = shown(wait_for(
                    session, lambda t, before=before: shown(t) not in (None, before), 60))
        for session in sessions.values():
            tmux("send-keys", "-t", session, "C-q")
        for session in sessions.values():
            _wait_gone(session)
    finally:
        subprocess.run(["tmux", "-L", SOCKET, "kill-server"], capture_output=True)
    with Project.open(store_url) as project:
        log = project.decision_log()
        left = claims(project)
    per_answer = Counter(d.answer_id for d in log)
    assert len(log) == 2 * ROUNDS and set(per_answer.values()) == {1}
    for coder in ("alice", "bob"):
        assert sorted(d.answer_id for d in log if d.coder == coder) == \
            sorted(s[coder] for s in seen)
    assert left == []  # both apps let go of their answers on quit


def _wait_gone(session: str, timeout: float = 30.0) -> None:
    """Wait until the app in ``session`` has quit (the tmux session then ends)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if subprocess.run(["tmux", "-L", SOCKET, "has-session", "-t", session],
                          capture_output=True).returncode != 0:
            return
        time.sleep(0.2)
    raise AssertionError(f"the app in {session} did not quit")
