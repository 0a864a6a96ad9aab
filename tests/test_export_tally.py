"""Tallies checked against counts worked out by hand on a small project.

The fixture survey (wide layout), with the decisions recorded in :func:`build_project`:

=====  ======  =======  ======================  ======================  ==================
id     group   council  worked_well             not_well                change
=====  ======  =======  ======================  ======================  ==================
H1     holder  North    staff + positive        communication           (empty)
H2     holder  North    choice_control          (empty)                 funding (advice
                                                                        undone)
H3     holder  South    (empty)                 alice process,          NOT CODED
                                                bob timeliness (later)
H4     holder  South    not assigned            alice process, bob      (empty)
                                                managing_budget, carol
                                                adjudicated process +
                                                managing_budget
C1     carer   North    life_for_carer          (empty)                 (empty)
C2     carer   South    (empty)                 (empty)                 (empty)
=====  ======  =======  ======================  ======================  ==================
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency

from themecoder.codebook import load_codebook
from themecoder.errors import ExportError
from themecoder.export.data import final_decisions_frame, load_export_data, read_decisions
from themecoder.export.tally import tally
from themecoder.store import Project
from themecoder.survey import SurveyMapping, read_survey

ROOT = Path(__file__).resolve().parents[1]

ROWS = [
    # respondent_id, group, council, worked_well, not_well, change
    ("H1", "holder", "North", "The staff were great, thank you", '=HYPERLINK("http://x","y")', ""),
    ("H2", "holder", "North", "More choice and control", "", "+1 more money please"),
    ("H3", "holder", "South", "", "Slow and the paperwork", "@SUM(A1) of everything"),
    ("H4", "holder", "South", "ok", "Paperwork and the accounts", ""),
    ("C1", "carer", "North", "A break for me", "", ""),
    ("C2", "carer", "South", "", "", ""),
]


def write_survey(path: Path) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["respondent_id", "group", "council", "worked_well", "not_well",
                         "change"])
        writer.writerows(ROWS)
    return path


def build_project(tmp_path: Path, *, finish: bool = False) -> Project:
    """The hand-checked fixture project (``finish`` also codes H3's change answer)."""
    project = Project.create(tmp_path / "fixture.themecoder", name="Fixture survey")
    project.add_codebook(load_codebook(ROOT / "codebooks" / "poet_holders.yaml"))
    project.add_codebook(load_codebook(ROOT / "codebooks" / "poet_carers.yaml"))
    data = read_survey(write_survey(tmp_path / "survey.csv"), SurveyMapping())
    project.import_survey(data)
    ids = {a.key: a.id for a in project.answers()}
    rec = project.record_decision
    rec(ids["H1:worked_well"], "alice", ["staff", "positive"])
    rec(ids["H2:worked_well"], "alice", ["choice_control"])
    rec(ids["H4:worked_well"], "alice", not_assigned=True)
    rec(ids["H1:not_well"], "alice", ["communication"])
    rec(ids["H3:not_well"], "alice", ["process"])
    rec(ids["H3:not_well"], "bob", ["timeliness"])
    rec(ids["H4:not_well"], "alice", ["process"])
    rec(ids["H4:not_well"], "bob", ["managing_budget"])
    rec(ids["H4:not_well"], "carol", ["process", "managing_budget"], source="adjudicated")
    rec(ids["H2:change"], "alice", ["funding_service_level"])
    rec(ids["H2:change"], "alice", ["advice"])
    assert project.undo_last("alice").themes == ("advice",)
    rec(ids["C1:worked_well"], "dana", ["life_for_carer"])
    if finish:
        rec(ids["H3:change"], "alice", ["funding_service_level", "process"])
    return project


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory):
    """Built once per module: tallies only read it."""
    with build_project(tmp_path_factory.mktemp("fixture")) as store:
        yield store


def count(t, group: str, question: str, theme_id: str) -> pd.Series:
    rows = t.counts[(t.counts.group == group) & (t.counts.question == question)
                    & (t.counts.theme_id == theme_id)]
    assert len(rows) == 1
    return rows.iloc[0]


def summary(t, group: str, question: str) -> pd.Series:
    rows = t.summary[(t.summary.group == group) & (t.summary.question == question)]
    assert len(rows) == 1
    return rows.iloc[0]


