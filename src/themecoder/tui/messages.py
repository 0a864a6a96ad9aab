"""Messages the coding app's workers post back to the screen (small dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class SuggestionsReady(Message):
    """Suggestions were computed and stored for these answers."""

    answer_ids: list[int]


@dataclass
class SuggestProgress(Message):
    """Suggest-ahead progress: ``done`` of ``total`` answers."""

    done: int
    total: int


@dataclass
class ThemeClicked(Message):
    """A theme row was clicked (toggle it)."""

    index: int


@dataclass
class MeaningLoading(Message):
    """The sentence-embedding model is loading: a codebook's suggestions will use meaning."""


@dataclass
class MeaningReady(Message):
    """The sentence-embedding model is loaded: suggestions can use meaning (or, when not
    ``needed``, no codebook's suggestions use it and it was not loaded)."""

    needed: bool = True


@dataclass
class MeaningFailed(Message):
    """The sentence-embedding model could not be loaded: suggestions use keywords alone."""

    error: str


@dataclass
class RetrainProgress(Message):
    """A background retraining is at ``stage`` (reading, training, checking, refreshing) of
    codebook ``codebook_id`` (``position`` of ``count`` codebooks), ``done`` of ``total``."""

    codebook_id: str
    position: int
    count: int
    stage: str
    done: int
    total: int
