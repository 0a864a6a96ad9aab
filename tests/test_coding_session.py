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
    for _ in range(3):
        session.decide(["support"])
        session.next_todo()
        clock.now += 60.0
    progress = session.progress()
    assert progress.done == 3 and progress.remaining == 9
    assert progress.per_question["worked_well"][0] == 1
    assert progress.rate == pytest.approx(60.0)  # 2 intervals of a minute
    assert progress.seconds_left == pytest.approx(9 * 60.0)
    assert format_duration(progress.seconds_left) == "9 min"
    assert format_duration(None) == "–"
    assert format_duration(3 * 3600 + 300) == "3 h 05 min"


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
