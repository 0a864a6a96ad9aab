"""Read hand-coded answers (CSV/XLSX) to train or evaluate the theme classifier.

One row per answer: a text column, an optional question column, and the themes either
as one ``|``-separated column of theme names (``--themes-col``) or as one 0/1 column per
theme name. Rows can be selected with ``COL=VALUE`` filters (e.g. ``group=holder``).
Questions are normalised to ``worked_well`` / ``not_well`` / ``change`` when recognisable
(:func:`themecoder.survey.normalise_question`); other labels are kept as written.

Every problem raises :class:`~themecoder.errors.SurveyError` naming the file, the row and
the column.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from themecoder.codebook import Codebook
from themecoder.errors import SurveyError
from themecoder.survey import NOT_ASSIGNED_LABELS, normalise_question, read_table

_TRUE = {"1", "1.0", "true", "yes", "y", "x"}
_FALSE = {"", "0", "0.0", "false", "no", "n"}


@dataclass
class TrainingData:
    """Hand-coded answers as the classifier takes them.

    Attributes:
        texts: The answers.
        questions: Each answer's (normalised) question, or ``None`` without a question column.
        Y: (n, k) 0/1 array, columns in codebook theme order.
        theme_ids: The codebook's theme ids (the columns of ``Y``).
        source: The file read.
        row_numbers: Each answer's row in the file (1 = header).
    """

    texts: list[str]
    questions: list[str] | None
    Y: np.ndarray
    theme_ids: list[str]
    source: Path
    row_numbers: list[int]
    missing_columns: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.texts)

    def themes_without_examples(self, codebook: Codebook) -> list[str]:
        """Names of the codebook's themes that no answer in the data has."""
        counts = self.Y.sum(axis=0)
        return [t.name for t, n in zip(codebook.themes, counts, strict=True) if n == 0]

    def check(self, codebook: Codebook) -> list[str]:
        """Whether a classifier can be trained on this data.

        Returns:
            Warnings, one line each: themes with no example (no column, or never coded;
            they are suggested from keywords only), only one theme with examples.

        Raises:
            SurveyError: fewer than 2 answers, every answer is blank, or no answer has a
                theme.
        """
        if not any(text.strip() for text in self.texts):
            raise SurveyError(f"every answer in the text column is blank ({len(self)} rows)",
                              file=self.source)
        if len(self) < 2:
            raise SurveyError(f"{len(self)} answer(s) to learn from: a model needs at least 2",
                              file=self.source)
        if not self.Y.any():
            raise SurveyError("no answer has a theme: there is nothing to learn from "
                              "(check the themes column or the 0/1 columns)", file=self.source)
        warnings = []
        if self.missing_columns:
            warnings.append("no 0/1 column for theme(s) "
                            + ", ".join(f"'{m}'" for m in self.missing_columns)
                            + ": they are suggested from keywords only "
                            "(and meaning, with the 'accurate' extra)")
        never = [n for n in self.themes_without_examples(codebook)
                 if n not in self.missing_columns]
        if never:
            warnings.append("no answer has theme(s) " + ", ".join(f"'{n}'" for n in never)
                            + ": they are suggested from keywords only "
                            "(and meaning, with the 'accurate' extra)")
        if int((self.Y.sum(axis=0) > 0).sum()) == 1:
            warnings.append("only one theme has examples: the model can only tell it from "
                            "the rest")
        return warnings


def parse_filters(filters: Iterable[str]) -> list[tuple[str, str]]:
    """``["group=holder"]`` → ``[("group", "holder")]``.

    Raises:
        SurveyError: a filter is not ``COL=VALUE``.
    """
    out = []
    for item in filters:
        column, sep, value = item.partition("=")
        if not sep or not column.strip():
            raise SurveyError(f"filter '{item}' is not COL=VALUE (e.g. group=holder)")
        out.append((column.strip(), value.strip()))
    return out


def _normalise(question: str, codebook: Codebook) -> str | None:
    question = question.strip()
    if not question:
        return None
    return normalise_question(question, codebook.declared_questions) or question


