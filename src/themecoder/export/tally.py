"""Tallies: comments per theme per question per respondent group, and breakdowns by attribute.

For each respondent group and question (what worked well, what did not work well, what would
you change) and each theme of the group's codebook: the number of comments coded with the
theme, the share of commenting respondents (the denominator is the group's respondents who
commented on that question), and the theme's rank. An answer coded with several themes counts
once for each; an empty answer is "no comment" (the respondent counts, but not as commenting).

Mentions made with themes an earlier codebook version had are never lost (see
:mod:`.versions`); answers matching the codebook's non-answer phrases ("n/a", "-") count as
comments or not by the rule chosen (``non_answers``). With ``by`` columns, the same counts
are broken down by a respondent attribute with a chi-square test per theme (:mod:`.crosstab`).
Percentages are rounded half up (:mod:`.numbers`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from themecoder import __version__
from themecoder.codebook import NON_ANSWER_RULES, QUESTIONS, Codebook
from themecoder.errors import ExportError
from themecoder.export.crosstab import (  # noqa: F401  (re-exported names)
    BLANK_LEVEL,
    CROSSTAB_COLUMNS,
    HOLM_NOTE,
    TEST_COLUMNS,
    crosstab,
)
from themecoder.export.data import (
    ExportData,
    decision_rule,
    load_export_data,
    parse_attributes,
    short_comment_texts,
)
from themecoder.export.numbers import format_pct, pct
from themecoder.export.versions import CURRENT, ThemeEntry, ThemePlan, theme_plan
from themecoder.questions import question_label as labelled
from themecoder.store import Project

COUNT_COLUMNS = ["group", "question", "question_label", "theme_id", "theme_name", "comments",
                 "pct_of_commenters", "rank", "commenters", "respondents", "theme_status",
                 "note"]
"""Columns of the tidy theme counts (one row per group × question × theme)."""

SUMMARY_COLUMNS = ["group", "codebook_id", "codebook_version", "question", "question_label",
                   "respondents", "commented", "pct_commented", "coded", "not_assigned", "to_do",
                   "theme_mentions", "non_answers", "non_answer_rule", "commented_text"]
"""Columns of the summary (one row per group × question)."""

CHANGE_COLUMNS = ["group", "question", "question_label", "theme_id", "theme_name", "status",
                  "changed_in", "mentions", "counted_under"]
"""Columns of the codebook-changes table (themes dropped, restricted or folded in)."""


@dataclass
class Tally:
    """Everything an export writes, as frames, with its metadata.

    Attributes:
        counts: tidy theme counts (:data:`COUNT_COLUMNS`).
        summary: per group × question (:data:`SUMMARY_COLUMNS`).
        crosstabs: per ``by`` attribute, counts by level (:data:`CROSSTAB_COLUMNS`).
        tests: per ``by`` attribute, chi-square tests (:data:`TEST_COLUMNS`).
        codebooks: the codebook of each respondent group, in export order.
        metadata: project, location, codebooks, coders, decision rule, time, completeness.
        changes: themes of earlier codebook versions with mentions (:data:`CHANGE_COLUMNS`).
        plan: the themes counted per group × question and the ``replaces:`` folds.
        commented: per answer of the export data, whether it counts as a comment.
        mentions: the counted theme mentions, old themes folded: ``answer_pos`` (position in
            the export data's answers), ``group``, ``question``, ``theme_id``.
        by_source: the counts split into people's and the model's automatic coding
            (:data:`~themecoder.export.sources.SOURCE_COLUMNS`; empty unless asked for).
    """

    counts: pd.DataFrame
    summary: pd.DataFrame
    crosstabs: dict[str, pd.DataFrame] = field(default_factory=dict)
    tests: dict[str, pd.DataFrame] = field(default_factory=dict)
    codebooks: dict[str, Codebook] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)
    changes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CHANGE_COLUMNS))
    plan: ThemePlan = field(default_factory=ThemePlan)
    commented: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    mentions: pd.DataFrame = field(default_factory=pd.DataFrame)
    by_source: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def unfinished(self) -> bool:
        """Whether some commented answers have no decision yet."""
        return bool(self.to_do)

    @property
    def to_do(self) -> int:
        """Commented answers still without a decision."""
        return int(self.summary["to_do"].sum()) if len(self.summary) else 0

    @property
    def decided(self) -> int:
        """Commented answers with a decision (coded or not assigned)."""
        if not len(self.summary):
            return 0
        return int(self.summary["coded"].sum() + self.summary["not_assigned"].sum())

    @property
    def groups(self) -> list[str]:
        """Respondent groups in export order."""
        return list(self.codebooks)

    def group_counts(self, group: str) -> pd.DataFrame:
        """The tidy counts of one group."""
        return self.counts[self.counts["group"] == group]

    def entries(self, group: str, question: str) -> list[ThemeEntry]:
        """The theme rows counted for one group × question (old themes included)."""
        return self.plan.entries.get((group, question), [])

    def unfinished_note(self) -> str:
        """A sentence saying the export is unfinished (empty when it is complete)."""
        if not self.unfinished:
            return ""
        return (f"UNFINISHED: {self.to_do} commented answer(s) are not coded yet; "
                "counts will change when coding is complete.")

    def warnings(self) -> list[str]:
        """What the reader must know: unfinished coding, mentions of old themes."""
        return list(self.metadata.get("warnings", []))


def question_label(question: str, codebooks: Iterable[Codebook] = ()) -> str:
    """The question as the report words it: the label a codebook declares, the POET label,
    or the id."""
    return labelled(question, [q for cb in codebooks for q in cb.declared_questions])


def _group_order(project: Project, groups: list[str]) -> dict[str, Codebook]:
    order = {cb.id: i for i, cb in enumerate(project.codebooks())}
    found = {g: project.codebook_for_group(g) for g in groups}
    ranked = sorted(groups, key=lambda g: (order.get(found[g].id, len(order)), g))
    return {g: found[g] for g in ranked}


def check_coder(project: Project, coder: str | None) -> None:
    """Refuse a preferred coder who never made a decision (a typo counts nobody).

    Raises:
        ExportError: naming the coders who exist.
    """
    if coder is None:
        return
    coders = project.coders()
    if coder not in coders:
        known = ", ".join(coders) or "none yet"
        raise ExportError(f"unknown coder '{coder}' (coders in this project: {known})",
                          field="coder")


def non_answer_rules(codebooks: dict[str, Codebook], override: str | None
                     ) -> dict[str, tuple[str, str]]:
    """Per group: the non-answer rule in force and where it comes from.

    Raises:
        ExportError: ``override`` is not a rule.
    """
    if override is not None and override not in NON_ANSWER_RULES:
        raise ExportError(f"unknown non-answer rule '{override}' (choose from: "
                          f"{', '.join(NON_ANSWER_RULES)})", field="non-answers")
    rules = {}
    for group, codebook in codebooks.items():
        if override is not None:
            rules[group] = (override, "--non-answers")
        elif codebook.non_answers is not None:
            rules[group] = (codebook.non_answers.count_as,
                            f"codebook {codebook_label(codebook)}")
        else:
            rules[group] = ("comment", "default")
    return rules


def _non_answer_mask(project: Project, answers: pd.DataFrame,
                     codebooks: dict[str, Codebook]) -> np.ndarray:
    """Which answers match their group's non-answer phrases or patterns."""
    mask = np.zeros(len(answers), dtype=bool)
    matchers = {g: cb.non_answers.matcher() for g, cb in codebooks.items()
                if cb.non_answers is not None}
    if not matchers or not len(answers):
        return mask
    short = short_comment_texts(project)
    if short.empty:
        return mask
    pos = pd.Index(answers["id"].to_numpy(dtype=np.int64)).get_indexer(
        short["answer_id"].to_numpy(dtype=np.int64))
    ok = pos >= 0
    pos = pos[ok]
    texts = short["text"].to_numpy(dtype=object)[ok]
    groups = answers["group"].to_numpy(dtype=object)[pos]
    for group, matcher in matchers.items():
        sel = groups == group
        if not sel.any():
            continue
        codes, uniques = pd.factorize(pd.Series(texts[sel], dtype=object))
        hits = np.array([matcher(str(t)) for t in uniques], dtype=bool)
        mask[pos[sel][hits[codes]]] = True
    return mask


def _rule_text(rule: str, source: str, count: int) -> str:
    what = "counted as comments" if rule == "comment" else "counted as no comment"
    if source == "default":
        return "no non-answer list in the codebook; every non-empty answer is a comment"
    return f"{count} non-answer(s) {what} (rule from {source})"


def tally(project: Project, *, by: tuple[str, ...] | list[str] = (),
          prefer_coder: str | None = None, data: ExportData | None = None,
          non_answers: str | None = None, by_source: bool = False) -> Tally:
    """Count comments per theme for every respondent group × question (and by attribute).

    Args:
        project: an open project.
        by: respondent attribute columns to break the counts down by.
        prefer_coder: the coder whose decision counts when an answer has no adjudicated one.
        data: frames already read with :func:`load_export_data` (read here when ``None``).
        non_answers: ``"comment"`` or ``"no-comment"``: how answers matching the codebook's
            non-answer phrases count (default: each codebook's own rule, else comment).
        by_source: also split the counts into people's and automatic coding.

    Raises:
        ExportError: a ``by`` column is not a respondent attribute, an unknown coder or rule.
    """
    check_coder(project, prefer_coder)
    if data is None:
        data = load_export_data(project, prefer_coder=prefer_coder,
                                with_attributes=bool(by))
    answers, final, themes = data.answers, data.final, data.themes
    groups = [str(g) for g in data.respondents["group"].unique()]
    codebooks = _group_order(project, groups)
    rules = non_answer_rules(codebooks, non_answers)
    questions = {g: _questions(cb) for g, cb in codebooks.items()}

    # which answers count as comments: non-empty, and not a non-answer under "no-comment"
    has_comment = answers["has_comment"].to_numpy(dtype=bool)
    non_answer = _non_answer_mask(project, answers, codebooks) & has_comment
    drop_groups = [g for g, (rule, _src) in rules.items() if rule == "no-comment"]
    commented = has_comment.copy()
    if drop_groups and non_answer.any():
        in_drop = np.isin(answers["group"].to_numpy(dtype=object), drop_groups)
        commented &= ~(non_answer & in_drop)

    # state of each answer
    final_pos = pd.Index(final["answer_id"].to_numpy(dtype=np.int64)).get_indexer(
        answers["id"].to_numpy(dtype=np.int64)) if len(final) else np.full(len(answers), -1)
    decided = final_pos >= 0
    final_na = final["not_assigned"].to_numpy(dtype=bool) if len(final) else np.zeros(0, bool)
    is_na = np.zeros(len(answers), dtype=bool)
    is_na[decided] = final_na[final_pos[decided]]
    state = pd.DataFrame({
        "group": answers["group"].array, "question": answers["question"].array,
        "commented": commented, "to_do": commented & ~decided,
        "not_assigned": commented & decided & is_na,
        "coded": commented & decided & ~is_na, "non_answer": non_answer})
    per_gq = state.groupby(["group", "question"], sort=False, observed=True)[
        ["commented", "to_do", "not_assigned", "coded", "non_answer"]].sum()
    respondents_per_group = data.respondents["group"].value_counts()

    # theme mentions on counted comments, old themes folded by replaces:
    answer_pos = pd.Index(answers["id"].to_numpy(dtype=np.int64)).get_indexer(
        themes["answer_id"].to_numpy(dtype=np.int64))
    keep = answer_pos >= 0
    keep[keep] = commented[answer_pos[keep]]
    mentions = pd.DataFrame({"answer_pos": answer_pos[keep],
                             "group": answers["group"].array.take(answer_pos[keep]),
                             "question": answers["question"].array.take(answer_pos[keep]),
                             "theme_id": themes["theme_id"].to_numpy()[keep]})
    raw_counts = mentions.groupby(["group", "question", "theme_id"], sort=False,
                                  observed=True).size()
    history = {g: project.codebook_versions(cb.id) for g, cb in codebooks.items()}
    plan = theme_plan(codebooks, questions, history,
                      [(str(g), str(q), str(t)) for g, q, t in raw_counts.index])
    mentions = _fold(mentions, plan)
    theme_counts = mentions.groupby(["group", "question", "theme_id"], sort=False,
                                    observed=True).size()

    count_rows: list[dict[str, Any]] = []
    summary_rows: list[dict[str, Any]] = []
    for group, codebook in codebooks.items():
        n_resp = int(respondents_per_group.get(group, 0))
        rule, source = rules[group]
        for question in questions[group]:
            stats = per_gq.loc[(group, question)] if (group, question) in per_gq.index else None
            n_commented = int(stats["commented"]) if stats is not None else 0
            rows = []
            for entry in plan.entries.get((group, question), []):
                comments = int(theme_counts.get((group, question, entry.id), 0))
                rows.append({"group": group, "question": question,
                             "question_label": codebook.question_label(question),
                             "theme_id": entry.id,
                             "theme_name": entry.name, "comments": comments,
                             "pct_of_commenters": pct(comments, n_commented),
                             "rank": 0, "commenters": n_commented, "respondents": n_resp,
                             "theme_status": entry.status,
                             "note": _entry_note(entry, group, question, plan, raw_counts)})
            ranks = pd.Series([r["comments"] for r in rows], dtype=float).rank(
                method="min", ascending=False)
            for row, rank in zip(rows, ranks, strict=True):
                row["rank"] = int(rank)
            count_rows.extend(rows)
            share = pct(n_commented, n_resp)
            n_non = int(stats["non_answer"]) if stats is not None else 0
            summary_rows.append({
                "group": group, "codebook_id": codebook.id, "codebook_version": codebook.version,
                "question": question, "question_label": codebook.question_label(question),
                "respondents": n_resp, "commented": n_commented, "pct_commented": share,
                "coded": int(stats["coded"]) if stats is not None else 0,
                "not_assigned": int(stats["not_assigned"]) if stats is not None else 0,
                "to_do": int(stats["to_do"]) if stats is not None else 0,
                "theme_mentions": sum(r["comments"] for r in rows),
                "non_answers": n_non, "non_answer_rule": _rule_text(rule, source, n_non),
                "commented_text": _commented_text(share, codebook.question_label(question))})
    counts = pd.DataFrame(count_rows, columns=COUNT_COLUMNS)
    summary = pd.DataFrame(summary_rows, columns=SUMMARY_COLUMNS)
    result = Tally(counts=counts, summary=summary, codebooks=codebooks, plan=plan,
                   commented=commented, changes=_changes(plan, raw_counts, codebooks),
                   mentions=mentions)
    if by:
        attributes = parse_attributes(data.respondents)
        for column in by:
            if column not in attributes.columns:
                known_cols = ", ".join(attributes.columns) or "none"
                raise ExportError(f"unknown respondent attribute '{column}' for --by "
                                  f"(attributes: {known_cols})", field="by")
        themes_by_gq = {key: [(e.id, e.label) for e in entries]
                        for key, entries in plan.entries.items()}
        for column in dict.fromkeys(by):
            table, tests = crosstab(column, attributes[column], answers, commented, mentions,
                                    themes_by_gq, questions, codebooks, question_label)
            result.crosstabs[column] = table
            result.tests[column] = tests
    if by_source:
        from themecoder.export.sources import counts_by_source

        result.by_source = counts_by_source(result, data)
    result.metadata = _metadata(project, result, final, prefer_coder, list(by), rules)
    return result


def _fold(mentions: pd.DataFrame, plan: ThemePlan) -> pd.DataFrame:
    """Mentions with old theme ids replaced by the theme that ``replaces:`` them."""
    if not plan.folds or mentions.empty:
        return mentions
    rules = pd.DataFrame([{"group": g, "question": q, "theme_id": old, "new_id": new}
                          for (g, q, old), new in plan.folds.items()])
    keys = ["group", "question", "theme_id"]
    merged = mentions.astype({k: object for k in keys}).merge(rules, on=keys, how="left")
    merged["theme_id"] = merged["new_id"].fillna(merged["theme_id"])
    return merged.drop(columns="new_id").drop_duplicates(["answer_pos", "theme_id"])


def _entry_note(entry: ThemeEntry, group: str, question: str, plan: ThemePlan,
                raw_counts: pd.Series) -> str:
    if entry.status != CURRENT:
        return f"{entry.status} in codebook version {entry.changed_in}: counted as coded"
    folded = [(old, int(raw_counts.get((group, question, old), 0)))
              for (g, q, old), new in plan.folds.items()
              if g == group and q == question and new == entry.id]
    if not folded:
        return ""
    return "includes " + ", ".join(f"{n} mention(s) of earlier theme '{old}'"
                                   for old, n in folded)


def _changes(plan: ThemePlan, raw_counts: pd.Series,
             codebooks: dict[str, Codebook]) -> pd.DataFrame:
    rows = []
    for group, question, entry in plan.old_entries():
        rows.append({"group": group, "question": question,
                     "question_label": question_label(question, codebooks.values()),
                     "theme_id": entry.id,
                     "theme_name": entry.name, "status": entry.status,
                     "changed_in": entry.changed_in,
                     "mentions": int(raw_counts.get((group, question, entry.id), 0)),
                     "counted_under": entry.label})
    for (group, question, old), new in plan.folds.items():
        names = {e.id: e.name for e in plan.entries.get((group, question), [])}
        rows.append({"group": group, "question": question,
                     "question_label": question_label(question), "theme_id": old,
                     "theme_name": old, "status": "folded in", "changed_in": "",
                     "mentions": int(raw_counts.get((group, question, old), 0)),
                     "counted_under": names.get(new, new)})
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)


