"""The codebook panel: one row per theme with its key, mark, suggestion score and the
words of the answer that matched it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.events import Click, Resize
from textual.widgets import Static

from themecoder.codebook import Codebook
from themecoder.safe_text import visible_controls
from themecoder.tui.actions import THEME_KEYS
from themecoder.tui.literal import literal
from themecoder.tui.messages import ThemeClicked

BAR_WIDTH = 5
ROW_EXTRAS = 14
"""Cells of a row besides the name: padding, key, mark, spaces and the score bar."""

MARKED, UNMARKED = "[x]", "[ ]"


def score_bar(score: float | None) -> str:
    """A five-cell bar for a 0–1 score (blank when there is no score)."""
    if score is None:
        return " " * BAR_WIDTH
    filled = round(max(0.0, min(1.0, score)) * BAR_WIDTH)
    return "█" * filled + "░" * (BAR_WIDTH - filled)


def fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` cells with an ellipsis, or padded to it."""
    if len(text) > width:
        return text[:max(0, width - 1)] + "…"
    return text.ljust(width)


class ThemeRow(Static):
    """One theme: key, check mark, name, score bar (exact scores: press r), and under it
    the answer's words that matched the theme. Click toggles."""

    def __init__(self, index: int, name: str, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.index = index
        self.theme_name = visible_controls(name, one_line=True)
        self._state: tuple[object, ...] | None = None

    def show(self, marked: bool, score: float | None, suggested: bool,
             highlighted: bool, name_width: int, words: tuple[str, ...] = ()) -> None:
        """Render the row (does nothing when nothing changed)."""
        state = (marked, score, suggested, highlighted, name_width, words)
        if state == self._state:
            return
        relayout = self._state is None or self._state[5] != words \
            or self._state[4] != name_width
        self._state = state
        key = THEME_KEYS[self.index] if self.index < len(THEME_KEYS) else " "
        line = Content.assemble((key, "bold $text-accent"), " ",
                                (MARKED if marked else UNMARKED, "bold" if marked else ""),
                                " ", fit(self.theme_name, name_width), " ",
                                (score_bar(score), "$text-success" if suggested else
                                 "$foreground-muted"))
        if words:
            line = line + Content.styled(
                "\n      " + fit(visible_controls("“" + "”, “".join(words) + "”",
                                                one_line=True), name_width + 6).rstrip(),
                "italic")
        self.update(line, layout=relayout)
        # one style update for all three classes (each set_class would restyle the row)
        before = set(self.classes)
        self.set_class(marked, "-marked", update=False)
        self.set_class(highlighted, "-highlighted", update=False)
        self.set_class(suggested, "-suggested", update=False)
        if set(self.classes) != before:
            self.update_node_styles()

    def on_click(self, event: Click) -> None:
        event.stop()
        self.post_message(ThemeClicked(self.index))


class ThemeList(VerticalScroll, can_focus=False):
    """All themes of one codebook, in codebook order."""

    def __init__(self, codebook: Codebook, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.codebook = codebook
        self.longest_name = max(len(t.name) for t in codebook.themes)
        self.name_width = min(24, self.longest_name)
        self._shown: tuple[set[str], dict[str, float], set[str], int,
                           dict[str, list[str]]] | None = None

    def compose(self) -> ComposeResult:
        yield Static(literal(f"{self.codebook.name} v{self.codebook.version}"),
                     classes="theme-title")
        for index, theme in enumerate(self.codebook.themes):
            yield ThemeRow(index, theme.name, classes="theme-row")

    def on_resize(self, event: Resize) -> None:
        width = min(self.longest_name,
                    max(8, self.scrollable_content_region.width - ROW_EXTRAS))
        if width != self.name_width:
            self.name_width = width
            if self._shown is not None:
                self.show(*self._shown)

    def show(self, marked: set[str], scores: dict[str, float], suggested: set[str],
             highlighted: int, words: dict[str, list[str]] | None = None) -> None:
        """Mark, score and highlight the rows; list under each theme its matched words."""
        words = words or {}
        self._shown = (marked, scores, suggested, highlighted, words)
        rows = self.__dict__.get("_rows")
        if rows is None:
            rows = self.__dict__["_rows"] = list(self.query(ThemeRow))
        for row, theme in zip(rows, self.codebook.themes, strict=True):
            row.show(theme.id in marked, scores.get(theme.id), theme.id in suggested,
                     row.index == highlighted, self.name_width,
                     tuple(words.get(theme.id, ())))
        if 0 <= highlighted < len(rows):
            self.scroll_to_widget(rows[highlighted], animate=False, immediate=True)
