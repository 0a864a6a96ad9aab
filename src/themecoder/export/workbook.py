"""``theme_counts.xlsx``: an Excel workbook that prints as a report appendix.

Sheets: Summary (% commenting), one table per respondent group, one figure sheet per group (a
native grouped bar chart: the questions as series, data labels, the report's title and
palette, on its own one-page print area), a wide crosstab per ``by`` attribute with χ², the
correction used, raw and Holm-adjusted p-values, the codebook changes, the quote bank (when
given) and the metadata. Every table sheet prints landscape, fitted to the page width, with
its header rows repeated on each page.

Numbers are stored already rounded by the one rule of :mod:`.numbers` (half up), with a number
format that shows exactly that value; p-values below 0.001 keep their value but show as
"< 0.001", others show three significant digits. Text goes through
:func:`themecoder.safe_cells.neutralise` and is written with ``write_string``, so no cell can
run as a formula.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import pandas as pd

from themecoder.codebook import Codebook
from themecoder.export.limits import fit_cell
from themecoder.export.numbers import P_FLOOR, p_decimals, round_half_up, significant
from themecoder.export.settings import ExportSettings
from themecoder.export.style import EDGE, question_colour
from themecoder.export.tables import (
    group_questions,
    group_title,
    ordered_themes,
    question_legend,
)
from themecoder.export.tally import Tally, codebook_label, metadata_lines
from themecoder.safe_cells import neutralise

FIGURE_SIZE = (1350, 860)
"""Pixels of a figure sheet's chart: one landscape A4 page at fit-to-page."""


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
            self.sheet.write_string(row, col, fit_cell(neutralise(str(value))), fmt)

    def row(self, row: int, values: list[Any], fmt: Any = None, first_col: int = 0) -> None:
        for offset, value in enumerate(values):
            self.cell(row, first_col + offset, value, fmt)


class Formats:
    """The workbook's cell formats, made once (p-value formats on demand)."""

    def __init__(self, workbook: Any) -> None:
        self.workbook = workbook
        add = workbook.add_format
        self.title = add({"bold": True, "font_size": 14})
        self.warn = add({"bold": True, "font_color": "#9C0006", "bg_color": "#FFC7CE",
                         "text_wrap": False})
        self.head = add({"bold": True, "bottom": 1, "text_wrap": True, "valign": "top",
                         "bg_color": "#E7E6E6"})
        self.pct = add({"num_format": "0.0%"})
        self.int = add({"num_format": "#,##0"})
        self.bold = add({"bold": True})
        self.bold_int = add({"bold": True, "num_format": "#,##0"})
        self.wrap = add({"text_wrap": True, "valign": "top"})
        self.num = add({"num_format": "0.00"})
        self.italic = add({"italic": True})
        self._p: dict[int, Any] = {}
        self.p_small = add({"num_format": f'"< {P_FLOOR:g}"'})

    def p_value(self, p: float) -> Any:
        """The number format that shows ``p`` to three significant digits."""
        if p < P_FLOOR:
            return self.p_small
        decimals = p_decimals(p)
        if decimals not in self._p:
            self._p[decimals] = self.workbook.add_format(
                {"num_format": "0." + "0" * decimals if decimals else "0"})
        return self._p[decimals]


def write_p(sheet: SafeSheet, row: int, col: int, p: float, fmt: Formats) -> None:
    """A p-value cell: the value rounded as shown (a tiny p keeps its value)."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        sheet.cell(row, col, None)
    elif p < P_FLOOR:
        sheet.cell(row, col, float(p), fmt.p_small)
    else:
        sheet.cell(row, col, significant(float(p)), fmt.p_value(p))


def pct_value(value: float) -> float:
    """A percentage (already rounded half up to 0.1) as the fraction Excel's ``0.0%`` shows
    exactly."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return math.nan
    return round_half_up(float(value) / 100.0, 4)


