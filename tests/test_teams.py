"""Double-coding samples, claims, adjudication and the team commands, on both backends."""

from __future__ import annotations

import time
from collections import Counter

import pytest
from click.testing import CliRunner
from conftest import make_project

from themecoder.cli import cli
from themecoder.errors import StoreError
from themecoder.store import Project
from themecoder.store.teams import (
    adjudicate,
    adjudication_queue,
    allocate,
    blind_to,
    claim,
    claim_next,
    claimed_by_others,
    claims,
    double_coding_samples,
    draw_double_coding_sample,
    release,
)


def _strata(project: Project, ids: tuple[int, ...]) -> Counter:
    by_id = {a.id: a for a in project.answers(with_comment=True)}
    return Counter((by_id[i].group, by_id[i].question) for i in ids)


# --------------------------------------------------------------------------- samples


def test_allocation_is_proportional_with_one_per_stratum() -> None:
    assert allocate([100, 50, 50], 20) == [10, 5, 5]
    assert sum(allocate([129, 101, 102, 192, 152, 83], 76)) == 76
    assert allocate([1000, 3, 0], 10) == [9, 1, 0]
    assert allocate([2, 2], 100) == [2, 2]
    assert allocate([5, 5, 5], 1) == [1, 1, 1]  # at least one from each


def test_sample_is_stratified_reproducible_and_recorded(team_project: Project,
                                                        tmp_path) -> None:  # noqa: ANN001
    project = team_project
    commented = project.answers(with_comment=True)
    sample = draw_double_coding_sample(project, ["alice", "bob"], share=0.1, seed=7)
    assert len(sample.answer_ids) == round(0.1 * len(commented))
    assert set(sample.answer_ids) <= {a.id for a in commented}
    population = Counter((a.group, a.question) for a in commented)
    drawn = _strata(project, sample.answer_ids)
    assert set(drawn) == set(population)
    for stratum in sample.strata:
        assert drawn[(stratum.group, stratum.question)] == stratum.drawn
        assert stratum.available == population[(stratum.group, stratum.question)]
        assert abs(stratum.drawn - 0.1 * stratum.available) <= 1
    # the same seed on the same survey draws the same answers (in another project)
    other = make_project(str(tmp_path / "other.themecoder"))
    again = draw_double_coding_sample(other, ["alice", "bob"], share=0.1, seed=7)
    keys = {a.id: a.key for a in commented}
    other_keys = {a.id: a.key for a in other.answers(with_comment=True)}
    assert [keys[i] for i in sample.answer_ids] == [other_keys[i] for i in again.answer_ids]
    assert draw_double_coding_sample(other, ["x", "y"], n=40, seed=8).answer_ids != \
        again.answer_ids
    other.close()
    # recorded, blind for its coders only; a second sample draws other answers
    assert blind_to(project, "alice") == set(sample.answer_ids)
    assert blind_to(project, "carol") == set()
    second = draw_double_coding_sample(project, ["bob", "carol"], n=12, seed=7)
    assert len(second.answer_ids) == 12
    assert not set(second.answer_ids) & set(sample.answer_ids)
    assert blind_to(project, "bob") == set(sample.answer_ids) | set(second.answer_ids)
    recorded = double_coding_samples(project)
    assert [(s.coders, len(s.answer_ids)) for s in recorded] == [
        (("alice", "bob"), len(sample.answer_ids)), (("bob", "carol"), 12)]


def test_bad_samples_are_refused(team_project: Project) -> None:
    with pytest.raises(StoreError, match="two different coders"):
        draw_double_coding_sample(team_project, ["alice", "alice"], share=0.1)
    with pytest.raises(StoreError, match="either"):
        draw_double_coding_sample(team_project, ["a", "b"], share=0.1, n=3)
    with pytest.raises(StoreError, match="share"):
        draw_double_coding_sample(team_project, ["a", "b"], share=1.5)
    assert double_coding_samples(team_project) == []


# --------------------------------------------------------------------------- claims


