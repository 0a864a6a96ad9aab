"""Model files whose checksums were recomputed after an edit: only what themecoder writes loads.

The checksums in ``model.json`` are not keyed, so an attacker who edits a setting recomputes
them too; these tests do exactly that and check the whitelist refuses the file — above all a
token pattern such as ``(a+)+$`` that would make suggesting hang on ``aaaa…!``.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from pathlib import Path

import numpy as np
import pytest
from bad_input import assert_refused, invoke
from test_model import CODEBOOK_YAML, codebook, data, fitted  # noqa: F401  (fixtures)

from themecoder.errors import ModelError
from themecoder.suggest.model import load_model, save_model, training_metadata
from themecoder.suggest.model_files import _canonical_sha256


@pytest.fixture()
def saved(tmp_path, fitted, data, codebook):  # noqa: F811
    texts, questions, Y = data
    return save_model(fitted, tmp_path / "toy",
                      training_metadata(codebook, texts, questions, Y, name="toy-model"))


def edit_and_resign(directory: Path, change) -> None:  # noqa: ANN001
    """Apply ``change`` to the model's settings and recompute both checksums, as an attacker
    who can edit the files would."""
    path = directory / "model.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    change(doc["model"])
    doc["model_sha256"] = _canonical_sha256(doc["model"])
    doc["arrays_sha256"] = hashlib.sha256((directory / "arrays.npz").read_bytes()).hexdigest()
    path.write_text(json.dumps(doc), encoding="utf-8")


def _set(*keys_and_value):  # noqa: ANN002, ANN202
    *keys, value = keys_and_value

    def change(state: dict) -> None:
        target = state
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value
    return change


EDITS = {
    "a catastrophic token pattern": (_set("features", "specs", "word", "token_pattern",
                                          "(a+)+$"), "token pattern '(a+)+$'"),
    "a made-up token pattern": (_set("features", "specs", "question", "token_pattern", r"\w"),
                                "token pattern"),
    "huge word n-grams": (_set("features", "specs", "word", "ngram_range", [1, 40]),
                          "ngram_range"),
    "huge character n-grams": (_set("params", "char_ngrams", [2, 500]), "char_ngrams"),
    "an unknown analyzer": (_set("features", "specs", "char", "analyzer", "callable"),
                            "analyzer"),
    "an unknown vectoriser option": (_set("features", "specs", "word", "preprocessor", "x"),
                                     "unknown option"),
    "a threshold above one": (_set("global_threshold", 7.5), "global_threshold"),
    "a weight that is not a number": (_set("features", "weights", "word", math.nan),
                                      "weight of the word features"),
    "a negative regularisation": (_set("params", "C", -1.0), "C must be"),
    "another embedding model": (_set("embedding_model", "someone/else"), "embedding_model"),
    "an unknown parameter": (_set("params", "callback", "os.system"), "unknown classifier"),
    "a shape block with a made-up pattern": (
        _set("features", "specs", "shape", "token_pattern", "(x+x+)+y"), "token pattern"),
    "a Not-assigned threshold above one": (_set("not_assigned_threshold", 2.0),
                                           "not_assigned_threshold"),
    "a Not-assigned margin that is not a number": (_set("not_assigned_margin", "big"),
                                                   "not_assigned_margin"),
    "a shape flag that is not a flag": (_set("params", "use_shape", "yes"), "use_shape"),
}


@pytest.mark.parametrize("name", EDITS)
def test_an_edited_setting_with_recomputed_checksums_is_refused(name: str, saved) -> None:
    change, message = EDITS[name]
    edit_and_resign(saved, change)
    with pytest.raises(ModelError) as caught:
        load_model(saved)
    line = caught.value.one_line()
    assert message in line and "model.json" in line and "refused" in line


def test_arrays_with_values_out_of_range_are_refused(saved) -> None:
    arrays = dict(np.load(saved / "arrays.npz", allow_pickle=False))
    arrays["thresholds"] = np.full_like(arrays["thresholds"], np.nan)
    np.savez_compressed(saved / "arrays.npz", **arrays)
    edit_and_resign(saved, lambda state: None)
    with pytest.raises(ModelError, match="thresholds"):
        load_model(saved)


def test_a_calibration_map_out_of_range_is_refused(saved) -> None:
    arrays = dict(np.load(saved / "arrays.npz", allow_pickle=False))
    if "calibration_score_y" not in arrays:
        pytest.skip("this model carries no calibration")
    arrays["calibration_score_y"] = arrays["calibration_score_y"] + 5.0
    np.savez_compressed(saved / "arrays.npz", **arrays)
    edit_and_resign(saved, lambda state: None)
    with pytest.raises(ModelError, match="calibration_score_y"):
        load_model(saved)


def test_a_file_as_written_still_loads(saved, codebook) -> None:  # noqa: F811
    edit_and_resign(saved, lambda state: None)  # recomputing changes nothing by itself
    assert load_model(saved, codebook).theme_ids == ["staff", "money", "time"]


@pytest.mark.parametrize("name", ["poet_holders", "poet_carers"])
def test_the_shipped_sample_models_pass_the_whitelist(name: str) -> None:
    from themecoder.suggest.embeddings import EMBEDDING_MODEL
    from themecoder.suggest.model_rules import check_state

    directory = Path(__file__).parents[1] / "models" / "poet-sample" / name
    state = json.loads((directory / "model.json").read_text(encoding="utf-8"))["model"]
    with np.load(directory / "arrays.npz", allow_pickle=False) as npz:
        check_state(state, dict(npz), EMBEDDING_MODEL)


def test_suggest_refuses_the_edited_model_at_once(saved, tmp_path: Path) -> None:
    edit_and_resign(saved, _set("features", "specs", "word", "token_pattern", "(a+)+$"))
    (tmp_path / "toy.yaml").write_text(CODEBOOK_YAML, encoding="utf-8")
    answers = tmp_path / "answers.csv"
    answers.write_text("id,text\n1," + "a" * 40 + "!\n", encoding="utf-8")
    start = time.monotonic()
    assert_refused(invoke("suggest", "--model", saved, "--codebook", tmp_path / "toy.yaml",
                          "--data", answers, "--text-col", "text",
                          "--out", tmp_path / "out.csv"), "token pattern")
    assert time.monotonic() - start < 60
    assert not (tmp_path / "out.csv").exists()
