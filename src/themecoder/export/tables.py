"""Tables of a tally: tidy CSV files and a Markdown report (the workbook is in :mod:`.workbook`).

CSV files are data: text is written exactly, unless asked for a spreadsheet, when text a
spreadsheet would run as a formula goes through :func:`themecoder.safe_cells.neutralise`.
Percentages are rounded half up (:mod:`.numbers`).
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import pandas as pd

from themecoder.codebook import Codebook
from themecoder.export.numbers import format_number, format_p, format_pct, pct
from themecoder.export.tally import Tally, codebook_label, metadata_lines, question_label
from themecoder.safe_cells import neutralise


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell neutralised (numbers untouched)."""
    out = frame.copy()
    for column in out.columns:
        if not pd.api.types.is_numeric_dtype(out[column]):
            out[column] = out[column].map(neutralise, na_action="ignore")
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def write_csv(frame: pd.DataFrame, path: Path, *, for_spreadsheet: bool = False) -> Path:
    """Write ``frame`` as UTF-8 CSV (with a BOM, so Excel reads accents right).

    Text is written exactly (CSV is data for R, pandas, SPSS and re-import); with
    ``for_spreadsheet`` formula-like text is neutralised as in the XLSX files.
    """
    (safe_frame(frame) if for_spreadsheet else frame).to_csv(path, index=False,
                                                             encoding="utf-8-sig")
    return path


def ordered_themes(tally: Tally, group: str) -> list[tuple[str, str, dict[str, int]]]:
    """A group's themes as ``(theme_id, label, {question: comments})``, most mentioned first.

    Themes of earlier codebook versions that still have mentions come with a label saying
    what happened to them. Ties keep codebook order.
    """
    counts = tally.group_counts(group)
    labels: dict[str, str] = {}
    for question in group_questions(tally, group):
        for entry in tally.entries(group, question):
            labels.setdefault(entry.id, entry.label)
    per_theme: dict[str, dict[str, int]] = {t: {} for t in labels}
    for theme_id, question, comments in zip(counts["theme_id"], counts["question"],
                                            counts["comments"], strict=True):
        per_theme.setdefault(theme_id, {})[question] = int(comments)
    out = [(t, labels.get(t, t), per_q) for t, per_q in per_theme.items()]
    return sorted(out, key=lambda item: -sum(item[2].values()))


def group_questions(tally: Tally, group: str) -> list[str]:
    """The questions a group's summary covers, in survey order."""
    summary = tally.summary[tally.summary["group"] == group]
    return summary["question"].tolist()


def group_title(codebook: Codebook, group: str) -> str:
    """A readable name for a group's tables and charts."""
    return f"{codebook.name} (group '{group}')"


def question_legend(tally: Tally, group: str, question: str) -> str:
    """A question as a figure's legend names it, with the % who commented and n:
    ``"What worked well: 76.0 % commented (173 of 228)"``."""
    rows = tally.summary[(tally.summary["group"] == group)
                         & (tally.summary["question"] == question)]
    label = question_label(question, tally.codebooks.values())
    if not len(rows):
        return label
    row = rows.iloc[0]
    return (f"{label}: {format_pct(row['pct_commented'])} commented "
            f"({int(row['commented']):,} of {int(row['respondents']):,})")


# --------------------------------------------------------------------------- CSV


def write_csv_tables(tally: Tally, out_dir: Path, *, for_spreadsheet: bool = False
                     ) -> list[Path]:
    """``theme_counts.csv``, ``summary.csv``, ``codebook_changes.csv`` (when themes changed),
    ``theme_counts_by_source.csv`` (when asked for) and, per ``by`` attribute, crosstab and
    test CSVs."""
    safe = {"for_spreadsheet": for_spreadsheet}
    files = [write_csv(tally.counts, out_dir / "theme_counts.csv", **safe),
             write_csv(tally.summary, out_dir / "summary.csv", **safe)]
    if len(tally.changes):
        files.append(write_csv(tally.changes, out_dir / "codebook_changes.csv", **safe))
    if len(tally.by_source):
        files.append(write_csv(tally.by_source, out_dir / "theme_counts_by_source.csv", **safe))
    for column, table in tally.crosstabs.items():
        slug = file_slug(column)
        files.append(write_csv(table, out_dir / f"crosstab_{slug}.csv", **safe))
        files.append(write_csv(tally.tests[column], out_dir / f"chi_square_{slug}.csv", **safe))
    return files


def file_slug(text: str) -> str:
    """A file-name-safe version of a label."""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "_", text).strip("_")
    return slug or "x"


# --------------------------------------------------------------------------- Markdown


