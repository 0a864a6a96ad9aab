"""The answer panel: question, respondent, the text with matched words highlighted,
the suggestion's origin, any decision or note, and the respondent's other answers.

Each highlighted stretch of the answer is followed by a marker with the key of the theme
(or themes) whose keywords it matched, the same key the theme list shows, so a coder sees
which word suggested which theme without opening the reasons.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from themecoder.codebook import Codebook
from themecoder.store.project import Answer, Decision, StoredSuggestion
from themecoder.suggest.suggester import describe_method
from themecoder.tui.actions import THEME_KEYS
from themecoder.tui.literal import literal

HIGHLIGHT = "bold reverse $text-accent"
"""Style of a matched stretch of the answer."""

MARKER = "bold reverse $text-primary"
"""Style of the theme marker after it."""

QUOTE_MARK_TEXT = {"star": "★ Starred for the quote bank (* to unstar)",
                   "ban": "⊘ Never quoted (! to allow)"}
"""How the answer view shows a quote mark."""


def theme_spans(suggestion: StoredSuggestion | None,
                length: int) -> list[tuple[int, int, str]]:
    """The suggestion's matched character spans as ``(start, end, theme id)``, clipped to
    the text, in order."""
    if suggestion is None:
        return []
    spans: list[tuple[int, int, str]] = []
    for theme in suggestion.themes:
        for span in theme.get("spans") or ():
            start, end = (span["start"], span["end"]) if isinstance(span, dict) else span[:2]
            start, end = max(0, int(start)), min(length, int(end))
            if end > start:
                spans.append((start, end, str(theme["theme_id"])))
    return sorted(spans)


def merged_spans(suggestion: StoredSuggestion | None,
                 length: int) -> list[tuple[int, int, list[str]]]:
    """Overlapping spans merged: ``(start, end, theme ids)``, theme ids in first-seen order."""
    merged: list[tuple[int, int, list[str]]] = []
    for start, end, theme_id in theme_spans(suggestion, length):
        if merged and start <= merged[-1][1]:
            first, last, ids = merged[-1]
            merged[-1] = (first, max(end, last), ids + [theme_id] * (theme_id not in ids))
        else:
            merged.append((start, end, [theme_id]))
    return merged


SHOWN_CHARS = 20_000
"""Characters of an answer the panel shows; the export has the whole of a longer one."""


def matched_words(suggestion: StoredSuggestion | None, text: str) -> dict[str, list[str]]:
    """Per theme id, the words of ``text`` its keywords matched (each once, in order)."""
    words: dict[str, list[str]] = {}
    for start, end, theme_id in theme_spans(suggestion, len(text)):
        word = " ".join(text[start:end].split())
        found = words.setdefault(theme_id, [])
        if word and word.casefold() not in {w.casefold() for w in found}:
            found.append(word)
    return words


def theme_marker(codebook: Codebook, theme_id: str) -> str:
    """The key that toggles a theme, or (past the keys) a short form of its name."""
    ids = codebook.theme_ids
    if theme_id in ids and ids.index(theme_id) < len(THEME_KEYS):
        return THEME_KEYS[ids.index(theme_id)]
    theme = codebook.find(theme_id)
    return (theme.name if theme else theme_id)[:12]


def highlighted(text: str, spans: list[tuple[int, int, list[str]]],
                codebook: Codebook | None = None) -> Content:
    """The answer text with spans in the highlight style, each followed by the marker of
    its themes; shown as written (control characters visible, never markup) and cut to
    :data:`SHOWN_CHARS` with a note saying so."""
    cut = len(text) > SHOWN_CHARS
    if cut:
        spans = [(start, min(end, SHOWN_CHARS), ids) for start, end, ids in spans
                 if start < SHOWN_CHARS]
    shown = text[:SHOWN_CHARS]
    pieces: list[Content] = []
    at = 0
    for start, end, theme_ids in spans:
        if start > at:
            pieces.append(literal(shown[at:start]))
        pieces.append(literal(shown[start:end]).stylize(HIGHLIGHT))
        if codebook is not None and theme_ids:
            marker = ",".join(theme_marker(codebook, t) for t in theme_ids)
            pieces.append(literal(marker, one_line=True).stylize(MARKER))
        at = max(at, end)
    if at < len(shown):
        pieces.append(literal(shown[at:]))
    content = Content("").join(pieces)
    if cut:
        content += Content.styled(f"\n… {len(text) - SHOWN_CHARS:,} more characters not "
                                  "shown (the export has them)", "italic $text-muted")
    return content


def theme_name(codebook: Codebook, theme_id: str) -> str:
    """A theme's name (its id only when the codebook no longer has it)."""
    theme = codebook.find(theme_id)
    return theme.name if theme else theme_id


def decision_text(decision: Decision | None, codebook: Codebook, coder: str) -> str:
    """One line about the decision in force (empty when undecided)."""
    if decision is None:
        return ""
    who = "you" if decision.coder == coder else decision.coder
    if decision.not_assigned:
        what = codebook.not_assigned.name
    else:
        what = ", ".join(theme_name(codebook, t) for t in decision.themes)
    return f"✓ Decided by {who} ({decision.source}): {what}"


