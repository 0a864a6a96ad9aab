"""The theme classifier and its model files, under one name.

The classifier itself lives in :mod:`~themecoder.suggest.classifier`, its text features in
:mod:`~themecoder.suggest.features`, sentence embeddings in
:mod:`~themecoder.suggest.embeddings`, heads and the decision rule in
:mod:`~themecoder.suggest.decision`, and saving/loading in
:mod:`~themecoder.suggest.model_files`. This module gathers what callers use.
"""

from __future__ import annotations

from themecoder.suggest.classifier import TIERS, ThemeClassifier, TrainingCancelled
from themecoder.suggest.decision import decide, tune_thresholds
from themecoder.suggest.embeddings import (
    ACCURATE_INSTALL,
    EMBEDDING_MODEL,
    EMBEDDING_PACKAGE,
    embed,
    embedding_package,
)
from themecoder.suggest.features import is_vague, question_key
from themecoder.suggest.model_files import (
    ARRAYS_FILE,
    MODEL_FILE,
    LoadedModel,
    load_model,
    resolve_model_dir,
    save_model,
    training_fingerprint,
    training_metadata,
)

__all__ = [
    "ACCURATE_INSTALL", "ARRAYS_FILE", "EMBEDDING_MODEL", "EMBEDDING_PACKAGE", "MODEL_FILE",
    "TIERS", "LoadedModel", "ThemeClassifier", "TrainingCancelled", "decide", "embed",
    "embedding_package", "is_vague", "load_model", "question_key", "resolve_model_dir",
    "save_model", "training_fingerprint", "training_metadata", "tune_thresholds",
]
