"""The coding session's queue: which answers the current filter shows, and moving through it.

:class:`QueueNavigation` is the part of :class:`themecoder.coding.CodingSession` that applies
filters (the view), hands out the next answer to do (the store claims it in the same
transaction, :mod:`themecoder.store.claims`), and moves, jumps and goes back. It works on the
session's items (:class:`QueueItem`: an answer and what is known about it) and counts; the
session loads those and records decisions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from themecoder.codebook import QUESTION_LABELS
from themecoder.coding_filter import LOW_CONFIDENCE, Filter
from themecoder.store.claims import claim, claim_next, holder, release, renew
from themecoder.store.project import Answer, Decision, Project, StoredSuggestion


@dataclass
class QueueItem:
    """One queued answer and what is known about it (mutable, kept in the session)."""

    answer: Answer
    mine: Decision | None = None
    other: Decision | None = None
    suggestion: StoredSuggestion | None = None
    lower: str = field(default="", repr=False)


class QueueNavigation:
    """Filters, the view and moving through it (mixed into the coding session)."""

    project: Project
    coder: str
    position: int
    filter: Filter
    scope: Filter
    held_by: str | None
    claim_ttl: int
    _items: list[QueueItem]
    _by_id: dict[int, QueueItem]
    _by_key: dict[str, int]
    _by_respondent: dict[int, list[Answer]]
    _blind: set[int]
    _others_sample: set[int]
    _view: list[int]
    _view_pos: dict[int, int]
    _view_done: int
    _renewed: float
    _skip_refreshed: float | None
    _clock: Callable[[], float]
    _is_done: Callable[[QueueItem], bool]
    _ensure_all_suggestions: Callable[[], None]
    _load_decisions: Callable[[list[int] | None], set[int]]
    refresh_from_store: Callable[[], set[int]]

    # ------------------------------------------------------------------ the queue

    @property
    def total(self) -> int:
        """Commented answers in the project."""
        return len(self._items)

    @property
    def view_size(self) -> int:
        """Answers in the current filter."""
        return len(self._view)

    @property
    def current(self) -> Answer | None:
        """The answer at the current position (``None`` when the filter matches nothing)."""
        if not self._view:
            return None
        return self._items[self._view[self.position]].answer

    def _or_current(self, answer_id: int | None) -> int | None:
        """``answer_id``, or the current answer's id when it is None (None without one)."""
        if answer_id is not None:
            return answer_id
        return self.current.id if self.current is not None else None

    def _matches(self, item: QueueItem, f: Filter, needle: str) -> bool:
        a = item.answer
        if f.sample and a.id not in self._blind:
            return False
        if f.answer_ids is not None and a.id not in f.answer_ids:
            return False
        if f.question and a.question != f.question:
            return False
        if f.group and a.group != f.group:
            return False
        decision = item.mine or item.other
        if f.status == "todo" and decision is not None:
            return False
        if f.status == "done" and (decision is None or decision.not_assigned):
            return False
        if f.status == "not_assigned" and (decision is None or not decision.not_assigned):
            return False
        if f.status == "auto" and (decision is None or decision.source != "auto"):
            return False
        if f.theme:
            if decision is not None:
                if f.theme not in decision.themes:
                    return False
            elif item.suggestion is None or f.theme not in item.suggestion.suggested_ids():
                return False
        if f.low_confidence and item.suggestion is not None \
                and item.suggestion.top_score >= LOW_CONFIDENCE:
            return False
        if needle:
            if not item.lower:
                item.lower = a.text.casefold()
            if f.fuzzy:
                from rapidfuzz import fuzz

                if needle not in item.lower and fuzz.partial_ratio(
                        needle, item.lower, score_cutoff=80) == 0:
                    return False
            elif needle not in item.lower:
                return False
        return True

    def set_filter(self, new: Filter, *, keep: int | None = None) -> None:
        """Apply a filter and go to the first answer to do in it (or ``keep`` if it is there).

        The view is fixed when the filter is applied: answers decided later stay in it (so
        "previous" still reaches them) until the filter is applied again.
        """
        if new.theme or new.low_confidence:
            self._ensure_all_suggestions()
        needle = new.search.strip().casefold()
        self.filter = new
        everything = new == Filter(status="all")
        if new == Filter(status=new.status):
            self.scope = new
        self._view = list(range(len(self._items))) if everything else \
            [i for i, item in enumerate(self._items) if self._matches(item, new, needle)]
        self._view_pos = {self._items[i].answer.id: pos for pos, i in enumerate(self._view)}
        self._view_done = sum(1 for i in self._view if self._is_done(self._items[i]))
        if keep is not None and keep in self._view_pos:
            self.position = self._view_pos[keep]
        else:
            self.position = 0
            if self.first_todo() is None:
                self._arrive()

    def clear_filter(self) -> None:
        """Go back to the scope before filtering (:attr:`scope`), staying on the current
        answer when it is in that scope."""
        current = self.current
        self.set_filter(self.scope, keep=current.id if current is not None else None)

    def view_ids(self) -> list[int]:
        """Answer ids in the current filter, in order."""
        return [self._items[i].answer.id for i in self._view]

    def upcoming_todo(self, limit: int) -> list[int]:
        """Ids of the answers still to do from the current one on, in view order (at most
        ``limit``), then from the start of the view."""
        order = self._view[self.position:] + self._view[:self.position]
        out = []
        for index in order:
            item = self._items[index]
            if not self._is_done(item):
                out.append(item.answer.id)
                if len(out) >= limit:
                    break
        return out

    def first_todo(self) -> Answer | None:
        """Go to the first answer in the filter still to do and claim it (stays put if none).

        See :meth:`next_todo`: the store decides, not what this session last saw.
        """
        return self._hand_out(0)

    def next_todo(self) -> Answer | None:
        """Go to the next answer still to do after the current one, wrapping around.

        The session's picture of what is done is only a first sift: the store hands out the
        first of the remaining answers that nobody has decided and no other coder holds,
        and claims it in the same transaction (:func:`~themecoder.store.claims.claim_next`).
        Returns ``None`` (and stays put) when every answer in the filter is done or held.
        """
        return self._hand_out(self.position + 1)

    def _hand_out(self, start: int) -> Answer | None:
        n = len(self._view)
        if n == 0:
            return None

        offered: list[int] = []

        def candidates() -> Iterator[int]:
            for step in range(n):
                item = self._items[self._view[(start + step) % n]]
                if not self._is_done(item) and item.answer.id not in self._others_sample:
                    offered.append(item.answer.id)
                    yield item.answer.id

        answer_id = claim_next(self.project, self.coder, candidates=candidates(),
                               ttl_minutes=self.claim_ttl, sample=bool(self._blind))
        if (answer_id is None or answer_id != offered[0]) and (
                self._skip_refreshed is None or self._clock() - self._skip_refreshed >= 1.0):
            # answers were skipped: learn who decided them (at most once a second; the
            # store, not this picture, decides what is handed out)
            self.refresh_from_store()
            self._skip_refreshed = self._clock()
        if answer_id is None:
            return None
        self.position = self._view_pos[answer_id]
        self.held_by = None
        self._renewed = self._clock()
        return self.current

    def _arrive(self) -> Answer | None:
        """Claim the answer moved onto when it is to do; note who holds it otherwise."""
        answer = self.current
        self.held_by = None
        if answer is None:
            return None
        item = self._by_id[answer.id]
        if self._is_done(item) or answer.id in self._others_sample:
            return answer
        if claim(self.project, self.coder, answer.id, ttl_minutes=self.claim_ttl):
            self._renewed = self._clock()
        else:
            self.held_by = holder(self.project, answer.id, self.coder)
            if self.held_by is None:  # decided meanwhile: learn by whom
                self._load_decisions([answer.id])
        return answer

    def take_over(self) -> bool:
        """Code the current answer although another coder holds it (they confirmed).

        Returns:
            ``True`` when the answer is now this coder's; ``False`` when it was decided
            meanwhile (the session then knows by whom).
        """
        answer = self.current
        if answer is None:
            return False
        if claim(self.project, self.coder, answer.id, ttl_minutes=self.claim_ttl,
                 take_over=True):
            self.held_by = None
            self._renewed = self._clock()
            return True
        self.held_by = None
        self._load_decisions([answer.id])
        return False

    def keep_claim(self) -> None:
        """Renew this coder's claim once a third of the claim time has passed (the app
        calls this every few seconds, so a claim outlives the app only by the claim time)."""
        if self._clock() - self._renewed >= self.claim_ttl * 20.0:  # a third, in seconds
            renew(self.project, self.coder, ttl_minutes=self.claim_ttl)
            self._renewed = self._clock()

    def close(self) -> None:
        """Release this coder's claims (when the coder quits)."""
        release(self.project, self.coder)

    def next(self) -> Answer | None:
        """Go to the next answer in the filter (stays on the last one)."""
        if self._view and self.position < len(self._view) - 1:
            self.position += 1
        return self._arrive()

    def previous(self) -> Answer | None:
        """Go to the previous answer in the filter (stays on the first one)."""
        if self._view and self.position > 0:
            self.position -= 1
        return self._arrive()

    def jump(self, target: str | int) -> Answer | None:
        """Go to an answer by id (a number) or key (``respondent:question``).

        An answer outside the current filter clears the filter. Returns ``None`` when no
        commented answer has that id or key.
        """
        answer_id: int | None
        if isinstance(target, int):
            answer_id = target
        else:
            text = target.strip()
            answer_id = self._by_key.get(text)
            if answer_id is None and text.isdigit():
                answer_id = int(text)
            if answer_id is None:
                folded = text.casefold()
                answer_id = next((a for k, a in self._by_key.items()
                                  if k.casefold() == folded), None)
        if answer_id is None or answer_id not in self._by_id:
            return None
        if answer_id not in self._view_pos:
            self.set_filter(Filter(status="all"), keep=answer_id)
        self.position = self._view_pos[answer_id]
        return self._arrive()

    def not_found_reason(self, target: str) -> str:
        """Why :meth:`jump` found no answer for ``target``: an answer without a comment
        (there is nothing to code), or no answer with that id or key at all."""
        text = target.strip()
        for answers in self._by_respondent.values():
            for answer in answers:
                if str(answer.id) == text or answer.key.casefold() == text.casefold():
                    if not answer.has_comment:
                        question = QUESTION_LABELS.get(answer.question, answer.question)
                        return (f"Answer {answer.id} has no comment (respondent "
                                f"{answer.respondent_key}, {question}): nothing to code.")
                    return f"Answer {answer.id} is not in this project's coding queue."
        return f"No answer with id or key '{text}'."
