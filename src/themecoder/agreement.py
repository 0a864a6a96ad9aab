"""Inter-coder agreement per theme and overall: % agreement, Cohen's kappa, Krippendorff's α.

Each answer × theme is one binary unit (did the coder give the answer that theme?), and
not-assigned is a unit of its own. Only answers that at least two of the coders coded
*blind* count: answers of a double-coding sample assigned to them, decided after it was
drawn (the app hides other coders' decisions on them). Answers two coders coded where one
could see the other's decision (outside a sample) would flatter the agreement; they are
counted and reported apart, as *not blind*. A coder who did not code an answer is missing
data for its units, which Krippendorff's α handles and Cohen's kappa (two coders) skips.

The statistics are computed here from the coincidence matrix (Krippendorff 2011,
"Computing Krippendorff's alpha-reliability"):

- ``o[c][k]``: over units with ``m_u >= 2`` values, each ordered pair of values from
  different coders adds ``1 / (m_u - 1)`` to ``o[value_i][value_j]``;
- ``n_c = sum_k o[c][k]`` and ``n = sum_c n_c`` (the pairable values);
- nominal α = ``1 - (n - 1) * sum_{c != k} o[c][k] / sum_{c != k} n_c * n_k``, undefined
  when every pairable value is the same (no variation to agree on).

Thresholds follow Krippendorff: α < 0.667 is *unreliable*, 0.667 ≤ α < 0.8 *tentative*.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from themecoder.store.project import Decision, Project

UNRELIABLE_BELOW = 0.667
TENTATIVE_BELOW = 0.8

NOT_ASSIGNED = "not_assigned"
"""The unit id used for not-assigned decisions."""

Value = Hashable | None
"""One coder's value for one unit; ``None`` when that coder did not code it."""


# --------------------------------------------------------------------------- statistics


def coincidence_matrix(units: Iterable[Sequence[Value]]) -> dict[tuple[Hashable, Hashable],
                                                                   float]:
    """The coincidence matrix ``o[(c, k)]`` of units given as each coder's value (or None)."""
    matrix: dict[tuple[Hashable, Hashable], float] = {}
    for unit in units:
        values = [v for v in unit if v is not None]
        m = len(values)
        if m < 2:
            continue
        for i, j in itertools.permutations(range(m), 2):
            key = (values[i], values[j])
            matrix[key] = matrix.get(key, 0.0) + 1.0 / (m - 1)
    return matrix


def krippendorff_alpha(units: Iterable[Sequence[Value]]) -> float | None:
    """Nominal Krippendorff's α; ``None`` when undefined (fewer than two values in play)."""
    matrix = coincidence_matrix(units)
    totals: dict[Hashable, float] = {}
    for (c, _k), count in matrix.items():
        totals[c] = totals.get(c, 0.0) + count
    n = sum(totals.values())
    disagree = sum(count for (c, k), count in matrix.items() if c != k)
    expected = sum(totals[c] * totals[k] for c in totals for k in totals if c != k)
    if n <= 1 or expected == 0:
        return None
    return 1.0 - (n - 1) * disagree / expected


def percent_agreement(units: Iterable[Sequence[Value]]) -> float | None:
    """Observed agreement of pairable values, in percent (for two coders: the share of
    units both coded on which they agree); ``None`` when no unit has two values."""
    matrix = coincidence_matrix(units)
    n = sum(matrix.values())
    if n == 0:
        return None
    return 100.0 * sum(count for (c, k), count in matrix.items() if c == k) / n


def cohen_kappa(pairs: Iterable[tuple[Hashable, Hashable]]) -> float | None:
    """Cohen's kappa of two coders over units both coded; ``None`` when undefined
    (no units, or chance agreement is already perfect)."""
    pairs = list(pairs)
    if not pairs:
        return None
    total = len(pairs)
    observed = sum(1 for a, b in pairs if a == b) / total
    first: dict[Hashable, int] = {}
    second: dict[Hashable, int] = {}
    for a, b in pairs:
        first[a] = first.get(a, 0) + 1
        second[b] = second.get(b, 0) + 1
    chance = sum(first[c] * second.get(c, 0) for c in first) / (total * total)
    if math.isclose(chance, 1.0):
        return None
    return (observed - chance) / (1.0 - chance)


