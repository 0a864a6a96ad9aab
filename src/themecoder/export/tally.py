"""Tallies: comments per theme per question per respondent group, and breakdowns by attribute.

For each respondent group and question (what worked well, what did not work well, what would
you change) and each theme of the group's codebook: the number of comments coded with the
theme, the share of commenting respondents (the denominator is the group's respondents who
commented on that question), and the theme's rank. An answer coded with several themes counts
once for each; an empty answer is "no comment" (the respondent counts, but not as commenting).

With ``by`` columns, the same counts are broken down by a respondent attribute and each theme
gets a chi-square test of independence (theme yes/no among commenters × attribute level).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from themecoder import __version__
from themecoder.codebook import QUESTION_LABELS, QUESTIONS, Codebook
from themecoder.errors import ExportError
from themecoder.export.data import ExportData, decision_rule, load_export_data, parse_attributes
from themecoder.store import Project

COUNT_COLUMNS = ["group", "question", "question_label", "theme_id", "theme_name", "comments",
                 "pct_of_commenters", "rank", "commenters", "respondents"]
"""Columns of the tidy theme counts (one row per group × question × theme)."""

SUMMARY_COLUMNS = ["group", "codebook_id", "codebook_version", "question", "question_label",
                   "respondents", "commented", "pct_commented", "coded", "not_assigned", "to_do",
                   "theme_mentions", "commented_text"]
"""Columns of the summary (one row per group × question)."""

CROSSTAB_COLUMNS = ["group", "question", "question_label", "attribute", "level", "theme_id",
                    "theme_name", "comments", "commenters", "pct_of_commenters"]
"""Columns of a crosstab (one row per group × question × theme × attribute level)."""

TEST_COLUMNS = ["group", "question", "question_label", "attribute", "theme_id", "theme_name",
                "levels", "commenters", "comments", "chi2", "dof", "p_value", "min_expected",
                "cells_expected_below_5", "note"]
"""Columns of the chi-square tests (one row per group × question × theme)."""

BLANK_LEVEL = "(blank)"
"""The level shown for respondents with no value for an attribute (left out of the tests)."""

SMALL_EXPECTED = 5.0
"""Expected cell counts below this make a chi-square test unreliable."""


@dataclass
class Tally:
    """Everything an export writes, as frames, with its metadata.

    Attributes:
        counts: tidy theme counts (:data:`COUNT_COLUMNS`).
        summary: per group × question (:data:`SUMMARY_COLUMNS`).
        crosstabs: per ``by`` attribute, counts by level (:data:`CROSSTAB_COLUMNS`).
        tests: per ``by`` attribute, chi-square tests (:data:`TEST_COLUMNS`).
        codebooks: the codebook of each respondent group, in export order.
        metadata: project, location, codebooks, coders, decision rule, time, completeness.
    """

    counts: pd.DataFrame
    summary: pd.DataFrame
    crosstabs: dict[str, pd.DataFrame] = field(default_factory=dict)
    tests: dict[str, pd.DataFrame] = field(default_factory=dict)
    codebooks: dict[str, Codebook] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def unfinished(self) -> bool:
        """Whether some commented answers have no decision yet."""
        return bool(self.to_do)

    @property
    def to_do(self) -> int:
        """Commented answers still without a decision."""
        return int(self.summary["to_do"].sum()) if len(self.summary) else 0

    @property
    def groups(self) -> list[str]:
        """Respondent groups in export order."""
        return list(self.codebooks)

    def group_counts(self, group: str) -> pd.DataFrame:
        """The tidy counts of one group."""
        return self.counts[self.counts["group"] == group]

    def unfinished_note(self) -> str:
        """A sentence saying the export is unfinished (empty when it is complete)."""
        if not self.unfinished:
            return ""
        return (f"UNFINISHED: {self.to_do} commented answer(s) are not coded yet; "
                "counts will change when coding is complete.")


def question_label(question: str) -> str:
    """The question as the report words it."""
    return QUESTION_LABELS.get(question, question)


def _group_order(project: Project, groups: list[str]) -> dict[str, Codebook]:
    order = {cb.id: i for i, cb in enumerate(project.codebooks())}
    found = {g: project.codebook_for_group(g) for g in groups}
    ranked = sorted(groups, key=lambda g: (order.get(found[g].id, len(order)), g))
    return {g: found[g] for g in ranked}


def tally(project: Project, *, by: tuple[str, ...] | list[str] = (),
          prefer_coder: str | None = None, data: ExportData | None = None) -> Tally:
    """Count comments per theme for every respondent group × question (and by attribute).

    Args:
        project: an open project.
        by: respondent attribute columns to break the counts down by.
        prefer_coder: the coder whose decision counts when an answer has no adjudicated one.
        data: frames already read with :func:`load_export_data` (read here when ``None``).

    Raises:
        ExportError: a ``by`` column is not a respondent attribute.
    """
    if data is None:
        data = load_export_data(project, prefer_coder=prefer_coder,
                                with_attributes=bool(by))
    answers, final, themes = data.answers, data.final, data.themes
    groups = [str(g) for g in data.respondents["group"].unique()]
    codebooks = _group_order(project, groups)

    # state of each answer
    final_pos = pd.Index(final["answer_id"].to_numpy(dtype=np.int64)).get_indexer(
        answers["id"].to_numpy(dtype=np.int64)) if len(final) else np.full(len(answers), -1)
    has_comment = answers["has_comment"].to_numpy(dtype=bool)
    decided = final_pos >= 0
    final_na = final["not_assigned"].to_numpy(dtype=bool) if len(final) else np.zeros(0, bool)
    is_na = np.zeros(len(answers), dtype=bool)
    is_na[decided] = final_na[final_pos[decided]]
    state = pd.DataFrame({
        "group": answers["group"].array, "question": answers["question"].array,
        "commented": has_comment, "to_do": has_comment & ~decided,
        "not_assigned": has_comment & decided & is_na,
        "coded": has_comment & decided & ~is_na})
    per_gq = state.groupby(["group", "question"], sort=False, observed=True)[
        ["commented", "to_do", "not_assigned", "coded"]].sum()
    respondents_per_group = data.respondents["group"].value_counts()

    # theme mentions on commented answers
    answer_pos = pd.Index(answers["id"].to_numpy(dtype=np.int64)).get_indexer(
        themes["answer_id"].to_numpy(dtype=np.int64))
    keep = (answer_pos >= 0)
    keep[keep] = has_comment[answer_pos[keep]]
    mentions = pd.DataFrame({"group": answers["group"].array.take(answer_pos[keep]),
                             "question": answers["question"].array.take(answer_pos[keep]),
                             "theme_id": themes["theme_id"].to_numpy()[keep]})
    theme_counts = mentions.groupby(["group", "question", "theme_id"], sort=False,
                                    observed=True).size()
    known = {(g, t.id) for g, cb in codebooks.items() for t in cb.themes}
    stray = sum(int(n) for (g, _q, t), n in theme_counts.items() if (g, t) not in known)

    count_rows: list[dict[str, Any]] = []
    summary_rows: list[dict[str, Any]] = []
    for group, codebook in codebooks.items():
        n_resp = int(respondents_per_group.get(group, 0))
        for question in _questions(codebook):
            stats = per_gq.loc[(group, question)] if (group, question) in per_gq.index else None
            commented = int(stats["commented"]) if stats is not None else 0
            rows = []
            for theme in codebook.themes_for(question):
                comments = int(theme_counts.get((group, question, theme.id), 0))
                rows.append({"group": group, "question": question,
                             "question_label": question_label(question), "theme_id": theme.id,
                             "theme_name": theme.name, "comments": comments,
                             "pct_of_commenters": _pct(comments, commented),
                             "rank": 0, "commenters": commented, "respondents": n_resp})
            ranks = pd.Series([r["comments"] for r in rows], dtype=float).rank(
                method="min", ascending=False)
            for row, rank in zip(rows, ranks, strict=True):
                row["rank"] = int(rank)
            count_rows.extend(rows)
            pct = _pct(commented, n_resp)
            summary_rows.append({
                "group": group, "codebook_id": codebook.id, "codebook_version": codebook.version,
                "question": question, "question_label": question_label(question),
                "respondents": n_resp, "commented": commented, "pct_commented": pct,
                "coded": int(stats["coded"]) if stats is not None else 0,
                "not_assigned": int(stats["not_assigned"]) if stats is not None else 0,
                "to_do": int(stats["to_do"]) if stats is not None else 0,
                "theme_mentions": sum(r["comments"] for r in rows),
                "commented_text": _commented_text(pct, question)})
    counts = pd.DataFrame(count_rows, columns=COUNT_COLUMNS)
    summary = pd.DataFrame(summary_rows, columns=SUMMARY_COLUMNS)
    result = Tally(counts=counts, summary=summary, codebooks=codebooks)
    if by:
        attributes = parse_attributes(data.respondents)
        for column in by:
            if column not in attributes.columns:
                known_cols = ", ".join(attributes.columns) or "none"
                raise ExportError(f"unknown respondent attribute '{column}' for --by "
                                  f"(attributes: {known_cols})", field="by")
        for column in dict.fromkeys(by):
            table, tests = _crosstab(column, attributes[column], data, codebooks, has_comment,
                                     mentions_keep=(answer_pos, keep))
            result.crosstabs[column] = table
            result.tests[column] = tests
    result.metadata = _metadata(project, result, final, prefer_coder, list(by), stray)
    return result


def _questions(codebook: Codebook) -> list[str]:
    return [q for q in QUESTIONS if q in codebook.questions] + \
        [q for q in codebook.questions if q not in QUESTIONS]


def _pct(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else math.nan


def _commented_text(pct: float, question: str) -> str:
    if math.isnan(pct):
        return f"no respondents asked {question_label(question).lower()}"
    return f"{pct:.1f} % commented on {question_label(question).lower()}"


def _crosstab(column: str, values: pd.Series, data: ExportData, codebooks: dict[str, Codebook],
              has_comment: np.ndarray, mentions_keep: tuple[np.ndarray, np.ndarray]
              ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Counts by attribute level and a chi-square test per theme."""
    from scipy.stats import chi2_contingency

    answers = data.answers
    resp_pos = values.index.get_indexer(answers["respondent_id"].to_numpy(dtype=np.int64))
    level = values.to_numpy(dtype=object)[resp_pos]
    level = np.where(pd.Series(level).fillna("").astype(str).str.strip() == "", BLANK_LEVEL,
                     level)
    answer_pos, keep = mentions_keep
    commenters = pd.DataFrame({"group": answers["group"].array[has_comment],
                               "question": answers["question"].array[has_comment],
                               "level": level[has_comment]})
    n_level = commenters.groupby(["group", "question", "level"], observed=True).size()
    n_level = n_level.sort_index()
    mention_frame = pd.DataFrame({
        "group": answers["group"].array.take(answer_pos[keep]),
        "question": answers["question"].array.take(answer_pos[keep]),
        "level": level[answer_pos[keep]],
        "theme_id": data.themes["theme_id"].to_numpy()[keep]})
    k_level = mention_frame.groupby(["group", "question", "theme_id", "level"],
                                    sort=False, observed=True).size()
    rows: list[dict[str, Any]] = []
    tests: list[dict[str, Any]] = []
    for group, codebook in codebooks.items():
        for question in _questions(codebook):
            try:
                levels_n = n_level.loc[(group, question)]
            except KeyError:
                levels_n = pd.Series(dtype=np.int64)
            levels = sorted(levels_n.index, key=lambda v: (v == BLANK_LEVEL, str(v)))
            for theme in codebook.themes_for(question):
                counts = [int(k_level.get((group, question, theme.id, lv), 0)) for lv in levels]
                totals = [int(levels_n[lv]) for lv in levels]
                for lv, k, n in zip(levels, counts, totals, strict=True):
                    rows.append({"group": group, "question": question,
                                 "question_label": question_label(question),
                                 "attribute": column, "level": lv, "theme_id": theme.id,
                                 "theme_name": theme.name, "comments": k, "commenters": n,
                                 "pct_of_commenters": _pct(k, n)})
                tested = [(k, n) for lv, k, n in zip(levels, counts, totals, strict=True)
                          if lv != BLANK_LEVEL and n > 0]
                tests.append(_chi_square(group, question, column, theme.id, theme.name, tested,
                                         chi2_contingency))
    return (pd.DataFrame(rows, columns=CROSSTAB_COLUMNS),
            pd.DataFrame(tests, columns=TEST_COLUMNS))


