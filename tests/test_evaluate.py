"""Per-theme metrics, their writers, and cross-validation."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from themecoder.evaluate import (
    cross_validate_model,
    metrics_from_dict,
    metrics_to_dict,
    metrics_to_markdown,
    theme_metrics,
    write_metrics_csv,
)

Y_TRUE = np.array([[1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 0, 0]])
Y_PRED = np.array([[1, 0, 0], [0, 1, 1], [0, 1, 0], [1, 0, 0]])


def test_theme_metrics_by_hand():
    df = theme_metrics(Y_TRUE, Y_PRED, ["a", "b", "c"])
    assert list(df.index) == ["a", "b", "c", "micro", "macro"]
    # a: tp 1, fp 1, fn 1; b: tp 2; c: fp 1 and no support.
    assert df.loc["a", ["precision", "recall", "f1"]].tolist() == [0.5, 0.5, 0.5]
    assert df.loc["b", "f1"] == 1.0 and df.loc["c", "f1"] == 0.0
    assert df.loc["micro", "precision"] == pytest.approx(3 / 5)
    assert df.loc["micro", "recall"] == pytest.approx(3 / 4)
    assert df.loc["micro", "f1"] == pytest.approx(2 * 3 / (2 * 3 + 2 + 1))
    # Macro averages the themes present in the reference coding (a and b).
    assert df.loc["macro", "f1"] == pytest.approx(0.75)
    assert df["support"].tolist() == [2, 2, 0, 4, 4]


def test_shape_mismatch_is_an_error():
    with pytest.raises(ValueError):
        theme_metrics(Y_TRUE, Y_PRED[:, :2], ["a", "b", "c"])


def test_dict_round_trip_and_writers(tmp_path):
    df = theme_metrics(Y_TRUE, Y_PRED, ["a", "b|c", "c"])
    back = metrics_from_dict(metrics_to_dict(df))
    assert np.allclose(back[["precision", "recall", "f1"]].to_numpy(),
                       df[["precision", "recall", "f1"]].to_numpy(), atol=1e-4)
    md = metrics_to_markdown(df, "Toy")
    assert md.startswith("### Toy") and "| **macro** | 0.750 |" in md and "b\\|c" in md
    csv = write_metrics_csv(df, tmp_path / "m.csv").read_text().splitlines()
    assert csv[0] == "theme,precision,recall,f1,support" and csv[-1].startswith("macro,")


class MajorityModel:
    """Predicts the training data's most common theme for everyone."""

    def fit(self, texts, questions, Y, theme_ids, cancel=None):
        self.best = int(np.asarray(Y).sum(axis=0).argmax())
        self.k = len(theme_ids)
        self.n_train = len(texts)
        return self

    def predict_proba(self, texts, questions):
        P = np.zeros((len(texts), self.k))
        P[:, self.best] = 1.0
        return P

    def predict(self, texts, questions):
        return (self.predict_proba(texts, questions) >= 0.5).astype(int)


def test_cross_validation_predicts_every_answer_out_of_fold():
    Y = np.array([[1, 0]] * 7 + [[0, 1]] * 3)
    texts = [f"answer {i}" for i in range(10)]
    models = []

    def make():
        models.append(MajorityModel())
        return models[-1]

    cv = cross_validate_model(make, texts, None, Y, ["x", "y"], n_splits=5)
    assert [m.n_train for m in models] == [8] * 5
    assert cv.Y_pred.shape == (10, 2) and cv.Y_pred[:, 0].all()
    assert cv.metrics.loc["x", "recall"] == 1.0 and cv.metrics.loc["y", "recall"] == 0.0


def test_importing_evaluate_does_not_load_textual():
    code = "import sys, themecoder.evaluate; assert 'textual' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_micro_macro_f1_matches_theme_metrics() -> None:
    import numpy as np

    from themecoder.evaluate import micro_macro_f1, theme_metrics

    truth = np.array([[1, 0, 0], [1, 1, 0], [0, 1, 0]])
    pred = np.array([[1, 1, 0], [0, 1, 0], [0, 1, 1]])
    micro, macro = micro_macro_f1(truth, pred)
    table = theme_metrics(truth, pred, ["a", "b", "c"])
    assert micro == table.loc["micro", "f1"] == 2 * 3 / (2 * 3 + 2 + 1)
    assert macro == table.loc["macro", "f1"] == (2 / 3 + 0.8) / 2  # theme c never occurs
