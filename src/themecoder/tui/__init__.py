"""The terminal coding app (Textual).

Importing this package is light: Textual loads only when :func:`run` starts the app.
"""

from __future__ import annotations


def run(project_location: str, coder: str, *, order: str = "plain") -> None:
    """Open the coding app on a project as ``coder`` and return when the coder quits.

    ``order`` is ``"plain"`` (import order) or ``"uncertain"`` (the model's least sure
    answers first).

    Raises:
        StoreError: there is no project at ``project_location``.
    """
    from themecoder.store import Project
    from themecoder.tui.app import CodingApp

    Project.open(project_location).close()  # a bad path fails here, before the screen opens
    CodingApp(project_location, coder, order=order).run()
