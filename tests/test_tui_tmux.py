"""End to end: the real ``themecoder code`` in a real terminal (tmux), killed with SIGKILL
after a few decisions and in the middle of typing a note; every confirmed decision must be
in the project, and the note as far as it was typed."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from themecoder.store import Project
from themecoder.store.drafts import drafts

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

SURVEY = """respondent_id,group,worked_well,not_well,change
E01,holder,My personal assistant takes me swimming every week.,Too much paperwork.,
E02,holder,fine,The social worker never called back.,Quicker set up
E03,carer,I finally get a break.,,More respite please
"""


def tmux(*args: str, socket: str | None = None) -> str:
    """Run a tmux command (on a server of its own, without any tmux settings, for ``socket``)."""
    server = ["-L", socket, "-f", "/dev/null"] if socket else []
    return subprocess.run(["tmux", *server, *args], check=True, capture_output=True,
                          text=True).stdout


def start_session(session: str, command: str, columns: int, rows: int) -> None:
    """Run ``command`` in a new detached tmux session of ``columns`` × ``rows``."""
    tmux("new-session", "-d", "-s", session, "-x", str(columns), "-y", str(rows), command)
    # some tmux set-ups start detached sessions at 80x24 whatever -x/-y say
    subprocess.run(["tmux", "resize-window", "-t", session, "-x", str(columns), "-y", str(rows)],
                   capture_output=True)


def wait_for(session: str, predicate, timeout: float = 90.0, *,  # noqa: ANN001
             socket: str | None = None) -> str:
    """Poll the pane until ``predicate(text)`` holds; return the text."""
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        text = tmux("capture-pane", "-p", "-t", session, socket=socket)
        if predicate(text):
            return text
        time.sleep(0.2)
    raise AssertionError(f"timed out; the pane shows:\n{text}")


def descendants(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True,
                         text=True).stdout.split()
    found = [int(p) for p in out]
    return found + [d for child in found for d in descendants(child)]


def test_code_in_tmux_then_sigkill(tmp_path: Path) -> None:
    themecoder = Path(sys.executable).parent / "themecoder"
    project = tmp_path / "e2e.themecoder"
    survey = tmp_path / "survey.csv"
    survey.write_text(SURVEY, encoding="utf-8")
    subprocess.run([str(themecoder), "init", str(project),
                    "--codebook", str(ROOT / "codebooks" / "poet_holders.yaml"),
                    "--codebook", str(ROOT / "codebooks" / "poet_carers.yaml")],
                   check=True, capture_output=True)
    subprocess.run([str(themecoder), "import", str(project), str(survey)], check=True,
                   capture_output=True)
    session = f"tc-e2e-{uuid.uuid4().hex[:8]}"
    command = f"env TERM=xterm-256color {themecoder} code {project} --coder e2e"
    start_session(session, command, 120, 40)
    try:
        wait_for(session, lambda t: "personal assistant" in t)
        # suggestions are computed in the background; wait until the first one arrives
        wait_for(session, lambda t: "Suggested:" in t and "Done 0/" in t, timeout=60)
        tmux("send-keys", "-t", session, "Enter")  # accept the suggestion
        wait_for(session, lambda t: "Done 1/" in t and "What did not work well" in t
                 and "respondent E01" in t)
        tmux("send-keys", "-t", session, "0")  # toggle Staff on top of what is marked
        tmux("send-keys", "-t", session, "Enter")
        wait_for(session, lambda t: "Done 2/" in t)
        tmux("send-keys", "-t", session, "x")  # E02 worked well: "fine" → not assigned
        wait_for(session, lambda t: "Done 3/" in t and "What did not work well" in t
                 and "respondent E02" in t)
        # a note being typed when the process dies is kept as a draft
        tmux("send-keys", "-t", session, "m")
        wait_for(session, lambda t: "Note on answer" in t)
        tmux("send-keys", "-t", session, "-l", "call back later")
        wait_for(session, lambda t: "call back later" in t)
        pane_pid = int(tmux("list-panes", "-t", session, "-F", "#{pane_pid}").split()[0])
        for pid in [pane_pid, *descendants(pane_pid)]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    with Project.open(project) as store:
        keys = {a.id: a.key for a in store.answers()}
        decided = {keys[a]: d for (a, _c), d in store.current_decisions(coder="e2e").items()}
        first = decided["E01:worked_well"]
        stored = store.suggestions([store.answer_by_key("E01:worked_well").id])
        expected = stored[store.answer_by_key("E01:worked_well").id].suggested_ids()
        kept = drafts(store, "e2e")
        assert kept == {store.answer_by_key("E02:not_well").id: "call back later"}
    assert set(decided) == {"E01:worked_well", "E01:not_well", "E02:worked_well"}
    assert first.source == "accepted" and set(first.themes) == set(expected) and expected
    assert "staff" in decided["E01:not_well"].themes
    assert decided["E01:not_well"].source == "corrected"
    assert decided["E02:worked_well"].not_assigned
