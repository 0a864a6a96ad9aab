"""The export settings block: figure titles, quote bank choices, significance level.

A small YAML block a report writer edits::

    figures:
      holder: "Figure 12. Personal budget holders' comments on what worked well, ..."
      carer: "Figure 20. Carers' comments on what worked well, ..."
    quotes:
      per_theme: 3
      attribution: [group, age_band, budget_type, council]
      min_words: 5
      max_words: 60
    significance: 0.05
    non_answers: comment        # optional: comment | no-comment (else the codebook's rule)

It is stored in the project (``themecoder settings PROJECT --load FILE``) or given for one
run (``--settings FILE``); every export writes the block it used as ``export_settings.yaml``.
Errors name the file, the line and the field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from themecoder.codebook import NON_ANSWER_RULES, Codebook
from themecoder.errors import ExportError, read_user_text

SETTINGS_KEY = "export_settings"
"""The project setting that holds the stored block (YAML text)."""

DEFAULT_TITLES = {
    "holder": ("Figure 12. Personal budget holders' comments on what worked well, what "
               "didn't work well and what should change"),
    "carer": ("Figure 20. Carers' comments on what worked well, what didn't work well and "
              "what should change"),
}
"""The national report's figure titles, by respondent group."""

_GROUP_ALIASES = {"holders": "holder", "personal budget holder": "holder",
                  "personal budget holders": "holder", "carers": "carer"}

_FIELDS = {"figures", "quotes", "significance", "non_answers"}
_QUOTE_FIELDS = {"per_theme", "attribution", "min_words", "max_words"}


@dataclass(frozen=True)
class ExportSettings:
    """What a report writer may change without touching code.

    Attributes:
        figure_titles: title per respondent group (defaults: Figures 12 and 20).
        quotes_per_theme: at most this many quotes per group × question × theme.
        attribution: respondent attributes named in each quote's attribution.
        min_words / max_words: readable quote length.
        significance: Holm-adjusted p-values below this are reported as differences.
        non_answers: ``comment`` / ``no-comment``, or ``None`` for the codebook's rule.
    """

    figure_titles: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_TITLES))
    quotes_per_theme: int = 3
    attribution: tuple[str, ...] = ("group",)
    min_words: int = 5
    max_words: int = 60
    significance: float = 0.05
    non_answers: str | None = None

    def figure_title(self, group: str, codebook: Codebook | None = None) -> str:
        """The title of a group's figure."""
        key = _GROUP_ALIASES.get(group.casefold(), group.casefold())
        if key in self.figure_titles:
            return self.figure_titles[key]
        if group in self.figure_titles:
            return self.figure_titles[group]
        name = codebook.name if codebook is not None else group
        return (f"{name}: comments on what worked well, what didn't work well and what "
                "should change")

    def to_yaml(self) -> str:
        """The block as YAML a person can edit (and :func:`loads_settings` reads back)."""
        data: dict[str, Any] = {
            "figures": dict(self.figure_titles),
            "quotes": {"per_theme": self.quotes_per_theme,
                       "attribution": list(self.attribution),
                       "min_words": self.min_words, "max_words": self.max_words},
            "significance": self.significance,
        }
        if self.non_answers is not None:
            data["non_answers"] = self.non_answers
        head = ("# themecoder export settings: edit, then `themecoder settings PROJECT --load "
                "FILE`\n# or pass --settings FILE to export, quotes or report.\n")
        return head + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)

    def with_overrides(self, **changes: Any) -> ExportSettings:
        """A copy with the non-``None`` values of ``changes`` replaced."""
        values = {k: v for k, v in changes.items() if v is not None}
        return ExportSettings(**{**self.__dict__, **values})


def _fail(source: str, node: yaml.Node | None, field_name: str, message: str) -> ExportError:
    line = node.start_mark.line + 1 if node is not None else None
    return ExportError(message, file=source, line=line, field=field_name)


def _mapping(source: str, node: yaml.Node, field_name: str) -> dict[str, tuple[Any, Any]]:
    if not isinstance(node, yaml.MappingNode):
        raise _fail(source, node, field_name, "expected a mapping of keys to values")
    return {k.value: (k, v) for k, v in node.value}


def _scalar(source: str, node: yaml.Node, field_name: str) -> str:
    if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
        raise _fail(source, node, field_name, "expected a value")
    return str(node.value).strip()


