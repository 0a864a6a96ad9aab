"""Report-ready numbers: one rounding rule, honest tests, codebook versions, non-answers, text
kept exactly in data files, and the export settings block."""

from __future__ import annotations

import csv
import dataclasses
import json
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pyreadstat
import pytest
from click.testing import CliRunner
from scipy.stats import chi2_contingency

from themecoder.cli import cli
from themecoder.codebook import Codebook, NonAnswers, Theme, load_codebook
from themecoder.errors import ExportError
from themecoder.export import export_project
from themecoder.export.numbers import format_p, holm, pct, round_half_up
from themecoder.export.settings import DEFAULT_TITLES, loads_settings
from themecoder.export.tally import tally
from themecoder.report import write_report
from themecoder.store import Project
from themecoder.survey import SurveyMapping, read_survey

ROOT = Path(__file__).resolve().parents[1]
HOLDERS = ROOT / "codebooks" / "poet_holders.yaml"


def make_project(tmp_path: Path, rows: list[tuple[str, ...]], *,
                 codebook: Codebook | None = None) -> Project:
    """A holder-only project from (id, region, worked_well, not_well, change) rows."""
    path = tmp_path / "survey.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["respondent_id", "group", "region", "worked_well", "not_well",
                         "change"])
        for rid, region, *answers in rows:
            writer.writerow([rid, "holder", region, *answers])
    project = Project.create(tmp_path / "p.themecoder", name="Honesty")
    project.add_codebook(codebook or load_codebook(HOLDERS))
    project.import_survey(read_survey(path, SurveyMapping()))
    return project


def ids(project: Project) -> dict[str, int]:
    return {a.key: a.id for a in project.answers()}


# --------------------------------------------------------------------------- rounding


def test_one_rounding_rule_half_up() -> None:
    assert round_half_up(6.25, 1) == 6.3 and round(6.25, 1) == 6.2  # not Python's rule
    assert pct(1, 16) == 6.3 and pct(1, 3) == 33.3 and pct(2, 3) == 66.7
    assert pct(0, 0) != pct(0, 0)  # NaN
    assert format_p(0.0004) == "< 0.001" and format_p(0.012345) == "0.0123"
    assert format_p(0.5) == "0.500" and format_p(0.0015) == "0.00150"


def test_half_is_rounded_up_in_every_format(tmp_path: Path) -> None:
    """1 of 16 commenters = 6.25 %: CSV, Markdown and XLSX all say 6.3."""
    rows = [(f"R{i:02d}", "North", f"answer number {i}", "", "") for i in range(16)]
    with make_project(tmp_path, rows) as project:
        key = ids(project)
        project.record_decision(key["R00:worked_well"], "ann", ["staff"])
        for i in range(1, 16):
            project.record_decision(key[f"R{i:02d}:worked_well"], "ann", ["positive"])
        export_project(project, tmp_path / "out", formats=["csv", "md", "xlsx"])
    counts = pd.read_csv(tmp_path / "out" / "theme_counts.csv", encoding="utf-8-sig")
    staff = counts[(counts.theme_id == "staff") & (counts.question == "worked_well")]
    assert staff["pct_of_commenters"].tolist() == [6.3]
    assert "| Staff | 1 (6.3 %) |" in (tmp_path / "out" / "theme_counts.md").read_text()
    sheet = openpyxl.load_workbook(tmp_path / "out" / "theme_counts.xlsx")["holder"]
    cell = next(r for r in sheet.iter_rows() if r[0].value == "Staff")[2]
    assert cell.value == 0.063 and cell.number_format == "0.0%"


# --------------------------------------------------------------------------- tests


def test_holm_matches_hand_computation() -> None:
    # sorted 0.005, 0.01, 0.03, 0.04 → ×4, ×3, ×2, ×1 → 0.02, 0.03, 0.06, 0.04→max 0.06
    assert holm([0.01, 0.04, 0.03, float("nan"), 0.005]) == pytest.approx(
        [0.03, 0.06, 0.06, float("nan"), 0.02], nan_ok=True)


