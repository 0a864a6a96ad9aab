"""The coding session: queue, filters, search, decisions and their sources, undo, notes,
progress and rate, and decisions made by another process on the same project."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from tui_snapshot_app import CODER, build_project

from themecoder.coding import CodingSession, Filter, format_duration, suggest_ahead
from themecoder.store import Project


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def location(tmp_path: Path) -> str:
    return build_project(tmp_path)


@pytest.fixture
def project(location: str):  # noqa: ANN201
    with Project.open(location) as p:
        yield p


def key(session: CodingSession) -> str:
    assert session.current is not None
    return session.current.key


def test_queue_holds_commented_answers_and_opens_on_first_todo(project: Project) -> None:
    session = CodingSession(project, CODER)
    assert session.total == 12  # 15 cells, 3 empty
    assert session.view_size == 12
    assert key(session) == "R001:worked_well"
    project.record_decision(session.current.id, CODER, ["support"])
    assert key(CodingSession(project, CODER)) == "R001:not_well"


def test_accept_correct_manual_and_not_assigned_sources(project: Project) -> None:
    session = CodingSession(project, CODER)
    themes, na = session.premarked()
    assert themes == ["support"] and not na
    assert session.decide(themes).source == "accepted"
    session.next_todo()
    assert key(session) == "R001:not_well"
    assert session.decide(["process", "funding_service_level"]).source == "corrected"
    session.next_todo()
    assert key(session) == "R001:change"  # no stored suggestion
    assert session.decide(["process"]).source == "manual"
    session.next_todo()
    assert key(session) == "R002:worked_well"  # vague suggestion pre-marks not assigned
    assert session.premarked() == ([], True)
    assert session.decide(not_assigned=True).source == "accepted"
    session.next_todo()
    assert session.decide(not_assigned=True).source == "corrected"
    current = project.current_decisions(coder=CODER)
    by_key = {project.answer(a).key: d for (a, _c), d in current.items()}
    assert by_key["R001:worked_well"].themes == ("support",)
    assert by_key["R001:worked_well"].model_version == "keywords-test"
    assert by_key["R001:not_well"].themes == ("process", "funding_service_level")
    assert by_key["R001:change"].source == "manual"
    assert by_key["R002:worked_well"].not_assigned
    assert by_key["R002:not_well"].source == "corrected"


def test_undo_goes_back_through_decisions(project: Project) -> None:
    session = CodingSession(project, CODER)
    session.decide(["support"])
    session.next_todo()
    session.decide(["process"])
    session.next_todo()
    assert key(session) == "R001:change"
    assert session.undo().key == "R001:not_well"
    assert session.status_of(session.current.id) == "todo"
    assert session.undo().key == "R001:worked_well"
    assert session.undo() is None
    assert project.current_decisions(coder=CODER) == {}
    assert session.progress().done == 0


def test_filters_by_status_question_group_theme_and_confidence(project: Project) -> None:
    session = CodingSession(project, CODER)
    session.decide(["support"])
    session.next_todo()
    session.decide(not_assigned=True)
    session.set_filter(Filter(status="todo"))
    assert session.view_size == 10
    session.set_filter(Filter(status="done"))
    assert [project.answer(a).key for a in session.view_ids()] == ["R001:worked_well"]
    session.set_filter(Filter(status="not_assigned"))
    assert [project.answer(a).key for a in session.view_ids()] == ["R001:not_well"]
    session.set_filter(Filter(status="all", question="change"))
    assert session.view_size == 3
    session.set_filter(Filter(status="all", group="carer"))
    assert session.view_size == 2
    session.set_filter(Filter(status="all", theme="staff"))
    assert [project.answer(a).key for a in session.view_ids()] == ["R002:not_well"]
    session.set_filter(Filter(status="all", theme="support"))  # decided with it
    assert [project.answer(a).key for a in session.view_ids()] == ["R001:worked_well"]
    session.set_filter(Filter(status="todo", low_confidence=True))
    keys = {project.answer(a).key for a in session.view_ids()}
    assert "R004:worked_well" in keys and "R002:not_well" not in keys
    assert "R003:worked_well" in keys  # no suggestion counts as low confidence


def test_filter_labels_name_themes_not_ids(project: Project) -> None:
    session = CodingSession(project, CODER)
    label = Filter(status="todo", theme="stress_worry").describe(session.theme_names())
    assert label == "to do · theme Stress/worry"
    assert "stress_worry" not in label


def test_search_substring_and_fuzzy(project: Project) -> None:
    session = CodingSession(project, CODER)
    session.set_filter(Filter(status="all", search="PAPERWORK"))
    assert {project.answer(a).key for a in session.view_ids()} == {"R001:not_well",
                                                                   "R001:change"}
    session.set_filter(Filter(status="all", search="papwerwork"))
    assert session.view_size == 0 and session.current is None
    session.set_filter(Filter(status="all", search="papwerwork", fuzzy=True))
    assert {project.answer(a).key for a in session.view_ids()} == {"R001:not_well",
                                                                   "R001:change"}


def test_navigation_and_jump(project: Project) -> None:
    session = CodingSession(project, CODER)
    session.previous()
    assert key(session) == "R001:worked_well"
    session.next()
    assert key(session) == "R001:not_well"
    assert session.jump("R004:change").key == "R004:change"
    answer_id = session.current.id
    session.set_filter(Filter(status="all", group="carer"))
    assert session.jump(str(answer_id)).key == "R004:change"
    assert session.filter.group is None  # the filter was cleared to reach it
    assert session.jump("nope") is None


def test_context_definitions_and_notes(project: Project) -> None:
    session = CodingSession(project, CODER)
    context = session.respondent_context()
    assert [a.question for a in context] == ["not_well", "change"]
    assert session.codebook().id == "poet_holders"
    session.note("ask about PA hours")
    assert session.note_for() == "ask about PA hours"
    assert project.notes()[(session.current.id, CODER)] == "ask about PA hours"
    assert CodingSession(project, CODER).note_for(session.current.id) == "ask about PA hours"
    session.note("")
    assert session.note_for() == ""


def test_progress_rate_and_time_left(project: Project) -> None:
    clock = FakeClock()
    session = CodingSession(project, CODER, clock=clock)
    progress = session.progress()
    assert (progress.done, progress.total, progress.rate) == (0, 12, None)
    assert progress.per_question["worked_well"] == (0, 5)
    for n in range(5):
        session.decide(["support"])
        session.next_todo()
        if n < 4:
            assert session.progress().rate is None  # too few decisions to say
        clock.now += 60.0
    progress = session.progress()
    assert progress.done == 5 and progress.remaining == 7
    assert progress.per_question["worked_well"][0] == 2
    assert progress.rate == pytest.approx(60.0)  # 4 intervals of a minute
    assert progress.seconds_left == pytest.approx(7 * 60.0)
    assert format_duration(progress.seconds_left) == "7 min"
    assert format_duration(None) == "–"
    assert format_duration(3 * 3600 + 300) == "3 h 05 min"


def test_rate_carries_on_across_restarts(location: str) -> None:
    """The rate is read back from the decision log: a new session (the app restarted)
    starts with the rate the coder had, not from nothing."""
    from sqlalchemy import update

    from themecoder.store import schema

    with Project.open(location) as project:
        session = CodingSession(project, CODER)
        for _ in range(6):
            session.decide(["support"])
            session.next_todo()
        d = schema.decisions
        with project.engine.begin() as conn:  # made two minutes apart, an hour ago
            ids = [r.id for r in conn.execute(d.select().order_by(d.c.id))]
            for n, decision_id in enumerate(ids):
                stamp = f"2026-11-23T10:{2 * n:02d}:00+00:00"
                conn.execute(update(d).where(d.c.id == decision_id).values(created_at=stamp))
    with Project.open(location) as project:
        restarted = CodingSession(project, CODER)
        assert restarted.progress().rate == pytest.approx(30.0)
        assert CodingSession(project, "bob").progress().rate is None  # bob's own pace


def test_pace_caps_breaks_and_waits_for_enough_decisions() -> None:
    from themecoder.pace import BREAK_SECONDS, decisions_per_hour

    assert decisions_per_hour([0.0, 1.0]) is None  # two quick decisions say nothing
    assert decisions_per_hour([0, 60, 120, 180, 240]) == pytest.approx(60.0)
    # a two-hour lunch between the third and fourth decision counts as a short pause
    with_lunch = decisions_per_hour([0, 60, 120, 120 + 7200, 180 + 7200])
    assert with_lunch == pytest.approx(4 * 3600 / (180 + BREAK_SECONDS))
    # the window is the last 30 decisions: an old slow stretch drops out
    times = [n * 300.0 for n in range(40)] + [12_000 + n * 30.0 for n in range(30)]
    assert decisions_per_hour(times) == pytest.approx(120.0)


def test_note_drafts_survive_a_new_session_and_go_when_saved(location: str) -> None:
    with Project.open(location) as project:
        session = CodingSession(project, CODER)
        answer_id = session.current.id
        session.save_note_draft("call the carer ab", answer_id)
        session.save_note_draft("call the carer about hours", answer_id)
    with Project.open(location) as project:  # as after a crash
        again = CodingSession(project, CODER)
        assert again.note_draft(answer_id) == "call the carer about hours"
        assert again.note_drafts() == {answer_id: "call the carer about hours"}
        assert CodingSession(project, "bob").note_draft(answer_id) is None
        again.note("call the carer about hours", answer_id)
        assert again.note_draft(answer_id) is None
    with Project.open(location) as project:
        assert CodingSession(project, CODER).note_drafts() == {}
        assert project.notes()[(answer_id, CODER)] == "call the carer about hours"


def test_clearing_filters_returns_to_the_scope_and_keeps_the_answer(project: Project) -> None:
    session = CodingSession(project, CODER)
    assert session.scope == Filter(status="all")
    session.set_filter(Filter(status="all", question="not_well"))
    session.next()
    here = session.current.key
    session.clear_filter()
    assert session.filter == Filter(status="all") and key(session) == here
    session.set_filter(Filter(status="todo"))  # a scope chosen from the palette
    session.set_filter(Filter(status="todo", group="carer"))
    session.clear_filter()
    assert session.filter == Filter(status="todo")


def test_jump_explains_an_answer_without_comment(project: Project) -> None:
    session = CodingSession(project, CODER)
    empty = project.answer_by_key("R002:change")
    assert not empty.has_comment
    assert session.jump(str(empty.id)) is None
    reason = session.not_found_reason(str(empty.id))
    assert reason.startswith(f"Answer {empty.id} has no comment")
    assert "R002" in reason
    assert session.not_found_reason("R002:change").startswith(f"Answer {empty.id} has no")
    assert session.not_found_reason("9999") == "No answer with id or key '9999'."


def test_refresh_sees_another_coders_decisions(location: str, project: Project) -> None:
    session = CodingSession(project, CODER)
    assert session.refresh_from_store() == set()
    with Project.open(location) as other:  # another process on the same file
        target = other.answer_by_key("R001:not_well")
        other.record_decision(target.id, "bob", ["process"])
    changed = session.refresh_from_store()
    assert changed == {target.id}
    assert session.status_of(target.id) == "other"
    assert session.decision(target.id).coder == "bob"
    assert session.progress().done == 1
    session.decide(["support"])
    assert session.next_todo().key == "R001:change"  # bob's answer is skipped
    with Project.open(location) as other:
        other.undo_last("bob")
    assert session.refresh_from_store() == {target.id}
    assert session.status_of(target.id) == "todo"


class FakeTheme:
    def __init__(self, theme_id: str, score: float, suggested: bool) -> None:
        self.theme_id, self.theme_name, self.score = theme_id, theme_id, score
        self.suggested, self.reasons, self.spans = suggested, ["because"], [(0, 2)]


class FakeSuggestion:
    def __init__(self, text: str) -> None:
        self.themes = [FakeTheme("support", 0.7, True)] if text else []
        self.vague = False
        self.model_version = "fake-1"
        self.not_assigned_score = None


class FakeSuggester:
    def __init__(self) -> None:
        self.seen: list[str] = []

    def suggest_many(self, texts, questions):  # noqa: ANN001, ANN201
        self.seen.extend(texts)
        return iter([FakeSuggestion(t) for t in texts])


def test_suggest_ahead_stores_results_and_can_be_cancelled(project: Project) -> None:
    session = CodingSession(project, CODER)
    missing = session.missing_suggestions()
    assert "R001:change" in {a.key for a in missing}
    holders = [a for a in missing if a.group == "holder"]
    fake = FakeSuggester()
    calls: list[tuple[int, int]] = []
    done = suggest_ahead(project, holders, progress=lambda d, t: calls.append((d, t)),
                         batch_size=2, suggesters={"poet_holders": fake})
    assert len(done) == len(holders) and calls[-1] == (len(holders), len(holders))
    stored = project.suggestions(done)
    assert stored[done[0]].model_version == "fake-1"
    assert stored[done[0]].themes[0]["spans"] == [[0, 2]]
    session.reload_suggestions(done)
    assert all(a.group != "holder" for a in session.missing_suggestions())
    cancel = threading.Event()
    cancel.set()
    assert suggest_ahead(project, holders, cancel=cancel,
                         suggesters={"poet_holders": fake}) == []


# --------------------------------------------------------------------------- coding together


def test_moving_on_asks_the_store_not_the_sessions_picture(location: str,
                                                           project: Project) -> None:
    from themecoder.store.claims import claims

    alice = CodingSession(project, CODER)
    assert key(alice) == "R001:worked_well"
    with Project.open(location) as other:  # bob, in another process, decides the next one
        bob_answer = other.answer_by_key("R001:not_well")
        other.record_decision(bob_answer.id, "bob", ["process"])
    alice.decide(["support"])
    # alice's picture still has R001:not_well to do, but the store hands out the next one
    assert alice.next_todo().key == "R001:change"
    assert alice.status_of(bob_answer.id) == "other"
    assert [(c["answer_id"], c["coder"]) for c in claims(project)] == [
        (alice.current.id, CODER)]
    alice.close()
    assert claims(project) == []


def test_a_decision_made_meanwhile_is_refused_unless_revised(location: str,
                                                             project: Project) -> None:
    from themecoder.errors import DecidedByOther

    alice = CodingSession(project, CODER)
    target = alice.current
    with Project.open(location) as other:  # bob decided alice's answer a moment ago
        other.record_decision(target.id, "bob", ["staff"])
    with pytest.raises(DecidedByOther, match="bob decided this a moment ago"):
        alice.decide(["support"])
    assert alice.decided_by_other().coder == "bob"  # the session now knows
    assert alice.decision(target.id).themes == ("staff",)
    revision = alice.decide(["support"], revise=True)
    assert revision.revises == alice.decided_by_other().id
    assert project.final_decisions()[target.id].themes == ("support",)


def test_an_answer_another_coder_holds_is_read_only_until_taken_over(location: str,
                                                                     project: Project
                                                                     ) -> None:
    alice = CodingSession(project, CODER)
    with Project.open(location) as other:
        bob = CodingSession(other, "bob")
        assert bob.current.key == "R001:not_well"  # alice holds R001:worked_well
        assert alice.jump("R001:not_well").key == "R001:not_well"
        assert alice.held_by == "bob"
        alice.previous()
        assert alice.held_by is None and key(alice) == "R001:worked_well"
        alice.next()
        assert alice.held_by == "bob"
        assert alice.take_over() and alice.held_by is None
        assert bob.jump("R001:not_well") is not None and bob.held_by == CODER
        bob.close()


def test_a_claim_is_renewed_while_the_session_runs(project: Project) -> None:
    from themecoder.store.claims import claims, set_claim_ttl

    set_claim_ttl(project, 3)
    clock = FakeClock()
    session = CodingSession(project, CODER, clock=clock)
    (before,) = claims(project)
    session.keep_claim()  # too soon: nothing written
    assert claims(project) == [before]
    clock.now += 61.0  # a third of three minutes
    session.keep_claim()
    (after,) = claims(project)
    assert after["expires_at"] > before["expires_at"]


def test_sample_answers_come_first_marked_and_filtered(project: Project) -> None:
    from themecoder.store.samples import draw_double_coding_sample

    sample = draw_double_coding_sample(project, [CODER, "bob"], n=4, seed=2)
    size = len(sample.answer_ids)  # at least one from each group × question: 5
    session = CodingSession(project, CODER)
    assert session.sample_progress() == (0, size)
    served = []
    for _ in range(size + 2):
        served.append(session.current.id)
        assert session.in_sample() == (session.current.id in sample.answer_ids)
        session.decide(not_assigned=True)
        session.next_todo()
    assert set(served[:size]) == set(sample.answer_ids)
    assert not set(served[size:]) & set(sample.answer_ids)
    assert session.sample_progress() == (size, size)
    session.set_filter(Filter(status="all", sample=True))
    assert sorted(session.view_ids()) == sorted(sample.answer_ids)
    assert "double-coding sample" in session.filter.describe()


def test_sample_answers_can_be_interleaved_at_a_share(project: Project) -> None:
    from themecoder.store.samples import (
        draw_double_coding_sample,
        sample_order,
        serving_order,
        set_sample_order,
    )

    assert serving_order(list("abcdefgh"), list("XY"), order="interleaved", share=0.25) == \
        list("XabcYdefgh")
    assert serving_order(list("abcdefgh"), list("XY"), order="first", share=0.25) == \
        list("XYabcdefgh")
    sample = draw_double_coding_sample(project, [CODER, "bob"], n=3, seed=2)
    set_sample_order(project, "interleaved", 1 / 3)
    assert sample_order(project) == ("interleaved", pytest.approx(1 / 3))
    session = CodingSession(project, CODER)
    served = []
    for _ in range(9):
        served.append(session.current.id in sample.answer_ids)
        session.decide(not_assigned=True)
        session.next_todo()
    assert served == [True, False, False] * 3
