"""``themecoder assign|agree|adjudicate|team``: double-coding samples, agreement,
adjudication, and the settings and state of a team coding one project.

Every command takes the project as PROJECT, ``--db URL`` or the THEMECODER_DB
environment variable, so a team's PostgreSQL password need never be typed in a command.
"""

from __future__ import annotations

from typing import Any

import click

from themecoder.cli.root import DB_ENV_VAR, cli, echo, project_argument, resolve_project
from themecoder.errors import StoreError
from themecoder.questions import declared_by, question_label
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
    from themecoder.store.samples import sample_order
    from themecoder.store.teams import draw_double_coding_sample

    if share is not None and n is not None:
        raise click.UsageError("give --share or --n, not both")
    if share is None and n is None:
        share = 0.1
    with Project.open(_location(project, db)) as store:
        sample = draw_double_coding_sample(store, _coder_list(coders) or [], share=share, n=n,
                                           seed=seed)
        declared = declared_by(store.codebooks())
        order, _share = sample_order(store)
    echo(f"double-coding sample {sample.id}: {len(sample.answer_ids)} answers for "
               f"{', '.join(sample.coders)} (seed {sample.seed}); the app serves them to each "
               f"coder {'first' if order == 'first' else 'mixed in'} "
               "(see `themecoder team set --sample-order`)")
    width = max((len(s.group) for s in sample.strata), default=5)
    for stratum in sample.strata:
        label = question_label(stratum.question, declared)
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

    Only answers at least two of the coders coded blind count (a double-coding sample,
    see `themecoder assign`); answers two of them coded where one could see the other's
    decision are reported apart as not blind. Themes with alpha below 0.667 are flagged
    unreliable, below 0.8 tentative.
    """
    from themecoder.agreement import compute_agreement
    from themecoder.store import Project

    with Project.open(_location(project, db)) as store:
        report = compute_agreement(store, _coder_list(coders))
    if report.overall is None or report.overall.answers == 0:
        seen = report.not_blind.answers if report.not_blind else 0
        also = f" ({seen} coded by two of them not blind, which does not count)" if seen else ""
        raise StoreError(f"no answer has been coded blind by two of {', '.join(report.coders)}"
                         f"{also}; draw a double-coding sample with `themecoder assign`",
                         field="coders")
    try:
        report.write(out_csv, out_md)
    except OSError as exc:
        raise StoreError(f"cannot write the report: {exc.strerror}",
                         file=exc.filename) from None
    click.echo(shown(report.to_markdown()), nl=False)


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
    from themecoder.tui.adjudicate_app import AdjudicationApp

    Project.open(location).close()  # a bad location fails here, before the screen opens
    AdjudicationApp(location, adjudicator.strip(), coders=names).run()


@cli.group()
def team() -> None:
    """A team coding one project at once: claims on answers and double-coding samples."""


@team.command("show")
@project_argument
@db_option
def team_show(project: str | None, db: str | None) -> None:
    """Print the team settings, each double-coding sample with every coder's progress,
    and who holds which answer now."""
    from themecoder.store import Project
    from themecoder.store.claims import claim_ttl, claims
    from themecoder.store.samples import sample_order, sample_progress

    with Project.open(_location(project, db)) as store:
        ttl = claim_ttl(store)
        order, share = sample_order(store)
        progress = sample_progress(store)
        held = claims(store)
        keys = {a.id: a.key for a in store.answers(with_attributes=False)} if held else {}
    echo(f"claim time: {ttl:g} min (a claim a running app does not renew ends then)")
    served = "first" if order == "first" else f"interleaved ({share:.0%} of answers served)"
    echo(f"sample answers are served to their coders {served}")
    for item in progress:
        coders = ", ".join(f"{c} {n} / {len(item.sample.answer_ids)}"
                           for c, n in item.coded.items())
        echo(f"double-coding sample {item.sample.id} (seed {item.sample.seed}): "
                   f"{len(item.sample.answer_ids)} answers; coded blind: {coders}")
    if not progress:
        echo("no double-coding sample (draw one with `themecoder assign`)")
    echo(f"answers held now: {len(held)}")
    for row in held:
        lane = " (double-coding)" if row["double_coding"] else ""
        echo(f"  {keys.get(row['answer_id'], row['answer_id'])}  {row['coder']}{lane}  "
                   f"until {row['expires_at'][:19].replace('T', ' ')} UTC")


@team.command("set")
@project_argument
@db_option
@click.option("--claim-ttl", type=float, metavar="MINUTES",
              help="How long a claim on an answer holds when the coder's app stops renewing "
                   "it (a crash); 0.5–1440 minutes. A running app renews its claim.")
@click.option("--sample-order", type=click.Choice(["first", "interleaved"]),
              help="Serve each coder's double-coding sample answers first, or mixed in "
                   "among the others.")
@click.option("--sample-share", type=float, metavar="SHARE",
              help="With --sample-order interleaved: the share of answers served that are "
                   "sample answers (e.g. 0.25).")
def team_set(project: str | None, db: str | None, claim_ttl: float | None,
             sample_order: str | None, sample_share: float | None) -> None:
    """Change the team settings of a project (the coding app reads them when it opens)."""
    from themecoder.store import Project
    from themecoder.store.claims import set_claim_ttl
    from themecoder.store.samples import sample_order as current_order
    from themecoder.store.samples import set_sample_order

    if claim_ttl is None and sample_order is None and sample_share is None:
        raise click.UsageError("give --claim-ttl, --sample-order or --sample-share")
    with Project.open(_location(project, db)) as store:
        if claim_ttl is not None:
            set_claim_ttl(store, claim_ttl)
        if sample_order is not None or sample_share is not None:
            set_sample_order(store, sample_order or current_order(store)[0], sample_share)
    echo("saved; `themecoder team show` prints the settings")


@team.command("release")
@project_argument
@db_option
@click.option("--coder", required=True, help="Whose claims to end (e.g. after a crash).")
def team_release(project: str | None, db: str | None, coder: str) -> None:
    """End a coder's claims at once, so others may code those answers."""
    from themecoder.store import Project
    from themecoder.store.claims import release

    with Project.open(_location(project, db)) as store:
        count = release(store, coder)
    echo(f"released {count} claim(s) of {coder.strip()}")
