"""Survey import: formats, layouts, encodings, existing coding, and errors that name the row."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from themecoder.errors import SurveyError
from themecoder.store import Project
from themecoder.survey import (
    SurveyMapping,
    load_mapping,
    normalise_question,
    read_survey,
    read_table,
)

ROOT = Path(__file__).resolve().parents[1]
HOLDERS = ROOT / "codebooks" / "poet_holders.yaml"
CARERS = ROOT / "codebooks" / "poet_carers.yaml"

WIDE_ROWS = [
    {"respondent_id": "R1", "group": "holder", "council": "Northshire",
     "worked_well": "My social worker was brilliant – très bien £", "not_well": "Too many forms",
     "change": "", "worked_well_themes": "Staff", "not_well_themes": "Process",
     "change_themes": ""},
    {"respondent_id": "R2", "group": "holder", "council": "Westby",
     "worked_well": "fine", "not_well": "   ", "change": "More money please",
     "worked_well_themes": "Not assigned", "not_well_themes": "",
     "change_themes": "Funding/service level|Process"},
    {"respondent_id": "R3", "group": "carer", "council": "Westby",
     "worked_well": "Respite gave me a break", "not_well": "", "change": "",
     "worked_well_themes": "Life for carer", "not_well_themes": "", "change_themes": ""},
]
WIDE_MAPPING = SurveyMapping(
    layout="wide", questions={"worked_well": "worked_well", "not_well": "not_well",
                              "change": "change"},
    themes={"worked_well": "worked_well_themes", "not_well": "not_well_themes",
            "change": "change_themes"})


@pytest.fixture()
def project(tmp_path: Path) -> Project:
    from themecoder.codebook import load_codebook

    store = Project.create(tmp_path / "p.db")
    store.add_codebook(load_codebook(HOLDERS))
    store.add_codebook(load_codebook(CARERS))
    yield store
    store.close()


def write_csv(path: Path, rows: list[dict], encoding: str = "utf-8") -> Path:
    pd.DataFrame(rows).to_csv(path, index=False, encoding=encoding)
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_encodings_are_detected(tmp_path: Path, encoding: str) -> None:
    path = write_csv(tmp_path / "s.csv", WIDE_ROWS, encoding)
    data = read_survey(path, WIDE_MAPPING)
    first = data.answers[0]
    assert first.text == "My social worker was brilliant – très bien £"
    assert data.respondents[0].attributes == {"council": "Northshire"}


def test_xlsx_and_sav_read_like_csv(tmp_path: Path) -> None:
    import pyreadstat

    frame = pd.DataFrame(WIDE_ROWS)
    csv_data = read_survey(write_csv(tmp_path / "s.csv", WIDE_ROWS), WIDE_MAPPING)
    frame.to_excel(tmp_path / "s.xlsx", index=False)
    xlsx_data = read_survey(tmp_path / "s.xlsx", WIDE_MAPPING)
    pyreadstat.write_sav(frame, str(tmp_path / "s.sav"))
    sav_data = read_survey(tmp_path / "s.sav", WIDE_MAPPING)
    for other in (xlsx_data, sav_data):
        assert [(a.key, a.text, a.themes) for a in other.answers] == \
            [(a.key, a.text, a.themes) for a in csv_data.answers]


def test_sav_value_labels_become_attribute_text(tmp_path: Path) -> None:
    import pyreadstat

    frame = pd.DataFrame({"respondent_id": ["A", "B"], "group": ["holder", "holder"],
                          "age": [1.0, 2.0], "worked_well": ["Good PA", "ok"]})
    pyreadstat.write_sav(frame, str(tmp_path / "s.sav"),
                         variable_value_labels={"age": {1.0: "18-24", 2.0: "75+"}})
    data = read_survey(tmp_path / "s.sav", SurveyMapping(questions={"worked_well":
                                                                    "worked_well"}))
    assert [r.attributes["age"] for r in data.respondents] == ["18-24", "75+"]


def test_wide_layout_reads_coding_and_empty_answers(tmp_path: Path) -> None:
    data = read_survey(write_csv(tmp_path / "s.csv", WIDE_ROWS), WIDE_MAPPING)
    by_key = {a.key: a for a in data.answers}
    assert len(data.answers) == 9
    assert by_key["R1:worked_well"].themes == ["Staff"]
    assert by_key["R2:worked_well"].not_assigned and by_key["R2:worked_well"].themes == []
    assert by_key["R2:not_well"].text == "" and by_key["R2:not_well"].themes is None
    assert by_key["R2:change"].themes == ["Funding/service level", "Process"]
    assert data.groups == ["holder", "carer"]


def test_wide_layout_finds_question_columns_by_wording(tmp_path: Path) -> None:
    rows = [{"id": "1", "group": "holder", "What worked well?": "PA",
             "What did not work well?": "forms", "What would you change?": "nothing"}]
    data = read_survey(write_csv(tmp_path / "s.csv", rows), SurveyMapping(id="id"))
    assert {a.question for a in data.answers} == {"worked_well", "not_well", "change"}


def test_long_layout(tmp_path: Path) -> None:
    rows = [
        {"rid": "A", "grp": "Holder", "q": "What worked well?", "answer": "my PA", "age": "75+"},
        {"rid": "A", "grp": "Holder", "q": "What would you change?", "answer": "", "age": "75+"},
        {"rid": "B", "grp": "carer", "q": "not_well", "answer": "delays", "age": "45-64"},
    ]
    mapping = SurveyMapping(layout="long", id="rid", group="grp", question="q", text="answer")
    data = read_survey(write_csv(tmp_path / "l.csv", rows), mapping)
    assert [a.key for a in data.answers] == ["A:worked_well", "A:change", "B:not_well"]
    assert [r.group for r in data.respondents] == ["holder", "carer"]
    assert data.respondents[0].attributes == {"age": "75+"}


def test_binary_theme_columns(tmp_path: Path) -> None:
    rows = [{"respondent_id": "A", "group": "holder", "worked_well": "great staff",
             "worked_well:Staff": "1", "worked_well:Process": "0"},
            {"respondent_id": "B", "group": "holder", "worked_well": "ok",
             "worked_well:Staff": "0", "worked_well:Process": "0",
             "worked_well:Not assigned": "1"}]
    mapping = SurveyMapping(questions={"worked_well": "worked_well"}, theme_columns="auto")
    data = read_survey(write_csv(tmp_path / "b.csv", rows), mapping,
                       theme_names=["Staff", "Process", "Not assigned"])
    assert data.answers[0].themes == ["Staff"]
    assert data.answers[1].not_assigned
    assert "worked_well:Staff" not in data.respondents[0].attributes


@pytest.mark.parametrize("rows, mapping, field, row", [
    ([{"respondent_id": "A", "group": "holder", "worked_well": "x"},
      {"respondent_id": "A", "group": "holder", "worked_well": "y"}],
     SurveyMapping(questions={"worked_well": "worked_well"}), "respondent_id", 3),
    ([{"respondent_id": "A", "grp": "holder", "worked_well": "x"}],
     SurveyMapping(questions={"worked_well": "worked_well"}), "group", 1),
    ([{"respondent_id": "A", "group": "", "worked_well": "x"}],
     SurveyMapping(questions={"worked_well": "worked_well"}), "group", 2),
    ([{"rid": "A", "group": "holder", "q": "favourite colour", "t": "x"}],
     SurveyMapping(layout="long", id="rid", question="q", text="t"), "q", 2),
])
def test_errors_name_file_row_and_field(tmp_path: Path, rows: list[dict],
                                        mapping: SurveyMapping, field: str, row: int) -> None:
    path = write_csv(tmp_path / "bad.csv", rows)
    with pytest.raises(SurveyError) as info:
        read_survey(path, mapping)
    assert info.value.field == field
    assert info.value.row == row
    assert str(path) in str(info.value)


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(SurveyError, match="no such file"):
        read_table(tmp_path / "missing.csv")
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"this is not a workbook")
    with pytest.raises(SurveyError, match="cannot read"):
        read_table(bad)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(SurveyError, match="no header"):
        read_table(empty)


def test_import_into_project_and_reimport_adds_nothing(tmp_path: Path, project: Project) -> None:
    path = write_csv(tmp_path / "s.csv", WIDE_ROWS)
    first = project.import_survey(read_survey(path, WIDE_MAPPING))
    assert (first.respondents_added, first.answers_added, first.decisions_added) == (3, 9, 5)
    again = project.import_survey(read_survey(path, WIDE_MAPPING))
    assert (again.respondents_added, again.answers_added, again.decisions_added) == (0, 0, 0)
    status = {(r["group"], r["question"]): r for r in project.status()}
    holder_ww = status[("holder", "worked_well")]
    assert (holder_ww["answers"], holder_ww["commented"], holder_ww["coded"],
            holder_ww["not_assigned"]) == (2, 2, 1, 1)
    assert status[("holder", "not_well")]["commented"] == 1  # whitespace is no comment


def test_bad_theme_refuses_whole_import(tmp_path: Path, project: Project) -> None:
    rows = [dict(WIDE_ROWS[0]), dict(WIDE_ROWS[1], not_well="late",
                                     not_well_themes="Timelyness")]
    path = write_csv(tmp_path / "s.csv", rows)
    with pytest.raises(SurveyError) as info:
        project.import_survey(read_survey(path, WIDE_MAPPING))
    assert info.value.row == 3 and info.value.field == "not_well_themes"
    assert project.count_answers() == 0


def test_unknown_group_refused(tmp_path: Path, project: Project) -> None:
    rows = [dict(WIDE_ROWS[0], group="staff member")]
    with pytest.raises(SurveyError, match="no codebook"):
        project.import_survey(read_survey(write_csv(tmp_path / "s.csv", rows), WIDE_MAPPING))
    assert project.count_answers() == 0


def test_changed_text_for_same_answer_refused(tmp_path: Path, project: Project) -> None:
    project.import_survey(read_survey(write_csv(tmp_path / "a.csv", WIDE_ROWS), WIDE_MAPPING))
    changed = [dict(WIDE_ROWS[0], worked_well="something else")]
    with pytest.raises(SurveyError, match="different text"):
        project.import_survey(read_survey(write_csv(tmp_path / "b.csv", changed), WIDE_MAPPING))
    assert project.count_answers() == 9


def test_mapping_file(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("layout: long\nid: rid\nquestion: q\ntext: t\nattributes: [age]\n")
    mapping = load_mapping(path)
    assert (mapping.layout, mapping.id, mapping.attributes) == ("long", "rid", ["age"])
    path.write_text("layout: long\nid: rid\nqeustion: q\n")
    with pytest.raises(SurveyError) as info:
        load_mapping(path)
    assert info.value.line == 3 and info.value.field == "qeustion"


@pytest.mark.parametrize("label, key", [
    ("What worked well?", "worked_well"), ("What did NOT work well", "not_well"),
    ("What would you change?", "change"), ("How could we improve?", "change"),
    ("worked_well", "worked_well"), ("Q2", "not_well"), ("Favourite colour", None),
])
def test_normalise_question(label: str, key: str | None) -> None:
    assert normalise_question(label) == key


def test_doubled_quotes_far_into_a_csv_are_read(tmp_path: Path) -> None:
    lines = ["respondent_id,group,worked_well"]
    lines += [f"R{i},holder,plain answer number {i} with enough text to fill" for i in range(600)]
    lines.append('R600,holder,"She said ""thank you"", twice"')
    path = tmp_path / "q.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    data = read_survey(path, SurveyMapping(questions={"worked_well": "worked_well"}))
    assert data.answers[-1].text == 'She said "thank you", twice'


def test_semicolon_delimited_csv(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("respondent_id;group;worked_well\nR1;holder;Great, really\n",
                    encoding="utf-8")
    data = read_survey(path, SurveyMapping(questions={"worked_well": "worked_well"}))
    assert data.answers[0].text == "Great, really"