def test_yates_is_named_and_holm_is_beside_raw_p(tmp_path: Path) -> None:
    rows = [(f"R{i:02d}", ["North", "South", "East"][i % 3] if i < 30 else
             ["North", "South"][i % 2], f"text {i}", "", "") for i in range(40)]
    with make_project(tmp_path, rows) as project:
        key = ids(project)
        for i in range(40):
            themes = ["staff"] if i % 3 == 0 else ["positive"]
            project.record_decision(key[f"R{i:02d}:worked_well"], "ann", themes)
        three = tally(project, by=["region"]).tests["region"]
    staff = three[(three.theme_id == "staff") & (three.question == "worked_well")].iloc[0]
    assert staff["correction"] == "none" and staff["dof"] == 2
    computable = three[three["p_value"].notna()]
    assert computable["p_holm"].tolist() == pytest.approx(holm(computable["p_value"].tolist()))
    assert (computable["p_holm"] >= computable["p_value"]).all()
    rows2 = [(f"R{i:02d}", ["North", "South"][i % 2], f"text {i}", "", "") for i in range(20)]
    (tmp_path / "b").mkdir()
    with make_project(tmp_path / "b", rows2) as project:
        key = ids(project)
        for i in range(20):
            project.record_decision(key[f"R{i:02d}:worked_well"], "ann",
                                    ["staff"] if i < 8 else ["positive"])
        tests = tally(project, by=["region"]).tests["region"]
    staff = tests[(tests.theme_id == "staff") & (tests.question == "worked_well")].iloc[0]
    assert staff["correction"] == "Yates (2 levels)"
    chi2, p, _dof, _exp = chi2_contingency([[4, 4], [6, 6]])
    assert staff["p_value"] == pytest.approx(p) and staff["chi2"] == pytest.approx(chi2)


def test_unknown_coder_is_an_error_naming_the_coders(tmp_path: Path) -> None:
    with make_project(tmp_path, [("R1", "N", "good staff", "", "")]) as project:
        project.record_decision(ids(project)["R1:worked_well"], "nobody", ["staff"])
        with pytest.raises(ExportError, match="unknown coder 'nobdy'.*coders in this project: "
                                              "nobody"):
            export_project(project, tmp_path / "out", prefer_coder="nobdy")
        assert not (tmp_path / "out").exists()
        location = project.location
    result = CliRunner().invoke(cli, ["export", location, "--out", str(tmp_path / "o"),
                                      "--coder", "nobdy"])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert "unknown coder 'nobdy'" in result.stderr and "nobody" in result.stderr


# --------------------------------------------------------------------------- versions


def _version(base: Codebook, version: str, themes: list[Theme]) -> Codebook:
    return dataclasses.replace(base, version=version, themes=tuple(themes))


def test_codebook_versions_never_lose_a_mention(tmp_path: Path) -> None:
    v10 = load_codebook(HOLDERS)
    rows = [("R1", "N", "the staff were kind", "the social worker never called", ""),
            ("R2", "N", "staff and the money", "no one rang back", "")]
    with make_project(tmp_path, rows, codebook=v10) as project:
        key = ids(project)
        project.record_decision(key["R1:worked_well"], "ann", ["staff"])
        project.record_decision(key["R1:not_well"], "ann", ["staff"])
        project.record_decision(key["R2:worked_well"], "ann", ["staff", "positive"])
        project.record_decision(key["R2:not_well"], "ann", ["communication"])
        # 1.1 drops Staff and restricts Communication to what worked well
        kept = [t for t in v10.themes if t.id != "staff"]
        kept = [dataclasses.replace(t, questions=("worked_well",)) if t.id == "communication"
                else t for t in kept]
        project.add_codebook(_version(v10, "1.1", kept))
        result = export_project(project, tmp_path / "out", formats=["csv", "xlsx", "md"])
        counts = pd.read_csv(tmp_path / "out" / "theme_counts.csv", encoding="utf-8-sig")
        staff = counts[counts.theme_id == "staff"].set_index("question")
        assert staff.loc["worked_well", "comments"] == 2 and staff.loc["not_well",
                                                                       "comments"] == 1
        assert set(staff["theme_status"]) == {"dropped"}
        comm = counts[(counts.theme_id == "communication") & (counts.question == "not_well")]
        assert comm["theme_status"].tolist() == ["restricted"]
        assert comm["comments"].tolist() == [1]
        assert any("4 theme mention(s)" in w and "Staff (dropped in v1.1) 2" in w
                   for w in result.warnings)
        changes = pd.read_csv(tmp_path / "out" / "codebook_changes.csv", encoding="utf-8-sig")
        assert changes["mentions"].sum() == 4
        book = openpyxl.load_workbook(tmp_path / "out" / "theme_counts.xlsx")
        assert "Codebook changes" in book.sheetnames
        coded = pd.read_csv(tmp_path / "out" / "coded_data.csv", encoding="utf-8-sig",
                            dtype=str, keep_default_na=False).set_index("respondent_id")
        # coded only with the dropped theme: not all zeros
        assert coded.loc["R1", "not_well:Staff (dropped in v1.1)"] == "1"
        assert coded.loc["R1", "not_well:Not assigned"] == "0"
        # 1.2 folds them in with replaces:
        people = dataclasses.replace(next(t for t in kept if t.id == "support"), id="people",
                                     name="People", replaces=("staff", "communication"))
        project.add_codebook(_version(v10, "1.2", [*kept, people]))
        again = export_project(project, tmp_path / "out2", formats=["csv"])
        counts = pd.read_csv(tmp_path / "out2" / "theme_counts.csv", encoding="utf-8-sig")
        folded = counts[counts.theme_id == "people"].set_index("question")
        assert folded.loc["worked_well", "comments"] == 2
        assert folded.loc["not_well", "comments"] == 2  # staff + communication
        assert "staff" not in set(counts.theme_id) and not again.warnings
        assert "1 mention(s) of earlier theme 'staff'" in \
            folded.loc["not_well", "note"]


