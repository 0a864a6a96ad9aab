"""The terminal coding app (Textual).

Importing this package is light: Textual loads only when :func:`run` starts the app.
"""

from __future__ import annotations

import gc
import sys

from themecoder.errors import ThemecoderError


class NoTerminal(ThemecoderError):
    """The coding app was started without a terminal to draw in or read keys from."""


def require_terminal() -> None:
    """Refuse to start the app when standard input or output is not a terminal (a pipe, a
    file, a cron job): it would wait for keys that never come and write control codes.

    Raises:
        NoTerminal: with a one-line message naming what to do instead.
    """
    missing = [name for name, stream in (("input", sys.stdin), ("output", sys.stdout))
               if stream is None or not stream.isatty()]
    if missing:
        raise NoTerminal(f"the coding app needs a terminal, but standard {' and '.join(missing)}"
                         f" {'is' if len(missing) == 1 else 'are'} not one; run it in a "
                         "terminal, or use `themecoder serve PROJECT` to code in a browser")


def run(project_location: str, coder: str, *, order: str = "plain") -> None:
    """Open the coding app on a project as ``coder`` and return when the coder quits.

    ``order`` is ``"plain"`` (import order) or ``"uncertain"`` (the model's least sure
    answers first).

    Raises:
        NoTerminal: standard input or output is not a terminal.
        StoreError: there is no project at ``project_location``.
    """
    require_terminal()
    # Start-up builds many objects that all stay (Textual, the store, the queue): the
    # garbage collector waits until the first answer is on screen (CodingApp resumes it).
    gc.disable()
    try:
        from themecoder.tui.app import CodingApp

        # a bad path fails here, before the screen opens
        app = CodingApp(project_location, coder, order=order, collector_paused=True)
    except BaseException:
        gc.enable()
        raise
    app.run()
