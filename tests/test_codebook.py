"""Codebook loading and validation: every problem names the file, the line and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from themecoder.codebook import (
    Codebook,
    Theme,
    bump_version,
    load_codebook,
    loads_codebook,
    save_codebook,
    slugify,
)
from themecoder.errors import CodebookError

VALID = """\
id: demo
name: Demo codebook
version: "1.0"
groups: [holder]
not_assigned:
  id: not_assigned
  name: Not assigned
themes:
  - id: staff
    name: Staff
    definition: Council staff.
    keywords: [social worker, care manager]
  - id: process
    name: Process
    definition: Getting the budget.
    keywords: [paperwork, forms]
    questions: [not_well, change]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "codebook.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def error_for(tmp_path: Path, text: str) -> CodebookError:
    with pytest.raises(CodebookError) as info:
        load_codebook(write(tmp_path, text))
    return info.value


def test_valid_codebook_loads_with_defaults(tmp_path: Path) -> None:
    cb = load_codebook(write(tmp_path, VALID))
    assert cb.id == "demo" and cb.version == "1.0"
    assert cb.theme_names == ["Staff", "Process"]
    assert cb.theme("staff").keywords == ("social worker", "care manager")
    assert cb.theme("PROCESS").id == "process"  # by name, any case
    assert cb.theme("staff").questions == ("worked_well", "not_well", "change")
    assert [t.id for t in cb.themes_for("worked_well")] == ["staff"]
    assert cb.applies_to("Holder") and not cb.applies_to("carer")


def test_round_trip_through_yaml(tmp_path: Path) -> None:
    cb = load_codebook(write(tmp_path, VALID))
    again = loads_codebook(cb.to_yaml())
    assert again.to_dict() == cb.to_dict()
    out = save_codebook(cb, tmp_path / "copy.yaml")
    assert load_codebook(out).to_dict() == cb.to_dict()


def test_duplicate_id_names_line_and_field(tmp_path: Path) -> None:
    text = VALID.replace("id: process", "id: staff")
    err = error_for(tmp_path, text)
    assert err.line == 13
    assert err.field == "themes[1].id"
    assert "duplicate id 'staff'" in str(err)
    assert str(err).startswith(str(tmp_path / "codebook.yaml") + ":13:")


def test_duplicate_name_any_case(tmp_path: Path) -> None:
    err = error_for(tmp_path, VALID.replace("name: Process", "name: STAFF"))
    assert err.field == "themes[1].name" and "duplicate name" in str(err)


def test_missing_field(tmp_path: Path) -> None:
    err = error_for(tmp_path, VALID.replace("    definition: Council staff.\n", ""))
    assert err.field == "themes[0].definition"
    assert err.line == 9
    assert "missing" in str(err)


def test_unknown_field(tmp_path: Path) -> None:
    err = error_for(tmp_path, VALID.replace("    keywords: [paperwork, forms]",
                                            "    keywrods: [paperwork, forms]"))
    assert err.field == "themes[1].keywrods" and err.line == 16
    assert "unknown field" in str(err)


def test_bad_yaml_names_line(tmp_path: Path) -> None:
    err = error_for(tmp_path, VALID.replace("groups: [holder]", "groups: [holder"))
    assert err.line is not None and "not valid YAML" in str(err)


@pytest.mark.parametrize("text, field", [
    ("", None),
    ("- just a list", None),
    (VALID.replace('version: "1.0"\n', ""), "version"),
    (VALID.replace("groups: [holder]", "groups: []"), "groups"),
    (VALID.replace("id: demo", "id: Demo Book"), "id"),
    (VALID.replace("questions: [not_well, change]", "questions: [sometimes]"),
     "themes[1].questions"),
    (VALID.replace("keywords: [social worker, care manager]", "keywords: social worker"),
     "themes[0].keywords"),
    (VALID.replace("    keywords: [paperwork, forms]", "    patterns: ['(unclosed']"),
     "themes[1].patterns"),
])
def test_invalid_codebooks_raise_codebook_error(tmp_path: Path, text: str,
                                               field: str | None) -> None:
    err = error_for(tmp_path, text)
    assert err.field == field
    assert "\n" not in str(err)


def test_missing_file() -> None:
    with pytest.raises(CodebookError, match="no such codebook file"):
        load_codebook("/nonexistent/codebook.yaml")


def test_with_theme_bumps_version_and_refuses_duplicates(tmp_path: Path) -> None:
    cb = load_codebook(write(tmp_path, VALID))
    new = cb.with_theme(Theme(id="transport", name="Transport", definition="Getting about."))
    assert new.version == "1.1" and new.theme_ids[-1] == "transport"
    assert cb.version == "1.0"  # the original is unchanged
    with pytest.raises(CodebookError):
        new.with_theme(Theme(id="other", name="transport", definition="x"))


def test_helpers() -> None:
    assert bump_version("1.9") == "1.10"
    assert bump_version("v2") == "v2.1"
    assert slugify("Choice/control") == "choice_control"
    assert slugify("2nd theme") == "t_2nd_theme"


def test_fingerprint_changes_with_theme_list() -> None:
    a = Codebook(id="x", name="X", version="1", groups=("g",),
                 themes=(Theme("a", "A", "d"),))
    b = Codebook(id="x", name="X", version="1", groups=("g",),
                 themes=(Theme("a", "A", "d"), Theme("b", "B", "d")))
    assert a.fingerprint != b.fingerprint
