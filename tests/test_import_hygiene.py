"""Layering: the domain never imports Textual, and the package root stays light."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

DOMAIN_MODULES = [
    "themecoder.codebook", "themecoder.survey", "themecoder.store", "themecoder.errors",
    "themecoder.suggest", "themecoder.suggest.keywords", "themecoder.suggest.suggester",
    "themecoder.suggest.model", "themecoder.suggest.classifier", "themecoder.suggest.features",
    "themecoder.suggest.embeddings", "themecoder.suggest.decision",
    "themecoder.suggest.model_files", "themecoder.evaluate", "themecoder.export",
    "themecoder.agreement", "themecoder.coding", "themecoder.pace", "themecoder.store.drafts",
    "themecoder.discover", "themecoder.learning",
    "themecoder.store.teams", "themecoder.suggest.project_suggest", "themecoder.export.charts",
    "themecoder.resources", "themecoder.safe_cells", "themecoder.retraining",
    "themecoder.training_sets", "themecoder.version_check", "themecoder.model_versions",
    "themecoder.store.model_registry",
    "themecoder.resources", "themecoder.safe_cells", "themecoder.quotes", "themecoder.redact",
    "themecoder.export.workbook", "themecoder.export.settings",
    "themecoder.safe_text", "themecoder.survey_tables", "themecoder.store.access",
    "themecoder.questions", "themecoder.export.limits", "themecoder.export.publish",
    "themecoder.suggest.clauses", "themecoder.store.updates", "themecoder.suggest.model_rules",
    "themecoder.store.claims", "themecoder.store.samples", "themecoder.coding_filter",
    "themecoder.suggest.ahead", "themecoder.suggest.semantic", "themecoder.suggest.vague",
    "themecoder.autocode", "themecoder.store.autocode",
    "themecoder.suggest.calibration", "themecoder.export.sources",
]


def loaded_after_import(module: str) -> set[str]:
    code = (f"import sys, importlib; importlib.import_module({module!r}); "
            "print(' '.join(sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return set(out.stdout.split())


@pytest.mark.parametrize("module", DOMAIN_MODULES)
def test_domain_module_does_not_import_textual(module: str) -> None:
    assert "textual" not in loaded_after_import(module)


def test_package_root_is_light() -> None:
    loaded = loaded_after_import("themecoder")
    for heavy in ("textual", "spacy", "sklearn", "pandas", "sqlalchemy", "matplotlib"):
        assert heavy not in loaded


def test_import_contracts_hold() -> None:
    """The import-linter contracts declared in pyproject.toml are kept."""
    import shutil

    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.skip("import-linter is not installed (pip install -e '.[test]')")
    out = subprocess.run([exe], capture_output=True, text=True, cwd=Path(__file__).parents[1])
    assert out.returncode == 0, out.stdout + out.stderr
    assert "broken" in out.stdout and "0 broken" in out.stdout
