"""Where the shipped codebooks, models and sample data live.

They sit at the top of the source tree (``codebooks/``, ``models/``, ``sample_data/``),
beside ``src/``; an editable install (``pip install -e .``) finds them there. The
``THEMECODER_HOME`` environment variable can point at another copy of that tree.
"""

from __future__ import annotations

import os
from pathlib import Path

from themecoder.errors import ThemecoderError


def project_root() -> Path:
    """The folder holding ``codebooks/``, ``models/`` and ``sample_data/``.

    Raises:
        ThemecoderError: they cannot be found (e.g. installed without the source tree).
    """
    candidates = []
    if os.environ.get("THEMECODER_HOME"):
        candidates.append(Path(os.environ["THEMECODER_HOME"]))
    candidates.append(Path(__file__).resolve().parents[2])
    candidates.append(Path.cwd())
    for root in candidates:
        if (root / "codebooks").is_dir() and (root / "sample_data").is_dir():
            return root
    raise ThemecoderError("cannot find the shipped codebooks and sample data: install from "
                          "the source tree (pip install -e .) or set THEMECODER_HOME to it")


def codebook_path(name: str) -> Path:
    """A shipped codebook by file stem, e.g. ``poet_holders``."""
    return project_root() / "codebooks" / f"{name}.yaml"


def sample_path(name: str) -> Path:
    """A file of the bundled sample survey, e.g. ``current_year.csv``."""
    return project_root() / "sample_data" / name


def model_path(name: str) -> Path:
    """A shipped model directory, e.g. ``poet-sample``."""
    return project_root() / "models" / name
