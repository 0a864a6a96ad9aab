"""The progress line: done/total in the filter and per question, rate, time left."""

from __future__ import annotations

from textual.widgets import Static

from themecoder.coding import Progress, format_duration

QUESTION_SHORT = {"worked_well": "worked well", "not_well": "not well", "change": "change"}


def progress_text(progress: Progress, filter_label: str, *, show_rate: bool = True,
                  sample: tuple[int, int] | None = None) -> str:
    """The progress as one or two short lines; ``sample`` is ``(decided, total)`` of the
    coder's double-coding sample, shown when the coder has one."""
    pct = 100 * progress.done / progress.total if progress.total else 100.0
    first = f"Done {progress.done}/{progress.total} ({pct:.0f}%) in {filter_label}"
    if progress.audit_left:  # the blind audit of automatic coding, still to code
        first += f" · audit to do {progress.audit_left}"
    if show_rate:
        rate = f"{progress.rate:.0f}/h" if progress.rate else "–/h"
        first += f" · {rate} · {format_duration(progress.seconds_left)} left"
    else:
        first += " · –/h · – left"
    parts = [f"{QUESTION_SHORT.get(q, q)} {d}/{t}" for q, (d, t) in
             progress.per_question.items()]
    second = " · ".join(parts) + f" · to do {progress.remaining}"
    if progress.auto:  # coded by the model alone (counted as done above)
        second += f" · auto-coded {progress.auto}"
    if sample is not None:
        second = f"sample {sample[0]} / {sample[1]} · " + second
    return first + "\n" + second


class ProgressLine(Static):
    """Always-visible progress (two lines)."""