def test_replaces_is_validated(tmp_path: Path) -> None:
    text = HOLDERS.read_text().replace("  - id: staff\n", "  - id: staff\n    replaces: [staff]\n")
    (tmp_path / "c.yaml").write_text(text)
    with pytest.raises(Exception, match="cannot replace itself"):
        load_codebook(tmp_path / "c.yaml")


# --------------------------------------------------------------------------- non-answers


def test_non_answers_rule(tmp_path: Path) -> None:
    base = load_codebook(HOLDERS)
    codebook = dataclasses.replace(base, non_answers=NonAnswers(
        phrases=("n/a", "nothing", "no comment"), patterns=(r"[\W_]+",), count_as="comment"))
    rows = [("R1", "N", "n/a", "Nothing.", "-"), ("R2", "N", "good staff", "?", "no comment"),
            ("R3", "N", "great", "slow", "")]
    with make_project(tmp_path, rows, codebook=codebook) as project:
        default = tally(project).summary.set_index("question")
        assert default.loc["worked_well", "commented"] == 3
        assert default.loc["worked_well", "non_answers"] == 1
        assert "counted as comments (rule from codebook poet_holders v1.0)" in \
            default.loc["worked_well", "non_answer_rule"]
        strict = tally(project, non_answers="no-comment").summary.set_index("question")
        assert strict["commented"].tolist() == [2, 1, 0]
        assert strict.loc["worked_well", "pct_commented"] == pytest.approx(66.7)
        assert "counted as no comment (rule from --non-answers)" in \
            strict.loc["not_well", "non_answer_rule"]
        location = project.location
    result = CliRunner().invoke(cli, ["export", location, "--out", str(tmp_path / "o"),
                                      "--format", "md", "--non-answers", "no-comment"])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "o" / "theme_counts.md").read_text()
    assert "non-answer(s) counted as no comment (rule from --non-answers)" in text
    meta = json.loads((tmp_path / "o" / "metadata.json").read_text())
    assert meta["non_answers"][0]["rule"] == "no-comment"


def test_shipped_codebooks_list_non_answers() -> None:
    for name in ("poet_holders.yaml", "poet_carers.yaml"):
        codebook = load_codebook(ROOT / "codebooks" / name)
        assert codebook.non_answers is not None
        matcher = codebook.non_answers.matcher()
        assert all(matcher(t) for t in ["n/a", "N/A", "-", "?", "nothing", "No comment.",
                                        "none"])
        assert not any(matcher(t) for t in ["nothing worked", "the staff", "no support"])


# --------------------------------------------------------------------------- data files


def test_spss_and_csv_keep_text_exactly(tmp_path: Path) -> None:
    rows = [("R1", "N", "- more money", "=1+1", "@home care")]
    with make_project(tmp_path, rows) as project:
        export_project(project, tmp_path / "out", formats=["csv", "sav", "xlsx"])
        export_project(project, tmp_path / "sheet", formats=["csv"], csv_for="spreadsheet")
    frame, meta = pyreadstat.read_sav(str(tmp_path / "out" / "coded_data.sav"))
    assert frame["worked_well"].tolist() == ["- more money"]
    assert frame["not_well"].tolist() == ["=1+1"]
    assert len(meta.file_label) <= 64
    plain = pd.read_csv(tmp_path / "out" / "coded_data.csv", encoding="utf-8-sig", dtype=str)
    assert plain.loc[0, "change"] == "@home care"
    safe = pd.read_csv(tmp_path / "sheet" / "coded_data.csv", encoding="utf-8-sig", dtype=str)
    assert safe.loc[0, "change"] == "'@home care"
    sheet = openpyxl.load_workbook(tmp_path / "out" / "coded_data.xlsx")["Coded data"]
    values = [c.value for c in sheet[2]]
    assert "'=1+1" in values


# --------------------------------------------------------------------------- settings


