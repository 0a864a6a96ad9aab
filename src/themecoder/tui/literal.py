"""Data shown in the app exactly as written: never read as markup, never driving the terminal.

Answers, theme and codebook names, group labels, coder names and typed text come from files
and people. Shown as plain strings, Textual would read ``[@click=app.quit]`` as a live link
and ``[/]`` as markup (or fail on it), and an answer holding ``ESC[2J`` would reach the
terminal. These helpers turn such text into :class:`~textual.content.Content`, which is never
parsed, with control characters replaced by visible stand-ins (see
:func:`themecoder.safe_text.visible_controls`). The stored text is not changed.
"""

from __future__ import annotations

from textual.content import Content
from textual.markup import escape

from themecoder.safe_text import visible_controls


def literal(value: object, *, one_line: bool = False) -> Content:
    """``value`` as content shown as written, its control characters made visible."""
    return Content(visible_controls(str(value), one_line=one_line))


def literal_markup(value: object) -> str:
    """``value`` as a markup string that shows as written, for APIs that take markup
    (notifications, border titles)."""
    return escape(visible_controls(str(value)))


def highlighted(text: str, spans: list[tuple[int, int]], style: str) -> Content:
    """``text`` with ``spans`` (offsets into the text as stored) in ``style``.

    Each piece is made safe on its own, so the offsets stay right even where a control
    character's stand-in is longer than the character.
    """
    pieces: list[Content | tuple[str, str]] = []
    at = 0
    for start, end in spans:
        if start > at:
            pieces.append(literal(text[at:start]))
        pieces.append((visible_controls(text[start:end]), style))
        at = max(at, end)
    if at < len(text):
        pieces.append(literal(text[at:]))
    return Content.assemble(*pieces)
