"""Read survey files (CSV, XLSX, SPSS .sav) in long or wide layout into answers.

* *Long* layout: one row per answer, with columns for the respondent id, the group,
  the question and the text.
* *Wide* layout: one row per respondent with one column per question, as survey
  platforms export.

Columns are named by a :class:`SurveyMapping` (built from options or a small YAML
mapping file). Questions are normalised to ``worked_well`` / ``not_well`` / ``change``.
Every other column is kept as a respondent attribute for crosstabs. Existing coding
(prior years' hand coding) may come along as a column of ``|``-separated theme names
or as one 0/1 column per theme.

All problems raise :class:`~themecoder.errors.SurveyError` naming the file, the row
and the column; nothing is returned half-read.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from themecoder.codebook import QUESTIONS
from themecoder.errors import SurveyError

NOT_ASSIGNED_LABELS = {"not assigned", "not_assigned", "vague", "n/a (vague)"}
"""Values of an existing-coding column that mean "deliberately not assigned"."""

_QUESTION_ALIASES: dict[str, str] = {
    "worked_well": "worked_well", "worked well": "worked_well", "ww": "worked_well",
    "what worked well": "worked_well", "q1": "worked_well", "good": "worked_well",
    "not_well": "not_well", "not well": "not_well", "did not work well": "not_well",
    "what did not work well": "not_well", "didn't work well": "not_well",
    "what didn't work well": "not_well", "q2": "not_well", "nw": "not_well",
    "change": "change", "would change": "change", "what would you change": "change",
    "q3": "change", "improve": "change",
}


def normalise_question(value: str) -> str | None:
    """Map a survey's question label to ``worked_well`` / ``not_well`` / ``change``.

    Returns ``None`` when the label is not recognisable.
    """
    key = re.sub(r"[?.!:]+$", "", " ".join(str(value).strip().casefold().split()))
    if key in _QUESTION_ALIASES:
        return _QUESTION_ALIASES[key]
    words = set(re.findall(r"[a-z']+", key))
    if words & {"change", "improve", "improved", "improvement", "better", "differently"}:
        return "change"
    if "well" in words or "good" in words:
        if words & {"not", "didn't", "didnt", "badly", "poorly"}:
            return "not_well"
        return "worked_well"
    if words & {"bad", "badly", "poorly", "problems", "problem"}:
        return "not_well"
    return None


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


_MAPPING_FIELDS = {f for f in SurveyMapping.__dataclass_fields__}


def load_mapping(path: str | Path) -> SurveyMapping:
    """Read a column-mapping YAML file.

    Raises:
        SurveyError: the file is missing or has unknown or wrongly typed fields.
    """
    path = Path(path)
    try:
        node = yaml.compose(path.read_text(encoding="utf-8-sig"), Loader=yaml.SafeLoader)
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise SurveyError("no such mapping file", file=path) from None
    except (yaml.YAMLError, UnicodeDecodeError, ValueError) as exc:
        mark = getattr(exc, "problem_mark", None)
        raise SurveyError(f"not valid YAML: {getattr(exc, 'problem', None) or exc}", file=path,
                          line=mark.line + 1 if mark else None) from None
    if not isinstance(data, dict):
        raise SurveyError("expected a mapping of fields", file=path, line=1)
    lines = {k.value: k.start_mark.line + 1 for k, _ in node.value} \
        if isinstance(node, yaml.MappingNode) else {}
    for key in data:
        if key not in _MAPPING_FIELDS:
            expected = ", ".join(sorted(_MAPPING_FIELDS))
            raise SurveyError(f"unknown field (expected one of: {expected})", file=path,
                              line=lines.get(key), field=str(key))
    for key in ("questions", "group_values"):
        if key in data and not isinstance(data[key], dict):
            raise SurveyError("expected a mapping", file=path, line=lines.get(key), field=key)
    if "attributes" in data and not isinstance(data["attributes"], list):
        raise SurveyError("expected a list of column names", file=path,
                          line=lines.get("attributes"), field="attributes")
    for key, value in data.items():
        if key not in ("questions", "group_values", "attributes", "themes") and value is not None \
                and not isinstance(value, str):
            raise SurveyError("expected a column name", file=path, line=lines.get(key), field=key)
    mapping = SurveyMapping(**data)
    if mapping.layout not in ("long", "wide"):
        raise SurveyError("must be 'long' or 'wide'", file=path, line=lines.get("layout"),
                          field="layout")
    for key in mapping.questions:
        if key not in QUESTIONS:
            raise SurveyError(f"unknown question '{key}' (expected: {', '.join(QUESTIONS)})",
                              file=path, line=lines.get("questions"), field="questions")
    return mapping


# --------------------------------------------------------------------------- reading tables


@dataclass
class Table:
    """A survey file read as text cells: ``rows[i][col]``; ``row_numbers[i]`` as a user sees it."""

    path: Path
    columns: list[str]
    rows: list[dict[str, str]]
    row_numbers: list[int]
    sha256: str
    encoding: str | None = None
    value_labels: dict[str, dict[Any, str]] = field(default_factory=dict)


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _decode(data: bytes, path: Path) -> tuple[str, str]:
    """Decode CSV bytes: UTF-8 (with or without BOM), else Windows-1252, else a detected charset."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
        return text, "cp1252"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise SurveyError("cannot tell the file's text encoding", file=path)
    return str(best), best.encoding


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        if value.is_integer():
            return str(int(value))
    return str(value)


