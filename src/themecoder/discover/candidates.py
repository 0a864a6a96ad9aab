"""Candidate new themes: the topics of the answers no theme covers, named and ranked.

:func:`run_discovery` takes, per respondent group, the discovery pool
(:mod:`themecoder.discover.pool`), turns the answers into vectors and finds their topics
(:mod:`themecoder.discover.clustering`), names each topic by class-based TF-IDF
(:mod:`themecoder.discover.naming`) and returns them as :class:`Candidate` objects with an
account of the pool and the method that ran.

Candidates are ranked by size × cohesion, those about the survey itself last, ties broken
by group and answer ids; they are numbered 1, 2, … in that order. The same project and seed
give the same numbers, so ``themecoder discover --adopt 3`` means the candidate the last
listing showed as 3 while nothing changed (and the adoption names what it adopted).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from themecoder.discover.clustering import SETTINGS, Embedder, find_topics, tfidf_vectors
from themecoder.discover.naming import PhraseCounter, about_survey, class_tfidf, propose_name
from themecoder.discover.pool import PoolAccount, is_non_answer, uncovered_answers

if TYPE_CHECKING:
    from themecoder.store.project import Answer, Project

METHODS = ("auto", "embeddings", "tfidf")
"""How answers are turned into vectors: ``auto`` uses embeddings when the ``accurate`` extra
is installed, else TF-IDF."""

N_EXAMPLES = 5
"""How many central answers a candidate shows."""

MIN_SIZE = 5
"""Default smallest candidate."""


@dataclass(frozen=True)
class Candidate:
    """A topic of uncoded answers that might deserve a theme of its own.

    Attributes:
        id: Its number in the list (1 = first listed).
        group: The respondent group whose answers it holds.
        codebook_id: The codebook of that group.
        size: How many answers it holds.
        top_words: Its most distinctive phrases as written in the answers, best first.
        name: A proposed theme name (its two most distinctive phrases).
        example_ids: Ids of its most central answers (up to five), most central first.
        examples: The texts of those answers.
        answer_ids: Ids of all its answers, most central first.
        cohesion: Mean cosine similarity of the members to the candidate's centre (0–1).
        questions: How many of its answers come from each question.
        similarities: Each member's similarity to the centre, in ``answer_ids`` order.
        about_survey: Whether it is about the survey itself (ranked last).
        code_similarity: Examples at least this similar are coded when it is adopted.
    """

    id: int
    group: str
    codebook_id: str
    size: int
    top_words: tuple[str, ...]
    name: str
    example_ids: tuple[int, ...]
    examples: tuple[str, ...]
    answer_ids: tuple[int, ...]
    cohesion: float
    questions: dict[str, int] = field(default_factory=dict, compare=False)
    similarities: tuple[float, ...] = field(default=(), compare=False)
    about_survey: bool = False
    code_similarity: float = 0.0

    @property
    def score(self) -> float:
        """What candidates are sorted by: size × cohesion."""
        return self.size * self.cohesion

    def sure_example_ids(self) -> tuple[int, ...]:
        """The examples similar enough to the candidate to be coded without review."""
        return tuple(a for a, s in zip(self.example_ids, self.similarities, strict=False)
                     if s >= self.code_similarity)

    def describe(self) -> str:
        """``"3. Transport / driver (holder, 42 answers; top words: …)"``."""
        return (f"{self.id}. {self.name} ({self.group}, {self.size} answers; top words: "
                f"{', '.join(self.top_words)})")


@dataclass(frozen=True)
class Discovery:
    """What :func:`run_discovery` found.

    Attributes:
        candidates: Best first, numbered from 1.
        method: Which vectors and clustering ran, in words.
        account: Where the uncovered answers went, over all groups.
        accounts: The same per respondent group.
        texts: The text of every candidate member, by answer id.
        answer_keys: The answer key of every candidate member, by answer id.
        answer_questions: The question of every candidate member, by answer id.
    """

    candidates: list[Candidate]
    method: str
    account: PoolAccount
    accounts: dict[str, PoolAccount] = field(default_factory=dict)
    texts: dict[int, str] = field(default_factory=dict, repr=False)
    answer_keys: dict[int, str] = field(default_factory=dict, repr=False)
    answer_questions: dict[int, str] = field(default_factory=dict, repr=False)

    def candidate(self, candidate_id: int) -> Candidate | None:
        """The candidate with this id, if any."""
        return next((c for c in self.candidates if c.id == candidate_id), None)

    def member_rows(self) -> list[dict[str, Any]]:
        """One row per member answer: candidate, name, answer_key, question, text."""
        return [{"candidate": c.id, "name": c.name, "answer_key": self.answer_keys[a],
                 "question": self.answer_questions[a], "text": self.texts[a]}
                for c in self.candidates for a in c.answer_ids]


def resolve_method(method: str) -> str:
    """``"embeddings"`` or ``"tfidf"`` for a requested method (``"auto"`` picks)."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}")
    if method != "auto":
        return method
    from themecoder.suggest.embeddings import embedding_package

    return "embeddings" if embedding_package() is not None else "tfidf"


