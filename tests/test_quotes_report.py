"""The quote bank, redaction and the report document (DOCX through LibreOffice, HTML)."""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import zipfile
from html import unescape
from pathlib import Path

import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from themecoder.cli import cli
from themecoder.codebook import load_codebook
from themecoder.errors import ExportError
from themecoder.export import export_project
from themecoder.export.settings import ExportSettings
from themecoder.export.style import PALETTE, grey_level
from themecoder.quotes import readable_quote, write_quotes
from themecoder.redact import redact_text, score_redaction
from themecoder.report import write_report
from themecoder.store import Project
from themecoder.survey import SurveyMapping, load_mapping, read_survey

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
ATTRIBUTION = ("group", "age_band", "budget_type", "council")


@pytest.fixture(scope="module")
def prior(tmp_path_factory: pytest.TempPathFactory):
    """The bundled prior-year sample survey, hand-coded (380 respondents)."""
    root = tmp_path_factory.mktemp("prior")
    with Project.create(root / "prior.themecoder", name="POET 2025") as project:
        for name in ("poet_holders.yaml", "poet_carers.yaml"):
            project.add_codebook(load_codebook(ROOT / "codebooks" / name))
        mapping = load_mapping(ROOT / "sample_data" / "mapping.yaml")
        project.import_survey(read_survey(ROOT / "sample_data" / "prior_year.csv", mapping))
        yield project


# --------------------------------------------------------------------------- redaction


@pytest.mark.parametrize(("name", "recall"), [("dev", 0.95), ("held_out", 0.85)])
def test_redaction_recall_on_the_test_sets(name: str, recall: float) -> None:
    cases = yaml.safe_load((DATA / f"redaction_{name}.yaml").read_text())["cases"]
    scores = score_redaction(cases)
    found = sum(v["found"] for k, v in scores.items() if k != "clean")
    total = sum(v["total"] for k, v in scores.items() if k != "clean")
    assert found / total >= recall
    for kind in ("email", "phone", "postcode", "address", "dob"):
        assert scores[kind]["found"] == scores[kind]["total"], kind
    assert scores["clean"]["unchanged"] == scores["clean"]["total"]


def test_redaction_keeps_ordinary_words() -> None:
    text = "Will they help? May was fine. Direct Payments and Social Services, thank you."
    assert redact_text(text) == text
    assert redact_text("Ask Mrs Begum on 07700 900123") == "Ask [name] on [phone]"


# --------------------------------------------------------------------------- quotes


def _quote_project(tmp_path: Path) -> Project:
    rows = [("R1", "Brackenfield", "45-64", "The staff were kind and listened to me every time."),
            ("R2", "Brackenfield", "65-74", "The staff were kind and listened to me every time!"),
            ("R3", "Dunmoor", "65-74", "Staff at the council, Mrs Khan especially, were kind."),
            ("R4", "Dunmoor", "75+", "Kind staff who really listened, call 07700 900123."),
            ("R5", "Fenbridge", "45-64", "staff"),
            ("R6", "Fenbridge", "45-64", "My social worker was patient and kind to us.")]
    path = tmp_path / "q.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["respondent_id", "group", "council", "age_band", "worked_well"])
        for row in rows:
            writer.writerow([row[0], "holder", *row[1:]])
    project = Project.create(tmp_path / "q.themecoder", name="Quotes")
    project.add_codebook(load_codebook(ROOT / "codebooks" / "poet_holders.yaml"))
    project.import_survey(read_survey(path, SurveyMapping()))
    ids = {a.key: a.id for a in project.answers()}
    for rid in ("R1", "R2", "R3", "R4", "R5", "R6"):
        project.record_decision(ids[f"{rid}:worked_well"], "ann", ["staff"])
    project.record_decision(ids["R6:worked_well"], "ann", ["staff", "positive"])
    return project


