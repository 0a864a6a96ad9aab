"""Every key of the coding app in one registry, so keymaps can be configured.

Each :class:`Action` has a stable id (``"coding.accept"``), the default keys, the action it
runs, and a description. Screens build their ``BINDINGS`` from here, the help screen and the
command palette list it, and :func:`keymap_from_env` lets a user rebind any id with
``THEMECODER_KEYMAP="coding.accept=space;nav.next=j"`` (Textual's ``App.set_keymap``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from textual.binding import Binding

THEME_KEYS = "1234567890qweyioshjklzcvb"
"""Keys that toggle themes, in codebook order (letters avoid the command keys)."""


@dataclass(frozen=True)
class Action:
    """One thing a coder can do, with its default keys.

    Attributes:
        id: Stable binding id (``area.verb``), used in keymaps.
        keys: Default keys, comma-separated (Textual syntax).
        action: The Textual action string.
        description: Short text for the footer and help.
        palette: Name in the command palette ("area: verb"); empty keeps it out.
        show: Whether the footer shows it.
        key_display: How the footer writes the key.
        footer_from: The narrowest terminal (columns) whose footer shows it; less used keys
            appear only when there is room, so the footer never runs off an 80-column
            screen.
    """

    id: str
    keys: str
    action: str
    description: str
    palette: str = ""
    show: bool = True
    key_display: str | None = None
    footer_from: int = 0

    def binding(self) -> Binding:
        """The Textual binding for this action."""
        return Binding(self.keys, self.action, self.description, show=self.show,
                       key_display=self.key_display, id=self.id)


CODING_ACTIONS: tuple[Action, ...] = (
    Action("coding.accept", "enter,a", "accept", "Accept", "coding: accept marked themes",
           key_display="⏎"),
    Action("coding.not_assigned", "x,minus", "not_assigned", "Not assigned",
           "coding: not assigned (too vague)"),
    Action("coding.undo", "u,ctrl+z", "undo", "Undo", "coding: undo last decision"),
    Action("nav.next", "n,right", "next", "Next/prev", "navigate: next answer",
           key_display="n/p"),
    Action("nav.previous", "p,left", "previous", "Prev", "navigate: previous answer",
           show=False),
    Action("nav.next_todo", "tab", "next_todo", "Next to do", "navigate: next answer to do",
           show=False),
    Action("nav.jump", "g", "jump", "Go to", "navigate: go to answer id or key",
           footer_from=120),
    Action("coding.pick", "slash,t", "pick_theme", "Pick", "coding: pick theme by name",
           key_display="/", footer_from=90),
    Action("coding.toggle_highlighted", "space", "toggle_highlighted", "Toggle",
           show=False),
    Action("coding.cursor_down", "down", "cursor(1)", "Next theme", show=False),
    Action("coding.cursor_up", "up", "cursor(-1)", "Previous theme", show=False),
    Action("coding.clear", "backspace", "clear_marks", "Clear marks",
           "coding: clear marked themes", show=False),
    Action("coding.note", "m", "note", "Note", "coding: write a note (memo)",
           footer_from=100),
    Action("view.definition", "d", "definitions", "Definitions",
           "view: theme definitions", footer_from=130),
    Action("view.reasons", "r", "toggle_reasons", "Reasons",
           "view: show or hide suggestion reasons", show=False),
    Action("filter.dialog", "f", "filter", "Filter", "filter: choose filter or search"),
    Action("view.scroll_down", "pagedown,ctrl+down", "scroll_answer(1)", "Scroll",
           "view: scroll the answer down", key_display="PgDn"),
    Action("view.scroll_up", "pageup,ctrl+up", "scroll_answer(-1)", "Scroll up",
           "view: scroll the answer up", show=False),
    # the message itself says "Esc: dismiss"; the footer names the key where there is room
    Action("model.dismiss", "escape", "dismiss_notice", "Dismiss message",
           "model: dismiss the model message", footer_from=120),
    Action("quote.star", "asterisk", "quote_mark('star')", "Star quote",
           "quotes: star this answer for the quote bank", show=False, key_display="*"),
    Action("quote.ban", "exclamation_mark", "quote_mark('ban')", "Never quote",
           "quotes: never quote this answer", show=False, key_display="!"),
)

FILTER_SHORTCUTS: tuple[tuple[str, str], ...] = (
    ("filter: to do", "todo"),
    ("filter: done", "done"),
    ("filter: not assigned", "not_assigned"),
    ("filter: auto-coded", "auto"),
    ("filter: all answers", "all"),
)
"""Command-palette entries that set the status filter directly."""

APP_ACTIONS: tuple[Action, ...] = (
    Action("app.help", "f1,question_mark", "help", "Help", "app: help (all keys)",
           key_display="?"),
    Action("view.toggle_dark", "f2", "toggle_dark", "Light/dark", "view: light or dark",
           show=False),
    Action("app.palette", "ctrl+p", "command_palette", "Commands", show=False,
           footer_from=110),
    Action("model.retrain", "f5", "retrain", "Retrain model", "model: retrain",
           show=False),
    Action("themes.discover", "f6", "discover", "Discover themes", "themes: discover",
           show=False),
    Action("app.quit", "ctrl+q", "quit", "Quit", "app: quit", key_display="^q"),
)


def theme_actions(count: int = len(THEME_KEYS)) -> tuple[Action, ...]:
    """Toggle actions for the first ``count`` themes (hidden in the footer: the theme list
    shows each key next to its theme)."""
    return tuple(Action(f"coding.toggle_{n + 1}", key, f"toggle({n})",
                        f"Toggle theme {n + 1}", show=False)
                 for n, key in enumerate(THEME_KEYS[:count]))


def all_actions() -> tuple[Action, ...]:
    """Every action, for help and the palette."""
    return APP_ACTIONS + CODING_ACTIONS


def footer_widths(actions: tuple[Action, ...] | None = None) -> dict[str, int]:
    """Action → the narrowest width whose footer shows it (only those with a minimum)."""
    return {a.action: a.footer_from for a in actions or all_actions() if a.footer_from}


def palette_width() -> int:
    """The narrowest width whose footer shows the command palette key."""
    return next(a.footer_from for a in APP_ACTIONS if a.id == "app.palette")


def key_label(keys: str) -> str:
    """Keys as a person reads them: ``"enter,a"`` → ``"enter / a"``."""
    names = {"slash": "/", "minus": "-", "question_mark": "?", "space": "space",
             "asterisk": "*", "exclamation_mark": "!",
             "right": "→", "left": "←", "up": "↑", "down": "↓", "pagedown": "PgDn",
             "pageup": "PgUp", "ctrl+down": "ctrl+↓", "ctrl+up": "ctrl+↑"}
    return " / ".join(names.get(k, k) for k in keys.split(","))


def keymap_from_env(env: str = "THEMECODER_KEYMAP") -> dict[str, str]:
    """A keymap from ``id=keys;id=keys`` in an environment variable (empty if unset)."""
    text = os.environ.get(env, "")
    out: dict[str, str] = {}
    for item in text.split(";"):
        binding_id, sep, keys = item.partition("=")
        if sep and binding_id.strip() and keys.strip():
            out[binding_id.strip()] = keys.strip()
    return out
