"""The coded data merged back: one row per respondent, ready for SPSS, R or pandas.

Columns: ``respondent_id``, ``group``, the respondent's attribute columns as imported, the
three answer texts (``worked_well``, ``not_well``, ``change``), then one 0/1 column per
question × theme named ``<question>:<Theme name>`` and ``<question>:Not assigned``. Those names
are what ``themecoder import --theme-columns`` reads, so the file can be imported again. A
theme name two groups' codebooks share (holders' and carers' "Support", defined differently)
gets one column per group, ``<question>:Support [holder]``. Themes of earlier codebook versions
that still have mentions get their own columns, named with what happened to them
(``not_well:Staff (dropped in v1.1)``), so an answer coded only with them is not all zeros.

The answer texts are written exactly as imported in the CSV and ``.sav`` files (data for R,
pandas and SPSS); the XLSX neutralises text a spreadsheet would run as a formula.

A 0/1 cell is blank (missing) where there is nothing to code: the respondent made no comment
on that question, the answer is not coded yet, or the theme is not in the respondent group's
codebook. So the mean of a column is the share of coded comments with that theme.

When part of the survey was coded automatically (``themecoder autocode``), each question also
gets a ``<question>:auto-coded`` column: 1 where the model coded the answer alone, 0 where
people did, blank where nothing was coded.

The SPSS file uses short valid variable names (``ww_staff``, ``nw_not_assigned``...) with the
full column name as the variable label and value labels ``{0: "No", 1: "Yes"}``.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from themecoder.codebook import slugify
from themecoder.export import limits
from themecoder.export.data import ExportData, parse_attributes
from themecoder.export.sources import auto_coded_mask, mention_arrays
from themecoder.export.tables import write_csv
from themecoder.export.tally import Tally, metadata_lines, question_label
from themecoder.export.workbook import SafeSheet
from themecoder.questions import ordered
from themecoder.store import Project

QUESTION_PREFIX = {"worked_well": "ww", "not_well": "nw", "change": "ch"}
"""Short prefixes of SPSS variable names per question."""

YES_NO = {0: "No", 1: "Yes"}
"""Value labels of the 0/1 theme columns."""

AUTO_CODED = "auto-coded"
"""Name (after ``<question>:``) of the column saying the model coded the answer alone."""

_SPSS_RESERVED = {"ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO",
                  "WITH"}
_SPSS_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")


def merged_frame(tally: Tally, data: ExportData) -> tuple[pd.DataFrame, dict[str, str]]:
    """The merged table and, per theme column, a suggested short SPSS name.

    Args:
        tally: the tally (its codebooks name the theme columns).
        data: frames read with ``with_text=True``.

    Returns:
        ``(frame, short_names)`` where ``short_names`` maps each ``question:Theme`` column
        to a short name stem such as ``ww_staff``.
    """
    respondents = data.respondents
    answers = data.answers
    attributes = parse_attributes(respondents)
    n = len(respondents)
    questions = text_columns(tally)
    frame = pd.DataFrame({"respondent_id": respondents["respondent_key"].to_numpy(dtype=object),
                          "group": respondents["group"].to_numpy(dtype=object)})
    reserved = {"respondent_id", "group", *questions}
    for column in attributes.columns:
        name = column if column not in reserved and ":" not in column else f"{column} (attribute)"
        frame[name] = attributes[column].to_numpy(dtype=object)
    resp_pos = respondents.index.get_indexer(answers["respondent_id"].to_numpy(dtype=np.int64))
    has_comment = answers["has_comment"].to_numpy(dtype=bool)
    final = data.final
    final_pos = (pd.Index(final["answer_id"].to_numpy(dtype=np.int64)).get_indexer(
        answers["id"].to_numpy(dtype=np.int64)) if len(final)
        else np.full(len(answers), -1))
    final_na = final["not_assigned"].to_numpy(dtype=bool) if len(final) else np.zeros(0, bool)
    texts = answers["text"].to_numpy(dtype=object) if "text" in answers else \
        np.full(len(answers), "", dtype=object)
    question_arr = answers["question"].to_numpy(dtype=object)
    for q in questions:
        column = np.full(n, "", dtype=object)
        mask = question_arr == q
        column[resp_pos[mask]] = texts[mask]
        frame[q] = column
    # theme columns: per group's themes (old ones included); a name two groups share gets
    # one column per group, since the definitions differ
    short: dict[str, str] = {}
    blocks: dict[str, np.ndarray] = {}
    answer_group = answers["group"].to_numpy(dtype=object)
    m_pos, m_theme = mention_arrays(tally)
    counted = tally.commented if len(tally.commented) == len(answers) else has_comment
    auto = auto_coded_mask(data)
    if not auto.any():
        auto = None  # nothing was coded automatically: no column for it
    for q in questions:
        in_q = (question_arr == q) & counted & (final_pos >= 0)
        m_in_q = in_q[m_pos] if len(m_pos) else np.zeros(0, dtype=bool)
        users: dict[str, set[str]] = {}
        for group in tally.codebooks:
            for entry in tally.entries(group, q):
                users.setdefault(entry.label.casefold(), set()).add(group)
        for group in tally.codebooks:
            rows = resp_pos[in_q & (answer_group == group)]
            sel = m_in_q & (answer_group[m_pos] == group) if len(m_pos) else m_in_q
            for entry in tally.entries(group, q):
                shared = len(users[entry.label.casefold()]) > 1
                name = f"{q}:{entry.label}" + (f" [{group}]" if shared else "")
                values = np.full(n, np.nan)
                values[rows] = 0.0
                values[resp_pos[m_pos[sel & (m_theme == entry.id)]]] = 1.0
                blocks[name] = values
                short[name] = f"{QUESTION_PREFIX.get(q, q[:2])}_{entry.id}" + \
                    (f"_{slugify(group)}" if shared else "")
        na_values = np.full(n, np.nan)
        na_values[resp_pos[in_q]] = final_na[final_pos[in_q]].astype(float)
        for na_name in dict.fromkeys(cb.not_assigned.name for cb in tally.codebooks.values()):
            name = f"{q}:{na_name}"
            blocks[name] = na_values
            short[name] = f"{QUESTION_PREFIX.get(q, q[:2])}_{slugify(na_name)}"
        if auto is not None:
            # 1 where the model coded the answer alone (themecoder autocode), 0 where people did
            values = np.full(n, np.nan)
            values[resp_pos[in_q]] = auto[in_q].astype(float)
            blocks[f"{q}:{AUTO_CODED}"] = values
            short[f"{q}:{AUTO_CODED}"] = f"{QUESTION_PREFIX.get(q, q[:2])}_auto_coded"
    frame = pd.concat([frame, pd.DataFrame(blocks, index=frame.index)], axis=1)
    for name in blocks:
        frame[name] = frame[name].astype("Int64")
    return frame, short


def spss_names(columns: list[str], short: dict[str, str]) -> dict[str, str]:
    """Valid, unique SPSS variable names (≤ 64 characters, a letter first, no spaces/colons)."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for column in columns:
        stem = short.get(column) or re.sub(r"[^A-Za-z0-9_]+", "_", column).strip("_")
        if not stem or not stem[0].isalpha():
            stem = f"v_{stem}"
        if stem.upper() in _SPSS_RESERVED:
            stem = f"{stem}_"
        stem = stem[:64]
        name, n = stem, 2
        while name.casefold() in taken:
            suffix = f"_{n}"
            name = stem[:64 - len(suffix)] + suffix
            n += 1
        assert _SPSS_NAME.match(name), name
        taken.add(name.casefold())
        out[column] = name
    return out


