"""Small modal dialogs: note (memo), go to answer, theme picker, filter, confirm.

Each is a ``ModalScreen[T]`` that returns its result through ``dismiss(...)``; Escape
cancels with ``None``. Every dialog is a scrolling box whose title and buttons are docked,
so on a small terminal (80×24) the body scrolls and the buttons stay in view.
"""

from __future__ import annotations

from collections.abc import Callable

from rapidfuzz import fuzz
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, RadioSet, Select
from textual.widgets.option_list import Option

from themecoder.codebook import Codebook
from themecoder.coding import STATUS_LABELS, STATUSES, Filter
from themecoder.questions import declared_by, question_label
from themecoder.tui.actions import THEME_KEYS
from themecoder.tui.literal import literal
from themecoder.tui.widgets.toggles import RadioChoice, TickBox

CANCEL = Binding("escape", "cancel", "Cancel", id="dialog.cancel")


class DialogBox(VerticalScroll, can_focus=False):
    """The scrolling box a dialog is built in: ``.dialog-title`` and ``.dialog-buttons``
    children are docked, so they stay in view while the rest scrolls. It never takes the
    focus itself: the dialog's first field does."""


def dialog_box(*classes: str) -> DialogBox:
    """A :class:`DialogBox` with the ``dialog`` class and ``classes``."""
    return DialogBox(classes=" ".join(("dialog", *classes)))


def dialog_title(text: str) -> Label:
    """A dialog's title line (user text is shown as written: never markup, control
    characters visible)."""
    return Label(literal(text, one_line=True), classes="dialog-title")


def dialog_buttons(*buttons: Button) -> Horizontal:
    """A dialog's row of buttons, docked at the bottom."""
    return Horizontal(*buttons, classes="dialog-buttons")


class Dialog(ModalScreen):
    """Common to the dialogs: Escape cancels; inputs blink unless the app says not to."""

    BINDINGS = [CANCEL]

    def on_mount(self) -> None:
        blink = getattr(self.app, "cursor_blink", True)
        for field in self.query(Input):
            field.cursor_blink = blink

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmDialog(Dialog, ModalScreen[bool]):
    """Ask before doing something that affects another coder's work.

    ``y`` (or the first button) confirms; ``n``, Escape and Enter cancel: Enter is the
    key a coder presses without thinking, so it never confirms here.
    """

    BINDINGS = [Binding("y", "answer(True)", "Yes", id="confirm.yes"),
                Binding("n", "answer(False)", "No", id="confirm.no")]

    def __init__(self, title: str, message: str, yes: str, no: str = "Cancel") -> None:
        super().__init__()
        self.title_text = title
        self.message = message
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        with dialog_box("confirm"):
            yield dialog_title(self.title_text)
            yield Label(literal(self.message), id="confirm-message")
            yield dialog_buttons(Button(Content(f"{self.yes} (y)"), variant="warning",
                                        id="yes"),
                                 Button(Content(f"{self.no} (n)"), id="no"))

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

    def action_cancel(self) -> None:
        self.dismiss(False)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")


