"""Handing answers out and refusing a second decision, on SQLite and PostgreSQL."""

from __future__ import annotations

import time

import pytest

from themecoder.errors import DecidedByOther, StoreError
from themecoder.store import Project
from themecoder.store.claims import (
    DEFAULT_TTL_MINUTES,
    claim,
    claim_next,
    claim_ttl,
    claims,
    holder,
    record_unless_decided,
    release,
    renew,
    set_claim_ttl,
)
from themecoder.store.samples import draw_double_coding_sample
from themecoder.store.teams import adjudication_queue


def _theme(project: Project, answer_id: int) -> list[str]:
    return ["support"] if project.answer(answer_id).group == "holder" else ["process"]


def test_a_decided_or_held_answer_is_never_handed_out(team_project: Project) -> None:
    project = team_project
    first, second, third = [a.id for a in project.answers(with_comment=True)[:3]]
    # bob decided the first answer without claiming it (e.g. in an older version)
    project.record_decision(first, "bob", _theme(project, first))
    assert not claim(project, "alice", first)
    assert claim_next(project, "alice", candidates=[first, second, third]) == second
    assert holder(project, second, "carol") == "alice"
    assert holder(project, second, "alice") is None
    assert not claim(project, "carol", second)
    # a lazily read candidate stream: only what is needed is read
    read: list[int] = []

    def stream():  # noqa: ANN202
        for answer_id in [first, second, third, *range(10_000, 20_000)]:
            read.append(answer_id)
            yield answer_id

    assert claim_next(project, "carol", candidates=stream()) == third
    assert len(read) <= 8
    # taking over: carol confirmed she wants alice's answer
    assert claim(project, "carol", second, take_over=True)
    assert holder(project, second, "alice") == "carol"
    assert [c["coder"] for c in claims(project)] == ["carol"]  # carol let go of the third
    # a decided answer cannot be taken over
    assert not claim(project, "alice", first, take_over=True)


def test_claims_released_renewed_and_their_time_is_a_setting(team_project: Project) -> None:
    project = team_project
    assert claim_ttl(project) == DEFAULT_TTL_MINUTES
    set_claim_ttl(project, 2)
    assert claim_ttl(project) == 2
    with pytest.raises(StoreError, match="between 0.5 and 1440"):
        set_claim_ttl(project, 0)
    answer_id = claim_next(project, "alice")
    (live,) = claims(project)
    expires = live["expires_at"]
    time.sleep(0.01)
    assert renew(project, "alice") == 1
    assert claims(project)[0]["expires_at"] > expires
    assert release(project, "alice") == 1
    assert claims(project) == [] and claim(project, "bob", answer_id)
    assert renew(project, "alice") == 0


def test_a_second_decision_is_refused_unless_it_revises(team_project: Project) -> None:
    project = team_project
    answer_id = project.answers(with_comment=True)[0].id
    themes = _theme(project, answer_id)
    first = record_unless_decided(project, answer_id, "alice", themes)
    assert first.revises is None
    # alice changing her own mind is no revision of anyone's
    again = record_unless_decided(project, answer_id, "alice", not_assigned=True)
    with pytest.raises(DecidedByOther) as refused:
        record_unless_decided(project, answer_id, "bob", themes)
    assert refused.value.coder == "alice" and refused.value.decision_id == again.id
    assert "alice decided this a moment ago" in refused.value.one_line()
    assert [d.coder for d in project.decision_log(answer_id=answer_id)] == ["alice", "alice"]
    revision = record_unless_decided(project, answer_id, "bob", themes, revise=True)
    assert revision.revises == again.id
    assert project.decision_log(answer_id=answer_id)[-1].revises == again.id
    assert project.final_decisions()[answer_id].id == revision.id
    # the revision replaced alice's decision: nothing for an adjudicator to settle
    assert adjudication_queue(project) == []
    # once alice's decisions are withdrawn, bob's stands alone: carol must revise bob's
    project.undo_last("alice")
    project.undo_last("alice")
    with pytest.raises(DecidedByOther, match="bob decided"):
        record_unless_decided(project, answer_id, "carol", themes)
    project.undo_last("bob")
    assert record_unless_decided(project, answer_id, "carol", themes).revises is None


def test_sample_lanes_are_blind_to_other_decisions(team_project: Project) -> None:
    project = team_project
    sample = draw_double_coding_sample(project, ["alice", "bob"], n=4, seed=1)
    answer_id = sample.answer_ids[0]
    themes = _theme(project, answer_id)
    record_unless_decided(project, answer_id, "alice", themes)
    # bob codes it blind in his own lane: alice's decision does not count
    assert record_unless_decided(project, answer_id, "bob", not_assigned=True).revises is None
    # carol is not in the sample: she would be changing their decisions
    with pytest.raises(DecidedByOther):
        record_unless_decided(project, answer_id, "carol", themes)
    # each assigned coder is handed the sample answer until they have coded it
    assert claim_next(project, "alice", candidates=sample.answer_ids) == sample.answer_ids[1]
    assert claim_next(project, "bob", candidates=sample.answer_ids) == sample.answer_ids[1]
    assert claim_next(project, "carol", candidates=sample.answer_ids) is None


def test_a_dropped_connection_does_not_lose_a_claim(pg_url: str) -> None:
    """Claims go without a ping before each use: a connection the server dropped (a
    restart, an idle timeout) is replaced and the claim made all the same."""
    import psycopg
    from conftest import make_project

    with make_project(pg_url) as project:
        first = claim_next(project, "alice")
        dsn = pg_url.replace("postgresql+psycopg://", "postgresql://", 1)
        with psycopg.connect(dsn, autocommit=True) as admin:
            ended = admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                  "WHERE datname = current_database() "
                                  "AND pid <> pg_backend_pid()").fetchall()
        assert ended  # the project's pooled connections are gone
        second = claim_next(project, "alice")
        assert second == first  # her claim on it still stands, renewed
        assert renew(project, "alice") == 1
        assert release(project, "alice") == 1
