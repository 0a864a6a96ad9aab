"""Tables of a tally: tidy CSV files, a Markdown report and an Excel workbook with native charts.

Every text cell written to a CSV or XLSX file goes through
:func:`themecoder.safe_cells.neutralise`, and the workbook writes text with ``write_string``,
so no cell can run as a formula when the file is opened in a spreadsheet. Numbers stay numbers.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import pandas as pd

from themecoder.codebook import Codebook
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


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` as UTF-8 CSV (with a BOM, so Excel reads accents right), cells made safe."""
    safe_frame(frame).to_csv(path, index=False, encoding="utf-8-sig")
    return path


def ordered_themes(tally: Tally, group: str) -> list[tuple[str, str, dict[str, int]]]:
    """A group's themes as ``(theme_id, name, {question: comments})``, most mentioned first.

    Ties keep codebook order.
    """
    counts = tally.group_counts(group)
    codebook = tally.codebooks[group]
    out = []
    for theme in codebook.themes:
        rows = counts[counts["theme_id"] == theme.id]
        out.append((theme.id, theme.name, dict(zip(rows["question"], rows["comments"],
                                                   strict=True))))
    return sorted(out, key=lambda item: -sum(item[2].values()))


def group_questions(tally: Tally, group: str) -> list[str]:
    """The questions a group's summary covers, in survey order."""
    summary = tally.summary[tally.summary["group"] == group]
    return summary["question"].tolist()


def group_title(codebook: Codebook, group: str) -> str:
    """A readable name for a group's tables and charts."""
    return f"{codebook.name} (group '{group}')"


# --------------------------------------------------------------------------- CSV


def write_csv_tables(tally: Tally, out_dir: Path) -> list[Path]:
    """``theme_counts.csv``, ``summary.csv`` and, per ``by`` attribute, crosstab and test CSVs."""
    files = [write_csv(tally.counts, out_dir / "theme_counts.csv"),
             write_csv(tally.summary, out_dir / "summary.csv")]
    for column, table in tally.crosstabs.items():
        slug = file_slug(column)
        files.append(write_csv(table, out_dir / f"crosstab_{slug}.csv"))
        files.append(write_csv(tally.tests[column], out_dir / f"chi_square_{slug}.csv"))
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
    return f"{comments} ({100.0 * comments / commenters:.1f} %)"


def _fmt_pct(value: float) -> str:
    return "–" if value is None or (isinstance(value, float) and math.isnan(value)) \
        else f"{value:.1f} %"


def markdown(tally: Tally) -> str:
    """The tally as a Markdown report: header block, summary, one table per group."""
    meta = tally.metadata
    lines = [f"# Theme counts: {_md(meta.get('project', 'project'))}", ""]
    if tally.unfinished:
        lines += [f"> **{_md(tally.unfinished_note())}**", ""]
    for label, text in metadata_lines(meta):
        lines.append(f"- **{label}:** {_md(text)}")
    lines += ["", "## Summary", "",
              "| Group | Question | Respondents | Commented | % commented | Coded | "
              "Not assigned | To do |",
              "|---|---|---:|---:|---:|---:|---:|---:|"]
    for row in tally.summary.itertuples(index=False):
        lines.append(f"| {_md(row.group)} | {_md(row.question_label)} | {row.respondents} | "
                     f"{row.commented} | {_fmt_pct(row.pct_commented)} | {row.coded} | "
                     f"{row.not_assigned} | {row.to_do} |")
    lines.append("")
    for row in tally.summary.itertuples(index=False):
        lines.append(f"- {_md(row.group)}: {_md(row.commented_text)}")
    for group, codebook in tally.codebooks.items():
        questions = group_questions(tally, group)
        summary = tally.summary[tally.summary["group"] == group].set_index("question")
        lines += ["", f"## {_md(group_title(codebook, group))}", "",
                  f"Codebook {_md(codebook_label(codebook))}. Each cell: comments coded with "
                  "the theme (% of respondents who commented on the question). An answer with "
                  "several themes counts once for each.", "",
                  "| Theme | " + " | ".join(_md(question_label(q)) for q in questions)
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
            f"{int(summary.loc[q, 'commented'])} ({_fmt_pct(summary.loc[q, 'pct_commented'])})"
            for q in questions) + " | |")
    for column, tests in tally.tests.items():
        lines += ["", f"## By {_md(column)}: chi-square tests", "",
                  "Theme mentioned or not, among respondents who commented, by "
                  f"{_md(column)} (blank values left out). See crosstab_{file_slug(column)}.csv "
                  "for the counts.", "",
                  "| Group | Question | Theme | Levels | χ² | df | p | Note |",
                  "|---|---|---|---:|---:|---:|---:|---|"]
        for row in tests.itertuples(index=False):
            chi2 = "–" if math.isnan(row.chi2) else f"{row.chi2:.2f}"
            dof = "–" if math.isnan(row.dof) else str(int(row.dof))
            p = "–" if math.isnan(row.p_value) else f"{row.p_value:.3g}"
            lines.append(f"| {_md(row.group)} | {_md(row.question_label)} | "
                         f"{_md(row.theme_name)} | {row.levels} | {chi2} | {dof} | {p} | "
                         f"{_md(row.note)} |")
    return "\n".join(lines) + "\n"


