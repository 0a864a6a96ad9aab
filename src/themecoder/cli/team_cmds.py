"""``themecoder assign|agree|adjudicate``: double-coding samples, agreement, adjudication.

Every command takes the project as PROJECT, ``--db URL`` or the THEMECODER_DB
environment variable, so a team's PostgreSQL password need never be typed in a command.
"""

from __future__ import annotations

from typing import Any

import click

from themecoder.cli.root import DB_ENV_VAR, cli, echo, project_argument, resolve_project
from themecoder.codebook import QUESTION_LABELS
from themecoder.errors import StoreError
from themecoder.safe_text import shown


def db_option(func: Any) -> Any:
    """``--db URL``: the project's database, instead of the PROJECT argument."""
    return click.option("--db", "db", metavar="URL",
                        help=f"Project database URL (instead of PROJECT; or set {DB_ENV_VAR}).")(
        func)


def _location(project: str | None, db: str | None) -> str:
    if db and project and project != db and project != _env_db():
        raise click.UsageError("give the project either as PROJECT or as --db, not both")
    return resolve_project(db or project)


def _env_db() -> str | None:
    import os

    return os.environ.get(DB_ENV_VAR)


def _coder_list(value: str | None) -> list[str] | None:
    if value is None:
        return None
    names = [c.strip() for c in value.split(",") if c.strip()]
    if not names:
        raise click.BadParameter("name at least one coder", param_hint="--coders")
    return names


@cli.command()
@project_argument
@db_option
@click.option("--coders", required=True, metavar="A,B[,...]",
              help="Coders who each code the sample blind (comma-separated, two or more).")
@click.option("--share", type=float, help="Fraction of commented answers to double-code.")
@click.option("--n", "n", type=int, help="Number of answers to double-code.")
@click.option("--seed", type=int, default=1, show_default=True,
              help="Random seed: the same seed draws the same answers.")
def assign(project: str | None, db: str | None, coders: str, share: float | None,
           n: int | None, seed: int) -> None:
    """Draw a double-coding sample that CODERS each code blind.

    The sample is stratified by respondent group × question (proportional, at least one
    answer from every group × question with comments). Give --share or --n (default:
    --share 0.1).
    """
    from themecoder.store import Project
    from themecoder.store.teams import draw_double_coding_sample

    if share is not None and n is not None:
        raise click.UsageError("give --share or --n, not both")
    if share is None and n is None:
        share = 0.1
    with Project.open(_location(project, db)) as store:
        sample = draw_double_coding_sample(store, _coder_list(coders) or [], share=share, n=n,
                                           seed=seed)
    echo(f"double-coding sample {sample.id}: {len(sample.answer_ids)} answers for "
               f"{', '.join(sample.coders)} (seed {sample.seed})")
    width = max((len(s.group) for s in sample.strata), default=5)
    for stratum in sample.strata:
        label = QUESTION_LABELS.get(stratum.question, stratum.question)
        echo(f"  {stratum.group:<{width}}  {label:<32} {stratum.drawn:>5} of "
                   f"{stratum.available}")


@cli.command()
@project_argument
@db_option
@click.option("--coders", metavar="A,B[,...]",
              help="Coders to compare (default: everyone but imported coding).")
@click.option("--out-csv", type=click.Path(dir_okay=False), help="Write the table as CSV.")
@click.option("--out-md", type=click.Path(dir_okay=False), help="Write the table as Markdown.")
def agree(project: str | None, db: str | None, coders: str | None, out_csv: str | None,
          out_md: str | None) -> None:
    """Inter-coder agreement per theme: % agreement, Cohen's kappa, Krippendorff's alpha.

    Only answers coded by at least two of the coders count. Themes with alpha below 0.667
    are flagged unreliable, below 0.8 tentative.
    """
    from themecoder.agreement import compute_agreement
    from themecoder.store import Project

    with Project.open(_location(project, db)) as store:
        report = compute_agreement(store, _coder_list(coders))
    if report.overall is None or report.overall.answers == 0:
        raise StoreError(f"no answer has been coded by two of {', '.join(report.coders)}",
                         field="coders")
    try:
        report.write(out_csv, out_md)
    except OSError as exc:
        raise StoreError(f"cannot write the report: {exc.strerror}",
                         file=exc.filename) from None
    click.echo(report.to_markdown(), nl=False)


@cli.command()
@project_argument
@db_option
@click.option("--adjudicator", required=True, help="Who settles the disagreements.")
@click.option("--coders", metavar="A,B[,...]",
              help="Compare only these coders (default: everyone).")
@click.option("--list", "list_only", is_flag=True,
              help="Print the disagreements instead of opening the app.")
def adjudicate(project: str | None, db: str | None, adjudicator: str, coders: str | None,
               list_only: bool) -> None:
    """Settle answers on which coders disagree, in the coding app.

    Each coder's themes are shown side by side; pick one coder's version or set the final
    themes yourself. The result is recorded as adjudicated, which exports prefer.
    """
    from themecoder.store import Project
    from themecoder.store.teams import adjudication_queue

    location = _location(project, db)
    names = _coder_list(coders)
    if not adjudicator.strip():
        raise click.BadParameter("give a name", param_hint="--adjudicator")
    if list_only:
        with Project.open(location) as store:
            queue = adjudication_queue(store, coders=names)
            for item in queue:
                echo(f"{item.answer.key} ({item.answer.group}, {item.answer.question}): "
                     + shown(item.answer.text[:70], one_line=True))
                for coder, decision in item.decisions.items():
                    verdict = "not assigned" if decision.not_assigned else \
                        ", ".join(decision.themes)
                    echo(f"    {coder}: {verdict}")
        click.echo(f"{len(queue)} answer(s) to adjudicate")
        return
    from themecoder.tui.app import CodingApp

    CodingApp(location, adjudicator.strip(), suggest_ahead=False, adjudicate=True,
              adjudicate_coders=names).run()