def verdict(alpha: float | None) -> str:
    """``unreliable`` (α < 0.667), ``tentative`` (α < 0.8), ``reliable``, or ``undefined``."""
    if alpha is None:
        return "undefined"
    if alpha < UNRELIABLE_BELOW:
        return "unreliable"
    if alpha < TENTATIVE_BELOW:
        return "tentative"
    return "reliable"


# --------------------------------------------------------------------------- report


@dataclass(frozen=True)
class ThemeAgreement:
    """Agreement on one theme (or not-assigned, or all themes pooled)."""

    codebook: str
    theme_id: str
    theme: str
    answers: int
    """Answers compared (coded by at least two of the coders)."""
    percent: float | None
    kappa: float | None
    alpha: float | None

    @property
    def verdict(self) -> str:
        """How far α can be relied on (see :func:`verdict`)."""
        return verdict(self.alpha)


@dataclass
class AgreementReport:
    """Agreement of ``coders`` per theme and overall."""

    coders: list[str]
    themes: list[ThemeAgreement] = field(default_factory=list)
    overall: ThemeAgreement | None = None
    """All themes pooled, over the answers coded blind (``answers`` says how many)."""
    not_blind: ThemeAgreement | None = None
    """All themes pooled over answers two of the coders coded where one could see another's
    decision (left out of the rest of the report); ``None`` when there are none."""

    def rows(self) -> list[ThemeAgreement]:
        """Per-theme rows, then the overall row (answers coded blind)."""
        return self.themes + ([self.overall] if self.overall else [])

    def to_csv(self) -> str:
        """The report as CSV text (one row per theme, then ``overall``)."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["codebook", "theme_id", "theme", "answers_compared",
                         "percent_agreement", "cohen_kappa", "krippendorff_alpha", "verdict"])
        for row in self.rows() + ([self.not_blind] if self.not_blind else []):
            writer.writerow([row.codebook, row.theme_id, row.theme, row.answers,
                             _num(row.percent, 1), _num(row.kappa, 3), _num(row.alpha, 3),
                             row.verdict])
        return out.getvalue()

    def to_markdown(self) -> str:
        """The report as a Markdown table with a short legend."""
        blind = self.overall.answers if self.overall else 0
        lines = [f"Agreement of {', '.join(self.coders)} on {blind} answers coded blind by "
                 "at least two of them (double-coding samples; each answer × theme a binary "
                 "unit; not assigned counted as a theme)",
                 "",
                 "| codebook | theme | answers | % agreement | Cohen's κ | Krippendorff's α "
                 "| verdict |",
                 "|---|---|---:|---:|---:|---:|---|"]
        for row in self.rows():
            name = f"**{row.theme}**" if row is self.overall else row.theme
            lines.append(f"| {row.codebook} | {name} | {row.answers} | "
                         f"{_num(row.percent, 1, 'n/a')} | {_num(row.kappa, 3, 'n/a')} | "
                         f"{_num(row.alpha, 3, 'undefined')} | {row.verdict} |")
        lines += ["", f"α below {UNRELIABLE_BELOW} is unreliable; below {TENTATIVE_BELOW} "
                  "tentative. α is undefined when every coder gave the same value on every "
                  "answer compared (nothing to tell apart). Cohen's κ is for two coders only."]
        if self.not_blind is not None:
            row = self.not_blind
            answers = "1 more answer was" if row.answers == 1 else \
                f"{row.answers} more answers were"
            lines += ["", f"Not blind: {answers} coded by two or more "
                      "of these coders where one could see another's decision (outside a "
                      "double-coding sample). They are left out above: they would flatter the "
                      f"agreement. On their own, all themes: {_num(row.percent, 1, 'n/a')} % "
                      f"agreement, κ {_num(row.kappa, 3, 'n/a')}, "
                      f"α {_num(row.alpha, 3, 'undefined')}."]
        return "\n".join(lines) + "\n"

    def write(self, csv_path: str | Path | None = None,
              markdown_path: str | Path | None = None) -> None:
        """Save the report as CSV and/or Markdown."""
        if csv_path:
            Path(csv_path).write_text(self.to_csv(), encoding="utf-8")
        if markdown_path:
            Path(markdown_path).write_text(self.to_markdown(), encoding="utf-8")


def _num(value: float | None, digits: int, missing: str = "") -> str:
    return missing if value is None else f"{value:.{digits}f}"


def _stats(codebook: str, theme_id: str, theme: str, answers: int,
           units: list[list[Value]]) -> ThemeAgreement:
    pairs = [(u[0], u[1]) for u in units if len(u) == 2 and None not in u]
    kappa = cohen_kappa(pairs) if units and len(units[0]) == 2 else None
    return ThemeAgreement(codebook, theme_id, theme, answers, percent_agreement(units), kappa,
                          krippendorff_alpha(units))


def compute_agreement(project: Project, coders: Sequence[str] | None = None) -> AgreementReport:
    """Agreement between ``coders`` (default: every coder but imported coding) in a project.

    The report's rows cover the answers at least two of the coders coded blind (see the
    module's docstring); answers coded by two of them where one could see another's
    decision are pooled apart in :attr:`AgreementReport.not_blind`.

    Args:
        project: a :class:`themecoder.store.Project`.
        coders: the coders to compare (two or more).

    Raises:
        StoreError: fewer than two coders.
    """
    from themecoder.errors import StoreError
    from themecoder.store.project import IMPORT_CODER
    from themecoder.store.samples import blind_since
    from themecoder.store.teams import coder_decisions

    if coders is None:
        names = [c for c in project.coders() if c != IMPORT_CODER]
    else:
        names = list(dict.fromkeys(c.strip() for c in coders if c.strip()))
    if len(names) < 2:
        raise StoreError("agreement needs at least two coders "
                         f"(coders in the project: {', '.join(project.coders()) or 'none'})",
                         field="coders")
    decisions = coder_decisions(project, names)
    since = blind_since(project)

    def coded_blind(decision: Decision) -> bool:
        drawn = since.get((decision.answer_id, decision.coder))
        return drawn is not None and decision.created_at >= drawn

    blind: dict[int, dict[str, Decision]] = {}
    seen: dict[int, dict[str, Decision]] = {}
    for answer_id, by_coder in decisions.items():
        unseen = {c: d for c, d in by_coder.items() if coded_blind(d)}
        if len(unseen) >= 2:
            blind[answer_id] = unseen
        elif len(by_coder) >= 2:
            seen[answer_id] = by_coder
    group_of = {a.id: a.group for a in project.answers(with_attributes=False)}
    report = AgreementReport(coders=names)
    report.themes, report.overall = _by_theme(project, names, blind, group_of)
    if seen:
        _themes, report.not_blind = _by_theme(project, names, seen, group_of)
        report.not_blind = replace(report.not_blind, codebook="all (not blind)",
                                   theme_id="not_blind", theme="All themes, not blind")
    return report


def _by_theme(project: Project, names: list[str], decisions: dict[int, dict[str, Decision]],
              group_of: dict[int, str]) -> tuple[list[ThemeAgreement], ThemeAgreement]:
    """Per-theme rows and the pooled row over ``{answer_id: {coder: decision}}``."""
    rows: list[ThemeAgreement] = []
    all_units: list[list[Value]] = []
    all_answers = 0
    for codebook in project.codebooks():
        compared: list[dict[str, Decision]] = [
            by_coder for answer_id, by_coder in sorted(decisions.items())
            if codebook.applies_to(group_of[answer_id])]
        if not compared:
            continue
        all_answers += len(compared)
        targets = [(t.id, t.name) for t in codebook.themes] + \
            [(NOT_ASSIGNED, codebook.not_assigned.name)]
        for theme_id, theme_name in targets:
            units: list[list[Value]] = []
            for by_coder in compared:
                unit: list[Value] = []
                for coder in names:
                    d = by_coder.get(coder)
                    if d is None:
                        unit.append(None)
                    elif theme_id == NOT_ASSIGNED:
                        unit.append(int(d.not_assigned))
                    else:
                        unit.append(int(theme_id in d.themes))
                units.append(unit)
            all_units.extend(units)
            rows.append(_stats(codebook.id, theme_id, theme_name, len(compared), units))
    return rows, _stats("all", "all", "All themes", all_answers, all_units)
