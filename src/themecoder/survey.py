"""Read survey files (CSV, XLSX, SPSS .sav) in long or wide layout into answers.

* *Long* layout: one row per answer, with columns for the respondent id, the group,
  the question and the text.
* *Wide* layout: one row per respondent with one column per question, as survey
  platforms export.

Columns are named by a :class:`SurveyMapping` (built from options or a small YAML
mapping file). Questions are normalised to ``worked_well`` / ``not_well`` / ``change``, or
to a question the project's codebooks declare (see :mod:`themecoder.questions`). Every
other column is kept as a respondent attribute for crosstabs. Existing coding (prior years'
hand coding) may come along as a column of ``|``-separated theme names or as one 0/1
column per theme; coding columns a file lacks altogether are left out with a note, so one
mapping serves coded and uncoded years. Reading the file itself is
:mod:`themecoder.survey_tables`.

All problems raise :class:`~themecoder.errors.SurveyError` naming the file, the row
and the column (every missing column at once); nothing is returned half-read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from themecoder.errors import SurveyError
from themecoder.questions import QUESTIONS, DeclaredQuestion, normalise_question
from themecoder.survey_tables import Table, file_sha256, read_table

__all__ = ["NOT_ASSIGNED_LABELS", "AnswerRecord", "RespondentRecord", "SurveyData",
           "SurveyMapping", "Table", "file_sha256", "load_mapping", "normalise_question",
           "read_survey", "read_table"]

NOT_ASSIGNED_LABELS = {"not assigned", "not_assigned", "vague", "n/a (vague)"}
"""Values of an existing-coding column that mean "deliberately not assigned"."""

@dataclass
class SurveyMapping:
    """Which columns of a survey file mean what.

    Attributes:
        layout: ``"long"`` or ``"wide"``.
        id: Respondent id column.
        group: Column with the respondent group; or use ``fixed_group``.
        fixed_group: One group for every row (when the file has no group column).
        question: Long layout: the question column.
        text: Long layout: the answer text column.
        answer_id: Long layout, optional: a column with a unique id per answer.
        questions: Wide layout: question key → column name.
        themes: Existing coding as ``|``-separated theme names: long layout, one column name;
            wide layout, a mapping question key → column name.
        theme_columns: Existing coding as 0/1 columns: ``"auto"`` finds columns named as a
            theme (long) or ``"<question>:<theme>"`` (wide).
        attributes: Columns kept as respondent attributes; ``None`` keeps every other column.
        group_values: Optional relabelling of group values, e.g. ``{"PB holder": "holder"}``.
    """

    layout: str = "wide"
    id: str = "respondent_id"
    group: str | None = "group"
    fixed_group: str | None = None
    question: str | None = None
    text: str | None = None
    answer_id: str | None = None
    questions: dict[str, str] = field(default_factory=dict)
    themes: str | dict[str, str] | None = None
    theme_columns: str | None = None
    attributes: list[str] | None = None
    group_values: dict[str, str] = field(default_factory=dict)

    def coding_columns(self) -> set[str]:
        """Columns that hold existing coding (not attributes)."""
        if isinstance(self.themes, dict):
            return set(self.themes.values())
        return {self.themes} if self.themes else set()


_QUESTION_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_MAPPING_FIELDS = {f for f in SurveyMapping.__dataclass_fields__}


def load_mapping(path: str | Path) -> SurveyMapping:
    """Read a column-mapping YAML file.

    Column names may be written as text or as numbers (a column called ``2025``); every
    other shape (a list where a name is expected, a mapping where a list is) is refused.

    Raises:
        SurveyError: the file is missing, not YAML, or has unknown or wrongly typed fields;
            the message names the file, the line and the field.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except FileNotFoundError:
        raise SurveyError("no such mapping file", file=path) from None
    except IsADirectoryError:
        raise SurveyError("is a folder, not a mapping file", file=path) from None
    except OSError as exc:
        raise SurveyError(f"cannot read the mapping file ({exc.strerror or exc})",
                          file=path) from None
    except (yaml.YAMLError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0] if str(exc) else \
            type(exc).__name__
        raise SurveyError(f"not valid YAML: {problem}", file=path,
                          line=mark.line + 1 if mark else None) from None
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        raise SurveyError("expected a mapping of fields (layout: wide, id: COLUMN, …)",
                          file=path, line=1)
    lines = {k.value: k.start_mark.line + 1 for k, _ in node.value
             if isinstance(k, yaml.ScalarNode)}
    return _MappingReader(path, lines).mapping(data)


