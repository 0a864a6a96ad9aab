"""What a model file may set: a whitelist checked before anything in the file is used.

A model file's SHA-256 sums show that ``arrays.npz`` and the classifier settings in
``model.json`` are as they were written. They are not keyed or signed: whoever can edit the
files can recompute them. So the settings themselves are checked against what themecoder
writes, and a file that sets anything else is refused:

* token patterns come from a fixed set (an edited pattern such as ``(a+)+$`` would make
  matching an answer like ``aaaa…!`` take exponential time);
* analysers, n-gram ranges, accent handling and block names from fixed sets; weights,
  thresholds, regularisation and counts within fixed ranges;
* the embedding model is the one themecoder ships;
* arrays hold finite numbers (idf values positive, thresholds and calibrated probabilities
  between 0 and 1) and the vocabularies hold text.

With these rules no accepted file can make suggesting slower than linear in an answer's
length. The arrays are read with ``allow_pickle=False``, so nothing in a file is executed.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

TOKEN_PATTERNS = frozenset({r"(?u)\b\w+\b", r"(?u)\b\w\w+\b", r"\S+"})
"""Token patterns themecoder writes (and scikit-learn's default)."""

ANALYZERS = {"word": 3, "char_wb": 6, "char": 6}
"""Analysers a feature block may use, with the longest n-gram each may ask for."""

BLOCKS = frozenset({"word", "char", "question", "shape"})
STRIP_ACCENTS = (None, "unicode", "ascii")
TIERS = ("fast", "accurate")


class ModelRuleError(ValueError):
    """A model file sets something themecoder never writes."""


def _number(value: Any, what: str, low: float, high: float, *, integer: bool = False,
            optional: bool = False) -> None:
    if value is None and optional:
        return
    kinds = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds) or not math.isfinite(value) \
            or not low <= value <= high:
        kind = "a whole number" if integer else "a number"
        raise ModelRuleError(f"{what} must be {kind} from {low:g} to {high:g}, not {value!r}")


def _choice(value: Any, what: str, allowed: Any) -> None:
    if isinstance(value, list | dict) or value not in allowed:
        shown = ", ".join(repr(a) for a in allowed)
        raise ModelRuleError(f"{what} must be one of {shown}, not {value!r}")


