"""Reading hand-coded answers for training: columns, theme names, filters, questions."""

from __future__ import annotations

import pytest

from themecoder.codebook import loads_codebook
from themecoder.errors import SurveyError
from themecoder.suggest.training_data import parse_filters, read_training_data

CODEBOOK = loads_codebook("""\
id: toy
name: Toy
version: "2.0"
groups: [holder, carer]
not_assigned: {id: not_assigned, name: Not assigned}
themes:
  - {id: staff, name: Staff, definition: People.}
  - {id: money, name: Funding/service level, definition: Money.}
""")


def write(tmp_path, text: str, name: str = "coded.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_themes_column_with_names_ids_not_assigned_and_empty(tmp_path):
    path = write(tmp_path, "group,question,text,themes\n"
                 "holder,What worked well?,kind staff,Staff\n"
                 "holder,What would you change?,more money and staff,funding/service level| staff\n"
                 "carer,Q2,meh,Not assigned\n"
                 "holder,odd question,nothing,\n")
    td = read_training_data(path, CODEBOOK, text_col="text", question_col="question",
                            themes_col="themes")
    assert td.texts == ["kind staff", "more money and staff", "meh", "nothing"]
    assert td.Y.tolist() == [[1, 0], [1, 1], [0, 0], [0, 0]]
    assert td.questions == ["worked_well", "change", "not_well", "odd question"]
    assert td.theme_ids == ["staff", "money"] and td.row_numbers == [2, 3, 4, 5]


def test_filters_select_rows(tmp_path):
    path = write(tmp_path, "group,text,themes\nholder,a,Staff\nCarer,b,Staff\ncarer,c,\n")
    td = read_training_data(path, CODEBOOK, text_col="text", themes_col="themes",
                            filters=["group=carer"])
    assert td.texts == ["b", "c"] and td.questions is None
    with pytest.raises(SurveyError, match="no rows matching group=nobody"):
        read_training_data(path, CODEBOOK, text_col="text", themes_col="themes",
                           filters=["group=nobody"])
    with pytest.raises(SurveyError, match="COL=VALUE"):
        parse_filters(["group"])


def test_one_binary_column_per_theme_name(tmp_path):
    path = write(tmp_path, "text,Staff,Funding/service level,other\n"
                 "a,1,0,x\nb,0.0,1.0,y\nc,,,z\n")
    td = read_training_data(path, CODEBOOK, text_col="text")
    assert td.Y.tolist() == [[1, 0], [0, 1], [0, 0]]


def test_bad_binary_value_names_row_and_column(tmp_path):
    path = write(tmp_path, "text,Staff,Funding/service level\na,1,0\nb,maybe,0\n")
    with pytest.raises(SurveyError) as err:
        read_training_data(path, CODEBOOK, text_col="text")
    assert "row 3" in str(err.value) and "'Staff'" in str(err.value)


def test_missing_theme_columns_are_named(tmp_path):
    path = write(tmp_path, "text,Staff\na,1\n")
    with pytest.raises(SurveyError, match="Funding/service level"):
        read_training_data(path, CODEBOOK, text_col="text")


def test_unknown_theme_name_names_the_row(tmp_path):
    path = write(tmp_path, "text,themes\na,Staff\nb,Staff|Weather\n")
    with pytest.raises(SurveyError) as err:
        read_training_data(path, CODEBOOK, text_col="text", themes_col="themes")
    message = str(err.value)
    assert "row 3" in message and "Weather" in message and "coded.csv" in message


def test_missing_column_is_named(tmp_path):
    path = write(tmp_path, "text,themes\na,Staff\n")
    with pytest.raises(SurveyError, match="no question column 'q'"):
        read_training_data(path, CODEBOOK, text_col="text", question_col="q",
                           themes_col="themes")


def test_reads_xlsx(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["text", "question", "themes"])
    sheet.append(["kind staff", "What did not work well?", "Staff"])
    sheet.append([None, "change", None])
    path = tmp_path / "coded.xlsx"
    book.save(path)
    td = read_training_data(path, CODEBOOK, text_col="text", question_col="question",
                            themes_col="themes")
    assert td.texts == ["kind staff", ""] and td.questions == ["not_well", "change"]
    assert td.Y.tolist() == [[1, 0], [0, 0]]