def read_table(path: str | Path) -> Table:
    """Read a CSV, XLSX or SPSS ``.sav`` file as text cells.

    Raises:
        SurveyError: missing, unreadable, empty, or with duplicate column names.
    """
    path = Path(path)
    if not path.exists():
        raise SurveyError("no such file", file=path)
    if path.is_dir():
        raise SurveyError("is a folder, not a survey file", file=path)
    suffix = path.suffix.casefold()
    value_labels: dict[str, dict[Any, str]] = {}
    encoding = None
    try:
        if suffix in (".xlsx", ".xlsm"):
            columns, raw_rows = _read_xlsx(path)
            first_data_row = 2
        elif suffix == ".sav":
            columns, raw_rows, value_labels = _read_sav(path)
            first_data_row = 1
        else:
            columns, raw_rows, encoding = _read_csv(path)
            first_data_row = 2
    except SurveyError:
        raise
    except Exception as exc:  # noqa: BLE001 - any reader failure is a user-facing file problem
        raise SurveyError(f"cannot read the file as {suffix.lstrip('.') or 'CSV'}: "
                          f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}",
                          file=path) from None
    if not columns:
        raise SurveyError("the file has no header row", file=path)
    seen: set[str] = set()
    for name in columns:
        if name in seen:
            raise SurveyError("the column appears twice in the header", file=path, row=1,
                              field=name)
        seen.add(name)
    rows: list[dict[str, str]] = []
    numbers: list[int] = []
    for offset, raw in enumerate(raw_rows):
        cells = [_cell(v) for v in raw]
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns):]):
            raise SurveyError(f"the row has {len(cells)} cells but the header has {len(columns)}",
                              file=path, row=offset + first_data_row)
        cells += [""] * (len(columns) - len(cells))
        rows.append(dict(zip(columns, cells, strict=False)))
        numbers.append(offset + first_data_row)
    return Table(path=path, columns=columns, rows=rows, row_numbers=numbers,
                 sha256=file_sha256(path), encoding=encoding, value_labels=value_labels)


def _read_csv(path: Path) -> tuple[list[str], list[list[str]], str]:
    import csv

    text, encoding = _decode(path.read_bytes(), path)
    if "\x00" in text:
        raise SurveyError("the file contains NUL bytes: it does not look like a CSV file",
                          file=path)
    # Only the delimiter is sniffed (from the header line): sniffing quoting rules from a
    # sample can turn off doubled quotes that appear only further down the file.
    header_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=header_line.count) if header_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), csv.excel, delimiter=delimiter)
    try:
        all_rows = list(reader)
    except csv.Error as exc:
        raise SurveyError(f"malformed CSV: {exc}", file=path, row=reader.line_num) from None
    if not all_rows:
        return [], [], encoding
    header = [h.strip() for h in all_rows[0]]
    return header, all_rows[1:], encoding