def test_summary_counts_by_hand(project: Project) -> None:
    t = tally(project)
    # holders: 4 respondents; worked_well commented by H1, H2, H4 ("ok" is a comment)
    ww = summary(t, "holder", "worked_well")
    assert (ww.respondents, ww.commented, ww.coded, ww.not_assigned, ww.to_do) == (4, 3, 2, 1, 0)
    assert ww.pct_commented == 75.0
    assert ww.commented_text == "75.0 % commented on what worked well"
    nw = summary(t, "holder", "not_well")
    assert (nw.commented, nw.coded, nw.not_assigned, nw.to_do) == (3, 3, 0, 0)
    ch = summary(t, "holder", "change")
    assert (ch.commented, ch.coded, ch.to_do, ch.pct_commented) == (2, 1, 1, 50.0)
    # carers: C2 made no comment at all but still counts as a respondent
    cw = summary(t, "carer", "worked_well")
    assert (cw.respondents, cw.commented, cw.coded, cw.pct_commented) == (2, 1, 1, 50.0)
    cn = summary(t, "carer", "not_well")
    assert (cn.respondents, cn.commented, cn.pct_commented) == (2, 0, 0.0)
    assert t.unfinished and t.to_do == 1
    assert t.metadata["unfinished"] is True
    assert "1 commented answer(s) are not coded yet" in t.metadata["status"]


def test_multi_theme_answers_count_once_per_theme(project: Project) -> None:
    t = tally(project)
    for theme in ("staff", "positive", "choice_control"):
        row = count(t, "holder", "worked_well", theme)
        assert row.comments == 1
        assert row.pct_of_commenters == pytest.approx(33.3)
        assert row.commenters == 3 and row.respondents == 4
    assert count(t, "holder", "worked_well", "support").comments == 0
    assert summary(t, "holder", "worked_well").theme_mentions == 3
    # ranks: the three mentioned themes tie at 1, the rest tie at 4
    assert count(t, "holder", "worked_well", "staff")["rank"] == 1
    assert count(t, "holder", "worked_well", "support")["rank"] == 4
    # every holder theme appears for every question, carers' for theirs
    assert len(t.counts[t.counts.group == "holder"]) == 18 * 3
    assert len(t.counts[t.counts.group == "carer"]) == 12 * 3


def test_decision_rule_adjudicated_then_latest(project: Project) -> None:
    t = tally(project)
    # H3: bob's decision is the most recent; H4: carol's adjudication wins over both coders
    assert count(t, "holder", "not_well", "timeliness").comments == 1
    assert count(t, "holder", "not_well", "process").comments == 1          # H4 only
    assert count(t, "holder", "not_well", "managing_budget").comments == 1  # H4
    assert count(t, "holder", "not_well", "communication").comments == 1    # H1
    assert count(t, "holder", "not_well", "process")["rank"] == 1
    assert "adjudicated decision first" in t.metadata["decision_rule"]
    assert t.metadata["coders"] == ["alice", "bob", "carol", "dana"]
    assert t.metadata["preferred_coder"] is None


def test_decision_rule_preferred_coder(project: Project) -> None:
    t = tally(project, prefer_coder="alice")
    # H3 now counts alice's "process"; H4 is still carol's adjudicated decision
    assert count(t, "holder", "not_well", "timeliness").comments == 0
    assert count(t, "holder", "not_well", "process").comments == 2
    assert count(t, "holder", "not_well", "managing_budget").comments == 1
    assert "(alice)" in t.metadata["decision_rule"]
    assert t.metadata["preferred_coder"] == "alice"


def test_undone_decision_does_not_count(project: Project) -> None:
    t = tally(project)
    assert count(t, "holder", "change", "advice").comments == 0
    assert count(t, "holder", "change", "funding_service_level").comments == 1
    assert count(t, "holder", "change", "funding_service_level").pct_of_commenters == 50.0


