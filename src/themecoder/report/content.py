"""The report as plain blocks (headings, paragraphs, tables, figures, quotes), built once.

Every number goes through :mod:`themecoder.export.numbers` (half-up rounding, p-values as
"< 0.001" or three significant digits), so the document says what the workbook says.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd

from themecoder.errors import ExportError
from themecoder.export.crosstab import significant_rows
from themecoder.export.data import load_export_data
from themecoder.export.numbers import format_number, format_p, format_pct, pct
from themecoder.export.settings import ExportSettings
from themecoder.export.tables import group_questions
from themecoder.export.tally import Tally, codebook_label, metadata_lines, question_label
from themecoder.export.tally import tally as make_tally
from themecoder.quotes import QuoteBank, select_quotes
from themecoder.store import Project

NOTHING_CODED = ("Nothing coded yet: no commented answer has a coding decision. Figures, "
                 "theme tables and quotes appear here once coding has started.")


@dataclass
class Heading:
    text: str
    level: int = 1


@dataclass
class Paragraph:
    """Text; ``kind`` is ``normal``, ``banner`` (unfinished), ``warning`` or ``note``."""

    text: str
    kind: str = "normal"


@dataclass
class Table:
    caption: str
    headers: list[str]
    rows: list[list[str]]
    numeric: list[bool]
    bold_rows: set[int] = field(default_factory=set)


@dataclass
class Figure:
    """A group's figure; renderers ask :mod:`themecoder.export.charts` for PNG or SVG."""

    caption: str
    group: str
    tally: Tally
    settings: ExportSettings


@dataclass
class Quote:
    text: str
    attribution: str
    starred: bool = False


@dataclass
class Report:
    title: str
    subtitle: str
    blocks: list[Any] = field(default_factory=list)

    def add(self, *blocks: Any) -> None:
        self.blocks.extend(blocks)

    def text(self) -> str:
        """Every word of the report, for checks and search."""
        parts = [self.title, self.subtitle]
        for block in self.blocks:
            if isinstance(block, Table):
                parts += [block.caption, *block.headers, *(c for r in block.rows for c in r)]
            elif isinstance(block, Quote):
                parts += [block.text, block.attribution]
            elif isinstance(block, Figure):
                parts.append(block.caption)
            else:
                parts.append(block.text)
        return "\n".join(parts)


def build_report(project: Project, *, by: list[str], prefer_coder: str | None,
                 non_answers: str | None, settings: ExportSettings) -> Report:
    """Read, count, choose quotes and lay out the report.

    Raises:
        ExportError: an empty project, an unknown attribute or coder.
    """
    if project.count_answers() == 0:
        raise ExportError("the project has no answers yet (import a survey first)",
                          file=project.display_location)
    data = load_export_data(project, prefer_coder=prefer_coder, with_text=True)
    tally = make_tally(project, by=by, prefer_coder=prefer_coder, data=data,
                       non_answers=non_answers or settings.non_answers)
    nothing = tally.decided == 0
    bank = QuoteBank() if nothing else select_quotes(project, tally, data, settings)
    meta = tally.metadata
    made = _when(str(meta.get("created_at", "")))
    report = Report(title=f"Comments on what worked, what didn't and what should change: "
                          f"{meta.get('project', '')}",
                    subtitle=f"Made by themecoder on {made}. Codebooks: "
                             + "; ".join(codebook_label(cb) for cb in tally.codebooks.values()))
    counter = _Counter()
    if nothing:
        report.add(Paragraph(NOTHING_CODED, "banner"))
    elif tally.unfinished:
        report.add(Paragraph(tally.unfinished_note(), "banner"))
    for warning in tally.warnings():
        report.add(Paragraph(f"Warning: {warning}", "warning"))
    _commenting(report, tally, counter)
    if not nothing:
        _figures(report, tally, settings)
        _theme_tables(report, tally, counter)
        for column in by:
            _differences(report, tally, column, settings.significance, counter)
        _quotes(report, tally, bank)
    _method(report, tally, settings)
    return report


class _Counter:
    def __init__(self) -> None:
        self.n = 0

    def next(self) -> int:
        self.n += 1
        return self.n


def _when(stamp: str) -> str:
    try:
        return datetime.fromisoformat(stamp).strftime("%d %B %Y, %H:%M UTC")
    except ValueError:
        return stamp


def _group_noun(tally: Tally, group: str) -> str:
    nouns = {"holder": "Personal budget holders", "carer": "Carers"}
    return nouns.get(group.casefold(), tally.codebooks[group].name)


def _commenting(report: Report, tally: Tally, counter: _Counter) -> None:
    report.add(Heading("Respondents who commented"))
    rows, bold = [], set()
    for r in tally.summary.itertuples(index=False):
        rows.append([_group_noun(tally, r.group), r.question_label, f"{r.respondents:,}",
                     f"{r.commented:,}", format_pct(r.pct_commented), f"{r.to_do:,}"])
    report.add(Table(f"Table {counter.next()}. Respondents who commented on each question",
                     ["Group", "Question", "Respondents", "Commented", "% commented",
                      "Not coded yet"], rows, [False, False, True, True, True, True], bold))
    for r in tally.summary.drop_duplicates("group").itertuples(index=False):
        report.add(Paragraph(f"Non-answers ({_group_noun(tally, r.group).lower()}): "
                             f"{r.non_answer_rule}.", "note"))


