"""Fast reads for exports: the tables as pandas frames, final decisions derived vectorised.

Going through :meth:`Project.answers` and :meth:`Project.final_decisions` builds one Python
object per answer and per decision, which is too slow for surveys of a million answers. Here a
few SQLAlchemy Core selects over :mod:`themecoder.store.schema` fetch plain tuples, and the
decision rule is applied with numpy/pandas:

1. an ``undo`` row withdraws the decision whose id is in its ``undoes`` column;
2. per (answer, coder) the latest decision that is neither an undo nor withdrawn is in force;
3. per answer the decision that counts is the adjudicated one, else the preferred coder's,
   else a person's over an automatic one (source ``auto``), else the most recent (highest
   id) — the same rule as :meth:`Project.final_decisions`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import case, func, literal, select

from themecoder.codebook import QUESTIONS
from themecoder.errors import StoreError
from themecoder.store import Project, schema
from themecoder.store.access import database_problem, shown_url

DECISION_RULE = ("adjudicated decision first; then the decision of the preferred coder{coder}; "
                 "then a person's decision over an automatic one; then the most recent "
                 "decision by any coder. An undone decision never counts; per coder only the "
                 "latest decision on an answer is in force.")
"""The rule choosing one decision per answer, as written into every export's metadata."""


def decision_rule(prefer_coder: str | None) -> str:
    """The decision rule in words, naming the preferred coder (or saying there is none)."""
    coder = f" ({prefer_coder})" if prefer_coder else " (none named)"
    return DECISION_RULE.format(coder=coder)


@dataclass
class ExportData:
    """The tables an export needs, as frames.

    Attributes:
        respondents: ``id`` (index), ``respondent_key``, ``group``, ``attributes`` (JSON text).
        answers: ``id``, ``respondent_id``, ``question``, ``has_comment`` (bool), ``group``,
            and ``text`` when read with ``with_text=True``.
        final: one row per decided answer: ``answer_id``, ``decision_id``, ``coder``,
            ``source``, ``not_assigned`` (bool), ``themes`` (JSON text).
        themes: the final decisions' themes, one row per (answer, theme): ``answer_id``,
            ``theme_id``.
    """

    respondents: pd.DataFrame
    answers: pd.DataFrame
    final: pd.DataFrame
    themes: pd.DataFrame


def _fetch(conn, query, columns: list[str]) -> pd.DataFrame:  # noqa: ANN001
    """Run a Core select on the raw DB-API cursor: plain tuples, no per-row Row objects."""
    rows = _rows(conn, query)
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    return pd.DataFrame.from_records(rows, columns=columns)


def _rows(conn, query) -> list[tuple]:  # noqa: ANN001
    # the few values (coder names, labels) are inlined by the dialect's own quoting
    sql = str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute(sql)
        return cursor.fetchall()
    except conn.dialect.loaded_dbapi.Error as exc:
        problem = database_problem(exc)
        if problem is None:
            raise
        raise StoreError(problem, file=shown_url(str(conn.engine.url.render_as_string(
            hide_password=False)))) from None
    finally:
        cursor.close()


def _int_columns(conn, query, n_columns: int) -> np.ndarray:  # noqa: ANN001
    """A select of integer columns as an ``(n, n_columns)`` int64 array."""
    rows = _rows(conn, query)
    if not rows:
        return np.zeros((0, n_columns), dtype=np.int64)
    return np.array(rows, dtype=np.int64)


def _coded(column, values: list[str]):  # noqa: ANN001, ANN202
    """SQL that turns a text column into its position in ``values`` (small ints travel fast)."""
    if not values:
        return literal(-1)
    return case({v: i for i, v in enumerate(values)}, value=column, else_=-1)


def _distinct(conn, column) -> list[str]:  # noqa: ANN001
    return sorted(str(v) for (v,) in _rows(conn, select(column).distinct()))