def test_finished_project_is_not_unfinished(tmp_path: Path) -> None:
    with build_project(tmp_path, finish=True) as store:
        t = tally(store)
    assert not t.unfinished and t.unfinished_note() == ""
    ch = summary(t, "holder", "change")
    assert (ch.coded, ch.to_do) == (2, 0)
    assert count(t, "holder", "change", "funding_service_level").comments == 2
    assert count(t, "holder", "change", "process").comments == 1


@pytest.mark.parametrize("prefer", [None, "alice", "bob", "carol", "nobody"])
def test_vectorised_rule_agrees_with_project_api(project: Project, prefer: str | None) -> None:
    expected = project.final_decisions(prefer_coder=prefer)
    frame = final_decisions_frame(read_decisions(project), prefer)
    got = dict(zip(frame.answer_id, frame.decision_id, strict=True))
    assert got == {a: d.id for a, d in expected.items()}


def test_vectorised_rule_agrees_on_a_random_log(tmp_path: Path) -> None:
    """Many coders, adjudications and undos in random order: same choice as the Project API."""
    rng = np.random.default_rng(7)
    with build_project(tmp_path) as store:
        ids = [a.id for a in store.answers(with_comment=True, group="holder")]
        themes = ["staff", "process", "advice", "support", "review"]
        for _ in range(150):
            coder = str(rng.choice(["ann", "ben", "o'neil"]))  # a quote in a name, too
            roll = rng.random()
            if roll < 0.15:
                store.undo_last(coder)
            else:
                picked = list(rng.choice(themes, size=rng.integers(1, 3), replace=False))
                store.record_decision(int(rng.choice(ids)), coder, picked,
                                      source="adjudicated" if roll > 0.9 else "manual")
        log = read_decisions(store)
        for prefer in (None, "ben"):
            expected = {a: d.id for a, d in store.final_decisions(prefer_coder=prefer).items()}
            frame = final_decisions_frame(log, prefer)
            assert dict(zip(frame.answer_id, frame.decision_id, strict=True)) == expected


def test_crosstab_and_chi_square_match_scipy(project: Project) -> None:
    t = tally(project, by=["council"])
    table = t.crosstabs["council"]
    # holders' worked_well commenters: North H1, H2; South H4. Staff: North 1 of 2, South 0 of 1
    staff = table[(table.group == "holder") & (table.question == "worked_well")
                  & (table.theme_id == "staff")].set_index("level")
    assert staff.loc["North", ["comments", "commenters"]].tolist() == [1, 2]
    assert staff.loc["South", ["comments", "commenters"]].tolist() == [0, 1]
    assert staff.loc["North", "pct_of_commenters"] == 50.0
    tests = t.tests["council"]
    row = tests[(tests.group == "holder") & (tests.question == "worked_well")
                & (tests.theme_id == "staff")].iloc[0]
    chi2, p, dof, expected = chi2_contingency(np.array([[1, 0], [1, 1]]))
    assert row.chi2 == pytest.approx(chi2)
    assert row.p_value == pytest.approx(p)
    assert row.dof == dof
    assert row.min_expected == pytest.approx(expected.min())
    assert "expected counts are below 5" in row.note
    # a theme nobody mentioned cannot be tested, and says so
    support = tests[(tests.group == "holder") & (tests.question == "worked_well")
                    & (tests.theme_id == "support")].iloc[0]
    assert np.isnan(support.chi2) and support.note.startswith("not computable")
    # carers' worked_well: only North commented, so there is one level: not computable
    carer = tests[(tests.group == "carer") & (tests.question == "worked_well")
                  & (tests.theme_id == "life_for_carer")].iloc[0]
    assert "fewer than two" in carer.note


def test_unknown_by_attribute(project: Project) -> None:
    with pytest.raises(ExportError, match="unknown respondent attribute 'region'.*council"):
        tally(project, by=["region"])


def test_export_data_reads_tables(project: Project) -> None:
    data = load_export_data(project, with_text=True)
    assert len(data.respondents) == 6 and len(data.answers) == 18
    assert set(data.answers.group) == {"holder", "carer"}
    assert len(data.final) == 8  # decided answers (H3:change is still to do)
    pairs = set(zip(data.themes.answer_id, data.themes.theme_id, strict=True))
    h1 = project.answer_by_key("H1:worked_well").id
    assert {(h1, "staff"), (h1, "positive")} <= pairs
