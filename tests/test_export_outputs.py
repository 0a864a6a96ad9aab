"""Export files: CSV, Markdown, XLSX (with native charts), charts, merged data, SPSS, CLI.

Built on the hand-checked fixture of ``test_export_tally.py``.
"""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pyreadstat
import pytest
from click.testing import CliRunner
from test_export_tally import build_project

from themecoder.cli import cli
from themecoder.export import export_project
from themecoder.export.merged import spss_names
from themecoder.export.tally import COUNT_COLUMNS, SUMMARY_COLUMNS
from themecoder.safe_cells import neutralise
from themecoder.store import Project
from themecoder.survey import SurveyMapping, read_survey

HYPERLINK = '=HYPERLINK("http://x","y")'


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory):
    """The unfinished fixture project exported in every format, broken down by council."""
    root = tmp_path_factory.mktemp("export")
    with build_project(root) as store:
        result = export_project(store, root / "out", by=["council"])
        yield result, root / "out", store.location, store


def rows_of(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_files_written(exported) -> None:
    result, out, *_ = exported
    names = [p.name for p in result.files]
    assert names == ["theme_counts.csv", "summary.csv", "crosstab_council.csv",
                     "chi_square_council.csv", "theme_counts.xlsx", "theme_counts.md",
                     "chart_holder.png", "chart_holder.svg", "chart_carer.png",
                     "chart_carer.svg", "coded_data.csv", "coded_data.xlsx", "coded_data.sav",
                     "export_settings.yaml", "metadata.json"]
    assert all((out / n).stat().st_size > 0 for n in names)
    assert result.unfinished
    assert "not coded yet" in result.warning


def test_tidy_csv(exported) -> None:
    _, out, *_ = exported
    rows = rows_of(out / "theme_counts.csv")
    assert list(rows[0]) == COUNT_COLUMNS
    assert len(rows) == 18 * 3 + 12 * 3
    staff = next(r for r in rows if r["group"] == "holder" and r["question"] == "worked_well"
                 and r["theme_id"] == "staff")
    assert staff == {"group": "holder", "question": "worked_well",
                     "question_label": "What worked well", "theme_id": "staff",
                     "theme_name": "Staff", "comments": "1", "pct_of_commenters": "33.3",
                     "rank": "1", "commenters": "3", "respondents": "4",
                     "theme_status": "current", "note": ""}
    summary = rows_of(out / "summary.csv")
    assert list(summary[0]) == SUMMARY_COLUMNS
    change = next(r for r in summary if r["group"] == "holder" and r["question"] == "change")
    assert (change["commented"], change["coded"], change["to_do"]) == ("2", "1", "1")
    crosstab = rows_of(out / "crosstab_council.csv")
    assert {r["level"] for r in crosstab} == {"North", "South"}
    tests = rows_of(out / "chi_square_council.csv")
    assert len(tests) == len(rows)


def test_markdown(exported) -> None:
    _, out, location, _ = exported
    text = (out / "theme_counts.md").read_text(encoding="utf-8")
    assert text.startswith("# Theme counts: Fixture survey\n")
    assert "**UNFINISHED: 1 commented answer(s) are not coded yet" in text
    assert f"- **Location:** {location}" in text
    assert "poet_holders v1.0" in text and "Coders:** alice, bob, carol, dana" in text
    assert "adjudicated decision first" in text
    assert "| holder | What worked well | 4 | 3 | 75.0 % | 2 | 1 | 0 |" in text
    assert "75.0 % commented on what worked well" in text
    assert ("| Theme | What worked well | What did not work well | What would you change "
            "| Total |") in text
    assert "| Staff | 1 (33.3 %) | 0 (0.0 %) | 0 (0.0 %) | 1 |" in text
    assert "| *Not coded yet* | 0 | 0 | 1 | 1 |" in text
    assert "## By council: chi-square tests" in text


def test_charts(exported) -> None:
    _, out, *_ = exported
    assert (out / "chart_holder.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = (out / "chart_holder.svg").read_text(encoding="utf-8")
    assert "Figure 12. Personal budget holders' comments on what worked well" in svg
    assert "Number of comments" in svg
    assert "What did not work well: 75.0 % commented (3 of 4)" in svg
    assert "n = 4 personal budget holders" in svg
    assert "UNFINISHED: 1 commented answer(s) not coded yet" in svg
    assert "Fixture survey" not in svg and "alice" not in svg  # provenance is in metadata.json
    carer = (out / "chart_carer.svg").read_text(encoding="utf-8")
    assert "Figure 20. Carers' comments on what worked well" in carer


def test_workbook_sheets_charts_and_formats(exported) -> None:
    _, out, *_ = exported
    path = out / "theme_counts.xlsx"
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Summary", "holder", "holder figure", "carer", "carer figure",
                               "by council", "Quotes", "Metadata"]
    holder = book["holder"]
    values = [[c.value for c in row] for row in holder.iter_rows()]
    header = next(i for i, r in enumerate(values) if r[0] == "Theme")
    assert values[header][1] == "What worked well: comments"
    staff = next(r for r in holder.iter_rows(min_row=header + 2) if r[0].value == "Staff")
    # stored as shown: 33.3 %, not the raw fraction
    assert staff[1].value == 1 and staff[2].value == 0.333
    assert staff[2].number_format == "0.0%"
    assert "UNFINISHED" in str(book["Summary"]["A2"].value)
    meta = {r[0].value: r[1].value for r in book["Metadata"].iter_rows(min_row=3)}
    assert meta["Project"] == "Fixture survey" and "alice" in meta["Coders"]
    with zipfile.ZipFile(path) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 2  # one grouped figure per group
        chart = archive.read(charts[0]).decode()
        assert "<c:barChart>" in chart and "<c:barDir val=\"bar\"/>" in chart
        assert chart.count("<c:ser>") == 3 and "<c:dLbls>" in chart


def test_formulas_are_neutralised(exported) -> None:
    _, out, *_ = exported
    # the CSV is data: text exactly as imported (the XLSX is for spreadsheets)
    rows = {r["respondent_id"]: r for r in rows_of(out / "coded_data.csv")}
    assert rows["H1"]["not_well"] == HYPERLINK
    assert rows["H2"]["change"] == "+1 more money please"
    assert rows["H3"]["change"] == "@SUM(A1) of everything"
    assert rows["H1"]["worked_well"] == "The staff were great, thank you"
    book = openpyxl.load_workbook(out / "coded_data.xlsx")
    sheet = book["Coded data"]
    header = [c.value for c in sheet[1]]
    cells = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    cell = cells["H1"][header.index("not_well")]
    assert cell.value == "'" + HYPERLINK and cell.data_type == "s"
    for row in sheet.iter_rows():
        for c in row:
            assert c.data_type != "f"
            assert not (isinstance(c.value, str) and c.value.startswith(tuple("=+-@\t\r")))
    assert cells["H3"][header.index("change")].value == "'@SUM(A1) of everything"


def test_merged_data_values(exported) -> None:
    _, out, *_ = exported
    rows = {r["respondent_id"]: r for r in rows_of(out / "coded_data.csv")}
    assert list(rows["H1"])[:6] == ["respondent_id", "group", "council", "worked_well",
                                    "not_well", "change"]
    h1, h2, h3, h4, c1 = (rows[k] for k in ("H1", "H2", "H3", "H4", "C1"))
    assert (h1["worked_well:Staff"], h1["worked_well:Positive"],
            h1["worked_well:Support [holder]"]) == ("1", "1", "0")
    # holders' and carers' Support are defined differently: one column per group
    assert h1["worked_well:Support [carer]"] == "" and c1["worked_well:Support [carer]"] == "0"
    assert "worked_well:Support" not in h1
    assert h1["worked_well:Not assigned"] == "0"
    assert h4["worked_well:Not assigned"] == "1" and h4["worked_well:Staff"] == "0"
    assert h3["worked_well:Staff"] == ""          # no comment
    assert h3["change:Process [holder]"] == ""    # commented but not coded yet
    assert h2["change:Funding/service level"] == "1" and h2["change:Advice [holder]"] == "0"
    assert h4["not_well:Process [holder]"] == "1"
    assert h4["not_well:Managing budget [holder]"] == "1"
    assert c1["worked_well:Life for carer"] == "1"
    assert c1["worked_well:Staff"] == ""          # not a carer theme
    assert h1["worked_well:Life for carer"] == ""  # not a holder theme


def test_sav_round_trip(exported) -> None:
    _, out, *_ = exported
    frame, meta = pyreadstat.read_sav(str(out / "coded_data.sav"))
    csv_frame = pd.read_csv(out / "coded_data.csv", encoding="utf-8-sig", dtype=str,
                            keep_default_na=False)
    names = dict(zip(csv_frame.columns, frame.columns, strict=True))
    assert names["worked_well:Staff"] == "ww_staff"
    assert names["not_well:Not assigned"] == "nw_not_assigned"
    assert names["change:Funding/service level"] == "ch_funding_service_level"
    for name in frame.columns:
        assert len(name) <= 64 and name[0].isalpha() and ":" not in name and " " not in name
    labels = meta.column_names_to_labels
    assert labels["ww_staff"] == "What worked well — Staff"
    assert labels["council"] == "council"
    assert meta.variable_value_labels["ww_staff"] == {0: "No", 1: "Yes"}
    assert meta.file_label.startswith("themecoder 20") and "UTC: Fixture survey" in \
        meta.file_label
    assert meta.original_variable_types["ww_staff"] == "F1.0"
    assert any("Decision rule" in n for n in (meta.notes or []))
    for column, name in names.items():
        expected = csv_frame[column].tolist()
        got = frame[name].tolist()
        if ":" in column:
            got = ["" if pd.isna(v) else str(int(v)) for v in got]
        assert got == expected, column


def test_xlsx_merged_round_trip(exported) -> None:
    _, out, *_ = exported
    book = pd.read_excel(out / "coded_data.xlsx", sheet_name=None, dtype=object)
    data = book["Coded data"].fillna("")
    csv_frame = pd.read_csv(out / "coded_data.csv", encoding="utf-8-sig", dtype=str,
                            keep_default_na=False)
    assert list(data.columns) == list(csv_frame.columns)
    for column in csv_frame.columns:
        got = [str(int(v)) if isinstance(v, int | float) and v != "" else str(v)
               for v in data[column]]
        # the workbook is for spreadsheets: formula-like text is neutralised there only
        expected = [neutralise(v) for v in csv_frame[column].tolist()]
        assert got == expected, column
    labels = dict(zip(book["Variables"]["Column"], book["Variables"]["Label"], strict=True))
    assert labels["worked_well:Staff"] == "What worked well — Staff"


def test_merged_csv_imports_back(tmp_path: Path) -> None:
    """`import --theme-columns` reads the merged file back to the same counts."""
    from themecoder.codebook import load_codebook
    from themecoder.export.tally import tally

    root = Path(__file__).resolve().parents[1]
    (tmp_path / "a").mkdir()
    with build_project(tmp_path / "a", finish=True) as store:
        export_project(store, tmp_path / "out", formats=["csv"])
        before = tally(store).counts
    with Project.create(tmp_path / "b.themecoder") as again:
        for name in ("poet_holders.yaml", "poet_carers.yaml"):
            again.add_codebook(load_codebook(root / "codebooks" / name))
        names = [t.name for cb in again.codebooks() for t in cb.themes] + ["Not assigned"]
        data = read_survey(tmp_path / "out" / "coded_data.csv",
                           SurveyMapping(theme_columns="auto"), theme_names=names)
        again.import_survey(data)
        after = tally(again).counts
        attrs = again.answer_by_key("H1:worked_well").attributes
    pd.testing.assert_frame_equal(before, after)
    assert attrs == {"council": "North"}


def test_metadata_json(exported) -> None:
    result, out, location, _ = exported
    meta = json.loads((out / "metadata.json").read_text(encoding="utf-8"))
    assert meta["project"] == "Fixture survey" and meta["location"] == location
    assert meta["codebooks"][0] == {"group": "holder", "codebook_id": "poet_holders",
                                    "codebook_version": "1.0",
                                    "codebook_name": "POET personal budget holders"}
    assert meta["coders"] == ["alice", "bob", "carol", "dana"]
    assert meta["unfinished"] is True and meta["to_do"] == 1
    assert "adjudicated" in meta["decision_rule"] and meta["created_at"]
    assert meta["by"] == ["council"]
    assert "coded_data.sav" in meta["files"]
    assert result.metadata["project"] == "Fixture survey"


def test_password_is_redacted_in_metadata(exported, monkeypatch, tmp_path: Path) -> None:
    *_, store = exported
    monkeypatch.setattr(store, "location", "postgresql://me:secret@db.example/poet")
    result = export_project(store, tmp_path / "o", formats=["md"])
    text = (tmp_path / "o" / "theme_counts.md").read_text() + \
        (tmp_path / "o" / "metadata.json").read_text()
    assert "secret" not in text
    assert result.metadata["location"] == "postgresql://me:***@db.example/poet"


def test_cli_happy_path(exported, tmp_path: Path) -> None:
    _, _, location, _ = exported
    result = CliRunner().invoke(cli, ["export", location, "--out", str(tmp_path / "o"),
                                      "--format", "csv", "--format", "md", "--coder", "alice"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [Path(x).name for x in lines] == ["theme_counts.csv", "summary.csv",
                                             "theme_counts.md", "coded_data.csv",
                                             "export_settings.yaml", "metadata.json"]
    assert result.stderr.startswith("warning: UNFINISHED: 1 commented answer")
    meta = json.loads((tmp_path / "o" / "metadata.json").read_text())
    assert meta["preferred_coder"] == "alice"


@pytest.mark.parametrize("extra", [["--by", "region"], ["--out-is-file"]])
def test_cli_errors_are_one_line(exported, tmp_path: Path, extra: list[str]) -> None:
    _, _, location, _ = exported
    out = tmp_path / "o"
    if extra == ["--out-is-file"]:
        out.write_text("a file")
        extra = []
    result = CliRunner().invoke(cli, ["export", location, "--out", str(out), *extra])
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("error: ")
    assert ("region" in result.stderr) if extra else ("is not a folder" in result.stderr)


def test_spss_names_are_valid_and_unique() -> None:
    names = spss_names(["1st answer", "a b:c", "worked_well:Staff", "x" * 80, "x" * 81, "BY"],
                       {"worked_well:Staff": "ww_staff"})
    assert names["1st answer"] == "v_1st_answer"
    assert names["a b:c"] == "a_b_c" and names["worked_well:Staff"] == "ww_staff"
    assert len(names["x" * 80]) == 64 and names["x" * 81] != names["x" * 80]
    assert names["BY"] == "BY_"


def test_sav_notes_fit_80_bytes_with_dashes_and_accents(tmp_path: Path) -> None:
    # an SPSS document line holds 80 bytes: a dash or an accented letter takes two or three,
    # so text wrapped at 80 characters can be refused by the writer
    name = "Enquête annuelle – résultats détaillés par région ⸺ " * 4
    with build_project(tmp_path) as store:
        store.set_info("name", name)
        export_project(store, tmp_path / "out", formats=["sav"])
    _frame, meta = pyreadstat.read_sav(str(tmp_path / "out" / "coded_data.sav"))
    notes = meta.notes or []
    assert notes and all(len(line.encode("utf-8")) <= 80 for line in notes)
    assert " ".join(notes).startswith(f"Project: {name.strip()}"[:60])