def _read_xlsx(path: Path) -> tuple[list[str], list[list[Any]]]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    if not rows:
        return [], []
    header = [_cell(h).strip() for h in rows[0]]
    while header and not header[-1]:
        header.pop()
    return header, rows[1:]


def _read_sav(path: Path) -> tuple[list[str], list[list[Any]], dict[str, dict[Any, str]]]:
    """SPSS file with value labels applied, so coded attributes read as their labels."""
    import pyreadstat

    frame, meta = pyreadstat.read_sav(str(path), apply_value_formats=True)
    columns = [str(c) for c in frame.columns]
    rows = [list(record) for record in frame.astype(object).itertuples(index=False, name=None)]
    return columns, rows, dict(meta.variable_value_labels or {})


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

    @property
    def groups(self) -> list[str]:
        """The distinct respondent groups, in order of appearance."""
        return list(dict.fromkeys(r.group for r in self.respondents))


def _require(table: Table, column: str | None, what: str) -> str:
    if not column:
        raise SurveyError(f"no column given for {what}", file=table.path, field=what)
    if column not in table.columns:
        close = [c for c in table.columns if c.casefold() == column.casefold()]
        hint = f" (did you mean '{close[0]}'?)" if close else \
            f" (columns: {', '.join(table.columns[:12])}{'…' if len(table.columns) > 12 else ''})"
        raise SurveyError(f"required column '{column}' for {what} is missing{hint}",
                          file=table.path, row=1, field=column)
    return column


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
                theme_names: Iterable[str] | None = None) -> SurveyData:
    """Read a survey file into respondents and answers.

    Args:
        path: CSV, XLSX or SPSS ``.sav`` file.
        mapping: which columns mean what.
        theme_names: every theme name known to the project's codebooks; used to find
            0/1 coding columns when ``mapping.theme_columns == "auto"``.

    Raises:
        SurveyError: naming the file, row and column of the first problem.
    """
    table = read_table(path)
    if mapping.layout == "long":
        return _read_long(table, mapping, list(theme_names or ()))
    if mapping.layout == "wide":
        return _read_wide(table, mapping, list(theme_names or ()))
    raise SurveyError(f"unknown layout '{mapping.layout}' (expected long or wide)",
                      file=table.path, field="layout")


def _group_of(row: dict[str, str], mapping: SurveyMapping, table: Table, number: int) -> str:
    if mapping.fixed_group:
        return mapping.fixed_group.strip().casefold()
    value = row[mapping.group or ""].strip()
    if not value:
        raise SurveyError("the respondent group is empty", file=table.path, row=number,
                          field=mapping.group)
    value = mapping.group_values.get(value, value)
    return value.strip().casefold()


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


def _read_wide(table: Table, mapping: SurveyMapping, theme_names: list[str]) -> SurveyData:
    id_col = _require(table, mapping.id, "the respondent id")
    if not mapping.fixed_group:
        _require(table, mapping.group, "the respondent group")
    questions = dict(mapping.questions)
    if not questions:
        for column in table.columns:
            key = normalise_question(column) if column not in (id_col, mapping.group) else None
            if key and key not in questions and not column.casefold().endswith("themes"):
                questions[key] = column
    if not questions:
        raise SurveyError("no question columns found; name them (e.g. --question "
                          "worked_well=COLUMN)", file=table.path, row=1, field="questions")
    for key, column in questions.items():
        if key not in QUESTIONS:
            raise SurveyError(f"unknown question '{key}'", file=table.path, field="questions")
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
            qkey = normalise_question(q_part) or q_part.strip()
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


def _read_long(table: Table, mapping: SurveyMapping, theme_names: list[str]) -> SurveyData:
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
        qkey = normalise_question(raw_question)
        if qkey is None:
            raise SurveyError(f"cannot tell which question '{raw_question.strip()[:40]}' is "
                              f"(expected one of {', '.join(QUESTIONS)} or their wording)",
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
