"""How well themes are assigned: per-theme precision/recall/F1 and cross-validation.

Used for a classifier against hand coding (``themecoder evaluate``, the benchmarks) and
for one coder against another. Importing it loads pandas and numpy only; nothing here
needs the terminal app.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

METRIC_COLUMNS = ("precision", "recall", "f1", "support")
SUMMARY_ROWS = ("micro", "macro")


def _prf(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray) -> tuple[np.ndarray, ...]:
    tp, fp, fn = (np.asarray(a, dtype=float) for a in (tp, fp, fn))
    precision = np.divide(tp, tp + fp, out=np.zeros_like(tp), where=(tp + fp) > 0)
    recall = np.divide(tp, tp + fn, out=np.zeros_like(tp), where=(tp + fn) > 0)
    f1 = np.divide(2 * tp, 2 * tp + fp + fn, out=np.zeros_like(tp), where=(2 * tp + fp + fn) > 0)
    return precision, recall, f1


def theme_metrics(Y_true: Any, Y_pred: Any, theme_names: Sequence[str]) -> pd.DataFrame:
    """Precision, recall, F1 and support per theme, plus ``micro`` and ``macro`` rows.

    Args:
        Y_true: (n, k) 0/1 array of the reference coding.
        Y_pred: (n, k) 0/1 array to judge.
        theme_names: The k column names (ids or names), used as the index.

    Returns:
        A DataFrame indexed by theme then ``micro`` and ``macro``, with columns
        ``precision``, ``recall``, ``f1`` and ``support`` (answers with the theme in
        ``Y_true``). ``micro`` pools every (answer, theme) decision; ``macro`` averages the
        themes that occur in ``Y_true`` (a theme absent from the data has no recall to
        judge), each counting equally. Undefined ratios (0/0) are 0.
    """
    yt = np.asarray(Y_true) > 0
    yp = np.asarray(Y_pred) > 0
    if yt.shape != yp.shape or yt.ndim != 2:
        raise ValueError(f"Y_true {yt.shape} and Y_pred {yp.shape} must be the same (n, k) shape")
    if yt.shape[1] != len(theme_names):
        raise ValueError(f"{len(theme_names)} theme names for {yt.shape[1]} columns")
    tp = (yt & yp).sum(axis=0)
    fp = (~yt & yp).sum(axis=0)
    fn = (yt & ~yp).sum(axis=0)
    p, r, f = _prf(tp, fp, fn)
    support = yt.sum(axis=0)
    df = pd.DataFrame({"precision": p, "recall": r, "f1": f, "support": support},
                      index=pd.Index([str(n) for n in theme_names], name="theme"))
    mp, mr, mf = _prf(tp.sum(), fp.sum(), fn.sum())
    present = support > 0
    macro = [float(x[present].mean()) if present.any() else 0.0 for x in (p, r, f)]
    df.loc["micro"] = [float(mp), float(mr), float(mf), int(support.sum())]
    df.loc["macro"] = [*macro, int(support.sum())]
    df["support"] = df["support"].astype(int)
    return df



def micro_macro_f1(Y_true: Any, Y_pred: Any) -> tuple[float, float]:
    """Micro- and macro-F1 of two (n, k) 0/1 arrays, as :func:`theme_metrics` defines them."""
    metrics = theme_metrics(Y_true, Y_pred, [str(i) for i in range(np.shape(Y_true)[1])])
    return float(metrics.loc["micro", "f1"]), float(metrics.loc["macro", "f1"])

def metrics_to_dict(df: pd.DataFrame) -> dict[str, Any]:
    """A :func:`theme_metrics` table as JSON-ready data.

    Returns:
        ``{"themes": {name: row}, "micro": row, "macro": row}`` where each row has
        ``precision``, ``recall``, ``f1`` and ``support``.
    """
    def row(name: str) -> dict[str, float | int]:
        values = df.loc[name]
        return {"precision": round(float(values["precision"]), 4),
                "recall": round(float(values["recall"]), 4),
                "f1": round(float(values["f1"]), 4),
                "support": int(values["support"])}

    themes = [name for name in df.index if name not in SUMMARY_ROWS]
    return {"themes": {name: row(name) for name in themes},
            "micro": row("micro"), "macro": row("macro")}


def metrics_from_dict(data: dict[str, Any]) -> pd.DataFrame:
    """The inverse of :func:`metrics_to_dict` (e.g. a model's stored CV metrics)."""
    rows = {**data.get("themes", {}), "micro": data["micro"], "macro": data["macro"]}
    df = pd.DataFrame.from_dict(rows, orient="index", columns=list(METRIC_COLUMNS))
    df.index.name = "theme"
    df["support"] = df["support"].astype(int)
    return df


def metrics_to_markdown(df: pd.DataFrame, title: str | None = None) -> str:
    """A metrics table as a Markdown table (figures to 3 decimals)."""
    lines = [f"### {title}", ""] if title else []
    lines.append("| theme | precision | recall | F1 | support |")
    lines.append("| --- | ---: | ---: | ---: | ---: |")
    for name, values in df.iterrows():
        label = f"**{name}**" if name in SUMMARY_ROWS else str(name).replace("|", "\\|")
        lines.append(f"| {label} | {values['precision']:.3f} | {values['recall']:.3f} | "
                     f"{values['f1']:.3f} | {int(values['support'])} |")
    return "\n".join(lines) + "\n"


def write_metrics_csv(df: pd.DataFrame, path: str | Path) -> Path:
    """Write a metrics table as CSV (one row per theme, then micro and macro)."""
    path = Path(path)
    df.to_csv(path, float_format="%.4f")
    return path


def write_metrics_markdown(df: pd.DataFrame, path: str | Path, title: str | None = None) -> Path:
    """Write a metrics table as a Markdown file."""
    path = Path(path)
    path.write_text(metrics_to_markdown(df, title), encoding="utf-8")
    return path


@dataclass
class CrossValidation:
    """What :func:`cross_validate_model` measured.

    Attributes:
        metrics: :func:`theme_metrics` of the out-of-fold predictions.
        Y_pred: (n, k) out-of-fold 0/1 predictions.
        proba: (n, k) out-of-fold probabilities.
        fit_seconds: Mean fit time per fold.
        predict_per_second: Answers predicted per second (over all folds).
    """

    metrics: pd.DataFrame
    Y_pred: np.ndarray
    proba: np.ndarray
    fit_seconds: float
    predict_per_second: float


def cross_validate_model(make_model: Callable[[], Any], texts: Sequence[object],
                         questions: Sequence[object] | None, Y: Any,
                         theme_ids: Sequence[str], *, n_splits: int = 5,
                         random_state: int = 0, progress: Callable[[int, int], None] | None = None,
                         cancel: threading.Event | None = None) -> CrossValidation:
    """K-fold cross-validation of a theme classifier (shuffled, seeded).

    Each fold trains ``make_model()`` on the other folds only (its own threshold tuning
    sees nothing of the held-out fold), then predicts the held-out fold.

    Args:
        make_model: Returns an unfitted model with ``fit(texts, questions, Y, theme_ids,
            cancel=...)``, ``predict`` and ``predict_proba``.
        progress: Called as ``progress(fold_done, n_splits)``.
        cancel: Passed to each fit.
    """
    from sklearn.model_selection import KFold

    texts = list(texts)
    n = len(texts)
    qs = list(questions) if questions is not None else None
    Y = np.asarray(Y)
    Y_pred = np.zeros_like(Y, dtype=np.int8)
    proba = np.zeros(Y.shape, dtype=float)
    fit_time = predict_time = 0.0
    folds = KFold(n_splits=n_splits, shuffle=True, random_state=random_state)
    for done, (train, test) in enumerate(folds.split(np.arange(n)), 1):
        model = make_model()
        start = time.perf_counter()
        model.fit([texts[i] for i in train], [qs[i] for i in train] if qs else None,
                  Y[train], list(theme_ids), cancel=cancel)
        fit_time += time.perf_counter() - start
        test_texts = [texts[i] for i in test]
        test_qs = [qs[i] for i in test] if qs else None
        start = time.perf_counter()
        if hasattr(model, "predict_with_proba"):
            Y_pred[test], proba[test] = model.predict_with_proba(test_texts, test_qs)
        else:
            Y_pred[test] = model.predict(test_texts, test_qs)
            proba[test] = model.predict_proba(test_texts, test_qs)
        predict_time += time.perf_counter() - start
        if progress is not None:
            progress(done, n_splits)
    return CrossValidation(
        metrics=theme_metrics(Y, Y_pred, theme_ids), Y_pred=Y_pred, proba=proba,
        fit_seconds=fit_time / n_splits,
        predict_per_second=n / predict_time if predict_time > 0 else float("inf"),
    )
