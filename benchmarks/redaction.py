"""Recall of the quote bank's redaction on the test sets written for it.

Usage (from the repository root)::

    python benchmarks/redaction.py

Prints, for the development set (rules may be tuned on it) and the held-out set (never used
to change the rules), the share of personal details of each kind that no longer appear in the
redacted text, and how many clean answers came out unchanged.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from themecoder.redact import redact_text, score_redaction

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"


def report(name: str, show_misses: bool) -> None:
    cases = yaml.safe_load((DATA / f"redaction_{name}.yaml").read_text())["cases"]
    scores = score_redaction(cases)
    found = sum(v["found"] for k, v in scores.items() if k != "clean")
    total = sum(v["total"] for k, v in scores.items() if k != "clean")
    print(f"{name}: {len(cases)} answers, {total} personal details")
    for kind, value in sorted(scores.items()):
        if kind == "clean":
            continue
        print(f"  {kind:8s} recall {value['found']}/{value['total']} "
              f"= {value['found'] / value['total']:.2f}")
    print(f"  overall  recall {found}/{total} = {found / total:.3f}")
    clean = scores["clean"]
    print(f"  clean answers unchanged {clean['unchanged']}/{clean['total']}")
    if show_misses:
        for case in cases:
            out = redact_text(case["text"])
            print(f"    {out}")


def main() -> None:
    import sys

    show = "--show" in sys.argv
    for name in ("dev", "held_out"):
        report(name, show and name == "dev")


if __name__ == "__main__":
    main()
