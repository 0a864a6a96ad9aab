"""The quote bank: respondents' own words per group × question × theme, attributed, redacted.

For each theme with mentions, up to N quotes (export settings, ``quotes.per_theme``) that
represent it well:

1. answers a coder starred in the app come first; banned answers never appear;
2. then answers ranked by how central they are among the answers coded with the theme
   (cosine similarity of TF-IDF vectors to the theme's centroid), with a bonus for answers
   coded with that theme alone and a penalty for answers shorter or longer than a readable
   length (``min_words``–``max_words``);
3. a candidate too similar to a quote already chosen (cosine ≥ 0.8, or the same words
   reordered) is skipped, so the quotes are not near-duplicates of each other.

Each quote is redacted (:mod:`themecoder.redact`) before anything is written, and attributed
from the respondent attributes the user names (``--attribution "group, age_band, council"``):
"Carer, aged 45-64, Council managed, Brackenfield".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from themecoder.errors import ExportError
from themecoder.export.data import ExportData, parse_attributes
from themecoder.export.settings import ExportSettings
from themecoder.export.tally import Tally, question_label
from themecoder.redact import redact_text

QUOTE_COLUMNS = ["group", "question", "question_label", "theme_id", "theme_name", "rank",
                 "quote", "attribution", "starred", "coded_alone", "words", "centrality",
                 "answer_key"]
"""Columns of the quote bank (one row per quote)."""

NEAR_DUPLICATE = 0.8
"""Cosine similarity at or above which two quotes count as near-duplicates."""

POOL = 60
"""Candidates looked at per theme after ranking (enough to skip duplicates and empties)."""

GROUP_NOUNS = {"holder": "Personal budget holder", "holders": "Personal budget holder",
               "carer": "Carer", "carers": "Carer"}


@dataclass
class QuoteBank:
    """The chosen quotes, with what was asked."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    attribution: tuple[str, ...] = ()
    per_theme: int = 3

    def frame(self) -> pd.DataFrame:
        """The quotes as a table (:data:`QUOTE_COLUMNS`)."""
        return pd.DataFrame(self.rows, columns=QUOTE_COLUMNS)


def attribution_text(group: str, values: dict[str, str], names: tuple[str, ...]) -> str:
    """``"Carer, aged 45-64, Council managed, Brackenfield"`` from the named attributes."""
    parts = []
    for name in names:
        if name == "group":
            parts.append(GROUP_NOUNS.get(group.casefold(), group))
            continue
        value = str(values.get(name, "")).strip()
        if not value:
            continue
        parts.append(f"aged {value}" if "age" in name.casefold() else value)
    return ", ".join(parts)


def check_attribution(names: tuple[str, ...], attributes: pd.DataFrame) -> None:
    """Refuse an attribution that names an attribute no respondent has.

    Raises:
        ExportError: naming the attributes there are.
    """
    for name in names:
        if name != "group" and name not in attributes.columns:
            known = ", ".join(["group", *attributes.columns])
            raise ExportError(f"unknown respondent attribute '{name}' for the attribution "
                              f"(attributes: {known})", field="attribution")


