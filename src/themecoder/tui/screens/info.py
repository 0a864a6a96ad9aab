"""Read-only modal screens: the help screen (every key) and the theme definitions."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from themecoder.codebook import Codebook
from themecoder.tui.actions import THEME_KEYS, Action, all_actions, key_label
from themecoder.tui.literal import literal


def help_text(action: Action) -> str:
    """What an action does, in a few words: its palette entry without the area
    ("navigate: next answer" → "Next answer"), else its footer description."""
    text = action.palette.partition(": ")[2] or action.description
    return text[:1].upper() + text[1:]


class HelpScreen(ModalScreen[None]):
    """Every key of the app, from the action registry."""

    BINDINGS = [Binding("escape,f1,question_mark,q", "close", "Close", id="help.close")]

    def __init__(self, actions: tuple[Action, ...] | None = None,
                 keys: dict[str, str] | None = None) -> None:
        super().__init__()
        self.actions = actions or all_actions()
        self.keys = keys or {}

    def compose(self) -> ComposeResult:
        lines = [Content.styled("Keys", "bold $text-accent"), Content("")]
        for action in self.actions:
            keys = key_label(self.keys.get(action.id, action.keys))
            lines.append(Content.assemble((f"{keys:>18}", "bold"), "  ", help_text(action),
                                          (f"  [{action.id}]", "$text-muted")))
        lines.append(Content.assemble((f"{'1…9 0 q w e y…':>18}", "bold"), "  ",
                                      "Toggle the theme with that key (shown in the list); "
                                      "click a theme to toggle it"))
        lines.append(Content(""))
        lines.append(Content("A decision is saved the moment it is made. Enter accepts the "
                             "marked themes; x marks the answer Not assigned (too vague)."))
        lines.append(Content("Keys can be changed with THEMECODER_KEYMAP='coding.accept="
                             "space;nav.next=j'. Esc closes this screen."))
        with VerticalScroll(classes="dialog help"):
            yield Static(Content("\n").join(lines))

    def action_close(self) -> None:
        self.dismiss(None)


class DefinitionsScreen(ModalScreen[None]):
    """All definitions of a codebook, the highlighted theme first and marked."""

    BINDINGS = [Binding("escape,d,q", "close", "Close", id="definitions.close")]

    def __init__(self, codebook: Codebook, highlighted: int | None = None) -> None:
        super().__init__()
        self.codebook = codebook
        self.highlighted = highlighted

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog definitions"):
            yield Static(literal(f"Definitions — {self.codebook.name}")
                         .stylize("bold $text-accent"))
            with VerticalScroll(id="definitions-scroll"):
                order = list(range(len(self.codebook.themes)))
                if self.highlighted is not None and 0 <= self.highlighted < len(order):
                    order.remove(self.highlighted)
                    order.insert(0, self.highlighted)
                for index in order:
                    theme = self.codebook.themes[index]
                    key = THEME_KEYS[index] if index < len(THEME_KEYS) else " "
                    body = Content.assemble(literal(f"{key}  {theme.name}").stylize("bold"),
                                            "\n", literal(theme.definition))
                    if theme.keywords:
                        body = body + literal(
                            "\nkeywords: " + ", ".join(theme.keywords[:12])).stylize(
                                "$text-muted")
                    classes = "definition -current" if index == self.highlighted \
                        else "definition"
                    yield Static(body, classes=classes)
                na = self.codebook.not_assigned
                yield Static(Content.assemble(literal("x  " + na.name).stylize("bold"), "\n",
                                              literal(na.definition)), classes="definition")

    def action_close(self) -> None:
        self.dismiss(None)
