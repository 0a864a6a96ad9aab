"""Agreement statistics, checked against scikit-learn and the ``krippendorff`` package."""

from __future__ import annotations

import csv
import io
import random

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from themecoder.agreement import (
    AgreementReport,
    cohen_kappa,
    compute_agreement,
    krippendorff_alpha,
    percent_agreement,
    verdict,
)
from themecoder.errors import StoreError
from themecoder.store import Project
from themecoder.store.samples import draw_double_coding_sample
from themecoder.store.teams import adjudicate


def _reference_alpha(units: list[list[int | None]]) -> float:
    data = np.array([[np.nan if v is None else v for v in unit] for unit in units],
                    dtype=float).T  # coders × units
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


def _random_units(rng: random.Random, n_units: int, n_coders: int, missing: float,
                  values: int = 2) -> list[list[int | None]]:
    units = []
    for _ in range(n_units):
        truth = rng.randrange(values)
        unit: list[int | None] = [truth if rng.random() < 0.8 else rng.randrange(values)
                                  for _ in range(n_coders)]
        for i in range(n_coders):
            if rng.random() < missing:
                unit[i] = None
        units.append(unit)
    return units


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("n_coders", [2, 3, 5])
def test_alpha_matches_the_krippendorff_package(seed: int, n_coders: int) -> None:
    rng = random.Random(seed * 10 + n_coders)
    units = _random_units(rng, 60, n_coders, missing=0.25 if seed % 2 else 0.0,
                          values=2 if seed < 4 else 3)
    assert krippendorff_alpha(units) == pytest.approx(_reference_alpha(units), abs=1e-9)


@pytest.mark.parametrize("seed", range(8))
def test_kappa_matches_scikit_learn(seed: int) -> None:
    rng = random.Random(seed)
    units = _random_units(rng, 50, 2, missing=0.0, values=2 + seed % 2)
    pairs = [(u[0], u[1]) for u in units]
    expected = cohen_kappa_score([a for a, _ in pairs], [b for _, b in pairs])
    assert cohen_kappa(pairs) == pytest.approx(expected, abs=1e-12)


def test_worked_example_from_krippendorff() -> None:
    """Krippendorff (2011), nominal data with missing values: α = 0.743."""
    n = None
    coders = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, n, n, n],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, n, 3],
        [n, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, n],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, n],
    ]
    units = [list(u) for u in zip(*coders, strict=True)]
    assert krippendorff_alpha(units) == pytest.approx(0.743, abs=5e-4)


def test_missing_data_and_single_values() -> None:
    # units with one value are not pairable and change nothing
    units = [[1, 1], [0, 0], [1, 0], [1, None], [None, None]]
    assert krippendorff_alpha(units) == pytest.approx(_reference_alpha(units))
    assert percent_agreement(units) == pytest.approx(200 / 3)


def test_everyone_agreeing_on_one_value_leaves_alpha_undefined() -> None:
    units = [[0, 0, 0], [0, 0, None], [0, 0, 0]]
    assert krippendorff_alpha(units) is None
    assert percent_agreement(units) == 100.0
    assert cohen_kappa([(0, 0), (0, 0)]) is None
    assert verdict(None) == "undefined"
    assert krippendorff_alpha([]) is None
    assert percent_agreement([[1, None]]) is None
    assert cohen_kappa([]) is None


def test_verdicts() -> None:
    assert verdict(0.5) == "unreliable"
    assert verdict(0.667) == "tentative"
    assert verdict(0.79) == "tentative"
    assert verdict(0.8) == "reliable"


def _sampled(project: Project, coders: list[str], group: str, n: int) -> list[int]:
    """``n`` answers of ``group`` from a double-coding sample of ``coders`` (coded blind)."""
    sample = draw_double_coding_sample(project, coders, n=40, seed=4)
    by_id = {a.id: a for a in project.answers(group=group, with_comment=True)}
    ids = [a for a in sample.answer_ids if a in by_id]
    assert len(ids) >= n
    return ids[:n]


def _code(project: Project, plan: dict[int, dict[str, list[str] | None]]) -> None:
    for answer_id, by_coder in plan.items():
        for coder, themes in by_coder.items():
            if themes is None:
                project.record_decision(answer_id, coder, not_assigned=True)
            else:
                project.record_decision(answer_id, coder, themes)