def _vectors(texts: list[str]) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectoriser = TfidfVectorizer(sublinear_tf=True, min_df=1, stop_words="english",
                                 token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z']+\b")
    try:
        return vectoriser.fit_transform(texts)
    except ValueError:  # only stop words
        from scipy.sparse import csr_matrix

        return csr_matrix((len(texts), 1))


def _same_words(a: str, b: str) -> bool:
    words_a, words_b = set(a.casefold().split()), set(b.casefold().split())
    if not words_a or not words_b:
        return False
    return len(words_a & words_b) / len(words_a | words_b) >= NEAR_DUPLICATE


def select_quotes(project: Any, tally: Tally, data: ExportData,
                  settings: ExportSettings | None = None) -> QuoteBank:
    """Choose, redact and attribute quotes for every group × question × theme.

    Args:
        project: the open project (for starred and banned answers).
        tally: the tally (its mentions say which answers have which theme).
        data: the export data, read with texts and attributes.
        settings: per-theme count, attribution, readable length.

    Raises:
        ExportError: the attribution names an unknown attribute.
    """
    settings = settings or ExportSettings()
    bank = QuoteBank(attribution=settings.attribution, per_theme=settings.quotes_per_theme)
    answers = data.answers
    attributes = parse_attributes(data.respondents)
    check_attribution(settings.attribution, attributes)
    mentions = tally.mentions
    if mentions.empty or "text" not in answers:
        return bank
    positions = np.unique(mentions["answer_pos"].to_numpy(dtype=np.int64))
    texts = answers["text"].to_numpy(dtype=object)[positions]
    matrix = _vectors([str(t) for t in texts])
    row_of = {int(p): i for i, p in enumerate(positions)}
    answer_ids = answers["id"].to_numpy(dtype=np.int64)
    marks = project.quote_marks(int(answer_ids[p]) for p in positions)
    themes_per_answer = mentions.groupby("answer_pos").size()
    resp_pos = data.respondents.index.get_indexer(
        answers["respondent_id"].to_numpy(dtype=np.int64))
    keys = data.respondents["respondent_key"].to_numpy(dtype=object) \
        if "respondent_key" in data.respondents else None
    grouped = mentions.groupby(["group", "question", "theme_id"], sort=False, observed=True)
    for (group, question, theme_id), frame in grouped:
        names = {e.id: e.label for e in tally.entries(str(group), str(question))}
        candidates = [int(p) for p in frame["answer_pos"].to_numpy(dtype=np.int64)
                      if marks.get(int(answer_ids[p])) != "ban"]
        if not candidates:
            continue
        rows = [row_of[p] for p in candidates]
        sub = matrix[rows]
        centroid = np.asarray(sub.mean(axis=0)).ravel()
        norm = float(np.linalg.norm(centroid))
        centrality = (sub @ centroid) / norm if norm else np.zeros(len(rows))
        centrality = np.asarray(centrality).ravel()
        scored = []
        for p, cent in zip(candidates, centrality, strict=True):
            words = len(str(answers["text"].iat[p]).split())
            alone = int(themes_per_answer.get(p, 1)) == 1
            readable = settings.min_words <= words <= settings.max_words
            starred = marks.get(int(answer_ids[p])) == "star"
            score = float(cent) + (0.15 if alone else 0.0) - (0.0 if readable else 1.0)
            scored.append((not starred, -score, p, float(cent), alone, words, starred))
        scored.sort()
        chosen: list[tuple[int, str]] = []
        for _ns, _neg, p, cent, alone, words, starred in scored[:POOL + sum(
                1 for s in scored if s[-1])]:
            if len(chosen) >= settings.quotes_per_theme:
                break
            original = str(answers["text"].iat[p])
            if any(_same_words(original, str(answers["text"].iat[q])) or
                   float((matrix[row_of[p]] @ matrix[row_of[q]].T).toarray()[0, 0])
                   >= NEAR_DUPLICATE for q, _t in chosen):
                continue
            quote = " ".join(redact_text(original).split())
            if not quote:
                continue
            chosen.append((p, quote))
            r = resp_pos[p]
            values = attributes.iloc[r].to_dict() if len(attributes.columns) else {}
            bank.rows.append({
                "group": str(group), "question": str(question),
                "question_label": question_label(str(question)), "theme_id": str(theme_id),
                "theme_name": names.get(str(theme_id), str(theme_id)),
                "rank": len(chosen), "quote": quote,
                "attribution": attribution_text(str(group), values, settings.attribution),
                "starred": starred, "coded_alone": alone, "words": words,
                "centrality": round(cent, 3),
                "answer_key": f"{keys[r]}:{question}" if keys is not None else ""})
    bank.rows.sort(key=_table_order(tally))
    return bank


def _table_order(tally: Tally) -> Any:
    """Sort key: group and question in export order, themes most mentioned first."""
    groups = {g: i for i, g in enumerate(tally.codebooks)}
    counts = {(r.group, r.question, r.theme_id): int(r.comments)
              for r in tally.counts.itertuples(index=False)}
    order = {q: i for i, q in enumerate(("worked_well", "not_well", "change"))}

    def key(row: dict[str, Any]) -> tuple:
        return (groups.get(row["group"], 99), order.get(row["question"], 9),
                -counts.get((row["group"], row["question"], row["theme_id"]), 0),
                row["theme_id"], row["rank"])

    return key


def quotes_markdown(bank: QuoteBank, tally: Tally) -> str:
    """The quote bank as Markdown: a heading per group and question, quotes per theme."""
    frame = bank.frame()
    lines = [f"# Quote bank: {tally.metadata.get('project', '')}", "",
             "Respondents' own words, up to "
             f"{bank.per_theme} per theme; personal details redacted ([name], [email], "
             "[phone], [postcode], [address], [date of birth]). ★ starred by a coder.", ""]
    if tally.unfinished:
        lines += [f"> **{tally.unfinished_note()}**", ""]
    if frame.empty:
        lines.append("No quotes: nothing is coded with a theme yet.")
    for (group, question), part in frame.groupby(["group", "question"], sort=False):
        lines += [f"## {group}: {question_label(str(question))}", ""]
        for theme, rows in part.groupby("theme_name", sort=False):
            lines += [f"### {theme}", ""]
            for row in rows.itertuples(index=False):
                star = "★ " if row.starred else ""
                quote = str(row.quote).replace("\n", " ")
                lines.append(f"- {star}“{quote}” — *{row.attribution}*")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def write_quotes(project: Any, out_dir: str | Path, *, prefer_coder: str | None = None,
                 settings: ExportSettings | None = None,
                 non_answers: str | None = None) -> list[Path]:
    """``themecoder quotes``: write ``quotes.xlsx``, ``quotes.md`` and ``quotes.csv``.

    Raises:
        ExportError: unknown coder or attribute, a folder that cannot be written, or a
            project with no answers.
    """
    from themecoder.export import _prepare_dir
    from themecoder.export.data import load_export_data
    from themecoder.export.tables import write_csv
    from themecoder.export.tally import tally as make_tally
    from themecoder.export.workbook import Formats, write_quote_sheet

    settings = settings or ExportSettings()
    if project.count_answers() == 0:
        raise ExportError("the project has no answers yet (import a survey first)",
                          file=project.display_location)
    data = load_export_data(project, prefer_coder=prefer_coder, with_text=True)
    result = make_tally(project, prefer_coder=prefer_coder, data=data,
                        non_answers=non_answers or settings.non_answers)
    bank = select_quotes(project, result, data, settings)
    out = Path(out_dir)
    _prepare_dir(out)
    frame = bank.frame()
    files = [write_csv(frame, out / "quotes.csv", for_spreadsheet=True)]
    import xlsxwriter

    path = out / "quotes.xlsx"
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False,
                                               "strings_to_urls": False})
    try:
        write_quote_sheet(workbook, frame, Formats(workbook), "Quotes")
    finally:
        workbook.close()
    files.append(path)
    md = out / "quotes.md"
    md.write_text(quotes_markdown(bank, result), encoding="utf-8")
    files.append(md)
    return files
