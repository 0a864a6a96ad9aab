"""The coding app driven by key presses and clicks (Textual Pilot); every test checks what
was saved in the store."""

from __future__ import annotations

from pathlib import Path

from tui_snapshot_app import CODER, make_app

from themecoder.store import Project
from themecoder.tui.screens.dialogs import FilterDialog, NoteDialog, ThemePicker, rank_themes
from themecoder.tui.screens.info import DefinitionsScreen, HelpScreen
from themecoder.tui.themes import DARK, LIGHT

SIZE = (100, 34)


def saved(app) -> dict[str, object]:  # noqa: ANN001
    """This coder's decisions in force, by answer key, read through a fresh connection."""
    with Project.open(app.project.location) as project:
        keys = {a.id: a.key for a in project.answers()}
        return {keys[a]: d for (a, _c), d in project.current_decisions(coder=CODER).items()}


def current_key(app) -> str:  # noqa: ANN001
    return app.session.current.key


async def test_opens_on_first_todo_and_accept_saves_suggestion(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert current_key(app) == "R001:worked_well"
        assert "personal assistant" in str(app.screen.query_one("#answer-text").render())
        await pilot.press("enter")
        await pilot.pause()
        assert current_key(app) == "R001:not_well"
        await pilot.press("a")
        await pilot.pause()
    decisions = saved(app)
    assert decisions["R001:worked_well"].themes == ("support",)
    assert decisions["R001:worked_well"].source == "accepted"
    assert decisions["R001:worked_well"].model_version == "keywords-test"
    assert decisions["R001:not_well"].themes == ("process",)


async def test_toggle_corrects_and_not_assigned(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("1", "3", "enter")  # drop Support, add Independence
        await pilot.press("x")  # R001:not_well is too vague, say
        await pilot.press("6", "enter")  # R001:change: no suggestion, mark Process
        await pilot.pause()
        assert current_key(app) == "R002:worked_well"
    decisions = saved(app)
    assert decisions["R001:worked_well"].themes == ("independence",)
    assert decisions["R001:worked_well"].source == "corrected"
    assert decisions["R001:not_well"].not_assigned
    assert decisions["R001:change"].themes == ("process",)
    assert decisions["R001:change"].source == "manual"


async def test_enter_with_nothing_marked_saves_nothing(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("1", "enter")
        await pilot.pause()
        assert current_key(app) == "R001:worked_well"
    assert saved(app) == {}


async def test_undo_goes_back_and_withdraws(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter", "enter")
        await pilot.pause()
        assert current_key(app) == "R001:change"
        await pilot.press("u")
        await pilot.pause()
        assert current_key(app) == "R001:not_well"
        assert app.screen.marked == {"process"}  # the suggestion is pre-marked again
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert current_key(app) == "R001:worked_well"
    assert saved(app) == {}
    with Project.open(app.project.location) as project:
        assert [d.source for d in project.decision_log(coder=CODER)].count("undo") == 2


async def test_click_theme_and_buttons(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        rows = app.screen.query("#themes-poet_holders ThemeRow")
        await pilot.click(rows[1])  # Choice/control
        await pilot.pause()
        assert app.screen.marked == {"support", "choice_control"}
        await pilot.click("#btn-accept")
        await pilot.pause()
        await pilot.click("#btn-na")
        await pilot.pause()
    decisions = saved(app)
    assert decisions["R001:worked_well"].themes == ("support", "choice_control")
    assert decisions["R001:not_well"].not_assigned


async def test_next_previous_and_jump(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("n", "n")
        assert current_key(app) == "R001:change"
        await pilot.press("p")
        assert current_key(app) == "R001:not_well"
        await pilot.press("g")
        await pilot.pause()
        await pilot.press(*"R004:change", "enter")
        await pilot.pause()
        assert current_key(app) == "R004:change"
        await pilot.press("4", "enter")
        await pilot.pause()
    assert saved(app)["R004:change"].themes == ("quality_of_life",)


async def test_filter_dialog_and_search(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, FilterDialog)
        await pilot.press(*"paperwork", "enter")
        await pilot.pause()
        assert app.session.view_size == 2
        assert current_key(app) == "R001:not_well"
        await pilot.press("enter", "6", "enter")  # R001:change has no suggestion
        await pilot.pause()
        assert app.session.progress().done == 2
        # the status filter from the command palette
        await app.run_palette_action("status_filter('todo')")
        await pilot.pause()
        assert app.session.filter.status == "todo"
        assert app.session.view_size == 10
    assert set(saved(app)) == {"R001:not_well", "R001:change"}


async def test_note_dialog_saves_memo(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, NoteDialog)
        await pilot.press(*"ask about hours", "enter")
        await pilot.pause()
        assert "ask about hours" in str(app.screen.query_one("#note").render())
    with Project.open(app.project.location) as project:
        answer = project.answer_by_key("R001:worked_well")
        assert project.notes()[(answer.id, CODER)] == "ask about hours"
        assert project.current_decisions(coder=CODER) == {}  # a note is not a decision


async def test_definitions_and_help_leave_the_answer_in_place(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("down", "down", "d")
        await pilot.pause()
        assert isinstance(app.screen, DefinitionsScreen)
        assert app.screen.highlighted == 2  # Independence
        current = app.screen.query_one(".-current")
        assert "Independence" in str(current.render())
        await pilot.press("escape")
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert "Not assigned" in str(app.screen.query_one("Static").render())
        await pilot.press("escape")
        await pilot.pause()
        assert current_key(app) == "R001:worked_well"
        await pilot.press("space", "enter")  # space toggles the highlighted theme
        await pilot.pause()
    assert saved(app)["R001:worked_well"].themes == ("support", "independence")


async def test_theme_picker_reaches_a_theme_in_a_few_keys(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("slash")
        await pilot.pause()
        assert isinstance(app.screen, ThemePicker)
        await pilot.press("f", "u", "enter")  # Funding/service level
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
    assert saved(app)["R001:worked_well"].themes == ("support", "funding_service_level")


def test_every_theme_is_reachable_with_three_letters(tmp_path: Path) -> None:
    from themecoder.codebook import load_codebook

    root = Path(__file__).resolve().parents[1] / "codebooks"
    for name in ("poet_holders.yaml", "poet_carers.yaml"):
        codebook = load_codebook(root / name)
        for index, theme in enumerate(codebook.themes):
            words = theme.name.casefold().replace("/", " ").split()
            letters = "".join(c for c in theme.name.casefold() if c.isalpha())
            initials = "".join(w[0] for w in words)
            found = any(rank_themes(codebook, text[:n])[0][0] == index
                        for text in (letters, initials) for n in (1, 2, 3))
            assert found, theme.name


async def test_another_coders_decision_shows_up(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        with Project.open(app.project.location) as other:
            target = other.answer_by_key("R001:not_well")
            other.record_decision(target.id, "bob", ["staff"])
        app.screen.poll_store()
        await pilot.press("n")
        await pilot.pause()
        assert "Decided by bob" in str(app.screen.query_one("#decision").render())
        await pilot.press("p", "enter")  # accept R001:worked_well: bob's answer is skipped
        await pilot.pause()
        assert current_key(app) == "R001:change"


async def test_f2_switches_between_the_apps_light_and_dark_themes(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == DARK
        await pilot.press("f2")
        assert app.theme == LIGHT
        await pilot.press("f2")
        assert app.theme == DARK


class _Theme:
    def __init__(self, theme_id: str) -> None:
        self.theme_id, self.theme_name, self.score, self.suggested = theme_id, theme_id, 0.8, True
        self.reasons, self.spans = (f"fake → {theme_id}",), ((0, 4),)


class _Suggestion:
    themes = [_Theme("process")]
    vague = False
    model_version = "fake@1"
    not_assigned_score = None


class _Suggester:
    def suggest_many(self, texts, questions):  # noqa: ANN001, ANN201
        return iter([_Suggestion() for _ in texts])


async def test_suggest_ahead_fills_missing_suggestions_in_a_worker(tmp_path: Path) -> None:
    app = make_app(tmp_path, suggest_ahead=True,
                   suggesters={"poet_holders": _Suggester(), "poet_carers": _Suggester()})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("n", "n")  # R001:change had no stored suggestion
        await pilot.pause()
        assert app.screen.marked == {"process"}
        assert "by model fake@1" in str(app.screen.query_one("#suggested-by").render())
        await pilot.press("enter")
        await pilot.pause()
    decision = saved(app)["R001:change"]
    assert (decision.source, decision.model_version) == ("accepted", "fake@1")


async def test_palette_names_the_key_of_each_entry(tmp_path: Path) -> None:
    from textual.widgets import OptionList
    from tui_states import STATES

    app = make_app(tmp_path)
    async with app.run_test(size=(100, 34)) as pilot:
        await next(s for s in STATES if s.name == "palette").reach(pilot)
        options = app.screen.query_one(OptionList)
        prompts = [str(options.get_option_at_index(i).prompt)
                   for i in range(options.option_count)]
    accept = next(p for p in prompts if p.startswith("coding: accept marked themes"))
    assert "key enter / a" in accept
    assert any(p.startswith("app: quit") and "ctrl+q" in p for p in prompts)