def test_claims_keep_coders_apart(team_project: Project) -> None:
    project = team_project
    first, second, third = [a.id for a in project.answers(with_comment=True)[:3]]
    assert claim_next(project, "alice") == first
    assert claim_next(project, "bob") == second
    # asking again renews one's own claim rather than taking another answer
    assert claim_next(project, "alice") == first
    assert claimed_by_others(project, "carol") == {first, second}
    assert claimed_by_others(project, "alice") == {second}
    assert not claim(project, "carol", first)
    assert claim(project, "carol", third)
    project.record_decision(first, "alice", ["support"] if project.answer(first).group ==
                            "holder" else ["process"])
    # a decided answer is done: alice moves on
    assert claim_next(project, "alice") not in {first, second, third}
    assert release(project, "bob", second) == 1
    assert claim_next(project, "carol", candidates=[second, third]) == second
    # the candidates' order is respected
    rest = [a.id for a in project.answers(with_comment=True)[10:20]]
    assert claim_next(project, "dave", candidates=list(reversed(rest))) == rest[-1]
    assert claim_next(project, "dave", candidates=[first]) is None
    assert claim_next(project, "dave", candidates=[]) is None


def test_stale_claims_expire(team_project: Project) -> None:
    project = team_project
    first = claim_next(project, "alice", ttl_minutes=0.01)
    assert claim_next(project, "bob") != first
    time.sleep(0.8)
    assert first not in claimed_by_others(project, "bob")
    assert claim(project, "bob", first)
    assert [c["coder"] for c in claims(project) if c["answer_id"] == first] == ["bob"]


def test_double_coding_answers_go_to_each_assigned_coder(team_project: Project) -> None:
    project = team_project
    sample = draw_double_coding_sample(project, ["alice", "bob"], n=6, seed=3)
    sampled = set(sample.answer_ids)
    ordinary_ids = [a.id for a in project.answers(with_comment=True)
                    if a.id not in sampled][:24]
    candidates = sorted(sampled | set(ordinary_ids))
    got: dict[str, list[int]] = {"alice": [], "bob": [], "carol": []}
    active = list(got)
    while active:
        for coder in list(active):
            answer_id = claim_next(project, coder, candidates=candidates)
            if answer_id is None:
                active.remove(coder)
                continue
            got[coder].append(answer_id)
            group = project.answer(answer_id).group
            project.record_decision(answer_id, coder, ["support"] if group == "holder"
                                    else ["process"])
    assert sampled <= set(got["alice"]) and sampled <= set(got["bob"])
    assert not sampled & set(got["carol"])
    # outside the sample every answer was coded exactly once
    ordinary = sorted(a for coder in got for a in got[coder] if a not in sampled)
    assert ordinary == sorted(ordinary_ids)
    assert got["carol"]
    # a sampled answer is claimable by both assigned coders at once
    extra = draw_double_coding_sample(project, ["alice", "bob"], n=1, seed=4).answer_ids[0]
    assert claim(project, "alice", extra) and claim(project, "bob", extra)
    assert extra not in claimed_by_others(project, "carol")


# --------------------------------------------------------------------------- adjudication


def _holder_ids(project: Project, n: int) -> list[int]:
    return [a.id for a in project.answers(group="holder", with_comment=True)[:n]]


def test_adjudication_queue_and_decision(team_project: Project) -> None:
    project = team_project
    same, differ, vague, single = _holder_ids(project, 4)
    project.record_decision(same, "alice", ["support", "process"])
    project.record_decision(same, "bob", ["process", "support"])
    project.record_decision(differ, "alice", ["support"])
    project.record_decision(differ, "bob", ["process"])
    project.record_decision(vague, "bob", ["support"])
    project.record_decision(vague, "alice", not_assigned=True)
    project.record_decision(single, "alice", ["support"])
    queue = adjudication_queue(project)
    assert [d.answer.id for d in queue] == [differ, vague]
    assert queue[0].coders == ["alice", "bob"]
    assert queue[0].decisions["bob"].themes == ("process",)
    assert queue[1].decisions["alice"].not_assigned
    decision = adjudicate(project, differ, "carol", ["support", "process"])
    assert decision.source == "adjudicated"
    assert project.final_decisions()[differ].id == decision.id
    assert [d.answer.id for d in adjudication_queue(project)] == [vague]
    settled = adjudication_queue(project, include_settled=True)
    assert settled[0].adjudicated is not None and settled[0].adjudicated.id == decision.id
    # an adjudicator who also coded keeps their own coding in the comparison
    adjudicate(project, vague, "bob", not_assigned=True)
    assert adjudication_queue(project) == []
    row = adjudication_queue(project, include_settled=True)[1]
    assert row.decisions["bob"].themes == ("support",)
    # undoing a coder's decision can end a disagreement
    project.record_decision(single, "bob", ["process"])
    assert [d.answer.id for d in adjudication_queue(project)] == [single]
    project.undo_last("bob")
    assert adjudication_queue(project) == []
    assert adjudication_queue(project, coders=["alice"]) == []