def read_decisions(project: Project) -> pd.DataFrame:
    """The whole decision log: ``id, answer_id, coder, themes, not_assigned, source, undoes``.

    ``coder`` and ``source`` are categorical; ``undoes`` is 0 where a row undoes nothing.
    """
    d = schema.decisions
    with project.engine.connect() as conn:
        coders = _distinct(conn, d.c.coder)
        sources = _distinct(conn, d.c.source)
        ints = _int_columns(conn, select(
            d.c.id, d.c.answer_id, _coded(d.c.coder, coders), _coded(d.c.source, sources),
            func.coalesce(d.c.undoes, 0), d.c.not_assigned).order_by(d.c.id), 6)
        themes = [t for (t,) in _rows(conn, select(d.c.themes).order_by(d.c.id))]
    return pd.DataFrame({
        "id": ints[:, 0], "answer_id": ints[:, 1],
        "coder": pd.Categorical.from_codes(ints[:, 2], categories=coders),
        "themes": np.asarray(themes, dtype=object),
        "not_assigned": ints[:, 5].astype(bool),
        "source": pd.Categorical.from_codes(ints[:, 3], categories=sources),
        "undoes": ints[:, 4]})


def final_decisions_frame(log: pd.DataFrame, prefer_coder: str | None = None) -> pd.DataFrame:
    """The decision that counts for each answer, from the raw log (see the module docstring).

    Args:
        log: the decision log as returned by :func:`read_decisions`.
        prefer_coder: the coder whose decision wins when no decision is adjudicated.

    Returns:
        One row per decided answer, sorted by answer id: ``answer_id``, ``decision_id``,
        ``coder``, ``source``, ``not_assigned``, ``themes``.
    """
    columns = ["answer_id", "decision_id", "coder", "source", "not_assigned", "themes"]
    if log.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    ids = log["id"].to_numpy()
    is_undo = (log["source"] == "undo").to_numpy()
    withdrawn_ids = pd.to_numeric(log.loc[is_undo, "undoes"], errors="coerce").dropna()
    withdrawn = np.isin(ids, withdrawn_ids.to_numpy(dtype=np.int64)) if is_undo.any() \
        else np.zeros(len(ids), dtype=bool)
    live = log.loc[~is_undo & ~withdrawn]
    # per (answer, coder) the latest live decision is in force
    live = live.sort_values("id", kind="stable")
    in_force = live.drop_duplicates(["answer_id", "coder"], keep="last")
    # per answer: adjudicated > preferred coder > a person over the model alone > latest id
    adjudicated = (in_force["source"] == "adjudicated").to_numpy(dtype=np.int64)
    preferred = ((in_force["coder"] == prefer_coder).to_numpy(dtype=np.int64)
                 if prefer_coder is not None else np.zeros(len(in_force), dtype=np.int64))
    human = (in_force["source"] != "auto").to_numpy(dtype=np.int64)
    score = (adjudicated << 62) | (preferred << 61) | (human << 60) | \
        in_force["id"].to_numpy(dtype=np.int64)
    order = np.lexsort((score, in_force["answer_id"].to_numpy()))
    ranked = in_force.iloc[order]
    chosen = ranked.drop_duplicates("answer_id", keep="last")
    out = chosen.rename(columns={"id": "decision_id"})[columns].reset_index(drop=True)
    return out


def explode_themes(final: pd.DataFrame) -> pd.DataFrame:
    """One row per (answer, theme) of the final decisions (not-assigned answers have none).

    Theme lists are JSON text; only the distinct lists are parsed, so this stays fast when
    a million answers share a few hundred combinations.
    """
    if final.empty:
        return pd.DataFrame({"answer_id": pd.Series(dtype=np.int64),
                             "theme_id": pd.Series(dtype=object)})
    codes, uniques = pd.factorize(final["themes"])
    pairs_code: list[int] = []
    pairs_theme: list[str] = []
    for code, text in enumerate(uniques):
        for theme in dict.fromkeys(json.loads(text)):
            pairs_code.append(code)
            pairs_theme.append(theme)
    pairs = pd.DataFrame({"code": np.asarray(pairs_code, dtype=np.int64),
                          "theme_id": pairs_theme})
    left = pd.DataFrame({"answer_id": final["answer_id"].to_numpy(dtype=np.int64),
                         "code": codes.astype(np.int64)})
    merged = left.merge(pairs, on="code", how="inner")
    return merged[["answer_id", "theme_id"]]


