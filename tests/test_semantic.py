"""Day-one suggestions by meaning: sentences, reasons naming the sentence, the method shown
and stored, and keywords alone when the ``accurate`` extra is missing.

The meaning tests run on the real all-MiniLM-L6-v2 embeddings when the extra is installed
and are skipped otherwise. A missing extra is simulated the way Python reports a missing
package to ``importlib.util.find_spec`` (the check the code makes): its ``sys.modules``
entry set to ``None`` (the ``without_extra`` fixture of ``conftest.py``).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from themecoder.cli import cli
from themecoder.codebook import load_codebook
from themecoder.store import Project
from themecoder.suggest.semantic import meaning_available, split_sentences
from themecoder.suggest.suggester import codebook_suggester, describe_method
from themecoder.survey import SurveyMapping, read_survey

ROOT = Path(__file__).resolve().parents[1]
HOLDERS = ROOT / "codebooks" / "poet_holders.yaml"

needs_meaning = pytest.mark.skipif(not meaning_available(),
                                   reason="the 'accurate' extra is not installed")

TWO_THEMES = ("We waited the best part of a year before anything happened. "
              "Now I can pick who helps me and at what time of day.")
NO_KEYWORD = "Nobody ever rings me back."


@pytest.fixture(scope="module")
def holders():  # noqa: ANN201
    return load_codebook(HOLDERS)


# --------------------------------------------------------------------------- no model needed


def test_split_sentences_keeps_offsets() -> None:
    text = "  The forms were endless!  My PA is great; she comes daily.\nThanks -  "
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == [
        "The forms were endless!", "My PA is great", "she comes daily.", "Thanks"]
    assert all(text[s.start:s.end] == s.text for s in sentences)
    assert split_sentences(" ... ") == [] and split_sentences("") == []


def test_describe_method() -> None:
    assert describe_method("keywords:poet_holders@1.0") == "keywords"
    assert describe_method("keywords:poet_holders@1.0+meaning:all-MiniLM-L6-v2") == \
        "keywords + meaning"
    assert describe_method("poet_holders@v3+keywords:poet_holders@1.0") == \
        "model poet_holders@v3 + keywords"
    assert describe_method(None) == "nothing"


def test_keywords_alone_without_the_extra(without_extra: None, holders) -> None:  # noqa: ANN001
    suggester = codebook_suggester(holders)
    assert suggester.meaning is None
    assert suggester.model_version == "keywords:poet_holders@1.0"
    result = suggester.suggest(NO_KEYWORD, "not_well")
    assert result.method == "keywords"
    assert result.suggested == [] and all(t.score == 0 for t in result.themes)
    assert all(t.meaning_score is None for t in result.themes)


def _write(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "question", "answer"])
        writer.writerows(rows)
    return path


def _suggest_file(tmp_path: Path) -> tuple[str, list[dict[str, str]]]:
    data = _write(tmp_path / "answers.csv", [("a1", "not_well", NO_KEYWORD),
                                             ("a2", "not_well", TWO_THEMES)])
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(cli, ["suggest", "--codebook", str(HOLDERS), "--data", str(data),
                                      "--text-col", "answer", "--question-col", "question",
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8-sig", newline="") as handle:
        return result.stdout, list(csv.DictReader(handle))


def test_suggest_out_names_keywords_without_the_extra(without_extra: None,
                                                       tmp_path: Path) -> None:
    stdout, rows = _suggest_file(tmp_path)
    assert [row["method"] for row in rows] == ["keywords", "keywords"]
    assert "suggested by keywords (keywords:poet_holders@1.0)" in stdout
    assert rows[0]["Communication"] == "0"


def _project(tmp_path: Path) -> str:
    location = str(tmp_path / "day-one.themecoder")
    data = tmp_path / "survey.csv"
    with data.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["respondent_id", "group", "worked_well", "not_well", "change"])
        writer.writerow(["R1", "holder", "My PA is lovely.", NO_KEYWORD, "Nothing."])
        writer.writerow(["R2", "holder", "", TWO_THEMES, ""])
    with Project.create(location, name="day one") as project:
        project.add_codebook(load_codebook(HOLDERS))
        project.import_survey(read_survey(data, SurveyMapping(layout="wide", questions={
            "worked_well": "worked_well", "not_well": "not_well", "change": "change"})))
    return location


def test_project_suggest_stores_keywords_without_the_extra(without_extra: None,
                                                           tmp_path: Path) -> None:
    location = _project(tmp_path)
    result = CliRunner().invoke(cli, ["suggest", location])
    assert result.exit_code == 0, result.output
    assert "(poet_holders: keywords)" in result.stdout
    with Project.open(location) as project:
        versions = {s.model_version for s in project.suggestions().values()}
    assert versions == {"keywords:poet_holders@1.0"}


# --------------------------------------------------------------------------- real embeddings


@needs_meaning
def test_meaning_suggests_a_theme_no_keyword_names(holders) -> None:  # noqa: ANN001
    suggester = codebook_suggester(holders)
    assert suggester.method == "keywords + meaning"
    result = suggester.suggest(NO_KEYWORD, "not_well")
    assert result.hits == []  # no keyword of any theme
    assert result.method == "keywords + meaning"
    assert result.model_version == "keywords:poet_holders@1.0+meaning:all-MiniLM-L6-v2"
    assert result.suggested_ids == ["communication"]
    best = result.suggested[0]
    assert best.meaning_score is not None and best.meaning_score >= 0.5
    assert f'meaning {best.meaning_score:.2f}: "{NO_KEYWORD}"' in best.reasons
    assert not result.vague


@needs_meaning
def test_reasons_name_the_sentence_that_matched_each_theme(holders) -> None:  # noqa: ANN001
    result = codebook_suggester(holders).suggest(TWO_THEMES, "not_well")
    by_id = {t.theme_id: t for t in result.themes}
    assert {"timeliness", "choice_control"} <= set(result.suggested_ids)
    assert [t.theme_id for t in result.themes[:2]] == ["choice_control", "timeliness"] or \
        [t.theme_id for t in result.themes[:2]] == ["timeliness", "choice_control"]
    timeliness = [r for r in by_id["timeliness"].reasons if r.startswith("meaning")]
    choice = [r for r in by_id["choice_control"].reasons if r.startswith("meaning")]
    assert timeliness == [f'meaning {by_id["timeliness"].meaning_score:.2f}: '
                          '"We waited the best part of a year before anything happened."']
    assert choice == [f'meaning {by_id["choice_control"].meaning_score:.2f}: '
                      '"Now I can pick who helps me and at what time of day."']
    # keyword evidence still counts: both themes outrank every theme matched by meaning alone
    assert min(by_id["timeliness"].score, by_id["choice_control"].score) > max(
        t.score for t in result.themes[2:])


@needs_meaning
def test_stock_non_answer_gets_nothing_from_meaning(holders) -> None:  # noqa: ANN001
    result = codebook_suggester(holders).suggest("Nothing.", "change")
    assert result.vague and result.suggested == []


@needs_meaning
def test_suggest_out_and_project_name_keywords_and_meaning(tmp_path: Path) -> None:
    stdout, rows = _suggest_file(tmp_path)
    assert [row["method"] for row in rows] == ["keywords + meaning"] * 2
    assert "suggested by keywords + meaning" in stdout
    assert rows[0]["Communication"] == "1"
    assert '"Nobody ever rings me back."' in rows[0]["reasons"]

    location = _project(tmp_path)
    result = CliRunner().invoke(cli, ["suggest", location])
    assert result.exit_code == 0, result.output
    assert "(poet_holders: keywords + meaning)" in result.stdout
    with Project.open(location) as project:
        stored = project.suggestions()
        keys = {a.id: a.key for a in project.answers()}
    assert {s.model_version for s in stored.values()} == {
        "keywords:poet_holders@1.0+meaning:all-MiniLM-L6-v2"}
    by_key = {keys[i]: s for i, s in stored.items()}
    assert by_key["R1:not_well"].suggested_ids() == ["communication"]
    assert by_key["R1:change"].vague


@needs_meaning
def test_meaning_scorer_that_does_not_wait_falls_back_to_keywords(
        monkeypatch: pytest.MonkeyPatch, holders) -> None:  # noqa: ANN001
    from themecoder.suggest import semantic

    monkeypatch.setattr(semantic, "_loaded", False)
    suggester = codebook_suggester(holders, wait_for_meaning=False)
    result = suggester.suggest(NO_KEYWORD, "not_well")
    assert result.method == "keywords" and result.suggested == []
    semantic.load_meaning_model()
    assert suggester.suggest(NO_KEYWORD, "not_well").method == "keywords + meaning"


@needs_meaning
def test_absences_stay_unsuggested_with_meaning(holders) -> None:  # noqa: ANN001
    # the keywords see only an absence ("no problems with"); meaning must not suggest it
    result = codebook_suggester(holders).suggest("No problems with the paperwork.", "not_well")
    assert result.suggested == [] and result.vague
    assert any(t.meaning_score is not None for t in result.themes)


# --------------------------------------------------------------------------- a model, and a
# theme it has no examples of

TRAINED = {
    "staff": ["The staff were kind and knew what they were doing.",
              "Our social worker was brilliant.", "The care workers were rude to mum.",
              "Staff changed every week."],
    "process": ["The forms were endless.", "Too much paperwork for the council.",
                "The application process was confusing.", "Filling in the returns is a chore."],
    "support": ["My personal assistant helps me every day.", "The support is fantastic.",
                "I get help with shopping and cooking.", "Help to get out of the house."],
}


@pytest.fixture(scope="module")
def model_without_communication(holders, tmp_path_factory):  # noqa: ANN001, ANN201
    """A real model of the holders' codebook trained on three themes: Communication (like
    most themes) has no example."""
    import numpy as np

    from themecoder.suggest.model import ThemeClassifier, load_model, save_model
    from themecoder.suggest.model_files import training_metadata

    rows = [(text, theme) for theme, texts in TRAINED.items() for text in texts] * 3
    texts = [t for t, _ in rows]
    ids = holders.theme_ids
    Y = np.array([[int(theme == i) for i in ids] for _, theme in rows])
    clf = ThemeClassifier(cv=3).fit(texts, None, Y, ids)
    path = tmp_path_factory.mktemp("models") / "three_themes"
    save_model(clf, path, training_metadata(holders, texts, None, Y, name="three_themes",
                                            version="v1"))
    return load_model(path, codebook=holders)


@needs_meaning
def test_a_theme_the_model_has_no_examples_of_is_suggested_by_meaning(
        holders, model_without_communication) -> None:  # noqa: ANN001
    suggester = codebook_suggester(holders, model=model_without_communication)
    assert suggester.method == "model three_themes@v1 + keywords + meaning"
    result = suggester.suggest(NO_KEYWORD, "not_well")
    assert result.method == "model three_themes@v1 + keywords + meaning"
    assert "communication" in result.suggested_ids
    communication = next(t for t in result.themes if t.theme_id == "communication")
    assert communication.model_score is None and communication.meaning_score >= 0.5
    assert communication.reasons[0] == "no training examples: keywords and meaning only"
    assert f'meaning {communication.meaning_score:.2f}: "{NO_KEYWORD}"' in communication.reasons
    assert communication.reasons[-1] == "closest in meaning (no training examples)"
    # a theme the model knows is scored by the model, not by meaning
    staff = next(t for t in result.themes if t.theme_id == "staff")
    assert staff.model_score is not None and staff.meaning_score is None
    # an answer about a trained theme gets it from the model, and no untrained theme
    paperwork = suggester.suggest("The forms were endless and confusing.", "not_well")
    assert paperwork.suggested_ids == ["process"]


@needs_meaning
def test_a_model_that_knows_every_theme_does_not_use_meaning(holders) -> None:  # noqa: ANN001
    from themecoder.suggest.model import load_model

    model = load_model(ROOT / "models" / "poet-sample" / "poet_holders", codebook=holders)
    suggester = codebook_suggester(holders, model=model)
    assert suggester.meaning is None and "meaning" not in suggester.method
    assert "meaning" not in suggester.suggest(NO_KEYWORD, "not_well").model_version


def test_without_the_extra_a_theme_without_examples_is_left_to_keywords(
        without_extra: None, holders, model_without_communication) -> None:  # noqa: ANN001
    suggester = codebook_suggester(holders, model=model_without_communication)
    assert suggester.method == "model three_themes@v1 + keywords"
    result = suggester.suggest("Nobody ever rings me back about the leaflet.", "not_well")
    communication = next(t for t in result.themes if t.theme_id == "communication")
    assert communication.reasons[0] == "no training examples: keywords only"
    assert communication.meaning_score is None


def test_which_codebooks_the_app_loads_the_meaning_model_for(
        holders, model_without_communication) -> None:  # noqa: ANN001
    from themecoder.suggest.project_suggest import uses_meaning

    assert uses_meaning(holders, None)  # no model: every theme
    assert uses_meaning(holders, str(model_without_communication.path))
    assert not uses_meaning(holders, str(ROOT / "models" / "poet-sample" / "poet_holders"))
