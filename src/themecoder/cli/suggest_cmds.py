"""``themecoder suggest``: suggest themes for every answer of a CSV/XLSX file.

Reads the file in chunks (memory stays flat on big files), runs
:meth:`themecoder.suggest.suggester.Suggester.suggest_many`, and writes one row per input row:
the input's first column (its id), one 0/1 column per theme named as the theme, one
``score:THEME`` column per theme, the reasons, and the method that made the suggestion
("keywords", "keywords + meaning", "model NAME@VERSION + keywords"). Text cells are
neutralised so a spreadsheet never runs an answer as a formula.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from themecoder.cli.root import cli, echo
from themecoder.errors import SurveyError
from themecoder.safe_text import shown

CSV_ENCODINGS = ("utf-8-sig", "cp1252")
"""Encodings tried in turn for CSV input (utf-8-sig also reads plain UTF-8)."""

EXCEL_SUFFIXES = (".xlsx", ".xlsm")


def detect_encoding(path: Path) -> str:
    """The first of :data:`CSV_ENCODINGS` that decodes the whole file.

    Raises:
        SurveyError: none does.
    """
    for encoding in CSV_ENCODINGS:
        try:
            with path.open("r", encoding=encoding, newline="") as fh:
                while fh.read(1 << 20):
                    pass
            return encoding
        except UnicodeDecodeError:
            continue
    raise SurveyError(f"cannot decode the file as {' or '.join(CSV_ENCODINGS)}", file=path)


def read_chunks(path: Path, columns: list[str], chunk_size: int) -> tuple[str, Iterator[Any]]:
    """The input's first column name and an iterator of DataFrame chunks of ``path``.

    Raises:
        SurveyError: missing file, unreadable file, or a column in ``columns`` is missing.
    """
    import pandas as pd

    if not path.is_file():
        raise SurveyError("no such file", file=path)
    try:
        if path.suffix.lower() in EXCEL_SUFFIXES:
            frame = pd.read_excel(path, dtype=str, keep_default_na=False)
            header = [str(c) for c in frame.columns]
            chunks: Iterator[Any] = (frame.iloc[i:i + chunk_size]
                                     for i in range(0, len(frame), chunk_size))
        else:
            encoding = detect_encoding(path)
            header = [str(c) for c in pd.read_csv(path, nrows=0, encoding=encoding).columns]
            chunks = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding,
                                 chunksize=chunk_size)
    except SurveyError:
        raise
    except Exception as exc:  # pandas raises many types for a malformed file
        raise SurveyError(f"cannot read the file: {exc}", file=path) from None
    if not header:
        raise SurveyError("the file has no columns", file=path)
    for option, column in zip(("--text-col", "--question-col"), columns, strict=False):
        if column and column not in header:
            raise SurveyError(f"no column '{column}' (columns: {', '.join(header)})",
                              file=path, field=option)
    return header[0], chunks


def _load(model_path: str | None, codebook_path: str | None) -> Any:
    from themecoder.codebook import load_codebook
    from themecoder.suggest.suggester import Suggester, codebook_from_model, codebook_suggester

    codebook = load_codebook(codebook_path) if codebook_path else None
    if model_path is None:
        assert codebook is not None
        return codebook_suggester(codebook)
    from themecoder.suggest.model import load_model

    model = load_model(model_path, codebook=codebook)
    if codebook is None:
        return Suggester(codebook_from_model(model), model, keywords=False)
    return codebook_suggester(codebook, model=model)


def _question(value: str, cache: dict[str, str | None], declared: tuple = ()) -> str | None:
    if value not in cache:
        from themecoder.survey import normalise_question

        found = normalise_question(value, declared) if value.strip() else None
        if found is None and value.strip():
            echo(f"note: question '{shown(value, one_line=True)}' not recognised; every theme "
                 "applies to it", err=True)
        cache[value] = found
    return cache[value]


@cli.command()
@click.argument("project", required=False, metavar="[PROJECT]")
@click.option("--model", "model_path", type=click.Path(), metavar="DIR",
              help="A trained model directory (e.g. models/poet-sample).")
@click.option("--codebook", "codebook_path", type=click.Path(dir_okay=False), metavar="FILE",
              help="A codebook YAML file: keywords only, or keywords + model with --model.")
@click.option("--data", "data_path", type=click.Path(dir_okay=False),
              metavar="FILE", help="Answers to code: a CSV (UTF-8 or Windows-1252) or XLSX.")
@click.option("--text-col", help="The column holding the answers.")
@click.option("--question-col", help="The column saying which question each answer is for "
                                     "(worked_well / not_well / change, or its wording).")
@click.option("--out", "out_path", type=click.Path(dir_okay=False),
              metavar="OUT.csv", help="Where to write the suggestions (CSV, UTF-8 with BOM).")
@click.option("--batch-size", default=1000, show_default=True, type=click.IntRange(1),
              help="Rows read and suggested at a time.")
@click.option("--refresh", is_flag=True,
              help="With PROJECT: recompute answers that already have suggestions.")
def suggest(project: str | None, model_path: str | None, codebook_path: str | None,
            data_path: str | None, text_col: str | None, question_col: str | None,
            out_path: str | None, batch_size: int, refresh: bool) -> None:
    """Suggest themes for a project's answers, or for every answer in a CSV/XLSX file.

    \b
    themecoder suggest PROJECT [--model DIR] [--refresh]
        fills the project's suggestions (the model is remembered for the coding app;
        without one, the codebooks' keywords are used).
    themecoder suggest (--codebook FILE | --model DIR) --data FILE --text-col COL --out OUT.csv
        writes the input's first column, a 0/1 column per theme (named as the theme), a
        score:THEME column per theme (0-1), the reasons and the method. --codebook alone
        suggests from keywords, and from their meaning when the 'accurate' extra is
        installed; --model alone from the model; both combine model and keywords.
    """
    if project is not None:
        if data_path or out_path or codebook_path:
            raise click.UsageError("with PROJECT give only --model, --refresh, --batch-size")
        _suggest_project(project, model_path, refresh, batch_size)
        return
    if not data_path or not text_col or not out_path:
        raise click.UsageError("give a PROJECT, or --data FILE --text-col COL --out OUT.csv")
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from themecoder.safe_cells import neutralise

    if not model_path and not codebook_path:
        raise click.UsageError("give --codebook FILE, --model DIR, or both")
    data = Path(data_path)
    id_col, chunks = read_chunks(data, [text_col, question_col or ""], batch_size)
    suggester = _load(model_path, codebook_path)
    themes = suggester.codebook.themes
    out = Path(out_path)
    tmp = out.with_name(out.name + ".tmp")
    questions: dict[str, str | None] = {}
    rows = 0
    progress = Progress(SpinnerColumn(), TextColumn("suggesting"), BarColumn(),
                        TextColumn("{task.completed} answers"), TimeElapsedColumn(),
                        console=Console(stderr=True), transient=True)
    try:
        with tmp.open("w", encoding="utf-8-sig", newline="") as fh, progress:
            task = progress.add_task("suggest", total=None)
            writer = csv.writer(fh)
            not_assigned = suggester.codebook.not_assigned.name
            writer.writerow([neutralise(c) for c in (
                id_col, *(t.name for t in themes), not_assigned,
                *(f"score:{t.name}" for t in themes), f"score:{not_assigned}", "reasons",
                "method")])
            for chunk in chunks:
                texts = chunk[text_col].tolist()
                qs = [_question(v, questions, suggester.codebook.declared_questions)
                      for v in chunk[question_col].tolist()] \
                    if question_col else None
                results = suggester.suggest_many(texts, qs, batch_size=batch_size)
                for ident, result in zip(chunk[id_col].tolist(), results, strict=True):
                    by_id = {t.theme_id: t for t in result.themes}
                    flags, scores = [], []
                    for theme in themes:
                        found = by_id.get(theme.id)
                        flags.append(int(found is not None and found.suggested))
                        scores.append(f"{found.score:.4f}" if found else "0.0000")
                    na_score = result.not_assigned_score
                    writer.writerow([neutralise(ident), *flags, int(result.vague), *scores,
                                     "" if na_score is None else f"{na_score:.4f}",
                                     neutralise(format_reasons(result)), result.method])
                rows += len(chunk)
                progress.update(task, completed=rows)
        tmp.replace(out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    echo(f"wrote {rows} rows to {out}, suggested by {suggester.method} "
         f"({suggester.model_version})")


def _suggest_project(location: str, model_path: str | None, refresh: bool,
                     batch_size: int) -> None:
    from rich.console import Console
    from rich.progress import MofNCompleteColumn, Progress, TimeRemainingColumn

    from themecoder.store import Project
    from themecoder.suggest.project_suggest import suggest_project

    with Project.open(location) as store:
        progress = Progress(*Progress.get_default_columns()[:-1], MofNCompleteColumn(),
                            TimeRemainingColumn(), console=Console(stderr=True), transient=True)
        with progress:
            task = progress.add_task("suggesting", total=None)

            def report(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            run = suggest_project(store, model_path=model_path, refresh=refresh,
                                  batch_size=batch_size, progress=report)
    for note in run.notes:
        click.echo(note)
    if not run.answers:
        click.echo("every commented answer already has suggestions (use --refresh to redo)")
        return
    from themecoder.suggest.suggester import describe_method

    used = "; ".join(f"{cb}: {describe_method(version)}" for cb, version in
                     run.by_codebook.items())
    echo(f"suggested themes for {run.answers} answers ({used})")


def format_reasons(suggestion: Any) -> str:
    """One cell of reasons: the suggested themes' reasons, or why nothing is suggested."""
    if suggestion.vague:
        why = suggestion.not_assigned_reason or "vague answer"
        return f"{why} → Not assigned"
    parts = []
    for theme in suggestion.suggested:
        for reason in theme.reasons:
            parts.append(reason if "→" in reason else f"{reason} → {theme.theme_name}")
    return "; ".join(parts)