def test_project_agreement(team_project: Project) -> None:
    project = team_project
    ids = _sampled(project, ["alice", "bob", "carol"], "holder", 6)
    _code(project, {
        ids[0]: {"alice": ["support"], "bob": ["support"]},
        ids[1]: {"alice": ["support", "process"], "bob": ["support"]},
        ids[2]: {"alice": None, "bob": None},
        ids[3]: {"alice": None, "bob": ["process"]},
        ids[4]: {"alice": ["process"], "bob": ["process"], "carol": ["support"]},
        ids[5]: {"alice": ["support"]},  # one coder only: not compared
    })
    # an adjudicated decision is not a coder's own coding
    adjudicate(project, ids[3], "alice", ["process"])
    report = compute_agreement(project, ["alice", "bob"])
    assert report.coders == ["alice", "bob"]
    by_theme = {(r.codebook, r.theme_id): r for r in report.themes}
    assert {c for c, _ in by_theme} == {"poet_holders"}
    support = by_theme[("poet_holders", "support")]
    assert support.answers == 5
    # support: alice 1,1,0,0,0; bob 1,1,0,0,0 → perfect agreement
    assert support.percent == 100.0 and support.alpha == pytest.approx(1.0)
    process = by_theme[("poet_holders", "process")]
    alice = [0, 1, 0, 0, 1]
    bob = [0, 0, 0, 1, 1]
    assert process.percent == pytest.approx(60.0)
    assert process.kappa == pytest.approx(cohen_kappa_score(alice, bob))
    assert process.alpha == pytest.approx(
        _reference_alpha([[a, b] for a, b in zip(alice, bob, strict=True)]))
    not_assigned = by_theme[("poet_holders", "not_assigned")]
    assert not_assigned.percent == pytest.approx(80.0)
    # a theme nobody used: everyone agrees it is absent, α undefined
    unused = [r for r in report.themes if r.theme_id not in {"support", "process",
                                                             "not_assigned"}]
    assert unused and all(r.alpha is None and r.verdict == "undefined" for r in unused)
    assert report.overall is not None and report.overall.answers == 5
    for theme in project.codebook_for_group("holder").theme_ids + ["not_assigned"]:
        row = by_theme[("poet_holders", theme)]
        assert row.answers == 5
    assert len(report.themes) == len(project.codebook_for_group("holder").themes) + 1
    # three coders: kappa is not defined, α handles carol's missing answers
    three = compute_agreement(project, ["alice", "bob", "carol"])
    rows = {r.theme_id: r for r in three.themes}
    assert rows["support"].kappa is None
    assert rows["support"].answers == 5
    assert rows["support"].alpha is not None and rows["support"].alpha < 1.0


def test_report_outputs(team_project: Project, tmp_path) -> None:  # noqa: ANN001
    project = team_project
    ids = _sampled(project, ["a", "b"], "carer", 3)
    _code(project, {
        ids[0]: {"a": ["support"], "b": ["support"]},
        ids[1]: {"a": ["process"], "b": ["support"]},
        ids[2]: {"a": None, "b": ["process"]},
    })
    report = compute_agreement(project)
    assert report.coders == ["a", "b"]
    report.write(tmp_path / "agree.csv", tmp_path / "agree.md")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "agree.csv").read_text())))
    assert rows[-1]["theme_id"] == "all"
    support = next(r for r in rows if r["theme_id"] == "support")
    assert support["answers_compared"] == "3"
    assert support["verdict"] in {"unreliable", "tentative", "reliable"}
    assert float(support["percent_agreement"]) == pytest.approx(200 / 3, abs=0.05)
    markdown = (tmp_path / "agree.md").read_text()
    assert "| poet_carers | Support | 3 |" in markdown
    assert "undefined" in markdown
    assert markdown.count("\n|") == len(rows) + 2  # header, rule, a line per row


def test_only_answers_coded_blind_count(team_project: Project) -> None:
    """Answers two coders coded outside a sample (one could see the other's decision) are
    reported apart as not blind; so is a decision made before the sample was drawn."""
    project = team_project
    ordinary = [a.id for a in project.answers(group="holder", with_comment=True)[:4]]
    # coded one after the other outside any sample: bob saw alice's themes pre-marked
    _code(project, {ordinary[0]: {"alice": ["support"], "bob": ["support"]},
                    ordinary[1]: {"alice": ["support"], "bob": ["support"]},
                    ordinary[2]: {"alice": ["process"], "bob": ["process"]}})
    blind = _sampled(project, ["alice", "bob"], "holder", 4)
    assert not set(blind) & set(ordinary)  # a sample draws only answers nobody has decided
    _code(project, {blind[0]: {"alice": ["support"], "bob": ["process"]},
                    blind[1]: {"alice": ["process"], "bob": ["process"]},
                    blind[2]: {"alice": None, "bob": None},
                    blind[3]: {"alice": ["support"]}})  # one coder so far: not compared
    report = compute_agreement(project, ["alice", "bob"])
    assert report.overall is not None and report.overall.answers == 3
    support = next(r for r in report.themes if r.theme_id == "support")
    assert support.answers == 3 and support.percent == pytest.approx(200 / 3)
    assert report.not_blind is not None and report.not_blind.answers == 3
    assert report.not_blind.percent == 100.0
    markdown = report.to_markdown()
    assert "on 3 answers coded blind" in markdown
    assert "Not blind: 3 more answers" in markdown and "100.0 % agreement" in markdown
    assert report.to_csv().splitlines()[-1].startswith("all (not blind),not_blind,")
    # carol was not in the sample: her coding of a sample answer is not blind
    _code(project, {blind[3]: {"carol": ["support"]}})
    three = compute_agreement(project, ["alice", "bob", "carol"])
    assert three.overall is not None and three.overall.answers == 3
    assert three.not_blind is not None and three.not_blind.answers == 4


def test_agreement_needs_two_coders(team_project: Project) -> None:
    with pytest.raises(StoreError, match="two coders"):
        compute_agreement(team_project)
    assert "| all |" not in AgreementReport(coders=["a", "b"]).to_markdown()
