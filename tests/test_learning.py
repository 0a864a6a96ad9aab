"""Learning while coding: uncertainty order and retraining on the project's coding."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from conftest import CODEBOOKS

from themecoder.codebook import load_codebook
from themecoder.learning import (
    interleave,
    suggestion_scores,
    uncertainty,
    uncertainty_order,
)
from themecoder.store import Project
from themecoder.survey import SurveyMapping, read_survey

LONG = SurveyMapping(layout="long", id="respondent_id", group="group", question="question",
                     text="text", answer_id="answer_id", themes="themes")


def _theme(theme_id: str, score: float, threshold: float | None = None) -> dict:
    reasons = [f"model {score:.2f} (threshold {threshold:.2f})"] if threshold is not None else []
    return {"theme_id": theme_id, "score": score, "suggested": score >= (threshold or 0.5),
            "reasons": reasons, "spans": []}


# --------------------------------------------------------------------------- pure functions


def test_interleave_without_random_share_keeps_the_ranking() -> None:
    assert interleave(range(10), random_share=0.0) == list(range(10))


def test_interleave_mixes_the_random_share_reproducibly() -> None:
    ranked = list(range(100))
    mixed = interleave(ranked, random_share=0.2, seed=3)
    assert sorted(mixed) == ranked
    assert mixed == interleave(ranked, random_share=0.2, seed=3)
    assert mixed != interleave(ranked, random_share=0.2, seed=4)
    # four of every five positions follow the ranking ...
    from_ranking = [item for pos, item in enumerate(mixed[:50]) if (pos + 1) % 5]
    assert from_ranking == sorted(from_ranking)
    assert from_ranking[:5] == [0, 1, 2, 3, 4]
    # ... and every fifth is drawn at random, mostly from far down the ranking
    drawn = [item for pos, item in enumerate(mixed[:50]) if (pos + 1) % 5 == 0]
    assert len(drawn) == 10
    assert sum(item >= 50 for item in drawn) >= 3


def test_uncertainty_measures_rank_the_edge_case_first() -> None:
    P = np.array([[0.95, 0.02], [0.52, 0.1], [0.2, 0.05]])
    for measure in ("margin", "entropy"):
        u = uncertainty(P, 0.5, measure)
        assert np.argmax(u) == 1, measure
    # per-theme thresholds count: 0.3 is on the edge when the threshold is 0.3
    u = uncertainty(np.array([[0.3], [0.5]]), np.array([0.3]), "margin")
    assert u[0] > u[1]
    with pytest.raises(ValueError):
        uncertainty(P, 0.5, "coin")


# --------------------------------------------------------------------------- on a project


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=["answer_id", "respondent_id", "group",
                                                "question", "text", "themes"])
        writer.writeheader()
        writer.writerows(rows)
    return path


def _project(tmp_path: Path, rows: list[dict[str, str]]) -> Project:
    project = Project.create(tmp_path / "learn.themecoder")
    project.add_codebook(load_codebook(CODEBOOKS / "poet_holders.yaml"))
    names = [t.name for t in project.codebooks()[0].themes] + ["Not assigned"]
    project.import_survey(read_survey(_write(tmp_path / "survey.csv", rows), LONG,
                                      theme_names=names))
    return project


@pytest.fixture
def small(tmp_path: Path):  # noqa: ANN201
    rows = [{"answer_id": f"A{i}", "respondent_id": f"R{i}", "group": "holder",
             "question": "worked_well", "text": f"answer number {i}", "themes": ""}
            for i in range(6)]
    project = _project(tmp_path, rows)
    try:
        yield project
    finally:
        project.close()


def test_uncertainty_order_puts_the_most_uncertain_first(small: Project) -> None:
    ids = [a.id for a in small.answers()]
    small.save_suggestions([
        (ids[0], [_theme("staff", 0.97, 0.4), _theme("process", 0.01, 0.4)], False),
        (ids[1], [_theme("staff", 0.42, 0.4)], False),     # on the edge: first
        (ids[2], [_theme("staff", 0.6, 0.4)], False),
        (ids[3], [_theme("staff", 0.55)], False),          # keywords: threshold 0.5
        (ids[4], [_theme("staff", 0.2)], False),
    ], "test@1")
    small.record_decision(ids[5], "ana", ["staff"])        # done: not in the queue
    order = uncertainty_order(small, "ana", random_share=0.0)
    assert order == [ids[1], ids[3], ids[2], ids[4], ids[0]]
    assert uncertainty_order(small, "ana", random_share=0.0, measure="entropy")[0] == ids[1]
    # with a random share, still every answer to do, and the same each time
    mixed = uncertainty_order(small, "ana", random_share=0.5, seed=1)
    assert sorted(mixed) == sorted(order)
    assert mixed == uncertainty_order(small, "ana", random_share=0.5, seed=1)
    assert mixed[0] == ids[1]


def test_answers_without_suggestions_come_first(small: Project) -> None:
    ids = [a.id for a in small.answers()]
    small.save_suggestions([(i, [_theme("staff", 0.99, 0.5)], False) for i in ids[1:]], "t@1")
    assert uncertainty_order(small, "ana", random_share=0.0)[0] == ids[0]


def test_threshold_is_read_from_the_models_reason() -> None:
    from themecoder.store.project import StoredSuggestion

    s = StoredSuggestion(1, "m@1", [_theme("staff", 0.7, 0.65), _theme("home", 0.1)], 0.7,
                         False)
    assert suggestion_scores(s) == ([0.7, 0.1], [0.65, 0.5])


def test_coding_session_can_take_the_uncertain_order(small: Project) -> None:
    from themecoder.coding import CodingSession

    ids = [a.id for a in small.answers()]
    small.save_suggestions([(i, [_theme("staff", 0.99, 0.5)], False) for i in ids[:3]] +
                           [(ids[3], [_theme("staff", 0.51, 0.5)], False)], "t@1")
    small.record_decision(ids[0], "ana", ["staff"])
    plain = CodingSession(small, "ana")
    assert plain.current.id == ids[1]
    session = CodingSession(small, "ana", order="uncertain")
    # answers with no suggestion at all, then the one on the edge, then the sure ones
    assert session.view_ids()[:3] == [ids[4], ids[5], ids[3]]
    assert session.current.id == ids[4]
    assert session.view_ids()[-1] == ids[0]                # decided: last
    with pytest.raises(ValueError):
        CodingSession(small, "ana", order="sideways")