def _md(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _cell(comments: int | None, commenters: int) -> str:
    if comments is None:
        return "–"
    if not commenters:
        return str(comments)
    return f"{comments} ({format_pct(pct(comments, commenters))})"




def markdown(tally: Tally) -> str:
    """The tally as a Markdown report: header block, summary, one table per group."""
    meta = tally.metadata
    lines = [f"# Theme counts: {_md(meta.get('project', 'project'))}", ""]
    if tally.unfinished:
        lines += [f"> **{_md(tally.unfinished_note())}**", ""]
    for warning in tally.warnings():
        lines += [f"> **Warning:** {_md(warning)}", ""]
    for label, text in metadata_lines(meta):
        lines.append(f"- **{label}:** {_md(text)}")
    lines += ["", "## Summary", "",
              "| Group | Question | Respondents | Commented | % commented | Coded | "
              "Not assigned | To do |",
              "|---|---|---:|---:|---:|---:|---:|---:|"]
    for row in tally.summary.itertuples(index=False):
        lines.append(f"| {_md(row.group)} | {_md(row.question_label)} | {row.respondents} | "
                     f"{row.commented} | {format_pct(row.pct_commented)} | {row.coded} | "
                     f"{row.not_assigned} | {row.to_do} |")
    lines.append("")
    for row in tally.summary.itertuples(index=False):
        lines.append(f"- {_md(row.group)}: {_md(row.commented_text)}; non-answers: "
                     f"{_md(row.non_answer_rule)}")
    for group, codebook in tally.codebooks.items():
        questions = group_questions(tally, group)
        summary = tally.summary[tally.summary["group"] == group].set_index("question")
        lines += ["", f"## {_md(group_title(codebook, group))}", "",
                  f"Codebook {_md(codebook_label(codebook))}. Each cell: comments coded with "
                  "the theme (% of respondents who commented on the question). An answer with "
                  "several themes counts once for each.", "",
                  "| Theme | " + " | ".join(_md(codebook.question_label(q)) for q in questions)
                  + " | Total |",
                  "|---|" + "---:|" * (len(questions) + 1)]
        for _theme_id, name, per_q in ordered_themes(tally, group):
            cells = [_cell(per_q.get(q), int(summary.loc[q, "commented"])) for q in questions]
            lines.append(f"| {_md(name)} | " + " | ".join(cells)
                         + f" | {sum(per_q.values())} |")
        na = [_cell(int(summary.loc[q, "not_assigned"]), int(summary.loc[q, "commented"]))
              for q in questions]
        lines.append(f"| *{_md(codebook.not_assigned.name)}* | " + " | ".join(na)
                     + f" | {int(summary['not_assigned'].sum())} |")
        if int(summary["to_do"].sum()):
            todo = [str(int(summary.loc[q, "to_do"])) for q in questions]
            lines.append("| *Not coded yet* | " + " | ".join(todo)
                         + f" | {int(summary['to_do'].sum())} |")
        lines.append("| **Respondents who commented** | " + " | ".join(
            f"{int(summary.loc[q, 'commented'])} ({format_pct(summary.loc[q, 'pct_commented'])})"
            for q in questions) + " | |")
    if len(tally.changes):
        lines += ["", "## Codebook changes", "",
                  "Mentions made with themes that a later codebook version dropped, restricted "
                  "or folded into another theme (`replaces:`). Nothing is left out of the "
                  "counts.", "",
                  "| Group | Question | Theme | What changed | Mentions | Counted under |",
                  "|---|---|---|---|---:|---|"]
        for row in tally.changes.itertuples(index=False):
            what = row.status + (f" in v{row.changed_in}" if row.changed_in else "")
            lines.append(f"| {_md(row.group)} | {_md(row.question_label)} | "
                         f"{_md(row.theme_name)} | {_md(what)} | {row.mentions} | "
                         f"{_md(row.counted_under)} |")
    if len(tally.by_source):
        lines += ["", "## By who coded: people and automatic coding", "",
                  "Each cell: comments coded with the theme (% of the answers of that "
                  "question coded by that source). *Automatic*: the model coded the answer "
                  "alone (`themecoder autocode`); answers people checked count as people's.",
                  "", "| Group | Question | Theme | People | Automatic |",
                  "|---|---|---|---:|---:|"]
        split = tally.by_source.set_index(["group", "question", "theme_id", "source"])
        for row in tally.by_source[tally.by_source["source"] == "people"].itertuples(
                index=False):
            auto = split.loc[(row.group, row.question, row.theme_id, "auto")]
            lines.append(f"| {_md(row.group)} | {_md(row.question_label)} | "
                         f"{_md(row.theme_name)} | {_cell(row.comments, row.decided)} | "
                         f"{_cell(int(auto['comments']), int(auto['decided']))} |")
    for column, tests in tally.tests.items():
        lines += ["", f"## By {_md(column)}: chi-square tests", "",
                  "Theme mentioned or not, among respondents who commented, by "
                  f"{_md(column)} (blank values left out). See crosstab_{file_slug(column)}.csv "
                  "for the counts. Tests with two levels use Yates' continuity correction "
                  f"(column *Correction*). *p (Holm)*: Holm's adjustment over all {len(tests)} "
                  f"tests of {_md(column)}.", "",
                  "| Group | Question | Theme | Levels | χ² | df | Correction | p | p (Holm) "
                  "| Note |",
                  "|---|---|---|---:|---:|---:|---|---:|---:|---|"]
        for row in tests.itertuples(index=False):
            dof = "–" if math.isnan(row.dof) else str(int(row.dof))
            lines.append(f"| {_md(row.group)} | {_md(row.question_label)} | "
                         f"{_md(row.theme_name)} | {row.levels} | {format_number(row.chi2)} | "
                         f"{dof} | {_md(row.correction or '–')} | {format_p(row.p_value)} | "
                         f"{format_p(row.p_holm)} | {_md(row.note)} |")
    return "\n".join(lines) + "\n"


def write_markdown(tally: Tally, out_dir: Path) -> Path:
    """Write ``theme_counts.md``."""
    path = out_dir / "theme_counts.md"
    path.write_text(markdown(tally), encoding="utf-8")
    return path
