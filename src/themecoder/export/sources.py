"""Who coded what: theme counts split into people's coding and the model's automatic coding.

When part of a survey was coded automatically (``themecoder autocode``), a reader needs to
know how much, at what accuracy, and whether the counts look different for the two parts.
:func:`counts_by_source` gives the tidy counts per source; :func:`autocode_metadata` the
facts every export states (share auto-coded, target, audited accuracy and its interval).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from themecoder.export.data import ExportData
    from themecoder.export.tally import Tally
    from themecoder.store import Project

SOURCE_COLUMNS = ["group", "question", "question_label", "theme_id", "theme_name", "source",
                  "comments", "decided", "pct_of_decided"]
"""Columns of the counts by source (one row per group × question × theme × source)."""

SOURCES = ("people", "auto")
"""``people``: the decision that counts was made by a person; ``auto``: by the model alone."""


def auto_coded_mask(data: ExportData) -> np.ndarray:
    """Per answer of the export data, whether the decision that counts is automatic."""
    final = data.final
    answers = data.answers
    if not len(final):
        return np.zeros(len(answers), dtype=bool)
    pos = pd.Index(final["answer_id"].to_numpy(dtype=np.int64)).get_indexer(
        answers["id"].to_numpy(dtype=np.int64))
    auto = (final["source"] == "auto").to_numpy(dtype=bool)
    out = np.zeros(len(answers), dtype=bool)
    out[pos >= 0] = auto[pos[pos >= 0]]
    return out


def mention_arrays(tally: Tally) -> tuple[np.ndarray, np.ndarray]:
    """The tally's counted mentions as (answer positions, theme ids) arrays."""
    mentions = tally.mentions
    if not len(mentions):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=object)
    return (mentions["answer_pos"].to_numpy(dtype=np.int64),
            mentions["theme_id"].to_numpy(dtype=object))


def counts_by_source(tally: Tally, data: ExportData) -> pd.DataFrame:
    """Comments per theme, split by who coded them (:data:`SOURCE_COLUMNS`).

    ``decided`` is the number of counted comments of that group × question decided by that
    source (themes or Not assigned), the denominator of ``pct_of_decided``; the codebook's
    Not assigned appears as a row of its own.
    """
    from themecoder.export.numbers import pct
    from themecoder.export.tally import question_label

    answers = data.answers
    final = data.final
    auto = auto_coded_mask(data)
    decided = np.zeros(len(answers), dtype=bool)
    not_assigned = np.zeros(len(answers), dtype=bool)
    if len(final):
        pos = pd.Index(final["answer_id"].to_numpy(dtype=np.int64)).get_indexer(
            answers["id"].to_numpy(dtype=np.int64))
        decided = pos >= 0
        na = final["not_assigned"].to_numpy(dtype=bool)
        not_assigned[decided] = na[pos[decided]]
    counted = tally.commented if len(tally.commented) == len(answers) else \
        answers["has_comment"].to_numpy(dtype=bool)
    groups = answers["group"].to_numpy(dtype=object)
    questions = answers["question"].to_numpy(dtype=object)
    m_pos, m_theme = mention_arrays(tally)
    rows: list[dict[str, Any]] = []
    for group, codebook in tally.codebooks.items():
        for question in dict.fromkeys(tally.counts.loc[tally.counts["group"] == group,
                                                       "question"]):
            cell = counted & decided & (groups == group) & (questions == question)
            for source, mask in (("people", cell & ~auto), ("auto", cell & auto)):
                n = int(mask.sum())
                in_cell = mask[m_pos] if len(m_pos) else np.zeros(0, dtype=bool)
                entries = [(e.id, e.label) for e in tally.entries(group, question)]
                entries.append((codebook.not_assigned.id, codebook.not_assigned.name))
                for theme_id, name in entries:
                    if theme_id == codebook.not_assigned.id:
                        comments = int((mask & not_assigned).sum())
                    else:
                        comments = int((in_cell & (m_theme == theme_id)).sum())
                    rows.append({"group": group, "question": question,
                                 "question_label": question_label(question),
                                 "theme_id": theme_id, "theme_name": name, "source": source,
                                 "comments": comments, "decided": n,
                                 "pct_of_decided": pct(comments, n)})
    return pd.DataFrame(rows, columns=SOURCE_COLUMNS)


def autocode_metadata(project: Project) -> dict[str, Any] | None:
    """What every export states about automatic coding (``None`` when there was none)."""
    from themecoder.autocode_audit import autocode_summary, describe_summary

    summary = autocode_summary(project)
    if summary is None:
        return None
    return {**summary, "text": describe_summary(summary)}


__all__ = ["SOURCES", "SOURCE_COLUMNS", "auto_coded_mask", "autocode_metadata",
           "counts_by_source", "mention_arrays"]
