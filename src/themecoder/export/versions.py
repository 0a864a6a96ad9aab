"""Codebook versions in exports: no theme mention is lost when a codebook changes.

Decisions keep the theme ids they were made with. When a later codebook version drops a
theme, or restricts it to fewer questions, the mentions made earlier still count:

* under the theme of the current version that lists the old id in ``replaces:`` for that
  question ("folded in"), or else
* under the old theme itself, as a row marked *dropped* or *restricted* (with the version
  that changed it), so nothing vanishes and the export warns with the counts.

:func:`theme_plan` works this out per respondent group and question from the codebook's
version history and the mentions actually present.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from themecoder.codebook import Codebook

CURRENT = "current"
DROPPED = "dropped"
RESTRICTED = "restricted"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class ThemeEntry:
    """One theme row of a group × question table.

    Attributes:
        id: the theme id decisions store.
        name: the name to print (the newest version's name for an old theme).
        status: ``current``, ``dropped`` (not in the current version), ``restricted`` (in the
            current version but no longer for this question) or ``unknown`` (in no version).
        changed_in: the codebook version that dropped or restricted it ("" for current).
    """

    id: str
    name: str
    status: str = CURRENT
    changed_in: str = ""

    @property
    def label(self) -> str:
        """The name as tables print it: old themes say what happened to them."""
        if self.status == CURRENT:
            return self.name
        if self.status == UNKNOWN:
            return f"{self.name} (in no codebook version)"
        return f"{self.name} ({self.status} in v{self.changed_in})"


@dataclass
class ThemePlan:
    """What every mention counts as, per group and question.

    Attributes:
        entries: ``{(group, question): [ThemeEntry, ...]}``, current themes in codebook order
            then old themes that still have mentions.
        folds: ``{(group, question, old_id): new_id}`` from ``replaces:``, for mentions
            actually present.
    """

    entries: dict[tuple[str, str], list[ThemeEntry]] = field(default_factory=dict)
    folds: dict[tuple[str, str, str], str] = field(default_factory=dict)

    def old_entries(self) -> list[tuple[str, str, ThemeEntry]]:
        """``(group, question, entry)`` for every dropped, restricted or unknown theme."""
        return [(g, q, e) for (g, q), items in self.entries.items() for e in items
                if e.status != CURRENT]


def _history_status(theme_id: str, question: str, history: list[Codebook],
                    current: Codebook) -> ThemeEntry:
    last_name, last_applied = None, None
    for index, version in enumerate(history):
        theme = version.find(theme_id) if theme_id in version.theme_ids else None
        if theme is not None:
            last_name = theme.name
            if question in theme.questions:
                last_applied = index
    if last_name is None:
        return ThemeEntry(theme_id, theme_id, UNKNOWN)
    status = RESTRICTED if theme_id in current.theme_ids else DROPPED
    if status == RESTRICTED:
        last_name = current.theme(theme_id).name
    changed = history[last_applied + 1].version if last_applied is not None \
        and last_applied + 1 < len(history) else current.version
    return ThemeEntry(theme_id, last_name, status, changed)


def theme_plan(codebooks: dict[str, Codebook], questions: dict[str, list[str]],
               history: dict[str, list[Codebook]],
               mentioned: Iterable[tuple[str, str, str]]) -> ThemePlan:
    """The themes to count for each group × question, old ones included.

    Args:
        codebooks: the current codebook of each group.
        questions: the questions of each group, in order.
        history: every version of each group's codebook, oldest first.
        mentioned: the ``(group, question, theme_id)`` triples that have mentions.
    """
    plan = ThemePlan()
    stray: dict[tuple[str, str], list[str]] = {}
    for group, question, theme_id in mentioned:
        codebook = codebooks.get(group)
        if codebook is None:
            continue
        if any(t.id == theme_id for t in codebook.themes_for(question)):
            continue
        stray.setdefault((group, question), [])
        if theme_id not in stray[(group, question)]:
            stray[(group, question)].append(theme_id)
    for group, codebook in codebooks.items():
        versions = history.get(group) or [codebook]
        for question in questions.get(group, []):
            current = codebook.themes_for(question)
            entries = [ThemeEntry(t.id, t.name) for t in current]
            replaced_by = {old: t.id for t in current for old in t.replaces}
            for theme_id in sorted(stray.get((group, question), [])):
                if theme_id in replaced_by:
                    plan.folds[(group, question, theme_id)] = replaced_by[theme_id]
                else:
                    entries.append(_history_status(theme_id, question, versions, codebook))
            plan.entries[(group, question)] = entries
    return plan
