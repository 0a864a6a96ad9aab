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

The filter and progress types live in :mod:`themecoder.coding_filter`, computing
suggestions ahead in :mod:`themecoder.suggest.ahead`; both are importable from here.
"""

from __future__ import annotations

import random
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from themecoder.bulk_load import collector_paused
from themecoder.codebook import QUESTION_LABELS, QUESTIONS, Codebook
from themecoder.coding_filter import (
    LOW_CONFIDENCE,
    STATUS_LABELS,
    STATUSES,
    Filter,
    Progress,
    format_duration,
)
from themecoder.errors import DecidedByOther
from themecoder.pace import WINDOW, decisions_per_hour, recent_decision_times
from themecoder.store.autocode import audit_answer_ids
from themecoder.store.claims import (
    claim,
    claim_next,
    claim_ttl,
    holder,
    record_unless_decided,
    release,
    renew,
)
from themecoder.store.drafts import discard_draft, drafts, save_draft
from themecoder.store.project import Answer, Decision, Project, StoredSuggestion
from themecoder.store.samples import blind_to, sample_order, sampled_answers, serving_order
from themecoder.suggest.ahead import suggest_ahead, suggestion_record


@dataclass
class _Item:
    """One queued answer and what is known about it (mutable, kept in the session)."""

    answer: Answer
    mine: Decision | None = None
    other: Decision | None = None
    suggestion: StoredSuggestion | None = None
    lower: str = field(default="", repr=False)


class CodingSession:
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
        self._items: list[_Item] = []
        self._by_id: dict[int, _Item] = {}
        self._by_key: dict[str, int] = {}
        self._by_respondent: dict[int, list[Answer]] = {}
        with collector_paused():  # a large project's queue is built twice as fast
            for answer in project.answers(with_attributes=False):
                self._by_respondent.setdefault(answer.respondent_id, []).append(answer)
                if answer.has_comment:
                    item = _Item(answer)
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

    def _ensure_suggestions(self, items: Sequence[_Item]) -> None:
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
    def _is_done(item: _Item) -> bool:
        return item.mine is not None or item.other is not None

    @staticmethod
    def _is_auto(item: _Item) -> bool:
        decision = item.mine or item.other
        return decision is not None and decision.source == "auto"

    def _count_change(self, item: _Item, before: tuple[bool, bool]) -> None:
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

    def _matches(self, item: _Item, f: Filter, needle: str) -> bool:
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

    def _or_current(self, answer_id: int | None) -> int | None:
        """``answer_id``, or the current answer's id when it is None (None without one)."""
        if answer_id is not None:
            return answer_id
        return self.current.id if self.current is not None else None

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

    # ------------------------------------------------------------------ notes

    def note(self, text: str, answer_id: int | None = None) -> None:
        """Save this coder's memo on an answer (the current one by default); empty clears."""
        if answer_id is None:
            answer = self.current
            if answer is None:
                raise LookupError("no current answer")
            answer_id = answer.id
        text = text.strip()
        self.project.add_note(answer_id, self.coder, text)
        if text:
            self._notes[answer_id] = text
        else:
            self._notes.pop(answer_id, None)
        self.discard_note_draft(answer_id)

    def note_for(self, answer_id: int | None = None) -> str:
        """This coder's memo on an answer ("" when none)."""
        if answer_id is None:
            answer = self.current
            if answer is None:
                return ""
            answer_id = answer.id
        return self._notes.get(answer_id, "")

    # ------------------------------------------------------------------ quote marks

    def quote_mark(self, answer_id: int | None = None) -> str:
        """``star``, ``ban`` or "" for an answer (the current one by default)."""
        if answer_id is None:
            answer = self.current
            if answer is None:
                return ""
            answer_id = answer.id
        if answer_id not in self._quote_marks:
            self._quote_marks[answer_id] = self.project.quote_marks([answer_id]).get(
                answer_id, "")
        return self._quote_marks[answer_id]

    def toggle_quote_mark(self, mark: str) -> str:
        """Star (or ban) the current answer for the quote bank, or clear that mark; saved at
        once. Returns the mark now in force."""
        answer = self.current
        if answer is None:
            raise LookupError("no current answer")
        new = "" if self.quote_mark(answer.id) == mark else mark
        self.project.mark_quote(answer.id, self.coder, new or "clear")
        self._quote_marks[answer.id] = new
        return new

    # ------------------------------------------------------------------ note drafts

    def note_draft(self, answer_id: int) -> str | None:
        """The unsaved draft of this coder's note on an answer, if a crash left one."""
        return self._drafts.get(answer_id)

    def note_drafts(self) -> dict[int, str]:
        """Every unsaved draft note of this coder: answer id → text."""
        return dict(self._drafts)

    def save_note_draft(self, text: str, answer_id: int) -> None:
        """Keep a note as it is being typed (stored at once, so a crash loses nothing)."""
        save_draft(self.project, answer_id, self.coder, text)
        self._drafts[answer_id] = text

    def discard_note_draft(self, answer_id: int) -> None:
        """Drop the draft of a note (saved, or abandoned)."""
        if answer_id in self._drafts:
            discard_draft(self.project, answer_id, self.coder)
            del self._drafts[answer_id]

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
