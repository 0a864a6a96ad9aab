"""Saving and loading trained models without pickle.

A model directory holds ``model.json`` (metadata and the classifier's settings, with a
SHA-256 of both) and ``arrays.npz`` (vocabularies, idf, coefficients, thresholds), read
back with ``allow_pickle=False``: a tampered or corrupt file is refused before anything in
it is used, and nothing in it is ever executed. The checksums are not keyed, so what the
file sets is also checked against a whitelist (:mod:`.model_rules`) before it is used.
"""

from __future__ import annotations

import hashlib
import json
import platform
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from themecoder.errors import ModelError
from themecoder.suggest.classifier import ThemeClassifier
from themecoder.suggest.embeddings import EMBEDDING_MODEL
from themecoder.suggest.features import as_texts, question_keys
from themecoder.suggest.model_rules import ModelRuleError, check_state

if TYPE_CHECKING:
    from themecoder.codebook import Codebook

MODEL_FILE = "model.json"
ARRAYS_FILE = "arrays.npz"
FORMAT = "themecoder-model"
FORMAT_VERSION = 2
"""2: a Not-assigned head and its rule; 1 (read no more): a floor and a vague-word rule."""


def training_fingerprint(texts: Sequence[object], questions: Sequence[object] | None,
                         Y: Any) -> str:
    """SHA-256 of the training answers, their questions and their labels."""
    h = hashlib.sha256()
    texts_ = as_texts(texts)
    qkeys = question_keys(questions, len(texts_))
    for text, q, row in zip(texts_, qkeys, np.asarray(Y), strict=True):
        h.update(text.encode("utf-8"))
        h.update(b"\x1f" + q.encode() + b"\x1f")
        h.update(np.asarray(row > 0, dtype=np.int8).tobytes())
        h.update(b"\x1e")
    return h.hexdigest()


def training_metadata(codebook: Codebook, texts: Sequence[object],
                      questions: Sequence[object] | None, Y: Any, **extra: Any) -> dict[str, Any]:
    """The metadata :func:`save_model` needs about the codebook and the training data.

    ``extra`` (e.g. ``name``, ``data``, ``filters``, ``command``) is stored as given.
    """
    return {
        "codebook": {"id": codebook.id, "version": codebook.version,
                     "fingerprint": codebook.fingerprint, "name": codebook.name},
        "themes": [{"id": t.id, "name": t.name} for t in codebook.themes],
        "training_data": {"fingerprint": training_fingerprint(texts, questions, Y),
                          "n_examples": len(texts)},
        **extra,
    }


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _canonical_sha256(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def _library_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for pkg in ("themecoder", "scikit-learn", "numpy", "scipy", "sentence-transformers",
                "torch"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            pass
    return out


def save_model(model: ThemeClassifier, directory: str | Path,
               metadata: dict[str, Any]) -> Path:
    """Write a trained model to ``directory`` (``model.json`` + ``arrays.npz``).

    Args:
        model: A fitted :class:`ThemeClassifier`.
        directory: Created if missing; existing model files in it are replaced.
        metadata: From :func:`training_metadata` (codebook, themes, training data) plus
            anything else to record; its theme ids must match the model's.

    Returns:
        The directory.
    """
    directory = Path(directory)
    state, arrays = model._state()
    themes = metadata.get("themes")
    if not themes or [t["id"] for t in themes] != model.theme_ids_:
        raise ModelError("the metadata's themes do not match the model's", file=directory)
    if "codebook" not in metadata:
        raise ModelError("the metadata names no codebook", file=directory)
    directory.mkdir(parents=True, exist_ok=True)
    tmp_arrays = directory / (ARRAYS_FILE + ".tmp")
    with tmp_arrays.open("wb") as fh:
        np.savez_compressed(fh, **arrays)
    arrays_sha = _sha256_file(tmp_arrays)
    cv = state["cv_metrics"]
    doc = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "name": metadata.get("name", directory.name),
        "version": metadata.get("version", datetime.now(UTC).strftime("%Y.%m.%d")),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        **{k: v for k, v in metadata.items() if k not in ("name", "version")},
        "tier": model.tier,
        "n_examples": model.n_examples_,
        "thresholds": dict(zip(model.theme_ids_, map(float, model.thresholds_), strict=True)),
        "cv_metrics": cv,
        "libraries": _library_versions(),
        **({"embedding_model": {"model": state["embedding_model"],
                                "package": state.get("embedding_package")}}
           if state["embedding_model"] else {}),
        "arrays_file": ARRAYS_FILE,
        "arrays_sha256": arrays_sha,
        "model": state,
        "model_sha256": _canonical_sha256(state),
    }
    tmp_json = directory / (MODEL_FILE + ".tmp")
    tmp_json.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp_arrays.replace(directory / ARRAYS_FILE)
    tmp_json.replace(directory / MODEL_FILE)
    return directory


@dataclass
class LoadedModel:
    """A model read by :func:`load_model`: the classifier and its metadata."""

    classifier: ThemeClassifier
    metadata: dict[str, Any]
    path: Path
    theme_names: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The model's name (by default its directory name)."""
        return str(self.metadata.get("name") or self.path.name)

    @property
    def version(self) -> str:
        """The model's own version (by default the date it was trained)."""
        return str(self.metadata.get("version", ""))

    @property
    def codebook_id(self) -> str:
        return str(self.metadata["codebook"]["id"])

    @property
    def codebook_version(self) -> str:
        return str(self.metadata["codebook"]["version"])

    @property
    def theme_ids(self) -> list[str]:
        return list(self.classifier.theme_ids_)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError("no model here (model.json is missing)", file=path.parent) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"model.json is unreadable: {exc}", file=path) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ModelError("not a themecoder model file", file=path)
    if doc.get("format_version") == 1:
        command = doc.get("command")
        again = f": {command}" if isinstance(command, str) else " with `themecoder train`"
        raise ModelError("this model was made by an older themecoder (format 1, no learned "
                         f"Not-assigned decision); train it again{again}", file=path)
    if doc.get("format_version") != FORMAT_VERSION:
        raise ModelError(f"model format version {doc.get('format_version')!r} is not supported "
                         f"(this themecoder reads version {FORMAT_VERSION})", file=path)
    return doc


