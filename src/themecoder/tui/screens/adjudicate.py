"""The adjudication screen: settle answers on which coders disagree.

The list on the left holds the disagreements (:func:`adjudication_queue`); the right
side shows the answer and each coder's themes side by side. Key ``1`` takes the first
coder's version, ``2`` the second's, and so on; ``e`` opens a dialog to set the final
themes by toggling. Each choice is recorded at once as an ``adjudicated`` decision
(:func:`adjudicate`), which exports prefer, and the screen moves to the next answer.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.events import Resize
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Label, OptionList, Static
from textual.widgets.option_list import Option

from themecoder.codebook import QUESTION_LABELS, Codebook
from themecoder.store import Project
from themecoder.store.teams import Disagreement, adjudicate, adjudication_queue
from themecoder.tui.actions import Action
from themecoder.tui.literal import literal
from themecoder.tui.screens.dialogs import dialog_box, dialog_buttons, dialog_title
from themecoder.tui.widgets.answer_view import highlighted
from themecoder.tui.widgets.key_footer import KeyFooter
from themecoder.tui.widgets.toggles import TickList

MAX_CODERS = 9
"""Coders that can be picked with a number key (1-9)."""

ADJUDICATE_ACTIONS: tuple[Action, ...] = (
    # the footer shows one entry for the number keys ("1-9 Take a coder's")
    *(Action(f"adjudicate.pick_{n}", str(n), f"pick({n - 1})",
             "Take a coder's" if n == 1 else f"Take coder {n}'s", show=n == 1,
             key_display=f"1-{MAX_CODERS}" if n == 1 else None)
      for n in range(1, MAX_CODERS + 1)),
    Action("adjudicate.edit", "e", "edit", "Set themes", "adjudicate: set the final themes"),
    Action("adjudicate.next", "n,right", "move(1)", "Next", "adjudicate: next disagreement"),
    Action("adjudicate.previous", "p,left", "move(-1)", "Prev",
           "adjudicate: previous disagreement"),
    Action("adjudicate.close", "escape", "close", "Close", "adjudicate: close"),
)
"""The screen's keys, in the same registry form as the coding screen's."""


def _verdict_text(codebook: Codebook, themes: tuple[str, ...], not_assigned: bool) -> str:
    if not_assigned:
        return codebook.not_assigned.name
    return "\n".join(f"• {codebook.theme(t).name}" for t in themes) or "—"


class FinalThemesDialog(ModalScreen[tuple[list[str], bool] | None]):
    """Set an answer's final themes by toggling them; returns ``(themes, not_assigned)``."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
                Binding("s,ctrl+s", "save", "Save", id="adjudicate.save")]

    def __init__(self, codebook: Codebook, themes: tuple[str, ...], not_assigned: bool) -> None:
        super().__init__()
        self.codebook = codebook
        self.marked = set(themes)
        self.not_assigned = not_assigned

    def compose(self) -> ComposeResult:
        choices = [(literal(t.name, one_line=True), t.id, t.id in self.marked)
                   for t in self.codebook.themes]
        choices.append((literal(self.codebook.not_assigned.name, one_line=True),
                        "__not_assigned__",
                        self.not_assigned))
        with dialog_box("final"):
            yield dialog_title("Final themes (space toggles, s saves)")
            yield TickList(*choices, id="final-themes")
            yield dialog_buttons(Button("Save", variant="primary", id="save"),
                                 Button("Cancel", id="cancel"))

    def on_resize(self, event: Resize) -> None:
        # the list scrolls itself within the screen, so the highlighted theme stays in view
        self.query_one(TickList).styles.max_height = max(4, event.size.height - 10)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        selected = set(self.query_one("#final-themes", TickList).selected)
        not_assigned = "__not_assigned__" in selected
        themes = [t for t in self.codebook.theme_ids if t in selected]
        if not_assigned and themes:
            self.notify("Choose themes or Not assigned, not both", severity="warning")
            return
        if not not_assigned and not themes:
            self.notify("Choose at least one theme, or Not assigned", severity="warning")
            return
        self.dismiss((themes, not_assigned))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "save":
            self.action_save()
        else:
            self.dismiss(None)


