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


STARTUP_PROBE = """
import asyncio, gc, os, sys
gc.disable()  # as themecoder.tui.run does
from themecoder.cli import cli
from themecoder.tui.app import CodingApp

async def main(location):
    app = CodingApp(location, "ann", collector_paused=True)
    resume = app.first_answer_shown

    def first_answer_shown():
        # called once the first answer has been drawn, before anything loads in the back
        meta = str(app.screen.query_one("#meta").render())
        heavy = [m for m in ("numpy", "scipy", "sklearn", "spacy", "torch",
                             "sentence_transformers") if m in sys.modules]
        print("shown:", "respondent" in meta, "loaded:", " ".join(heavy) or "-")
        resume()
        print("collector:", "on" if gc.isenabled() else "off", flush=True)
        os._exit(0)  # done: not waiting for the suggestion work now starting to finish

    app.first_answer_shown = first_answer_shown
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.5)

asyncio.run(main(sys.argv[1]))
"""


def test_first_answer_needs_no_model_libraries(tmp_path: Path) -> None:
    """Up to the first answer on screen, the app imports none of the libraries suggesting
    needs (they load afterwards, in the background), and the garbage collector paused for
    the start-up runs again."""
    location = build_project(tmp_path)
    done = subprocess.run([sys.executable, "-c", STARTUP_PROBE, location],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "shown: True loaded: -" in done.stdout
    assert "collector: on" in done.stdout


def test_commands_load_their_modules_when_used() -> None:
    """Every command is listed with the module that defines it (so ``themecoder code``
    imports only its own), and ``--help`` still lists them all."""
    from click.testing import CliRunner

    from themecoder.cli import cli
    from themecoder.cli.root import COMMAND_MODULES, load_command_modules

    load_command_modules()
    defined = {name: command.callback.__module__.rsplit(".", 1)[1] if command.callback
               else None for name, command in cli.commands.items()}
    assert defined == COMMAND_MODULES
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in COMMAND_MODULES:
        assert f"  {name} " in result.output or f"  {name}\n" in result.output