def describe_method(method: str) -> str:
    """The method in words, naming the embedding package when it is used."""
    if method == "embeddings":
        from themecoder.suggest.embeddings import embedding_package

        package = embedding_package() or {"name": "sentence embeddings", "version": "?"}
        vectors = f"sentence embeddings ({package['name']} {package['version']})"
    else:
        vectors = "TF-IDF (the accurate extra adds sentence embeddings)"
    return f"{vectors} · HDBSCAN, close clusters merged · c-TF-IDF names"


def topics_in(texts: Sequence[str], *, method: str = "auto", min_size: int = MIN_SIZE,
              random_state: int = 0, embedder: Embedder | None = None
              ) -> list[dict[str, Any]]:
    """The topics of some texts, without a project (what :func:`run_discovery` does per group).

    Args:
        texts: The answers taking part (non-answers already left out).
        method: ``auto``, ``embeddings`` or ``tfidf``.
        min_size: Smallest topic.
        random_state: Seed.
        embedder: Sentence embeddings of a list of texts (default: the shipped MiniLM).

    Returns:
        Per topic: ``rows`` (into ``texts``, most central first), ``similarities``,
        ``top_words``, ``name``, ``cohesion`` and ``about_survey``; ranked as candidates
        are (size × cohesion, those about the survey itself last).
    """
    method = resolve_method(method)
    settings = SETTINGS[method]
    texts = list(texts)
    if len(texts) < max(min_size, 2):
        return []
    if method == "embeddings":
        from themecoder.discover.clustering import unit_rows

        if embedder is None:
            from themecoder.suggest.embeddings import embed as embedder
        X = unit_rows(embedder(texts))
    else:
        X = tfidf_vectors(texts, random_state)
    found = find_topics(X, min_size=min_size, settings=settings, random_state=random_state)
    counter = PhraseCounter()
    phrases = [counter.phrases(t) for t in texts]
    words = class_tfidf(phrases, [rows for rows, _ in found], counter)
    out = []
    for (rows, sims), top in zip(found, words, strict=True):
        # One text repeated is an artefact of the form, not a topic; nor is a group whose
        # answers share no phrase at all (stray answers that happen to be near each other).
        if not top or len({" ".join(texts[r].casefold().split()) for r in rows}) < \
                min(min_size, 3):
            continue
        out.append({"rows": rows, "similarities": sims, "top_words": top,
                    "name": propose_name(top), "cohesion": float(sims.mean()),
                    "about_survey": about_survey([texts[r] for r in rows], top)})
    out.sort(key=lambda t: (t["about_survey"], -len(t["rows"]) * round(t["cohesion"], 4),
                            int(t["rows"].min())))
    return out


