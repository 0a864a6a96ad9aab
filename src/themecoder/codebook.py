"""Codebook model: themes with definitions and keywords, loaded from and saved to YAML.

A codebook file looks like this::

    id: poet_holders
    name: POET personal budget holders
    version: "1.0"
    groups: [holder]
    questions: [worked_well, not_well, change]
    not_assigned:
      id: not_assigned
      name: Not assigned
      definition: Too vague to code.
    themes:
      - id: staff
        name: Staff
        definition: Knowledge and attitudes of council staff.
        keywords: [social worker, care manager, staff]
        patterns: ['\\bSW\\b']          # optional regular expressions
        questions: [worked_well, not_well, change]   # optional, default all
        replaces: [old_staff]           # optional: ids of earlier versions' themes it folds in
    non_answers:                        # optional: answers that say nothing ("n/a", "-")
      count_as: comment                 # or no-comment: the export's default rule
      phrases: [n/a, nothing, no comment]
      patterns: ['[\\W_]*']           # regular expressions matching the whole answer

Loading validates everything and reports the first problem as a
:class:`~themecoder.errors.CodebookError` naming the file, the line and the field.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from themecoder.errors import CodebookError, read_user_text
from themecoder.questions import QUESTION_LABELS, QUESTIONS, DeclaredQuestion, question_label

__all__ = ["QUESTIONS", "QUESTION_LABELS", "Codebook", "CodebookError", "DeclaredQuestion",
           "NonAnswers", "NotAssigned", "Theme", "bump_version", "load_codebook",
           "loads_codebook", "normalise_answer", "save_codebook", "slugify"]

_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_TOP_FIELDS = {"id", "name", "version", "groups", "questions", "not_assigned", "themes",
               "description", "non_answers"}
_TOP_REQUIRED = ("id", "name", "version", "groups", "not_assigned", "themes")
_THEME_FIELDS = {"id", "name", "definition", "keywords", "patterns", "questions", "exclude",
                 "replaces"}
_THEME_REQUIRED = ("id", "name", "definition")
_NA_FIELDS = {"id", "name", "definition"}
_NON_ANSWER_FIELDS = {"count_as", "phrases", "patterns"}

NON_ANSWER_RULES = ("comment", "no-comment")
"""How exports count an answer that matches a non-answer phrase or pattern."""


@dataclass(frozen=True)
class Theme:
    """One codebook entry.

    Attributes:
        id: Stable identifier (lower-case, digits, underscores); stored with every decision.
        name: The name as the report prints it.
        definition: What the theme covers, for coders.
        keywords: Words and phrases that signal the theme (matched on lemmas, fuzzily).
        patterns: Optional regular expressions that signal the theme.
        exclude: Phrases that, when present, stop the keywords from firing.
        questions: Questions the theme applies to.
        replaces: Ids of themes of earlier codebook versions whose mentions this theme takes
            over in tallies (where the old theme no longer applies).
    """

    id: str
    name: str
    definition: str
    keywords: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    questions: tuple[str, ...] = QUESTIONS
    replaces: tuple[str, ...] = ()


@dataclass(frozen=True)
class NotAssigned:
    """The codebook's code for answers too vague to assign to any theme."""

    id: str = "not_assigned"
    name: str = "Not assigned"
    definition: str = "Too vague or off-topic to assign to a theme."


@dataclass(frozen=True)
class NonAnswers:
    """Answers that say nothing ("n/a", "-", "no comment") and how exports count them.

    Attributes:
        phrases: whole answers that are non-answers, compared case-insensitively after
            trimming spaces and a trailing full stop or exclamation mark.
        patterns: regular expressions that match a whole (trimmed, lower-cased) answer.
        count_as: ``"comment"`` (the answer counts as a comment) or ``"no-comment"`` (it
            counts like an empty answer): the default rule of exports.
    """

    phrases: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    count_as: str = "comment"

    def matcher(self) -> Callable[[str], bool]:
        """A function telling whether an answer text is a non-answer."""
        phrases = {normalise_answer(p) for p in self.phrases}
        compiled = [re.compile(p, re.IGNORECASE) for p in self.patterns]

        def is_non_answer(text: str) -> bool:
            norm = normalise_answer(text)
            if not norm:
                return False
            return norm in phrases or any(c.fullmatch(norm) for c in compiled)

        return is_non_answer

    def to_dict(self) -> dict[str, Any]:
        """The block as plain data, in the YAML file's shape."""
        out: dict[str, Any] = {"count_as": self.count_as}
        if self.phrases:
            out["phrases"] = list(self.phrases)
        if self.patterns:
            out["patterns"] = list(self.patterns)
        return out


