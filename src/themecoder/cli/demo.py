"""``themecoder demo`` and ``themecoder sample``: the bundled synthetic POET survey.

``sample`` copies the shipped codebooks and the sample survey into a folder, so the README's
walkthrough runs there command by command. ``demo`` runs the whole job at once: it builds
two projects in a folder: last year's survey with its hand coding, and this
year's survey to code. This year's answers get suggestions from the shipped model,
both projects are exported (tables, charts, coded data), and the coding app opens on
this year's project when run in a terminal. Running it again reuses what is there.
"""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

import click

from themecoder.cli.root import cli
from themecoder.codebook import load_codebook
from themecoder.resources import codebook_path, model_path, sample_path
from themecoder.store import Project
from themecoder.survey import load_mapping, read_survey


def _open_or_create(location: Path, name: str) -> tuple[Project, bool]:
    if location.exists():
        return Project.open(location), False
    project = Project.create(location, name=name)
    for stem in ("poet_holders", "poet_carers"):
        project.add_codebook(load_codebook(codebook_path(stem)))
    return project, True


def _import(project: Project, file: Path, with_coding: bool) -> None:
    mapping = load_mapping(sample_path("mapping.yaml"))
    if not with_coding:
        mapping.themes = None
    result = project.import_survey(read_survey(file, mapping))
    click.echo(f"  imported {file.name}: {result.respondents_added} respondents, "
               f"{result.answers_added} answers"
               + (f", {result.decisions_added} hand-coded decisions"
                  if result.decisions_added else ""))


def _suggest(project: Project) -> None:
    from themecoder.suggest.project_suggest import suggest_project

    models = model_path("poet-sample")
    chosen = str(models) if models.is_dir() else None
    with click.progressbar(length=1, label="  suggesting themes", file=sys.stderr) as bar:
        def progress(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        run = suggest_project(project, model_path=chosen, progress=progress)
    versions = ", ".join(f"{cb}: {version}" for cb, version in run.by_codebook.items())
    if run.answers:
        click.echo(f"  suggested themes for {run.answers} answers ({versions})")
    else:
        click.echo("  suggestions already in place")


def _export(project: Project, out: Path) -> None:
    from themecoder.export import export_project

    result = export_project(project, out)
    note = " (unfinished: coding still to do)" if result.unfinished else ""
    click.echo(f"  export of {project.info().get('name')}{note}:")
    for path in result.files:
        click.echo(f"    {path}")


@cli.command()
@click.option("--dir", "folder", default="themecoder-demo", show_default=True,
              type=click.Path(file_okay=False), help="Folder for the demo projects and exports.")
@click.option("--coder", default=None, help="Your coder name in the app (default: your login).")
@click.option("--no-tui", is_flag=True, help="Do not open the coding app at the end.")
def demo(folder: str, coder: str | None, no_tui: bool) -> None:
    """Run the whole job on the bundled synthetic POET survey.

    Imports last year's hand-coded survey and this year's uncoded one, suggests themes with
    the shipped model, writes exports (tables, Figure 12/20-style charts, coded data), and
    opens the coding app on this year's answers when run in a terminal.
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    click.echo(f"themecoder demo in {out.resolve()}")

    click.echo("1. last year's survey, hand-coded")
    prior, new = _open_or_create(out / "prior_year.db", "POET sample — prior year")
    with prior:
        if new:
            _import(prior, sample_path("prior_year.csv"), with_coding=True)
        _export(prior, out / "export_prior_year")

    click.echo("2. this year's survey, to code")
    current_location = out / "current_year.db"
    current, new = _open_or_create(current_location, "POET sample — current year")
    with current:
        if new:
            _import(current, sample_path("current_year.csv"), with_coding=False)
        _suggest(current)
        _export(current, out / "export_current_year")
        done = sum(r["coded"] + r["not_assigned"] for r in current.status())
        todo = sum(r["to_do"] for r in current.status())
    click.echo(f"   {done} answers coded, {todo} to do")

    coder = coder or getpass.getuser()
    command = f"themecoder code {current_location} --coder {coder}"
    if no_tui or not (sys.stdin.isatty() and sys.stdout.isatty()):
        click.echo(f"3. code this year's answers in the terminal app:\n   {command}")
        return
    click.echo("3. opening the coding app (ctrl+q to quit; every decision is saved at once)")
    from themecoder.tui import run

    run(str(current_location), coder)
    click.echo(f"reopen it any time with: {command}")


SAMPLE_FILES = {"codebooks": ("poet_holders.yaml", "poet_carers.yaml"),
                "sample_data": ("current_year.csv", "prior_year.csv", "prior_year_long.csv",
                                "mapping.yaml", "README.md")}
"""The files ``themecoder sample`` copies, by folder."""


@cli.command()
@click.option("--dir", "folder", default=".", show_default=True,
              type=click.Path(file_okay=False), help="Folder to copy the files into.")
def sample(folder: str) -> None:
    """Copy the shipped POET codebooks and the synthetic sample survey into a folder.

    Writes codebooks/ and sample_data/ there (a file already there with other content is
    left alone and named), so the README's walkthrough runs in that folder as written.
    """
    import shutil

    from themecoder.errors import ThemecoderError
    from themecoder.resources import project_root

    root = project_root()
    out = Path(folder)
    for sub, names in SAMPLE_FILES.items():
        (out / sub).mkdir(parents=True, exist_ok=True)
        for name in names:
            source, target = root / sub / name, out / sub / name
            if target.exists() and target.read_bytes() != source.read_bytes():
                raise ThemecoderError("a different file is already there; left as it is",
                                      file=target)
            if not target.exists():
                shutil.copyfile(source, target)
            click.echo(str(target))