class AnswerView(VerticalScroll, can_focus=False):
    """Everything about the current answer, except the theme list."""

    def compose(self) -> ComposeResult:
        yield Static(id="question")
        yield Static(id="meta")
        yield Static(id="held")
        yield Static(id="answer-text")
        yield Static(id="suggested-by")
        yield Static(id="decision")
        yield Static(id="note")
        yield Static(id="reasons")
        yield Static("Same respondent", id="context-title")
        yield Static(id="context")

    def _set(self, selector: str, content: Content | str) -> None:
        """Update one part, skipping the repaint when it shows the same already."""
        last = self._last if hasattr(self, "_last") else {}
        self._last = last
        if last.get(selector) == content:
            return
        last[selector] = content
        part = self.query_one(selector, Static)
        part.update(content)
        part.display = bool(content)

    def show(self, answer: Answer | None, *, suggestion: StoredSuggestion | None,
             decision: Decision | None, codebook: Codebook | None, coder: str, note: str,
             context: list[Answer], show_reasons: bool, draft: bool = False,
             sample: bool = False, held_by: str | None = None,
             quote_mark: str = "", audit: bool = False) -> None:
        """Render one answer (``None``: the filter matches nothing).

        ``draft`` says ``note`` is an unsaved draft rather than a saved note;
        ``sample`` marks an answer of the coder's double-coding sample (coded blind);
        ``held_by`` names another coder who has the answer open (it is read-only here);
        ``quote_mark`` is ``"star"`` or ``"ban"`` when the coder marked the answer.
        ``audit`` an answer of the blind audit of automatic coding (its suggestion is hidden,
        and the view says why).
        """
        q = self.query_one
        if answer is None or codebook is None:
            self._set("#question", "No answers match this filter")
            self._set("#meta", "Press f to change the filter, or ? for help.")
            q("#held").display = False
            for name in ("#held", "#answer-text", "#suggested-by", "#decision", "#note",
                         "#reasons", "#context"):
                self._set(name, "")
            q("#context-title").display = False
            return
        question = literal(codebook.question_label(answer.question))
        self._set("#question", Content.assemble(question, *(
            ("  ", (" double-coded, blind ", "bold reverse $warning")) if sample else ())))
        self._set("#held", literal(
            f"Read-only: {held_by} is coding this answer. Enter: code it anyway."
            if held_by else ""))
        q("#held").display = bool(held_by)
        self._set("#meta", literal(
            f"{answer.group} · respondent {answer.respondent_key} · answer {answer.id}",
            one_line=True))
        self._set("#answer-text", highlighted(
            answer.text, merged_spans(suggestion, len(answer.text)), codebook))
        self._set("#suggested-by", literal(
            "Blind audit of automatic coding: the model's decision is hidden; code it "
            "yourself" if audit else _suggested_by(suggestion, codebook)))
        self._set("#decision", literal(decision_text(decision, codebook, coder)))
        label = "Note (unsaved draft, press m)" if draft else "Note"
        mark = QUOTE_MARK_TEXT.get(quote_mark, "")
        lines = [line for line in (mark, f"{label}: {note}" if note else "") if line]
        self._set("#note", literal("\n".join(lines)))
        self._set("#reasons", literal(_reasons(suggestion, codebook) if show_reasons else ""))
        q("#context-title").display = bool(context)
        self._set("#context", Content("\n").join(
            Content.assemble(literal(codebook.question_label(a.question) + ": ")
                             .stylize("bold"), literal(a.text.strip()[:SHOWN_CHARS]
                                                       or "(no comment)"))
            for a in context))


def _suggested_by(suggestion: StoredSuggestion | None, codebook: Codebook) -> str:
    if suggestion is None:
        return "No suggestion yet"
    ids = suggestion.suggested_ids()
    if ids:
        what = ", ".join(theme_name(codebook, t) for t in ids)
    elif suggestion.vague and suggestion.not_assigned_score is not None:
        what = f"{codebook.not_assigned.name} ({suggestion.not_assigned_score:.2f})"
    elif suggestion.vague:
        what = f"{codebook.not_assigned.name} (vague)"
    else:
        what = "nothing"
    return f"Suggested: {what} · by {describe_method(suggestion.model_version)}"


def _reasons(suggestion: StoredSuggestion | None, codebook: Codebook) -> str:
    if suggestion is None or not suggestion.themes:
        return "Reasons: none"
    lines = [f"Reasons ({suggestion.model_version}):"]
    if suggestion.not_assigned_score is not None:
        lines.append(f"  {codebook.not_assigned.name} {suggestion.not_assigned_score:.2f}: "
                     "the model's probability that this answer is left unassigned")
    for item in suggestion.themes:
        theme: Any = codebook.find(item["theme_id"])
        name = theme.name if theme else item["theme_id"]
        reasons = "; ".join(item.get("reasons") or []) or "no reason given"
        lines.append(f"  {name} {float(item['score']):.2f}: {reasons}")
    return "\n".join(lines)
