"""Hostile text in the app and on the command line: shown as written, never obeyed.

An answer holding escape sequences (clear the screen, recolour, set the window title), a
codebook named ``[@click=app.quit]…``, theme names and a group label full of markup, typed
text with brackets, and a 2 MB answer: the app shows all of them literally (control
characters as visible stand-ins), keeps working, and the stored text stays as imported.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import yaml
from bad_input import ROOT, invoke
from test_tui_tmux import start_session, tmux, wait_for

from themecoder.store import Project

ESCAPES = "before\x1b[2J\x1b[31mred\x1b]0;pwned\x07after \x9b31m"
SHOWN_ESCAPES = "before␛[2J␛[31mred␛]0;pwned␇after \\x9b31m"
BOOK = "[@click=app.quit]Hostile [/] book"
THEME = "[b]Staff[/b] [/]"
GROUP = "[old]"
SIZE = (120, 40)


def hostile_project(folder: Path, *, long_answer: bool = False) -> Path:
    data = yaml.safe_load((ROOT / "codebooks" / "poet_holders.yaml").read_text())
    data.update(id="hostile", name=BOOK, groups=[GROUP])
    data["themes"][0]["name"] = THEME
    data["themes"][1]["name"] = "Bell\x07 and escape\x1b[5m"
    codebook = folder / "hostile.yaml"
    codebook.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    survey = folder / "hostile.csv"
    text = ("social worker " * 150_000) if long_answer else "the social worker was kind"
    with open(survey, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([
            ["respondent_id", "group", "worked_well", "not_well", "change"],
            ["H1", GROUP, ESCAPES, text, "[@click=app.quit]more"],
            ["H2", GROUP, "fine", "ok", "less"]])
    project = folder / "hostile.db"
    assert invoke("init", project, "--codebook", codebook).exit_code == 0
    result = invoke("import", project, survey)
    assert result.exit_code == 0, result.output
    return project


def _text(widget) -> str:  # noqa: ANN001
    return str(widget.render())


def _no_controls(text: str) -> bool:
    return not any(ord(c) < 32 and c not in "\n\t" or 0x7F <= ord(c) <= 0x9F for c in text)


async def test_the_app_shows_hostile_text_literally(tmp_path: Path) -> None:
    from textual.widgets import Select, Static

    from themecoder.tui.app import CodingApp
    from themecoder.tui.screens.dialogs import FilterDialog

    project = hostile_project(tmp_path)
    app = CodingApp(str(project), "[bold]coder[/]", suggest_ahead=False, poll_seconds=None,
                    deterministic=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        answer = _text(screen.query_one("#answer-text"))
        assert SHOWN_ESCAPES in answer and _no_controls(answer)
        title = _text(screen.query_one(".theme-title", Static))
        assert BOOK in title
        rows = " ".join(_text(w) for w in screen.query(".theme-row"))
        assert "[b]Staff[/b] [/]" in rows and "Bell␇ and escape␛[5m" in rows
        assert _no_controls(rows)
        assert GROUP in _text(screen.query_one("#meta"))
        assert "[bold]coder[/]" in _text(screen.query_one("#topbar"))
        await pilot.click(".theme-title")  # a live [@click=app.quit] link would quit here
        await pilot.pause()
        assert app.is_running
        # the go-to message quotes what was typed, as typed
        await pilot.press("g")
        await pilot.pause()
        await pilot.press(*"[b]no[/b]", "enter")
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert "No answer with id or key '[b]no[/b]'." in messages
        # the filter's dropdowns list theme names and groups as written
        await pilot.press("f")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, FilterDialog)
        themes = dialog.query_one("#theme", Select)
        prompts = [str(prompt) for prompt, _value in themes._options]
        assert THEME in prompts
        groups = [str(prompt) for prompt, _value in dialog.query_one("#group", Select)._options]
        assert GROUP in groups
        await pilot.press("escape")
        await pilot.pause()
        # the next answer: markup typed by a respondent stays text
        await pilot.press("n", "n")
        await pilot.pause()
        assert "[@click=app.quit]more" in _text(app.screen.query_one("#answer-text"))
    with Project.open(project) as store:
        assert store.answer_by_key("H1:worked_well").text == ESCAPES  # stored as imported


async def test_a_two_megabyte_answer_opens_and_is_coded(tmp_path: Path) -> None:
    from themecoder.tui.app import CodingApp
    from themecoder.tui.widgets.answer_view import SHOWN_CHARS

    project = hostile_project(tmp_path, long_answer=True)
    app = CodingApp(str(project), "alice", suggest_ahead=False, poll_seconds=None,
                    deterministic=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("x")  # H1 worked well: not assigned
        await pilot.pause()
        shown = _text(app.screen.query_one("#answer-text"))
        assert app.session.current.key == "H1:not_well"
        hidden = len(app.session.current.text) - SHOWN_CHARS
        assert f"{hidden:,} more characters not shown (the export has them)" in shown
        await pilot.press("1", "enter")
        await pilot.pause()
    with Project.open(project) as store:
        decided = {store.answer(a).key for (a, _c) in store.current_decisions(coder="alice")}
    assert decided == {"H1:worked_well", "H1:not_well"}


def test_command_line_listings_show_escape_codes_as_text(tmp_path: Path) -> None:
    project = hostile_project(tmp_path)
    with Project.open(project) as store:
        answer = store.answer_by_key("H1:worked_well")
        codebook = store.codebook_for_group(GROUP)
        store.record_decision(answer.id, "ann", [codebook.themes[0].id])
        store.record_decision(answer.id, "bob", [codebook.themes[1].id])
    listed = invoke("adjudicate", project, "--adjudicator", "eve", "--list")
    assert listed.exit_code == 0, listed.output
    assert "before␛[2J␛[31mred␛]0;pwned␇after" in listed.output
    assert _no_controls(listed.output)
    shown = invoke("codebook", "show", tmp_path / "hostile.yaml")
    assert shown.exit_code == 0, shown.output
    assert BOOK in shown.output and "[b]Staff[/b] [/]" in shown.output
    assert _no_controls(shown.output)
    status = invoke("status", project)
    assert status.exit_code == 0 and GROUP in status.output


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_escape_codes_never_reach_a_real_terminal(tmp_path: Path) -> None:
    project = hostile_project(tmp_path)
    themecoder = Path(sys.executable).parent / "themecoder"
    session = f"tc-hostile-{uuid.uuid4().hex[:8]}"
    start_session(session, f"env TERM=xterm-256color {themecoder} code {project} --coder eve",
                  120, 40)
    try:
        text = wait_for(session, lambda t: "after" in t, timeout=60)
        assert "before␛[2J␛[31mred␛]0;pwned␇after" in text, text
        assert "[@click=app.quit]Hostile" in text
        assert "pwned" not in tmux("display-message", "-p", "-t", session, "#{pane_title}")
        tmux("send-keys", "-t", session, "x")
        text = wait_for(session, lambda t: "Answer 2 of" in t, timeout=30)
        assert "Answer 2 of" in text and "What did not work well" in text
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    with Project.open(project) as store:
        assert [d.not_assigned for d in store.decision_log(coder="eve")] == [True]
