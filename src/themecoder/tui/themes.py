"""The app's two colour themes, dark and light, chosen so all text is readable.

Textual's own light theme puts its orange accent on light grey (contrast 1.5:1); these
themes keep Textual's look but pick accent, primary and status colours that reach the
WCAG AA contrast of 4.5:1 for every piece of text the app shows (the test suite renders
each screen in both themes and measures it). F2 switches between them.
"""

from __future__ import annotations

from textual.app import App
from textual.theme import Theme

DARK = "themecoder-dark"
LIGHT = "themecoder-light"

THEMES: tuple[Theme, ...] = (
    Theme(
        name=DARK,
        primary="#0F5FA8",
        secondary="#004578",
        accent="#FFA62B",
        warning="#FFA62B",
        error="#E06C75",
        success="#4EBF71",
        foreground="#E0E0E0",
        variables={
            "text-muted": "#A8A8A8",
            "foreground-muted": "#A8A8A8",
            "text-disabled": "#9A9A9A",
            "footer-key-foreground": "#FFB54F",
            "input-selection-background": "#0F5FA8",
        },
    ),
    Theme(
        name=LIGHT,
        primary="#0A4F8A",
        secondary="#0F5FA8",
        accent="#8F3F00",
        warning="#7A4A00",
        error="#A3263F",
        success="#1E6B34",
        foreground="#1A1A1A",
        background="#F4F4F4",
        surface="#EAEAEA",
        panel="#DEDEDE",
        dark=False,
        variables={
            "text-muted": "#4D4D4D",
            "foreground-muted": "#4D4D4D",
            "text-disabled": "#595959",
            "footer-key-foreground": "#0A4F8A",
            "input-selection-background": "#9CC3E6",
            "block-cursor-background": "#0A4F8A",
            "block-cursor-foreground": "#FFFFFF",
        },
    ),
)
"""Dark first: the app opens in it."""

PAIR = {DARK: LIGHT, LIGHT: DARK}
"""What F2 switches to."""


def use_themes(app: App) -> None:
    """Register both themes with ``app`` and open it in the dark one."""
    for theme in THEMES:
        app.register_theme(theme)
    app.theme = DARK


def other_theme(current: str) -> str:
    """The theme F2 switches to from ``current`` (dark from any other theme)."""
    return PAIR.get(current, DARK)
