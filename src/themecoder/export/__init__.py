"""Exports of a project's coding: tallies, tables, charts and the coded data merged back.

:func:`export_project` writes, into one folder:

* ``theme_counts.csv`` (tidy: one row per group × question × theme), ``summary.csv``
  (per group × question: respondents, % commented, coded, not assigned, to do) and, for each
  ``by`` attribute, ``crosstab_<attr>.csv`` and ``chi_square_<attr>.csv``;
* ``theme_counts.xlsx``: a summary sheet, a sheet per respondent group with a native Excel
  bar chart per question, crosstab sheets and a metadata sheet;
* ``theme_counts.md``: the report's tables in Markdown;
* ``chart_<group>.png`` / ``.svg``: Figure 12/20-style grouped bar charts;
* ``coded_data.csv`` / ``.xlsx`` / ``.sav``: one row per respondent with 0/1 columns per
  question × theme;
* ``metadata.json``: project, location, codebooks, coders, decision rule, time, completeness.

The modules: :mod:`.data` (fast reads and the decision rule), :mod:`.tally` (counts and
tests), :mod:`.tables` (CSV, Markdown, XLSX), :mod:`.charts` (matplotlib, imported only
when charts are asked for) and :mod:`.merged` (coded data merged back).
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
from themecoder.store import Project

FORMATS = ("csv", "xlsx", "md", "png", "svg", "sav")
"""Output formats; ``all`` means every one of them."""


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
                   prefer_coder: str | None = None) -> ExportResult:
    """Write a project's tallies, tables, charts and merged data into ``out_dir``.

    Args:
        project: an open :class:`Project`, or its location (opened and closed here).
        out_dir: the folder to write into (created if needed).
        formats: any of ``csv, xlsx, md, png, svg, sav`` or ``all``.
        by: respondent attributes to break the counts down by (crosstabs + chi-square tests).
        prefer_coder: whose decision counts when an answer has no adjudicated decision
            (otherwise the most recent decision counts).

    Returns:
        The files written, whether coding is unfinished, and the summary.

    Raises:
        ExportError: unknown format or attribute, or a folder that cannot be written.
    """
    if not isinstance(project, Project):
        with Project.open(project) as opened:
            return export_project(opened, out_dir, formats=formats, by=by,
                                  prefer_coder=prefer_coder)
    from themecoder.export import tables
    from themecoder.export.data import load_export_data
    from themecoder.export.tally import tally as make_tally

    wanted = normalise_formats(formats)
    by = list(dict.fromkeys(by))
    out = Path(out_dir)
    merged_formats = [f for f in ("csv", "xlsx", "sav") if f in wanted]
    data = load_export_data(project, prefer_coder=prefer_coder, with_text=bool(merged_formats))
    result_tally = make_tally(project, by=by, prefer_coder=prefer_coder, data=data)
    _prepare_dir(out)
    result_tally.metadata["formats"] = wanted
    files: list[Path] = []
    if "csv" in wanted:
        files += tables.write_csv_tables(result_tally, out)
    if "xlsx" in wanted:
        files.append(tables.write_xlsx(result_tally, out))
    if "md" in wanted:
        files.append(tables.write_markdown(result_tally, out))
    chart_formats = [f for f in ("png", "svg") if f in wanted]
    if chart_formats:
        from themecoder.export import charts

        files += charts.write_charts(result_tally, out, chart_formats)
    if merged_formats:
        from themecoder.export import merged

        files += merged.write_merged(project, result_tally, data, out, merged_formats)
    metadata = dict(result_tally.metadata)
    metadata["files"] = [p.name for p in files] + ["metadata.json"]
    meta_path = out / "metadata.json"
    meta_path.write_text(json.dumps(metadata, indent=2, ensure_ascii=False,
                                    default=_json_ready) + "\n", encoding="utf-8")
    files.append(meta_path)
    return ExportResult(files=files, unfinished=result_tally.unfinished,
                        summary=result_tally.summary, metadata=metadata,
                        warning=result_tally.unfinished_note())


__all__ = ["FORMATS", "ExportResult", "export_project", "normalise_formats"]