class AdjudicationScreen(Screen[None]):
    """List disagreements, show each coder's themes side by side, record the final coding.

    Args:
        project: the open project.
        adjudicator: whose name the adjudicated decisions carry.
        coders: compare only these coders (default: everyone).
    """

    CSS_PATH = "adjudicate.tcss"
    BINDINGS = [a.binding() for a in ADJUDICATE_ACTIONS]

    def __init__(self, project: Project, adjudicator: str,
                 coders: list[str] | None = None) -> None:
        super().__init__()
        self.project = project
        self.adjudicator = adjudicator
        self.coders = coders
        self.queue: list[Disagreement] = []
        self.index = 0
        self.settled = 0

    def compose(self) -> ComposeResult:
        yield Static(id="adjudicate-top")
        with Horizontal(id="adjudicate-body"):
            yield OptionList(id="disagreements")
            with VerticalScroll(id="adjudicate-detail"):
                yield Static(id="adjudicate-question")
                yield Static(id="adjudicate-text")
                yield Horizontal(id="coder-columns")
        yield KeyFooter({}, palette_from=120)

    def on_mount(self) -> None:
        self.reload()

    @property
    def current(self) -> Disagreement | None:
        """The disagreement shown, if any are left."""
        return self.queue[self.index] if 0 <= self.index < len(self.queue) else None

    def reload(self) -> None:
        """Read the queue again from the store (other coders may have decided meanwhile)."""
        self.queue = adjudication_queue(self.project, coders=self.coders)
        self.index = min(self.index, max(len(self.queue) - 1, 0))
        options = self.query_one("#disagreements", OptionList)
        options.clear_options()
        options.add_options([Option(Content.assemble(literal(d.answer.key, one_line=True), "  ",
                                                     literal(d.answer.text[:40],
                                                             one_line=True)),
                                    id=str(d.answer.id)) for d in self.queue])
        if self.queue:
            options.highlighted = self.index
        self.show()

    def show(self) -> None:
        """Render the current disagreement."""
        top = self.query_one("#adjudicate-top", Static)
        top.update(literal(f"themecoder · adjudication · {self.adjudicator} · "
                           f"{len(self.queue)} to settle · {self.settled} settled"))
        columns = self.query_one("#coder-columns", Horizontal)
        columns.remove_children()
        item = self.current
        question = self.query_one("#adjudicate-question", Static)
        text = self.query_one("#adjudicate-text", Static)
        if item is None:
            question.update("No disagreements left to settle.")
            text.update("")
            return
        answer = item.answer
        codebook = self.project.codebook_for_group(answer.group)
        question.update(literal(f"{QUESTION_LABELS.get(answer.question, answer.question)} · "
                                f"{answer.group} · {answer.key}"))
        text.update(highlighted(answer.text, []))
        for n, (coder, decision) in enumerate(item.decisions.items(), start=1):
            label = f"{n} · {coder}" if n <= MAX_CODERS else coder
            columns.mount(Vertical(
                Label(literal(label, one_line=True), classes="coder-name"),
                Static(literal(_verdict_text(codebook, decision.themes,
                                             decision.not_assigned)), classes="coder-themes"),
                classes="coder-column"))

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_index != self.index and 0 <= event.option_index < len(self.queue):
            self.index = event.option_index
            self.show()

    def _record(self, themes: list[str] | tuple[str, ...], not_assigned: bool) -> None:
        item = self.current
        if item is None:
            return
        adjudicate(self.project, item.answer.id, self.adjudicator, list(themes),
                   not_assigned=not_assigned)
        self.settled += 1
        self.reload()

    def action_pick(self, n: int) -> None:
        """Take coder ``n``'s version (0-based) as the final coding."""
        item = self.current
        if item is None or n >= len(item.decisions):
            self.app.bell()
            return
        decision = list(item.decisions.values())[n]
        self._record(decision.themes, decision.not_assigned)

    def action_edit(self) -> None:
        """Set the final themes by toggling, starting from the first coder's version."""
        item = self.current
        if item is None:
            return
        first = next(iter(item.decisions.values()))
        codebook = self.project.codebook_for_group(item.answer.group)

        def done(result: tuple[list[str], bool] | None) -> None:
            if result is not None:
                self._record(*result)

        self.app.push_screen(FinalThemesDialog(codebook, first.themes, first.not_assigned),
                             done)

    def action_move(self, step: int) -> None:
        if self.queue:
            self.index = (self.index + step) % len(self.queue)
            self.query_one("#disagreements", OptionList).highlighted = self.index
            self.show()

    def action_close(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.dismiss(None)
        else:
            self.app.exit()
