"""``themecoder model retrain|list|use`` and ``themecoder project link-training``.

A project's models per codebook: retrain on prior coding plus this year's decisions (a new
version is used only when it scores at least as well), list every version with its data
sizes and scores, go back to an earlier one, and name where the prior coding comes from.
"""

from __future__ import annotations

from typing import Any

import click

from themecoder.cli.root import cli, project_argument, resolve_project


def _codebooks(store: Any, codebook_id: str | None) -> list[Any]:
    """The project's codebooks, or the one named (a usage error when it is not there)."""
    codebooks = store.codebooks()
    if codebook_id is None:
        return codebooks
    chosen = [cb for cb in codebooks if cb.id == codebook_id]
    if not chosen:
        raise click.BadParameter(f"the project has no codebook '{codebook_id}' (it has: "
                                 f"{', '.join(cb.id for cb in codebooks)})",
                                 param_hint="--codebook")
    return chosen


def _one_codebook(store: Any, codebook_id: str | None) -> Any:
    codebooks = _codebooks(store, codebook_id)
    if len(codebooks) > 1:
        raise click.UsageError("the project has several codebooks; name one with --codebook ("
                               + ", ".join(cb.id for cb in codebooks) + ")")
    return codebooks[0]


codebook_option = click.option("--codebook", "codebook_id", metavar="ID",
                               help="Only this codebook's model (default: every codebook).")


@cli.group("model")
def model_group() -> None:
    """A project's models: retrain, list the versions, go back to one."""


@model_group.command("retrain")
@project_argument
@codebook_option
@click.option("--accurate", is_flag=True,
              help="Train the accurate tier (needs the 'accurate' extra; slower).")
@click.option("--weight", "current_weight", type=click.FloatRange(min=0, min_open=True),
              default=None, help="Weight of this year's decisions against prior coding's "
                                 "answers.  [default: 3]")
def retrain(project: str | None, codebook_id: str | None, accurate: bool,
            current_weight: float | None) -> None:
    """Retrain PROJECT's models as the coding app does (F5).

    Each codebook's model is trained on its prior coding (see `themecoder project
    link-training`) plus this year's decisions, and replaces the live model only when it
    scores at least as well on this year's decisions it did not train on (or, early on, on
    a cross-validation of the prior coding); otherwise it is kept as a candidate.
    """
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TimeElapsedColumn

    from themecoder.retraining import NotEnoughData, Retrainer
    from themecoder.store import Project

    extra = {} if current_weight is None else {"current_weight": current_weight}
    with Project.open(resolve_project(project)) as store:
        for codebook in _codebooks(store, codebook_id):
            retrainer = Retrainer(store, codebook, tier="accurate" if accurate else "fast",
                                  **extra)
            with Progress("[progress.description]{task.description}", BarColumn(),
                          TaskProgressColumn(), TimeElapsedColumn(),
                          console=Console(stderr=True), transient=True) as bar:
                task = bar.add_task(codebook.id, total=None)

                def show(stage: str, done: int, total: int, task: Any = task,
                         name: str = codebook.id) -> None:
                    bar.update(task, description=f"{name}: {stage}", completed=done,
                               total=total)

                try:
                    result = retrainer.retrain(progress=show)
                except NotEnoughData as exc:
                    click.echo(f"{codebook.id}: not retrained: {exc.one_line()}")
                    continue
            click.echo(result.message())


def _score(micro: float | None, macro: float | None) -> str:
    return "" if micro is None else f"{micro:.3f}/{macro:.3f}"


_CHECK_SHORT = {"held-out": "held-out", "cross-validation": "prior CV",
                "live unusable": "live unusable", "none": "none"}


def _outcome(version: Any) -> str:
    if version.origin == "given":
        return "given"
    return "used" if version.accepted else "candidate"