def normalise_answer(text: str) -> str:
    """An answer as non-answer phrases are compared: lower case, single spaces, no trailing
    ``.`` or ``!``."""
    norm = " ".join(str(text).casefold().split())
    stripped = norm.rstrip(".!").rstrip()
    return stripped or norm


@dataclass(frozen=True)
class Codebook:
    """A versioned list of themes for one or more respondent groups."""

    id: str
    name: str
    version: str
    groups: tuple[str, ...]
    themes: tuple[Theme, ...]
    not_assigned: NotAssigned = NotAssigned()
    questions: tuple[str, ...] = QUESTIONS
    description: str = ""
    non_answers: NonAnswers | None = None
    declared_questions: tuple[DeclaredQuestion, ...] = ()
    source: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {t.id: t for t in self.themes})
        object.__setattr__(self, "_by_name", {t.name.casefold(): t for t in self.themes})

    @property
    def theme_ids(self) -> list[str]:
        """Theme ids in codebook order."""
        return [t.id for t in self.themes]

    @property
    def theme_names(self) -> list[str]:
        """Theme names in codebook order."""
        return [t.name for t in self.themes]

    def theme(self, key: str) -> Theme:
        """The theme with this id or (case-insensitive) name.

        Raises:
            KeyError: no such theme.
        """
        found = self._by_id.get(key) or self._by_name.get(key.casefold())  # type: ignore[attr-defined]
        if found is None:
            raise KeyError(key)
        return found

    def find(self, key: str) -> Theme | None:
        """Like :meth:`theme` but returns ``None`` when there is no such theme."""
        try:
            return self.theme(key)
        except KeyError:
            return None

    def themes_for(self, question: str | None = None) -> list[Theme]:
        """Themes that apply to ``question`` (all themes when ``None``)."""
        if question is None:
            return list(self.themes)
        return [t for t in self.themes if question in t.questions]

    def applies_to(self, group: str) -> bool:
        """Whether this codebook codes answers of respondent group ``group``."""
        return group.casefold() in {g.casefold() for g in self.groups}

    def question_label(self, question: str) -> str:
        """How reports name ``question``: its declared label, the POET label, or the id."""
        return question_label(question, self.declared_questions)

    @property
    def fingerprint(self) -> str:
        """A short hash of the theme ids and names: changes when the theme list changes."""
        text = "\n".join(f"{t.id}\t{t.name}" for t in self.themes)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        """The codebook as plain data, in the YAML file's shape."""
        out: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "version": self.version,
        }
        if self.description:
            out["description"] = self.description
        out["groups"] = list(self.groups)
        declared = {q.id: q for q in self.declared_questions}
        out["questions"] = [_question_dict(declared[q]) if q in declared else q
                            for q in self.questions]
        out["not_assigned"] = {
            "id": self.not_assigned.id,
            "name": self.not_assigned.name,
            "definition": self.not_assigned.definition,
        }
        if self.non_answers is not None:
            out["non_answers"] = self.non_answers.to_dict()
        themes = []
        for t in self.themes:
            item: dict[str, Any] = {"id": t.id, "name": t.name, "definition": t.definition}
            if t.keywords:
                item["keywords"] = list(t.keywords)
            if t.patterns:
                item["patterns"] = list(t.patterns)
            if t.exclude:
                item["exclude"] = list(t.exclude)
            if tuple(t.questions) != tuple(self.questions):
                item["questions"] = list(t.questions)
            if t.replaces:
                item["replaces"] = list(t.replaces)
            themes.append(item)
        out["themes"] = themes
        return out

    def to_yaml(self) -> str:
        """The codebook as YAML text that :func:`loads_codebook` reads back unchanged."""
        return yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True, width=100)

    def with_theme(self, theme: Theme, version: str | None = None) -> Codebook:
        """A new codebook version with ``theme`` added at the end.

        Raises:
            CodebookError: the id or name is already taken.
        """
        if theme.id in self.theme_ids or self.find(theme.name) is not None:
            raise CodebookError(f"a theme '{theme.name}' ({theme.id}) already exists",
                                file=self.source, field="themes")
        return replace(self, version=version or bump_version(self.version),
                       themes=(*self.themes, theme))


