"""Suggestions computed ahead of the coder, and the meaning model loaded behind the screen.

:class:`SuggestingAhead` is the part of the coding screen that, once the first answer is on
screen, computes suggestions for the next answers that have none in a thread worker, loads
the sentence-embedding model in the background when a codebook's suggestions use meaning
(:mod:`themecoder.tui.meaning_loader`), and suggests again, with meaning, the undecided
answers suggested without it meanwhile.
"""

from __future__ import annotations

import threading
from typing import Any

from textual import work
from textual.worker import Worker, WorkerState, get_current_worker

from themecoder.coding import CodingSession, suggest_ahead
from themecoder.errors import ThemecoderError
from themecoder.safe_text import visible_controls
from themecoder.store.project import Answer
from themecoder.tui.meaning_loader import load_meaning_in_background
from themecoder.tui.messages import (
    MeaningFailed,
    MeaningLoading,
    MeaningReady,
    SuggestionsReady,
    SuggestProgress,
)

SUGGEST_AHEAD = 40
"""How many answers ahead of the current one get suggestions computed in the background."""


class SuggestingAhead:
    """Suggest-ahead and the meaning model (mixed into the coding screen)."""

    session: CodingSession
    suggest_ahead_enabled: bool
    _touched: bool

    def init_suggesting(self, suggesters: dict[str, Any] | None) -> None:
        """Set up the state (from the screen's ``__init__``)."""
        self._requested: set[int] = set()
        self._suggesters: dict[str, Any] = suggesters if suggesters is not None else {}
        self._suggest_status = ""
        self._shown_first = False
        """Whether the first answer has been drawn (background work waits for it)."""
        self._meaning_pending = False
        """Whether the meaning model may still be loaded (it is being loaded or checked for)."""
        self._meaning_loading = False
        self._awaiting_meaning: list[Answer] = []
        """Answers suggested without meaning while the meaning model was loading."""
        self._meaning_refresh: list[Answer] = []
        self._meaning_thread: threading.Thread | None = None

    def _first_answer_shown(self) -> None:
        # only now load what suggesting needs (spaCy, the models): the coder is reading
        self._shown_first = True
        first_answer_shown = getattr(self.app, "first_answer_shown", None)
        if first_answer_shown is not None:
            first_answer_shown()
        self.maybe_load_meaning()
        self.set_timer(0.2, self.maybe_suggest_ahead)

    def maybe_suggest_ahead(self) -> None:
        """Start computing suggestions for the next answers that have none (once the first
        answer is on screen, so loading spaCy or a model never delays it)."""
        if not self.suggest_ahead_enabled or not self._shown_first:
            return
        if any(w.group == "suggest" and w.state in (WorkerState.PENDING, WorkerState.RUNNING)
               for w in self.app.workers):
            return
        if self._meaning_refresh:
            refresh, self._meaning_refresh = self._meaning_refresh, []
            self.suggest_worker(refresh)
            return
        missing = [a for a in self.session.missing_suggestions(SUGGEST_AHEAD)
                   if a.id not in self._requested]
        if not missing:
            return
        self._requested.update(a.id for a in missing)
        if self._meaning_pending:
            self._awaiting_meaning.extend(missing)
        self.suggest_worker(missing)

    @work(thread=True, exclusive=True, exit_on_error=False, group="suggest",
          name="suggest ahead")
    def suggest_worker(self, answers: list[Answer]) -> None:
        worker = get_current_worker()
        cancel = threading.Event()

        def progress(done: int, total: int) -> None:
            if worker.is_cancelled:
                cancel.set()
            self.post_message(SuggestProgress(done, total))

        ids = suggest_ahead(self.session.project, answers, cancel=cancel, progress=progress,
                            suggesters=self._suggesters, wait_for_meaning=False)
        self.post_message(SuggestionsReady(ids))

    # ------------------------------------------------------------------ meaning model

    def maybe_load_meaning(self) -> None:
        """Load the sentence-embedding model in the background when a codebook's suggestions
        use meaning: it has no model, or its model has no examples of some themes.

        Until it is loaded, answers are suggested without meaning; those still undecided
        are suggested again with meaning once it is.
        """
        from themecoder.suggest.project_suggest import project_model_path
        from themecoder.suggest.semantic import meaning_available, meaning_loaded

        if not self.suggest_ahead_enabled or meaning_loaded() or not meaning_available():
            return
        project = self.session.project
        paths = {cb.id: project_model_path(project, cb) for cb in self.session.codebooks.values()}
        self._meaning_pending = True
        self._meaning_loading = not all(paths.values())  # a codebook without a model
        self._meaning_thread = load_meaning_in_background(
            list(self.session.codebooks.values()), paths, self.post_message)

    def on_meaning_loading(self, message: MeaningLoading) -> None:
        self._meaning_loading = True
        self.render_progress()

    def on_meaning_ready(self, message: MeaningReady) -> None:
        self._meaning_pending = self._meaning_loading = False
        if message.needed:
            self._meaning_refresh = [a for a in self._awaiting_meaning
                                     if self.session.decision(a.id) is None]
        self._awaiting_meaning = []
        self.render_progress()
        self.maybe_suggest_ahead()

    def on_meaning_failed(self, message: MeaningFailed) -> None:
        self._meaning_pending = self._meaning_loading = False
        self._awaiting_meaning = []
        self.notify(visible_controls(f"Suggestions use keywords alone: {message.error}"),
                    markup=False, severity="warning", title="Meaning model not loaded")
        self.render_progress()

    def on_suggest_progress(self, message: SuggestProgress) -> None:
        self._suggest_status = f"suggesting {message.done}/{message.total}"
        self.render_progress()

    def on_suggestions_ready(self, message: SuggestionsReady) -> None:
        self._suggest_status = ""
        self.session.reload_suggestions(message.answer_ids)
        current = self.session.current
        if current is not None and current.id in message.answer_ids and not self._touched:
            self.arrive()
        else:
            self.render_progress()
            self.call_later(self.maybe_suggest_ahead)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.group == "suggest":
            self._suggest_status = ""
            self.suggest_ahead_enabled = False  # do not retry on every keystroke
            self.notify(visible_controls(
                f"Suggestions could not be computed: {_error_text(event.worker.error)}"),
                markup=False, severity="error", title="Suggest ahead stopped")
            self.render_progress()


def _error_text(error: BaseException | None) -> str:
    """A worker's error in one line."""
    if isinstance(error, ThemecoderError):
        return error.one_line()
    return f"{type(error).__name__}: {error}"
