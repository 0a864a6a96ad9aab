"""``themecoder code PROJECT``: open the terminal coding app."""

from __future__ import annotations

import getpass

import click

from themecoder.cli.root import cli, project_argument, resolve_project


def default_coder() -> str:
    """The operating-system user name (the default coder name)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "coder"


@cli.command()
@project_argument
@click.option("--coder", help="Your name, stored with every decision.  [default: your user "
                              "name]")
@click.option("--order", type=click.Choice(["plain", "uncertain"]), default="plain",
              show_default=True,
              help="plain: import order; uncertain: the answers the model is least sure of "
                   "first (a fifth drawn at random), so retraining learns fastest.")
def code(project: str | None, coder: str | None, order: str) -> None:
    """Code PROJECT's answers one at a time in the terminal (opens on the first to do).

    Every decision is saved the moment it is made. Press ? in the app for the keys.
    """
    from themecoder.tui import run

    run(resolve_project(project), (coder or default_coder()).strip() or default_coder(),
        order=order)