def test_quotes_are_representative_distinct_redacted_and_attributed(tmp_path: Path) -> None:
    with _quote_project(tmp_path) as project:
        ids = {a.key: a.id for a in project.answers()}
        project.mark_quote(ids["R6:worked_well"], "ann", "star")
        project.mark_quote(ids["R3:worked_well"], "ann", "ban")
        settings = ExportSettings(quotes_per_theme=3, attribution=("group", "age_band",
                                                                   "council"))
        files = write_quotes(project, tmp_path / "out", settings=settings)
    assert [f.name for f in files] == ["quotes.csv", "quotes.xlsx", "quotes.md"]
    sheet = openpyxl.load_workbook(tmp_path / "out" / "quotes.xlsx")["Quotes"]
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=4) if r[0].value]
    staff = [r for r in rows if r[2] == "Staff"]
    quotes = [r[3] for r in staff]
    assert len(quotes) == 3
    assert quotes[0].startswith("My social worker was patient")  # starred first
    assert staff[0][5] == "yes"
    assert not any("Khan" in q or "council, " in q for q in quotes)  # banned answer left out
    # one of the two near-identical answers, never both; the one-word answer is not readable
    assert sum(q.startswith("The staff were kind") for q in quotes) == 1
    assert "staff" not in quotes
    assert any("[phone]" in q for q in quotes) and not any("07700" in q for q in quotes)
    assert staff[1][4].startswith("Personal budget holder, aged ")
    markdown = (tmp_path / "out" / "quotes.md").read_text()
    assert "★ “My social worker was patient and kind to us.”" in markdown


def test_quote_text_is_tidied_not_rewritten() -> None:
    assert readable_quote('  "I decide how\n the money is spent"  ') == \
        "I decide how the money is spent"
    assert readable_quote("- a godsend, hope that makes sense") == \
        "a godsend, hope that makes sense"
    assert readable_quote("it's 'fine' mostly") == "it's 'fine' mostly"


def test_quotes_errors_are_one_line(tmp_path: Path) -> None:
    with _quote_project(tmp_path) as project:
        location = project.location
    runner = CliRunner()
    result = runner.invoke(cli, ["quotes", location, "--out", str(tmp_path / "o"),
                                 "--attribution", "group, shoe_size"])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert "unknown respondent attribute 'shoe_size'" in result.stderr
    assert "council" in result.stderr
    ok = runner.invoke(cli, ["quotes", location, "--out", str(tmp_path / "o"),
                             "--attribution", "group, council", "--per-theme", "1"])
    assert ok.exit_code == 0, ok.output
    assert (tmp_path / "o" / "quotes.md").exists()


def test_export_workbook_has_a_quote_sheet_and_prints_in_grey(prior: Project,
                                                              tmp_path: Path) -> None:
    export_project(prior, tmp_path / "out", formats=["xlsx"],
                   settings=ExportSettings(attribution=ATTRIBUTION))
    book = openpyxl.load_workbook(tmp_path / "out" / "theme_counts.xlsx")
    quotes = book["Quotes"]
    assert quotes.max_row > 20
    holder = book["holder"]
    assert holder.page_setup.orientation == "landscape"
    assert holder.sheet_properties.pageSetUpPr.fitToPage
    assert holder.page_setup.fitToWidth in (None, 1)  # 1 is the default
    assert holder.page_setup.fitToHeight == 0
    assert holder.print_title_rows
    levels = sorted(grey_level(c) for c in PALETTE)
    assert min(b - a for a, b in zip(levels, levels[1:], strict=False)) >= 0.15


# --------------------------------------------------------------------------- report


def _soffice() -> str:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        pytest.skip("LibreOffice is not installed (.ci/run installs libreoffice-writer)")
    return exe


def to_pdf(path: Path, tmp_path: Path) -> str:
    """Convert with LibreOffice headless and return the PDF's text (pdftotext)."""
    exe = _soffice()
    profile = tmp_path / "lo-profile"
    subprocess.run([exe, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=300,
                   env={**os.environ, "HOME": str(tmp_path)})
    pdf = tmp_path / (path.stem + ".pdf")
    assert pdf.exists() and pdf.stat().st_size > 1000
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                         capture_output=True, text=True)
    return out.stdout


