"""The answer panel: question, respondent, the text with matched words highlighted,
the suggestion's origin, any decision or note, and the respondent's other answers."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from themecoder.codebook import Codebook
from themecoder.store.project import Answer, Decision, StoredSuggestion
from themecoder.suggest.suggester import describe_method
from themecoder.tui.literal import highlighted as highlighted_literal
from themecoder.tui.literal import literal

QUOTE_MARK_TEXT = {"star": "★ Starred for the quote bank (* to unstar)",
                   "ban": "⊘ Never quoted (! to allow)"}
"""How the answer view shows a quote mark."""


def merged_spans(suggestion: StoredSuggestion | None, length: int) -> list[tuple[int, int]]:
    """The suggestion's matched character spans, clipped to the text and merged."""
    if suggestion is None:
        return []
    spans: list[tuple[int, int]] = []
    for theme in suggestion.themes:
        for span in theme.get("spans") or ():
            start, end = (span["start"], span["end"]) if isinstance(span, dict) else span[:2]
            start, end = max(0, int(start)), min(length, int(end))
            if end > start:
                spans.append((start, end))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


SHOWN_CHARS = 20_000
"""Characters of an answer the panel shows; the export has the whole of a longer one."""


def highlighted(text: str, spans: list[tuple[int, int]]) -> Content:
    """The answer text with spans in the highlight style, shown as written (control
    characters visible) and cut to :data:`SHOWN_CHARS` with a note saying so."""
    if len(text) <= SHOWN_CHARS:
        return highlighted_literal(text, spans, "bold reverse $accent")
    shown = [(start, min(end, SHOWN_CHARS)) for start, end in spans if start < SHOWN_CHARS]
    note = f"\n… {len(text) - SHOWN_CHARS:,} more characters not shown (the export has them)"
    return highlighted_literal(text[:SHOWN_CHARS], shown, "bold reverse $accent") + \
        Content.styled(note, "italic $text-muted")


def decision_text(decision: Decision | None, codebook: Codebook, coder: str) -> str:
    """One line about the decision in force (empty when undecided)."""
    if decision is None:
        return ""
    who = "you" if decision.coder == coder else decision.coder
    if decision.not_assigned:
        what = codebook.not_assigned.name
    else:
        what = ", ".join(codebook.find(t).name if codebook.find(t) else t
                         for t in decision.themes)
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
        self.query_one(selector, Static).update(content)

    def show(self, answer: Answer | None, *, position: str, suggestion: StoredSuggestion | None,
             decision: Decision | None, codebook: Codebook | None, coder: str, note: str,
             context: list[Answer], show_reasons: bool, sample: bool = False,
             held_by: str | None = None, quote_mark: str = "", audit: bool = False) -> None:
        """Render one answer (``None``: the filter matches nothing).

        ``sample`` marks an answer of the coder's double-coding sample (coded blind);
        ``held_by`` names another coder who has the answer open (it is read-only here);
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
            f"{answer.group} · respondent {answer.respondent_key} · answer {answer.key} "
            f"(id {answer.id}) · {position}"))
        self._set("#answer-text",
            highlighted(answer.text, merged_spans(suggestion, len(answer.text))))
        self._set("#suggested-by", literal(
            "Blind audit of automatic coding: the model's decision is hidden; code it "
            "yourself" if audit else _suggested_by(suggestion, codebook)))
        self._set("#decision", literal(decision_text(decision, codebook, coder)))
        mark = QUOTE_MARK_TEXT.get(quote_mark, "")
        lines = [line for line in (mark, f"Note: {note}" if note else "") if line]
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
        names = ", ".join(codebook.find(t).name if codebook.find(t) else t for t in ids)
        what = f"suggests {names}"
    elif suggestion.vague and suggestion.not_assigned_score is not None:
        what = f"suggests {codebook.not_assigned.name} ({suggestion.not_assigned_score:.2f})"
    elif suggestion.vague:
        what = f"suggests {codebook.not_assigned.name} (vague)"
    else:
        what = "suggests nothing"
    return f"Suggestion by {describe_method(suggestion.model_version)}: {what}"


def _reasons(suggestion: StoredSuggestion | None, codebook: Codebook) -> str:
    if suggestion is None or not suggestion.themes:
        return "Reasons: none"
    lines = ["Reasons:"]
    if suggestion.not_assigned_score is not None:
        lines.append(f"  {codebook.not_assigned.name} {suggestion.not_assigned_score:.2f}: "
                     "the model's probability that this answer is left unassigned")
    for item in suggestion.themes:
        theme: Any = codebook.find(item["theme_id"])
        name = theme.name if theme else item["theme_id"]
        reasons = "; ".join(item.get("reasons") or []) or "no reason given"
        lines.append(f"  {name} {float(item['score']):.2f}: {reasons}")
    return "\n".join(lines)
