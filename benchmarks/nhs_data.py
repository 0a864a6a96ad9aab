"""The shared NHS Friends and Family Test comments, loaded once the same way for every benchmark.

The data lives beside the project in ``../shared/benchmarks/nhs_fft/coded_comments.csv``
and is never copied into it; :func:`available` says whether it is there, so a benchmark
can skip cleanly.

The fixed held-out part: a respondent's comments are held out when the SHA-256 of their
``Respondent ID`` falls in the first fifth of the hash range (about one comment in five).
Splitting by respondent keeps two answers of one person out of both sides. Nothing tuned —
no threshold, weight, hyper-parameter or model choice — may look at the held-out part;
benchmarks fit on the development part and report on the held-out part beside their
cross-validation.

Scoring, as the data's README scores its reference systems: the labels are the columns from
``Not assigned`` onward with at least 15 examples in the whole file (38 labels,
``Not assigned`` among them), and an answer with no theme counts as ``Not assigned``.
"""

from __future__ import annotations

import hashlib
import os
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "nhs_fft" / \
    "coded_comments.csv"
CODEBOOK = ROOT / "codebooks" / "nhs_fft.yaml"
NOT_ASSIGNED = "Not assigned"
MIN_EXAMPLES = 15
HELD_OUT_SHARE = 0.2


def available() -> bool:
    """Whether the shared data file is present beside the project."""
    return DATA.is_file()


def ready() -> bool:
    """Whether the data is there (saying on stderr that there is nothing to do when it is
    not); models then load offline and libraries' FutureWarnings stay quiet."""
    if not available():
        print(f"benchmark data not found at {DATA}; nothing to do", file=sys.stderr)
        return False
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    warnings.filterwarnings("ignore", category=FutureWarning)
    return True


def is_held_out(respondent_id: str, share: float = HELD_OUT_SHARE) -> bool:
    """Whether a respondent's comments belong to the fixed held-out part."""
    digest = hashlib.sha256(str(respondent_id).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") < share * 2 ** 64


@dataclass
class NhsComments:
    """The comments, their questions and hand coding, and the fixed split.

    Attributes:
        frame: The CSV as read (every column).
        texts: ``FFT answer`` ("" for missing).
        questions: ``FFT question`` normalised to worked_well / not_well / change where the
            wording allows, else the wording itself.
        labels: (n, L) 0/1 frame over the scored labels (``Not assigned`` first).
        held_out: (n,) bool: the fixed held-out part.
    """

    frame: pd.DataFrame
    texts: list[str]
    questions: list[str]
    labels: pd.DataFrame
    held_out: np.ndarray

    @property
    def themes(self) -> list[str]:
        """The scored labels other than ``Not assigned``: what a model learns as themes."""
        return [c for c in self.labels.columns if c != NOT_ASSIGNED]

    @property
    def development(self) -> np.ndarray:
        """(n,) bool: everything not held out — the only rows any choice may look at."""
        return ~self.held_out

    def rows(self, mask: np.ndarray) -> NhsComments:
        """The comments where ``mask`` is true, as another :class:`NhsComments`."""
        index = np.flatnonzero(mask)
        return NhsComments(
            frame=self.frame.iloc[index].reset_index(drop=True),
            texts=[self.texts[i] for i in index],
            questions=[self.questions[i] for i in index],
            labels=self.labels.iloc[index].reset_index(drop=True),
            held_out=self.held_out[index])


def load() -> NhsComments:
    """Read the shared file (raises ``FileNotFoundError`` when it is absent)."""
    from themecoder.survey import normalise_question

    frame = pd.read_csv(DATA, dtype=str, keep_default_na=False)
    columns = list(frame.columns[frame.columns.get_loc(NOT_ASSIGNED):])
    values = frame[columns].apply(lambda col: col.str.strip().isin(["1", "1.0"])).astype(int)
    labels = values[[c for c in columns if values[c].sum() >= MIN_EXAMPLES]]
    # A wording no POET question matches ("FFT Why?") keeps its own text.
    questions = [normalise_question(wording) or " ".join(wording.split())
                 for wording in frame["FFT question"]]
    held_out = np.array([is_held_out(r) for r in frame["Respondent ID"]], dtype=bool)
    return NhsComments(frame=frame, texts=frame["FFT answer"].tolist(), questions=questions,
                       labels=labels, held_out=held_out)


def as_scored(theme_matrix: np.ndarray, not_assigned: np.ndarray | None = None) -> np.ndarray:
    """Predictions over :attr:`NhsComments.themes` as the (n, L) matrix that is scored.

    Column 0 is ``Not assigned``: on where ``not_assigned`` says so (the themes are then
    off, as in the app) and wherever no theme is on (an answer left without a theme is
    scored as left unassigned).
    """
    themes = np.asarray(theme_matrix, dtype=int).copy()
    if not_assigned is not None:
        themes[np.asarray(not_assigned, dtype=bool)] = 0
    na = themes.sum(axis=1) == 0
    return np.hstack([na[:, None].astype(int), themes])
