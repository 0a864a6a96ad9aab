"""``themecoder export``, ``quotes``, ``report`` and ``settings``: the outputs a report needs."""

from __future__ import annotations

from typing import Any

import click

from themecoder.cli.root import cli, echo, project_argument, resolve_project


def _report_options(func: Any) -> Any:
    """Options shared by export, quotes and report."""
    func = click.option("--settings", "settings_file", metavar="FILE",
                        type=click.Path(dir_okay=False),
                        help="Export settings YAML (figure titles, quotes); default: the "
                             "project's stored settings (`themecoder settings`).")(func)
    func = click.option("--non-answers", "non_answers",
                        type=click.Choice(["comment", "no-comment"]),
                        help="Count answers matching the codebook's non-answer phrases "
                             "(\"n/a\", \"-\") as comments or as no comment (default: the "
                             "settings' or the codebook's rule).")(func)
    func = click.option("--coder", "prefer_coder", metavar="NAME",
                        help="Whose decision counts when an answer has no adjudicated "
                             "decision (default: the most recent decision).")(func)
    return func


def _settings(project: str, settings_file: str | None, attribution: str | None = None,
              per_theme: int | None = None) -> Any:
    from themecoder.export.settings import parse_attribution, project_settings
    from themecoder.store import Project

    with Project.open(project) as opened:
        settings = project_settings(opened, settings_file)
    return settings.with_overrides(
        attribution=parse_attribution(attribution) if attribution else None,
        quotes_per_theme=per_theme)


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
@click.option("--csv-for", "csv_for", type=click.Choice(["data", "spreadsheet"]),
              default="data", show_default=True,
              help="data: CSV text exactly as imported (R, pandas, SPSS); spreadsheet: "
                   "text starting with = + - @ gets a leading apostrophe.")
@click.option("--by-source", is_flag=True,
              help="Also split the theme counts into people's coding and the model's "
                   "automatic coding (theme_counts_by_source.csv).")
@_report_options
def export(project: str | None, out_dir: str, formats: tuple[str, ...], by: tuple[str, ...],
           csv_for: str, by_source: bool, prefer_coder: str | None, non_answers: str | None,
           settings_file: str | None) -> None:
    """Write PROJECT's theme counts, tables, figures, quote bank and coded data into --out.

    Counts are per respondent group × question × theme, with the % of commenting
    respondents. Prints each file written; warns when coding is unfinished or when
    mentions of themes an earlier codebook version had are counted.
    """
    from themecoder.export import export_project

    location = resolve_project(project)
    result = export_project(location, out_dir, formats=formats, by=by,
                            prefer_coder=prefer_coder, non_answers=non_answers,
                            settings=_settings(location, settings_file), csv_for=csv_for,
                            by_source=by_source)
    for path in result.files:
        click.echo(str(path))
    if result.unfinished:
        echo(f"warning: {result.warning}", err=True)
    for warning in result.warnings:
        echo(f"warning: {warning}", err=True)


@cli.command("quotes")
@project_argument
@click.option("--out", "out_dir", required=True, metavar="DIR",
              help="Folder to write quotes.xlsx, quotes.md and quotes.csv into.")
@click.option("--attribution", metavar="ATTRS",
              help='Respondent attributes named in each attribution, e.g. '
                   '"group, age_band, budget_type, council".')
@click.option("--per-theme", type=click.IntRange(1, 50), metavar="N",
              help="At most N quotes per group × question × theme (default 3).")
@_report_options
def quotes(project: str | None, out_dir: str, attribution: str | None, per_theme: int | None,
           prefer_coder: str | None, non_answers: str | None,
           settings_file: str | None) -> None:
    """Write a quote bank for PROJECT: representative, redacted, attributed quotes per theme.

    Starred answers (the `*` key in the coding app) come first; banned ones (`!`) never
    appear. E-mails, phone numbers, postcodes, addresses, dates of birth and names are
    redacted before anything is written.
    """
    from themecoder.quotes import write_quotes
    from themecoder.store import Project

    location = resolve_project(project)
    settings = _settings(location, settings_file, attribution, per_theme)
    with Project.open(location) as opened:
        files = write_quotes(opened, out_dir, prefer_coder=prefer_coder, settings=settings,
                             non_answers=non_answers)
    for path in files:
        click.echo(str(path))


@cli.command("settings")
@project_argument
@click.option("--load", "load_file", metavar="FILE", type=click.Path(dir_okay=False),
              help="Check this settings file and store it in the project.")
def settings_cmd(project: str | None, load_file: str | None) -> None:
    """Print PROJECT's export settings (figure titles, quotes) as YAML to edit, or --load them.

    Edit the printed block, save it, then `themecoder settings PROJECT --load FILE`.
    """
    from themecoder.export.settings import project_settings, store_settings
    from themecoder.store import Project

    with Project.open(resolve_project(project)) as opened:
        if load_file:
            store_settings(opened, load_file)
            click.echo(f"stored the export settings of {load_file}")
        else:
            click.echo(project_settings(opened).to_yaml(), nl=False)


@cli.command("report")
@project_argument
@click.option("--out", "out_file", required=True, metavar="FILE",
              help="report.docx (Word, editable) or report.html (one self-contained file).")
@click.option("--by", "by", multiple=True, metavar="COLUMN",
              help="List the differences by this respondent attribute that stay significant "
                   "after Holm's adjustment (repeatable).")
@click.option("--attribution", metavar="ATTRS",
              help='Respondent attributes named under each quote, e.g. '
                   '"group, age_band, budget_type, council".')
@_report_options
def report(project: str | None, out_file: str, by: tuple[str, ...], attribution: str | None,
           prefer_coder: str | None, non_answers: str | None,
           settings_file: str | None) -> None:
    """Write one editable report document for PROJECT: % commenting, Figures 12 and 20,
    theme tables, significant differences and the quote bank.

    A project with no coding yet gives a document that says "Nothing coded yet".
    """
    from themecoder.report import write_report

    location = resolve_project(project)
    path = write_report(location, out_file, by=by, prefer_coder=prefer_coder,
                        non_answers=non_answers,
                        settings=_settings(location, settings_file, attribution))
    click.echo(str(path))