def write_markdown(tally: Tally, out_dir: Path) -> Path:
    """Write ``theme_counts.md``."""
    path = out_dir / "theme_counts.md"
    path.write_text(markdown(tally), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- XLSX


def sheet_name(text: str, taken: set[str]) -> str:
    """A valid, unique Excel sheet name (≤ 31 characters, none of ``[]:*?/\\``)."""
    base = re.sub(r"[\[\]:*?/\\']", "_", text).strip() or "Sheet"
    base = base[:31]
    name, n = base, 2
    while name.casefold() in {t.casefold() for t in taken}:
        suffix = f" ({n})"
        name = base[:31 - len(suffix)] + suffix
        n += 1
    taken.add(name)
    return name


class SafeSheet:
    """Writes cells to an xlsxwriter worksheet: text as neutralised strings, numbers as numbers."""

    def __init__(self, sheet: Any) -> None:
        self.sheet = sheet

    def cell(self, row: int, col: int, value: Any, fmt: Any = None) -> None:
        if value is None or (isinstance(value, str) and not value) \
                or (isinstance(value, float) and math.isnan(value)):
            self.sheet.write_blank(row, col, None, fmt)
        elif isinstance(value, bool):
            self.sheet.write_boolean(row, col, value, fmt)
        elif isinstance(value, int | float):
            self.sheet.write_number(row, col, value, fmt)
        elif hasattr(value, "item") and not isinstance(value, str):  # numpy scalar
            self.cell(row, col, value.item(), fmt)
        else:
            self.sheet.write_string(row, col, neutralise(str(value)), fmt)

    def row(self, row: int, values: list[Any], fmt: Any = None, first_col: int = 0) -> None:
        for offset, value in enumerate(values):
            self.cell(row, first_col + offset, value, fmt)


def write_xlsx(tally: Tally, out_dir: Path) -> Path:
    """Write ``theme_counts.xlsx``: summary, one sheet per group with native charts, metadata."""
    import xlsxwriter

    path = out_dir / "theme_counts.xlsx"
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False,
                                               "strings_to_urls": False,
                                               "nan_inf_to_errors": True})
    try:
        fmt = {
            "title": workbook.add_format({"bold": True, "font_size": 14}),
            "warn": workbook.add_format({"bold": True, "font_color": "#9C0006",
                                         "bg_color": "#FFC7CE"}),
            "head": workbook.add_format({"bold": True, "bottom": 1, "text_wrap": True,
                                         "valign": "top", "bg_color": "#E7E6E6"}),
            "pct": workbook.add_format({"num_format": "0.0%"}),
            "int": workbook.add_format({"num_format": "0"}),
            "bold": workbook.add_format({"bold": True}),
            "wrap": workbook.add_format({"text_wrap": True, "valign": "top"}),
            "p": workbook.add_format({"num_format": "0.000"}),
            "num": workbook.add_format({"num_format": "0.00"}),
        }
        taken: set[str] = set()
        _summary_sheet(workbook, tally, fmt, sheet_name("Summary", taken))
        for group, codebook in tally.codebooks.items():
            _group_sheet(workbook, tally, group, codebook, fmt, sheet_name(group, taken))
        for column in tally.crosstabs:
            _frame_sheet(workbook, tally.crosstabs[column], fmt,
                         sheet_name(f"by {column}", taken), pct_columns={"pct_of_commenters"})
            _frame_sheet(workbook, tally.tests[column], fmt,
                         sheet_name(f"chi2 {column}", taken), pct_columns=set())
        _metadata_sheet(workbook, tally, fmt, sheet_name("Metadata", taken))
    finally:
        workbook.close()
    return path