def write_merged(project: Project, tally: Tally, data: ExportData, out_dir: Path,
                 formats: list[str], *, csv_for: str = "data",
                 cuts: limits.Cuts | None = None) -> list[Path]:
    """Write ``coded_data.csv`` / ``.xlsx`` / ``.sav`` (those of ``formats``).

    ``csv_for="spreadsheet"`` neutralises formula-like text in the CSV too. Text longer than
    an XLSX cell or an SPSS string holds is cut to fit and counted in ``cuts``; the CSV
    keeps every text whole.
    """
    cuts = cuts or limits.Cuts()
    frame, short = merged_frame(tally, data)
    theme_columns = [c for c in frame.columns if c in short]
    files: list[Path] = []
    if "csv" in formats:
        files.append(write_csv(frame, out_dir / "coded_data.csv",
                               for_spreadsheet=csv_for == "spreadsheet"))
    if "xlsx" in formats:
        with cuts.writing("coded_data.xlsx"):
            files.append(_write_xlsx(frame, tally, theme_columns,
                                     out_dir / "coded_data.xlsx"))
    if "sav" in formats:
        with cuts.writing("coded_data.sav"):
            files.append(_write_sav(frame, tally, short, theme_columns,
                                    out_dir / "coded_data.sav"))
    return files


def text_columns(tally: Tally) -> list[str]:
    """The answer-text columns: every question of the codebooks, POET ones first."""
    return ordered(q for cb in tally.codebooks.values() for q in cb.questions)


