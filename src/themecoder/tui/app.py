"""The coding app: ``themecoder code PROJECT`` opens it on the first answer still to do."""

from __future__ import annotations

import contextlib
import gc
import threading
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar

from sqlalchemy.exc import SQLAlchemyError
from textual import work
from textual.app import App
from textual.worker import Worker, WorkerState, get_current_worker

from themecoder.coding import CodingSession
from themecoder.errors import ThemecoderError
from themecoder.store import Project
from themecoder.tui.actions import APP_ACTIONS, keymap_from_env
from themecoder.tui.commands import CodingCommands
from themecoder.tui.screens.coding import CodingScreen
from themecoder.tui.screens.info import HelpScreen
from themecoder.tui.themes import other_theme, use_themes

POLL_SECONDS = 3.0
"""How often the app looks for decisions made by other coders."""

RETRAIN_EVERY = 50
"""Retrain the model in the background after this many decisions."""

REFRESH_AHEAD = 1000
"""After a retraining, the suggestions of this many answers coming next are refreshed."""

RETRAIN_CHECK_SECONDS = 5.0
"""How often the app checks whether a retraining is due."""


@dataclass
class RetrainOutcome:
    """What a background retraining did, for each codebook."""

    upcoming: list[int]
    """The answers coming next, whose suggestions a new version refreshed."""
    results: list[Any] = field(default_factory=list)
    """:class:`~themecoder.retraining.RetrainResult` per codebook retrained."""
    not_trained: list[str] = field(default_factory=list)
    """Why a codebook was not retrained (too few coded answers)."""

    def text(self) -> str:
        """Every codebook's outcome, one line each."""
        return "\n".join([r.summary() for r in self.results] + self.not_trained)

    def kind(self) -> str:
        """How the notice looks: a warning when a version was kept back or not trained."""
        if self.not_trained or any(r.changed and not r.accepted for r in self.results):
            return "warning"
        return "success"


