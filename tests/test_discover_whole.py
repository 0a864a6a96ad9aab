"""Discovery finds a new theme whole: one-word answers, the pool's account, names a person
would write, survey-about-itself last, stable ids, careful adoption, member CSV."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_discover import holder_project

from themecoder.discover import (
    adopt,
    discovery_pool,
    is_non_answer,
    run_discovery,
    theme_id_for,
)
from themecoder.discover.naming import segments
from themecoder.errors import StoreError
from themecoder.store import Project
from themecoder.suggest.embeddings import embedding_package

METHODS = ["tfidf", pytest.param("embeddings", marks=pytest.mark.skipif(
    embedding_package() is None, reason="the accurate extra is not installed"))]

# A topic no holder theme covers, many answers one word long.
FOOD = [
    "Food", "Dinner", "Pudding.", "Food!", "Dinners", "The food", "Hot food", "Food was cold",
    "The food at the centre is cold", "Better food please", "More choice of food",
    "Dinner was cold again", "The dinners are too small", "Nice puddings", "Food portions",
    "Cold dinner", "The food is awful", "Food could be better", "Pudding and custard",
    "Lovely dinners",
]
# Another topic: transport.
TRANSPORT = [
    "The minibus to the day centre is always late",
    "No transport to the day centre on Fridays",
    "The minibus driver does not wait, so I miss the day centre",
    "Transport to the day centre stopped and nobody told me",
    "Getting the minibus to the day centre takes two hours",
    "The day centre minibus was cancelled again",
    "Minibus transport is unreliable",
    "The transport to the day centre is a real struggle",
    "They cut the minibus transport to the day centre",
    "The minibus driver is never on time",
    "Transport to the day centre is late",
    "Minibus to the day centre broke down",
]
# Answers about the survey itself.
SURVEY = [
    "Because it is true", "Because it's the truth", "I answered the question truthfully",
    "Question seven was confusing", "Answered honestly", "Because it is true.",
    "That is my honest answer", "The question is hard to answer", "My answer is true",
    "I gave an honest answer to the question",
]
NON_ANSWERS = ["n/a", "Nothing", "Did not answer", "Can't think of anything", "Everything.",
               "-", "no comment", "Don't know"]
ODD = ["My cat keeps me company", "Someone stole my bike", "The library closed down",
       "I had a fall in the bathroom", "Lovely view of the park"]


def _survey(path: Path) -> Path:
    rows = []
    for prefix, texts in (("F", FOOD), ("T", TRANSPORT), ("S", SURVEY), ("V", NON_ANSWERS),
                          ("O", ODD)):
        for i, text in enumerate(texts):
            rows.append({"answer_id": f"{prefix}{i}", "respondent_id": f"R-{prefix}{i}",
                         "group": "holder", "question": ("not_well", "change")[i % 2],
                         "text": text, "themes": ""})
    rows.append({"answer_id": "C0", "respondent_id": "R-C0", "group": "holder",
                 "question": "worked_well", "text": "My social worker was helpful",
                 "themes": "Staff"})
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def project(tmp_path: Path):  # noqa: ANN201
    project = holder_project(tmp_path / "whole.themecoder", _survey(tmp_path / "survey.csv"))
    try:
        yield project
    finally:
        project.close()


def _ids(project: Project, texts: list[str]) -> set[int]:
    return {a.id for a in project.answers() if a.text in texts}


def _texts(project: Project, candidate) -> set[str]:  # noqa: ANN001
    texts = {a.id: a.text for a in project.answers()}
    return {texts[a] for a in candidate.answer_ids}


def _best(candidates, ids: set[int]):  # noqa: ANN001, ANN202
    return max(candidates, key=lambda c: len(ids & set(c.answer_ids)))


def test_non_answers_are_only_the_true_ones() -> None:
    for text in NON_ANSWERS:
        assert is_non_answer(text), text
    for text in ["Food", "Dinner", "Pudding.", "On time", "Very good", "Taxi"]:
        assert not is_non_answer(text), text


def test_one_word_answers_take_part_and_the_pool_is_accounted_for(project: Project) -> None:
    pool = {a.text for a in discovery_pool(project)["holder"]}
    assert {"Food", "Dinner", "Pudding."} <= pool
    assert not pool & set(NON_ANSWERS)
    found = run_discovery(project, method="tfidf")
    account = found.account
    uncovered = len(FOOD) + len(TRANSPORT) + len(SURVEY) + len(NON_ANSWERS) + len(ODD)
    assert account.uncovered == uncovered
    assert account.non_answers == len(NON_ANSWERS)
    assert account.in_candidates == sum(c.size for c in found.candidates)
    assert account.noise == uncovered - len(NON_ANSWERS) - account.in_candidates
    assert found.accounts["holder"] == account
    assert f"{uncovered} answers without a theme" in account.describe()
    assert "TF-IDF" in found.method and "HDBSCAN" in found.method


@pytest.mark.parametrize("method", METHODS)
def test_a_topic_comes_back_whole_with_a_name_from_its_answers(project: Project,
                                                               method: str) -> None:
    found = run_discovery(project, method=method)
    if method == "embeddings":
        assert embedding_package()["name"] in found.method
    # TF-IDF cannot know that a dinner is food; sentence embeddings do.
    for topic in (FOOD, TRANSPORT) if method == "embeddings" else (TRANSPORT,):
        ids = _ids(project, topic)
        best = _best(found.candidates, ids)
        members = set(best.answer_ids)
        assert len(members & ids) / len(members) >= 0.8, (method, best)
        assert len(members & ids) / len(ids) >= 0.8, (method, best)
        assert found.candidates.index(best) < 3
    food = _best(found.candidates, _ids(project, FOOD))
    assert {"Food", "Dinner", "Dinners"} & {text for text in _texts(project, food)}
    assert {"food", "dinner", "dinners"} & {w.casefold() for w in food.top_words}
    texts = {a.id: a.text for a in project.answers()}
    for c in found.candidates:
        for phrase in c.top_words:
            assert "'" not in phrase and "’" not in phrase
            # the phrase is written as is, without a stop word in between, in some member
            assert any(phrase.split() == run[i:i + len(phrase.split())]
                       for a in c.answer_ids for run in segments(texts[a])
                       for i in range(len(run))), (phrase, c.name)
        assert c.name.casefold().startswith(c.top_words[0].casefold())


def test_phrases_never_bridge_stop_words_or_keep_contractions() -> None:
    assert segments("Tell us about the doctor") == [["tell"], ["doctor"]]
    assert segments("It's true, the driver's van") == [["true"], ["driver", "van"]]
    assert segments("Hospital transport was late") == [["hospital", "transport"], ["late"]]


@pytest.mark.parametrize("method", METHODS)
def test_candidates_about_the_survey_itself_rank_last(project: Project, method: str) -> None:
    candidates = run_discovery(project, method=method).candidates
    flags = [c.about_survey for c in candidates]
    assert flags == sorted(flags)
    survey = _best(candidates, _ids(project, SURVEY))
    if len(set(survey.answer_ids) & _ids(project, SURVEY)) >= 3:
        assert survey.about_survey and candidates[-1].about_survey


def test_ids_are_stable_within_and_across_runs(project: Project) -> None:
    first = run_discovery(project, method="tfidf")
    again = run_discovery(project, method="tfidf")
    assert [c.id for c in first.candidates] == list(range(1, len(first.candidates) + 1))
    assert first.candidates == again.candidates
    with Project.open(project.location) as other:
        assert run_discovery(other, method="tfidf").candidates == first.candidates


def test_adopting_codes_only_close_examples_and_leaves_the_rest_to_review(
        project: Project) -> None:
    found = run_discovery(project, method="tfidf")
    food = _best(found.candidates, _ids(project, FOOD))
    sure = food.sure_example_ids()
    assert sure and set(sure) <= set(food.example_ids)
    sims = dict(zip(food.answer_ids, food.similarities, strict=True))
    assert all(sims[a] >= food.code_similarity for a in sure)
    assert all(sims[a] < food.code_similarity for a in food.example_ids if a not in sure)
    done = adopt(project, food, name="Food", coder="ana")
    assert set(done.coded) == set(sure)
    assert set(done.to_review) == set(food.answer_ids) - set(sure)
    decided = project.current_decisions(coder="ana")
    assert {a for a, _ in decided} == set(sure)


def test_theme_names_must_be_words(project: Project) -> None:
    assert theme_id_for("Café & food") == "cafe_food"
    found = run_discovery(project, method="tfidf")
    for bad in ("!!!", "123", "  "):
        with pytest.raises(StoreError):
            adopt(project, found.candidates[0], name=bad, coder="ana")
    assert project.codebook_for_group("holder").version == "1.0"


def test_unknown_group_is_an_error(project: Project) -> None:
    with pytest.raises(StoreError, match="no respondent group 'nobody'"):
        run_discovery(project, group="nobody")


def _cli(*args: str):  # noqa: ANN202
    from themecoder.cli import cli

    return CliRunner().invoke(cli, ["discover", *args])


def test_cli_lists_ids_method_and_account_and_writes_member_csv(project: Project,
                                                                tmp_path: Path) -> None:
    found = run_discovery(project, method="tfidf")
    out = tmp_path / "members.csv"
    result = _cli(project.location, "--method", "tfidf", "--out-csv", str(out))
    assert result.exit_code == 0, result.output
    assert "method: TF-IDF" in result.output
    assert f"pool: {found.account.describe()}" in result.output
    for c in found.candidates:
        assert f"{c.id}. {c.name}" in result.output
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["candidate", "name", "answer_key", "question", "text"]
    assert len(rows) == sum(c.size for c in found.candidates)
    assert rows[0]["candidate"] == "1" and rows[0]["name"] == found.candidates[0].name
    keys = {a.key: a for a in project.answers()}
    for row in rows:
        answer = keys[row["answer_key"]]
        assert row["text"] == answer.text and row["question"] == answer.question
        assert int(row["candidate"]) in {c.id for c in found.candidates}


def test_cli_adopt_names_what_it_adopts(project: Project) -> None:
    found = run_discovery(project, method="tfidf")
    food = _best(found.candidates, _ids(project, FOOD))
    result = _cli(project.location, "--method", "tfidf", "--adopt", str(food.id),
                  "--name", "Food", "--coder", "ana")
    assert result.exit_code == 0, result.output
    assert f"adopting candidate {food.id}. {food.name}" in result.output
    assert f"{food.size} answers" in result.output
    assert ", ".join(food.top_words) in result.output
    assert f"coded {len(food.sure_example_ids())} answers" in result.output
    assert re.search(r"\d+ other answers of the candidate are not coded", result.output)


def test_cli_mistakes_are_one_line_errors(project: Project, tmp_path: Path) -> None:
    result = _cli(project.location, "--group", "nobody")
    assert result.exit_code == 2
    assert "no respondent group 'nobody'" in result.output
    assert result.output.strip().count("\n") == 0
    result = _cli(project.location, "--method", "tfidf", "--adopt", "1", "--name", "!!!",
                  "--coder", "ana")
    assert result.exit_code == 2
    assert "no word" in result.output.splitlines()[-1]
    project.refresh()
    assert project.codebook_for_group("holder").version == "1.0"
    result = _cli(project.location, "--method", "tfidf", "--out-csv",
                  str(tmp_path / "missing" / "x.csv"))
    assert result.exit_code == 2
    assert "cannot write" in result.output