# --------------------------------------------------------------------------- commands


def test_assign_command(store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    make_project(store_url).close()
    runner = CliRunner()
    result = runner.invoke(cli, ["assign", store_url, "--coders", "alice,bob", "--n", "30",
                                 "--seed", "2"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("double-coding sample 1: 30 answers for alice, bob")
    assert sum(int(line.split()[-3]) for line in lines[1:]) == 30
    assert any("holder" in line and "What worked well" in line for line in lines) or \
        any("holder" in line for line in lines)
    # --db and the environment variable name the project too
    monkeypatch.setenv("THEMECODER_DB", store_url)
    result = runner.invoke(cli, ["assign", "--coders", "carol,dave", "--share", "0.05"])
    assert result.exit_code == 0, result.output
    monkeypatch.delenv("THEMECODER_DB")
    result = runner.invoke(cli, ["assign", "--db", store_url, "--coders", "eve,fay", "--n", "5"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("double-coding sample 3: ")
    # user errors: one line, exit 2
    result = runner.invoke(cli, ["assign", store_url, "--coders", "alice"])
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0 and "two different coders" in result.output
    result = runner.invoke(cli, ["assign", store_url, "--coders", "a,b", "--n", "3",
                                 "--share", "0.1"])
    assert result.exit_code == 2


def test_agree_and_adjudicate_list_commands(store_url: str, tmp_path) -> None:  # noqa: ANN001
    with make_project(store_url) as project:
        outside = _holder_ids(project, 2)  # coded one after the other: not blind
        for answer_id in outside:
            project.record_decision(answer_id, "alice", ["staff"])
            project.record_decision(answer_id, "bob", ["staff"])
        sample = draw_double_coding_sample(project, ["alice", "bob"], n=30, seed=2)
        holders = {a.id for a in project.answers(group="holder", with_comment=True)}
        ids = [a for a in sample.answer_ids if a in holders][:3]
        for answer_id, (a, b) in zip(ids, [("support", "support"), ("support", "process"),
                                           ("process", "process")], strict=True):
            project.record_decision(answer_id, "alice", [a])
            project.record_decision(answer_id, "bob", [b])
        key = project.answer(ids[1]).key
    runner = CliRunner()
    result = runner.invoke(cli, ["agree", store_url, "--coders", "alice,bob",
                                 "--out-csv", str(tmp_path / "a.csv"),
                                 "--out-md", str(tmp_path / "a.md")])
    assert result.exit_code == 0, result.output
    assert "| poet_holders | Support | 3 | 66.7 |" in result.output
    assert "on 3 answers coded blind" in result.output
    assert "Not blind: 2 more answers" in result.output
    assert (tmp_path / "a.md").read_text() == result.output
    assert (tmp_path / "a.csv").read_text().startswith("codebook,theme_id,theme,")
    result = runner.invoke(cli, ["agree", store_url, "--coders", "alice,zed"])
    assert result.exit_code == 2 and "no answer has been coded blind by two" in result.output
    # two coders who only ever coded outside a sample: nothing blind to compare
    with Project.open(store_url) as project:
        for answer_id in outside:
            project.record_decision(answer_id, "carol", ["staff"])
    result = runner.invoke(cli, ["agree", store_url, "--coders", "alice,carol"])
    assert result.exit_code == 2 and result.output.count("\n") == 1
    assert "(2 coded by two of them not blind, which does not count)" in result.output
    result = runner.invoke(cli, ["adjudicate", store_url, "--adjudicator", "carol", "--list"])
    assert result.exit_code == 0, result.output
    assert key in result.output and "1 answer(s) to adjudicate" in result.output
    assert "alice: support" in result.output and "bob: process" in result.output


def test_missing_project_is_one_line(tmp_path) -> None:  # noqa: ANN001
    result = CliRunner().invoke(cli, ["agree", str(tmp_path / "none.themecoder")])
    assert result.exit_code == 2
    assert result.output.startswith("error: ") and result.output.count("\n") == 1


def test_coding_session_is_blind_and_skips_others_claims(team_project: Project) -> None:
    from themecoder.coding import CodingSession

    project = team_project
    sample = draw_double_coding_sample(project, ["alice", "bob"], n=6, seed=2)
    blind = sample.answer_ids[0]
    holder = project.answer(blind).group == "holder"
    project.record_decision(blind, "bob", ["support"] if holder else ["process"])
    alice = CodingSession(project, "alice")
    assert alice.decision(blind) is None  # bob's coding stays hidden from alice
    assert alice.status_of(blind) == "todo"
    carol = CodingSession(project, "carol")
    assert carol.decision(blind) is not None  # carol is not in the sample
    # alice is served her sample first (the answer bob coded is still to do for her)
    assert alice.current is not None and alice.current.id == sample.answer_ids[0]
    assert alice.in_sample() and alice.sample_progress() == (0, 6)
    # carol moves onto the first ordinary answer to do and claims it; dave's session skips
    # it, and neither is ever given a sample answer
    first = carol.first_todo()
    assert first is not None and first.id in claimed_by_others(project, "dave")
    assert first.id not in sample.answer_ids
    dave = CodingSession(project, "dave")
    other = dave.first_todo()
    assert other is not None and other.id != first.id and other.id not in sample.answer_ids


def test_team_commands(store_url: str) -> None:
    from themecoder.store.claims import claim_next, record_unless_decided

    make_project(store_url).close()
    runner = CliRunner()
    result = runner.invoke(cli, ["team", "show", store_url])
    assert result.exit_code == 0, result.output
    assert "claim time: 30 min" in result.output
    assert "served to their coders first" in result.output
    assert "no double-coding sample" in result.output and "answers held now: 0" in result.output
    result = runner.invoke(cli, ["team", "set", store_url, "--claim-ttl", "5",
                                 "--sample-order", "interleaved", "--sample-share", "0.2"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["assign", store_url, "--coders", "alice,bob", "--n", "10"])
    assert result.exit_code == 0 and "mixed in" in result.output, result.output
    with Project.open(store_url) as project:
        sample = double_coding_samples(project)[0]
        first = sample.answer_ids[0]
        record_unless_decided(project, first, "alice", _theme_for(project, first))
        held = claim_next(project, "bob", candidates=[first])
        key = project.answer(first).key
    assert held == first
    result = runner.invoke(cli, ["team", "show", store_url])
    assert result.exit_code == 0, result.output
    size = len(sample.answer_ids)
    assert "claim time: 5 min" in result.output
    assert "interleaved (20% of answers served)" in result.output
    assert f"coded blind: alice 1 / {size}, bob 0 / {size}" in result.output
    assert "answers held now: 1" in result.output and f"{key}  bob (double-coding)" in \
        result.output
    result = runner.invoke(cli, ["team", "release", store_url, "--coder", "bob"])
    assert result.exit_code == 0 and "released 1 claim(s) of bob" in result.output
    with Project.open(store_url) as project:
        assert claims(project) == []
    # mistakes: one line, exit 2, nothing changed
    for args, message in [([], "give --claim-ttl"),
                          (["--claim-ttl", "0"], "between 0.5 and 1440"),
                          (["--sample-share", "1.5"], "above 0 and below 1")]:
        result = runner.invoke(cli, ["team", "set", store_url, *args])
        assert result.exit_code == 2 and message in result.output, result.output
    result = runner.invoke(cli, ["team", "show", store_url])
    assert "claim time: 5 min" in result.output


def _theme_for(project: Project, answer_id: int) -> list[str]:
    return ["support"] if project.answer(answer_id).group == "holder" else ["process"]