def test_docx_report_converts_to_pdf_with_captions_numbers_and_quotes(prior: Project,
                                                                      tmp_path: Path) -> None:
    settings = ExportSettings(attribution=ATTRIBUTION)
    path = write_report(prior, tmp_path / "report.docx", by=["council"], settings=settings)
    with zipfile.ZipFile(path) as archive:
        assert any(n.startswith("word/media/") for n in archive.namelist())  # the figures
    text = " ".join(to_pdf(path, tmp_path).split())
    assert "Figure 12. Personal budget holders' comments on what worked well" in text
    assert "Figure 20. Carers' comments on what worked well" in text
    assert "Table 1. Respondents who commented on each question" in text
    assert "75.9 %" in text and "60.5 %" in text  # holders' % commenting (173/228, 138/228)
    assert "In respondents' own words" in text
    assert "Personal budget holder, aged" in text  # an attribution
    assert "Differences by council" in text and "Holm" in text
    assert "UNFINISHED" not in text


def test_html_report_is_one_self_contained_file(prior: Project, tmp_path: Path) -> None:
    path = write_report(prior, tmp_path / "report.html",
                        settings=ExportSettings(attribution=ATTRIBUTION))
    html = unescape(path.read_text(encoding="utf-8"))
    assert html.count("<svg") == 2 and "Figure 20. Carers' comments" in html
    # nothing is fetched: no external source, stylesheet or script
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html)
    assert "<script" not in html and "@import" not in html
    assert "75.9 %" in html and "<blockquote>" in html


def test_report_with_nothing_coded_says_so(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("respondent_id,group,worked_well\nR1,holder,good\nR2,holder,\n")
    with Project.create(tmp_path / "p.themecoder") as project:
        project.add_codebook(load_codebook(ROOT / "codebooks" / "poet_holders.yaml"))
        project.import_survey(read_survey(path, SurveyMapping()))
        out = write_report(project, tmp_path / "r.docx")
    text = " ".join(to_pdf(out, tmp_path).split())
    assert "Nothing coded yet" in text and "50.0 %" in text


def test_report_bad_input_is_one_line(prior: Project, tmp_path: Path) -> None:
    with Project.create(tmp_path / "empty.themecoder") as empty:
        empty.add_codebook(load_codebook(ROOT / "codebooks" / "poet_holders.yaml"))
        with pytest.raises(ExportError, match="no answers yet"):
            write_report(empty, tmp_path / "r.docx")
    runner = CliRunner()
    for extra, words in ((["--by", "shoe_size"], "unknown respondent attribute 'shoe_size'"),
                         (["--coder", "nobdy"], "unknown coder 'nobdy'"),
                         (["--attribution", "group, eye_colour"], "'eye_colour'")):
        result = runner.invoke(cli, ["report", prior.location, "--out",
                                     str(tmp_path / "r.docx"), *extra])
        assert result.exit_code == 2 and result.stderr.count("\n") == 1, result.output
        assert words in result.stderr
    bad = runner.invoke(cli, ["report", prior.location, "--out", str(tmp_path / "r.pdf")])
    assert bad.exit_code == 2 and "must end in .docx or .html" in bad.stderr
    assert not (tmp_path / "r.docx").exists()


def test_xlsx_prints_on_few_pages(prior: Project, tmp_path: Path) -> None:
    """LibreOffice Calc prints the workbook: tables fit the width, figures fit a page."""
    if not list(Path("/usr/lib/libreoffice/program").glob("libsclo*")):
        pytest.skip("LibreOffice Calc is not installed (.ci/run installs libreoffice-calc)")
    export_project(prior, tmp_path / "out", formats=["xlsx"], by=["council"], quotes=False)
    text = to_pdf(tmp_path / "out" / "theme_counts.xlsx", tmp_path)
    pages = subprocess.run(["pdfinfo", str(tmp_path / "theme_counts.pdf")],
                           capture_output=True, text=True, check=True).stdout
    count = int(re.search(r"Pages:\s+(\d+)", pages).group(1))
    assert count <= 16, count
    assert "Figure 12. Personal budget holders' comments" in " ".join(text.split())
