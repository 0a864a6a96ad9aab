"""The main screen: one answer at a time, its themes, and the progress line."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, ContentSwitcher, Static

from themecoder.coding import CodingSession, Filter
from themecoder.errors import DecidedByOther, ThemecoderError
from themecoder.questions import declared_by
from themecoder.safe_text import visible_controls
from themecoder.store.project import Decision
from themecoder.tui.actions import (
    CODING_ACTIONS,
    footer_widths,
    palette_width,
    theme_actions,
)
from themecoder.tui.literal import literal
from themecoder.tui.messages import (
    RetrainProgress,
    ThemeClicked,
)
from themecoder.tui.screens.dialogs import (
    ConfirmDialog,
    FilterDialog,
    JumpDialog,
    NoteDialog,
    ThemePicker,
)
from themecoder.tui.screens.info import DefinitionsScreen
from themecoder.tui.screens.suggest_ahead import SuggestingAhead
from themecoder.tui.widgets.answer_view import AnswerView, decision_text, matched_words
from themecoder.tui.widgets.key_footer import KeyFooter
from themecoder.tui.widgets.model_notice import ModelNotice
from themecoder.tui.widgets.progress_line import ProgressLine, progress_text
from themecoder.tui.widgets.theme_list import ThemeList

RETRAIN_STAGES = {"reading": "reading the coding", "training": "training",
                  "checking": "checking against the model in use",
                  "refreshing": "refreshing suggestions"}
"""How the model notice names each stage of a retraining."""


class KeyButton(Button, can_focus=False):
    """A button for the mouse; it never takes focus, so keys always reach the screen."""


class CodingScreen(SuggestingAhead, Screen[None]):
    """Code answers one by one: accept, correct, not assigned, undo."""

    BINDINGS = [a.binding() for a in CODING_ACTIONS + theme_actions()]

    def __init__(self, session: CodingSession, *, project_name: str,
                 suggest_ahead_enabled: bool = True, show_rate: bool = True,
                 suggesters: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.session = session
        self.project_name = project_name
        self.suggest_ahead_enabled = suggest_ahead_enabled
        self.show_rate = show_rate
        self.marked: set[str] = set()
        self.not_assigned = False
        self.highlighted = 0
        self.show_reasons = False
        self._touched = False
        self.init_suggesting(suggesters)
        self._retraining = False

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Static(id="topbar")
        with Horizontal(id="body"):
            with Vertical(id="left"):
                yield AnswerView(id="answer")
                with Horizontal(id="buttons"):
                    yield KeyButton("Accept", id="btn-accept", variant="primary")
                    yield KeyButton("Not assigned", id="btn-na")
                    yield KeyButton("Undo", id="btn-undo")
                    yield KeyButton("◀", id="btn-prev")
                    yield KeyButton("▶", id="btn-next")
            with ContentSwitcher(id="themes"):
                for codebook in self.session.codebooks.values():
                    yield ThemeList(codebook, id=f"themes-{codebook.id}")
        yield ModelNotice(id="model-notice")
        yield ProgressLine(id="progress")
        yield KeyFooter(footer_widths(), palette_from=palette_width())

    def on_mount(self) -> None:
        self.arrive()
        self.call_after_refresh(self._first_answer_shown)
        drafts = self.session.note_drafts()
        if drafts:
            where = ", ".join(str(a) for a in list(drafts)[:5])
            self.notify(f"Unsaved note{'s' if len(drafts) > 1 else ''} kept from last time "
                        f"on answer {where}: press g and the number, then m, to finish.",
                        title="Note drafts", timeout=10)

    # ------------------------------------------------------------------ rendering

    def arrive(self, *, warn: bool = False) -> None:
        """Show the current answer with its pre-marked themes.

        With ``warn``, say so when another coder holds the answer (it is shown read-only).
        """
        if warn and self.session.held_by is not None and self.session.current is not None:
            self.notify(visible_controls(
                f"{self.session.held_by} is coding {self.session.current.key} right now: "
                "shown read-only. Press Enter to code it anyway."),
                severity="warning", title="Read-only", markup=False)
        themes, na = self.session.premarked()
        self.marked = set(themes)
        self.not_assigned = na
        self._touched = False
        answer = self.session.current
        self.highlighted = 0
        if answer is not None and themes:
            ids = self.session.codebook(answer).theme_ids
            self.highlighted = min(ids.index(t) for t in themes if t in ids) \
                if any(t in ids for t in themes) else 0
        self.render_answer()
        self.maybe_suggest_ahead()

    def render_answer(self) -> None:
        """Render everything about the current answer."""
        session = self.session
        answer = session.current
        view = self.query_one(AnswerView)
        if answer is None:
            view.show(None, suggestion=None, decision=None, codebook=None,
                      coder=session.coder, note="", context=[], show_reasons=False)
        else:
            codebook = session.codebook(answer)
            draft = session.note_draft(answer.id)
            view.show(answer, suggestion=session.suggestion(answer.id),
                      decision=session.decision(answer.id), codebook=codebook,
                      coder=session.coder,
                      note=session.note_for(answer.id) if draft is None else draft,
                      draft=draft is not None,
                      context=session.respondent_context(answer),
                      show_reasons=self.show_reasons, sample=session.in_sample(answer.id),
                      held_by=session.held_by, quote_mark=session.quote_mark(answer.id),
                      audit=session.in_audit(answer.id))
            view.scroll_home(animate=False)
        self.render_themes()
        self.render_progress()

    def render_themes(self) -> None:
        """Re-mark the theme list (cheap: only changed rows repaint)."""
        answer = self.session.current
        if answer is None:
            return
        codebook = self.session.codebook(answer)
        switcher = self.query_one(ContentSwitcher)
        wanted = f"themes-{codebook.id}"
        if switcher.current != wanted:
            switcher.current = wanted
        suggestion = self.session.suggestion(answer.id)
        scores: dict[str, float] = {}
        suggested: set[str] = set()
        if suggestion is not None:
            scores = {t["theme_id"]: float(t["score"]) for t in suggestion.themes}
            suggested = set(suggestion.suggested_ids())
        themes = self.query_one(f"#{wanted}", ThemeList)
        themes.show(self.marked, scores, suggested, self.highlighted,
                    matched_words(suggestion, answer.text))
        themes.border_title = "Not assigned marked" if self.not_assigned else None
        themes.set_class(self.not_assigned, "-not-assigned")

    def render_progress(self) -> None:
        session = self.session
        sample = session.sample_progress()
        self.query_one(ProgressLine).update(literal(progress_text(
            session.progress(),
            session.filter.describe(session.theme_names(),
                                    declared_by(session.codebooks.values())),
            show_rate=self.show_rate, sample=sample if sample[1] else None)), layout=False)
        top = f"{self.project_name} · coder {session.coder}"
        if session.current is not None:
            top = f"Answer {session.position + 1} of {session.view_size} · " + top
        if self._suggest_status:
            top += f" · {self._suggest_status}"
        if self._meaning_loading:
            top += " · loading the meaning model"
        self.query_one("#topbar", Static).update(literal(top, one_line=True), layout=False)

    # ------------------------------------------------------------------ deciding

    def _advance(self) -> None:
        if self.session.next_todo() is None:
            self.notify("Every answer in this filter is done or being coded by someone else. "
                        "Press f to change the filter.", title="All done")
        self.arrive()

    def _decide(self, themes: list[str], not_assigned: bool, *, revise: bool = False) -> None:
        session = self.session
        if session.held_by is not None:
            self._confirm_take_over()
            return
        other = session.decided_by_other()
        if other is not None and not revise:
            self._confirm_revision(other, themes, not_assigned)
            return
        try:
            session.decide(themes, not_assigned=not_assigned, revise=revise)
        except DecidedByOther as exc:
            self.notify(visible_controls(f"{exc.coder} decided this a moment ago — showing "
                                         "the next answer"),
                        severity="warning", title="Not saved", markup=False)
        except ThemecoderError as exc:
            self.notify(exc.one_line(), severity="error", title="Not saved", markup=False)
            return
        self._advance()

    def _confirm_revision(self, other: Decision, themes: list[str], not_assigned: bool) -> None:
        """Ask before changing another coder's decision; yes records a revision of it."""
        answer = self.session.current
        if answer is None:
            return
        theirs = decision_text(other, self.session.codebook(answer), self.session.coder)

        def done(yes: bool | None) -> None:
            if yes:
                self._decide(themes, not_assigned, revise=True)

        self.app.push_screen(ConfirmDialog(
            f"{other.coder} has decided this answer",
            f"{theirs.removeprefix('✓ ')}\n\nRecord your decision as a revision of "
            f"{other.coder}'s? Exports will use yours.", yes="Revise"), done)

    def _confirm_take_over(self) -> None:
        """The answer is read-only (another coder holds it): ask before coding it too."""
        session = self.session
        answer = session.current
        if answer is None or session.held_by is None:
            return
        who = session.held_by

        def done(yes: bool | None) -> None:
            if not yes:
                return
            if not session.take_over():
                decision = session.decision(answer.id)
                by = decision.coder if decision is not None else who
                self.notify(visible_controls(f"{by} decided this a moment ago."),
                            severity="warning", markup=False)
            self.arrive()

        self.app.push_screen(ConfirmDialog(
            f"{who} is coding this answer",
            f"{who} has {answer.key} open right now. Code it too? If {who} decides it "
            "first, your decision will need a confirmed revision.", yes="Code it"), done)

    def _read_only(self) -> bool:
        """Whether the answer is read-only (held by another coder); explains how to code it."""
        if self.session.held_by is None:
            return False
        self.app.bell()
        self.notify(visible_controls(f"Read-only: {self.session.held_by} is coding this "
                                     "answer. Press Enter to code it anyway."),
                    severity="warning", timeout=3, markup=False)
        return True

    def action_accept(self) -> None:
        answer = self.session.current
        if answer is None:
            self.app.bell()
            return
        if self.session.held_by is not None:
            self._confirm_take_over()
            return
        if self.marked:
            order = self.session.codebook(answer).theme_ids
            self._decide([t for t in order if t in self.marked], False)
        elif self.not_assigned:
            self._decide([], True)
        else:
            self.notify("Mark at least one theme, or press x for Not assigned.",
                        severity="warning")

    def action_not_assigned(self) -> None:
        if self.session.current is None:
            self.app.bell()
            return
        if self.session.held_by is not None:
            self._confirm_take_over()
            return
        self._decide([], True)

    def action_undo(self) -> None:
        try:
            answer = self.session.undo()
        except ThemecoderError as exc:
            self.notify(exc.one_line(), severity="error", markup=False)
            return
        if answer is None:
            self.notify("Nothing to undo.")
            return
        self.notify(visible_controls(f"Undone: {answer.key}"), timeout=2, markup=False)
        self.arrive()

    def toggle_index(self, index: int) -> None:
        """Toggle the theme at ``index`` in the current codebook."""
        answer = self.session.current
        if answer is None or self._read_only():
            return
        themes = self.session.codebook(answer).themes
        if not 0 <= index < len(themes):
            self.app.bell()
            return
        theme_id = themes[index].id
        self.marked ^= {theme_id}
        self.not_assigned = False
        self.highlighted = index
        self._touched = True
        self.render_themes()

    def action_toggle(self, index: int) -> None:
        self.toggle_index(index)

    def action_toggle_highlighted(self) -> None:
        self.toggle_index(self.highlighted)

    def action_cursor(self, step: int) -> None:
        answer = self.session.current
        if answer is None:
            return
        count = len(self.session.codebook(answer).themes)
        self.highlighted = (self.highlighted + step) % count
        self.render_themes()

    def action_clear_marks(self) -> None:
        if self._read_only():
            return
        self.marked = set()
        self.not_assigned = False
        self._touched = True
        self.render_themes()

    def on_theme_clicked(self, message: ThemeClicked) -> None:
        self.toggle_index(message.index)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        actions = {"btn-accept": self.action_accept, "btn-na": self.action_not_assigned,
                   "btn-undo": self.action_undo, "btn-prev": self.action_previous,
                   "btn-next": self.action_next}
        handler = actions.get(event.button.id or "")
        if handler is not None:
            event.stop()
            handler()

    # ------------------------------------------------------------------ moving

    def action_next(self) -> None:
        self.session.next()
        self.arrive(warn=True)

    def action_previous(self) -> None:
        self.session.previous()
        self.arrive(warn=True)

    def action_next_todo(self) -> None:
        self._advance()

    def action_jump(self) -> None:
        def done(target: str | None) -> None:
            if not target:
                return
            if self.session.jump(target) is None:
                self.notify(visible_controls(self.session.not_found_reason(target)),
                            severity="warning", markup=False)
                return
            self.arrive(warn=True)

        self.app.push_screen(JumpDialog(), done)

    def apply_filter(self, new: Filter) -> None:
        """Apply a filter and show its first answer to do (going back to the scope before
        filtering keeps the current answer)."""
        current = self.session.current
        if new == self.session.scope:
            self.session.clear_filter()
        else:
            self.session.set_filter(new, keep=current.id if current and new.status == "all"
                                    else None)
        if self.session.current is None:
            self.notify("No answers match this filter.", severity="warning")
        self.arrive()

    def action_filter(self) -> None:
        def done(new: Filter | None) -> None:
            if new is not None:
                self.apply_filter(new)

        self.app.push_screen(FilterDialog(self.session.filter, self.session.questions(),
                                          self.session.groups(),
                                          list(self.session.codebooks.values()),
                                          cleared=self.session.scope,
                                          has_sample=self.session.sample_progress()[1] > 0),
                             done)

    def action_status_filter(self, status: str) -> None:
        self.apply_filter(Filter(status=status))

    def action_sample_filter(self) -> None:
        if not self.session.sample_progress()[1]:
            self.notify("You have no double-coding sample in this project.")
            return
        self.apply_filter(Filter(status="all", sample=True))

    # ------------------------------------------------------------------ dialogs

    def action_pick_theme(self) -> None:
        answer = self.session.current
        if answer is None:
            return

        def done(index: int | None) -> None:
            if index is not None:
                self.toggle_index(index)

        self.app.push_screen(ThemePicker(self.session.codebook(answer)), done)

    def action_note(self) -> None:
        answer = self.session.current
        if answer is None:
            return
        answer_id = answer.id
        session = self.session
        draft = session.note_draft(answer_id)

        def keep_draft(text: str) -> None:
            try:
                session.save_note_draft(text, answer_id)
            except ThemecoderError as exc:
                self.notify(exc.one_line(), severity="error", title="Draft not kept",
                            markup=False)

        def done(text: str | None) -> None:
            if text is None:  # abandoned: the draft goes too
                session.discard_note_draft(answer_id)
                self.render_answer()
                return
            session.note(text, answer_id)
            self.notify("Note saved." if text.strip() else "Note cleared.", timeout=2)
            self.render_answer()

        self.app.push_screen(NoteDialog(
            f"answer {answer_id} ({answer.respondent_key})",
            session.note_for(answer_id) if draft is None else draft,
            on_draft=keep_draft, from_draft=draft is not None), done)

    def action_definitions(self) -> None:
        answer = self.session.current
        if answer is None:
            return
        self.app.push_screen(DefinitionsScreen(self.session.codebook(answer),
                                               self.highlighted))

    def action_quote_mark(self, mark: str) -> None:
        """Star (or ban) the current answer for the quote bank; the same key clears it."""
        if self.session.current is None:
            self.app.bell()
            return
        try:
            now = self.session.toggle_quote_mark(mark)
        except ThemecoderError as exc:
            self.notify(exc.one_line(), severity="error", title="Not saved", markup=False)
            return
        text = {"star": "Starred: quoted first in the quote bank.",
                "ban": "Banned: never quoted."}.get(now, "Quote mark cleared.")
        self.notify(text, timeout=2)
        self.render_answer()

    def action_toggle_reasons(self) -> None:
        self.show_reasons = not self.show_reasons
        self.render_answer()

    def action_scroll_answer(self, pages: int) -> None:
        """Scroll the answer pane (its reasons and the respondent's other answers)."""
        view = self.query_one(AnswerView)
        if pages > 0:
            view.scroll_page_down(animate=False)
        else:
            view.scroll_page_up(animate=False)

    # ------------------------------------------------------------------ other coders

    def poll_store(self) -> None:
        """Notice decisions other coders (other processes) made since the last look, and
        keep this coder's claim on the answer alive."""
        try:
            self.session.keep_claim()
            changed = self.session.refresh_from_store()
        except ThemecoderError as exc:
            self.notify(exc.one_line(), severity="error", markup=False)
            return
        if not changed:
            return
        current = self.session.current
        if current is not None and current.id in changed and not self._touched:
            self.arrive()
        else:
            self.render_progress()

    # ------------------------------------------------------------------ the model

    def show_model_notice(self, text: str, kind: str) -> None:
        """Show retraining progress or its outcome above the progress line."""
        # progress posted from the worker may still be queued when the outcome arrives
        self._retraining = kind == "progress"
        self.query_one(ModelNotice).show_notice(text, kind)
        self.refresh_bindings()

    def dismiss_model_notice(self) -> None:
        """Hide the model notice."""
        self._retraining = False
        self.query_one(ModelNotice).dismiss()
        self.refresh_bindings()

    def action_dismiss_notice(self) -> None:
        self.dismiss_model_notice()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "dismiss_notice":
            return self.query_one(ModelNotice).is_outcome
        return True

    def on_retrain_progress(self, message: RetrainProgress) -> None:
        if not self._retraining:
            return
        stage = RETRAIN_STAGES.get(message.stage, message.stage)
        pct = f" {100 * message.done // message.total}%" if message.total else ""
        which = f" ({message.position} of {message.count})" if message.count > 1 else ""
        self.show_model_notice(f"Retraining {message.codebook_id}{which}: {stage}{pct}",
                               "progress")