class NoteDialog(Dialog, ModalScreen[str | None]):
    """Write or change the memo on the current answer (an empty text clears it).

    Args:
        answer_label: How the title names the answer.
        text: The text to start from (the saved note, or a draft left unsaved).
        on_draft: Called with the text after every change, so a draft is kept while
            typing and survives a crash.
        from_draft: ``text`` is an unsaved draft (the title says so).
    """

    def __init__(self, answer_label: str, text: str = "", *,
                 on_draft: Callable[[str], None] | None = None,
                 from_draft: bool = False) -> None:
        super().__init__()
        self.answer_label = answer_label
        self.text = text
        self.on_draft = on_draft
        self.from_draft = from_draft

    def compose(self) -> ComposeResult:
        title = f"Note on {self.answer_label}"
        if self.from_draft:
            title += " (unsaved draft restored)"
        with dialog_box("note"):
            yield dialog_title(title)
            # the cursor goes to the end: typing adds to a restored note, never replaces it
            yield Input(self.text, placeholder="memo for this answer (Enter saves, "
                        "empty clears)", id="note-input", select_on_focus=False)
            yield dialog_buttons(Button("Save", variant="primary", id="save"),
                                 Button("Cancel", id="cancel"))

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self.on_draft is not None and event.value != self.text:
            self.on_draft(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "save":
            self.dismiss(self.query_one("#note-input", Input).value)
        else:
            self.dismiss(None)


class JumpDialog(Dialog, ModalScreen[str | None]):
    """Ask for an answer id or key to go to."""

    def compose(self) -> ComposeResult:
        with dialog_box("jump"):
            yield dialog_title("Go to answer")
            yield Input(placeholder="answer id (e.g. 42) or key (e.g. R001:not_well)",
                        id="jump-input")
            yield dialog_buttons(Button("Go", variant="primary", id="go"),
                                 Button("Cancel", id="cancel"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip() or None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "go":
            self.dismiss(self.query_one("#jump-input", Input).value.strip() or None)
        else:
            self.dismiss(None)


def rank_themes(codebook: Codebook, query: str) -> list[tuple[int, float]]:
    """Themes ranked for a typed query: ``[(index, score)]``, best first.

    A name starting with the query ranks first, then the initials of its words ("lfc" for
    "Life for carer"), then a word starting with it, then fuzzy matches on names and on
    keywords (rapidfuzz partial ratio), so two or three letters reach any theme.
    """
    q = query.strip().casefold()
    if not q:
        return [(i, 0.0) for i in range(len(codebook.themes))]
    ranked = []
    for index, theme in enumerate(codebook.themes):
        name = theme.name.casefold()
        words = name.replace("/", " ").split()
        initials = "".join(w[0] for w in words)
        if name.startswith(q):
            score = 300.0
        elif len(q) > 1 and initials.startswith(q):
            score = 280.0
        elif any(w.startswith(q) for w in words):
            score = 250.0
        else:
            score = fuzz.partial_ratio(q, name)
            if theme.keywords:
                best_kw = max(fuzz.partial_ratio(q, k.casefold()) for k in theme.keywords)
                score = max(score, 0.9 * best_kw)
        if score >= 60:
            ranked.append((index, score))
    ranked.sort(key=lambda x: (-x[1], x[0]))
    return ranked


class ThemePicker(Dialog, ModalScreen[int | None]):
    """Type to find a theme by name or keyword; Enter toggles the highlighted one."""

    BINDINGS = [Binding("down", "move(1)", "Down", show=False, id="picker.down"),
                Binding("up", "move(-1)", "Up", show=False, id="picker.up")]

    def __init__(self, codebook: Codebook) -> None:
        super().__init__()
        self.codebook = codebook

    def compose(self) -> ComposeResult:
        with dialog_box("picker"):
            yield dialog_title("Pick a theme (type, ↑↓, Enter toggles)")
            yield Input(placeholder="theme name or keyword", id="picker-input")
            yield OptionList(id="picker-options")

    def on_mount(self) -> None:
        self._fill("")

    def _fill(self, query: str) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        for index, _score in rank_themes(self.codebook, query):
            theme = self.codebook.themes[index]
            key = THEME_KEYS[index] if index < len(THEME_KEYS) else " "
            options.add_option(Option(Content.assemble((key, "bold"), "  ",
                                                       literal(theme.name, one_line=True)),
                                      id=str(index)))
        if options.option_count:
            options.highlighted = 0

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._fill(event.value)

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if options.option_count:
            current = options.highlighted or 0
            options.highlighted = max(0, min(options.option_count - 1, current + step))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        options = self.query_one(OptionList)
        if options.highlighted is None:
            self.dismiss(None)
            return
        option = options.get_option_at_index(options.highlighted)
        self.dismiss(int(option.id or 0))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(int(event.option.id or 0))


class FilterDialog(Dialog, ModalScreen[Filter | None]):
    """Choose which answers to work through, and search their text."""

    def __init__(self, current: Filter, questions: list[str], groups: list[str],
                 codebooks: list[Codebook], *, cleared: Filter | None = None,
                 has_sample: bool = False) -> None:
        super().__init__()
        self.current = current
        self.questions = questions
        self.groups = groups
        self.codebooks = codebooks
        self.cleared = cleared or Filter(status="all")
        """What Clear returns: the scope the coder was in before filtering."""
        self.has_sample = has_sample
        """The coder has a double-coding sample (offer to show only it)."""

    def compose(self) -> ComposeResult:
        f = self.current
        with dialog_box("filter"):
            yield dialog_title("Filter and search")
            with RadioSet(id="status", compact=True):
                for status in STATUSES:
                    # "all" is enough here: five choices share one line
                    label = "all" if status == "all" else STATUS_LABELS[status]
                    yield RadioChoice(label, value=status == f.status,
                                      id=f"status-{status}", compact=True)
            declared = declared_by(self.codebooks)
            yield Select([(literal(question_label(q, declared), one_line=True), q)
                          for q in self.questions],
                         prompt="any question", value=f.question or Select.NULL,
                         id="question", compact=True)
            yield Select([(literal(g, one_line=True), g) for g in self.groups],
                         prompt="any group", value=f.group or Select.NULL, id="group",
                         compact=True)
            themes: dict[str, str] = {}
            for codebook in self.codebooks:
                for theme in codebook.themes:
                    themes.setdefault(theme.id, theme.name)
            yield Select([(literal(name, one_line=True), tid) for tid, name in themes.items()],
                         prompt="any theme", value=f.theme or Select.NULL, id="theme",
                         compact=True)
            yield TickBox("low confidence suggestions only", f.low_confidence,
                          id="low-confidence", compact=True)
            if self.has_sample:
                yield TickBox("my double-coding sample only (coded blind)", f.sample,
                              id="sample-only", compact=True)
            with Horizontal(classes="search-row"):
                yield Input(f.search, placeholder="search answer text", id="search",
                            compact=True)
                yield TickBox("fuzzy", f.fuzzy, id="fuzzy", compact=True)
            yield dialog_buttons(Button("Apply", variant="primary", id="apply"),
                                 Button("Clear", id="clear"), Button("Cancel", id="cancel"))

    def on_mount(self) -> None:
        self.query_one("#search", Input).focus()

    def chosen(self) -> Filter:
        """The filter as the dialog's fields say."""
        pressed = self.query_one("#status", RadioSet).pressed_button
        status = (pressed.id or "status-all").removeprefix("status-") if pressed else "all"

        def value(widget_id: str) -> str | None:
            v = self.query_one(widget_id, Select).value
            return None if v is Select.NULL or v is None else str(v)

        return Filter(status=status, question=value("#question"), group=value("#group"),
                      theme=value("#theme"),
                      low_confidence=self.query_one("#low-confidence", TickBox).value,
                      search=self.query_one("#search", Input).value.strip(),
                      fuzzy=self.query_one("#fuzzy", TickBox).value,
                      sample=self.has_sample and self.query_one("#sample-only", TickBox).value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(self.chosen())

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "apply":
            self.dismiss(self.chosen())
        elif event.button.id == "clear":
            self.dismiss(self.cleared)
        else:
            self.dismiss(None)