class CodingApp(App[None]):
    """Code a project's answers as one coder.

    Args:
        project_location: Project file or database URL.
        coder: The coder's name, stored with every decision; ``None`` asks for it first (a
            browser tab served by ``themecoder serve`` does).
        suggest_ahead: Compute missing suggestions in the background.
        poll_seconds: How often to look for other coders' decisions (``None``: never).
        deterministic: Hide the rate and time left (for snapshots).
        keymap: Binding id → keys, overriding the defaults (also read from
            ``THEMECODER_KEYMAP``).
        suggesters: Suggesters to use ahead, by codebook id (default: built from the
            project's model or keywords when first needed).
        order: ``"plain"`` (import order) or ``"uncertain"`` (the model's least sure answers
            first, see :func:`themecoder.learning.uncertainty_order`).
        retrain_every: Retrain the model in the background after this many decisions
            (``None``: only on demand, palette "model: retrain").
        collector_paused: The caller paused the garbage collector for the start-up; the
            app resumes it once the first answer is on screen (or when it closes).
    """

    CSS_PATH = "app.tcss"
    TITLE = "themecoder"
    session: CodingSession
    """The coder's session (set once the coder's name is known)."""
    BINDINGS: ClassVar = [a.binding() for a in APP_ACTIONS]
    COMMANDS = App.COMMANDS | {CodingCommands}

    def __init__(self, project_location: str, coder: str | None, *,
                 suggest_ahead: bool = True,
                 poll_seconds: float | None = POLL_SECONDS, deterministic: bool = False,
                 keymap: dict[str, str] | None = None, order: str = "plain",
                 retrain_every: int | None = RETRAIN_EVERY,
                 suggesters: dict[str, Any] | None = None,
                 collector_paused: bool = False) -> None:
        super().__init__()
        self.collector_paused = collector_paused
        self.project = Project.open(project_location)
        if coder is not None:
            self.session = CodingSession(self.project, coder, order=order)
        self.order = order
        self.retrain_every = retrain_every
        self.retrainers: dict[str, Any] = {}
        self._remaining_at_retrain = 0
        self.poll_seconds = poll_seconds
        self.suggest_ahead = suggest_ahead
        self.deterministic = deterministic
        self.cursor_blink = not deterministic
        """Whether text inputs blink their cursor (off for snapshots)."""
        self.keymap = {**keymap_from_env(), **(keymap or {})}
        # shared with the coding screen, so a retrained model replaces the cached ones
        self.suggesters = suggesters if suggesters is not None else {}
        self.coding_screen: CodingScreen | None = None

    def on_mount(self) -> None:
        use_themes(self)
        if self.keymap:
            self.set_keymap(self.keymap)
        if hasattr(self, "session"):
            self.open_coding()
        else:
            from themecoder.tui.screens.coder_name import CoderNameDialog

            self.push_screen(CoderNameDialog(self.project_name, self.project.coders()),
                             self.start_session)

    @property
    def project_name(self) -> str:
        """The project's name, as ``themecoder init`` recorded it."""
        return self.project.info().get("name", "project")

    def start_session(self, coder: str | None) -> None:
        """Start coding as ``coder`` (the name given in the name dialog)."""
        if not coder:
            self.exit()
            return
        self.session = CodingSession(self.project, coder, order=self.order)
        self.open_coding()

    def open_coding(self) -> None:
        """Open the coding screen (and the adjudication screen when asked) for the
        session, and start the background checks."""
        self._remaining_at_retrain = self.session.progress().remaining
        name = self.project_name
        self.coding_screen = CodingScreen(self.session, project_name=name,
                                          suggest_ahead_enabled=self.suggest_ahead,
                                          show_rate=not self.deterministic,
                                          suggesters=self.suggesters)
        self.push_screen(self.coding_screen)
        if self.poll_seconds:
            self.set_interval(self.poll_seconds, self._poll_store)
        if self.retrain_every:
            self.set_interval(RETRAIN_CHECK_SECONDS, self.check_retrain)

    def first_answer_shown(self) -> None:
        """Start-up is over (the coding screen calls this once it has drawn the first
        answer)."""
        self._resume_collector()

    def _resume_collector(self) -> None:
        """Resume the garbage collector if it was paused for the start-up."""
        if self.collector_paused:
            self.collector_paused = False
            gc.enable()

    def on_unmount(self) -> None:
        self._resume_collector()
        with contextlib.suppress(ThemecoderError, SQLAlchemyError):
            if hasattr(self, "session"):  # a browser tab closed before naming its coder
                self.session.close()  # let other coders have the answer this coder held
        self.project.close()

    def _poll_store(self) -> None:
        if self.coding_screen is not None:
            self.coding_screen.poll_store()

    # ------------------------------------------------------------------ learning while coding

    def check_retrain(self) -> None:
        """Start a background retraining once ``retrain_every`` answers were decided."""
        remaining = self.session.progress().remaining
        if self.retrain_every and \
                self._remaining_at_retrain - remaining >= self.retrain_every:
            self.start_retrain(on_demand=False)

    def start_retrain(self, *, on_demand: bool) -> None:
        """Retrain unless a retraining is already running."""
        if any(w.group == "retrain" and w.state in (WorkerState.PENDING, WorkerState.RUNNING)
               for w in self.workers):
            if on_demand:
                self.notify("The model is already being retrained; its progress is shown "
                            "above the progress line.")
            return
        self._remaining_at_retrain = self.session.progress().remaining
        if self.coding_screen is not None:
            self.coding_screen.show_model_notice("Retraining the model in the background; "
                                                 "keep coding.", "progress")
        self.retrain_worker(on_demand, self.session.upcoming_todo(REFRESH_AHEAD))

    def action_retrain(self) -> None:
        self.start_retrain(on_demand=True)

    @work(thread=True, exclusive=True, exit_on_error=False, group="retrain",
          name="retrain model")
    def retrain_worker(self, on_demand: bool, upcoming: list[int]) -> RetrainOutcome:
        from themecoder.retraining import NotEnoughData, Retrainer
        from themecoder.tui.messages import RetrainProgress

        worker = get_current_worker()
        cancel = threading.Event()
        codebooks = {cb.id: cb for cb in self.session.codebooks.values()}
        outcome = RetrainOutcome(upcoming=upcoming)
        for position, (codebook_id, codebook) in enumerate(codebooks.items(), start=1):
            last_post = 0.0

            def progress(stage: str, done: int, total: int, codebook_id: str = codebook_id,
                         position: int = position) -> None:
                nonlocal last_post
                if worker.is_cancelled:
                    cancel.set()
                now = time.monotonic()
                # a few updates a second are enough for the eye
                if self.coding_screen is not None and (now - last_post > 0.25 or done == total):
                    last_post = now
                    self.coding_screen.post_message(RetrainProgress(
                        codebook_id, position, len(codebooks), stage, done, total))

            retrainer = self.retrainers.get(codebook_id)
            if retrainer is None:
                retrainer = self.retrainers[codebook_id] = Retrainer(
                    self.project, codebook, every=self.retrain_every or RETRAIN_EVERY,
                    refresh_limit=REFRESH_AHEAD)
            retrainer.coming_next = lambda upcoming=upcoming: upcoming
            try:
                outcome.results.append(retrainer.retrain(cancel, progress))
            except NotEnoughData as exc:
                outcome.not_trained.append(exc.one_line())
        return outcome

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        screen = self.coding_screen
        if event.worker.group != "retrain" or screen is None or not screen.is_attached:
            return
        if event.state == WorkerState.SUCCESS and event.worker.result is not None:
            outcome: RetrainOutcome = event.worker.result
            if any(r.accepted and r.changed for r in outcome.results):
                self.suggesters.clear()
                from themecoder.tui.messages import SuggestionsReady

                screen.post_message(SuggestionsReady(outcome.upcoming))
            screen.show_model_notice(outcome.text(), outcome.kind())
        elif event.state == WorkerState.ERROR:
            error = event.worker.error
            text = error.one_line() if hasattr(error, "one_line") else \
                f"{type(error).__name__}: {error}"
            screen.show_model_notice(f"Retraining failed: {text}", "error")
        elif event.state == WorkerState.CANCELLED:
            screen.dismiss_model_notice()

    # ------------------------------------------------------------------ new themes

    def action_discover(self) -> None:
        from themecoder.tui.screens.discover import DiscoverScreen

        self.push_screen(DiscoverScreen(self.project, self.session.coder), self.theme_adopted)

    def theme_adopted(self, adoption: Any) -> None:
        """After a theme was adopted: reopen the coding screen with the new codebook, on the
        rest of the candidate's answers as a queue to review (when any are left)."""
        if adoption is None or self.coding_screen is None:
            return
        current = self.session.current
        self.project.refresh()
        self.suggesters.clear()
        self.session = CodingSession(self.project, self.session.coder, order=self.order)
        if adoption.to_review:
            from themecoder.coding_filter import Filter

            self.session.set_filter(Filter(
                status="all", answer_ids=frozenset(adoption.to_review),
                label=f"to review for {adoption.theme.name}"))
        elif current is not None:
            self.session.jump(current.id)
        old = self.coding_screen
        self.coding_screen = CodingScreen(self.session, project_name=old.project_name,
                                          suggest_ahead_enabled=old.suggest_ahead_enabled,
                                          show_rate=old.show_rate, suggesters=self.suggesters)
        if self.screen is old:
            self.switch_screen(self.coding_screen)

    def action_toggle_dark(self) -> None:
        """Switch between the app's dark and light themes (F2)."""
        self.theme = other_theme(self.theme)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(keys=self.keymap))

    async def run_palette_action(self, action: str) -> None:
        """Run a registry action from the command palette on the right screen."""
        if self.coding_screen is not None and action not in {a.action for a in APP_ACTIONS}:
            await self.run_action(action, self.coding_screen)
        else:
            await self.run_action(action)
