"""Importing a survey into a project: respondents, answers and existing coding, all or nothing.

:func:`import_survey` (what :meth:`Project.import_survey` does) checks every row against the
codebooks before writing, then writes in one transaction: answers already present are skipped
(a repeated import adds nothing), changed text is refused unless ``update`` (see
:mod:`themecoder.store.updates`), and a database error leaves the project as it was.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, select
from sqlalchemy.exc import IntegrityError, OperationalError

from themecoder.codebook import Codebook
from themecoder.errors import StoreError
from themecoder.store import schema, updates
from themecoder.store.engine import in_chunks, now, short_error
from themecoder.store.records import ImportResult
from themecoder.survey import SurveyData

if TYPE_CHECKING:
    from themecoder.store.project import Project

IMPORT_CODER = "imported"
"""Coder name recorded on decisions brought in with a survey file."""


def import_survey(project: Project, data: SurveyData, *, coder: str = IMPORT_CODER,
                  update: bool = False) -> ImportResult:
    """Add a survey's respondents and answers, and any existing coding, in one transaction.

    Answers already in the project (same key, same text) are skipped, so importing a file
    twice adds nothing. The whole import is refused, and nothing is written, if any row
    is wrong (unknown group, unknown theme) or if answers already in the project have
    different text — unless ``update``, which replaces their text on record and keeps
    their coding (see :mod:`themecoder.store.updates`).

    Raises:
        StoreError: naming the file, row and column of the problem.
    """
    from themecoder.errors import SurveyError

    codebook_by_group: dict[str, Codebook] = {}
    first_row = {r.group: r.row for r in reversed(data.respondents)}
    for group in data.groups:
        try:
            codebook_by_group[group] = project.codebook_for_group(group)
        except StoreError as exc:
            raise SurveyError(f"{exc.message}; to read a label as a group, give "
                              "--group-value 'LABEL=GROUP' (group_values in a mapping)",
                              file=data.path, row=first_row[group], field="group") from None
    group_of = {r.key: r.group for r in data.respondents}
    coded: list[tuple[Any, list[str]]] = []
    for answer in data.answers:
        if answer.themes is None:
            continue
        codebook = codebook_by_group[group_of[answer.respondent_key]]
        ids: list[str] = []
        for name in answer.themes:
            theme = codebook.find(name)
            if theme is None:
                raise SurveyError(f"unknown theme '{name}' for codebook '{codebook.id}'",
                                  file=data.path, row=answer.row, field=answer.themes_field)
            ids.append(theme.id)
        if not answer.text and (ids or answer.not_assigned):
            raise SurveyError("coding given for an empty answer", file=data.path,
                              row=answer.row, field=answer.themes_field)
        if ids or answer.not_assigned:
            coded.append((answer, ids))
    result = ImportResult()
    stamp = now()
    try:
        with project.engine.begin() as conn:
            result = _write_import(conn, data, codebook_by_group, group_of, coded,
                                        coder, stamp, update)
    except IntegrityError as exc:
        raise StoreError(f"import refused by the database: {short_error(exc)}",
                         file=data.path) from None
    except OperationalError as exc:
        raise StoreError(f"cannot write to the project: {short_error(exc)}",
                         file=project.display_location) from None
    return result


def _write_import(conn: Any, data: SurveyData, codebook_by_group: dict[str, Codebook],
              group_of: dict[str, str], coded: list[tuple[Any, list[str]]], coder: str,
              stamp: str, update: bool = False) -> ImportResult:
    from themecoder.errors import SurveyError

    result = ImportResult()
    r_table, a_table = schema.respondents, schema.answers
    existing_resp: dict[str, tuple[int, str]] = {}
    keys = [r.key for r in data.respondents]
    for chunk in in_chunks(keys, 500):
        for row in conn.execute(select(r_table.c.id, r_table.c.respondent_key,
                                       r_table.c.group_label)
                                .where(r_table.c.respondent_key.in_(chunk))):
            existing_resp[row.respondent_key] = (row.id, row.group_label)
    import_id = conn.execute(schema.imports.insert().values(
        file=str(data.path), sha256=data.sha256, layout=data.layout, respondents_added=0,
        answers_added=0, decisions_added=0, imported_at=stamp)).inserted_primary_key[0]
    new_resp = []
    for resp in data.respondents:
        if resp.key in existing_resp:
            if existing_resp[resp.key][1] != resp.group:
                raise SurveyError(f"respondent '{resp.key}' is already in the project as "
                                  f"group '{existing_resp[resp.key][1]}'",
                                  file=data.path, row=resp.row, field="group")
            continue
        new_resp.append({"respondent_key": resp.key, "group_label": resp.group,
                         "attributes": json.dumps(resp.attributes, ensure_ascii=False),
                         "import_id": import_id, "source_row": resp.row})
    for chunk in in_chunks(new_resp, 1000):
        conn.execute(r_table.insert(), chunk)
    result.respondents_added = len(new_resp)
    resp_ids: dict[str, int] = {}
    for chunk in in_chunks(keys, 500):
        for row in conn.execute(select(r_table.c.id, r_table.c.respondent_key)
                                .where(r_table.c.respondent_key.in_(chunk))):
            resp_ids[row.respondent_key] = row.id
    existing_ans: dict[str, tuple[int, str]] = {}
    answer_keys = [a.key for a in data.answers]
    for chunk in in_chunks(answer_keys, 500):
        for row in conn.execute(select(a_table.c.id, a_table.c.answer_key, a_table.c.text)
                                .where(a_table.c.answer_key.in_(chunk))):
            existing_ans[row.answer_key] = (row.id, row.text)
    new_answers = []
    changed: list[updates.ChangedAnswer] = []
    for answer in data.answers:
        if answer.key in existing_ans:
            answer_id, old_text = existing_ans[answer.key]
            if old_text != answer.text:
                changed.append(updates.ChangedAnswer(answer_id, answer.key, answer.row,
                                                     old_text, answer.text))
            else:
                result.answers_already_present += 1
            continue
        new_answers.append({"answer_key": answer.key,
                            "respondent_id": resp_ids[answer.respondent_key],
                            "question": answer.question, "text": answer.text,
                            "has_comment": bool(answer.text.strip())})
    if changed and not update:
        raise updates.refuse(changed, data.path)
    if changed:
        result.text_updates = updates.apply(conn, changed, import_id, stamp)
    for chunk in in_chunks(new_answers, 1000):
        conn.execute(a_table.insert(), chunk)
    result.answers_added = len(new_answers)
    if coded:
        ids_by_key: dict[str, int] = {}
        for chunk in in_chunks([a.key for a, _ in coded], 500):
            for row in conn.execute(select(a_table.c.id, a_table.c.answer_key)
                                    .where(a_table.c.answer_key.in_(chunk))):
                ids_by_key[row.answer_key] = row.id
        already = set()
        for chunk in in_chunks(list(ids_by_key.values()), 500):
            already |= {r[0] for r in conn.execute(
                select(schema.decisions.c.answer_id).where(and_(
                    schema.decisions.c.answer_id.in_(chunk),
                    schema.decisions.c.coder == coder)))}
        rows = []
        for answer, ids in coded:
            answer_id = ids_by_key[answer.key]
            if answer_id in already:
                continue
            codebook = codebook_by_group[group_of[answer.respondent_key]]
            rows.append({"answer_id": answer_id, "coder": coder, "themes": json.dumps(ids),
                         "not_assigned": answer.not_assigned, "source": "imported",
                         "codebook_version": f"{codebook.id}@{codebook.version}",
                         "created_at": stamp})
        for chunk in in_chunks(rows, 1000):
            conn.execute(schema.decisions.insert(), chunk)
        result.decisions_added = len(rows)
    conn.execute(schema.imports.update().where(schema.imports.c.id == import_id).values(
        respondents_added=result.respondents_added, answers_added=result.answers_added,
        decisions_added=result.decisions_added))
    return result
