"""Where keyword hits stand in an answer: clauses, the tone around a hit, nested and
excluded hits — each worked out once per answer, so suggesting grows with an answer's
length and no faster.

:class:`ClauseLayout` answers "which clause is this hit in" and "what is the tone of the
rest of that clause" from the sorted barrier positions and running sums of tone, instead of
walking the clause for every hit (which made a long answer without full stops quadratic).
:func:`widest_hits` and :func:`outside_exclusions` sort once instead of comparing every
hit with every other.
"""

from __future__ import annotations

import bisect
from itertools import accumulate


class ClauseLayout:
    """Facts about one answer's tokens: where each clause starts and ends, and running sums
    of the cue words' tone (a cue flips when a negation stands up to three words before it).

    Args:
        barriers: per token, whether it ends a clause (punctuation, a contrast word).
        negations: per token, whether it is a negation word.
        tones: per token, +1 for a positive cue word, -1 for a negative one, else 0.
    """

    def __init__(self, barriers: list[bool], negations: list[bool], tones: list[int]) -> None:
        self.n = len(barriers)
        self.barriers = [i for i, barrier in enumerate(barriers) if barrier]
        self.negations = negations
        self.tone = tones
        cues = [0] * self.n
        for k, value in enumerate(tones):
            if value:
                cues[k] = self._cue(k, 0)
        self.running = list(accumulate(cues, initial=0))  # tone of the tokens before i

    def _cue(self, k: int, lo: int) -> int:
        value = self.tone[k]
        if value and any(self.negations[max(lo, k - 3):k]):
            return -value
        return value

    def clause(self, first: int, last: int) -> tuple[int, int]:
        """The clause around tokens ``first:last``: from after the barrier before it to the
        barrier after it (exclusive)."""
        before = bisect.bisect_left(self.barriers, first)
        after = bisect.bisect_left(self.barriers, last)
        lo = self.barriers[before - 1] + 1 if before else 0
        hi = self.barriers[after] if after < len(self.barriers) else self.n
        return lo, hi

    def polarity(self, lo: int, hi: int, first: int, last: int) -> int:
        """The sign of the cues' tone in tokens ``lo:hi``, leaving out the hit ``first:last``."""
        total = self.running[hi] - self.running[lo] - (self.running[last] - self.running[first])
        # a negation before the clause does not flip the clause's first cues
        for k in range(lo, min(lo + 3, hi)):
            if not first <= k < last:
                total += self._cue(k, lo) - self._cue(k, 0)
        return (total > 0) - (total < 0)


def outside_exclusions(raw: list[tuple], excludes: list[tuple[str, int, int]]) -> list[tuple]:
    """The hits that overlap none of their theme's exclusion spans.

    Args:
        raw: hits as tuples ``(theme, start, end, …)`` (``theme`` has an ``id``).
        excludes: exclusion spans ``(theme_id, start, end)``.
    """
    if not excludes:
        return raw
    spans: dict[str, tuple[list[int], list[int]]] = {}
    for theme_id, start, end in sorted(excludes, key=lambda e: e[1]):
        starts, reach = spans.setdefault(theme_id, ([], []))
        starts.append(start)
        reach.append(max(end, reach[-1]) if reach else end)  # the furthest end so far
    kept = []
    for hit in raw:
        found = spans.get(hit[0].id)
        if found is not None:
            before = bisect.bisect_left(found[0], hit[2])  # exclusions starting before its end
            if before and found[1][before - 1] > hit[1]:
                continue
        kept.append(hit)
    return kept


def widest_hits(raw: list[tuple]) -> list[tuple]:
    """Where one theme's hits nest, only the widest (then the best scored) is kept.

    Sorted by start, a hit is inside a wider one when a hit starting earlier reaches as far,
    or one starting with it reaches further (or as far, with a better score).

    Args:
        raw: hits as tuples ``(theme, start, end, …)`` with the score at index 6.
    """
    by_theme: dict[str, list[int]] = {}
    for index, hit in enumerate(raw):
        by_theme.setdefault(hit[0].id, []).append(index)
    keep = [True] * len(raw)
    for indices in by_theme.values():
        indices.sort(key=lambda k: (raw[k][1], -raw[k][2], -raw[k][6]))
        reach = -1  # the furthest end of hits starting before the current start
        at = 0
        while at < len(indices):
            start = raw[indices[at]][1]
            group_end, group_score = raw[indices[at]][2], raw[indices[at]][6]
            following = at
            while following < len(indices) and raw[indices[following]][1] == start:
                k = indices[following]
                end, score = raw[k][2], raw[k][6]
                if reach >= end or end < group_end or score < group_score:
                    keep[k] = False
                following += 1
            reach = max(reach, group_end)
            at = following
    return [hit for hit, kept in zip(raw, keep, strict=True) if kept]
