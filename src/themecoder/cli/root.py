"""The root click group, shared options, and the error handling every command gets.

User mistakes raise :class:`~themecoder.errors.ThemecoderError`; the group turns them
into one line on stderr and exit code :data:`~themecoder.exit_codes.USER_ERROR`.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from themecoder import __version__, exit_codes
from themecoder.errors import ThemecoderError
from themecoder.safe_text import shown

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

DB_ENV_VAR = "THEMECODER_DB"

COMMAND_MODULES = {
    "adjudicate": "team_cmds", "agree": "team_cmds", "assign": "team_cmds",
    "autocode": "autocode_cmd",
    "code": "code_cmd", "codebook": "codebook_cmds", "demo": "demo",
    "discover": "discover_cmd", "evaluate": "model_cmds", "export": "export_cmd",
    "import": "project_cmds", "init": "project_cmds", "model": "model_versions_cmds",
    "project": "model_versions_cmds", "quotes": "export_cmd", "report": "export_cmd",
    "sample": "demo", "serve": "serve_cmd", "settings": "export_cmd", "status": "project_cmds",
    "suggest": "suggest_cmds", "team": "team_cmds", "train": "model_cmds",
}
"""Each command → the module (in ``themecoder.cli``) that defines it. A command's module
is imported only when that command runs (or the command list is shown), so
``themecoder code`` does not pay for importing what the other commands need."""


def load_command_modules(names: Any = None) -> None:
    """Import the modules defining ``names`` (default: every command), which registers
    their commands on :data:`cli`."""
    for module in sorted({COMMAND_MODULES[n] for n in (names or COMMAND_MODULES)
                          if n in COMMAND_MODULES}):
        importlib.import_module(f"themecoder.cli.{module}")


class ThemecoderGroup(click.Group):
    """A click group that reports user errors as one line, never a traceback, and loads
    each command's module when the command is first asked for."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and ctx.command is self:
            load_command_modules([cmd_name])
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        if ctx.command is self:
            load_command_modules()
        return super().list_commands(ctx)

    def invoke(self, ctx: click.Context) -> Any:
        access = sys.modules.get("themecoder.store.access")
        if access is not None:  # (not imported yet: nothing opened yet either)
            access.forget_opened()
        try:
            return super().invoke(ctx)
        except ThemecoderError as exc:
            click.echo(f"error: {exc.one_line()}", err=True)
            ctx.exit(exit_codes.USER_ERROR)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(exit_codes.INTERRUPTED)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:
            # a damaged project file breaks code in ways of its own: say so in one line
            from themecoder.store.access import damaged_project

            damaged = damaged_project(exc)
            if damaged is None:
                raise
            click.echo(f"error: {damaged.one_line()}", err=True)
            ctx.exit(exit_codes.USER_ERROR)


@click.group(cls=ThemecoderGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, prog_name="themecoder")
def cli() -> None:
    """Code free-text survey answers into codebook themes.

    Typical flow: `themecoder init`, `themecoder import`, `themecoder suggest`,
    `themecoder code`, `themecoder export`. Run `themecoder demo` to see it all on the
    bundled sample survey.
    """


def project_argument(func: Any) -> Any:
    """The PROJECT argument: a project file path or a database URL.

    With no argument, the URL in the THEMECODER_DB environment variable is used, so
    PostgreSQL credentials need never be written in a command line or a file.
    """
    return click.argument("project", required=False, metavar="PROJECT",
                          envvar=DB_ENV_VAR)(func)


def resolve_project(project: str | None) -> str:
    """The project location from the argument or the environment, or a usage error."""
    if not project:
        raise click.UsageError(
            f"give a PROJECT (a .themecoder file or a database URL) or set {DB_ENV_VAR}")
    return project


def literal(value: Any) -> Any:
    """Data as a Rich ``Text``: printed as written (no markup), controls visible, no password."""
    from rich.text import Text

    return Text(shown(value))


def echo(message: Any, *, err: bool = False) -> None:
    """Print a line holding data: control characters visible, passwords masked."""
    click.echo(shown(message), err=err)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    sys.exit(cli.main(args=argv, prog_name="themecoder", standalone_mode=True))
