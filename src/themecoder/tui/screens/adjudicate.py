"""The adjudication screen: settle answers on which coders disagree.

The list on the left holds the disagreements (:func:`adjudication_queue`); the right
side shows the answer and each coder's themes side by side. Key ``1`` takes the first
coder's version, ``2`` the second's, and so on; ``e`` opens a dialog to set the final
themes by toggling (✓ marks a theme, ≠ where the coders differ). Each choice is recorded
at once as an ``adjudicated`` decision (:func:`adjudicate`), which exports prefer, and the
screen moves to the next answer. Escape closes the dialog (back to the queue) or, on the
queue, leaves adjudication: it never turns into coding.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Label, OptionList, Static
from textual.widgets.option_list import Option

from themecoder.codebook import Codebook
from themecoder.store import Decision, Project
from themecoder.store.teams import Disagreement, adjudicate, adjudication_queue
from themecoder.tui.actions import THEME_KEYS, Action
from themecoder.tui.literal import literal
from themecoder.tui.screens.dialogs import dialog_box, dialog_buttons, dialog_title
from themecoder.tui.widgets.answer_view import highlighted
from themecoder.tui.widgets.key_footer import KeyFooter

MAX_CODERS = 9
"""Coders that can be picked with a number key (1-9)."""

NOT_ASSIGNED = "__not_assigned__"
"""Stands for Not assigned among theme ids where coders differ."""

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
    Action("adjudicate.close", "escape", "close", "Leave", "adjudicate: leave adjudication"),
)
"""The screen's keys, in the same registry form as the coding screen's."""


def _verdict(codebook: Codebook, decision: Decision, differs: set[str]) -> Content:
    """A coder's themes, one a line; ``≠`` (highlighted) where the coders differ."""
    if decision.not_assigned:
        items = [(NOT_ASSIGNED, codebook.not_assigned.name)]
    else:
        items = [(t, codebook.theme(t).name) for t in decision.themes]
    if not items:
        return Content("—")
    return Content("\n").join(
        Content.assemble(("≠ ", "bold $text-warning"),
                         literal(name, one_line=True).stylize("bold $text-warning"))
        if key in differs else Content.assemble("• ", literal(name, one_line=True))
        for key, name in items)


def differing(decisions: dict[str, Decision]) -> set[str]:
    """Theme ids (and :data:`NOT_ASSIGNED`) some of the coders chose and others did not."""
    chosen = [set(d.themes) | ({NOT_ASSIGNED} if d.not_assigned else set())
              for d in decisions.values()]
    return set().union(*chosen) - set.intersection(*chosen) if chosen else set()


class FinalThemeRow(Static):
    """One line of the final-themes dialog: key, ✓ or blank, name, the coders who chose it."""

    def __init__(self, key: str, name: str, chosen_by: list[str], differs: bool) -> None:
        super().__init__(classes="final-theme")
        self.key = key
        self.theme_name = name
        self.chosen_by = chosen_by
        self.set_class(differs, "-differs")

    def show(self, marked: bool, highlighted: bool) -> None:
        """Render the row's mark and cursor."""
        differs = self.has_class("-differs")
        self.update(Content.assemble(
            (self.key, "bold $text-accent"), " ", ("≠" if differs else " ", "bold $text-warning"),
            " [", ("✓" if marked else " ", "bold $text-success"), "] ",
            literal(self.theme_name, one_line=True), "  ",
            # italic, not muted: a muted colour is too faint on the highlighted row
            literal(", ".join(self.chosen_by) or "nobody", one_line=True).stylize("italic")))
        self.set_class(marked, "-marked")
        self.set_class(highlighted, "-highlighted")