def _ngrams(value: Any, what: str, longest: int, *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise ModelRuleError(f"{what} must be two whole numbers, not {value!r}")
    low, high = value
    _number(low, what, 1, longest, integer=True)
    _number(high, what, 1, longest, integer=True)
    if low > high:
        raise ModelRuleError(f"{what} runs backwards: {value!r}")


def check_params(params: Any) -> None:
    """The classifier's constructor parameters."""
    if not isinstance(params, dict):
        raise ModelRuleError("the classifier parameters must be a mapping")
    known = {"tier", "C", "class_weight", "word_ngrams", "char_ngrams", "use_question",
             "question_weight", "use_shape", "embedding_weight", "cv", "shrinkage",
             "random_state"}
    unknown = sorted(set(params) - known)
    if unknown:
        raise ModelRuleError(f"unknown classifier parameter(s): {', '.join(unknown)}")
    _choice(params.get("tier", "fast"), "tier", TIERS)
    _number(params.get("C"), "C", 1e-6, 1e6, optional=True)
    _choice(params.get("class_weight"), "class_weight", (None, "balanced"))
    _ngrams(params.get("word_ngrams", (1, 2)), "word_ngrams", ANALYZERS["word"])
    _ngrams(params.get("char_ngrams"), "char_ngrams", ANALYZERS["char_wb"], optional=True)
    for flag in ("use_question", "use_shape"):
        _choice(params.get(flag, True), flag, (True, False))
    _number(params.get("question_weight", 0.5), "question_weight", 0, 10)
    _number(params.get("embedding_weight"), "embedding_weight", 0, 1, optional=True)
    _number(params.get("cv", 3), "cv", 2, 50, integer=True)
    _number(params.get("shrinkage", 10.0), "shrinkage", 0, 1e6)
    _number(params.get("random_state"), "random_state", 0, 2**32 - 1, integer=True,
            optional=True)


def check_spec(name: str, spec: Any) -> None:
    """One feature block's vectoriser settings."""
    if name not in BLOCKS:
        raise ModelRuleError(f"unknown feature block {name!r}")
    if not isinstance(spec, dict):
        raise ModelRuleError(f"the {name} features' settings must be a mapping")
    analyzer = spec.get("analyzer", "word")
    _choice(analyzer, f"the {name} features' analyzer", tuple(ANALYZERS))
    _ngrams(spec.get("ngram_range", [1, 1]), f"the {name} features' ngram_range",
            ANALYZERS[analyzer])
    if "token_pattern" in spec:
        pattern = spec["token_pattern"]
        if pattern not in TOKEN_PATTERNS:
            raise ModelRuleError(f"the {name} features' token pattern {pattern!r} is not one "
                                 "themecoder writes")
    _choice(spec.get("strip_accents"), f"the {name} features' strip_accents", STRIP_ACCENTS)
    for flag in ("lowercase", "sublinear_tf"):
        _choice(spec.get(flag, True), f"the {name} features' {flag}", (True, False))
    for bound in ("min_df", "max_df"):
        if bound in spec:
            _number(spec[bound], f"the {name} features' {bound}", 0, 1e9)
    _number(spec.get("max_features"), f"the {name} features' max_features", 1, 1e9,
            integer=True, optional=True)
    unknown = sorted(set(spec) - {"analyzer", "ngram_range", "token_pattern", "strip_accents",
                                  "lowercase", "sublinear_tf", "min_df", "max_df",
                                  "max_features"})
    if unknown:
        raise ModelRuleError(f"the {name} features set unknown option(s): {', '.join(unknown)}")


def _finite(arrays: dict[str, np.ndarray], name: str, low: float = -math.inf,
            high: float = math.inf) -> None:
    if name not in arrays:
        return
    values = arrays[name]
    if values.dtype.kind not in "fiub":
        raise ModelRuleError(f"array {name} must hold numbers")
    if values.size and (not np.isfinite(values).all() or values.min() < low
                        or values.max() > high):
        raise ModelRuleError(f"array {name} holds values outside {low:g}…{high:g} (or not "
                             "finite)")


def check_state(state: Any, arrays: dict[str, np.ndarray], embedding_model: str) -> None:
    """Everything a model file sets, against what themecoder writes.

    Args:
        state: the ``model`` entry of ``model.json``.
        arrays: the arrays of ``arrays.npz``.
        embedding_model: the one embedding model themecoder uses.

    Raises:
        ModelRuleError: naming the first setting that is not allowed.
    """
    if not isinstance(state, dict) or state.get("class") != "ThemeClassifier":
        raise ModelRuleError("not a ThemeClassifier's settings")
    check_params(state.get("params"))
    features = state.get("features")
    if not isinstance(features, dict) or not isinstance(features.get("specs"), dict) \
            or not isinstance(features.get("weights"), dict):
        raise ModelRuleError("the feature settings must be a mapping of specs and weights")
    for name, spec in features["specs"].items():
        check_spec(name, spec)
    for name, weight in features["weights"].items():
        if name not in features["specs"]:
            raise ModelRuleError(f"a weight for the unknown feature block {name!r}")
        _number(weight, f"the weight of the {name} features", 0, 10)
    for key in ("global_threshold", "embedding_weight"):
        _number(state.get(key), key, 0, 1)
    _number(state.get("not_assigned_threshold"), "not_assigned_threshold", 0, 1,
            optional=True)
    _number(state.get("not_assigned_margin"), "not_assigned_margin", 0, 1e3)
    if "keyword_weight" in state:
        _number(state.get("keyword_weight"), "keyword_weight", 0, 1)
        _number(state.get("keyword_not_assigned_threshold"), "keyword_not_assigned_threshold",
                0, 1, optional=True)
        _number(state.get("keyword_not_assigned_margin"), "keyword_not_assigned_margin", 0, 1e3)
        if "keyword_thresholds" not in arrays:
            raise ModelRuleError("a keyword weight without keyword thresholds")
    package = state.get("embedding_package")
    if package is not None and (not isinstance(package, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in package.items())):
        raise ModelRuleError("embedding_package must name a package and its version")
    _number(state.get("n_examples"), "n_examples", 0, 1e9, integer=True)
    _choice(state.get("embedding_model"), "embedding_model", (None, embedding_model))
    questions = state.get("embedding_questions")
    if questions is not None and (not isinstance(questions, list)
                                  or not all(isinstance(q, str) for q in questions)):
        raise ModelRuleError("embedding_questions must be a list of question ids")
    for name in ("coef", "intercept", "embedding_coef", "embedding_intercept"):
        _finite(arrays, name)
    _finite(arrays, "thresholds", 0, 1)
    _finite(arrays, "keyword_thresholds", 0, 1)
    _finite(arrays, "untrained_themes", 0, 1)
    # the calibration of exact-set probabilities (themecoder autocode): a probability map
    for name in sorted(n for n in arrays if n.startswith("calibration_")):
        _finite(arrays, name, *((0, 1) if name == "calibration_score_y" else ()))
    for name in features["specs"]:
        _finite(arrays, f"idf_{name}", 0, math.inf)
        vocabulary = arrays.get(f"vocab_{name}")
        if vocabulary is not None and vocabulary.dtype.kind != "U":
            raise ModelRuleError(f"array vocab_{name} must hold text")
