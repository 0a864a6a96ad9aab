"""Candidate new themes: topics of the answers no theme covers, and dialogs to adopt one.

Discovery (:func:`themecoder.discover.run_discovery`) runs in a worker thread; the list fills
when it is done, with the method that ran and where the uncovered answers went. The
highlighted candidate shows its top words, examples and every member answer (candidate,
name, answer key, question, text — the columns of ``themecoder discover --out-csv``).
Adopting asks for the theme's name, definition and keywords, then for confirmation naming
the candidate, its size and top words and what will be coded; it adds the theme (a new
codebook version), codes the examples close enough to need no review (or every member),
and the screen closes returning the :class:`~themecoder.discover.Adoption`, so the app can
reload the codebook and open the rest of the candidate as a queue to review.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from themecoder.discover import (
    Adoption,
    Candidate,
    Discovery,
    adopt,
    run_discovery,
    theme_id_for,
)
from themecoder.errors import ThemecoderError
from themecoder.safe_text import visible_controls
from themecoder.store import Project
from themecoder.tui.literal import literal
from themecoder.tui.screens.dialogs import Dialog, dialog_box, dialog_buttons, dialog_title
from themecoder.tui.widgets.key_footer import KeyFooter
from themecoder.tui.widgets.toggles import TickBox


@dataclass(frozen=True)
class AdoptChoice:
    """What the adopt dialog returns."""

    name: str
    definition: str
    keywords: tuple[str, ...]
    code_all: bool


class AdoptDialog(Dialog, ModalScreen[AdoptChoice | None]):
    """Name, definition and keywords for the theme made from a candidate."""

    def __init__(self, candidate: Candidate) -> None:
        super().__init__()
        self.candidate = candidate

    def compose(self) -> ComposeResult:
        c = self.candidate
        with dialog_box("adopt"):
            yield dialog_title(f"New theme from candidate {c.id} ({c.size} answers)")
            yield Input(c.name, placeholder="theme name", id="adopt-name")
            yield Input(placeholder="definition: what the theme covers", id="adopt-definition")
            yield Input(", ".join(w for w in c.top_words[:3]),
                        placeholder="keywords, comma-separated", id="adopt-keywords")
            # short enough for an 80-column screen
            yield TickBox(f"code all {c.size} answers, not only the "
                          f"{len(c.sure_example_ids())} needing no review", False,
                          id="adopt-all")
            yield dialog_buttons(Button("Adopt", variant="primary", id="adopt"),
                                 Button("Cancel", id="cancel"))

    def chosen(self) -> AdoptChoice | None:
        """The dialog's fields, or ``None`` (with a warning) when the name has no word."""
        name = self.query_one("#adopt-name", Input).value.strip()
        if not name:
            self.notify("The theme needs a name.", severity="warning")
            return None
        try:
            theme_id_for(name)
        except ThemecoderError as exc:
            self.notify(exc.one_line(), severity="warning", markup=False)
            return None
        keywords = self.query_one("#adopt-keywords", Input).value.split(",")
        return AdoptChoice(name=name,
                           definition=self.query_one("#adopt-definition", Input).value.strip(),
                           keywords=tuple(k.strip() for k in keywords if k.strip()),
                           code_all=self.query_one("#adopt-all", TickBox).value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        choice = self.chosen()
        if choice is not None:
            self.dismiss(choice)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "adopt":
            choice = self.chosen()
            if choice is not None:
                self.dismiss(choice)
        else:
            self.dismiss(None)


class ConfirmAdoption(Dialog, ModalScreen[bool | None]):
    """Names the candidate, its size and top words, and what adopting will code."""

    def __init__(self, candidate: Candidate, choice: AdoptChoice) -> None:
        super().__init__()
        self.candidate = candidate
        self.choice = choice

    def compose(self) -> ComposeResult:
        c, choice = self.candidate, self.choice
        coded = c.size if choice.code_all else len(c.sure_example_ids())
        with dialog_box("confirm-adopt"):
            yield dialog_title(f"Adopt candidate {c.id} as theme '{choice.name}'?")
            yield Static(literal(
                f"Candidate {c.id}: {c.name} — {c.size} answers of group {c.group}\n"
                f"Top words: {', '.join(c.top_words)}\n"
                f"Codes {coded} answers with the new theme; the other {c.size - coded} "
                "open as a queue to review."), id="confirm-text")
            yield dialog_buttons(Button("Adopt", variant="primary", id="confirm"),
                                 Button("Cancel", id="cancel"))

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#confirm", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm")


class DiscoverScreen(Screen[Adoption | None]):
    """Candidate new themes with their top words and examples; ``a`` adopts one."""

    CSS_PATH = "discover.tcss"
    BINDINGS = [
        Binding("a", "adopt", "Adopt as theme", id="discover.adopt"),
        Binding("escape", "close", "Back", id="discover.close"),
    ]

    def __init__(self, project: Project, coder: str, *, random_state: int = 0,
                 **discover_options: Any) -> None:
        super().__init__()
        self.project = project
        self.coder = coder
        self.random_state = random_state
        self.discover_options = discover_options
        self.candidates: list[Candidate] = []
        self.discovery: Discovery | None = None

    def compose(self) -> ComposeResult:
        yield Static("Candidate new themes: answers no theme covers, grouped by topic",
                     id="discover-title")
        yield Static("", id="discover-account")
        with Horizontal(id="discover-body"):
            yield OptionList(id="candidates")
            with VerticalScroll(id="candidate-detail"):
                yield Static("Looking for topics among the uncoded answers…",
                             id="candidate-text")
                yield DataTable(id="candidate-members", cursor_type="row", zebra_stripes=True)
        yield KeyFooter({}, palette_from=120)

    def on_mount(self) -> None:
        self.find_candidates()

    @work(thread=True, exclusive=True, exit_on_error=False, group="discover",
          name="discover themes")
    def find_candidates(self) -> Discovery:
        return run_discovery(self.project, random_state=self.random_state,
                             **self.discover_options)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "discover":
            return
        if event.state == WorkerState.SUCCESS and event.worker.result is not None:
            self.show_discovery(event.worker.result)
        elif event.state == WorkerState.ERROR:
            error = event.worker.error
            text = error.one_line() if isinstance(error, ThemecoderError) else \
                f"{type(error).__name__}: {error}"
            self.query_one("#candidate-text", Static).update(literal(f"Discovery failed: {text}"))

    def show_discovery(self, discovery: Discovery) -> None:
        """The method, the pool's account, and the candidates."""
        self.discovery = discovery
        self.query_one("#discover-account", Static).update(literal(
            f"{discovery.account.describe()} · {discovery.method}"))
        self.show_candidates(discovery.candidates)

    def show_candidates(self, candidates: list[Candidate]) -> None:
        """Fill the list (and the detail of the first candidate)."""
        self.candidates = candidates
        options = self.query_one("#candidates", OptionList)
        options.clear_options()
        for c in candidates:
            options.add_option(Option(Content.assemble(
                (f"{c.id:>2}. ", "bold"), literal(c.name, one_line=True),
                (f"  {c.size} · {visible_controls(c.group, one_line=True)}", "italic")),
                id=str(c.id)))
        if candidates:
            options.highlighted = 0
            options.focus()
            self.show_detail(candidates[0])
        else:
            self.query_one("#candidate-text", Static).update(Content(
                "No group of uncoded answers is large and coherent enough to suggest a "
                "new theme."))

    def show_detail(self, c: Candidate) -> None:
        survey = " · about the survey itself (ranked last)" if c.about_survey else ""
        lines = [literal(f"{c.id}. {c.name}").stylize("bold $accent"),
                 literal(f"{c.size} answers of group {c.group} · cohesion "
                         f"{c.cohesion:.2f}{survey}"),
                 Content.assemble(("Top words: ", "bold"), literal(", ".join(c.top_words))),
                 Content(""), Content.styled("Examples", "bold")]
        lines += [literal(f"• {text}", one_line=True) for text in c.examples]
        lines += [Content(""), Content.styled(f"All {c.size} answers", "bold")]
        self.query_one("#candidate-text", Static).update(Content("\n").join(lines))
        table = self.query_one("#candidate-members", DataTable)
        table.clear(columns=True)
        table.add_columns("candidate", "name", "answer_key", "question", "text")
        if self.discovery is not None:
            d = self.discovery
            for answer_id in c.answer_ids:
                # Text, not str: a DataTable reads a str as Rich markup
                table.add_row(*(Text(visible_controls(str(value), one_line=True)) for value in (
                    c.id, c.name, d.answer_keys[answer_id], d.answer_questions[answer_id],
                    d.texts[answer_id])), key=str(answer_id))

    def highlighted(self) -> Candidate | None:
        """The candidate under the cursor."""
        index = self.query_one("#candidates", OptionList).highlighted
        if index is None or not 0 <= index < len(self.candidates):
            return None
        return self.candidates[index]

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        candidate = self.highlighted()
        if candidate is not None:
            self.show_detail(candidate)

    def action_adopt(self) -> None:
        candidate = self.highlighted()
        if candidate is None:
            self.app.bell()
            return

        def confirmed(choice: AdoptChoice, ok: bool | None) -> None:
            if not ok:
                return
            try:
                result = adopt(self.project, candidate, name=choice.name,
                               definition=choice.definition, keywords=choice.keywords,
                               coder=self.coder, code="all" if choice.code_all else "examples")
            except ThemecoderError as exc:
                self.notify(exc.one_line(), severity="error", title="Not adopted", markup=False)
                return
            review = f"; {len(result.to_review)} to review" if result.to_review else ""
            self.notify(visible_controls(
                f"Added theme {result.theme.name} from candidate {candidate.id} (codebook "
                f"{result.codebook.id} v{result.codebook.version}); coded "
                f"{len(result.coded)} answers{review}."),
                title="Theme adopted", markup=False)
            self.dismiss(result)

        def named(choice: AdoptChoice | None) -> None:
            if choice is not None:
                self.app.push_screen(ConfirmAdoption(candidate, choice),
                                     lambda ok: confirmed(choice, ok))

        self.app.push_screen(AdoptDialog(candidate), named)

    def action_close(self) -> None:
        self.dismiss(None)
