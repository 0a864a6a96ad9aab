"""On the demo, retraining after a coder accepts 50 suggestions leaves the suggestions of the
answers still to do nearly as they were (it learns from last year's coding *and* this
year's decisions, instead of this year's 50 alone)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from themecoder.cli import cli
from themecoder.coding import CodingSession
from themecoder.model_versions import todo_answers
from themecoder.retraining import Retrainer
from themecoder.store import Project
from themecoder.suggest.project_suggest import build_suggester

ACCEPTED = 50


def _suggestion_set(themes: list[str], vague: bool) -> tuple[str, ...]:
    return tuple(sorted(themes)) + (("<not assigned>",) if vague and not themes else ())


def test_retraining_after_fifty_accepted_suggestions_keeps_suggestions(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    result = CliRunner().invoke(cli, ["demo", "--no-tui", "--dir", str(folder)])
    assert result.exit_code == 0, result.output
    with Project.open(folder / "current_year.db") as project:
        stored = project.suggestions()
        before = {a: _suggestion_set(s.suggested_ids(), s.vague) for a, s in stored.items()}
        # a coder accepts 50 suggestions in the app's order (an answer with nothing
        # suggested is left for later)
        session = CodingSession(project, "coder")
        accepted = 0
        while accepted < ACCEPTED:
            themes, not_assigned = session.premarked()
            if themes or not_assigned:
                assert session.decide(themes, not_assigned=not_assigned).source == "accepted"
                accepted += 1
                session.next_todo()
            else:
                session.next()
        # and retrains (F5): every codebook, as the app does
        unchanged = total = themes_before = themes_after = 0
        for codebook in project.codebooks():
            outcome = Retrainer(project, codebook, refresh_limit=1000).retrain()
            # last year's coding, found from the shipped model's training file, is learnt too
            assert outcome.n_prior == {"poet_holders": 386, "poet_carers": 300}[codebook.id]
            assert outcome.n_current + outcome.n_held_out == sum(
                1 for d in project.final_decisions().values()
                if codebook.applies_to(project.answer(d.answer_id).group))
            # the new version's suggestions, whether it went live or was kept as a candidate
            todo = todo_answers(project, codebook_id=codebook.id)
            suggester = build_suggester(project, codebook, outcome.path)
            fresh = list(suggester.suggest_many([a.text for a in todo],
                                                [a.question for a in todo]))
            now_stored = project.suggestions([a.id for a in todo])
            for answer, new in zip(todo, fresh, strict=True):
                after = _suggestion_set(new.suggested_ids, new.vague)
                if outcome.accepted:   # what the coder now sees is the new version's
                    shown = now_stored[answer.id]
                    assert _suggestion_set(shown.suggested_ids(), shown.vague) == after
                unchanged += after == before[answer.id]
                themes_before += sum(t != "<not assigned>" for t in before[answer.id])
                themes_after += len(new.suggested_ids)
                total += 1
    assert total > 600
    assert unchanged / total >= 0.70, f"{unchanged}/{total} suggestion sets unchanged"
    ratio = themes_after / themes_before
    assert 0.7 <= ratio <= 1.3, f"themes per answer {themes_before / total:.2f} → " \
                                f"{themes_after / total:.2f}"
