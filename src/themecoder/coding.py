"""A coder's working session over a project: the queue of answers, filters, decisions.

:class:`CodingSession` is what the terminal app drives, and it is usable (and tested)
without any UI. It loads the project's answers once, keeps this coder's decisions and
other coders' decisions in dictionaries, and updates its counts incrementally, so that
moving to the next answer or saving a decision costs the same whether the project holds
a hundred answers or a hundred thousand.

Every decision goes straight to the store (committed before the call returns), so a crash
loses nothing. Decisions made meanwhile by other coders (other processes on the same
database) are picked up by :meth:`CodingSession.refresh_from_store`, which reads only the
log rows added since the last look. That picture is never trusted when moving on: the store
hands out the next answer and claims it in one transaction
(:mod:`themecoder.store.claims`), and refuses a decision on an answer another coder has
decided meanwhile unless the coder means to revise it.

The queue (filters, handing out and moving) is :mod:`themecoder.coding_queue`, notes and
quote marks :mod:`themecoder.coding_notes`; the filter and progress types live in
:mod:`themecoder.coding_filter`, computing suggestions ahead in
:mod:`themecoder.suggest.ahead`; these are importable from here.
"""

from __future__ import annotations

import random
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence

from themecoder.bulk_load import collector_paused
from themecoder.codebook import QUESTIONS, Codebook
from themecoder.coding_filter import (
    LOW_CONFIDENCE,
    STATUS_LABELS,
    STATUSES,
    Filter,
    Progress,
    format_duration,
)
from themecoder.coding_notes import NotesAndMarks
from themecoder.coding_queue import QueueItem, QueueNavigation
from themecoder.errors import DecidedByOther
from themecoder.pace import WINDOW, decisions_per_hour, recent_decision_times
from themecoder.store.autocode import audit_answer_ids
from themecoder.store.claims import claim_ttl, record_unless_decided
from themecoder.store.drafts import drafts
from themecoder.store.project import Answer, Decision, Project, StoredSuggestion
from themecoder.store.samples import blind_to, sample_order, sampled_answers, serving_order
from themecoder.suggest.ahead import suggest_ahead, suggestion_record


