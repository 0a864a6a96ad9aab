"""Building large in-memory structures without the garbage collector's pauses.

Reading a large project (100,000 answers) creates hundreds of thousands of objects that
all stay alive. CPython's cyclic garbage collector runs after every few hundred new
objects and, as the heap grows, walks everything built so far: on such a load it takes
about as long as the reading itself. Nothing built here is garbage, so the collector is
paused while it is built and resumed (as it was) afterwards; reference counting still frees
everything that is dropped.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause cyclic garbage collection for the block (if it was on), then resume it."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
