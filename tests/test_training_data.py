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


def test_a_theme_without_a_column_has_no_examples_and_a_warning(tmp_path):
    # A theme added to the codebook this year: last year's coding has no column for it.
    path = write(tmp_path, "text,Staff\na,1\nb,0\n")
    td = read_training_data(path, CODEBOOK, text_col="text")
    assert td.Y.tolist() == [[1, 0], [0, 0]] and td.missing_columns == ["Funding/service level"]
    warnings = td.check(CODEBOOK)
    assert any("no 0/1 column for theme(s) 'Funding/service level'" in w and
               "keywords only" in w for w in warnings)
    assert any("only one theme has examples" in w for w in warnings)


def test_no_theme_column_at_all_is_an_error(tmp_path):
    path = write(tmp_path, "text,other\na,1\n")
    with pytest.raises(SurveyError, match="no 0/1 column named as any theme"):
        read_training_data(path, CODEBOOK, text_col="text")


def test_data_that_cannot_train_a_model_is_refused(tmp_path):
    blank = read_training_data(write(tmp_path, "text,themes\n ,Staff\n,\n", "blank.csv"),
                               CODEBOOK, text_col="text", themes_col="themes")
    with pytest.raises(SurveyError, match="every answer in the text column is blank"):
        blank.check(CODEBOOK)
    uncoded = read_training_data(write(tmp_path, "text,themes\na,\nb,Not assigned\n", "u.csv"),
                                 CODEBOOK, text_col="text", themes_col="themes")
    with pytest.raises(SurveyError, match="no answer has a theme"):
        uncoded.check(CODEBOOK)
    single = read_training_data(write(tmp_path, "text,themes\na,Staff\n", "s.csv"),
                                CODEBOOK, text_col="text", themes_col="themes")
    with pytest.raises(SurveyError, match="at least 2"):
        single.check(CODEBOOK)
    never = read_training_data(write(tmp_path, "text,themes\na,Staff\nb,\n", "n.csv"),
                               CODEBOOK, text_col="text", themes_col="themes")
    assert any("no answer has theme(s) 'Funding/service level'" in w
               for w in never.check(CODEBOOK))


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