@model_group.command("list")
@project_argument
@codebook_option
def list_versions(project: str | None, codebook_id: str | None) -> None:
    """Show every model version of PROJECT: data sizes, scores, which one is live.

    \b
    trained on: answers of prior coding + this year's decisions it learned from
    checked on: how it was judged (held-out: this year's decisions it did not train on;
                prior CV: a cross-validation of the prior coding), on how many answers
    F1: its micro/macro F1 there (themes and Not assigned); live then: the model that
        was live when it was made, scored the same way
    """
    from rich import box
    from rich.console import Console
    from rich.table import Table

    from themecoder.store import Project
    from themecoder.store.model_registry import live_model_path, model_versions, training_link

    console = Console()
    with Project.open(resolve_project(project)) as store:
        for codebook in _codebooks(store, codebook_id):
            live = live_model_path(store, codebook.id)
            link = training_link(store, codebook.id)
            table = Table(title=f"{codebook.id}: model versions", title_justify="left",
                          box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
            for name in ("version", "outcome", "trained on", "checked on", "F1", "live then"):
                table.add_column(name, no_wrap=True)
            versions = model_versions(store, codebook.id)
            registered = False
            for v in versions:
                is_live = bool(live) and _same(v.path, live)
                registered |= is_live
                checked = _CHECK_SHORT.get(v.check_kind, v.check_kind)
                if v.n_checked:
                    checked += f" {v.n_checked}"
                data = f"{'?' if v.n_prior is None else v.n_prior}+{v.n_current or 0}"
                then = _score(v.compared_micro_f1, v.compared_macro_f1)
                table.add_row(v.label + (" ● live" if is_live else ""), _outcome(v), data,
                              checked, _score(v.micro_f1, v.macro_f1),
                              f"{v.compared_with} {then}" if v.compared_with else "")
            console.print(table)
            for v in versions:
                weight = f", this year ×{v.current_weight:g}" if v.current_weight else ""
                console.print(f"  {v.label} ({_outcome(v)}{weight}): {v.reason}",
                              highlight=False)
                console.print(f"      {v.path}", highlight=False, style="dim")
            if live and not registered:
                console.print(f"  live: {live} (not a registered version)", highlight=False)
            elif not live:
                console.print("  live: none (suggestions from keywords alone)")
            console.print(f"  prior coding: {link.describe() if link else 'none linked'}",
                          highlight=False)


def _same(a: str, b: str) -> bool:
    from pathlib import Path

    return Path(a).resolve() == Path(b).resolve()


@model_group.command("use")
@project_argument
@click.argument("version")
@click.option("--codebook", "codebook_id", metavar="ID",
              help="The codebook whose model to switch (needed when the project has several).")
def use(project: str | None, version: str, codebook_id: str | None) -> None:
    """Make model VERSION (v1, v2, ...) live again and refresh the suggestions still to do."""
    from rich.console import Console
    from rich.progress import Progress

    from themecoder.model_versions import use_version
    from themecoder.store import Project

    with Project.open(resolve_project(project)) as store:
        codebook = _one_codebook(store, codebook_id)
        with Progress(console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task("refreshing suggestions", total=None)
            chosen, refreshed = use_version(
                store, codebook, version,
                progress=lambda done, total: bar.update(task, completed=done, total=total))
    click.echo(f"{codebook.id}: {chosen.label} is live ({chosen.path}); suggestions refreshed "
               f"for {refreshed} answers to do")


# --------------------------------------------------------------------------- project group


@cli.group("project")
def project_group() -> None:
    """Project settings: where the prior coding its models learn from comes from."""


@project_group.command("link-training")
@project_argument
@click.option("--codebook", "codebook_id", metavar="ID",
              help="The codebook the prior coding is for (needed when the project has several).")
@click.option("--model", "model_path", type=click.Path(), metavar="DIR",
              help="The training file a model's metadata names (as `suggest --model` does).")
@click.option("--data", "data_path", type=click.Path(dir_okay=False), metavar="FILE",
              help="A hand-coded CSV/XLSX file, read as `themecoder train` reads it.")
@click.option("--text-col", help="With --data: the answer text column.")
@click.option("--question-col", help="With --data: the question column.")
@click.option("--themes-col", help="With --data: a column of |-separated theme names "
                                   "(without it, a 0/1 column per theme).")
@click.option("--filter", "filters", multiple=True, metavar="COL=VALUE",
              help="With --data: keep only rows where COL equals VALUE (repeatable).")
@click.option("--project", "prior_project", metavar="PRIOR",
              help="A prior-year project (file or database URL) whose decisions are the prior "
                   "coding. A password in the URL is not stored: the server's own settings "
                   "(PGPASSWORD, ~/.pgpass) must supply it.")
@click.option("--none", "unlink", is_flag=True, help="Forget the link: retrain on this year's "
                                                     "decisions only.")
def link_training(project: str | None, codebook_id: str | None, model_path: str | None,
                  data_path: str | None, text_col: str | None, question_col: str | None,
                  themes_col: str | None, filters: tuple[str, ...],
                  prior_project: str | None, unlink: bool) -> None:
    """Name where PROJECT's prior coding comes from; without a source, show the links.

    \b
    themecoder project link-training PROJECT --codebook ID --data FILE --text-col T ...
    themecoder project link-training PROJECT --codebook ID --project PRIOR.db
    themecoder project link-training PROJECT --codebook ID --model DIR
    themecoder project link-training PROJECT --codebook ID --none
    """
    from themecoder.store import Project
    from themecoder.store.model_registry import clear_training_link, training_links
    from themecoder.training_sets import (
        link_from_model,
        link_prior_project,
        link_training_file,
    )

    sources = [bool(model_path), bool(data_path), bool(prior_project), unlink]
    if sum(sources) > 1:
        raise click.UsageError("give one of --model, --data, --project or --none")
    if data_path is None and (text_col or question_col or themes_col or filters):
        raise click.UsageError("--text-col, --question-col, --themes-col and --filter go "
                               "with --data")
    with Project.open(resolve_project(project)) as store:
        if not any(sources):
            links = training_links(store)
            for codebook in _codebooks(store, codebook_id):
                link = links.get(codebook.id)
                click.echo(f"{codebook.id}: " + (f"{link.describe()} (from {link.origin})"
                                                 if link else "no prior coding linked"))
            return
        codebook = _one_codebook(store, codebook_id)
        if unlink:
            had = clear_training_link(store, codebook.id)
            click.echo(f"{codebook.id}: " + ("prior coding unlinked" if had
                                             else "no prior coding was linked"))
            return
        if data_path:
            if not text_col:
                raise click.UsageError("--data needs --text-col")
            link, n = link_training_file(store, codebook, data_path, text_col=text_col,
                                         question_col=question_col, themes_col=themes_col,
                                         filters=filters)
        elif prior_project:
            link, n = link_prior_project(store, codebook, prior_project)
        else:
            from themecoder.suggest.model import resolve_model_dir
            from themecoder.training_sets import prior_coding

            directory = resolve_model_dir(model_path or "", codebook)
            found, _note = link_from_model(store, codebook, directory, explicit=True)
            assert found is not None
            link, n = found, len(prior_coding(store, codebook) or ())
    click.echo(f"{codebook.id}: prior coding is {link.describe()}: {n} coded answers")