def read_training_data(path: str | Path, codebook: Codebook, *, text_col: str,
                       question_col: str | None = None, themes_col: str | None = None,
                       filters: Iterable[str | tuple[str, str]] = ()) -> TrainingData:
    """Read hand-coded answers for ``codebook`` from a CSV or XLSX file.

    Args:
        path: The file.
        codebook: Theme names (or ids) in the file are looked up here; its "Not assigned"
            name, or an empty cell, means no theme.
        text_col: Column with the answer text.
        question_col: Optional column with the question each answer replies to.
        themes_col: Column of ``|``-separated theme names. Without it, each theme has a
            0/1 column named as the theme (or its id); a theme without a column (one added
            since the data was coded) has no examples (see :meth:`TrainingData.check`).
        filters: ``"COL=VALUE"`` strings (or pairs): keep rows where every ``COL`` equals
            ``VALUE`` (case-insensitive).

    Raises:
        SurveyError: missing column, unknown theme name, bad 0/1 value, no rows left.
    """
    table = read_table(path)
    path = table.path
    pairs = [f if isinstance(f, tuple) else parse_filters([f])[0] for f in filters]

    def require(column: str, what: str) -> str:
        if column not in table.columns:
            raise SurveyError(f"no {what} column '{column}' (columns: "
                              f"{', '.join(table.columns)})", file=path, row=1, field=column)
        return column

    require(text_col, "text")
    if question_col:
        require(question_col, "question")
    for column, _ in pairs:
        require(column, "filter")
    missing: list[str] = []
    if themes_col:
        require(themes_col, "themes")
        theme_columns: dict[str, str] = {}
    else:
        by_key = {c.strip().casefold(): c for c in table.columns}
        theme_columns = {}
        for theme in codebook.themes:
            column = by_key.get(theme.name.casefold()) or by_key.get(theme.id.casefold())
            if column is None:
                missing.append(theme.name)
            else:
                theme_columns[theme.id] = column
        if not theme_columns:
            raise SurveyError("no themes column given (--themes-col) and no 0/1 column named "
                              "as any theme of the codebook", file=path, row=1)

    not_assigned = {codebook.not_assigned.name.casefold(), codebook.not_assigned.id.casefold(),
                    *NOT_ASSIGNED_LABELS}
    theme_index = {tid: j for j, tid in enumerate(codebook.theme_ids)}
    texts: list[str] = []
    questions: list[str | None] = []
    labels: list[np.ndarray] = []
    numbers: list[int] = []
    for row, number in zip(table.rows, table.row_numbers, strict=True):
        if any(row[c].strip().casefold() != v.casefold() for c, v in pairs):
            continue
        y = np.zeros(len(theme_index), dtype=np.int8)
        if themes_col:
            for name in row[themes_col].split("|"):
                name = name.strip()
                if not name or name.casefold() in not_assigned:
                    continue
                theme = codebook.find(name)
                if theme is None:
                    raise SurveyError(f"unknown theme '{name}' (not in codebook "
                                      f"{codebook.id} v{codebook.version})",
                                      file=path, row=number, field=themes_col)
                y[theme_index[theme.id]] = 1
        else:
            for tid, column in theme_columns.items():
                value = row[column].strip().casefold()
                if value in _TRUE:
                    y[theme_index[tid]] = 1
                elif value not in _FALSE:
                    raise SurveyError(f"expected 0 or 1, found '{row[column]}'",
                                      file=path, row=number, field=column)
        texts.append(row[text_col])
        questions.append(_normalise(row[question_col], codebook) if question_col else None)
        labels.append(y)
        numbers.append(number)
    if not texts:
        where = " matching " + ", ".join(f"{c}={v}" for c, v in pairs) if pairs else ""
        raise SurveyError(f"no rows{where}", file=path)
    Y = np.vstack(labels) if labels else np.zeros((0, len(theme_index)), dtype=np.int8)
    return TrainingData(texts=texts, questions=questions if question_col else None, Y=Y,
                        theme_ids=codebook.theme_ids, source=path, row_numbers=numbers,
                        missing_columns=[] if themes_col else missing)