def _questions(codebook: Codebook) -> list[str]:
    return [q for q in QUESTIONS if q in codebook.questions] + \
        [q for q in codebook.questions if q not in QUESTIONS]


def _commented_text(share: float, label: str) -> str:
    if share != share:  # NaN
        return f"no respondents asked {label.lower()}"
    return f"{format_pct(share)} commented on {label.lower()}"


def _metadata(project: Project, result: Tally, final: pd.DataFrame, prefer_coder: str | None,
              by: list[str], rules: dict[str, tuple[str, str]]) -> dict[str, Any]:
    info = project.info()
    coders = project.coders()
    counted = sorted(set(final["coder"].tolist())) if len(final) else []
    summary = result.summary
    meta: dict[str, Any] = {
        "project": info.get("name", ""),
        "location": project.display_location,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "themecoder_version": __version__,
        "codebooks": [{"group": g, "codebook_id": cb.id, "codebook_version": cb.version,
                       "codebook_name": cb.name} for g, cb in result.codebooks.items()],
        "coders": coders,
        "coders_counted": [c for c in coders if c in counted],
        "preferred_coder": prefer_coder,
        "decision_rule": decision_rule(prefer_coder),
        "unfinished": result.unfinished,
        "to_do": result.to_do,
        "status": result.unfinished_note() or "complete: every commented answer is coded",
        "by": by,
        "percentages": ("% of the group's respondents who commented on the question; "
                        "rounded half up to one decimal"),
        "non_answers": [{"group": g, "rule": rule, "source": source,
                         "count": int(summary.loc[summary["group"] == g, "non_answers"].sum()),
                         "text": _rule_text(rule, source, int(
                             summary.loc[summary["group"] == g, "non_answers"].sum()))}
                        for g, (rule, source) in rules.items()],
    }
    if by:
        meta["tests"] = ("chi-square test of independence per theme (mentioned or not among "
                         "commenters × attribute level, blank values left out); Yates' "
                         "continuity correction where there are 2 levels (1 degree of "
                         "freedom); p_holm: Holm's adjustment over all tests of one attribute")
    warnings = []
    changes = result.changes
    old = changes[changes["status"] != "folded in"] if len(changes) else changes
    if len(old):
        listed = "; ".join(f"{r.group} "
                           f"{question_label(r.question, result.codebooks.values()).lower()}: "
                           f"{r.theme_name} "
                           f"({r.status} in v{r.changed_in}) {r.mentions}"
                           for r in old.itertuples(index=False))
        warnings.append(f"{int(old['mentions'].sum())} theme mention(s) were made with themes "
                        f"dropped or restricted since and are counted under those themes — "
                        f"{listed}. Add `replaces: [old_id]` to a theme of the new codebook "
                        "version to fold them in.")
    from themecoder.export.sources import autocode_metadata

    auto = autocode_metadata(project)
    if auto is not None:
        meta["autocode"] = auto
        if auto["warning"]:
            text = auto["warning"].removeprefix("WARNING: ")
            warnings.append(f"Automatic coding: {text}")
    meta["warnings"] = warnings
    return meta


