"""``themecoder train`` and ``themecoder evaluate``: the theme classifier from the command line."""

from __future__ import annotations

import shlex
from typing import Any

import click

from themecoder.cli.root import cli, literal


def _data_options(func: Any) -> Any:
    """Options naming the columns of a hand-coded data file (shared by train and evaluate)."""
    options = [
        click.option("--data", "data", required=True, type=click.Path(dir_okay=False),
                     help="Hand-coded answers: a CSV or XLSX file, one row per answer."),
        click.option("--text-col", required=True, help="Column with the answer text."),
        click.option("--question-col", default=None,
                     help="Column with the question each answer replies to."),
        click.option("--themes-col", default=None,
                     help="Column of |-separated theme names. Without it, each theme needs a "
                          "0/1 column named as the theme."),
        click.option("--filter", "filters", multiple=True, metavar="COL=VALUE",
                     help="Keep only rows where COL equals VALUE (repeatable), "
                          "e.g. --filter group=holder."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _metrics_table(df: Any, title: str) -> Any:
    from rich.table import Table

    from themecoder.evaluate import SUMMARY_ROWS

    table = Table(title=literal(title))
    table.add_column("theme")
    for name in ("precision", "recall", "F1", "support"):
        table.add_column(name, justify="right")
    for name, values in df.iterrows():
        style = "bold" if name in SUMMARY_ROWS else None
        if name == "micro":
            table.add_section()
        table.add_row(literal(name), f"{values['precision']:.3f}", f"{values['recall']:.3f}",
                      f"{values['f1']:.3f}", str(int(values["support"])), style=style)
    return table


def _train_command(codebook: str, data: str, text_col: str, question_col: str | None,
                   themes_col: str | None, filters: tuple[str, ...], accurate: bool,
                   out: str) -> str:
    """The command line that reproduces a training run (recorded in the model's metadata)."""
    args = ["themecoder", "train", "--codebook", codebook, "--data", data, "--text-col", text_col]
    if question_col:
        args += ["--question-col", question_col]
    if themes_col:
        args += ["--themes-col", themes_col]
    for item in filters:
        args += ["--filter", item]
    if accurate:
        args.append("--accurate")
    return shlex.join([*args, "--out", out])


@cli.command("train")
@click.option("--codebook", "codebook_path", required=True, type=click.Path(dir_okay=False),
              help="The codebook YAML the data is coded with.")
@_data_options
@click.option("--accurate", is_flag=True,
              help="Train the accurate tier (adds sentence embeddings; needs the "
                   "'accurate' extra and is slower).")
@click.option("--out", required=True, type=click.Path(file_okay=False),
              help="Directory to write the model to, e.g. models/NAME.")
def train(codebook_path: str, data: str, text_col: str, question_col: str | None,
          themes_col: str | None, filters: tuple[str, ...], accurate: bool, out: str) -> None:
    """Train a theme classifier on hand-coded answers and save it to --out.

    Thresholds are tuned by cross-validation on this data only; the table printed at the
    end is that cross-validation's per-theme precision, recall and F1.
    """
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TimeElapsedColumn

    from themecoder.codebook import load_codebook
    from themecoder.evaluate import metrics_from_dict
    from themecoder.suggest.keyword_blend import keyword_score_matrix
    from themecoder.suggest.model import ThemeClassifier, save_model, training_metadata
    from themecoder.suggest.training_data import read_training_data

    codebook = load_codebook(codebook_path)
    td = read_training_data(data, codebook, text_col=text_col, question_col=question_col,
                            themes_col=themes_col, filters=filters)
    console = Console(stderr=True)
    for warning in td.check(codebook):
        click.echo(f"warning: {td.source}: {warning}", err=True)
    tier = "accurate" if accurate else "fast"
    console.print(f"Training the {tier} model on {len(td)} answers from {td.source} "
                  f"for codebook {codebook.id} v{codebook.version} ({len(td.theme_ids)} themes)")
    model = ThemeClassifier(tier=tier)
    # the codebook's keyword scores of the training answers: how much a suggester lets
    # keywords add to the model's probabilities is learned with the model
    keyword_scores = keyword_score_matrix(codebook, td.texts, td.questions, td.theme_ids)
    with Progress("[progress.description]{task.description}", BarColumn(),
                  TaskProgressColumn(), TimeElapsedColumn(), console=console,
                  transient=True) as bar:
        task = bar.add_task("training", total=None)
        model.fit(td.texts, td.questions, td.Y, td.theme_ids, keyword_scores=keyword_scores,
                  progress=lambda done, total: bar.update(task, completed=done, total=total))
    metadata = training_metadata(
        codebook, td.texts, td.questions, td.Y,
        # the path as given and where it was, so a project can find this data again
        data={"file": td.source.name, "path": data, "resolved": str(td.source.resolve()),
              "text_col": text_col, "question_col": question_col, "themes_col": themes_col,
              "filters": list(filters)},
        command=_train_command(codebook_path, data, text_col, question_col, themes_col,
                               filters, accurate, out),
    )
    path = save_model(model, out, metadata)
    cv = metrics_from_dict(model.cv_metrics_).rename(
        index={t.id: t.name for t in codebook.themes})
    Console().print(_metrics_table(
        cv, f"{model.cv}-fold cross-validation on the training data ({len(td)} answers)"))
    if model.keyword_rule_ is not None:
        with_keywords = model.cv_metrics_["micro_f1_with_keywords"]
        click.echo(f"Keywords beside the model: weight {model.keyword_weight_:g} "
                   f"(cross-validated micro-F1 {with_keywords:.3f} with keywords, "
                   f"{cv.loc['micro', 'f1']:.3f} without)")
    click.echo(f"Saved {tier} model to {path}")


@cli.command("evaluate")
@click.option("--model", "model_path", required=True, type=click.Path(),
              help="A model directory (or a directory of them, with --codebook).")
@_data_options
@click.option("--codebook", "codebook_path", default=None, type=click.Path(dir_okay=False),
              help="Codebook of the data (default: the model's themes). The model must have "
                   "been trained for it.")
@click.option("--out-csv", default=None, type=click.Path(dir_okay=False),
              help="Also write the table as CSV.")
@click.option("--out-md", default=None, type=click.Path(dir_okay=False),
              help="Also write the table as Markdown.")
def evaluate(model_path: str, data: str, text_col: str, question_col: str | None,
             themes_col: str | None, filters: tuple[str, ...], codebook_path: str | None,
             out_csv: str | None, out_md: str | None) -> None:
    """Compare a model's suggestions with hand coding: per-theme precision, recall, F1."""
    from rich.console import Console

    from themecoder.codebook import Codebook, Theme, load_codebook
    from themecoder.evaluate import theme_metrics, write_metrics_csv, write_metrics_markdown
    from themecoder.suggest.model import load_model
    from themecoder.suggest.training_data import read_training_data

    codebook = load_codebook(codebook_path) if codebook_path else None
    loaded = load_model(model_path, codebook)
    if codebook is None:
        # The model's own theme list (ids and names) is enough to read the data.
        cb = loaded.metadata["codebook"]
        codebook = Codebook(id=cb["id"], name=cb.get("name", cb["id"]), version=cb["version"],
                            groups=("any",), themes=tuple(
                                Theme(id=i, name=n, definition="")
                                for i, n in zip(loaded.theme_ids, loaded.theme_names,
                                                strict=True)))
    td = read_training_data(data, codebook, text_col=text_col, question_col=question_col,
                            themes_col=themes_col, filters=filters)
    Y_pred = loaded.classifier.predict(td.texts, td.questions)
    df = theme_metrics(td.Y, Y_pred, codebook.theme_names)
    title = (f"Model {loaded.name} (codebook {loaded.codebook_id} v{loaded.codebook_version}) "
             f"on {td.source.name}: {len(td)} answers")
    Console().print(_metrics_table(df, title))
    if out_csv:
        click.echo(f"Wrote {write_metrics_csv(df, out_csv)}")
    if out_md:
        click.echo(f"Wrote {write_metrics_markdown(df, out_md, title)}")