def _number(source: str, node: yaml.Node, field_name: str, kind: type, low: float,
            high: float) -> Any:
    text = _scalar(source, node, field_name)
    try:
        value = kind(text)
    except ValueError:
        raise _fail(source, node, field_name, f"expected a number, found '{text}'") from None
    if not low <= value <= high:
        raise _fail(source, node, field_name, f"must be between {low:g} and {high:g}")
    return value


def _check_keys(source: str, items: dict, allowed: set[str], prefix: str) -> None:
    for key, (key_node, _value) in items.items():
        if key not in allowed:
            raise _fail(source, key_node, prefix + key,
                        f"unknown field (expected one of: {', '.join(sorted(allowed))})")


def loads_settings(text: str, source: str = "<settings>") -> ExportSettings:
    """Parse and validate a settings block (missing keys keep their defaults).

    Raises:
        ExportError: naming the source, line and field of the first problem.
    """
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ExportError(f"not valid YAML: {getattr(exc, 'problem', None) or exc}",
                          file=source, line=mark.line + 1 if mark else None) from None
    defaults = ExportSettings()
    if root is None:
        return defaults
    top = _mapping(source, root, "settings")
    _check_keys(source, top, _FIELDS, "")
    values: dict[str, Any] = {}
    if "figures" in top:
        figures = _mapping(source, top["figures"][1], "figures")
        titles = dict(defaults.figure_titles)
        for group, (_k, node) in figures.items():
            titles[_GROUP_ALIASES.get(group.casefold(), group)] = _scalar(
                source, node, f"figures.{group}")
        values["figure_titles"] = titles
    if "quotes" in top:
        quotes = _mapping(source, top["quotes"][1], "quotes")
        _check_keys(source, quotes, _QUOTE_FIELDS, "quotes.")
        if "per_theme" in quotes:
            values["quotes_per_theme"] = _number(source, quotes["per_theme"][1],
                                                 "quotes.per_theme", int, 1, 50)
        for key in ("min_words", "max_words"):
            if key in quotes:
                values[key] = _number(source, quotes[key][1], f"quotes.{key}", int, 1, 1000)
        if "attribution" in quotes:
            node = quotes["attribution"][1]
            if isinstance(node, yaml.ScalarNode):
                values["attribution"] = parse_attribution(str(node.value))
            elif isinstance(node, yaml.SequenceNode):
                values["attribution"] = tuple(_scalar(source, n, "quotes.attribution")
                                              for n in node.value)
            else:
                raise _fail(source, node, "quotes.attribution", "expected a list of attributes")
    if "significance" in top:
        values["significance"] = _number(source, top["significance"][1], "significance",
                                         float, 1e-9, 0.5)
    if "non_answers" in top:
        rule = _scalar(source, top["non_answers"][1], "non_answers")
        if rule not in NON_ANSWER_RULES:
            raise _fail(source, top["non_answers"][1], "non_answers",
                        f"'{rule}' is not a rule (expected: {', '.join(NON_ANSWER_RULES)})")
        values["non_answers"] = rule
    settings = defaults.with_overrides(**values)
    if settings.min_words > settings.max_words:
        raise ExportError("min_words is larger than max_words", file=source,
                          field="quotes.min_words")
    return settings


def load_settings(path: str | Path) -> ExportSettings:
    """Read a settings file.

    Raises:
        ExportError: the file is missing, unreadable or invalid.
    """
    text = read_user_text(path, ExportError, "settings file")
    return loads_settings(text, source=str(path))


def parse_attribution(text: str) -> tuple[str, ...]:
    """``"group, age_band, council"`` → ``("group", "age_band", "council")``."""
    return tuple(part.strip() for part in text.split(",") if part.strip())


def project_settings(project: Any, path: str | Path | None = None) -> ExportSettings:
    """The settings for one run: ``path`` if given, else the project's stored block, else
    the defaults."""
    if path is not None:
        return load_settings(path)
    stored = project.info().get(SETTINGS_KEY)
    if stored:
        return loads_settings(stored, source=f"{project.display_location} (stored settings)")
    return ExportSettings()


def store_settings(project: Any, path: str | Path) -> ExportSettings:
    """Validate a settings file and store it in the project."""
    settings = load_settings(path)
    project.set_info(SETTINGS_KEY, settings.to_yaml())
    return settings