def _chi_square(group: str, question: str, column: str, theme_id: str, theme_name: str,
                tested: list[tuple[int, int]], chi2_contingency: Any) -> dict[str, Any]:
    k_total = sum(k for k, _ in tested)
    n_total = sum(n for _, n in tested)
    row: dict[str, Any] = {"group": group, "question": question,
                           "question_label": question_label(question), "attribute": column,
                           "theme_id": theme_id, "theme_name": theme_name,
                           "levels": len(tested), "commenters": n_total, "comments": k_total,
                           "chi2": math.nan, "dof": math.nan, "p_value": math.nan,
                           "min_expected": math.nan, "cells_expected_below_5": math.nan,
                           "note": ""}
    if len(tested) < 2:
        row["note"] = "not computable: fewer than two attribute levels with comments"
        return row
    if k_total == 0:
        row["note"] = "not computable: the theme was never mentioned"
        return row
    if k_total == n_total:
        row["note"] = "not computable: every commenter mentioned the theme"
        return row
    table = np.array([[k for k, _ in tested], [n - k for k, n in tested]], dtype=float)
    chi2, p_value, dof, expected = chi2_contingency(table)
    small = int((expected < SMALL_EXPECTED).sum())
    row.update({"chi2": float(chi2), "dof": int(dof), "p_value": float(p_value),
                "min_expected": float(expected.min()), "cells_expected_below_5": small})
    if small:
        row["note"] = (f"unreliable: {small} of {expected.size} expected counts are below 5")
    return row