class CodingSession(QueueNavigation, NotesAndMarks):
    """One coder's pass through a project's commented answers.

    Args:
        project: The open project.
        coder: Who is coding (stored with every decision).
        clock: Returns the time in POSIX seconds (as the decision log records it); tests
            pass a fake clock.
        order: ``"plain"`` (import order) or ``"uncertain"`` (the answers to do, the most
            uncertain suggestions first, see :func:`themecoder.learning.uncertainty_order`).

    The queue holds every answer with a comment, in import order (answers of the blind audit
    of automatic coding first, in a random order). :attr:`filter` narrows it;
    :attr:`position` is the index of the current answer in the filtered view.
    """

    def __init__(self, project: Project, coder: str, *,
                 clock: Callable[[], float] = time.time, order: str = "plain") -> None:
        coder = coder.strip()
        if not coder:
            raise ValueError("a coding session needs a coder name")
        self.project = project
        self.coder = coder
        self._clock = clock
        self._items: list[QueueItem] = []
        self._by_id: dict[int, QueueItem] = {}
        self._by_key: dict[str, int] = {}
        self._by_respondent: dict[int, list[Answer]] = {}
        with collector_paused():  # a large project's queue is built twice as fast
            for answer in project.answers(with_attributes=False):
                self._by_respondent.setdefault(answer.respondent_id, []).append(answer)
                if answer.has_comment:
                    item = QueueItem(answer)
                    self._items.append(item)
                    self._by_id[answer.id] = item
                    self._by_key[answer.key] = answer.id
        if order == "uncertain":
            # The answers to do, the model's least sure first (with a random share mixed
            # in, see themecoder.learning); answers already decided keep import order after.
            from themecoder.learning import uncertainty_order

            rank = {a: n for n, a in enumerate(uncertainty_order(project, coder))}
            self._items.sort(key=lambda item: rank.get(item.answer.id, len(rank)))
        elif order != "plain":
            raise ValueError(f"order must be 'plain' or 'uncertain', not {order!r}")
        # audit answers of automatic coding: everyone codes them without the model's decision
        self._audit = audit_answer_ids(project)
        if self._audit:
            # ...and first, in a random order, so that a part-done audit is a random sample
            # too and its accuracy is known early
            drawn = sorted(self._audit)
            random.Random(0).shuffle(drawn)
            first = {answer_id: n for n, answer_id in enumerate(drawn)}
            self._items.sort(key=lambda item: first.get(item.answer.id, len(first)))
        self._auto = 0
        self._codebooks: dict[str, Codebook] = {}
        for group in sorted({item.answer.group for item in self._items}):
            self._codebooks[group] = project.codebook_for_group(group)
        self._suggestions_loaded: set[int] = set()
        self._all_suggestions_loaded = False
        self._notes: dict[int, str] = {a: text for (a, c), text in project.notes().items()
                                       if c == coder}
        self._drafts: dict[int, str] = drafts(project, coder)
        self._quote_marks: dict[int, str] = {}  # read on first look, per answer
        # double-coding answers this coder codes without seeing others' decisions, and
        # other coders' sample answers (never handed to this coder)
        self._blind = blind_to(project, coder) & set(self._by_id)
        self._others_sample = sampled_answers(project) - self._blind
        self.claim_ttl = claim_ttl(project)
        """Minutes a claim holds without renewal (the project's setting)."""
        self._renewed = clock()
        self._skip_refreshed: float | None = None
        self.held_by: str | None = None
        """Another coder holding the current answer (it is then shown read-only)."""
        self._log_seen = 0
        self._log_seen_first = True
        self._q_total: dict[str, int] = {}
        self._q_done: dict[str, int] = {}
        self._view: list[int] = []
        self._view_pos: dict[int, int] = {}
        self._view_done = 0
        for item in self._items:
            q = item.answer.question
            self._q_total[q] = self._q_total.get(q, 0) + 1
        self._load_decisions(None)
        self._log_seen_first = False
        if self._blind:
            self._serve_sample(*sample_order(project))
        # the rate carries on across restarts: it starts from this coder's logged decisions
        self._times: deque[float] = deque(recent_decision_times(project, coder),
                                          maxlen=WINDOW)
        self.filter = Filter(status="all")
        self.scope = Filter(status="all")
        """The filter to go back to when filters are cleared: the last one that chose only
        a status (the one the session opened on, or one picked from the palette)."""
        self.position = 0
        self.set_filter(Filter(status="all"))

    def _serve_sample(self, order: str, share: float) -> None:
        """Put this coder's sample answers first in the queue, or mix them in at ``share``."""
        done = [i for i in self._items if i.answer.id in self._blind and i.mine is not None]
        todo = [i for i in self._items if i.answer.id in self._blind and i.mine is None]
        rest = [i for i in self._items if i.answer.id not in self._blind]
        self._items = done + serving_order(rest, todo, order=order, share=share,
                                           counts=lambda item: not self._is_done(item))

    # ------------------------------------------------------------------ loading

    def _load_decisions(self, answer_ids: list[int] | None) -> set[int]:
        """(Re)read decisions in force, for some answers or all; returns answers changed."""
        if answer_ids is None:
            self._log_seen = self._max_log_id()
        current = self.project.current_decisions(answer_ids=answer_ids)
        mine: dict[int, Decision] = {}
        other: dict[int, Decision] = {}
        for (answer_id, coder), decision in current.items():
            if decision.source == "auto" and answer_id in self._audit:
                continue  # the blind audit: nobody sees the model's decision
            if coder == self.coder:
                mine[answer_id] = decision
            elif answer_id in self._blind:
                continue
            else:
                best = other.get(answer_id)
                # a person's decision counts over the model's, then the latest
                if best is None or _rank(decision) > _rank(best):
                    other[answer_id] = decision
        if answer_ids is None:
            # on the first load every item is still undecided: only answers with a
            # decision can change (a large project opens without a pass over all answers)
            ids: Iterable[int] = (set(mine) | set(other)) if self._log_seen_first else \
                self._by_id
        else:
            ids = answer_ids
        changed = set()
        for answer_id in ids:
            item = self._by_id.get(answer_id)
            if item is None:
                continue
            before = self._is_done(item), self._is_auto(item)
            new_mine, new_other = mine.get(answer_id), other.get(answer_id)
            if (new_mine, new_other) != (item.mine, item.other):
                changed.add(answer_id)
            item.mine, item.other = new_mine, new_other
            self._count_change(item, before)
        return changed

    def _max_log_id(self) -> int:
        # A direct read of the log's high-water mark: the Project API has no cheaper way
        # to ask "has anything been decided since?" and this runs every few seconds.
        from sqlalchemy import func, select

        from themecoder.store import schema

        with self.project.engine.connect() as conn:
            return int(conn.execute(select(func.max(schema.decisions.c.id))).scalar() or 0)

    def _log_answers_since(self, after: int) -> tuple[int, list[int]]:
        from sqlalchemy import select

        from themecoder.store import schema

        d = schema.decisions
        with self.project.engine.connect() as conn:
            rows = conn.execute(select(d.c.id, d.c.answer_id).where(d.c.id > after)).all()
        if not rows:
            return after, []
        return max(r.id for r in rows), sorted({r.answer_id for r in rows})

    def refresh_from_store(self) -> set[int]:
        """Pick up decisions made since the last look (by other coders or processes).

        Returns:
            Ids of answers whose decisions changed.
        """
        seen, answer_ids = self._log_answers_since(self._log_seen)
        if not answer_ids:
            return set()
        self._log_seen = seen
        # an automatic coding batch may have been recorded or undone meanwhile
        self._audit = audit_answer_ids(self.project)
        return self._load_decisions(answer_ids)

    def _ensure_suggestions(self, items: Sequence[QueueItem]) -> None:
        wanted = [i.answer.id for i in items if i.answer.id not in self._suggestions_loaded]
        if not wanted or self._all_suggestions_loaded:
            return
        found = self.project.suggestions(wanted)
        for answer_id in wanted:
            self._suggestions_loaded.add(answer_id)
            self._by_id[answer_id].suggestion = found.get(answer_id)

    def _ensure_all_suggestions(self) -> None:
        if self._all_suggestions_loaded:
            return
        found = self.project.suggestions()
        for item in self._items:
            item.suggestion = found.get(item.answer.id)
        self._suggestions_loaded = set(self._by_id)
        self._all_suggestions_loaded = True

    def reload_suggestions(self, answer_ids: Iterable[int]) -> None:
        """Read stored suggestions again for these answers (after they were computed)."""
        ids = [a for a in answer_ids if a in self._by_id]
        found = self.project.suggestions(ids)
        for answer_id in ids:
            self._suggestions_loaded.add(answer_id)
            self._by_id[answer_id].suggestion = found.get(answer_id)

    # ------------------------------------------------------------------ status

    @staticmethod
    def _is_done(item: QueueItem) -> bool:
        return item.mine is not None or item.other is not None

    @staticmethod
    def _is_auto(item: QueueItem) -> bool:
        decision = item.mine or item.other
        return decision is not None and decision.source == "auto"

    def _count_change(self, item: QueueItem, before: tuple[bool, bool]) -> None:
        self._auto += int(self._is_auto(item)) - int(before[1])
        after = self._is_done(item)
        if before[0] == after:
            return
        step = 1 if after else -1
        q = item.answer.question
        self._q_done[q] = self._q_done.get(q, 0) + step
        if item.answer.id in self._view_pos:
            self._view_done += step

    def status_of(self, answer_id: int) -> str:
        """``"todo"``, ``"mine"`` (decided by this coder) or ``"other"`` (by another coder)."""
        item = self._by_id[answer_id]
        if item.mine is not None:
            return "mine"
        if item.other is not None:
            return "other"
        return "todo"

    def decision(self, answer_id: int) -> Decision | None:
        """The decision in force: this coder's, else another coder's latest, else ``None``."""
        item = self._by_id[answer_id]
        return item.mine or item.other

    def my_decision(self, answer_id: int) -> Decision | None:
        """This coder's decision in force on an answer."""
        return self._by_id[answer_id].mine

    # ------------------------------------------------------------------ what to show

    def suggestion(self, answer_id: int | None = None) -> StoredSuggestion | None:
        """The stored suggestion for an answer (the current one by default).

        Suggestions are read from the store in windows of the queue, so moving on costs
        one small query every so often rather than one big read at start. An answer of the
        blind audit of automatic coding has none: the model's view is hidden there.
        """
        if answer_id is None:
            if not self._view:
                return None
            answer_id = self._items[self._view[self.position]].answer.id
        if answer_id in self._audit:
            return None
        if answer_id not in self._suggestions_loaded and not self._all_suggestions_loaded:
            pos = self._view_pos.get(answer_id)
            if pos is None:
                self._ensure_suggestions([self._by_id[answer_id]])
            else:
                self._ensure_suggestions([self._items[i] for i in
                                          self._view[max(0, pos - 5):pos + 100]])
        return self._by_id[answer_id].suggestion

    def missing_suggestions(self, ahead: int = 100) -> list[Answer]:
        """Answers from the current one onwards (up to ``ahead``) with no stored suggestion."""
        if not self._view:
            return []
        window = [self._items[i] for i in self._view[self.position:self.position + ahead]]
        self._ensure_suggestions(window)
        return [item.answer for item in window if item.suggestion is None]

    def codebook(self, answer: Answer | None = None) -> Codebook:
        """The codebook for an answer's group (the current answer by default)."""
        answer = answer or self.current
        if answer is None:
            raise LookupError("no current answer")
        return self._codebooks[answer.group]

    @property
    def codebooks(self) -> dict[str, Codebook]:
        """Codebook per respondent group in the queue."""
        return dict(self._codebooks)

    def theme_names(self) -> dict[str, str]:
        """Theme id → name over the queue's codebooks (for labels: names, not ids)."""
        return {t.id: t.name for cb in self._codebooks.values() for t in cb.themes}

    def respondent_context(self, answer: Answer | None = None) -> list[Answer]:
        """The same respondent's other answers (with or without comment), in question order."""
        answer = answer or self.current
        if answer is None:
            return []
        order = {q: i for i, q in enumerate(QUESTIONS)}
        return sorted((a for a in self._by_respondent.get(answer.respondent_id, [])
                       if a.id != answer.id), key=lambda a: (order.get(a.question, 99), a.id))

    def questions(self) -> list[str]:
        """Questions present in the queue, in survey order."""
        return [q for q in QUESTIONS if q in self._q_total] + \
            sorted(q for q in self._q_total if q not in QUESTIONS)

    def groups(self) -> list[str]:
        """Respondent groups present in the queue."""
        return sorted(self._codebooks)

    def premarked(self, answer_id: int | None = None) -> tuple[list[str], bool]:
        """What to pre-mark on arrival: ``(theme ids, not_assigned)``.

        This coder's decision if any, else another coder's, else the suggestion (a vague
        suggestion with nothing suggested pre-marks Not assigned).
        """
        if answer_id is None:
            answer = self.current
            if answer is None:
                return [], False
            answer_id = answer.id
        decision = self.decision(answer_id)
        if decision is not None:
            return list(decision.themes), decision.not_assigned
        suggestion = self.suggestion(answer_id)
        if suggestion is None:
            return [], False
        ids = suggestion.suggested_ids()
        return ids, bool(suggestion.vague and not ids)

    # ------------------------------------------------------------------ deciding

    def source_for(self, themes: Sequence[str], not_assigned: bool,
                   answer_id: int | None = None) -> str:
        """"accepted" when the decision equals the suggestion, "corrected" when it differs,
        "manual" when there was no suggestion."""
        suggestion = self.suggestion(answer_id)
        if suggestion is None:
            return "manual"
        suggested = set(suggestion.suggested_ids())
        if not_assigned:
            return "accepted" if suggestion.vague and not suggested else "corrected"
        return "accepted" if suggested and set(themes) == suggested else "corrected"

    def decide(self, themes: Sequence[str] = (), *, not_assigned: bool = False,
               source: str | None = None, revise: bool = False) -> Decision:
        """Record this coder's decision on the current answer (committed at once).

        Outside the coder's double-coding sample, a decision on an answer another coder has
        decided is refused (:class:`~themecoder.errors.DecidedByOther`; the session then
        knows their decision) unless ``revise``: the coder confirmed they mean to change
        it, and the decision is recorded as a revision of theirs.

        Args:
            themes: Theme ids (empty when ``not_assigned``).
            not_assigned: The answer is too vague for any theme.
            source: Override the source worked out by :meth:`source_for`.
            revise: Deliberately revise another coder's decision.

        Returns:
            The decision as stored. The position does not move; call :meth:`next_todo`.

        Raises:
            LookupError: the filter is empty.
            DecidedByOther: another coder decided the answer and ``revise`` is false.
            StoreError: the store refused the decision (unknown theme, nothing marked).
        """
        answer = self.current
        if answer is None:
            raise LookupError("no answer to decide")
        suggestion = self.suggestion(answer.id)
        if source is None:
            source = self.source_for(themes, not_assigned, answer.id)
        try:
            decision = record_unless_decided(
                self.project, answer.id, self.coder, list(themes), not_assigned=not_assigned,
                source=source, model_version=suggestion.model_version if suggestion else None,
                revise=revise)
        except DecidedByOther:
            self._load_decisions([answer.id])
            raise
        item = self._by_id[answer.id]
        before = self._is_done(item), self._is_auto(item)
        item.mine = decision
        self._count_change(item, before)
        self._times.append(self._clock())
        return decision

    def decided_by_other(self, answer_id: int | None = None) -> Decision | None:
        """Another coder's decision in force on an answer (the current one by default),
        as last seen; deciding it means revising theirs. Never set in the coder's sample."""
        answer_id = self._or_current(answer_id)
        return None if answer_id is None else self._by_id[answer_id].other

    def in_sample(self, answer_id: int | None = None) -> bool:
        """Whether an answer (the current one by default) is in this coder's double-coding
        sample: coded blind, without seeing other coders' decisions."""
        answer_id = self._or_current(answer_id)
        return answer_id is not None and answer_id in self._blind

    def in_audit(self, answer_id: int | None = None) -> bool:
        """Whether an answer (the current one by default) is in the blind audit of automatic
        coding: people code it without seeing the model's decision or suggestion."""
        answer_id = self._or_current(answer_id)
        return answer_id is not None and answer_id in self._audit

    def sample_progress(self) -> tuple[int, int]:
        """``(decided, total)`` of this coder's double-coding sample answers."""
        done = sum(1 for a in self._blind if self._by_id[a].mine is not None)
        return done, len(self._blind)

    def undo(self) -> Answer | None:
        """Withdraw this coder's latest decision in force; go back to its answer.

        Returns:
            The answer whose decision was withdrawn (now current), or ``None`` if there was
            nothing to undo.
        """
        undone = self.project.undo_last(self.coder)
        if undone is None:
            return None
        self._load_decisions([undone.answer_id])
        if self._times:
            self._times.pop()
        if undone.answer_id in self._by_id:
            return self.jump(undone.answer_id)
        return None

    # ------------------------------------------------------------------ progress

    def rate(self) -> float | None:
        """Decisions per hour over this coder's recent decisions (``None`` if too few)."""
        return decisions_per_hour(self._times)

    def progress(self) -> Progress:
        """Done/total in the filter and per question, rate, and time left."""
        per_question = {q: (self._q_done.get(q, 0), self._q_total[q]) for q in self.questions()}
        remaining = sum(t - d for d, t in per_question.values())
        rate = self.rate()
        seconds = remaining * 3600.0 / rate if rate else None
        audit_left = sum(1 for a in self._audit if a in self._by_id
                         and not self._is_done(self._by_id[a]))
        return Progress(done=self._view_done, total=len(self._view), per_question=per_question,
                        rate=rate, remaining=remaining, seconds_left=seconds, auto=self._auto,
                        audit_left=audit_left)


def _rank(decision: Decision) -> tuple[int, int]:
    """Which of two other coders' decisions shows: a person's over the model's, then the
    latest (as :meth:`Project.final_decisions`)."""
    return (0 if decision.source == "auto" else 1, decision.id)


__all__ = ["LOW_CONFIDENCE", "STATUSES", "STATUS_LABELS", "CodingSession", "Filter", "Progress",
           "format_duration", "suggest_ahead", "suggestion_record"]