def _question_dict(question: DeclaredQuestion) -> dict[str, Any]:
    out: dict[str, Any] = {"id": question.id, "label": question.label}
    if question.aliases:
        out["aliases"] = list(question.aliases)
    return out


def bump_version(version: str) -> str:
    """Next minor version: ``"1.0"`` → ``"1.1"``, ``"2"`` → ``"2.1"``, ``"1.2.3"`` → ``"1.3"``."""
    parts = version.split(".")
    if len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit():
        return f"{parts[0]}.{int(parts[1]) + 1}"
    return f"{version}.1"


def slugify(name: str) -> str:
    """A theme id from a name: ``"Choice/control"`` → ``"choice_control"``."""
    slug = re.sub(r"[^a-z0-9]+", "_", name.casefold()).strip("_")
    if not slug or not slug[0].isalpha():
        slug = f"t_{slug}"
    return slug


# --------------------------------------------------------------------------- loading


def load_codebook(path: str | Path) -> Codebook:
    """Read and validate a codebook YAML file.

    Raises:
        CodebookError: the file is missing, not YAML, or not a valid codebook; the message
            names the file, the line and the field.
    """
    text = read_user_text(path, CodebookError, "codebook file")
    return loads_codebook(text, source=str(path))


def loads_codebook(text: str, source: str = "<codebook>") -> Codebook:
    """Parse and validate codebook YAML text (``source`` names it in errors)."""
    try:
        # libyaml's loader when installed: the same nodes and line numbers, far faster
        node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise CodebookError(
            f"not valid YAML: {problem}", file=source,
            line=mark.line + 1 if mark is not None else None,
        ) from None
    except (ValueError, RecursionError) as exc:  # e.g. odd characters the reader refuses
        raise CodebookError(f"not valid YAML: {exc}", file=source) from None
    return _Validator(source).codebook(node)