class _MappingReader:
    """Checks each field of a mapping file's data, naming its line when one is wrong."""

    def __init__(self, path: Path, lines: dict[str, int]) -> None:
        self.path = path
        self.lines = lines

    def fail(self, key: str, message: str) -> SurveyError:
        return SurveyError(message, file=self.path, line=self.lines.get(key), field=key)

    def name(self, key: str, value: Any, what: str = "a column name") -> str:
        """A column name or a label: text, or a number written without quotes."""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.fail(key, f"expected {what}, found {_shape(value)}")
        return str(value)

    def names(self, key: str, value: Any) -> list[str]:
        if not isinstance(value, list):
            raise self.fail(key, f"expected a list of column names, found {_shape(value)}")
        return [self.name(key, item) for item in value]

    def pairs(self, key: str, value: Any, what: str) -> dict[str, str]:
        if not isinstance(value, dict):
            raise self.fail(key, f"expected a mapping (NAME: VALUE), found {_shape(value)}")
        return {self.name(key, k, "a name"): self.name(key, v, what) for k, v in value.items()}

    def mapping(self, data: dict[Any, Any]) -> SurveyMapping:
        values: dict[str, Any] = {}
        for key, value in data.items():
            if not isinstance(key, str) or key not in _MAPPING_FIELDS:
                expected = ", ".join(sorted(_MAPPING_FIELDS))
                raise SurveyError(f"unknown field (expected one of: {expected})",
                                  file=self.path, line=self.lines.get(str(key)),
                                  field=str(key))
            if value is None:
                continue
            if key == "group_values":
                values[key] = self.pairs(key, value, "a group label (LABEL: GROUP)")
            elif key == "questions":
                values[key] = self.pairs(key, value, "a column name (QUESTION: COLUMN)")
            elif key == "attributes":
                values[key] = self.names(key, value)
            elif key == "themes":
                values[key] = self.pairs(key, value, "a column name (QUESTION: COLUMN)") \
                    if isinstance(value, dict) \
                    else self.name(key, value)
            else:
                values[key] = self.name(key, value)
        mapping = SurveyMapping(**values)
        if mapping.layout not in ("long", "wide"):
            raise self.fail("layout", "must be 'long' or 'wide'")
        if mapping.theme_columns not in (None, "auto"):
            raise self.fail("theme_columns", "must be 'auto' (0/1 columns named by theme)")
        for key in mapping.questions:
            if not _QUESTION_ID.match(key):
                raise self.fail("questions", f"'{key}' is not a question id (expected: "
                                f"{', '.join(QUESTIONS)}, or one a codebook declares)")
        return mapping


def _shape(value: Any) -> str:
    """What a YAML value is, in words, for messages."""
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return f"'{str(value).lower()}' (true/false)"
    return f"'{value}'"


# --------------------------------------------------------------------------- survey data


@dataclass
class RespondentRecord:
    """One respondent as read from a file."""

    key: str
    group: str
    attributes: dict[str, str]
    row: int


@dataclass
class AnswerRecord:
    """One answer as read from a file (empty text means no comment)."""

    key: str
    respondent_key: str
    question: str
    text: str
    row: int
    #: Existing coding: theme names as written in the file; ``None`` = no coding given.
    themes: list[str] | None = None
    not_assigned: bool = False
    #: The column the coding came from (for error messages).
    themes_field: str | None = None


@dataclass
class SurveyData:
    """Everything read from one survey file."""

    path: Path
    sha256: str
    layout: str
    respondents: list[RespondentRecord]
    answers: list[AnswerRecord]
    #: What a user should know about how the file was read (e.g. coding columns absent).
    notes: list[str] = field(default_factory=list)

    @property
    def groups(self) -> list[str]:
        """The distinct respondent groups, in order of appearance."""
        return list(dict.fromkeys(r.group for r in self.respondents))


def _require(table: Table, column: str | None, what: str) -> str:
    if not column:
        raise SurveyError(f"no column given for {what}", file=table.path, field=what)
    if column not in table.columns:
        _refuse_missing(table, [(column, what)])
    return column


