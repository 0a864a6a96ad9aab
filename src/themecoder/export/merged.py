"""The coded data merged back: one row per respondent, ready for SPSS, R or pandas.

Columns: ``respondent_id``, ``group``, the respondent's attribute columns as imported, the
three answer texts (``worked_well``, ``not_well``, ``change``), then one 0/1 column per
question × theme named ``<question>:<Theme name>`` and ``<question>:Not assigned``. Those names
are what ``themecoder import --theme-columns`` reads, so the file can be imported again.

A 0/1 cell is blank (missing) where there is nothing to code: the respondent made no comment
on that question, the answer is not coded yet, or the theme is not in the respondent group's
codebook. So the mean of a column is the share of coded comments with that theme.

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

from themecoder.codebook import QUESTIONS, slugify
from themecoder.export.data import ExportData, parse_attributes
from themecoder.export.tables import SafeSheet, write_csv
from themecoder.export.tally import Tally, metadata_lines, question_label
from themecoder.safe_cells import neutralise
from themecoder.store import Project

QUESTION_PREFIX = {"worked_well": "ww", "not_well": "nw", "change": "ch"}
"""Short prefixes of SPSS variable names per question."""

YES_NO = {0: "No", 1: "Yes"}
"""Value labels of the 0/1 theme columns."""

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
    questions = [q for q in QUESTIONS
                 if any(q in cb.questions for cb in tally.codebooks.values())]
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
    group_arr = respondents["group"].to_numpy(dtype=object)
    # theme columns: names from every codebook, in codebook order, merged by name
    short: dict[str, str] = {}
    theme_positions = pd.Index(data.themes["answer_id"].to_numpy(dtype=np.int64))
    answer_index = pd.Index(answers["id"].to_numpy(dtype=np.int64))
    theme_answer_pos = answer_index.get_indexer(theme_positions)
    theme_ids = data.themes["theme_id"].to_numpy(dtype=object)
    blocks: dict[str, np.ndarray] = {}
    for q in questions:
        names: dict[str, str] = {}  # casefold name -> display name
        stems: dict[str, str] = {}
        for codebook in tally.codebooks.values():
            for theme in codebook.themes_for(q):
                key = theme.name.casefold()
                if key not in names:
                    names[key] = theme.name
                    stems[key] = theme.id
        na_names = {cb.not_assigned.name.casefold(): cb.not_assigned.name
                    for cb in tally.codebooks.values()}
        col_of = {key: i for i, key in enumerate(names)}
        values = np.full((n, len(names)), np.nan)
        na_values = np.full(n, np.nan)
        in_q = (question_arr == q) & has_comment & (final_pos >= 0)
        for group, codebook in tally.codebooks.items():
            rows = resp_pos[in_q & (answers["group"].to_numpy(dtype=object) == group)]
            cols = [col_of[t.name.casefold()] for t in codebook.themes_for(q)]
            if len(rows) and cols:
                values[np.ix_(rows, cols)] = 0.0
        decided_rows = resp_pos[in_q]
        na_values[decided_rows] = final_na[final_pos[in_q]].astype(float)
        # the 1s: theme mentions on decided, commented answers to this question
        ok = theme_answer_pos >= 0
        ok[ok] = in_q[theme_answer_pos[ok]]
        mention_rows = resp_pos[theme_answer_pos[ok]]
        mention_groups = group_arr[mention_rows]
        mention_themes = theme_ids[ok]
        for group, codebook in tally.codebooks.items():
            id_to_col = {t.id: col_of[t.name.casefold()] for t in codebook.themes_for(q)}
            sel = mention_groups == group
            cols = pd.Series(mention_themes[sel]).map(id_to_col)
            known = cols.notna().to_numpy()
            values[mention_rows[sel][known], cols[known].to_numpy(dtype=np.int64)] = 1.0
        for key, i in col_of.items():
            name = f"{q}:{names[key]}"
            blocks[name] = values[:, i]
            short[name] = f"{QUESTION_PREFIX.get(q, q[:2])}_{stems[key]}"
        for na_name in dict.fromkeys(na_names.values()):
            name = f"{q}:{na_name}"
            blocks[name] = na_values
            short[name] = f"{QUESTION_PREFIX.get(q, q[:2])}_{slugify(na_name)}"
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
                 formats: list[str]) -> list[Path]:
    """Write ``coded_data.csv`` / ``.xlsx`` / ``.sav`` (those of ``formats``)."""
    frame, short = merged_frame(tally, data)
    theme_columns = [c for c in frame.columns if c in short]
    files: list[Path] = []
    if "csv" in formats:
        files.append(write_csv(frame, out_dir / "coded_data.csv"))
    if "xlsx" in formats:
        files.append(_write_xlsx(frame, tally, theme_columns, out_dir / "coded_data.xlsx"))
    if "sav" in formats:
        files.append(_write_sav(frame, tally, short, theme_columns, out_dir / "coded_data.sav"))
    return files


def _labels(frame: pd.DataFrame, theme_columns: list[str]) -> dict[str, str]:
    labels: dict[str, str] = {}
    for column in frame.columns:
        if column in theme_columns:
            q, _, name = column.partition(":")
            labels[column] = f"{question_label(q)} — {name}"
        elif column in QUESTION_PREFIX:
            labels[column] = question_label(column)
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
        for c, column in enumerate(columns):
            width = 40 if column in QUESTION_PREFIX else (10 if column in theme_columns
                                                          else widths[min(c, len(widths) - 1)])
            ws.set_column(c, c, width)
        ws.freeze_panes(1, 1)
        labels = _labels(frame, theme_columns)
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
    labels = _labels(frame, theme_columns)
    out = pd.DataFrame(index=frame.index)
    for column in frame.columns:
        if column in theme_columns:
            out[names[column]] = frame[column].astype("float64")
        else:
            out[names[column]] = frame[column].astype(str).map(_spss_text)
    meta = tally.metadata
    file_label = f"themecoder export of {meta.get('project', '')} {meta.get('created_at', '')}"
    # SPSS document lines hold at most 80 characters
    note = [line for label, text in metadata_lines(meta)
            for line in textwrap.wrap(f"{label}: {text}", 80)]
    pyreadstat.write_sav(
        out, str(path), file_label=file_label[:64],
        column_labels={names[c]: labels[c] for c in frame.columns},
        note=note,
        variable_value_labels={names[c]: dict(YES_NO) for c in theme_columns},
        variable_measure={**{names[c]: "nominal" for c in frame.columns}},
    )
    return path


def _spss_text(value: Any) -> str:
    # SPSS is not a spreadsheet, but the file is often opened next to one; keep text inert.
    return neutralise(value) if isinstance(value, str) else ""