def load_export_data(project: Project, *, prefer_coder: str | None = None,
                     with_text: bool = False, with_attributes: bool = True) -> ExportData:
    """Read respondents, answers and decisions and derive the final decision per answer.

    Args:
        project: an open project.
        prefer_coder: the coder whose decision wins when none is adjudicated.
        with_text: also read the answer texts (needed for the merged data, not for tallies).
        with_attributes: also read respondent keys and attributes (not needed for tallies
            without a breakdown).
    """
    r, a = schema.respondents, schema.answers
    with project.engine.connect() as conn:
        groups = _distinct(conn, r.c.group_label)
        questions = _distinct(conn, a.c.question)
        questions = [q for q in QUESTIONS if q in questions] + \
            [q for q in questions if q not in QUESTIONS]
        resp = _int_columns(conn, select(r.c.id, _coded(r.c.group_label, groups))
                            .order_by(r.c.id), 2)
        ans = _int_columns(conn, select(a.c.id, a.c.respondent_id,
                                        _coded(a.c.question, questions), a.c.has_comment)
                           .order_by(a.c.id), 4)
        extra = None
        if with_attributes:
            extra = _fetch(conn, select(r.c.respondent_key, r.c.attributes).order_by(r.c.id),
                           ["respondent_key", "attributes"])
        texts = [t for (t,) in _rows(conn, select(a.c.text).order_by(a.c.id))] \
            if with_text else None
    respondents = pd.DataFrame({
        "id": resp[:, 0],
        "group": pd.Categorical.from_codes(resp[:, 1], categories=groups)},
        index=pd.Index(resp[:, 0], name=None))
    if extra is not None:
        respondents["respondent_key"] = extra["respondent_key"].to_numpy(dtype=object)
        respondents["attributes"] = extra["attributes"].to_numpy(dtype=object)
    position = respondents.index.get_indexer(ans[:, 1])
    answers = pd.DataFrame({
        "id": ans[:, 0], "respondent_id": ans[:, 1],
        "question": pd.Categorical.from_codes(ans[:, 2], categories=questions),
        "has_comment": ans[:, 3].astype(bool),
        "group": pd.Categorical.from_codes(resp[position, 1] if len(ans) else
                                           np.zeros(0, dtype=np.int64), categories=groups)})
    if texts is not None:
        answers["text"] = np.asarray(texts, dtype=object)
    final = final_decisions_frame(read_decisions(project), prefer_coder)
    return ExportData(respondents=respondents, answers=answers, final=final,
                      themes=explode_themes(final))


def parse_attributes(respondents: pd.DataFrame) -> pd.DataFrame:
    """Respondent attributes (JSON text per respondent) as columns, indexed by respondent id.

    Columns appear in the order first seen; a missing attribute is an empty string.
    """
    if respondents.empty:
        return pd.DataFrame(index=respondents.index)
    codes, uniques = pd.factorize(respondents["attributes"])
    parsed = [json.loads(text) for text in uniques]
    columns: dict[str, None] = {}
    for item in parsed:
        columns.update(dict.fromkeys(item))
    table = pd.DataFrame([{c: str(item.get(c, "")) for c in columns} for item in parsed],
                         columns=list(columns))
    out = table.iloc[codes].reset_index(drop=True)
    out.index = respondents.index
    return out


NON_ANSWER_MAX_LENGTH = 60
"""Answers longer than this are never taken for non-answers (so only short texts are read)."""


def short_comment_texts(project: Project, max_length: int = NON_ANSWER_MAX_LENGTH
                        ) -> pd.DataFrame:
    """``answer_id, text`` of commented answers of at most ``max_length`` characters.

    Non-answers ("n/a", "-", "no comment") are short, so reading only short texts keeps
    the check fast on a million answers.
    """
    a = schema.answers
    with project.engine.connect() as conn:
        return _fetch(conn, select(a.c.id, a.c.text).where(
            a.c.has_comment.is_(True), func.length(a.c.text) <= max_length), ["answer_id", "text"])
