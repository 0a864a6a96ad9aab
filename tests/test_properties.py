"""Property-based tests: arbitrary content either loads or raises the project's own error."""

from __future__ import annotations

import string
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from themecoder.codebook import loads_codebook
from themecoder.errors import CodebookError, SurveyError
from themecoder.survey import SurveyMapping, load_mapping, read_survey

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

yaml_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20),
                         st.sampled_from(["holder", "Staff", "not_assigned", "1.0", "worked_well"]))
yaml_values = st.recursive(
    yaml_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.sampled_from(["id", "name", "version", "groups", "themes",
                                         "not_assigned", "definition", "keywords", "questions",
                                         "patterns", "x"]), children, max_size=6)),
    max_leaves=25)


@SETTINGS
@given(st.text(max_size=400))
def test_codebook_loader_on_arbitrary_text(text: str) -> None:
    try:
        loads_codebook(text, source="fuzz.yaml")
    except CodebookError as exc:
        assert "\n" not in str(exc)


@SETTINGS
@given(yaml_values)
def test_codebook_loader_on_arbitrary_yaml_structures(value: object) -> None:
    import yaml

    try:
        loads_codebook(yaml.safe_dump(value), source="fuzz.yaml")
    except CodebookError as exc:
        assert str(exc).startswith("fuzz.yaml")


csv_cell = st.text(alphabet=string.printable + "éü£–“”’\u00a0", max_size=15)


@SETTINGS
@given(st.lists(st.lists(csv_cell, min_size=1, max_size=5), min_size=0, max_size=8),
       st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
       st.sampled_from(["wide", "long"]))
def test_importer_on_arbitrary_csv(rows: list[list[str]], encoding: str, layout: str) -> None:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["respondent_id", "group", "question", "text"][: max(1, len(rows[0]))]
                    if rows else [])
    writer.writerows(rows)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.csv"
        path.write_bytes(buffer.getvalue().encode(encoding, errors="replace"))
        mapping = SurveyMapping(layout=layout, question="question", text="text")
        try:
            data = read_survey(path, mapping)
        except SurveyError as exc:
            assert "\n" not in str(exc)
        else:
            keys = [a.key for a in data.answers]
            assert len(keys) == len(set(keys))


@SETTINGS
@given(st.binary(max_size=300))
def test_importer_on_arbitrary_bytes(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for suffix in (".csv", ".xlsx", ".sav"):
            path = Path(tmp) / f"fuzz{suffix}"
            path.write_bytes(content)
            try:
                read_survey(path, SurveyMapping())
            except SurveyError:
                pass


@SETTINGS
@given(st.text(max_size=200))
def test_mapping_loader_on_arbitrary_text(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "m.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            load_mapping(path)
        except SurveyError:
            pass
