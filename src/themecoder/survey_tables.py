"""Read a survey file — CSV, XLSX or SPSS ``.sav`` — as a table of text cells.

Every cell is text (numbers as written, blanks as ``""``), every row keeps the number a
user sees in a spreadsheet, and nothing is returned half-read: a file that is missing,
empty, not of its kind, or broken refuses with a :class:`~themecoder.errors.SurveyError`
naming the file and the row. A CSV whose quote is never closed is refused at the row where
the quote opened, rather than silently swallowing the rows after it.
"""

from __future__ import annotations

import bisect
import csv
import hashlib
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from themecoder.errors import SurveyError


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
    text, encoding = _decode(path.read_bytes(), path)
    if "\x00" in text:
        raise SurveyError("the file contains NUL bytes: it does not look like a CSV file",
                          file=path)
    # Only the delimiter is sniffed (from the header line): sniffing quoting rules from a
    # sample can turn off doubled quotes that appear only further down the file.
    header_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=header_line.count) if header_line else ","
    # a cell may hold the whole file (a long answer), never more
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    reader = csv.reader(io.StringIO(text, newline=""), csv.excel, delimiter=delimiter)
    all_rows: list[list[str]] = []
    last_lines: list[int] = []  # the file line on which each record ends
    try:
        for record in reader:
            all_rows.append(record)
            last_lines.append(reader.line_num)
    except csv.Error as exc:
        raise SurveyError(f"malformed CSV: {exc}", file=path, row=reader.line_num) from None
    if not all_rows:
        return [], [], encoding
    header = [h.strip() for h in all_rows[0]]
    _check_quotes(text, delimiter, header, all_rows, last_lines, path)
    return header, all_rows[1:], encoding


def _check_quotes(text: str, delimiter: str, header: list[str], records: list[list[str]],
                  last_lines: list[int], path: Path) -> None:
    """Refuse a quote that swallows rows: one never closed, or one that runs over lines that
    read as rows of their own (a quote opened by mistake and closed by another row's quote).

    Multi-line answers are fine. A line inside a quoted cell counts as a swallowed row only
    when it splits into exactly as many cells as the header (in a file of three or more
    columns) and its first cell has the shape of the rows' first cells (``R011`` like
    ``R010``: the respondent ids), which a line of an answer almost never has.
    """
    if '"' not in text:
        return
    d = re.escape(delimiter)
    # a quote that opens a cell (after a delimiter, a line break or at the start) and its
    # cell up to the closing quote or the end of the file; starting with the quote lets the
    # regular-expression engine jump from quote to quote
    quoted = re.compile(rf'"(?<![^{d}\r\n]")[^"]*(?:""[^"]*)*("|\Z)')
    newlines: list[int] = []
    shapes: list[str | None] = []  # the usual shape of first cells, worked out when needed

    def line_of(offset: int) -> int:
        if not newlines:
            newlines.extend(m.start() for m in re.finditer("\n", text))
        return bisect.bisect_right(newlines, offset) + 1

    for match in quoted.finditer(text):
        start, end = match.span()
        if match.group(1) and text.find("\n", start, end) < 0 and text.find("\r", start, end) < 0:
            continue
        body = match.group(0)
        if not match.group(1):
            line = line_of(match.start())
            raise SurveyError(f"a quote opened here (line {line} of the file) is never closed, "
                              "so every row after it would be read into this cell; close the "
                              'quote, or write a quote inside a quoted cell as ""',
                              **_where(path, header, records, last_lines, line, body))
        if len(header) < 3:
            continue
        lines = body[1:-1].splitlines()[1:1001]
        swallowed = []
        for number, item in enumerate(lines, start=1):
            if item.count(delimiter) < len(header) - 1:
                continue  # too few delimiters to be a row
            cells = next(csv.reader([item], delimiter=delimiter), [])
            if len(cells) != len(header):
                continue
            if not shapes:
                step = max(1, len(records) // 2000)
                shapes.append(_usual_shape([r[0] for r in records[1::step] if r]))
            if shapes[0] is not None and _shape(cells[0]) == shapes[0]:
                swallowed.append(number)
        if swallowed:
            line = line_of(match.start())
            first = lines[swallowed[0] - 1]
            raise SurveyError(f"a quote opened here (line {line} of the file) runs over "
                              f"{len(swallowed)} line(s) that read as rows of their own (line "
                              f"{line + swallowed[0]}: '{first[:40]}'); is a closing quote "
                              "missing?", **_where(path, header, records, last_lines, line, body))


def _where(path: Path, header: list[str], records: list[list[str]], last_lines: list[int],
           line: int, body: str) -> dict[str, Any]:
    """File, row and column of the record holding the quoted cell that starts ``body``."""
    record = min(bisect.bisect_left(last_lines, line), len(records) - 1)
    return {"file": path, "row": record + 1,
            "field": _cell_column(records[record], header, body[1:41])}


def _shape(cell: str) -> str:
    """A cell's shape: capitals ``A``, small letters ``a``, digits ``9``, runs collapsed
    (``R0117`` → ``A9``, ``2026-0001`` → ``9-9``)."""
    out: list[str] = []
    for char in cell.strip():
        kind = "9" if char.isdigit() else "A" if char.isupper() else "a" if char.islower() \
            else char
        if not out or out[-1] != kind:
            out.append(kind)
    return "".join(out)


def _usual_shape(cells: list[str]) -> str | None:
    """The shape most first cells share, when at least half of them do."""
    if not cells:
        return None
    shape, count = Counter(_shape(c) for c in cells).most_common(1)[0]
    return shape if shape and count * 2 >= len(cells) else None


def _cell_column(record: list[str], header: list[str], start: str) -> str | None:
    """The header of the cell in ``record`` that begins with ``start`` (for messages)."""
    for index, cell in enumerate(record):
        if cell.startswith(start.replace('""', '"')[:20]) and index < len(header):
            return header[index]
    return None


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