def _note_rows(sheet: SafeSheet, tally: Tally, fmt: dict[str, Any], title: str) -> int:
    sheet.cell(0, 0, title, fmt["title"])
    row = 1
    if tally.unfinished:
        sheet.cell(row, 0, tally.unfinished_note(), fmt["warn"])
        row += 1
    sheet.cell(row, 0, f"Project {tally.metadata.get('project', '')}; made "
               f"{tally.metadata.get('created_at', '')}; decision rule and coders on the "
               "Metadata sheet.")
    return row + 2


def _summary_sheet(workbook: Any, tally: Tally, fmt: dict[str, Any], name: str) -> None:
    ws = workbook.add_worksheet(name)
    sheet = SafeSheet(ws)
    row = _note_rows(sheet, tally, fmt, "Summary: respondents who commented, by question")
    headers = ["Group", "Codebook", "Question", "Respondents", "Commented", "% commented",
               "Coded", "Not assigned", "To do", "Theme mentions"]
    sheet.row(row, headers, fmt["head"])
    for r in tally.summary.itertuples(index=False):
        row += 1
        pct = r.pct_commented / 100.0 if not math.isnan(r.pct_commented) else math.nan
        sheet.row(row, [r.group, f"{r.codebook_id} v{r.codebook_version}", r.question_label,
                        int(r.respondents), int(r.commented)])
        sheet.cell(row, 5, pct, fmt["pct"])
        sheet.row(row, [int(r.coded), int(r.not_assigned), int(r.to_do),
                        int(r.theme_mentions)], first_col=6)
    ws.set_column(0, 0, 12)
    ws.set_column(1, 1, 22)
    ws.set_column(2, 2, 26)
    ws.set_column(3, 9, 13)
    ws.freeze_panes(4 if not tally.unfinished else 5, 0)


