"""A small, fixed project and app factory for the coding app's tests and snapshots.

The answers and suggestions are written here (not read from ``sample_data/``) so the
snapshots change only when the app does.
"""

from __future__ import annotations

import csv
import shutil
import tempfile
from pathlib import Path

from themecoder.codebook import load_codebook
from themecoder.store import Project
from themecoder.survey import SurveyMapping, read_survey

ROOT = Path(__file__).resolve().parents[1]
CODER = "alice"

ROWS = [
    # respondent_id, group, worked_well, not_well, change
    ("R001", "holder", "My personal assistant helps me get out to the shops.",
     "Too many forms and the paperwork takes ages.", "Less paperwork please."),
    ("R002", "holder", "Fine.", "The social worker never returned my calls.", ""),
    ("R003", "carer", "I get a proper break from caring.", "", "More hours of respite."),
    ("R004", "holder", "I choose my own carers and when they come.",
     "It took six months to set up.", "Quicker assessments."),
    ("R005", "holder", "n/a", "Not enough money for the hours I need.", ""),
]

# (answer key, model version, [(theme id, score, suggested, reasons, spans)], vague)
SUGGESTIONS = [
    ("R001:worked_well", "keywords-test", [
        ("support", 0.9, True, ["matched 'personal assistant' → Support"], [[3, 21]]),
        ("independence", 0.42, False, ["matched 'get out' → Independence"], [[31, 38]]),
    ], False),
    ("R001:not_well", "keywords-test", [
        ("process", 0.85, True, ["matched 'forms' → Process", "matched 'paperwork' → Process"],
         [[9, 14], [23, 32]]),
    ], False),
    ("R002:worked_well", "keywords-test", [], True),
    ("R002:not_well", "keywords-test", [
        ("staff", 0.9, True, ["matched 'social worker' → Staff"], [[4, 17]]),
        ("communication", 0.8, True, ["matched 'returned my calls' → Communication"],
         [[24, 41]]),
    ], False),
    ("R004:worked_well", "keywords-test", [
        ("choice_control", 0.3, False, ["matched 'choose' → Choice/control"], [[2, 8]]),
    ], False),
]


def write_survey(path: Path, rows: list[tuple[str, ...]] | None = None) -> Path:
    """The fixed survey (or ``rows`` in its layout) as a wide CSV file."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["respondent_id", "group", "worked_well", "not_well", "change"])
        writer.writerows(ROWS if rows is None else rows)
    return path


_TEMPLATE: dict[bool, Path] = {}


def build_project(folder: Path, *, suggestions: bool = True) -> str:
    """The fixed project, copied into ``folder``; returns its location.

    The project is built once per test run and copied, which keeps the app tests quick.
    """
    if suggestions not in _TEMPLATE:
        template = Path(tempfile.mkdtemp(prefix="themecoder-fixed-"))
        _build(template, suggestions=suggestions)
        _TEMPLATE[suggestions] = template
    for name in ("fixed.themecoder", "fixed.csv"):
        shutil.copy(_TEMPLATE[suggestions] / name, folder / name)
    return str(folder / "fixed.themecoder")


def _build(folder: Path, *, suggestions: bool,
           rows: list[tuple[str, ...]] | None = None) -> str:
    location = str(folder / "fixed.themecoder")
    project = Project.create(location, name="fixed")
    try:
        for name in ("poet_holders.yaml", "poet_carers.yaml"):
            project.add_codebook(load_codebook(ROOT / "codebooks" / name))
        mapping = SurveyMapping(layout="wide", questions={
            "worked_well": "worked_well", "not_well": "not_well", "change": "change"})
        data = read_survey(write_survey(folder / "fixed.csv", rows), mapping)
        project.import_survey(data)
        if suggestions and rows is None:
            ids = {a.key: a.id for a in project.answers()}
            for key, version, themes, vague in SUGGESTIONS:
                project.save_suggestions([(ids[key], [
                    {"theme_id": t, "score": s, "suggested": sug, "reasons": r, "spans": sp}
                    for t, s, sug, r, sp in themes], vague)], version)
    finally:
        project.close()
    return location


def make_app(folder: Path, rows: list[tuple[str, ...]] | None = None,
             **kwargs):  # noqa: ANN201
    """The coding app on the fixed project (or one of ``rows``, without suggestions), with
    background work and the clock off."""
    from themecoder.tui.app import CodingApp

    location = build_project(folder) if rows is None else \
        _build(folder, suggestions=False, rows=rows)
    options = {"suggest_ahead": False, "poll_seconds": None, "deterministic": True}
    options.update(kwargs)
    coder = options.pop("coder", CODER)
    return CodingApp(location, coder, **options)
