"""``themecoder export``: write tallies, tables, charts and the coded data for a project."""

from __future__ import annotations

import click

from themecoder.cli.root import cli, project_argument, resolve_project


@cli.command("export")
@project_argument
@click.option("--out", "out_dir", required=True, metavar="DIR",
              help="Folder to write into (created if needed).")
@click.option("--format", "formats", multiple=True, default=("all",), show_default=True,
              type=click.Choice(["csv", "xlsx", "md", "png", "svg", "sav", "all"],
                                case_sensitive=False),
              help="Output format (repeat for several).")
@click.option("--by", "by", multiple=True, metavar="COLUMN",
              help="Break counts down by this respondent attribute, with chi-square tests "
                   "(repeatable).")
@click.option("--coder", "prefer_coder", metavar="NAME",
              help="Whose decision counts when an answer has no adjudicated decision "
                   "(default: the most recent decision).")
def export(project: str | None, out_dir: str, formats: tuple[str, ...], by: tuple[str, ...],
           prefer_coder: str | None) -> None:
    """Write PROJECT's theme counts, tables, charts and coded data into --out.

    Counts are per respondent group × question × theme, with the % of commenting
    respondents. Prints each file written; warns when coding is unfinished.
    """
    from themecoder.export import export_project

    result = export_project(resolve_project(project), out_dir, formats=formats, by=by,
                            prefer_coder=prefer_coder)
    for path in result.files:
        click.echo(str(path))
    if result.unfinished:
        click.echo(f"warning: {result.warning}", err=True)