def _needed_columns(mapping: SurveyMapping) -> list[tuple[str, str]]:
    """Every column the mapping names, with what it is for."""
    needed = [(mapping.id, "the respondent id")]
    if not mapping.fixed_group and mapping.group:
        needed.append((mapping.group, "the respondent group"))
    if mapping.layout == "long":
        needed += [(c, what) for c, what in ((mapping.question, "the question"),
                                             (mapping.text, "the answer text"),
                                             (mapping.answer_id, "the answer id")) if c]
        if isinstance(mapping.themes, str):
            needed.append((mapping.themes, "existing coding"))
    else:
        needed += [(c, f"question {k}") for k, c in mapping.questions.items()]
        if isinstance(mapping.themes, dict):
            needed += [(c, f"existing coding of {k}") for k, c in mapping.themes.items()]
    needed += [(c, "an attribute") for c in mapping.attributes or ()]
    return needed


def _check_columns(table: Table, mapping: SurveyMapping) -> None:
    """Refuse a file that lacks columns the mapping names, naming every missing one."""
    present = set(table.columns)
    missing = list(dict.fromkeys((c, what) for c, what in _needed_columns(mapping)
                                 if c and c not in present))
    if missing:
        _refuse_missing(table, missing)


def _refuse_missing(table: Table, missing: list[tuple[str, str]]) -> None:
    parts = []
    for column, what in missing:
        close = [c for c in table.columns if c.casefold().strip() == column.casefold().strip()]
        parts.append(f"'{column}' ({what}{f'; did you mean {close[0]!r}?' if close else ''})")
    listed = ", ".join(table.columns[:12]) + ("…" if len(table.columns) > 12 else "")
    noun = "a required column is" if len(missing) == 1 else \
        f"{len(missing)} required columns are"
    raise SurveyError(f"{noun} missing: {', '.join(parts)} (the file's columns: "
                      f"{listed})", file=table.path, row=1,
                      field=", ".join(column for column, _ in missing))


def _split_names(value: str) -> list[str]:
    return [part.strip() for part in value.split("|") if part.strip()]


def _coding(value: str) -> tuple[list[str] | None, bool]:
    """Parse a ``|``-separated coding cell: (theme names, not assigned)."""
    names = _split_names(value)
    if not names:
        return None, False
    if len(names) == 1 and names[0].casefold() in NOT_ASSIGNED_LABELS:
        return [], True
    return [n for n in names if n.casefold() not in NOT_ASSIGNED_LABELS], False


def _binary_coding(row: dict[str, str], columns: dict[str, str], table: Table,
                   row_number: int) -> tuple[list[str] | None, bool]:
    """Themes from 0/1 columns (``columns``: column → theme name)."""
    chosen: list[str] = []
    any_value = False
    not_assigned = False
    for column, name in columns.items():
        cell = row[column].strip()
        if not cell:
            continue
        try:
            flag = float(cell)
        except ValueError:
            raise SurveyError(f"expected 0 or 1, found '{cell[:30]}'", file=table.path,
                              row=row_number, field=column) from None
        if flag not in (0.0, 1.0):
            raise SurveyError(f"expected 0 or 1, found '{cell[:30]}'", file=table.path,
                              row=row_number, field=column)
        any_value = True
        if flag == 1.0:
            if name.casefold() in NOT_ASSIGNED_LABELS:
                not_assigned = True
            else:
                chosen.append(name)
    if not any_value:
        return None, False
    if not chosen and not_assigned:
        return [], True
    return chosen, False


_GROUP_SUFFIX = re.compile(r"\s*\[[^\]]+\]\s*$")


def theme_column_name(label: str, by_name: dict[str, str]) -> str | None:
    """The theme a 0/1 column's label names: ``"Support"``, or ``"Support [holder]"`` as the
    export writes a name two groups' codebooks share (``by_name``: casefold → name)."""
    name = by_name.get(label.strip().casefold())
    if name is None:
        name = by_name.get(_GROUP_SUFFIX.sub("", label).strip().casefold())
    return name


def read_survey(path: str | Path, mapping: SurveyMapping,
                theme_names: Iterable[str] | None = None,
                questions: Iterable[DeclaredQuestion] = ()) -> SurveyData:
    """Read a survey file into respondents and answers.

    Args:
        path: CSV, XLSX or SPSS ``.sav`` file.
        mapping: which columns mean what.
        theme_names: every theme name known to the project's codebooks; used to find
            0/1 coding columns when ``mapping.theme_columns == "auto"``.
        questions: the questions the project's codebooks declare besides the POET ones
            (recognised by id, label or alias).

    Raises:
        SurveyError: naming the file, row and column of the first problem.
    """
    table = read_table(path)
    notes: list[str] = []
    coding = sorted(mapping.coding_columns())
    if coding and not set(coding) & set(table.columns):
        # one mapping serves every year: last year's file has coding, this year's has none
        mapping = replace(mapping, themes=None)
        notes.append(f"the file has none of the coding columns ({', '.join(coding)}): its "
                     "answers are read without coding")
    _check_columns(table, mapping)
    recognise = _Questions(tuple(questions))
    if mapping.layout == "long":
        data = _read_long(table, mapping, list(theme_names or ()), recognise)
    elif mapping.layout == "wide":
        data = _read_wide(table, mapping, list(theme_names or ()), recognise)
    else:
        raise SurveyError(f"unknown layout '{mapping.layout}' (expected long or wide)",
                          file=table.path, field="layout")
    data.notes = notes
    return data


