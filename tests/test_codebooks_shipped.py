"""The codebooks and the synthetic sample survey shipped with the project are valid and agree."""

from __future__ import annotations

import csv
import filecmp
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from themecoder.codebook import load_codebook

ROOT = Path(__file__).resolve().parents[1]
CODEBOOKS = ROOT / "codebooks"
SAMPLE = ROOT / "sample_data"
FFT_CSV = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "nhs_fft" / \
    "coded_comments.csv"
FFT_FIRST_LABEL = 11  # "Not assigned"; every column from here on is a label
QUESTIONS = ("worked_well", "not_well", "change")
GROUP_CODEBOOK = {"holder": "poet_holders.yaml", "carer": "poet_carers.yaml"}


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def prior_year_codes() -> dict[str, Counter[str]]:
    """Theme-name counts of the prior year's coding, per respondent group."""
    counts: dict[str, Counter[str]] = {group: Counter() for group in GROUP_CODEBOOK}
    for row in read_csv(SAMPLE / "prior_year.csv"):
        for question in QUESTIONS:
            counts[row["group"]].update(filter(None, row[f"{question}_themes"].split("|")))
    return counts


@pytest.mark.parametrize(("name", "n_themes"), [("poet_holders.yaml", 18),
                                                 ("poet_carers.yaml", 12)])
def test_poet_codebooks_load_with_report_theme_counts(name: str, n_themes: int) -> None:
    codebook = load_codebook(CODEBOOKS / name)
    assert len(codebook.themes) == n_themes
    assert codebook.questions == QUESTIONS
    assert codebook.not_assigned.name == "Not assigned"
    for theme in codebook.themes:
        assert 20 <= len(theme.keywords) <= 40, theme.name


def test_poet_codebooks_use_report_names() -> None:
    holders = load_codebook(CODEBOOKS / "poet_holders.yaml")
    carers = load_codebook(CODEBOOKS / "poet_carers.yaml")
    assert {"Choice/control", "Stress/worry", "Funding/service level", "Set up"} <= \
        set(holders.theme_names)
    assert {"Employment/setup", "Carers role", "Life for carer", "Life for the person",
            "Service level"} <= set(carers.theme_names)
    assert holders.applies_to("holder") and not holders.applies_to("carer")
    assert carers.applies_to("carer") and not carers.applies_to("holder")


def test_nhs_fft_codebook_matches_label_columns() -> None:
    codebook = load_codebook(CODEBOOKS / "nhs_fft.yaml")
    assert codebook.not_assigned.name == "Not assigned"
    if not FFT_CSV.exists():
        pytest.skip(f"{FFT_CSV} is not available")
    with FFT_CSV.open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle))
    labels = header[FFT_FIRST_LABEL:]
    assert labels[0] == "Not assigned"
    assert len(codebook.themes) == len(labels) - 1
    assert codebook.theme_names == labels[1:]


def test_sample_coding_uses_the_groups_codebook() -> None:
    for group, counts in prior_year_codes().items():
        codebook = load_codebook(CODEBOOKS / GROUP_CODEBOOK[group])
        allowed = set(codebook.theme_names) | {codebook.not_assigned.name}
        assert set(counts) <= allowed, f"{group}: unknown themes {set(counts) - allowed}"


def test_every_theme_is_coded_at_least_12_times() -> None:
    for group, counts in prior_year_codes().items():
        codebook = load_codebook(CODEBOOKS / GROUP_CODEBOOK[group])
        for name in codebook.theme_names:
            assert counts[name] >= 12, f"{group} theme {name!r}: {counts[name]}"


def test_sample_layouts_agree() -> None:
    wide = read_csv(SAMPLE / "prior_year.csv")
    long = read_csv(SAMPLE / "prior_year_long.csv")
    current = read_csv(SAMPLE / "current_year.csv")
    assert len(wide) >= 360 and len(current) >= 400
    assert "worked_well_themes" not in current[0]
    expected = [
        (f"{row['respondent_id']}-{q}", row[q], row[f"{q}_themes"])
        for row in wide for q in QUESTIONS if row[q].strip()
    ]
    assert [(r["answer_id"], r["text"], r["themes"]) for r in long] == expected
    for row in wide:
        for q in QUESTIONS:
            assert bool(row[q].strip()) == bool(row[f"{q}_themes"]), row["respondent_id"]


def test_generator_is_deterministic(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(SAMPLE / "generate.py"), "--out", str(tmp_path)],
                   check=True, capture_output=True)
    names = ["prior_year.csv", "current_year.csv", "prior_year_long.csv", "mapping.yaml",
             "README.md"]
    match, mismatch, errors = filecmp.cmpfiles(SAMPLE, tmp_path, names, shallow=False)
    assert not mismatch and not errors, f"differ from the committed files: {mismatch + errors}"
