"""Formats' limits on text, and an account of every text cut to fit one.

A spreadsheet cell holds at most 32,767 characters and an SPSS string at most 32,767 bytes;
a longer answer would make the XLSX writer cut it silently and the ``.sav`` file unreadable.
Writers pass text through :func:`fit_cell` / :func:`fit_spss`, which cut it to the limit and
count the cut in the export's :class:`Cuts`, so the export can say, with counts, which file
holds shortened text (CSV and Markdown have no limit and keep every text whole).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

XLSX_CELL_CHARS = 32_767
"""Characters a spreadsheet cell holds (Excel and LibreOffice)."""

SPSS_STRING_BYTES = 32_767
"""Bytes an SPSS string variable holds."""


class Cuts:
    """How many texts each file of an export had to cut to fit its format."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.file: str | None = None

    @contextmanager
    def writing(self, name: str) -> Iterator[None]:
        """Count the cuts made while ``name`` is written."""
        previous, self.file = self.file, name
        try:
            yield
        finally:
            self.file = previous

    def record(self) -> None:
        self.counts[self.file or "export"] += 1

    def warnings(self, whole_in: str | None = None) -> list[str]:
        """One line per file that cut text (``whole_in``: a file that keeps it whole)."""
        out = []
        for name, count in self.counts.items():
            limit = (f"SPSS's {SPSS_STRING_BYTES:,} bytes per string" if name.endswith(".sav")
                     else f"a spreadsheet cell's {XLSX_CELL_CHARS:,} characters")
            texts = "text" if count == 1 else "texts"
            out.append(f"{name}: {count} {texts} longer than {limit} were cut to fit"
                       + (f" ({whole_in} keeps every text whole)" if whole_in else ""))
        return out


_ACTIVE: ContextVar[Cuts | None] = ContextVar("themecoder_export_cuts", default=None)


@contextmanager
def counting() -> Iterator[Cuts]:
    """Collect the cuts made by the writers called inside the block."""
    cuts = Cuts()
    token = _ACTIVE.set(cuts)
    try:
        yield cuts
    finally:
        _ACTIVE.reset(token)


def _cut() -> None:
    cuts = _ACTIVE.get()
    if cuts is not None:
        cuts.record()


def fit_cell(text: str) -> str:
    """``text`` cut to what a spreadsheet cell holds (counted when cut)."""
    if len(text) <= XLSX_CELL_CHARS:
        return text
    _cut()
    return text[:XLSX_CELL_CHARS]


def fit_spss(text: str) -> str:
    """``text`` cut to what an SPSS string holds, on a whole character (counted when cut)."""
    if len(text) * 4 <= SPSS_STRING_BYTES:  # UTF-8 takes at most four bytes a character
        return text
    data = text.encode("utf-8")
    if len(data) <= SPSS_STRING_BYTES:
        return text
    _cut()
    return data[:SPSS_STRING_BYTES].decode("utf-8", errors="ignore")