def _group_sheet(workbook: Any, tally: Tally, group: str, codebook: Codebook,
                 fmt: dict[str, Any], name: str) -> None:
    ws = workbook.add_worksheet(name)
    sheet = SafeSheet(ws)
    questions = group_questions(tally, group)
    summary = tally.summary[tally.summary["group"] == group].set_index("question")
    row = _note_rows(sheet, tally, fmt, f"Themes in comments: {group_title(codebook, group)}")
    sheet.cell(row - 1, 0, f"Codebook {codebook_label(codebook)}. Comments coded with each "
               "theme and % of respondents who commented on the question.")
    header_row = row
    headers = ["Theme"]
    for q in questions:
        headers += [f"{question_label(q)}: comments", f"{question_label(q)}: % of commenters"]
    headers.append("Total comments")
    sheet.row(header_row, headers, fmt["head"])
    themes = ordered_themes(tally, group)
    for _theme_id, theme_name, per_q in themes:
        row += 1
        sheet.cell(row, 0, theme_name)
        for i, q in enumerate(questions):
            commented = int(summary.loc[q, "commented"])
            comments = per_q.get(q)
            sheet.cell(row, 1 + 2 * i, comments, fmt["int"])
            pct = comments / commented if comments is not None and commented else math.nan
            sheet.cell(row, 2 + 2 * i, pct, fmt["pct"])
        sheet.cell(row, 1 + 2 * len(questions), sum(per_q.values()), fmt["int"])
    last_theme_row = row
    row += 1
    sheet.cell(row, 0, codebook.not_assigned.name, fmt["bold"])
    for i, q in enumerate(questions):
        sheet.cell(row, 1 + 2 * i, int(summary.loc[q, "not_assigned"]), fmt["int"])
    if tally.unfinished:
        row += 1
        sheet.cell(row, 0, "Not coded yet", fmt["bold"])
        for i, q in enumerate(questions):
            sheet.cell(row, 1 + 2 * i, int(summary.loc[q, "to_do"]), fmt["int"])
    row += 1
    sheet.cell(row, 0, "Respondents who commented", fmt["bold"])
    for i, q in enumerate(questions):
        sheet.cell(row, 1 + 2 * i, int(summary.loc[q, "commented"]), fmt["int"])
        pct = summary.loc[q, "pct_commented"]
        sheet.cell(row, 2 + 2 * i, pct / 100.0 if not math.isnan(pct) else math.nan, fmt["pct"])
    row += 1
    sheet.cell(row, 0, "Respondents", fmt["bold"])
    if questions:
        sheet.cell(row, 1, int(summary.loc[questions[0], "respondents"]), fmt["int"])
    ws.set_column(0, 0, 26)
    ws.set_column(1, 2 * len(questions) + 1, 14)
    ws.set_row(header_row, 45)
    ws.freeze_panes(header_row + 1, 1)
    # one native bar chart per question, below the table
    anchor = row + 3
    for i, q in enumerate(questions):
        chart = workbook.add_chart({"type": "bar"})
        chart.add_series({
            "name": question_label(q),
            "categories": [name, header_row + 1, 0, last_theme_row, 0],
            "values": [name, header_row + 1, 1 + 2 * i, last_theme_row, 1 + 2 * i],
            "fill": {"color": ["#404040", "#8C8C8C", "#D0D0D0"][i % 3]},
            "border": {"color": "#000000"},
            "pattern": None if i == 0 else {"pattern": ["light_upward_diagonal",
                                                        "dark_horizontal"][i % 2],
                                            "fg_color": "#000000",
                                            "bg_color": ["#8C8C8C", "#D0D0D0"][i % 2]},
        })
        chart.set_title({"name": f"{question_label(q)}: {codebook.name}",
                         "name_font": {"size": 11}})
        chart.set_x_axis({"name": "Comments"})
        chart.set_y_axis({"reverse": True, "num_font": {"size": 8}})
        chart.set_legend({"none": True})
        height = 60 + 22 * max(len(themes), 4)
        chart.set_size({"width": 640, "height": height})
        ws.insert_chart(anchor, 0, chart)
        anchor += height // 20 + 2


def _frame_sheet(workbook: Any, frame: pd.DataFrame, fmt: dict[str, Any], name: str,
                 pct_columns: set[str]) -> None:
    ws = workbook.add_worksheet(name)
    sheet = SafeSheet(ws)
    sheet.row(0, list(frame.columns), fmt["head"])
    for r, values in enumerate(frame.itertuples(index=False), start=1):
        for c, (column, value) in enumerate(zip(frame.columns, values, strict=True)):
            if column in pct_columns and isinstance(value, float) and not math.isnan(value):
                sheet.cell(r, c, value / 100.0, fmt["pct"])
            elif column == "p_value":
                sheet.cell(r, c, value, fmt["p"])
            elif column in ("chi2", "min_expected"):
                sheet.cell(r, c, value, fmt["num"])
            else:
                sheet.cell(r, c, value)
    ws.set_column(0, len(frame.columns) - 1, 14)
    ws.freeze_panes(1, 0)


def _metadata_sheet(workbook: Any, tally: Tally, fmt: dict[str, Any], name: str) -> None:
    ws = workbook.add_worksheet(name)
    sheet = SafeSheet(ws)
    sheet.cell(0, 0, "About this export", fmt["title"])
    row = 2
    for label, text in metadata_lines(tally.metadata):
        sheet.cell(row, 0, label, fmt["bold"])
        sheet.cell(row, 1, text, fmt["warn"] if label == "Status" and tally.unfinished
                   else fmt["wrap"])
        row += 1
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 100)
