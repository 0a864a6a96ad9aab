"""The Project API: one survey's answers, codebooks, suggestions and coding decisions.

A project lives in a database: an SQLite file by default, or any SQLAlchemy URL
(``postgresql+psycopg://...``) for a team. Every coding decision is appended to
the ``decisions`` log and committed on its own before the call returns, so a killed
process loses nothing; the current coding is derived from the log.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Engine, and_, func, select
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from themecoder.codebook import QUESTIONS, Codebook, loads_codebook
from themecoder.errors import StoreError
from themecoder.store import migrations, schema
from themecoder.store.access import (
    check_sqlite_project,
    database_url,
    default_name,
    file_exists,
    redact,
    sqlite_path,
)
from themecoder.store.annotations import QUOTE_MARKS, AnswerAnnotations
from themecoder.store.engine import make_engine, now, short_error
from themecoder.store.records import (
    Answer,
    Decision,
    ImportResult,
    StoredSuggestion,
    decision_from_row,
    decision_of,
)
from themecoder.store.survey_import import IMPORT_CODER, import_survey
from themecoder.survey import SurveyData

__all__ = ["IMPORT_CODER", "QUOTE_MARKS", "SOURCES", "Answer", "Decision", "ImportResult",
           "Project", "StoredSuggestion", "decision_from_row", "now"]

SOURCES = ("accepted", "corrected", "manual", "imported", "adjudicated", "auto", "undo")
"""Where a decision came from (``auto``: made by the model alone, see
:mod:`themecoder.store.autocode`)."""




# --------------------------------------------------------------------------- project


class Project(AnswerAnnotations):
    """A survey coding project in a database.

    Use :meth:`create` for a new project and :meth:`open` for an existing one.
    """

    def __init__(self, location: str | os.PathLike[str], engine: Engine) -> None:
        self.location = str(location)
        self.url = database_url(location)
        self.engine = engine
        self._codebooks: dict[str, Codebook] | None = None
        self._coordination_engine: Engine | None = None
        self._parsed_codebooks: dict[int, Codebook] = {}  # by row id: a version never changes
        self._answer_groups: dict[int, str] = {}  # an answer's group never changes

    # ---------------------------------------------------------------- lifecycle

    @classmethod
    def create(cls, location: str | os.PathLike[str], *, name: str | None = None,
               exist_ok: bool = False) -> Project:
        """Create a new project (an SQLite file, or the tables in an empty database).

        Raises:
            StoreError: the project already exists (unless ``exist_ok``) or cannot be created.
        """
        url = database_url(location)
        path = sqlite_path(url)
        if path is not None:
            if file_exists(path, str(location)) and path.stat().st_size > 0:
                check_sqlite_project(path, str(location))  # another program's file: refused
                if not exist_ok:
                    raise StoreError("a project already exists here (use it, or choose "
                                     "another file)", file=location)
            if not path.parent.exists():
                raise StoreError(f"the folder {path.parent} does not exist", file=location)
        engine = make_engine(url)
        try:
            with engine.begin() as conn:
                if migrations.applied_versions(conn) and not exist_ok:
                    raise StoreError("a project already exists in this database",
                                     file=redact(location))
                migrations.migrate(conn)
                existing = conn.execute(select(schema.project_info.c.key).where(
                    schema.project_info.c.key == "name")).first()
                if existing is None:
                    conn.execute(schema.project_info.insert(), [
                        {"key": "name", "value": name or default_name(location)},
                        {"key": "created_at", "value": now()},
                    ])
        except SQLAlchemyError as exc:
            engine.dispose()
            raise StoreError(f"cannot create the project: {short_error(exc)}",
                             file=redact(location)) from None
        except StoreError:
            engine.dispose()
            raise
        return cls(location, engine)

    @classmethod
    def open(cls, location: str | os.PathLike[str]) -> Project:
        """Open an existing project and bring its schema up to date.

        Raises:
            StoreError: there is no project at ``location``.
        """
        url = database_url(location)
        path = sqlite_path(url)
        if path is not None:
            if not file_exists(path, str(location)):
                raise StoreError("no project here (create one with `themecoder init`)",
                                 file=location)
            check_sqlite_project(path, str(location))  # before anything opens it for writing
        engine = make_engine(url)
        try:
            with engine.begin() as conn:
                if not migrations.applied_versions(conn):
                    raise StoreError("not a themecoder project", file=redact(location))
                migrations.migrate(conn)
        except StoreError:
            engine.dispose()
            raise
        except SQLAlchemyError as exc:
            engine.dispose()
            raise StoreError(f"cannot open the project: {short_error(exc)}",
                             file=redact(location)) from None
        return cls(location, engine)

    @property
    def coordination_engine(self) -> Engine:
        """The engine for claims: it commits without waiting for the disk (SQLite
        ``synchronous=NORMAL``, PostgreSQL ``synchronous_commit=off``), since a claim is
        short-lived and a lost one only expires early."""
        if self._coordination_engine is None:
            self._coordination_engine = (
                make_engine(self.url, durable=False)
                if self.url.startswith(("sqlite", "postgresql")) else self.engine)
        return self._coordination_engine

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()
        if self._coordination_engine is not None:
            self._coordination_engine.dispose()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def display_location(self) -> str:
        """The location, safe to print (no password)."""
        return redact(self.location)

    def info(self) -> dict[str, str]:
        """Project metadata (name, created_at, ...)."""
        with self.engine.connect() as conn:
            return {r.key: r.value for r in conn.execute(select(schema.project_info))}

    def require_writable(self, what: str) -> None:
        """Refuse at once, before long work, when the project file cannot be written.

        Args:
            what: what would be saved, for the message (e.g. ``"suggestions"``).

        Raises:
            StoreError: the SQLite file (or its folder, for a new write-ahead log) is read-only.
        """
        path = sqlite_path(self.url)
        if path is None:
            return
        wal = path.with_name(path.name + "-wal")
        if not os.access(path, os.W_OK) or not (os.access(path.parent, os.W_OK)
                                                or os.access(wal, os.W_OK)):
            raise StoreError(f"the project is read-only here: {what} cannot be saved (make the "
                             "file and its folder writable, or work on a copy)",
                             file=self.display_location)

    def set_info(self, key: str, value: str) -> None:
        """Set one project setting (e.g. ``model:<codebook id>`` → the model directory)."""
        table = schema.project_info
        with self.engine.begin() as conn:
            conn.execute(table.delete().where(table.c.key == key))
            conn.execute(table.insert().values(key=key, value=value))

    # ---------------------------------------------------------------- codebooks

    def add_codebook(self, codebook: Codebook, *, change_note: str = "") -> None:
        """Add a codebook (or a new version of one, which becomes the active version).

        Raises:
            StoreError: another active codebook already covers one of its groups.
        """
        table = schema.codebooks
        with self.engine.begin() as conn:
            active = conn.execute(select(table).where(table.c.active.is_(True))).all()
            for row in active:
                other = loads_codebook(row.yaml, source=f"project codebook {row.codebook_id}")
                if other.id == codebook.id:
                    continue
                shared = {g.casefold() for g in other.groups} & {g.casefold() for g in
                                                                 codebook.groups}
                if shared:
                    raise StoreError(f"group(s) {', '.join(sorted(shared))} already coded with "
                                     f"codebook '{other.id}'", field="groups")
            same = conn.execute(select(table.c.id, table.c.yaml).where(and_(
                table.c.codebook_id == codebook.id, table.c.version == codebook.version))).first()
            yaml_text = codebook.to_yaml()
            if same is not None:
                if loads_codebook(same.yaml).to_dict() != codebook.to_dict():
                    raise StoreError(f"codebook '{codebook.id}' version {codebook.version} is "
                                     "already in the project with different content; give the "
                                     "changed codebook a new version", field="version")
                conn.execute(table.update().where(table.c.codebook_id == codebook.id)
                             .values(active=False))
                conn.execute(table.update().where(table.c.id == same.id).values(active=True))
            else:
                conn.execute(table.update().where(table.c.codebook_id == codebook.id)
                             .values(active=False))
                conn.execute(table.insert().values(
                    codebook_id=codebook.id, version=codebook.version, yaml=yaml_text,
                    active=True, change_note=change_note, created_at=now()))
        self._codebooks = None

    def codebooks(self) -> list[Codebook]:
        """The active codebooks, one per set of groups."""
        if self._codebooks is None:
            table = schema.codebooks
            with self.engine.connect() as conn:
                rows = conn.execute(select(table.c.id, table.c.codebook_id)
                                    .where(table.c.active.is_(True)).order_by(table.c.id)).all()
                missing = [r.id for r in rows if r.id not in self._parsed_codebooks]
                if missing:
                    for r in conn.execute(select(table.c.id, table.c.codebook_id, table.c.yaml)
                                          .where(table.c.id.in_(missing))):
                        self._parsed_codebooks[r.id] = loads_codebook(
                            r.yaml, source=f"project codebook {r.codebook_id}")
            self._codebooks = {r.codebook_id: self._parsed_codebooks[r.id] for r in rows}
        return list(self._codebooks.values())

    def codebook_history(self) -> list[dict[str, Any]]:
        """Every codebook version ever added, oldest first."""
        table = schema.codebooks
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(select(
                table.c.codebook_id, table.c.version, table.c.active, table.c.change_note,
                table.c.created_at).order_by(table.c.id))]

    def codebook_versions(self, codebook_id: str) -> list[Codebook]:
        """Every version of one codebook ever added to the project, oldest first."""
        table = schema.codebooks
        with self.engine.connect() as conn:
            rows = conn.execute(select(table.c.id, table.c.yaml)
                                .where(table.c.codebook_id == codebook_id)
                                .order_by(table.c.id)).all()
        out = []
        for r in rows:
            if r.id not in self._parsed_codebooks:
                self._parsed_codebooks[r.id] = loads_codebook(
                    r.yaml, source=f"project codebook {codebook_id}")
            out.append(self._parsed_codebooks[r.id])
        return out

    def codebook_for_group(self, group: str) -> Codebook:
        """The active codebook that codes respondent group ``group``.

        Raises:
            StoreError: no codebook covers that group.
        """
        for codebook in self.codebooks():
            if codebook.applies_to(group):
                return codebook
        known = ", ".join(g for cb in self.codebooks() for g in cb.groups) or "none"
        raise StoreError(f"no codebook in the project codes group '{group}' "
                         f"(groups covered: {known})", field="group")

    def refresh(self) -> None:
        """Forget cached codebooks (another process may have added a version)."""
        self._codebooks = None

    # ---------------------------------------------------------------- import

    def import_survey(self, data: SurveyData, *, coder: str = IMPORT_CODER,
                      update: bool = False) -> ImportResult:
        """Add a survey's respondents and answers, and any existing coding, in one
        transaction (see :func:`themecoder.store.survey_import.import_survey`)."""
        return import_survey(self, data, coder=coder, update=update)

    # ---------------------------------------------------------------- answers

    def answers(self, *, question: str | None = None, group: str | None = None,
                with_comment: bool | None = None,
                with_attributes: bool = True) -> list[Answer]:
        """Answers in import order, optionally filtered.

        ``with_attributes=False`` leaves the respondent attributes out (empty dicts): a
        leaner read, for the coding app's start-up on large projects.
        """
        a, r = schema.answers, schema.respondents
        columns = [a.c.id, a.c.answer_key, a.c.respondent_id, r.c.respondent_key,
                   r.c.group_label, a.c.question, a.c.text, a.c.has_comment]
        if with_attributes:
            columns.append(r.c.attributes)
        query = select(*columns).join(r, r.c.id == a.c.respondent_id).order_by(a.c.id)
        if question:
            query = query.where(a.c.question == question)
        if group:
            query = query.where(r.c.group_label == group)
        if with_comment is not None:
            query = query.where(a.c.has_comment.is_(with_comment))
        with self.engine.connect() as conn:
            rows = conn.execute(query).fetchall()
        self._answer_groups.update((row[0], row[4]) for row in rows)
        if not with_attributes:
            return [Answer(i, k, rid, rkey, g, q, t, bool(c))
                    for i, k, rid, rkey, g, q, t, c in rows]
        parsed: dict[str, dict[str, str]] = {}
        out = []
        for i, k, rid, rkey, g, q, t, c, attributes in rows:
            attrs = parsed.get(attributes)
            if attrs is None:
                attrs = parsed[attributes] = json.loads(attributes)
            out.append(Answer(i, k, rid, rkey, g, q, t, bool(c), attrs))
        return out

    def answer(self, answer_id: int) -> Answer:
        """One answer by its id.

        Raises:
            StoreError: no such answer.
        """
        a, r = schema.answers, schema.respondents
        with self.engine.connect() as conn:
            row = conn.execute(
                select(a.c.id, a.c.answer_key, a.c.respondent_id, r.c.respondent_key,
                       r.c.group_label, a.c.question, a.c.text, a.c.has_comment, r.c.attributes)
                .join(r, r.c.id == a.c.respondent_id).where(a.c.id == answer_id)).first()
        if row is None:
            raise StoreError(f"no answer with id {answer_id}", field="answer")
        self._answer_groups[row.id] = row.group_label
        return Answer(row.id, row.answer_key, row.respondent_id, row.respondent_key,
                      row.group_label, row.question, row.text, bool(row.has_comment),
                      json.loads(row.attributes))

    def answer_by_key(self, key: str) -> Answer:
        """One answer by its key (``respondent:question`` or the file's answer id)."""
        with self.engine.connect() as conn:
            answer_id = conn.execute(select(schema.answers.c.id).where(
                schema.answers.c.answer_key == key)).scalar()
        if answer_id is None:
            raise StoreError(f"no answer '{key}'", field="answer")
        return self.answer(answer_id)

    def respondent_answers(self, respondent_id: int) -> list[Answer]:
        """All answers of one respondent, in question order."""
        a, r = schema.answers, schema.respondents
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(a.c.id, a.c.answer_key, a.c.respondent_id, r.c.respondent_key,
                       r.c.group_label, a.c.question, a.c.text, a.c.has_comment, r.c.attributes)
                .join(r, r.c.id == a.c.respondent_id)
                .where(a.c.respondent_id == respondent_id)).all()
        out = [Answer(row.id, row.answer_key, row.respondent_id, row.respondent_key,
                      row.group_label, row.question, row.text, bool(row.has_comment),
                      json.loads(row.attributes)) for row in rows]
        order = {q: i for i, q in enumerate(QUESTIONS)}
        return sorted(out, key=lambda x: (order.get(x.question, 99), x.id))

    def count_answers(self) -> int:
        """How many answers the project holds."""
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(schema.answers)).scalar()
                       or 0)

    # ---------------------------------------------------------------- decisions

    def record_decision(self, answer_id: int, coder: str, themes: Sequence[str] = (), *,
                        not_assigned: bool = False, source: str = "manual",
                        model_version: str | None = None) -> Decision:
        """Append one coding decision and commit it before returning.

        Args:
            answer_id: the answer coded.
            coder: who decided.
            themes: theme ids (must belong to the codebook of the answer's group).
            not_assigned: the answer is deliberately left without a theme (too vague).
            source: accepted | corrected | manual | imported | adjudicated.
            model_version: the model whose suggestion was shown, if any.

        Raises:
            StoreError: unknown answer or theme, empty coder, or an invalid combination.
        """
        return self._append(self.decision_row(answer_id, coder, themes,
                                              not_assigned=not_assigned, source=source,
                                              model_version=model_version))

    def decision_row(self, answer_id: int, coder: str, themes: Sequence[str] = (), *,
                     not_assigned: bool = False, source: str = "manual",
                     model_version: str | None = None) -> dict[str, Any]:
        """Check a decision and return the ``decisions`` row that records it (unwritten).

        Raises:
            StoreError: as :meth:`record_decision`.
        """
        if source not in SOURCES or source == "undo":
            raise StoreError(f"unknown decision source '{source}'", field="source")
        if source == "auto":
            raise StoreError("automatic decisions are recorded a batch at a time "
                             "(themecoder autocode)", field="source")
        coder = coder.strip()
        if not coder:
            raise StoreError("a decision needs a coder name", field="coder")
        themes = list(dict.fromkeys(themes))
        if not_assigned and themes:
            raise StoreError("a decision is either not assigned or has themes, not both",
                             field="themes")
        if not not_assigned and not themes:
            raise StoreError("a decision needs at least one theme, or not assigned",
                             field="themes")
        codebook = self.codebook_for_group(self._group_of(answer_id))
        for theme_id in themes:
            if theme_id not in codebook.theme_ids:
                raise StoreError(f"theme '{theme_id}' is not in codebook '{codebook.id}'",
                                 field="themes")
        return {"answer_id": answer_id, "coder": coder, "themes": json.dumps(themes),
                "not_assigned": not_assigned, "source": source, "undoes": None,
                "codebook_version": f"{codebook.id}@{codebook.version}",
                "model_version": model_version, "created_at": now(), "revises": None}

    def _group_of(self, answer_id: int) -> str:
        """The respondent group of an answer (cached: it never changes).

        Raises:
            StoreError: no such answer.
        """
        group = self._answer_groups.get(answer_id)
        if group is None:
            group = self.answer(answer_id).group
        return group

    def _append(self, row: dict[str, Any]) -> Decision:
        try:
            with self.engine.begin() as conn:
                result = conn.execute(schema.decisions.insert().values(**row))
                new_id = result.inserted_primary_key[0]
        except OperationalError as exc:
            raise self.not_saved(exc) from None
        return decision_from_row(row, new_id)

    def not_saved(self, exc: Exception) -> StoreError:
        """The one-line error for a decision the database could not save."""
        return StoreError(f"the decision could not be saved: {short_error(exc)}",
                          file=self.display_location)

    def undo_last(self, coder: str) -> Decision | None:
        """Withdraw ``coder``'s most recent decision still in force; returns it (or ``None``).

        The withdrawal is itself appended to the log (source ``undo``), so undo never deletes.
        """
        d = schema.decisions
        undone = select(d.c.undoes).where(d.c.undoes.is_not(None)).scalar_subquery()
        with self.engine.connect() as conn:
            row = conn.execute(select(d).where(and_(
                d.c.coder == coder, d.c.source != "undo", d.c.id.not_in(undone)))
                .order_by(d.c.id.desc()).limit(1)).first()
        if row is None:
            return None
        target = decision_of(row)
        self._append({"answer_id": target.answer_id, "coder": coder, "themes": "[]",
                      "not_assigned": False, "source": "undo", "undoes": target.id,
                      "created_at": now()})
        return target

    def decision_log(self, *, answer_id: int | None = None,
                     coder: str | None = None) -> list[Decision]:
        """The raw, append-only log (undo rows included), oldest first."""
        d = schema.decisions
        query = select(d).order_by(d.c.id)
        if answer_id is not None:
            query = query.where(d.c.answer_id == answer_id)
        if coder is not None:
            query = query.where(d.c.coder == coder)
        with self.engine.connect() as conn:
            return [decision_of(r) for r in conn.execute(query)]

    def current_decisions(self, coder: str | None = None,
                          answer_ids: Iterable[int] | None = None) -> dict[tuple[int, str],
                                                                          Decision]:
        """Each coder's decision in force per answer: ``{(answer_id, coder): Decision}``.

        A decision is in force when it is the coder's latest on that answer that has not
        been withdrawn by an undo.
        """
        d = schema.decisions
        undone = select(d.c.undoes).where(d.c.undoes.is_not(None))
        live = select(func.max(d.c.id).label("id")).where(and_(
            d.c.source != "undo", d.c.id.not_in(undone)))
        if coder is not None:
            live = live.where(d.c.coder == coder)
        if answer_ids is not None:
            ids = list(answer_ids)
            if not ids:
                return {}
            live = live.where(d.c.answer_id.in_(ids))
        live_ids = live.group_by(d.c.answer_id, d.c.coder).subquery()
        query = select(d).join(live_ids, live_ids.c.id == d.c.id)
        with self.engine.connect() as conn:
            return {(r.answer_id, r.coder): decision_of(r) for r in conn.execute(query)}

    def final_decisions(self, *, prefer_coder: str | None = None) -> dict[int, Decision]:
        """One decision per coded answer, for exports and status.

        The rule, in order: an adjudicated decision; else ``prefer_coder``'s decision; else
        a person's decision over one the model made alone (source ``auto``); else the most
        recent decision by any coder.
        """
        chosen: dict[int, Decision] = {}
        for (answer_id, _coder), decision in self.current_decisions().items():
            best = chosen.get(answer_id)
            if best is None or _rank(decision, prefer_coder) > _rank(best, prefer_coder):
                chosen[answer_id] = decision
        return chosen

    def coders(self) -> list[str]:
        """Names of everyone who has made a decision, in order of first decision."""
        d = schema.decisions
        with self.engine.connect() as conn:
            rows = conn.execute(select(d.c.coder, func.min(d.c.id).label("first"))
                                .group_by(d.c.coder).order_by("first")).all()
        return [r.coder for r in rows]

    # ---------------------------------------------------------------- status

    def status(self, coder: str | None = None) -> list[dict[str, Any]]:
        """Per group × question: total answers, commented, coded, not assigned, to do, and
        ``auto``: how many of the decided answers the model coded alone.

        Coded counts use :meth:`final_decisions` (or only ``coder``'s decisions when given).
        """
        if coder is None:
            decided = self.final_decisions()
        else:
            decided = {a: d for (a, _c), d in self.current_decisions(coder=coder).items()}
        counts: dict[tuple[str, str], dict[str, Any]] = {}
        a, r = schema.answers, schema.respondents
        with self.engine.connect() as conn:
            rows = conn.execute(select(a.c.id, a.c.question, a.c.has_comment, r.c.group_label)
                                .join(r, r.c.id == a.c.respondent_id)).all()
        for row in rows:
            key = (row.group_label, row.question)
            item = counts.setdefault(key, {"group": row.group_label, "question": row.question,
                                           "answers": 0, "commented": 0, "coded": 0,
                                           "not_assigned": 0, "to_do": 0, "auto": 0})
            item["answers"] += 1
            if not row.has_comment:
                continue
            item["commented"] += 1
            decision = decided.get(row.id)
            if decision is not None and decision.source == "auto":
                item["auto"] += 1
            if decision is None:
                item["to_do"] += 1
            elif decision.not_assigned:
                item["not_assigned"] += 1
            else:
                item["coded"] += 1
        order = {q: i for i, q in enumerate(QUESTIONS)}
        return sorted(counts.values(), key=lambda x: (x["group"], order.get(x["question"], 99)))


def _rank(decision: Decision, prefer_coder: str | None) -> tuple[int, int, int, int]:
    return (1 if decision.source == "adjudicated" else 0,
            1 if prefer_coder is not None and decision.coder == prefer_coder else 0,
            0 if decision.source == "auto" else 1,
            decision.id)