class FinalThemesDialog(ModalScreen[tuple[list[str], bool] | None]):
    """Set an answer's final themes by toggling them; returns ``(themes, not_assigned)``.

    The first key already toggles: a theme's key (as in the coding screen), or space on the
    highlighted row (the first row to begin with); ``x`` is Not assigned. Rows where the
    coders differ are marked ≠ and highlighted; each row names the coders who chose it.
    """

    BINDINGS = [Binding("escape", "cancel", "Back to the queue", id="dialog.cancel"),
                Binding("enter", "save", "Save", id="adjudicate.save"),
                Binding("space", "toggle_highlighted", "Toggle", id="adjudicate.toggle"),
                Binding("down", "cursor(1)", "Down", show=False, id="adjudicate.down"),
                Binding("up", "cursor(-1)", "Up", show=False, id="adjudicate.up"),
                Binding("x", "toggle_not_assigned", "Not assigned", show=False,
                        id="adjudicate.not_assigned"),
                *(Binding(key, f"toggle({n})", f"Toggle theme {n + 1}", show=False,
                          id=f"adjudicate.toggle_{n + 1}")
                  for n, key in enumerate(THEME_KEYS))]

    def __init__(self, codebook: Codebook, decisions: dict[str, Decision],
                 start: Decision) -> None:
        super().__init__()
        self.codebook = codebook
        self.decisions = decisions
        self.marked = set(start.themes)
        self.not_assigned = start.not_assigned
        self.highlighted = 0
        """Row with the cursor (the last row is Not assigned)."""

    def compose(self) -> ComposeResult:
        differs = differing(self.decisions)
        # the rows scroll in the dialog box; its title and buttons stay in view (80x24)
        with dialog_box("final-themes"):
            yield dialog_title("Final themes")
            yield Label("A theme's key or space toggles (↑↓ move) · ≠ where the coders differ · "
                        "Enter saves · Esc back to the list", classes="dialog-hint")
            for n, theme in enumerate(self.codebook.themes):
                key = THEME_KEYS[n] if n < len(THEME_KEYS) else " "
                chosen = [c for c, d in self.decisions.items() if theme.id in d.themes]
                yield FinalThemeRow(key, theme.name, chosen, theme.id in differs)
            chosen = [c for c, d in self.decisions.items() if d.not_assigned]
            yield FinalThemeRow("x", self.codebook.not_assigned.name, chosen,
                                NOT_ASSIGNED in differs)
            yield dialog_buttons(DialogButton("Save ⏎", variant="primary", id="save"),
                                 DialogButton("Back Esc", id="cancel"))

    def on_mount(self) -> None:
        self.render_rows()

    def render_rows(self) -> None:
        """Mark the rows as the dialog stands."""
        rows = list(self.query(FinalThemeRow))
        for n, row in enumerate(rows):
            marked = self.not_assigned if n == len(rows) - 1 else \
                self.codebook.themes[n].id in self.marked
            row.show(marked, n == self.highlighted)
        rows[self.highlighted].scroll_visible(animate=False)

    def action_toggle(self, index: int) -> None:
        if not 0 <= index < len(self.codebook.themes):
            self.app.bell()
            return
        self.marked ^= {self.codebook.themes[index].id}
        self.not_assigned = False
        self.highlighted = index
        self.render_rows()

    def action_toggle_not_assigned(self) -> None:
        self.not_assigned = not self.not_assigned
        if self.not_assigned:
            self.marked = set()
        self.highlighted = len(self.codebook.themes)
        self.render_rows()

    def action_toggle_highlighted(self) -> None:
        if self.highlighted == len(self.codebook.themes):
            self.action_toggle_not_assigned()
        else:
            self.action_toggle(self.highlighted)

    def action_cursor(self, step: int) -> None:
        self.highlighted = (self.highlighted + step) % (len(self.codebook.themes) + 1)
        self.render_rows()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        themes = [t for t in self.codebook.theme_ids if t in self.marked]
        if not self.not_assigned and not themes:
            self.notify("Choose at least one theme, or Not assigned (x)", severity="warning")
            return
        self.dismiss((themes, self.not_assigned))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "save":
            self.action_save()
        else:
            self.dismiss(None)


class DialogButton(Button, can_focus=False):
    """A button for the mouse; keys always reach the dialog."""


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
        question.update(literal(f"{codebook.question_label(answer.question)} · "
                                f"{answer.group} · {answer.key}"))
        text.update(highlighted(answer.text, []))
        differs = differing(item.decisions)
        for n, (coder, decision) in enumerate(item.decisions.items(), start=1):
            label = f"{n} · {coder}" if n <= MAX_CODERS else coder
            columns.mount(Vertical(
                Label(literal(label, one_line=True), classes="coder-name"),
                Static(_verdict(codebook, decision, differs), classes="coder-themes"),
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

        self.app.push_screen(FinalThemesDialog(codebook, item.decisions, first), done)

    def action_move(self, step: int) -> None:
        if self.queue:
            self.index = (self.index + step) % len(self.queue)
            self.query_one("#disagreements", OptionList).highlighted = self.index
            self.show()

    def action_close(self) -> None:
        """Leave adjudication: back to whatever opened it, or quit the app."""
        if len(self.app.screen_stack) > 2:
            self.dismiss(None)
        else:
            self.app.exit()