def resolve_model_dir(directory: str | Path, codebook: Codebook | None = None) -> Path:
    """The model directory: ``directory`` itself, or its sub-directory for ``codebook``.

    A directory of model directories (``models/poet-sample/`` holding ``poet_holders/``
    and ``poet_carers/``) resolves to the one trained for ``codebook.id``.
    """
    directory = Path(directory)
    if (directory / MODEL_FILE).is_file():
        return directory
    if not directory.is_dir():
        raise ModelError("no such model directory", file=directory)
    candidates = sorted(p.parent for p in directory.glob(f"*/{MODEL_FILE}"))
    if not candidates:
        raise ModelError("no model here (no model.json in it or its sub-directories)",
                         file=directory)
    if codebook is None:
        if len(candidates) == 1:
            return candidates[0]
        raise ModelError("holds several models; give a codebook or one of: "
                         + ", ".join(p.name for p in candidates), file=directory)
    for candidate in candidates:
        if candidate.name == codebook.id:
            return candidate
    for candidate in candidates:
        try:
            meta = json.loads((candidate / MODEL_FILE).read_text(encoding="utf-8"))
            if meta.get("codebook", {}).get("id") == codebook.id:
                return candidate
        except (OSError, ValueError, AttributeError):
            continue
    raise ModelError(f"no model for codebook '{codebook.id}' (found: "
                     + ", ".join(p.name for p in candidates) + ")", file=directory)


def load_model(directory: str | Path, codebook: Codebook | None = None) -> LoadedModel:
    """Read a model saved by :func:`save_model`, checking it before using it.

    The arrays file's SHA-256 must match the one in ``model.json`` and it is read with
    ``allow_pickle=False``, so a tampered or corrupt file is refused before anything in it
    is used, and nothing in it is ever executed.

    Args:
        directory: A model directory, or a directory of model directories (then
            ``codebook`` picks one by its id).
        codebook: When given, the model must have been trained for this codebook's id,
            version and theme list.

    Raises:
        ModelError: missing, tampered with, corrupt, or made for another codebook.
    """
    directory = resolve_model_dir(directory, codebook)
    json_path = directory / MODEL_FILE
    doc = _read_json(json_path)
    try:
        cb = doc["codebook"]
        cb_desc = f"'{cb['id']}' version {cb['version']}"
        state = doc["model"]
        expected_sha = str(doc["arrays_sha256"])
        model_sha = str(doc["model_sha256"])
        themes = doc["themes"]
        theme_ids = [str(t["id"]) for t in themes]
        theme_names = [str(t["name"]) for t in themes]
    except (KeyError, TypeError) as exc:
        raise ModelError(f"model.json lacks a required entry ({exc})", file=json_path) from None
    if _canonical_sha256(state) != model_sha:
        raise ModelError("model.json was modified after training (checksum mismatch)",
                         file=json_path)
    if codebook is not None:
        mine = f"'{codebook.id}' version {codebook.version}"
        if cb.get("id") != codebook.id or str(cb.get("version")) != codebook.version:
            raise ModelError(f"the model was trained for codebook {cb_desc}, "
                             f"not {mine}: retrain it", file=directory)
        if theme_ids != codebook.theme_ids or cb.get("fingerprint") != codebook.fingerprint:
            raise ModelError(f"the model's themes (codebook {cb_desc}) differ from codebook "
                             f"{mine}'s: retrain it", file=directory)
    arrays_path = directory / ARRAYS_FILE
    if not arrays_path.is_file():
        raise ModelError("arrays.npz is missing", file=directory)
    if _sha256_file(arrays_path) != expected_sha:
        raise ModelError("arrays.npz does not match its checksum in model.json "
                         "(tampered with or corrupt); refusing to load it", file=arrays_path)
    try:
        with np.load(arrays_path, allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
        if list(state["theme_ids"]) != theme_ids:
            raise ValueError("theme list differs from the model's")
        # the checksums can be recomputed by whoever edits the files: check what they set
        check_state(state, arrays, EMBEDDING_MODEL)
        model = ThemeClassifier._from_state(state, arrays)
    except ModelRuleError as exc:
        raise ModelError(f"refused: {exc} (a model file may only set what themecoder "
                         "writes)", file=json_path) from None
    except ModelError:
        raise
    except Exception as exc:  # any inconsistency in a file we did not write is the file's fault
        raise ModelError(f"the model files are inconsistent or corrupt: {exc}",
                         file=directory) from None
    return LoadedModel(classifier=model, metadata=doc, path=directory, theme_names=theme_names)
