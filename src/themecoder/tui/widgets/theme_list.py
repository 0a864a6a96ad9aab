"""The codebook panel: one row per theme with its key, mark, and suggestion score."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.events import Click
from textual.widgets import Static

from themecoder.codebook import Codebook
from themecoder.safe_text import visible_controls
from themecoder.tui.actions import THEME_KEYS
from themecoder.tui.literal import literal
from themecoder.tui.messages import ThemeClicked

BAR_WIDTH = 5


def score_bar(score: float | None) -> str:
    """A five-cell bar for a 0–1 score (blank when there is no score)."""
    if score is None:
        return " " * BAR_WIDTH
    filled = round(max(0.0, min(1.0, score)) * BAR_WIDTH)
    return "█" * filled + "░" * (BAR_WIDTH - filled)


class ThemeRow(Static):
    """One theme: key, check mark, name, score bar (exact scores: press r). Click toggles."""

    def __init__(self, index: int, name: str, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.index = index
        self.theme_name = visible_controls(name, one_line=True)
        self._state: tuple[bool, float | None, bool, bool] | None = None

    def show(self, marked: bool, score: float | None, suggested: bool,
             highlighted: bool, name_width: int) -> None:
        """Render the row (does nothing when nothing changed)."""
        state = (marked, score, suggested, highlighted)
        if state == self._state:
            return
        self._state = state
        key = THEME_KEYS[self.index] if self.index < len(THEME_KEYS) else " "
        mark = "[x]" if marked else "[ ]"
        name = self.theme_name[:name_width].ljust(name_width)
        self.update(Content.assemble((key, "bold $accent"), " ", mark, " ", name, " ",
                                     (score_bar(score), "$success" if suggested else
                                      "$foreground-muted")),
                    layout=False)
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
        self.name_width = min(24, max(len(t.name) for t in codebook.themes))

    def compose(self) -> ComposeResult:
        yield Static(literal(f"{self.codebook.name} v{self.codebook.version}"),
                     classes="theme-title")
        for index, theme in enumerate(self.codebook.themes):
            yield ThemeRow(index, theme.name, classes="theme-row")

    def show(self, marked: set[str], scores: dict[str, float], suggested: set[str],
             highlighted: int) -> None:
        """Mark, score and highlight the rows."""
        rows = self.__dict__.get("_rows")
        if rows is None:
            rows = self.__dict__["_rows"] = list(self.query(ThemeRow))
        for row, theme in zip(rows, self.codebook.themes, strict=True):
            row.show(theme.id in marked, scores.get(theme.id), theme.id in suggested,
                     row.index == highlighted, self.name_width)