def _metadata(project: Project, result: Tally, final: pd.DataFrame, prefer_coder: str | None,
              by: list[str], stray: int) -> dict[str, Any]:
    info = project.info()
    coders = project.coders()
    counted = sorted(set(final["coder"].tolist())) if len(final) else []
    meta: dict[str, Any] = {
        "project": info.get("name", ""),
        "location": project.display_location,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "themecoder_version": __version__,
        "codebooks": [{"group": g, "codebook_id": cb.id, "codebook_version": cb.version,
                       "codebook_name": cb.name} for g, cb in result.codebooks.items()],
        "coders": coders,
        "coders_counted": [c for c in coders if c in counted],
        "preferred_coder": prefer_coder,
        "decision_rule": decision_rule(prefer_coder),
        "unfinished": result.unfinished,
        "to_do": result.to_do,
        "status": result.unfinished_note() or "complete: every commented answer is coded",
        "by": by,
        "percentages": "% of the group's respondents who commented on the question",
    }
    if stray:
        meta["warnings"] = [f"{stray} theme mention(s) use themes no longer in the codebook "
                            "and are not counted"]
    return meta


def codebook_label(codebook: Codebook) -> str:
    """``"poet_holders v1.0"``: how outputs name a codebook."""
    return f"{codebook.id} v{codebook.version}"


def metadata_lines(metadata: dict[str, Any]) -> list[tuple[str, str]]:
    """The metadata as (label, text) pairs, for headers, sheets, captions and file notes."""
    codebooks = "; ".join(f"{c['group']}: {c['codebook_id']} v{c['codebook_version']}"
                          for c in metadata.get("codebooks", []))
    lines = [("Project", str(metadata.get("project", ""))),
             ("Location", str(metadata.get("location", ""))),
             ("Made", str(metadata.get("created_at", ""))),
             ("Status", str(metadata.get("status", ""))),
             ("Codebooks", codebooks),
             ("Coders", ", ".join(metadata.get("coders", [])) or "none"),
             ("Decision rule", str(metadata.get("decision_rule", ""))),
             ("Percentages", str(metadata.get("percentages", ""))),
             ("themecoder", str(metadata.get("themecoder_version", "")))]
    if metadata.get("by"):
        lines.append(("Broken down by", ", ".join(metadata["by"])))
    for warning in metadata.get("warnings", []):
        lines.append(("Warning", warning))
    return lines