class _Validator:
    """Walks the composed YAML node tree so every error can name its line."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, node: yaml.Node | None, field: str | None, message: str) -> CodebookError:
        line = node.start_mark.line + 1 if node is not None else None
        return CodebookError(message, file=self.source, line=line, field=field)

    def mapping(self, node: yaml.Node | None,
                field: str | None) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, field, "expected a mapping of keys to values")
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.fail(key_node, field, "keys must be plain names")
            key = key_node.value
            if key in out:
                raise self.fail(key_node, key, "appears twice")
            out[key] = (key_node, value_node)
        return out

    def text(self, node: yaml.Node, field: str, *, allow_empty: bool = False) -> str:
        if not isinstance(node, yaml.ScalarNode) or node.tag.endswith(":null"):
            raise self.fail(node, field, "expected text")
        value = str(node.value).strip()
        if not value and not allow_empty:
            raise self.fail(node, field, "must not be empty")
        return value

    def text_list(self, node: yaml.Node, field: str) -> tuple[str, ...]:
        if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null"):
            return ()
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, field, "expected a list")
        return tuple(self.text(item, field) for item in node.value)

    def identifier_list(self, node: yaml.Node, field: str) -> tuple[str, ...]:
        self.text_list(node, field)  # a list of texts, or a one-line error
        return tuple(self.identifier(item, field) for item in getattr(node, "value", []) or [])

    def check_fields(self, items: dict, allowed: set[str], required: Iterable[str],
                     owner: yaml.Node, prefix: str) -> None:
        for key, (key_node, _) in items.items():
            if key not in allowed:
                raise self.fail(key_node, f"{prefix}{key}",
                                f"unknown field (expected one of: {', '.join(sorted(allowed))})")
        for key in required:
            if key not in items:
                raise self.fail(owner, f"{prefix}{key}", "missing required field")

    def identifier(self, node: yaml.Node, field: str) -> str:
        value = self.text(node, field)
        if not _ID_RE.match(value):
            raise self.fail(node, field,
                            f"'{value}' is not a valid id (lower-case letters, digits and _; "
                            "starting with a letter)")
        return value

    def questions(self, node: yaml.Node,
                  field: str) -> tuple[tuple[str, ...], tuple[DeclaredQuestion, ...]]:
        """The codebook's questions: POET ids, or declarations ``{id, label, aliases}``."""
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            raise self.fail(node, field, "must list at least one question")
        ids: list[str] = []
        declared: list[DeclaredQuestion] = []
        for item in node.value:
            if isinstance(item, yaml.MappingNode):
                question = self.declared_question(item, field)
                declared.append(question)
                value = question.id
            else:
                value = self.text(item, field)
                if value not in QUESTIONS:
                    raise self.fail(item, field, f"unknown question '{value}' (expected: "
                                    f"{', '.join(QUESTIONS)}, or declare it: "
                                    "{id: ..., label: ...})")
            if value in ids:
                raise self.fail(item, field, f"question '{value}' is listed twice")
            ids.append(value)
        return tuple(ids), tuple(declared)

    def declared_question(self, node: yaml.MappingNode, field: str) -> DeclaredQuestion:
        items = self.mapping(node, field)
        self.check_fields(items, {"id", "label", "aliases"}, ("id", "label"), node, f"{field}.")
        return DeclaredQuestion(id=self.identifier(items["id"][1], f"{field}.id"),
                                label=self.text(items["label"][1], f"{field}.label"),
                                aliases=self.text_list(items["aliases"][1], f"{field}.aliases")
                                if "aliases" in items else ())

    def codebook(self, root: yaml.Node | None) -> Codebook:
        if root is None:
            raise CodebookError("the file is empty", file=self.source)
        top = self.mapping(root, None)
        self.check_fields(top, _TOP_FIELDS, _TOP_REQUIRED, root, "")
        cb_id = self.identifier(top["id"][1], "id")
        name = self.text(top["name"][1], "name")
        version = self.text(top["version"][1], "version")
        description = self.text(top["description"][1], "description", allow_empty=True) \
            if "description" in top else ""
        groups = self.text_list(top["groups"][1], "groups")
        if not groups:
            raise self.fail(top["groups"][1], "groups", "must name at least one respondent group")
        questions, declared = self.questions(top["questions"][1], "questions") \
            if "questions" in top else (QUESTIONS, ())
        not_assigned = self.not_assigned(top["not_assigned"][1])
        themes_node = top["themes"][1]
        if not isinstance(themes_node, yaml.SequenceNode) or not themes_node.value:
            raise self.fail(themes_node, "themes", "expected a non-empty list of themes")
        themes: list[Theme] = []
        seen_ids: dict[str, int] = {not_assigned.id: 0}
        seen_names: dict[str, int] = {not_assigned.name.casefold(): 0}
        for index, theme_node in enumerate(themes_node.value):
            theme = self.theme(theme_node, index, questions)
            line = theme_node.start_mark.line + 1
            if theme.id in seen_ids:
                raise self.fail(theme_node, f"themes[{index}].id",
                                f"duplicate id '{theme.id}' "
                                f"(first used on line {seen_ids[theme.id]})")
            if theme.name.casefold() in seen_names:
                raise self.fail(theme_node, f"themes[{index}].name",
                                f"duplicate name '{theme.name}' "
                                f"(first used on line {seen_names[theme.name.casefold()]})")
            seen_ids[theme.id] = line
            seen_names[theme.name.casefold()] = line
            themes.append(theme)
        self.check_replaces(themes_node, themes)
        non_answers = self.non_answers(top["non_answers"][1]) if "non_answers" in top else None
        return Codebook(id=cb_id, name=name, version=version, groups=groups, themes=tuple(themes),
                        not_assigned=not_assigned, questions=questions, description=description,
                        non_answers=non_answers, declared_questions=declared,
                        source=self.source)

    def check_replaces(self, themes_node: yaml.SequenceNode, themes: list[Theme]) -> None:
        """An old theme is folded into at most one theme per question, never into itself."""
        claimed: dict[tuple[str, str], str] = {}
        for index, theme in enumerate(themes):
            node = themes_node.value[index]
            for old in theme.replaces:
                if old == theme.id:
                    raise self.fail(node, f"themes[{index}].replaces",
                                    f"theme '{theme.id}' cannot replace itself")
                for question in theme.questions:
                    other = claimed.get((old, question))
                    if other is not None:
                        raise self.fail(node, f"themes[{index}].replaces",
                                        f"'{old}' is already replaced by '{other}' for "
                                        f"question {question}")
                    claimed[(old, question)] = theme.id

    def non_answers(self, node: yaml.Node) -> NonAnswers:
        items = self.mapping(node, "non_answers")
        self.check_fields(items, _NON_ANSWER_FIELDS, (), node, "non_answers.")
        count_as = "comment"
        if "count_as" in items:
            count_as = self.text(items["count_as"][1], "non_answers.count_as")
            if count_as not in NON_ANSWER_RULES:
                raise self.fail(items["count_as"][1], "non_answers.count_as",
                                f"'{count_as}' is not a rule (expected: "
                                f"{', '.join(NON_ANSWER_RULES)})")
        phrases = self.text_list(items["phrases"][1], "non_answers.phrases") \
            if "phrases" in items else ()
        patterns = self.text_list(items["patterns"][1], "non_answers.patterns") \
            if "patterns" in items else ()
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise self.fail(items["patterns"][1], "non_answers.patterns",
                                f"bad regular expression '{pattern}': {exc}") from None
        return NonAnswers(phrases=phrases, patterns=patterns, count_as=count_as)

    def not_assigned(self, node: yaml.Node) -> NotAssigned:
        items = self.mapping(node, "not_assigned")
        self.check_fields(items, _NA_FIELDS, ("id", "name"), node, "not_assigned.")
        definition = (self.text(items["definition"][1], "not_assigned.definition")
                      if "definition" in items else NotAssigned.definition)
        return NotAssigned(
            id=self.identifier(items["id"][1], "not_assigned.id"),
            name=self.text(items["name"][1], "not_assigned.name"),
            definition=definition,
        )

    def theme(self, node: yaml.Node, index: int, default_questions: tuple[str, ...]) -> Theme:
        prefix = f"themes[{index}]."
        items = self.mapping(node, f"themes[{index}]")
        self.check_fields(items, _THEME_FIELDS, _THEME_REQUIRED, node, prefix)
        patterns = self.text_list(items["patterns"][1], prefix + "patterns") \
            if "patterns" in items else ()
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise self.fail(items["patterns"][1], prefix + "patterns",
                                f"bad regular expression '{pattern}': {exc}") from None
        questions = default_questions
        if "questions" in items:
            questions = self.text_list(items["questions"][1], prefix + "questions")
            if not questions:
                raise self.fail(items["questions"][1], prefix + "questions",
                                "must name at least one question")
            for q in questions:
                if q not in default_questions:
                    raise self.fail(items["questions"][1], prefix + "questions",
                                    f"question '{q}' is not one of the codebook's questions")

        def optional_list(key: str) -> tuple[str, ...]:
            return self.text_list(items[key][1], prefix + key) if key in items else ()

        return Theme(
            id=self.identifier(items["id"][1], prefix + "id"),
            name=self.text(items["name"][1], prefix + "name"),
            definition=self.text(items["definition"][1], prefix + "definition"),
            keywords=optional_list("keywords"),
            patterns=patterns,
            exclude=optional_list("exclude"),
            questions=questions,
            replaces=self.identifier_list(items["replaces"][1], prefix + "replaces")
            if "replaces" in items else (),
        )


def save_codebook(codebook: Codebook, path: str | Path) -> Path:
    """Write ``codebook`` as YAML to ``path`` (atomically: a crash leaves the old file)."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(codebook.to_yaml(), encoding="utf-8")
    tmp.replace(path)
    return path