def run_discovery(project: Project, *, group: str | None = None, min_size: int = MIN_SIZE,
                  weak_score: float = 0.35, random_state: int = 0, method: str = "auto",
                  n_candidates: int | None = None,
                  embedder: Embedder | None = None) -> Discovery:
    """Candidate new themes among the answers no theme covers (see the module docstring).

    Args:
        project: The project.
        group: Only this respondent group (an unknown group is a ``StoreError``).
        min_size: Smallest candidate.
        weak_score: Undecided answers whose best suggestion scores below this count as
            having no theme.
        random_state: Seed (same seed, same project → same candidates and numbers).
        method: ``auto`` (embeddings when the ``accurate`` extra is installed), ``embeddings``
            or ``tfidf``.
        n_candidates: Return at most this many.
        embedder: Sentence embeddings of a list of texts (default: the shipped MiniLM).

    Returns:
        The candidates, best first, numbered from 1; the method; the pool's account.
    """
    resolved = resolve_method(method)
    settings = SETTINGS[resolved]
    found: list[Candidate] = []
    accounts: dict[str, PoolAccount] = {}
    members: dict[int, Answer] = {}
    for grp, answers in sorted(uncovered_answers(project, group=group,
                                                 weak_score=weak_score).items()):
        taking_part = [a for a in answers if not is_non_answer(a.text)]
        topics = topics_in([a.text for a in taking_part], method=resolved, min_size=min_size,
                           random_state=random_state, embedder=embedder)
        codebook_id = project.codebook_for_group(grp).id
        in_candidates = 0
        for topic in topics:
            chosen = [taking_part[r] for r in topic["rows"]]
            in_candidates += len(chosen)
            members.update((a.id, a) for a in chosen)
            questions: dict[str, int] = {}
            for a in chosen:
                questions[a.question] = questions.get(a.question, 0) + 1
            found.append(Candidate(
                id=0, group=grp, codebook_id=codebook_id, size=len(chosen),
                top_words=tuple(topic["top_words"]), name=topic["name"],
                example_ids=tuple(a.id for a in chosen[:N_EXAMPLES]),
                examples=tuple(a.text for a in chosen[:N_EXAMPLES]),
                answer_ids=tuple(a.id for a in chosen),
                cohesion=round(topic["cohesion"], 4), questions=questions,
                similarities=tuple(round(float(s), 4) for s in topic["similarities"]),
                about_survey=topic["about_survey"],
                code_similarity=settings.code_similarity))
        accounts[grp] = PoolAccount(uncovered=len(answers),
                                    non_answers=len(answers) - len(taking_part),
                                    in_candidates=in_candidates)
    found.sort(key=lambda c: (c.about_survey, -c.score, c.group, min(c.answer_ids)))
    if n_candidates is not None:
        found = found[:n_candidates]
    total = sum(accounts.values(), PoolAccount())
    return Discovery(
        candidates=[replace(c, id=i) for i, c in enumerate(found, start=1)],
        method=describe_method(resolved), account=total, accounts=accounts,
        texts={a.id: a.text for a in members.values()},
        answer_keys={a.id: a.key for a in members.values()},
        answer_questions={a.id: a.question for a in members.values()})


def discover_candidates(project: Project, **options: Any) -> list[Candidate]:
    """The candidates of :func:`run_discovery` (same arguments)."""
    return run_discovery(project, **options).candidates


def candidates_markdown(discovery: Discovery | Sequence[Candidate]) -> str:
    """The candidates as a Markdown report (for ``themecoder discover --out-md``)."""
    candidates = discovery.candidates if isinstance(discovery, Discovery) else discovery
    lines = ["# Candidate new themes", ""]
    if isinstance(discovery, Discovery):
        lines += [f"Method: {discovery.method}.", "",
                  f"Pool: {discovery.account.describe()}.", ""]
    if not candidates:
        lines.append("No group of uncoded answers is large and coherent enough.")
    for c in candidates:
        lines += [f"## {c.id}. {c.name} ({c.group})", "",
                  f"- answers: {c.size}; cohesion {c.cohesion:.2f}"
                  + ("; about the survey itself" if c.about_survey else ""),
                  f"- top words: {', '.join(c.top_words)}",
                  "- questions: " + ", ".join(f"{q} {n}" for q, n in c.questions.items()),
                  "", "Examples:", ""]
        lines += [f"> {' '.join(text.split())}" + "\n" for text in c.examples]
    return "\n".join(lines).rstrip() + "\n"


MEMBER_COLUMNS = ("candidate", "name", "answer_key", "question", "text")
"""Columns of :func:`write_members_csv`."""


def _open_for_writing(path: str) -> Any:
    """``path`` opened for writing text, or a one-line :class:`ExportError`."""
    from themecoder.errors import ExportError

    try:
        return open(path, "w", newline="", encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        raise ExportError(f"cannot write: {exc.strerror or exc}", file=path) from None


def write_markdown(discovery: Discovery, path: str) -> None:
    """Write :func:`candidates_markdown` to ``path``."""
    with _open_for_writing(path) as fh:
        fh.write(candidates_markdown(discovery))


def write_members_csv(discovery: Discovery, path: str) -> int:
    """Write one row per candidate member (columns :data:`MEMBER_COLUMNS`); cells that a
    spreadsheet would run as a formula are neutralised. Returns the number of rows."""
    import csv

    from themecoder.safe_cells import neutralise

    rows = discovery.member_rows()
    with _open_for_writing(path) as fh:
        writer = csv.DictWriter(fh, fieldnames=list(MEMBER_COLUMNS))
        writer.writeheader()
        writer.writerows({k: neutralise(v) for k, v in row.items()} for row in rows)
    return len(rows)
