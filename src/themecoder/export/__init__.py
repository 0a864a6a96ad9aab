"""Exports of a project's coding: tallies, tables, charts and the coded data merged back.

:func:`export_project` writes, into one folder:

* ``theme_counts.csv`` (tidy: one row per group × question × theme), ``summary.csv``
  (per group × question: respondents, % commented, coded, not assigned, to do, non-answers
  and the rule used), ``codebook_changes.csv`` (themes of earlier codebook versions still
  mentioned) and, for each ``by`` attribute, ``crosstab_<attr>.csv`` and
  ``chi_square_<attr>.csv`` (with the correction used and Holm-adjusted p-values);
* ``theme_counts.xlsx``: a workbook that prints (see :mod:`.workbook`), with the quote bank;
* ``theme_counts.md``: the report's tables in Markdown;
* ``chart_<group>.png`` (300 dpi) / ``.svg``: Figures 12 and 20 as the report prints them;
* ``coded_data.csv`` / ``.xlsx`` / ``.sav``: one row per respondent with 0/1 columns per
  question × theme;
* ``export_settings.yaml``: the settings block used (titles, quotes), to edit and reuse;
* ``metadata.json``: project, location, codebooks, coders, decision rule, time, completeness.

An export is put in place whole (:mod:`.publish`): written into a hidden folder, then moved
in, replacing the earlier export in that folder (the files its ``metadata.json`` lists) and
nothing else, so a killed export leaves the earlier one intact. Text longer than a format
holds (an XLSX cell, an SPSS string) is cut to fit and the export warns with counts
(:mod:`.limits`); CSV and Markdown keep every text whole.

The modules: :mod:`.data` (fast reads and the decision rule), :mod:`.tally` (counts),
:mod:`.versions` (codebook versions), :mod:`.crosstab` (tests), :mod:`.numbers` (the one
rounding rule), :mod:`.tables` (CSV, Markdown), :mod:`.workbook` (XLSX), :mod:`.charts`
(matplotlib, imported only when figures are asked for), :mod:`.merged` (coded data merged
back) and :mod:`.settings` (the editable settings block).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from themecoder.errors import ExportError
from themecoder.export import limits, publish
from themecoder.export.settings import ExportSettings, project_settings
from themecoder.store import Project

FORMATS = ("csv", "xlsx", "md", "png", "svg", "sav")
"""Output formats; ``all`` means every one of them."""

CSV_USES = ("data", "spreadsheet")
"""What CSV files are for: data (text exact) or a spreadsheet (formula-like text neutralised)."""


@dataclass
class ExportResult:
    """What an export wrote.

    Attributes:
        files: every file written, in the order written (``metadata.json`` last).
        unfinished: some commented answers were not coded yet.
        summary: per group × question counts (respondents, commented, coded, ...).
        metadata: what ``metadata.json`` records.
    """

    files: list[Path] = field(default_factory=list)
    unfinished: bool = False
    summary: pd.DataFrame = field(default_factory=pd.DataFrame)
    metadata: dict[str, Any] = field(default_factory=dict)
    warning: str = ""
    warnings: list[str] = field(default_factory=list)


def normalise_formats(formats: Iterable[str] | str) -> list[str]:
    """The formats asked for, with ``all`` expanded, in a fixed order.

    Raises:
        ExportError: an unknown format.
    """
    if isinstance(formats, str):
        formats = [formats]
    wanted: set[str] = set()
    for item in formats:
        for part in str(item).split(","):
            name = part.strip().casefold()
            if not name:
                continue
            if name == "all":
                wanted.update(FORMATS)
            elif name in FORMATS:
                wanted.add(name)
            else:
                raise ExportError(f"unknown format '{part.strip()}' "
                                  f"(choose from: {', '.join(FORMATS)}, all)", field="format")
    return [f for f in FORMATS if f in wanted] or list(FORMATS)


def _prepare_dir(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise ExportError("is not a folder", file=out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        probe = out_dir / f".themecoder-write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise ExportError(f"cannot write to this folder ({exc.strerror or exc})",
                          file=out_dir) from None


def _json_ready(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        return value.item()
    return value


def export_project(project: Project | str | os.PathLike[str], out_dir: str | os.PathLike[str],
                   *, formats: Iterable[str] | str = ("all",), by: Iterable[str] = (),
                   prefer_coder: str | None = None, non_answers: str | None = None,
                   settings: ExportSettings | str | os.PathLike[str] | None = None,
                   csv_for: str = "data", quotes: bool = True,
                   by_source: bool = False) -> ExportResult:
    """Write a project's tallies, tables, charts and merged data into ``out_dir``.

    Args:
        project: an open :class:`Project`, or its location (opened and closed here).
        out_dir: the folder to write into (created if needed).
        formats: any of ``csv, xlsx, md, png, svg, sav`` or ``all``.
        by: respondent attributes to break the counts down by (crosstabs + chi-square tests).
        prefer_coder: whose decision counts when an answer has no adjudicated decision
            (otherwise the most recent decision counts); must be a coder of the project.
        non_answers: ``comment`` / ``no-comment``: how answers matching the codebook's
            non-answer phrases count (default: the settings' rule, else each codebook's).
        settings: the export settings, or a settings file (default: the project's stored
            block, else the defaults).
        csv_for: ``data`` (CSV text exactly as imported) or ``spreadsheet`` (formula-like
            text neutralised).
        quotes: add the quote bank as a sheet of the workbook.
        by_source: also split the counts into people's and the model's automatic coding.

    Returns:
        The files written, whether coding is unfinished, and the summary.

    Raises:
        ExportError: unknown format, attribute, coder or rule, or a folder that cannot be
            written.
    """
    if not isinstance(project, Project):
        with Project.open(project) as opened:
            return export_project(opened, out_dir, formats=formats, by=by,
                                  prefer_coder=prefer_coder, non_answers=non_answers,
                                  settings=settings, csv_for=csv_for, quotes=quotes,
                                  by_source=by_source)
    from themecoder.export.data import load_export_data
    from themecoder.export.tally import tally as make_tally

    if csv_for not in CSV_USES:
        raise ExportError(f"unknown CSV use '{csv_for}' (choose from: {', '.join(CSV_USES)})",
                          field="csv-for")
    wanted = normalise_formats(formats)
    by = list(dict.fromkeys(by))
    out = Path(out_dir)
    if not isinstance(settings, ExportSettings):
        settings = project_settings(project, settings)
    merged_formats = [f for f in ("csv", "xlsx", "sav") if f in wanted]
    with_quotes = quotes and "xlsx" in wanted
    data = load_export_data(project, prefer_coder=prefer_coder,
                            with_text=bool(merged_formats) or with_quotes,
                            with_attributes=True)
    result_tally = make_tally(project, by=by, prefer_coder=prefer_coder, data=data,
                              non_answers=non_answers or settings.non_answers,
                              by_source=by_source)
    bank = None
    if with_quotes:
        from themecoder.quotes import select_quotes

        bank = select_quotes(project, result_tally, data, settings)
    _prepare_dir(out)
    result_tally.metadata["formats"] = wanted
    with publish.staging(out) as folder, limits.counting() as cuts:
        written = _write_all(project, result_tally, data, folder, wanted, settings, bank,
                             csv_for, cuts)
        cut_warnings = cuts.warnings("coded_data.csv" if "csv" in wanted else None)
        metadata = dict(result_tally.metadata)
        if cut_warnings:
            metadata["warnings"] = [*metadata.get("warnings", []), *cut_warnings]
        names = [p.name for p in written] + [publish.MANIFEST]
        metadata["files"] = names
        (folder / publish.MANIFEST).write_text(json.dumps(
            metadata, indent=2, ensure_ascii=False, default=_json_ready) + "\n",
            encoding="utf-8")
        files = publish.publish(folder, out, names)
    return ExportResult(files=files, unfinished=result_tally.unfinished,
                        summary=result_tally.summary, metadata=metadata,
                        warning=result_tally.unfinished_note(),
                        warnings=result_tally.warnings() + cut_warnings)


def _write_all(project: Project, result_tally: Any, data: Any, out: Path, wanted: list[str],
               settings: ExportSettings, bank: Any, csv_for: str, cuts: limits.Cuts
               ) -> list[Path]:
    """Write every file asked for into ``out``; returns them in the order written."""
    from themecoder.export import tables

    files: list[Path] = []
    if "csv" in wanted:
        files += tables.write_csv_tables(result_tally, out,
                                         for_spreadsheet=csv_for == "spreadsheet")
    if "xlsx" in wanted:
        from themecoder.export.workbook import write_xlsx

        with cuts.writing("theme_counts.xlsx"):
            files.append(write_xlsx(result_tally, out, settings,
                                    bank.frame() if bank is not None else None))
    if "md" in wanted:
        files.append(tables.write_markdown(result_tally, out))
    chart_formats = [f for f in ("png", "svg") if f in wanted]
    if chart_formats:
        from themecoder.export import charts

        written = charts.write_charts(result_tally, out, chart_formats, settings)
        files += written
        result_tally.metadata["figures"] = charts.figure_provenance(result_tally, settings,
                                                                    written)
    merged_formats = [f for f in ("csv", "xlsx", "sav") if f in wanted]
    if merged_formats:
        from themecoder.export import merged

        files += merged.write_merged(project, result_tally, data, out, merged_formats,
                                     csv_for=csv_for, cuts=cuts)
    settings_path = out / "export_settings.yaml"
    settings_path.write_text(settings.to_yaml(), encoding="utf-8")
    files.append(settings_path)
    return files


__all__ = ["FORMATS", "ExportResult", "export_project", "normalise_formats"]