def test_settings_block_defaults_and_errors(tmp_path: Path) -> None:
    settings = loads_settings("")
    assert settings.figure_title("holder").startswith("Figure 12. Personal budget holders'")
    assert settings.figure_title("carer") == DEFAULT_TITLES["carer"]
    again = loads_settings(settings.to_yaml())
    assert again == settings
    custom = loads_settings("figures:\n  holders: My title\nquotes:\n  per_theme: 2\n")
    assert custom.figure_title("holder") == "My title" and custom.quotes_per_theme == 2
    with pytest.raises(ExportError, match=r"s\.yaml:3: field 'quotes\.per_theme'"):
        loads_settings("figures: {}\nquotes:\n  per_theme: lots\n", source="s.yaml")
    with pytest.raises(ExportError, match="field 'colour': unknown field"):
        loads_settings("colour: red\n")
    with make_project(tmp_path, [("R1", "N", "ok", "", "")]) as project:
        location = project.location
    (tmp_path / "s.yaml").write_text("figures:\n  holder: Figure 7. Our holders\n")
    runner = CliRunner()
    assert runner.invoke(cli, ["settings", location, "--load", str(tmp_path / "s.yaml")]
                         ).exit_code == 0
    shown = runner.invoke(cli, ["settings", location])
    assert "Figure 7. Our holders" in shown.output
    (tmp_path / "bad.yaml").write_text("significance: 2\n")
    bad = runner.invoke(cli, ["settings", location, "--load", str(tmp_path / "bad.yaml")])
    assert bad.exit_code == 2 and "bad.yaml:1: field 'significance'" in bad.stderr


# --------------------------------------------------------------------------- figures


def test_figures_with_nothing_coded_have_whole_number_axes(tmp_path: Path) -> None:
    rows = [("R1", "N", "good", "", ""), ("R2", "S", "", "", "")]
    with make_project(tmp_path, rows) as project:
        export_project(project, tmp_path / "out", formats=["svg", "png", "xlsx"], by=["region"])
    svg = (tmp_path / "out" / "chart_holder.svg").read_text(encoding="utf-8")
    ticks = re.findall(r'id="xtick_\d+">.*?<text[^>]*>([^<]*)</text>', svg, flags=re.DOTALL)
    assert ticks == ["0", "1"]  # no 0.2-steps on the count axis
    assert "UNFINISHED: 1 commented answer(s) not coded yet" in svg
    assert "What worked well: 50.0 % commented (1 of 2)" in svg
    png = (tmp_path / "out" / "chart_holder.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    from PIL import Image

    with Image.open(tmp_path / "out" / "chart_holder.png") as image:
        assert round(image.info["dpi"][0]) == 300
    meta = json.loads((tmp_path / "out" / "metadata.json").read_text())
    figure = meta["figures"][0]
    assert figure["title"].startswith("Figure 12.") and figure["unfinished"] is True
    assert figure["files"] == ["chart_holder.svg", "chart_holder.png"] or \
        set(figure["files"]) == {"chart_holder.png", "chart_holder.svg"}


def test_p_values_in_the_workbook_read_as_reported(tmp_path: Path) -> None:
    rows = [(f"R{i:03d}", ["North", "South"][i % 2], f"text {i}", "", "") for i in range(200)]
    with make_project(tmp_path, rows) as project:
        key = ids(project)
        for i in range(200):
            themes = ["staff"] if (i % 2 == 0 and i % 10 != 0) or i % 17 == 0 else ["positive"]
            project.record_decision(key[f"R{i:03d}:worked_well"], "ann", themes)
        result = tally(project, by=["region"])
        export_project(project, tmp_path / "out", formats=["xlsx"], by=["region"])
        html = write_report(project, tmp_path / "r.html", by=["region"]).read_text()
    # the report lists the differences that stay significant after Holm's adjustment
    assert "Table 5. Significant differences by region" in html
    significant = html[html.index("Significant differences by region"):]
    assert "Staff" in significant and "&lt; 0.001" in significant
    sheet = openpyxl.load_workbook(tmp_path / "out" / "theme_counts.xlsx")["by region"]
    header = [c.value for c in sheet[4]]
    p_col, holm_col = header.index("p") + 1, header.index("p (Holm)") + 1
    tests = result.tests["region"].set_index(["question", "theme_name"])
    seen = 0
    for row in sheet.iter_rows(min_row=5):
        if row[2].value not in ("Staff", "Positive") or row[1].value != "What worked well":
            continue
        cell = row[p_col - 1]
        p = tests.loc[("worked_well", row[2].value), "p_value"]
        assert format_p(p) == "< 0.001"
        assert cell.number_format == '"< 0.001"' and cell.value == pytest.approx(p)
        holm_cell = row[holm_col - 1]
        assert holm_cell.number_format in ('"< 0.001"', "0.000", "0.0000", "0.00000", "0.00")
        seen += 1
    assert seen == 2
