"""Finding new themes: a planted topic no theme covers must come out as a candidate."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CODEBOOKS

from themecoder.codebook import load_codebook
from themecoder.discover import (
    adopt_candidate,
    candidates_markdown,
    discover_candidates,
    discovery_pool,
)
from themecoder.errors import CodebookError
from themecoder.store import Project
from themecoder.survey import SurveyMapping, read_survey

# A topic the holder codebook has no theme for: transport to the day centre.
PLANTED = [
    "The minibus to the day centre is always late",
    "No transport to the day centre on Fridays",
    "The minibus driver does not wait, so I miss the day centre",
    "Transport to the day centre stopped and nobody told me",
    "I would change the transport, the minibus picks me up at 7am",
    "Getting the minibus to the day centre takes two hours",
    "There is no minibus at weekends so I cannot go",
    "Transport costs too much, the minibus fare went up",
    "The day centre minibus was cancelled again",
    "Better transport please, the minibus is never on time",
    "Minibus transport is unreliable",
    "I lost my place at the day centre because there was no transport",
    "The transport to the day centre is a real struggle",
    "Minibus comes too early and transport home is late",
    "They cut the minibus transport to the day centre",
]

# Answers already coded with existing themes (they must stay out of discovery).
CODED = [
    ("My social worker was very helpful", "Staff"),
    ("The staff listened to what I wanted", "Staff"),
    ("Too much paperwork and forms to fill in", "Process"),
    ("The forms were complicated and the process slow", "Process"),
    ("I can choose my own carers now", "Choice/control"),
    ("Having control over who supports me", "Choice/control"),
    ("The money does not cover the care I need", "Funding/service level"),
    ("Not enough hours of support for the budget", "Funding/service level"),
    ("My review was late by six months", "Review"),
    ("Nobody returned my calls", "Communication"),
    ("I worry all the time about the money running out", "Stress/worry"),
    ("Keeping the accounts for the direct payment is hard work", "Managing budget"),
]

# Uncoded answers on assorted subjects: the planted topic must stand out from these.
NOISE = [
    "The weather has been awful this year",
    "My cat keeps me company",
    "I like gardening when my knees allow",
    "Someone stole my bike last month",
    "My grandson visits on Sundays",
    "I watch a lot of television in the evenings",
    "The library closed down",
    "The food at the cafe was cold",
    "My phone bill keeps going up",
    "I enjoy the music group at church",
    "I had a fall in the bathroom",
    "Neighbours are noisy at night",
    "I do crosswords to keep busy",
    "The post office moved further away",
    "Lovely view of the park from my window",
]


def _write_survey(path: Path) -> Path:
    rows = []
    for i, text in enumerate(PLANTED):
        rows.append({"answer_id": f"P{i}", "respondent_id": f"R-P{i}", "group": "holder",
                     "question": ("not_well", "change")[i % 2], "text": text, "themes": ""})
    for i, (text, theme) in enumerate(CODED):
        rows.append({"answer_id": f"C{i}", "respondent_id": f"R-C{i}", "group": "holder",
                     "question": "worked_well", "text": text, "themes": theme})
    for i, text in enumerate(NOISE):
        rows.append({"answer_id": f"N{i}", "respondent_id": f"R-N{i}", "group": "holder",
                     "question": "worked_well", "text": text, "themes": ""})
    rows.append({"answer_id": "V0", "respondent_id": "R-V0", "group": "holder",
                 "question": "change", "text": "n/a", "themes": ""})
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def holder_project(location: Path, survey_csv: Path) -> Project:
    """A project with the holder codebook and a long survey file (its coding imported)."""
    project = Project.create(location)
    project.add_codebook(load_codebook(CODEBOOKS / "poet_holders.yaml"))
    mapping = SurveyMapping(layout="long", id="respondent_id", group="group",
                            question="question", text="text", answer_id="answer_id",
                            themes="themes")
    names = [t.name for cb in project.codebooks() for t in cb.themes]
    project.import_survey(read_survey(survey_csv, mapping, theme_names=names))
    return project


@pytest.fixture
def project(tmp_path: Path):  # noqa: ANN201
    project = holder_project(tmp_path / "discover.themecoder",
                             _write_survey(tmp_path / "survey.csv"))
    try:
        yield project
    finally:
        project.close()


def _planted_ids(project: Project) -> set[int]:
    return {a.id for a in project.answers() if a.text in PLANTED}


def _planted_candidate(project: Project):  # noqa: ANN202
    candidates = discover_candidates(project)
    planted = _planted_ids(project)
    assert len(planted) == len(PLANTED)
    best = max(candidates, key=lambda c: len(planted & set(c.answer_ids)))
    return best, planted, candidates


def test_pool_leaves_out_coded_answers_and_non_answers(project: Project) -> None:
    pool = discovery_pool(project)
    texts = {a.text for a in pool["holder"]}
    assert set(PLANTED) <= texts
    assert not texts & {text for text, _ in CODED}
    assert "n/a" not in texts


def test_pool_leaves_out_answers_with_a_strong_suggestion(project: Project) -> None:
    first = next(a for a in project.answers() if a.text == PLANTED[0])
    second = next(a for a in project.answers() if a.text == PLANTED[1])
    strong = [{"theme_id": "support", "score": 0.9, "suggested": True, "reasons": [],
               "spans": []}]
    weak = [{"theme_id": "support", "score": 0.2, "suggested": False, "reasons": [],
             "spans": []}]
    project.save_suggestions([(first.id, strong, False), (second.id, weak, False)], "test@1")
    ids = {a.id for a in discovery_pool(project)["holder"]}
    assert first.id not in ids
    assert second.id in ids


def test_planted_topic_comes_out_as_a_candidate(project: Project) -> None:
    best, planted, candidates = _planted_candidate(project)
    assert [c.id for c in candidates] == list(range(1, len(candidates) + 1))
    scores = [c.score for c in candidates]
    assert scores == sorted(scores, reverse=True)
    assert {"minibus", "transport"} & set(best.top_words)
    assert any(w in " ".join(best.top_words) for w in ("minibus", "transport", "day centre"))
    members = set(best.answer_ids)
    assert len(members & planted) / len(members) >= 0.8
    assert len(members & planted) >= 8
    assert best.size == len(best.answer_ids) >= 3
    assert 0 < len(best.examples) <= 5
    assert set(best.example_ids) <= members
    assert best.group == "holder" and best.codebook_id == "poet_holders"
    assert 0 < best.cohesion <= 1
    # the same seed gives the same candidates (the CLI adopts "candidate N" this way)
    assert discover_candidates(project) == candidates


def test_no_noise_cluster_beats_the_planted_topic(project: Project) -> None:
    best, planted, candidates = _planted_candidate(project)
    assert candidates[0] == best


def test_adopting_adds_the_theme_records_the_change_and_codes_examples(
        project: Project) -> None:
    best, planted, _ = _planted_candidate(project)
    # An example already coded by this coder keeps its theme and gains the new one.
    project.record_decision(best.example_ids[0], "ana", ["support"])
    project.set_info("model:poet_holders", "/somewhere/old-model")
    new = adopt_candidate(project, best, name="Transport", definition="Getting to services.",
                          keywords=["minibus", "transport"], coder="ana")
    assert new.version == "1.1"
    assert new.theme("Transport").keywords == ("minibus", "transport")
    assert project.codebook_for_group("holder").version == "1.1"
    assert "transport" in project.codebook_for_group("holder").theme_ids
    latest = project.codebook_history()[-1]
    assert latest["version"] == "1.1" and latest["active"]
    assert "added theme Transport from discovery" in latest["change_note"]
    assert f"{best.size} answers" in latest["change_note"]
    assert best.top_words[0] in latest["change_note"]
    decisions = project.current_decisions(coder="ana")
    for answer_id in best.example_ids:
        d = decisions[(answer_id, "ana")]
        assert "transport" in d.themes and d.source == "manual"
        assert d.codebook_version == "poet_holders@1.1"
    assert decisions[(best.example_ids[0], "ana")].themes == ("support", "transport")
    # the old model knows nothing of the new theme, so it is no longer used
    assert not project.info()["model:poet_holders"]
    # coded answers leave the pool
    assert not set(best.example_ids) & {a.id for a in discovery_pool(project)["holder"]}
    with pytest.raises(CodebookError, match="already exists"):
        adopt_candidate(project, best, name="Transport", coder="ana")


def test_adopting_codes_chosen_answers(project: Project) -> None:
    best, planted, _ = _planted_candidate(project)
    adopt_candidate(project, best, name="Transport", coder="bo",
                    answer_ids=list(best.answer_ids))
    coded = {a for (a, _c) in project.current_decisions(coder="bo")}
    assert coded == set(best.answer_ids)


def test_markdown_report(project: Project) -> None:
    _, _, candidates = _planted_candidate(project)
    text = candidates_markdown(candidates)
    assert text.startswith("# Candidate new themes")
    assert candidates[0].examples[0].split()[0] in text


def test_cli_lists_and_adopts(project: Project, tmp_path: Path) -> None:
    from themecoder.cli import cli

    location = project.location
    best, planted, candidates = _planted_candidate(project)
    runner = CliRunner()
    out_md = tmp_path / "candidates.md"
    result = runner.invoke(cli, ["discover", location, "--out-md", str(out_md)])
    assert result.exit_code == 0, result.output
    assert best.top_words[0] in result.output
    assert out_md.read_text(encoding="utf-8").startswith("# Candidate new themes")
    saved = tmp_path / "holders-1.1.yaml"
    result = runner.invoke(cli, ["discover", location, "--adopt", str(best.id),
                                 "--name", "Transport", "--keywords", "minibus,transport",
                                 "--coder", "ana", "--save-codebook", str(saved)])
    assert result.exit_code == 0, result.output
    assert "Transport" in result.output
    assert load_codebook(saved).theme("Transport").keywords == ("minibus", "transport")
    project.refresh()
    assert project.codebook_for_group("holder").version == "1.1"


def test_cli_errors_are_one_line(project: Project) -> None:
    from themecoder.cli import cli

    runner = CliRunner()
    result = runner.invoke(cli, ["discover", project.location, "--adopt", "99",
                                 "--name", "X", "--coder", "ana"])
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0
    assert "no candidate 99" in result.output
    result = runner.invoke(cli, ["discover", project.location, "--adopt", "1",
                                 "--coder", "ana"])
    assert result.exit_code == 2


def test_vague_and_repeated_placeholder_answers_are_not_candidates(tmp_path: Path) -> None:
    rows = [{"answer_id": f"X{i}", "respondent_id": f"R-X{i}", "group": "holder",
             "question": "change", "text": text, "themes": "Not assigned"}
            for i, text in enumerate(["Did not answer"] * 12 +
                                     ["Respondent left this question blank today"] * 12)]
    rows += [{"answer_id": f"P{i}", "respondent_id": f"R-P{i}", "group": "holder",
              "question": "change", "text": text, "themes": ""}
             for i, text in enumerate(PLANTED)]
    path = tmp_path / "vague.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with Project.create(tmp_path / "vague.themecoder") as project:
        project.add_codebook(load_codebook(CODEBOOKS / "poet_holders.yaml"))
        mapping = SurveyMapping(layout="long", id="respondent_id", group="group",
                                question="question", text="text", answer_id="answer_id",
                                themes="themes")
        names = [t.name for t in project.codebooks()[0].themes] + ["Not assigned"]
        project.import_survey(read_survey(path, mapping, theme_names=names))
        pool = {a.text for a in discovery_pool(project)["holder"]}
        assert "Did not answer" not in pool          # too vague to carry a topic
        assert "Respondent left this question blank today" in pool
        candidates = discover_candidates(project)
        assert candidates
        for c in candidates:
            assert "blank" not in c.top_words          # one text repeated is no topic
        assert set(candidates[0].examples) <= set(PLANTED)


def test_close_clusters_are_merged_and_distant_ones_kept() -> None:
    import numpy as np

    from themecoder.discover.clustering import merge_close

    X = np.array([[1.0, 0, 0], [1.0, 0.1, 0], [0.9, 0.4, 0], [1.0, 0.3, 0],
                  [0, 0, 1.0], [0, 0.1, 1.0]])
    X = X / np.linalg.norm(X, axis=1, keepdims=True)
    clusters = [np.array([0, 1]), np.array([2, 3]), np.array([4, 5])]
    merged = merge_close(X, clusters, 0.9)
    assert [list(c) for c in merged] == [[0, 1, 2, 3], [4, 5]]
    assert [list(c) for c in merge_close(X, clusters, 1.01)] == [[0, 1], [2, 3], [4, 5]]
