"""The quote bank: respondents' own words per group × question × theme, attributed, redacted.

For each theme with mentions, up to N quotes (export settings, ``quotes.per_theme``) that
represent it well:

1. answers a coder starred in the app come first; banned answers never appear;
2. then answers ranked by how central they are among the answers coded with the theme
   (cosine similarity of TF-IDF vectors to the theme's centroid), with a bonus for answers
   coded with that theme alone and a penalty for answers shorter or longer than a readable
   length (``min_words``–``max_words``);
3. a candidate too similar to a quote already chosen (TF-IDF cosine ≥ 0.8, or three
   quarters of the shorter answer's words in the other) is skipped, so the quotes are not
   near-duplicates of each other.

Each quote is redacted (:mod:`themecoder.redact`) before anything is written, and attributed
from the respondent attributes the user names (``--attribution "group, age_band, council"``):
"Carer, aged 45-64, Council managed, Brackenfield".
"""

from __future__ import annotations

import re
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

SAME_WORDS = 0.75
"""Share of the shorter answer's words found in the other that makes two near-duplicates."""

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


_WORD = re.compile(r"[a-z0-9']+")


def _same_words(a: str, b: str) -> bool:
    """Near-duplicates by words: most of the shorter answer's words are in the other."""
    words_a, words_b = set(_WORD.findall(a.casefold())), set(_WORD.findall(b.casefold()))
    if not words_a or not words_b:
        return False
    return len(words_a & words_b) / min(len(words_a), len(words_b)) >= SAME_WORDS


def readable_quote(text: str) -> str:
    """An answer as a quote: one line, without a leading list mark or wrapping quote marks
    (the quote bank adds its own). The respondent's words are otherwise kept as written."""
    quote = " ".join(text.split())
    quote = re.sub(r"^(?:[-*•–]\s*)+", "", quote)
    while len(quote) > 1 and quote[0] in "\"'“‘" and quote[-1] in "\"'”’":
        quote = quote[1:-1].strip()
    return quote


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
    all_texts = answers["text"].to_numpy(dtype=object)
    texts = [str(t) for t in all_texts[positions]]
    matrix = _vectors(texts)
    words = np.fromiter((len(t.split()) for t in texts), dtype=np.int64, count=len(texts))
    readable = (words >= settings.min_words) & (words <= settings.max_words)
    mention_pos = mentions["answer_pos"].to_numpy(dtype=np.int64)
    mention_row = np.searchsorted(positions, mention_pos)  # row of each mention's answer
    alone = np.bincount(mention_row, minlength=len(positions)) == 1
    answer_ids = answers["id"].to_numpy(dtype=np.int64)
    marks = project.quote_marks(answer_ids[positions].tolist())
    mark_of = np.array([marks.get(int(a), "") for a in answer_ids[positions]], dtype=object)
    starred, banned = mark_of == "star", mark_of == "ban"
    resp_pos = data.respondents.index.get_indexer(
        answers["respondent_id"].to_numpy(dtype=np.int64))
    keys = data.respondents["respondent_key"].to_numpy(dtype=object) \
        if "respondent_key" in data.respondents else None
    frame = pd.DataFrame({"group": mentions["group"].to_numpy(dtype=object),
                          "question": mentions["question"].to_numpy(dtype=object),
                          "theme_id": mentions["theme_id"].to_numpy(dtype=object),
                          "row": mention_row})
    for (group, question, theme_id), part in frame.groupby(["group", "question", "theme_id"],
                                                           sort=False):
        rows = part["row"].to_numpy(dtype=np.int64)
        rows = rows[~banned[rows]]
        if not len(rows):
            continue
        sub = matrix[rows]
        centroid = np.asarray(sub.mean(axis=0)).ravel()
        norm = float(np.linalg.norm(centroid))
        centrality = np.asarray(sub @ centroid).ravel() / norm if norm else np.zeros(len(rows))
        score = centrality + 0.15 * alone[rows] - 1.0 * ~readable[rows]
        # starred first, then by score (best first); ties keep survey order
        order = np.lexsort((-score, ~starred[rows]))
        pool = order[:POOL + int(starred[rows].sum())]
        names = {e.id: e.label for e in tally.entries(str(group), str(question))}
        chosen: list[int] = []
        for index in pool:
            if len(chosen) >= settings.quotes_per_theme:
                break
            row = int(rows[index])
            if any(_same_words(texts[row], texts[other])
                   or float((matrix[row] @ matrix[other].T).toarray()[0, 0]) >= NEAR_DUPLICATE
                   for other in chosen):
                continue
            quote = readable_quote(redact_text(texts[row]))
            if not quote:
                continue
            chosen.append(row)
            answer_pos = int(positions[row])
            r = resp_pos[answer_pos]
            values = attributes.iloc[r].to_dict() if len(attributes.columns) else {}
            bank.rows.append({
                "group": str(group), "question": str(question),
                "question_label": question_label(str(question), tally.codebooks.values()),
                "theme_id": str(theme_id),
                "theme_name": names.get(str(theme_id), str(theme_id)),
                "rank": len(chosen), "quote": quote,
                "attribution": attribution_text(str(group), values, settings.attribution),
                "starred": bool(starred[row]), "coded_alone": bool(alone[row]),
                "words": int(words[row]), "centrality": round(float(centrality[index]), 3),
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
        lines += [f"## {group}: {question_label(str(question), tally.codebooks.values())}", ""]
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
