"""``themecoder init|import|status``: create a project, bring in survey files, see progress."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from themecoder.cli.root import cli, echo, literal, project_argument, resolve_project
from themecoder.codebook import load_codebook
from themecoder.errors import SurveyError
from themecoder.questions import declared_by, question_label
from themecoder.store import Project
from themecoder.survey import SurveyMapping, load_mapping, read_survey


@cli.command()
@project_argument
@click.option("--codebook", "codebooks", multiple=True, required=True,
              type=click.Path(dir_okay=False),
              help="Codebook YAML (repeat for each respondent group's codebook).")
@click.option("--name", help="A name for the project (default: the file name).")
def init(project: str | None, codebooks: tuple[str, ...], name: str | None) -> None:
    """Create a new project PROJECT (an SQLite file, or a database URL) with its codebooks."""
    location = resolve_project(project)
    loaded = [load_codebook(path) for path in codebooks]
    store = Project.create(location, name=name)
    with store:
        for codebook in loaded:
            store.add_codebook(codebook)
        echo(f"created project {store.display_location}")
        for codebook in loaded:
            echo(f"  codebook {codebook.id} v{codebook.version}: {len(codebook.themes)} "
                       f"themes for {', '.join(codebook.groups)}")


def _parse_pairs(values: tuple[str, ...], option: str, shape: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values:
        key, sep, value = item.rpartition("=") if option == "--group-value" \
            else item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise click.BadParameter(f"'{item}' is not {shape}", param_hint=option)
        out[key.strip()] = value.strip()
    return out


def _parse_questions(values: tuple[str, ...], option: str = "--question") -> dict[str, str]:
    return _parse_pairs(values, option, "QUESTION=COLUMN")


@cli.command("import")
@click.argument("project", metavar="PROJECT")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--mapping", "mapping_file", type=click.Path(dir_okay=False),
              help="Column-mapping YAML (see sample_data/mapping.yaml); options below override it.")
@click.option("--layout", type=click.Choice(["wide", "long"]),
              help="wide: one row per respondent; long: one row per answer.  [default: wide]")
@click.option("--id-col", help="Respondent id column.  [default: respondent_id]")
@click.option("--group-col", help="Respondent group column.  [default: group]")
@click.option("--group", "fixed_group", help="One group for every row (no group column).")
@click.option("--group-value", "group_values", multiple=True, metavar="LABEL=GROUP",
              help="Read the group column's LABEL as GROUP, e.g. 'Personal budget "
                   "holder=holder' (repeatable; case and spacing are ignored).")
@click.option("--question", "questions", multiple=True, metavar="QUESTION=COLUMN",
              help="Wide layout: the column of a question (worked_well, not_well, change).")
@click.option("--question-col", help="Long layout: the question column.")
@click.option("--text-col", help="Long layout: the answer text column.")
@click.option("--answer-id-col", help="Long layout: a unique answer id column.")
@click.option("--themes-col", "themes_cols", multiple=True, metavar="[QUESTION=]COLUMN",
              help="Existing coding as '|'-separated theme names (wide: QUESTION=COLUMN).")
@click.option("--theme-columns", is_flag=True,
              help="Existing coding as 0/1 columns named by theme (wide: 'question:Theme').")
@click.option("--coder", default="imported", show_default=True,
              help="Coder name recorded on imported coding.")
@click.option("--update", is_flag=True,
              help="Answers already in the project whose text differs here: replace their "
                   "text (each change recorded; their coding is kept and listed for review; "
                   "their suggestions are dropped). Without it such a file is refused.")
def import_(project: str, file: str, mapping_file: str | None, layout: str | None,
            id_col: str | None, group_col: str | None, fixed_group: str | None,
            group_values: tuple[str, ...], questions: tuple[str, ...],
            question_col: str | None, text_col: str | None,
            answer_id_col: str | None, themes_cols: tuple[str, ...], theme_columns: bool,
            coder: str, update: bool) -> None:
    """Import survey answers from FILE (CSV, XLSX or SPSS .sav) into PROJECT.

    Importing the same file again adds nothing; a file with any bad row is refused whole.
    """
    mapping = load_mapping(mapping_file) if mapping_file else SurveyMapping()
    overrides = {"layout": layout, "id": id_col, "group": group_col, "fixed_group": fixed_group,
                 "question": question_col, "text": text_col, "answer_id": answer_id_col}
    for name, value in overrides.items():
        if value:
            setattr(mapping, name, value)
    if questions:
        mapping.questions = _parse_questions(questions)
    if group_values:
        mapping.group_values = {**mapping.group_values,
                                **_parse_pairs(group_values, "--group-value", "LABEL=GROUP")}
    if themes_cols:
        if mapping.layout == "wide":
            mapping.themes = _parse_questions(themes_cols, "--themes-col")
        elif len(themes_cols) == 1 and "=" not in themes_cols[0]:
            mapping.themes = themes_cols[0]
        else:
            raise click.BadParameter("the long layout takes one coding column",
                                     param_hint="--themes-col")
    if theme_columns:
        mapping.theme_columns = "auto"
    if mapping.layout == "long" and (not mapping.question or not mapping.text):
        raise SurveyError("the long layout needs --question-col and --text-col", file=file)
    with Project.open(project) as store:
        names = [t.name for cb in store.codebooks() for t in cb.themes] + \
            [cb.not_assigned.name for cb in store.codebooks()]
        data = read_survey(file, mapping, theme_names=names,
                           questions=declared_by(store.codebooks()))
        result = store.import_survey(data, coder=coder, update=update)
    for note in data.notes:
        echo(f"note: {note}", err=True)
    echo(f"imported {Path(file).name}: {result.respondents_added} respondents, "
         f"{result.answers_added} answers added"
         + (f", {result.answers_already_present} already present"
            if result.answers_already_present else "")
         + (f", {result.decisions_added} coding decisions" if result.decisions_added else ""))
    _report_updates(result.text_updates)


def _report_updates(report: Any) -> None:
    if not report.updated:
        return
    echo(f"updated the text of {len(report.updated)} answer(s) (recorded with this import; "
         f"{report.suggestions_dropped} suggestion(s) made for the old text dropped)")
    if report.with_decisions:
        listed = ", ".join(report.with_decisions[:10]) + \
            (f" and {len(report.with_decisions) - 10} more" if len(report.with_decisions) > 10
             else "")
        echo(f"note: {len(report.with_decisions)} updated answer(s) already have coding, "
             f"which is kept as it was; review them: {listed}", err=True)


@cli.command()
@project_argument
@click.option("--coder", help="Count only this coder's decisions.")
def status(project: str | None, coder: str | None) -> None:
    """Show answers per group and question: total, commented, coded, not assigned, to do."""
    from rich.console import Console
    from rich.table import Table

    with Project.open(resolve_project(project)) as store:
        rows = store.status(coder=coder)
        info = store.info()
        codebooks = store.codebooks()
    title = literal(f"{info.get('name', 'project')} — {store.display_location}")
    table = Table(title=title)
    declared = declared_by(codebooks)
    auto = any(row.get("auto") for row in rows)
    names = ["group", "question", "answers", "commented", "coded", "not assigned", "to do"]
    keys = ["answers", "commented", "coded", "not_assigned", "to_do"]
    if auto:  # decided answers the model coded alone (themecoder autocode)
        names.append("auto-coded")
        keys.append("auto")
    for name in names:
        table.add_column(name, justify="left" if name in ("group", "question") else "right")
    totals = dict.fromkeys(keys, 0)
    for row in rows:
        pct = f" ({100 * row['commented'] / row['answers']:.1f}%)" if row["answers"] else ""
        table.add_row(literal(row["group"]),
                      literal(question_label(row["question"], declared)),
                      str(row["answers"]), f"{row['commented']}{pct}", str(row["coded"]),
                      str(row["not_assigned"]), str(row["to_do"]),
                      *([str(row["auto"])] if auto else []))
        for key in totals:
            totals[key] += row[key]
    table.add_section()
    table.add_row("all", "", *(str(totals[k]) for k in totals))
    console = Console()
    console.print(table)
    console.print(literal("codebooks: " + "; ".join(
        f"{cb.id} v{cb.version} ({', '.join(cb.groups)})" for cb in codebooks)))