def _figures(report: Report, tally: Tally, settings: ExportSettings) -> None:
    report.add(Heading("Themes in comments"))
    for group, codebook in tally.codebooks.items():
        report.add(Figure(settings.figure_title(group, codebook), group, tally, settings))


def _theme_tables(report: Report, tally: Tally, counter: _Counter) -> None:
    report.add(Heading("Theme tables"))
    report.add(Paragraph("Comments coded with each theme, as a % of the respondents who "
                         "commented on the question; an answer may mention several themes.",
                         "note"))
    for group, codebook in tally.codebooks.items():
        summary = tally.summary[tally.summary["group"] == group].set_index("question")
        counts = tally.group_counts(group)
        for question in group_questions(tally, group):
            commented = int(summary.loc[question, "commented"])
            labels = {e.id: e.label for e in tally.entries(group, question)}
            part = counts[counts["question"] == question].sort_values(
                ["comments"], ascending=False, kind="stable")
            rows = [[labels.get(r.theme_id, r.theme_name), f"{r.comments:,}",
                     format_pct(r.pct_of_commenters)]
                    for r in part.itertuples(index=False) if r.comments]
            na = int(summary.loc[question, "not_assigned"])
            rows.append([codebook.not_assigned.name, f"{na:,}", format_pct(pct(na, commented))])
            bold = {len(rows)}
            rows.append(["Respondents who commented", f"{commented:,}",
                         format_pct(summary.loc[question, "pct_commented"])])
            report.add(Table(f"Table {counter.next()}. {_group_noun(tally, group)}: "
                             f"{question_label(question).lower()}",
                             ["Theme", "Comments", "% of commenters"], rows,
                             [False, True, True], bold))


def _differences(report: Report, tally: Tally, column: str, alpha: float,
                 counter: _Counter) -> None:
    tests = tally.tests[column]
    table = tally.crosstabs[column]
    report.add(Heading(f"Differences by {column}"))
    chosen = significant_rows(tests, alpha)
    n_tests = int(tests["p_value"].notna().sum())
    intro = (f"Chi-square tests of each theme (mentioned or not among commenters) by {column}; "
             f"Yates' continuity correction where there are two levels; p (Holm) adjusts for "
             f"all {n_tests} tests. Listed: p (Holm) below {alpha:g}.")
    report.add(Paragraph(intro, "note"))
    if chosen.empty:
        report.add(Paragraph(f"No difference by {column} is significant after Holm's "
                             f"adjustment ({n_tests} tests).", "normal"))
        return
    rows = []
    for t in chosen.itertuples(index=False):
        levels = table[(table["group"] == t.group) & (table["question"] == t.question)
                       & (table["theme_id"] == t.theme_id)]
        shares = "; ".join(f"{lv.level} {format_pct(lv.pct_of_commenters)}"
                           for lv in levels.itertuples(index=False))
        rows.append([_group_noun(tally, t.group), t.question_label, t.theme_name, shares,
                     format_number(t.chi2), str(int(t.dof)), format_p(t.p_value),
                     format_p(t.p_holm)])
    report.add(Table(f"Table {counter.next()}. Significant differences by {column}",
                     ["Group", "Question", "Theme", f"% by {column}", "χ²", "df", "p",
                      "p (Holm)"], rows, [False, False, False, False, True, True, True, True]))


def _quotes(report: Report, tally: Tally, bank: QuoteBank) -> None:
    report.add(Heading("In respondents' own words"))
    report.add(Paragraph("Quotes chosen as typical of each theme (starred quotes first); "
                         "personal details are replaced by [name], [email], [phone], "
                         "[postcode], [address] or [date of birth].", "note"))
    frame = bank.frame()
    if frame.empty:
        report.add(Paragraph("No quotes: no answer is coded with a theme yet.", "normal"))
        return
    for (group, question), part in frame.groupby(["group", "question"], sort=False):
        report.add(Heading(f"{_group_noun(tally, str(group))}: "
                           f"{question_label(str(question)).lower()}", 2))
        for theme, rows in part.groupby("theme_name", sort=False):
            report.add(Heading(str(theme), 3))
            for row in rows.itertuples(index=False):
                report.add(Quote(str(row.quote), str(row.attribution), bool(row.starred)))


def _method(report: Report, tally: Tally, settings: ExportSettings) -> None:
    report.add(Heading("About these figures"))
    notes = [("Rounding", "percentages are rounded half up to one decimal place; p-values "
              "below 0.001 are shown as < 0.001, others to three significant digits")]
    notes += [(label, text) for label, text in metadata_lines(tally.metadata)
              if label not in ("Location",)]
    for label, text in notes:
        report.add(Paragraph(f"{label}: {text}", "note"))


def quotes_frame(report: Report) -> pd.DataFrame:
    """The report's quotes as a table (for checks)."""
    return pd.DataFrame([{"quote": b.text, "attribution": b.attribution}
                         for b in report.blocks if isinstance(b, Quote)])