def _labels(frame: pd.DataFrame, theme_columns: list[str], tally: Tally) -> dict[str, str]:
    labels: dict[str, str] = {}
    codebooks = list(tally.codebooks.values())
    texts = set(text_columns(tally))
    for column in frame.columns:
        if column in theme_columns:
            q, _, name = column.partition(":")
            labels[column] = f"{question_label(q, codebooks)} — {name}"
        elif column in texts:
            labels[column] = question_label(column, codebooks)
        elif column == "respondent_id":
            labels[column] = "Respondent id"
        elif column == "group":
            labels[column] = "Respondent group"
        else:
            labels[column] = column
    return labels


def _write_xlsx(frame: pd.DataFrame, tally: Tally, theme_columns: list[str],
                path: Path) -> Path:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False,
                                               "strings_to_urls": False,
                                               "constant_memory": True})
    try:
        head = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top",
                                    "bottom": 1, "bg_color": "#E7E6E6"})
        ws = workbook.add_worksheet("Coded data")
        sheet = SafeSheet(ws)
        sheet.row(0, list(frame.columns), head)
        columns = list(frame.columns)
        for r, values in enumerate(frame.itertuples(index=False, name=None), start=1):
            for c, value in enumerate(values):
                if value is pd.NA:
                    continue
                sheet.cell(r, c, value)
        widths = [14, 10] + [12] * len(columns)
        texts = set(text_columns(tally))
        for c, column in enumerate(columns):
            width = 40 if column in texts else (10 if column in theme_columns
                                                          else widths[min(c, len(widths) - 1)])
            ws.set_column(c, c, width)
        ws.freeze_panes(1, 1)
        labels = _labels(frame, theme_columns, tally)
        lab = workbook.add_worksheet("Variables")
        lab_sheet = SafeSheet(lab)
        lab_sheet.row(0, ["Column", "Label", "Values"], head)
        for r, column in enumerate(columns, start=1):
            lab_sheet.row(r, [column, labels[column],
                              "0 = No, 1 = Yes, blank = nothing to code"
                              if column in theme_columns else ""])
        lab.set_column(0, 1, 45)
        lab.set_column(2, 2, 40)
        meta = workbook.add_worksheet("Metadata")
        meta_sheet = SafeSheet(meta)
        for r, (label, text) in enumerate(metadata_lines(tally.metadata)):
            meta_sheet.row(r, [label, text])
        meta.set_column(0, 0, 18)
        meta.set_column(1, 1, 100)
    finally:
        workbook.close()
    return path


def _write_sav(frame: pd.DataFrame, tally: Tally, short: dict[str, str],
               theme_columns: list[str], path: Path) -> Path:
    import pyreadstat

    names = spss_names(list(frame.columns), short)
    labels = _labels(frame, theme_columns, tally)
    out = pd.DataFrame(index=frame.index)
    for column in frame.columns:
        if column in theme_columns:
            out[names[column]] = frame[column].astype("float64")
        else:
            out[names[column]] = frame[column].astype(str).map(_spss_text)
    meta = tally.metadata
    file_label = spss_file_label(str(meta.get("project", "")), str(meta.get("created_at", "")))
    note = [line for label, text in metadata_lines(meta)
            for line in _document_lines(f"{label}: {text}")]
    pyreadstat.write_sav(
        out, str(path), file_label=file_label[:64],
        column_labels={names[c]: labels[c] for c in frame.columns},
        note=note,
        variable_value_labels={names[c]: dict(YES_NO) for c in theme_columns},
        variable_format={names[c]: "F1.0" for c in theme_columns},
        variable_measure={**{names[c]: "nominal" for c in frame.columns}},
    )
    return path


def _document_lines(text: str, limit: int = 80) -> list[str]:
    """``text`` wrapped into SPSS document lines, each at most ``limit`` bytes in UTF-8 (a
    dash or an accented letter takes more than one)."""
    width = limit
    while True:
        lines = textwrap.wrap(text, width, break_long_words=True)
        if all(len(line.encode("utf-8")) <= limit for line in lines) or width <= limit // 4:
            return [line.encode("utf-8")[:limit].decode("utf-8", "ignore") for line in lines]
        width -= 4


def _spss_text(value: Any) -> str:
    # SPSS is not a spreadsheet: the text is kept exactly as imported, up to what it holds
    return limits.fit_spss(value) if isinstance(value, str) else ""


SPSS_LABEL_LIMIT = 64
"""SPSS keeps at most 64 characters of a file label."""


def spss_file_label(project: str, created_at: str) -> str:
    """``"themecoder 2026-11-23 21:51 UTC: POET 2026"``: the time whole, the name shortened."""
    stamp = created_at.replace("T", " ")[:16]
    stamp = f"{stamp} UTC" if created_at.endswith(("+00:00", "Z")) else stamp
    head = f"themecoder {stamp}: "
    room = SPSS_LABEL_LIMIT - len(head)
    name = project if len(project) <= room else project[:room - 1] + "…"
    return (head + name).rstrip(": ").strip()