def codebook_label(codebook: Codebook) -> str:
    """``"poet_holders v1.0"``: how outputs name a codebook."""
    return f"{codebook.id} v{codebook.version}"


def metadata_lines(metadata: dict[str, Any]) -> list[tuple[str, str]]:
    """The metadata as (label, text) pairs, for headers, sheets, captions and file notes."""
    codebooks = "; ".join(f"{c['group']}: {c['codebook_id']} v{c['codebook_version']}"
                          for c in metadata.get("codebooks", []))
    lines = [("Project", str(metadata.get("project", ""))),
             ("Location", str(metadata.get("location", ""))),
             ("Made", str(metadata.get("created_at", ""))),
             ("Status", str(metadata.get("status", ""))),
             ("Codebooks", codebooks),
             ("Coders", ", ".join(metadata.get("coders", [])) or "none"),
             ("Decision rule", str(metadata.get("decision_rule", ""))),
             ("Percentages", str(metadata.get("percentages", ""))),
             ("themecoder", str(metadata.get("themecoder_version", "")))]
    for item in metadata.get("non_answers", []):
        lines.append((f"Non-answers ({item['group']})", str(item.get("text", ""))))
    if metadata.get("autocode"):
        lines.append(("Automatic coding", str(metadata["autocode"]["text"])))
    if metadata.get("by"):
        lines.append(("Broken down by", ", ".join(metadata["by"])))
        lines.append(("Tests", str(metadata.get("tests", ""))))
    for warning in metadata.get("warnings", []):
        lines.append(("Warning", warning))
    return lines