def _group_of(row: dict[str, str], mapping: SurveyMapping, table: Table, number: int) -> str:
    if mapping.fixed_group:
        return mapping.fixed_group.strip().casefold()
    value = row[mapping.group or ""].strip()
    if not value:
        raise SurveyError("the respondent group is empty", file=table.path, row=number,
                          field=mapping.group)
    return _relabel(mapping.group_values, value).strip().casefold()


def _relabel(labels: dict[str, str], value: str) -> str:
    """``value`` relabelled by ``labels`` (matched ignoring case and extra spaces)."""
    if not labels:
        return value
    if value in labels:
        return labels[value]
    wanted = " ".join(value.split()).casefold()
    for label, target in labels.items():
        if " ".join(label.split()).casefold() == wanted:
            return target
    return value


def _respondent_key(row: dict[str, str], id_col: str, table: Table, number: int) -> str:
    key = row[id_col].strip()
    if not key:
        raise SurveyError("the respondent id is empty", file=table.path, row=number,
                          field=id_col)
    return key


def _attributes(row: dict[str, str], keep: list[str]) -> dict[str, str]:
    return {c: row[c].strip() for c in keep}


def _attribute_columns(table: Table, mapping: SurveyMapping, used: set[str]) -> list[str]:
    if mapping.attributes is not None:
        for column in mapping.attributes:
            _require(table, column, "an attribute")
        return list(mapping.attributes)
    return [c for c in table.columns if c and c not in used]


class _Questions:
    """Recognises the survey's questions: the POET ones and those the codebooks declare."""

    def __init__(self, declared: tuple[DeclaredQuestion, ...]) -> None:
        self.declared = declared
        self.ids = (*QUESTIONS, *(q.id for q in declared if q.id not in QUESTIONS))
        self._seen: dict[str, str | None] = {}

    def __call__(self, value: str) -> str | None:
        if value not in self._seen:
            self._seen[value] = normalise_question(value, self.declared)
        return self._seen[value]

    def expected(self) -> str:
        return ", ".join(self.ids)


def _read_wide(table: Table, mapping: SurveyMapping, theme_names: list[str],
               recognise: _Questions) -> SurveyData:
    id_col = _require(table, mapping.id, "the respondent id")
    if not mapping.fixed_group:
        _require(table, mapping.group, "the respondent group")
    questions = dict(mapping.questions)
    if not questions:
        for column in table.columns:
            key = recognise(column) if column not in (id_col, mapping.group) else None
            if key and key not in questions and not column.casefold().endswith("themes"):
                questions[key] = column
    if not questions:
        raise SurveyError("no question columns found; name them (e.g. --question "
                          "worked_well=COLUMN)", file=table.path, row=1, field="questions")
    for key, column in questions.items():
        if key not in recognise.ids:
            raise SurveyError(f"unknown question '{key}' (expected: {recognise.expected()}; "
                              "a codebook may declare others)", file=table.path,
                              field="questions")
        _require(table, column, f"question {key}")
    theme_cols: dict[str, str] = {}
    if isinstance(mapping.themes, dict):
        for key, column in mapping.themes.items():
            if key not in questions:
                raise SurveyError(f"coding given for question '{key}' which has no text column",
                                  file=table.path, field="themes")
            theme_cols[key] = _require(table, column, f"existing coding of {key}")
    elif isinstance(mapping.themes, str):
        raise SurveyError("in the wide layout give one coding column per question "
                          "(question: column)", file=table.path, field="themes")
    binary: dict[str, dict[str, str]] = {}
    if mapping.theme_columns == "auto":
        by_name = {n.casefold(): n for n in theme_names}
        for column in table.columns:
            if ":" not in column:
                continue
            q_part, _, t_part = column.partition(":")
            qkey = recognise(q_part) or q_part.strip()
            name = theme_column_name(t_part, by_name)
            if qkey in questions and name:
                binary.setdefault(qkey, {})[column] = name
    used = {id_col, mapping.group or "", *questions.values(), *theme_cols.values(),
            *(c for cols in binary.values() for c in cols)}
    keep = _attribute_columns(table, mapping, used)
    respondents: list[RespondentRecord] = []
    answers: list[AnswerRecord] = []
    seen: dict[str, int] = {}
    for row, number in zip(table.rows, table.row_numbers, strict=True):
        key = _respondent_key(row, id_col, table, number)
        if key in seen:
            raise SurveyError(f"duplicate respondent id '{key}' (first on row {seen[key]})",
                              file=table.path, row=number, field=id_col)
        seen[key] = number
        group = _group_of(row, mapping, table, number)
        respondents.append(RespondentRecord(key, group, _attributes(row, keep), number))
        for qkey, column in questions.items():
            text = row[column]
            record = AnswerRecord(key=f"{key}:{qkey}", respondent_key=key, question=qkey,
                                  text=text.strip(), row=number)
            if qkey in theme_cols:
                record.themes, record.not_assigned = _coding(row[theme_cols[qkey]])
                record.themes_field = theme_cols[qkey]
            elif qkey in binary:
                record.themes, record.not_assigned = _binary_coding(row, binary[qkey], table,
                                                                    number)
                record.themes_field = next(iter(binary[qkey]))
            answers.append(record)
    return SurveyData(table.path, table.sha256, "wide", respondents, answers)