def print_setup(ws: Any, *, header_rows: tuple[int, int] | None, last_col: int,
                title: str) -> None:
    """Landscape A4, fitted to the page width, header rows repeated, page numbers."""
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.5, right=0.5, top=0.7, bottom=0.7)
    if header_rows is not None:
        ws.repeat_rows(*header_rows)
    ws.set_header(f"&L&8{_header_text(title)}")
    ws.set_footer("&R&8Page &P of &N")
    ws.hide_gridlines(0)
    ws.print_area(0, 0, max(ws.dim_rowmax or 0, 0), last_col)


def _header_text(text: str) -> str:
    # & starts a code in Excel headers; keep it short (255 characters at most)
    return text.replace("&", "&&")[:120]


def write_xlsx(tally: Tally, out_dir: Path, settings: ExportSettings | None = None,
               quotes: pd.DataFrame | None = None) -> Path:
    """Write ``theme_counts.xlsx`` (see the module docstring)."""
    import xlsxwriter

    settings = settings or ExportSettings()
    path = out_dir / "theme_counts.xlsx"
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False,
                                               "strings_to_urls": False,
                                               "nan_inf_to_errors": True})
    try:
        fmt = Formats(workbook)
        taken: set[str] = set()
        _summary_sheet(workbook, tally, fmt, sheet_name("Summary", taken))
        for group, codebook in tally.codebooks.items():
            table_name = sheet_name(group, taken)
            rows = _group_sheet(workbook, tally, group, codebook, fmt, table_name)
            _figure_sheet(workbook, tally, group, codebook, settings, table_name, rows,
                          sheet_name(f"{group} figure", taken))
        for column in tally.crosstabs:
            _crosstab_sheet(workbook, tally, column, fmt, sheet_name(f"by {column}", taken))
        if len(tally.changes):
            _changes_sheet(workbook, tally, fmt, sheet_name("Codebook changes", taken))
        if quotes is not None:
            write_quote_sheet(workbook, quotes, fmt, sheet_name("Quotes", taken))
        _metadata_sheet(workbook, tally, fmt, sheet_name("Metadata", taken))
    finally:
        workbook.close()
    return path


def _note_rows(sheet: SafeSheet, tally: Tally, fmt: Formats, title: str) -> int:
    sheet.cell(0, 0, title, fmt.title)
    row = 1
    if tally.unfinished:
        sheet.cell(row, 0, tally.unfinished_note(), fmt.warn)
        row += 1
    for warning in tally.warnings():
        sheet.cell(row, 0, f"Warning: {warning[:300]}", fmt.warn)
        row += 1
    sheet.cell(row, 0, f"Project {tally.metadata.get('project', '')}; decision rule, coders "
               "and provenance on the Metadata sheet.", fmt.italic)
    return row + 2


def _summary_sheet(workbook: Any, tally: Tally, fmt: Formats, name: str) -> None:
    ws = workbook.add_worksheet(name)
    sheet = SafeSheet(ws)
    row = _note_rows(sheet, tally, fmt, "Summary: respondents who commented, by question")
    header = row
    headers = ["Group", "Codebook", "Question", "Respondents", "Commented", "% commented",
               "Coded", "Not assigned", "To do", "Theme mentions", "Non-answers"]
    sheet.row(row, headers, fmt.head)
    for r in tally.summary.itertuples(index=False):
        row += 1
        sheet.row(row, [r.group, f"{r.codebook_id} v{r.codebook_version}", r.question_label])
        sheet.row(row, [int(r.respondents), int(r.commented)], fmt.int, first_col=3)
        sheet.cell(row, 5, pct_value(r.pct_commented), fmt.pct)
        sheet.row(row, [int(r.coded), int(r.not_assigned), int(r.to_do),
                        int(r.theme_mentions), int(r.non_answers)], fmt.int, first_col=6)
    row += 2
    for r in tally.summary.drop_duplicates("group").itertuples(index=False):
        sheet.cell(row, 0, f"Non-answers ({r.group}): {r.non_answer_rule}", fmt.italic)
        row += 1
    ws.set_column(0, 0, 12)
    ws.set_column(1, 1, 22)
    ws.set_column(2, 2, 26)
    ws.set_column(3, 10, 13)
    ws.freeze_panes(header + 1, 0)
    print_setup(ws, header_rows=(header, header), last_col=len(headers) - 1, title=name)


