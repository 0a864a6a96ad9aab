"""Fuzzing the survey readers and the mapping loader (hypothesis).

Whatever bytes a CSV or XLSX file holds and whatever a mapping file says, reading it either
works or raises a :class:`~themecoder.errors.SurveyError` (one line, naming the file);
through the command line that is exit code 2, no traceback, and the project unchanged.
Example counts are kept modest so the default test run stays quick.
"""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from pathlib import Path

import yaml
from bad_input import SAMPLE, invoke, new_project, project_rows
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from themecoder.errors import SurveyError
from themecoder.survey import SurveyMapping, load_mapping, read_survey, read_table

FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
FUZZ_CLI = settings(max_examples=20, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])

HEADERS = ["respondent_id", "group", "worked_well", "not_well", "change", "council"]
cell = st.text(alphabet=st.sampled_from(list('ab ,;"\'\t\n\r=+-@é£\x00\x1b[]\u202e')),
               max_size=12) | st.sampled_from(["holder", "carer", "", "R1", "R1 ", "1", "x"])
rows = st.lists(st.lists(cell, min_size=0, max_size=8), min_size=0, max_size=8)
MAPPINGS = [SurveyMapping(), SurveyMapping(layout="long", question="group", text="council"),
            SurveyMapping(attributes=["council"], themes={"worked_well": "change"})]


def _csv_bytes(header_first: bool, body: list[list[str]], delimiter: str, quoting: int,
               encoding: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, quoting=quoting)
    if header_first:
        writer.writerow(HEADERS)
    writer.writerows(body)
    return out.getvalue().encode(encoding, errors="replace")


csv_files = st.one_of(
    st.builds(_csv_bytes, st.booleans(), rows, st.sampled_from([",", ";", "\t"]),
              st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC]),
              st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"])),
    # hand-broken CSV: stray quotes, half rows, raw bytes
    st.builds(lambda parts: ("\r\n".join(",".join(p) for p in parts)).encode("utf-8"),
              st.lists(st.lists(st.text(alphabet=st.sampled_from(list('ab"\n,')),
                                        max_size=6), max_size=6), max_size=6)),
    st.binary(max_size=400),
)


def _read_everything(path: Path) -> None:
    """Read ``path`` as a table and with each mapping: SurveyError is the only way to fail."""
    try:
        read_table(path)
    except SurveyError as exc:
        assert str(path) in exc.one_line() and "\n" not in exc.one_line()
    for mapping in MAPPINGS:
        try:
            read_survey(path, mapping)
        except SurveyError as exc:
            assert "\n" not in exc.one_line()


def _read_bytes(content: bytes, name: str) -> None:
    """Write ``content`` to a file called ``name`` and read it every way (see above)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(content)
        _read_everything(path)


@FUZZ
@given(content=csv_files)
def test_any_csv_file_is_read_or_refused_in_one_line(content: bytes) -> None:
    _read_bytes(content, "survey.csv")


def _xlsx_bytes(header: list[str], body: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in body:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _damaged(data: bytes, at: int, junk: bytes) -> bytes:
    position = at % max(len(data), 1)
    return data[:position] + junk + data[position + len(junk):]


xlsx_value = st.one_of(st.none(), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
                       st.booleans(), st.text(alphabet=st.sampled_from(list("ab ,=+é[]")),
                                              max_size=10))
xlsx_files = st.one_of(
    st.builds(_xlsx_bytes, st.just(HEADERS) | st.lists(st.sampled_from(HEADERS + ["", "x"]),
                                                       max_size=6),
              st.lists(st.lists(xlsx_value, max_size=7), max_size=6)),
    st.builds(_damaged, st.builds(_xlsx_bytes, st.just(HEADERS), st.just([["R1", "holder",
                                                                            "ok"]])),
              st.integers(0, 10**6), st.binary(min_size=1, max_size=40)),
    st.binary(max_size=300),
)


@FUZZ
@given(content=xlsx_files)
def test_any_xlsx_file_is_read_or_refused_in_one_line(content: bytes) -> None:
    _read_bytes(content, "survey.xlsx")


yaml_scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                        st.text(max_size=8), st.sampled_from(["wide", "long", "auto",
                                                              "worked_well", "x"]))
yaml_value = st.recursive(yaml_scalar, lambda inner: st.lists(inner, max_size=3)
                          | st.dictionaries(st.text(max_size=6) | st.integers(), inner,
                                            max_size=3), max_leaves=8)
FIELDS = ["layout", "id", "group", "fixed_group", "question", "text", "answer_id", "questions",
          "themes", "theme_columns", "attributes", "group_values", "other"]
mapping_docs = st.one_of(
    st.dictionaries(st.sampled_from(FIELDS), yaml_value, max_size=5).map(
        lambda d: yaml.safe_dump(d, allow_unicode=True)),
    st.text(alphabet=st.sampled_from(list("ab:-[]{}#&*!|>'\"\n\t %@`,?")), max_size=60),
)


@FUZZ
@given(text=mapping_docs)
def test_any_mapping_file_loads_or_is_refused_in_one_line(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mapping.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            mapping = load_mapping(path)
        except SurveyError as exc:
            assert str(path) in exc.one_line() and "\n" not in exc.one_line()
            return
        assert isinstance(mapping, SurveyMapping)
        try:
            read_survey(SAMPLE / "current_year.csv", mapping)
        except SurveyError as exc:
            assert "\n" not in exc.one_line()


@FUZZ_CLI
@given(content=csv_files | xlsx_files, suffix=st.sampled_from([".csv", ".xlsx"]),
       mapping=st.none() | mapping_docs)
def test_import_of_any_file_is_exit_2_and_leaves_the_project_as_it_was(
        content: bytes, suffix: str, mapping: str | None, tmp_path_factory) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    project = new_project(folder)
    assert invoke("import", project, SAMPLE / "current_year.csv").exit_code == 0
    before = project_rows(project)
    survey = folder / f"survey{suffix}"
    survey.write_bytes(content)
    args = ["import", project, survey]
    if mapping is not None:
        (folder / "mapping.yaml").write_text(mapping, encoding="utf-8")
        args += ["--mapping", folder / "mapping.yaml"]
    result = invoke(*args)
    assert result.exit_code in (0, 2), (result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    if result.exit_code == 2:
        assert "Traceback" not in result.output
        assert len(result.stderr.strip().splitlines()) == 1
        assert project_rows(project) == before


def test_a_zip_that_is_not_a_workbook_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "survey.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    try:
        read_table(path)
    except SurveyError as exc:
        assert "cannot read the file as xlsx" in exc.one_line()
    else:
        raise AssertionError("a zip without a workbook was read")