def _read_long(table: Table, mapping: SurveyMapping, theme_names: list[str],
               recognise: _Questions) -> SurveyData:
    id_col = _require(table, mapping.id, "the respondent id")
    q_col = _require(table, mapping.question, "the question")
    text_col = _require(table, mapping.text, "the answer text")
    if not mapping.fixed_group:
        _require(table, mapping.group, "the respondent group")
    answer_col = _require(table, mapping.answer_id, "the answer id") if mapping.answer_id else None
    themes_col = None
    if isinstance(mapping.themes, dict):
        raise SurveyError("in the long layout give one coding column", file=table.path,
                          field="themes")
    if mapping.themes:
        themes_col = _require(table, mapping.themes, "existing coding")
    binary: dict[str, str] = {}
    if mapping.theme_columns == "auto":
        by_name = {n.casefold(): n for n in theme_names}
        binary = {c: by_name[c.strip().casefold()] for c in table.columns
                  if c.strip().casefold() in by_name}
    used = {id_col, q_col, text_col, mapping.group or "", answer_col or "", themes_col or "",
            *binary}
    keep = _attribute_columns(table, mapping, used)
    respondents: dict[str, RespondentRecord] = {}
    answers: list[AnswerRecord] = []
    seen: dict[str, int] = {}
    for row, number in zip(table.rows, table.row_numbers, strict=True):
        key = _respondent_key(row, id_col, table, number)
        raw_question = row[q_col]
        qkey = recognise(raw_question)
        if qkey is None:
            raise SurveyError(f"cannot tell which question '{raw_question.strip()[:40]}' is "
                              f"(expected one of {recognise.expected()} or their wording; a "
                              "codebook may declare others, with their labels)",
                              file=table.path, row=number, field=q_col)
        group = _group_of(row, mapping, table, number)
        known = respondents.get(key)
        if known is None:
            respondents[key] = RespondentRecord(key, group, _attributes(row, keep), number)
        elif known.group != group:
            raise SurveyError(f"respondent '{key}' is in group '{known.group}' on row "
                              f"{known.row} but '{group}' here", file=table.path, row=number,
                              field=mapping.group)
        answer_key = row[answer_col].strip() if answer_col else f"{key}:{qkey}"
        if not answer_key:
            raise SurveyError("the answer id is empty", file=table.path, row=number,
                              field=answer_col)
        if answer_key in seen:
            what = "answer id" if answer_col else f"answer to {qkey} for respondent"
            raise SurveyError(f"duplicate {what} '{answer_key}' (first on row {seen[answer_key]})",
                              file=table.path, row=number, field=answer_col or q_col)
        seen[answer_key] = number
        record = AnswerRecord(key=answer_key, respondent_key=key, question=qkey,
                              text=row[text_col].strip(), row=number)
        if themes_col:
            record.themes, record.not_assigned = _coding(row[themes_col])
            record.themes_field = themes_col
        elif binary:
            record.themes, record.not_assigned = _binary_coding(row, binary, table, number)
            record.themes_field = next(iter(binary))
        answers.append(record)
    return SurveyData(table.path, table.sha256, "long", list(respondents.values()), answers)
