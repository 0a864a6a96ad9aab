"""Loading the sentence-embedding model behind the coding screen, without holding anything up.

The app suggests by meaning for a codebook without a model, and for the themes a model has
no examples of (:func:`themecoder.suggest.project_suggest.uses_meaning`). Loading the model
takes seconds to a minute, so :func:`load_meaning_in_background` does it in a daemon thread
and reports through messages; until :class:`~themecoder.tui.messages.MeaningReady` arrives,
answers are suggested without meaning.

A daemon thread, not a Textual thread worker: those run in asyncio's executor, whose threads
the process waits for on exit, so quitting would hang until the model had loaded.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from textual.message import Message

from themecoder.codebook import Codebook
from themecoder.errors import ThemecoderError
from themecoder.tui.messages import MeaningFailed, MeaningLoading, MeaningReady


def load_meaning_in_background(codebooks: list[Codebook], model_paths: dict[str, str | None],
                               post: Callable[[Message], object]) -> threading.Thread:
    """Start loading the embedding model for the codebooks whose suggestions use meaning.

    Args:
        codebooks: The project's codebooks.
        model_paths: Each codebook's model directory (``None``: no model), by codebook id.
        post: Called (from the thread) with :class:`MeaningLoading` when the model is to be
            loaded, then :class:`MeaningReady` or :class:`MeaningFailed`; or at once with
            ``MeaningReady(needed=False)`` when no codebook uses meaning.

    Returns:
        The started thread.
    """
    thread = threading.Thread(target=_load, args=(codebooks, model_paths, post),
                              name="load meaning model", daemon=True)
    thread.start()
    return thread


def _load(codebooks: list[Codebook], model_paths: dict[str, str | None],
          post: Callable[[Message], object]) -> None:
    from themecoder.suggest.project_suggest import uses_meaning
    from themecoder.suggest.semantic import MeaningScorer, load_meaning_model

    try:
        needed = [cb for cb in codebooks if uses_meaning(cb, model_paths[cb.id])]
        if not needed:
            post(MeaningReady(needed=False))
            return
        post(MeaningLoading())
        load_meaning_model()
        for codebook in needed:  # their descriptions' embeddings are cached from now on
            MeaningScorer(codebook).prepare()
    except Exception as exc:  # noqa: BLE001 - shown to the coder; suggestions go on
        text = exc.one_line() if isinstance(exc, ThemecoderError) else \
            f"{type(exc).__name__}: {exc}"
        post(MeaningFailed(text))
        return
    post(MeaningReady())
