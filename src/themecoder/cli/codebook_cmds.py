"""``themecoder codebook validate|show``: check and display codebook files."""

from __future__ import annotations

import click

from themecoder.cli.root import cli, echo, literal
from themecoder.codebook import load_codebook


@cli.group()
def codebook() -> None:
    """Check and display codebook YAML files."""


@codebook.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def validate(files: tuple[str, ...]) -> None:
    """Validate one or more codebook FILES; the first problem is named with file, line, field."""
    for path in files:
        cb = load_codebook(path)
        echo(f"{path}: ok — {cb.name} v{cb.version}, {len(cb.themes)} themes, "
                   f"groups: {', '.join(cb.groups)}")


@codebook.command("show")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--keywords/--no-keywords", default=False, help="Also list each theme's keywords.")
def show(file: str, keywords: bool) -> None:
    """Print a codebook's themes with their definitions."""
    from rich.console import Console
    from rich.table import Table

    cb = load_codebook(file)
    table = Table(title=literal(f"{cb.name} (id {cb.id}, version {cb.version}; "
                                f"groups: {', '.join(cb.groups)})"), show_lines=False)
    table.add_column("#", justify="right")
    table.add_column("id")
    table.add_column("name", style="bold")
    table.add_column("definition")
    if keywords:
        table.add_column("keywords")
    for n, theme in enumerate(cb.themes, 1):
        row = [str(n), theme.id, theme.name, theme.definition]
        if keywords:
            row.append(", ".join(theme.keywords))
        table.add_row(*map(literal, row))
    table.add_row("–", *map(literal, (cb.not_assigned.id, cb.not_assigned.name,
                                      cb.not_assigned.definition)),
                  *([""] if keywords else []))
    Console().print(table)
