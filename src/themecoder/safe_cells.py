"""Keep spreadsheet cells inert: text that a spreadsheet would run as a formula is neutralised.

Answers are free text written by anyone, so an answer such as ``=HYPERLINK("http://…")`` or
``+1`` must not become a live formula when an export is opened in Excel or LibreOffice
(CSV/formula injection). :func:`neutralise` prefixes such text with an apostrophe, the
spreadsheet convention for "this is text"; the original text is kept after it.
"""

from __future__ import annotations

from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet treat a cell as a formula (or mangle it)."""


def neutralise(value: Any) -> Any:
    """``value`` made safe to put in a spreadsheet cell.

    Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets an
    apostrophe in front; any other value (other text, numbers, ``None``) is returned unchanged.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
