"""Breakdowns by a respondent attribute: counts per level and a chi-square test per theme.

For each group × question × theme, the theme mentioned or not among the respondents who
commented, by attribute level (blank values left out of the test), is tested for
independence with :func:`scipy.stats.chi2_contingency`. SciPy applies Yates' continuity
correction when the table has one degree of freedom (two levels); the ``correction`` column
says so for each test. All tests of one attribute form one family: Holm's adjustment is
applied over them and written beside the raw p-value.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from themecoder.codebook import Codebook
from themecoder.export.numbers import holm, pct

CROSSTAB_COLUMNS = ["group", "question", "question_label", "attribute", "level", "theme_id",
                    "theme_name", "comments", "commenters", "pct_of_commenters"]
"""Columns of a crosstab (one row per group × question × theme × attribute level)."""

TEST_COLUMNS = ["group", "question", "question_label", "attribute", "theme_id", "theme_name",
                "levels", "commenters", "comments", "chi2", "dof", "correction", "p_value",
                "p_holm", "min_expected", "cells_expected_below_5", "note"]
"""Columns of the chi-square tests (one row per group × question × theme)."""

BLANK_LEVEL = "(blank)"
"""The level shown for respondents with no value for an attribute (left out of the tests)."""

SMALL_EXPECTED = 5.0
"""Expected cell counts below this make a chi-square test unreliable."""

YATES = "Yates (2 levels)"
"""The ``correction`` of a test with one degree of freedom."""

HOLM_NOTE = ("p_holm: Holm's step-down adjustment over all {n} tests of '{attribute}' "
             "(every group, question and theme)")


def crosstab(column: str, levels_by_respondent: pd.Series, answers: pd.DataFrame,
             commented: np.ndarray, mentions: pd.DataFrame,
             themes_by_gq: dict[tuple[str, str], list[tuple[str, str]]],
             questions: dict[str, list[str]], codebooks: dict[str, Codebook],
             label: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Counts by attribute level and a chi-square test per theme, Holm-adjusted.

    Args:
        column: the attribute's name.
        levels_by_respondent: the attribute's value per respondent id.
        answers: the export's answers frame (``respondent_id``, ``group``, ``question``).
        commented: which answers count as comments.
        mentions: one row per counted mention: ``answer_pos``, ``theme_id``.
        themes_by_gq: ``(theme_id, name)`` to test per (group, question).
        questions: each group's questions, in order.
        codebooks: the groups, in export order.
        label: a function giving a question's label.
    """
    from scipy.stats import chi2_contingency

    resp_pos = levels_by_respondent.index.get_indexer(
        answers["respondent_id"].to_numpy(dtype=np.int64))
    level = levels_by_respondent.to_numpy(dtype=object)[resp_pos]
    level = np.where(pd.Series(level).fillna("").astype(str).str.strip() == "", BLANK_LEVEL,
                     level)
    commenters = pd.DataFrame({"group": answers["group"].array[commented],
                               "question": answers["question"].array[commented],
                               "level": level[commented]})
    n_level = commenters.groupby(["group", "question", "level"], observed=True).size()
    n_level = n_level.sort_index()
    positions = mentions["answer_pos"].to_numpy(dtype=np.int64)
    mention_frame = pd.DataFrame({
        "group": answers["group"].array.take(positions),
        "question": answers["question"].array.take(positions),
        "level": level[positions], "theme_id": mentions["theme_id"].to_numpy()})
    k_level = mention_frame.groupby(["group", "question", "theme_id", "level"],
                                    sort=False, observed=True).size().to_dict()
    rows: list[dict[str, Any]] = []
    tests: list[dict[str, Any]] = []
    for group in codebooks:
        for question in questions[group]:
            try:
                levels_n = n_level.loc[(group, question)]
            except KeyError:
                levels_n = pd.Series(dtype=np.int64)
            levels = sorted(levels_n.index, key=lambda v: (v == BLANK_LEVEL, str(v)))
            for theme_id, theme_name in themes_by_gq.get((group, question), []):
                counts = [int(k_level.get((group, question, theme_id, lv), 0)) for lv in levels]
                totals = [int(levels_n[lv]) for lv in levels]
                for lv, k, n in zip(levels, counts, totals, strict=True):
                    rows.append({"group": group, "question": question,
                                 "question_label": label(question), "attribute": column,
                                 "level": lv, "theme_id": theme_id, "theme_name": theme_name,
                                 "comments": k, "commenters": n,
                                 "pct_of_commenters": pct(k, n)})
                tested = [(k, n) for lv, k, n in zip(levels, counts, totals, strict=True)
                          if lv != BLANK_LEVEL and n > 0]
                test = chi_square(tested, chi2_contingency)
                tests.append({"group": group, "question": question,
                              "question_label": label(question), "attribute": column,
                              "theme_id": theme_id, "theme_name": theme_name, **test})
    table = pd.DataFrame(tests, columns=TEST_COLUMNS)
    table["p_holm"] = holm(table["p_value"].astype(float).tolist()) if len(table) else []
    return pd.DataFrame(rows, columns=CROSSTAB_COLUMNS), table


def chi_square(tested: list[tuple[int, int]], chi2_contingency: Any) -> dict[str, Any]:
    """One test: theme yes/no × level, from ``(mentions, commenters)`` per level."""
    k_total = sum(k for k, _ in tested)
    n_total = sum(n for _, n in tested)
    row: dict[str, Any] = {"levels": len(tested), "commenters": n_total, "comments": k_total,
                           "chi2": math.nan, "dof": math.nan, "correction": "",
                           "p_value": math.nan, "p_holm": math.nan, "min_expected": math.nan,
                           "cells_expected_below_5": math.nan, "note": ""}
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
                "correction": YATES if int(dof) == 1 else "none",
                "min_expected": float(expected.min()), "cells_expected_below_5": small})
    if small:
        row["note"] = f"unreliable: {small} of {expected.size} expected counts are below 5"
    return row


def significant_rows(tests: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Tests whose Holm-adjusted p-value is below ``alpha``, smallest first."""
    if tests.empty:
        return tests
    chosen = tests[tests["p_holm"].astype(float) < alpha]
    return chosen.sort_values(["p_holm", "p_value"], kind="stable")