def _group_sheet(workbook: Any, tally: Tally, group: str, codebook: Codebook, fmt: Formats,
                 name: str) -> tuple[int, int, list[str]]:
    """The group's table; returns (first theme row, last theme row, questions) for charts."""
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
        label = codebook.question_label(q)
        headers += [f"{label}: comments", f"{label}: % of commenters"]
    headers.append("Total comments")
    sheet.row(header_row, headers, fmt.head)
    themes = ordered_themes(tally, group)
    for _theme_id, theme_name, per_q in themes:
        row += 1
        sheet.cell(row, 0, theme_name)
        for i, q in enumerate(questions):
            commented = int(summary.loc[q, "commented"])
            comments = per_q.get(q)
            sheet.cell(row, 1 + 2 * i, comments, fmt.int)
            share = _pct_of(comments, commented)
            sheet.cell(row, 2 + 2 * i, share, fmt.pct)
        sheet.cell(row, 1 + 2 * len(questions), sum(per_q.values()), fmt.int)
    first_theme_row, last_theme_row = header_row + 1, row
    row += 1
    sheet.cell(row, 0, codebook.not_assigned.name, fmt.bold)
    for i, q in enumerate(questions):
        na = int(summary.loc[q, "not_assigned"])
        sheet.cell(row, 1 + 2 * i, na, fmt.int)
        sheet.cell(row, 2 + 2 * i, _pct_of(na, int(summary.loc[q, "commented"])), fmt.pct)
    if tally.unfinished:
        row += 1
        sheet.cell(row, 0, "Not coded yet", fmt.bold)
        for i, q in enumerate(questions):
            sheet.cell(row, 1 + 2 * i, int(summary.loc[q, "to_do"]), fmt.int)
    row += 1
    sheet.cell(row, 0, "Respondents who commented", fmt.bold)
    for i, q in enumerate(questions):
        sheet.cell(row, 1 + 2 * i, int(summary.loc[q, "commented"]), fmt.bold_int)
        sheet.cell(row, 2 + 2 * i, pct_value(summary.loc[q, "pct_commented"]), fmt.pct)
    row += 1
    sheet.cell(row, 0, "Respondents", fmt.bold)
    if questions:
        sheet.cell(row, 1, int(summary.loc[questions[0], "respondents"]), fmt.bold_int)
    ws.set_column(0, 0, 34)
    ws.set_column(1, 2 * len(questions) + 1, 14)
    ws.set_row(header_row, 45)
    ws.freeze_panes(header_row + 1, 1)
    print_setup(ws, header_rows=(header_row, header_row), last_col=len(headers) - 1,
                title=name)
    return first_theme_row, last_theme_row, questions


def _pct_of(part: int | None, whole: int) -> float:
    from themecoder.export.numbers import pct

    if part is None or not whole:
        return math.nan
    return pct_value(pct(part, whole))


