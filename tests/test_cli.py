"""The command line: help everywhere, one-line errors with exit code 2, the basic flow."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from themecoder import exit_codes
from themecoder.cli import cli
from themecoder.cli.root import load_command_modules

ROOT = Path(__file__).resolve().parents[1]
HOLDERS = str(ROOT / "codebooks" / "poet_holders.yaml")
CARERS = str(ROOT / "codebooks" / "poet_carers.yaml")


def all_commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, command in group.commands.items():
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from all_commands(command, (*prefix, name))


load_command_modules()  # commands register when their module is first needed
COMMANDS = sorted(all_commands(cli), key=lambda item: item[0])


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=" ".join)
def test_every_command_has_help(path: tuple[str, ...]) -> None:
    command = dict(COMMANDS)[path]
    assert command.help and command.help.strip(), f"{' '.join(path)} has no help text"
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output
    short = CliRunner().invoke(cli, [*path, "-h"])
    assert short.exit_code == 0


def test_every_option_has_help() -> None:
    for path, command in COMMANDS:
        for param in command.params:
            if isinstance(param, click.Option) and not param.hidden:
                assert param.help, f"{' '.join(path)} {param.opts[0]} has no help"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).parent / "themecoder"
    return subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("args", [
    ["codebook", "validate", "/no/such/codebook.yaml"],
    ["status", "/no/such/project.db"],
    ["import", "/no/such/project.db", "x.csv"],
])
def test_user_errors_are_one_line_without_traceback(args: list[str]) -> None:
    result = run(*args)
    assert result.returncode == exit_codes.USER_ERROR
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("error: ")


def test_bad_codebook_error_names_file_line_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(Path(HOLDERS).read_text().replace("id: staff", "id: support", 1))
    result = run("codebook", "validate", str(bad))
    assert result.returncode == 2
    assert f"{bad}:" in result.stderr and "field 'themes[" in result.stderr


def test_init_import_status_flow(tmp_path: Path) -> None:
    runner = CliRunner()
    project = str(tmp_path / "p.db")
    result = runner.invoke(cli, ["init", project, "--codebook", HOLDERS, "--codebook", CARERS])
    assert result.exit_code == 0, result.output
    survey = tmp_path / "s.csv"
    survey.write_text("respondent_id,group,worked_well,not_well,change,ww_t\n"
                      "R1,holder,My PA is great,,,Staff\n"
                      "R2,carer,respite,forms,,Support\n", encoding="utf-8")
    result = runner.invoke(cli, ["import", project, str(survey), "--question",
                                 "worked_well=worked_well", "--question", "not_well=not_well",
                                 "--question", "change=change", "--themes-col",
                                 "worked_well=ww_t"])
    assert result.exit_code == 0, result.output
    assert "2 respondents, 6 answers added, 2 coding decisions" in result.output
    again = runner.invoke(cli, ["import", project, str(survey), "--question",
                                "worked_well=worked_well", "--question", "not_well=not_well",
                                "--question", "change=change"])
    assert "0 respondents, 0 answers added, 6 already present" in again.output
    status = runner.invoke(cli, ["status", project])
    assert status.exit_code == 0
    assert "holder" in status.output and "carer" in status.output
    # a second init on the same file is refused and changes nothing
    result = runner.invoke(cli, ["init", project, "--codebook", HOLDERS])
    assert result.exit_code == 2 and "already exists" in result.output


def test_import_error_leaves_project_unchanged(tmp_path: Path) -> None:
    project = str(tmp_path / "p.db")
    assert run("init", project, "--codebook", HOLDERS).returncode == 0
    survey = tmp_path / "s.csv"
    survey.write_text("respondent_id,group,worked_well\nR1,holder,ok\nR1,holder,again\n")
    result = run("import", project, str(survey))
    assert result.returncode == 2
    assert "row 3" in result.stderr and "respondent_id" in result.stderr
    from themecoder.store import Project

    with Project.open(project) as store:
        assert store.count_answers() == 0
