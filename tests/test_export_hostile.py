"""Exports of hostile data: very long answers fit each format with a warning, and an export
is put in place whole — a killed export leaves the earlier one, never a broken mix.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pyreadstat
import pytest
from bad_input import CARERS, HOLDERS, file_digest, invoke

from themecoder.export import export_project
from themecoder.export.limits import SPSS_STRING_BYTES, XLSX_CELL_CHARS
from themecoder.export.publish import STAGING_PREFIX

HUNDRED_K = ("Ça va " * 20_000)[:100_000]  # accented: SPSS counts bytes, not characters
TWO_MB = "word " * 400_000 + "END"


@pytest.fixture(scope="module")
def long_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("long")
    survey = root / "long.csv"
    with open(survey, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([
            ["respondent_id", "group", "worked_well", "not_well", "change"],
            ["L1", "holder", HUNDRED_K, "the social worker was late", ""],
            ["L2", "carer", TWO_MB, "fine", "=1+2"],
            ["L3", "holder", "ok", "ok", "ok"]])
    project = root / "long.db"
    assert invoke("init", project, "--codebook", HOLDERS, "--codebook", CARERS).exit_code == 0
    imported = invoke("import", project, survey)
    assert imported.exit_code == 0, imported.output
    suggested = invoke("suggest", project)
    assert suggested.exit_code == 0, suggested.output
    return project


def test_long_answers_fit_every_format_with_counted_warnings(long_project: Path,
                                                             tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke("export", long_project, "--out", out)
    assert result.exit_code == 0, result.output
    assert ("warning: coded_data.xlsx: 2 texts longer than a spreadsheet cell's 32,767 "
            "characters were cut to fit (coded_data.csv keeps every text whole)") in result.stderr
    assert ("warning: coded_data.sav: 2 texts longer than SPSS's 32,767 bytes per string were "
            "cut to fit") in result.stderr
    metadata = json.loads((out / "metadata.json").read_text(encoding="utf-8"))
    assert sum("were cut to fit" in w for w in metadata["warnings"]) == 2
    # the CSV keeps every text whole
    with open(out / "coded_data.csv", encoding="utf-8-sig", newline="") as handle:
        rows = {r["respondent_id"]: r for r in csv.DictReader(handle)}
    assert rows["L1"]["worked_well"] == HUNDRED_K and rows["L2"]["worked_well"] == TWO_MB
    # the .sav is valid: the same variables, the text cut on a whole character
    frame, meta = pyreadstat.read_sav(str(out / "coded_data.sav"))
    assert list(frame.columns)[:5] == ["respondent_id", "group", "worked_well", "not_well",
                                       "change"]
    cut = frame.set_index("respondent_id").loc["L1", "worked_well"]
    assert HUNDRED_K.startswith(cut) and len(cut.encode()) <= SPSS_STRING_BYTES
    assert len(cut.encode()) > SPSS_STRING_BYTES - 8
    # the workbook cell holds what a cell can
    sheet = openpyxl.load_workbook(out / "coded_data.xlsx", read_only=True)["Coded data"]
    cells = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert cells["L2"][2] == TWO_MB[:XLSX_CELL_CHARS]
    assert cells["L2"][4] == "'=1+2"


def test_short_answers_give_no_cut_warning(long_project: Path, tmp_path: Path) -> None:
    result = export_project(long_project, tmp_path / "out", formats=["md"])
    assert not any("cut to fit" in w for w in result.warnings)


def _folder_state(folder: Path) -> dict[str, str]:
    return {p.name: file_digest(p) for p in sorted(folder.iterdir()) if p.is_file()}


def test_a_new_export_replaces_the_earlier_one_and_nothing_else(long_project: Path,
                                                               tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    assert invoke("export", long_project, "--out", out, "--format", "csv").exit_code == 0
    assert invoke("export", long_project, "--out", out, "--format", "md").exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == ["export_settings.yaml", "metadata.json",
                                                    "notes.txt", "theme_counts.md"]


def _export_then_kill(project: Path, out: Path, delay: float) -> int:
    code = ("import sys; from themecoder.cli import main; "
            f"sys.argv = ['themecoder', 'export', {str(project)!r}, '--out', {str(out)!r}]; "
            "main()")
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    return process.wait()


def test_a_killed_export_leaves_the_earlier_export_whole(long_project: Path,
                                                        tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert invoke("export", long_project, "--out", out, "--format", "csv",
                  "--format", "xlsx").exit_code == 0
    earlier = _folder_state(out)
    assert invoke("export", long_project, "--out", tmp_path / "whole").exit_code == 0
    complete = sorted(p.name for p in (tmp_path / "whole").iterdir())
    killed = 0
    for delay in (0.5, 2.0, 4.0, 7.0):
        if _export_then_kill(long_project, out, delay) == -signal.SIGKILL:
            killed += 1
        state = _folder_state(out)
        assert all((out / name).stat().st_size > 0 for name in state)
        if state != earlier:  # the new export landed whole
            assert sorted(state) == complete
            earlier = state
    assert killed, "every export finished before it could be killed"
    # the next export clears what the killed ones staged
    assert invoke("export", long_project, "--out", out).exit_code == 0
    assert not [p for p in out.iterdir() if p.name.startswith(STAGING_PREFIX)]
    assert sorted(p.name for p in out.iterdir()) == complete


def test_staging_of_a_running_export_is_left_alone(tmp_path: Path, long_project: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    running = out / f"{STAGING_PREFIX}{os.getpid()}-abcd"  # this process is alive
    running.mkdir()
    export_project(long_project, out, formats=["md"])
    assert running.is_dir()


def test_xlsx_files_have_no_formula_from_long_text(long_project: Path, tmp_path: Path) -> None:
    export_project(long_project, tmp_path / "out", formats=["xlsx"])
    with zipfile.ZipFile(tmp_path / "out" / "coded_data.xlsx") as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert not any(b"<f>" in archive.read(n) for n in sheets)