def _figure_sheet(workbook: Any, tally: Tally, group: str, codebook: Codebook,
                  settings: ExportSettings, table_sheet: str,
                  rows: tuple[int, int, list[str]], name: str) -> None:
    """One grouped native bar chart (questions as series, data labels) on its own page."""
    first, last, questions = rows
    ws = workbook.add_worksheet(name)
    chart = workbook.add_chart({"type": "bar"})
    for i, q in enumerate(questions):
        chart.add_series({
            "name": question_legend(tally, group, q),
            "categories": [table_sheet, first, 0, last, 0],
            "values": [table_sheet, first, 1 + 2 * i, last, 1 + 2 * i],
            "fill": {"color": question_colour(i)},
            "border": {"color": EDGE, "width": 0.5},
            "data_labels": {"value": True, "position": "outside_end",
                            "font": {"size": 7}},
            "gap": 60,
        })
    title = settings.figure_title(group, codebook)
    if tally.unfinished:
        title = f"UNFINISHED — {title}"
    chart.set_title({"name": title, "name_font": {"size": 11, "bold": True}, "overlay": False})
    chart.set_x_axis({"name": "Number of comments", "major_unit": _integer_step(tally, group),
                      "min": 0, "num_format": "0", "major_gridlines": {
                          "visible": True, "line": {"color": "#D9D9D9"}}})
    # themes top to bottom in table order; the count axis stays at the bottom
    chart.set_y_axis({"reverse": True, "crossing": "max", "num_font": {"size": 8}})
    chart.set_legend({"position": "bottom", "font": {"size": 9}})
    chart.set_size({"width": FIGURE_SIZE[0], "height": FIGURE_SIZE[1]})
    chart.set_chartarea({"border": {"none": True}})
    ws.insert_chart(0, 0, chart, {"object_position": 3})
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 1)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    # the chart covers about 21 default columns × 43 rows: that is the print area
    ws.print_area(0, 0, FIGURE_SIZE[1] // 20 + 1, FIGURE_SIZE[0] // 64 + 1)
    ws.hide_gridlines(2)


def _integer_step(tally: Tally, group: str) -> int:
    """A whole-number axis step giving about eight gridlines."""
    counts = tally.group_counts(group)["comments"]
    top = int(counts.max()) if len(counts) else 0
    step = 1
    for candidate in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000,
                      20000, 50000, 100000):
        step = candidate
        if top / candidate <= 10:
            break
    return step


def _crosstab_sheet(workbook: Any, tally: Tally, column: str, fmt: Formats, name: str) -> None:
    """One row per group × question × theme: comments and % per level, then the test."""
    ws = workbook.add_worksheet(name)
    sheet = SafeSheet(ws)
    table = tally.crosstabs[column]
    tests = tally.tests[column]
    levels = list(dict.fromkeys(table["level"])) if len(table) else []
    sheet.cell(0, 0, f"By {column}: comments per theme and chi-square tests", fmt.title)
    sheet.cell(1, 0, "Comments coded with the theme and % of the level's commenters. Tests "
               "with 2 levels use Yates' continuity correction; p (Holm) adjusts over all "
               f"{len(tests)} tests of {column}. Blank values are shown but left out of tests.",
               fmt.italic)
    header = 3
    headers = ["Group", "Question", "Theme"]
    for level in levels:
        headers += [f"{level}: comments", f"{level}: %"]
    headers += ["χ²", "df", "Correction", "p", "p (Holm)", "Note"]
    sheet.row(header, headers, fmt.head)
    index = table.set_index(["group", "question", "theme_id", "level"]) if len(table) else None
    row = header
    for test in tests.itertuples(index=False):
        row += 1
        sheet.row(row, [test.group, test.question_label, test.theme_name])
        col = 3
        for level in levels:
            key = (test.group, test.question, test.theme_id, level)
            if index is not None and key in index.index:
                cell = index.loc[key]
                sheet.cell(row, col, int(cell["comments"]), fmt.int)
                sheet.cell(row, col + 1, pct_value(cell["pct_of_commenters"]), fmt.pct)
            col += 2
        chi2 = test.chi2 if math.isnan(test.chi2) else round_half_up(test.chi2, 2)
        sheet.cell(row, col, chi2, fmt.num)
        sheet.cell(row, col + 1, None if math.isnan(test.dof) else int(test.dof), fmt.int)
        sheet.cell(row, col + 2, test.correction)
        write_p(sheet, row, col + 3, test.p_value, fmt)
        write_p(sheet, row, col + 4, test.p_holm, fmt)
        sheet.cell(row, col + 5, test.note)
    ws.set_column(0, 0, 10)
    ws.set_column(1, 1, 20)
    ws.set_column(2, 2, 26)
    ws.set_column(3, 3 + 2 * len(levels) - 1, 9)
    ws.set_column(3 + 2 * len(levels), 3 + 2 * len(levels) + 4, 9)
    ws.set_column(3 + 2 * len(levels) + 5, 3 + 2 * len(levels) + 5, 40)
    ws.set_row(header, 45)
    ws.freeze_panes(header + 1, 3)
    print_setup(ws, header_rows=(header, header), last_col=len(headers) - 1, title=name)


