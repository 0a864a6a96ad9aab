"""Table definitions of a project store (SQLAlchemy Core, portable to SQLite and PostgreSQL).

The tables here are the schema as the latest migration leaves it; migrations in
:mod:`themecoder.store.migrations` create and change them, step by numbered step.

Coding is an append-only log (``decisions``): a decision is never updated or deleted.
Undo appends a row of source ``undo`` naming the decision it withdraws, so the
current state is derived and the audit trail is complete.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

schema_migrations = Table(
    "schema_migrations", metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("name", String(200), nullable=False),
    Column("applied_at", String(40), nullable=False),
)

project_info = Table(
    "project_info", metadata,
    Column("key", String(100), primary_key=True),
    Column("value", Text, nullable=False),
)

codebooks = Table(
    "codebooks", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("codebook_id", String(200), nullable=False),
    Column("version", String(100), nullable=False),
    Column("yaml", Text, nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("change_note", Text, nullable=False, default=""),
    Column("created_at", String(40), nullable=False),
    UniqueConstraint("codebook_id", "version", name="uq_codebook_version"),
)

imports = Table(
    "imports", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("file", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("layout", String(20), nullable=False),
    Column("respondents_added", Integer, nullable=False),
    Column("answers_added", Integer, nullable=False),
    Column("decisions_added", Integer, nullable=False),
    Column("imported_at", String(40), nullable=False),
)

respondents = Table(
    "respondents", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("respondent_key", String(300), nullable=False, unique=True),
    Column("group_label", String(200), nullable=False),
    Column("attributes", Text, nullable=False, default="{}"),
    Column("import_id", Integer, ForeignKey("imports.id"), nullable=True),
    Column("source_row", Integer, nullable=True),
)

answers = Table(
    "answers", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("answer_key", String(400), nullable=False, unique=True),
    Column("respondent_id", Integer, ForeignKey("respondents.id"), nullable=False),
    Column("question", String(50), nullable=False),
    Column("text", Text, nullable=False),
    Column("has_comment", Boolean, nullable=False),
    Index("ix_answers_respondent", "respondent_id"),
    Index("ix_answers_question", "question"),
)

decisions = Table(
    "decisions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("answer_id", Integer, ForeignKey("answers.id"), nullable=False),
    Column("coder", String(200), nullable=False),
    # JSON list of theme ids; empty for not-assigned and undo rows
    Column("themes", Text, nullable=False, default="[]"),
    Column("not_assigned", Boolean, nullable=False, default=False),
    # accepted | corrected | manual | imported | adjudicated | undo
    Column("source", String(20), nullable=False),
    Column("undoes", Integer, nullable=True),
    Column("codebook_version", String(100), nullable=True),
    Column("model_version", String(300), nullable=True),
    Column("created_at", String(40), nullable=False),
    # (migration 4) the other coder's decision in force that this one deliberately revises
    Column("revises", Integer, nullable=True),
    Index("ix_decisions_answer_coder", "answer_id", "coder"),
    Index("ix_decisions_coder", "coder", "id"),
)

notes = Table(
    "notes", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("answer_id", Integer, ForeignKey("answers.id"), nullable=False),
    Column("coder", String(200), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
    Index("ix_notes_answer", "answer_id"),
)

# ---- note drafts (migration 6)

note_drafts = Table(
    "note_drafts", metadata,
    # a note being typed, kept as it is typed so a crash loses nothing; one per answer and
    # coder, replaced at every change, removed when the note is saved or abandoned
    Column("answer_id", Integer, ForeignKey("answers.id"), primary_key=True,
           autoincrement=False),
    Column("coder", String(200), primary_key=True),
    Column("text", Text, nullable=False),
    Column("updated_at", String(40), nullable=False),
)

suggestions = Table(
    "suggestions", metadata,
    Column("answer_id", Integer, ForeignKey("answers.id"), primary_key=True,
           autoincrement=False),
    Column("model_version", String(300), nullable=False),
    # JSON list of {theme_id, score, suggested, reasons, spans}, best first
    Column("themes", Text, nullable=False),
    Column("top_score", Float, nullable=False, default=0.0),
    # true when Not assigned is suggested (the model's decision, or a vague answer)
    Column("vague", Boolean, nullable=False, default=False),
    Column("created_at", String(40), nullable=False),
    # the model's probability of Not assigned (migration 10); NULL without one
    Column("not_assigned_score", Float, nullable=True),
)

# ---- teams (migration 2)

double_coding_samples = Table(
    "double_coding_samples", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # JSON list of coder names, in the order given
    Column("coders", Text, nullable=False),
    Column("seed", Integer, nullable=False),
    Column("share", Float, nullable=True),
    Column("requested_n", Integer, nullable=True),
    Column("created_at", String(40), nullable=False),
)

double_coding = Table(
    "double_coding", metadata,
    Column("sample_id", Integer, ForeignKey("double_coding_samples.id"), nullable=False),
    Column("answer_id", Integer, ForeignKey("answers.id"), nullable=False),
    Column("coder", String(200), nullable=False),
    UniqueConstraint("sample_id", "answer_id", "coder", name="uq_double_coding"),
    Index("ix_double_coding_coder", "coder", "answer_id"),
    Index("ix_double_coding_answer", "answer_id"),
)

claims = Table(
    "claims", metadata,
    Column("answer_id", Integer, ForeignKey("answers.id"), primary_key=True,
           autoincrement=False),
    # "" for an ordinary to-do answer (one coder at a time); the coder's name for an answer
    # in that coder's double-coding sample (each assigned coder claims it separately)
    Column("lane", String(200), primary_key=True),
    Column("coder", String(200), nullable=False),
    Column("claimed_at", String(40), nullable=False),
    Column("expires_at", String(40), nullable=False),
    Index("ix_claims_coder", "coder"),
)

# ---- model versions and where prior coding comes from (migration 3)

training_links = Table(
    "training_links", metadata,
    # one link per codebook id: the prior coding its models are trained on
    Column("codebook_id", String(200), primary_key=True),
    # file | project
    Column("kind", String(20), nullable=False),
    # the file's absolute path, or the prior project's location (never with a password)
    Column("location", Text, nullable=False),
    # the location as the user (or the model's metadata) named it
    Column("given", Text, nullable=False),
    Column("text_col", String(300), nullable=True),
    Column("question_col", String(300), nullable=True),
    Column("themes_col", String(300), nullable=True),
    # JSON list of COL=VALUE filters
    Column("filters", Text, nullable=False, default="[]"),
    # what recorded the link: "model <dir>" or "link-training"
    Column("origin", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
)

model_versions = Table(
    "model_versions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("codebook_id", String(200), nullable=False),
    Column("number", Integer, nullable=False),
    Column("path", Text, nullable=False),
    # given (named with suggest --model) | retrained
    Column("origin", String(20), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("tier", String(20), nullable=True),
    Column("n_prior", Integer, nullable=True),
    Column("n_current", Integer, nullable=True),
    Column("current_weight", Float, nullable=True),
    Column("prior_source", Text, nullable=False, default=""),
    # JSON list of this year's answer ids it was trained on
    Column("training_answers", Text, nullable=False, default="[]"),
    # SHA-256 of this year's training rows (answer ids and labels)
    Column("current_fingerprint", String(64), nullable=True),
    # held-out | cross-validation | none
    Column("check_kind", String(30), nullable=False, default=""),
    Column("n_checked", Integer, nullable=True),
    Column("micro_f1", Float, nullable=True),
    Column("macro_f1", Float, nullable=True),
    # what it was compared with (a version label, or keywords) and that one's scores
    Column("compared_with", String(300), nullable=False, default=""),
    Column("compared_micro_f1", Float, nullable=True),
    Column("compared_macro_f1", Float, nullable=True),
    Column("accepted", Boolean, nullable=True),
    Column("reason", Text, nullable=False, default=""),
    # JSON: this version's recipe cross-validated on the prior coding (reused when it is live)
    Column("recipe_cv", Text, nullable=False, default="{}"),
    UniqueConstraint("codebook_id", "number", name="uq_model_version"),
)

# ---- quote bank (migration 5)

quote_marks = Table(
    "quote_marks", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("answer_id", Integer, ForeignKey("answers.id"), nullable=False),
    Column("coder", String(200), nullable=False),
    # star | ban | clear: the latest row per answer is in force (append-only, like decisions)
    Column("mark", String(10), nullable=False),
    Column("created_at", String(40), nullable=False),
    Index("ix_quote_marks_answer", "answer_id", "id"),
)

# ---- answers whose text a re-import replaced (migration 8)

answer_updates = Table(
    "answer_updates", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("answer_id", Integer, ForeignKey("answers.id"), nullable=False),
    Column("import_id", Integer, ForeignKey("imports.id"), nullable=False),
    # the text before and after, so every change is on record and can be read back
    Column("old_text", Text, nullable=False),
    Column("new_text", Text, nullable=False),
    Column("updated_at", String(40), nullable=False),
    Index("ix_answer_updates_answer", "answer_id", "id"),
)

# ---- semi-automatic coding (migration 7)

autocode_batches = Table(
    "autocode_batches", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # the name the batch's decisions are recorded under
    Column("coder", String(200), nullable=False),
    Column("target", Float, nullable=False),
    Column("expected_accuracy", Float, nullable=False),
    Column("answers", Integer, nullable=False),
    # answers still to do that were considered
    Column("candidates", Integer, nullable=False),
    Column("audit_share", Float, nullable=False),
    Column("audit_min", Integer, nullable=False),
    Column("seed", Integer, nullable=False),
    # JSON {codebook id: model version}
    Column("models", Text, nullable=False),
    # JSON: what the probabilities were calibrated on
    Column("calibration", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("undone_at", String(40), nullable=True),
)

auto_decisions = Table(
    "auto_decisions", metadata,
    Column("decision_id", Integer, ForeignKey("decisions.id"), primary_key=True,
           autoincrement=False),
    Column("batch_id", Integer, ForeignKey("autocode_batches.id"), nullable=False),
    Column("answer_id", Integer, ForeignKey("answers.id"), nullable=False),
    # the estimated probability that the decision's whole set of themes is exactly right
    Column("probability", Float, nullable=False),
    Index("ix_auto_decisions_batch", "batch_id"),
    Index("ix_auto_decisions_answer", "answer_id"),
)

audit_answers = Table(
    "audit_answers", metadata,
    Column("batch_id", Integer, ForeignKey("autocode_batches.id"), nullable=False),
    Column("answer_id", Integer, ForeignKey("answers.id"), nullable=False),
    UniqueConstraint("batch_id", "answer_id", name="uq_audit_answer"),
    Index("ix_audit_answers_answer", "answer_id"),
)