def _changes_sheet(workbook: Any, tally: Tally, fmt: Formats, name: str) -> None:
    ws = workbook.add_worksheet(name)
    sheet = SafeSheet(ws)
    sheet.cell(0, 0, "Codebook changes: mentions of themes an earlier version had", fmt.title)
    sheet.cell(1, 0, "Nothing is left out: old themes are counted under themselves, or under "
               "the theme whose `replaces:` names them.", fmt.italic)
    headers = ["Group", "Question", "Theme id", "Theme", "What changed", "Version",
               "Mentions", "Counted under"]
    sheet.row(3, headers, fmt.head)
    for row, r in enumerate(tally.changes.itertuples(index=False), start=4):
        sheet.row(row, [r.group, r.question_label, r.theme_id, r.theme_name, r.status,
                        r.changed_in])
        sheet.cell(row, 6, int(r.mentions), fmt.int)
        sheet.cell(row, 7, r.counted_under)
    ws.set_column(0, 2, 14)
    ws.set_column(3, 3, 24)
    ws.set_column(4, 6, 12)
    ws.set_column(7, 7, 36)
    print_setup(ws, header_rows=(3, 3), last_col=len(headers) - 1, title=name)


def write_quote_sheet(workbook: Any, quotes: pd.DataFrame, fmt: Formats, name: str) -> None:
    """The quote bank: one row per quote, attributed and redacted."""
    ws = workbook.add_worksheet(name)
    sheet = SafeSheet(ws)
    sheet.cell(0, 0, "Quote bank: respondents' own words, redacted", fmt.title)
    headers = ["Group", "Question", "Theme", "Quote", "Attribution", "Starred", "Answer"]
    sheet.row(2, headers, fmt.head)
    for row, q in enumerate(quotes.itertuples(index=False), start=3):
        sheet.row(row, [q.group, q.question_label, q.theme_name])
        sheet.cell(row, 3, q.quote, fmt.wrap)
        sheet.cell(row, 4, q.attribution, fmt.wrap)
        sheet.row(row, ["yes" if q.starred else "", q.answer_key], first_col=5)
    ws.set_column(0, 0, 10)
    ws.set_column(1, 1, 18)
    ws.set_column(2, 2, 20)
    ws.set_column(3, 3, 70)
    ws.set_column(4, 4, 34)
    ws.set_column(5, 6, 12)
    print_setup(ws, header_rows=(2, 2), last_col=len(headers) - 1, title=name)


def _metadata_sheet(workbook: Any, tally: Tally, fmt: Formats, name: str) -> None:
    ws = workbook.add_worksheet(name)
    sheet = SafeSheet(ws)
    sheet.cell(0, 0, "About this export", fmt.title)
    row = 2
    for label, text in metadata_lines(tally.metadata):
        sheet.cell(row, 0, label, fmt.bold)
        sheet.cell(row, 1, text, fmt.warn if label == "Status" and tally.unfinished
                   else fmt.wrap)
        row += 1
    ws.set_column(0, 0, 22)
    ws.set_column(1, 1, 110)
    print_setup(ws, header_rows=None, last_col=1, title=name)
