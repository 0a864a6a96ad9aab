"""Finding new themes: cluster the answers no theme covers, and adopt a cluster as a theme.

Codebooks are never complete: every year some answers talk about something the codebook
has no theme for. :func:`discover_candidates` gathers, per respondent group (each group has
its own codebook), the commented answers that have *no theme*:

- answers decided as Not assigned, and
- answers nobody has decided yet whose stored suggestion is weak (best score below
  ``weak_score``) or missing,

leaves out answers too vague to carry a topic (stock non-answers such as "n/a" or "did not
answer", and answers with fewer than two content words), vectorises the rest (TF-IDF over lemmas,
1–2-grams, English stop words removed; or sentence embeddings when the ``accurate`` extra
is installed and asked for) and clusters them with k-means, choosing k by the silhouette
score within a small range. Members far from their cluster's centre are trimmed, so a
cluster keeps only answers that really share its words; tiny or loose clusters, and clusters
of one text repeated, are dropped.
Each remaining cluster is a :class:`Candidate` with its distinctive words (compared with the
rest of the pool), a proposed name, its most central answers as examples, and a cohesion
score (mean cosine similarity of the members to their centre). Candidates come sorted by
size × cohesion, numbered from 1.

:func:`adopt_candidate` turns a candidate into a theme: a new codebook version (recorded in
the project with a change note saying where it came from) and, in the same step, coding of
the candidate's examples (or chosen answers) with the new theme.

Clustering is deterministic for a given ``random_state``, so running discovery twice on an
unchanged project numbers the candidates the same way (the CLI relies on this to adopt
candidate N).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from themecoder.codebook import Codebook, Theme, slugify
from themecoder.errors import StoreError

if TYPE_CHECKING:
    import numpy as np

    from themecoder.store.project import Answer, Project

METHODS = ("tfidf", "embeddings")
"""How answers are turned into vectors for clustering."""

MIN_SIMILARITY = 0.12
"""Members less similar than this to their cluster's centre are trimmed from it."""

MIN_COHESION = 0.2
"""Clusters whose members are on average less similar than this to their centre are dropped."""

MERGE_SIMILARITY = 0.4
"""Clusters whose centres are at least this similar (cosine) are merged into one candidate."""

N_EXAMPLES = 5
"""How many central answers a candidate shows."""

# Survey filler that says nothing about a topic, on top of English stop words.
_FILLER = frozenset("""
really quite bit lot lots thing things way yes ok okay fine nothing none anything well good
bad great also still etc just know sure think say said feel felt get got make made go going
want would could should need time always never sometimes much many can't cannot dont don
didn doesn isn wasn wouldn couldn won't don't didn't doesn't isn't wasn't n't 's
""".split())
_WORD_RE = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


@dataclass(frozen=True)
class Candidate:
    """A cluster of uncoded answers that might deserve a theme of its own.

    Attributes:
        id: Its number in the list :func:`discover_candidates` returned (1 = best).
        group: The respondent group whose answers it holds.
        codebook_id: The codebook of that group.
        size: How many answers it holds.
        top_words: Its most distinctive words and 2-word phrases (lemmas), best first.
        name: A proposed theme name built from the top words.
        example_ids: Ids of its most central answers (up to five), most central first.
        examples: The texts of those answers.
        answer_ids: Ids of all its answers, most central first.
        cohesion: Mean cosine similarity of the members to the cluster's centre (0–1).
        questions: How many of its answers come from each question.
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

    @property
    def score(self) -> float:
        """What candidates are sorted by: size × cohesion."""
        return self.size * self.cohesion


# --------------------------------------------------------------------------- the pool


def discovery_pool(project: Project, *, group: str | None = None,
                   weak_score: float = 0.35) -> dict[str, list[Answer]]:
    """The answers without a theme, per respondent group (see the module docstring).

    Args:
        project: The project.
        group: Only this respondent group.
        weak_score: A suggestion whose best score is below this does not count as a theme.

    Returns:
        ``{group: answers}`` in import order; groups with no such answer are left out.
    """
    from themecoder.suggest.suggester import looks_vague

    decided = project.final_decisions()
    suggestions = project.suggestions()
    out: dict[str, list[Answer]] = {}
    for answer in project.answers(group=group, with_comment=True):
        decision = decided.get(answer.id)
        if decision is not None:
            if not decision.not_assigned:
                continue
        else:
            suggestion = suggestions.get(answer.id)
            if suggestion is not None and suggestion.top_score >= weak_score:
                continue
        if looks_vague(answer.text):
            continue
        out.setdefault(answer.group, []).append(answer)
    return out


# --------------------------------------------------------------------------- vectors


def _lemmatiser() -> Callable[[str], str]:
    """Word → lemma through spaCy's lookup table (identity if the tables are missing)."""
    try:
        from themecoder.suggest.keywords import get_nlp

        table = get_nlp().get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
    except Exception:  # no lemma tables: plain words still cluster, a little less well
        return lambda word: word
    cache: dict[str, str] = {}

    def lemma(word: str) -> str:
        found = cache.get(word)
        if found is None:
            found = cache[word] = table.get(word, word)
        return found

    return lemma


def _analyser() -> Callable[[str], list[str]]:
    """Text → lemmas without stop words, plus the 2-grams of consecutive content lemmas."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    stop = frozenset(ENGLISH_STOP_WORDS) | _FILLER
    lemma = _lemmatiser()

    def analyse(text: str) -> list[str]:
        words = [w.replace("’", "'") for w in _WORD_RE.findall(text.casefold())]
        lemmas = [lemma(w) for w in words if len(w) > 1 and w not in stop]
        lemmas = [w for w in lemmas if w not in stop]
        return lemmas + [f"{a} {b}" for a, b in zip(lemmas, lemmas[1:], strict=False)]

    return analyse


def _vectors(texts: list[str], method: str, random_state: int) -> tuple[Any, Any, list[str]]:
    """(clustering matrix with unit rows, 0/1 term matrix, terms) for the texts."""
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
    from sklearn.preprocessing import normalize

    analyser = _analyser()
    counts = CountVectorizer(analyzer=analyser, min_df=2, binary=True)
    try:
        B = counts.fit_transform(texts)
    except ValueError:  # no term occurs twice
        return None, None, []
    terms = list(counts.get_feature_names_out())
    if method == "embeddings":
        from themecoder.suggest.model import embed

        return normalize(embed(texts)), B, terms
    tfidf = TfidfVectorizer(analyzer=analyser, min_df=2, sublinear_tf=True)
    X = tfidf.fit_transform(texts)
    if X.shape[1] > 300 and X.shape[0] > 300:
        # Latent semantic analysis: k-means on a few hundred short texts' sparse TF-IDF
        # splits by single words; 100 dimensions group near-synonyms.
        from sklearn.decomposition import TruncatedSVD

        svd = TruncatedSVD(n_components=100, random_state=random_state)
        X = svd.fit_transform(X)
    return normalize(X), B, terms


# --------------------------------------------------------------------------- clustering


def _k_range(n: int, min_size: int) -> list[int]:
    k_max = max(2, min(40, n // max(min_size, 2)))
    ks = sorted({2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40})
    return [k for k in ks if k <= k_max and k < n]


def _cluster(X: Any, min_size: int, random_state: int) -> np.ndarray:
    """Cluster labels, with k chosen by silhouette (cosine) among a few values."""
    import numpy as np
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score
    from threadpoolctl import threadpool_limits

    n = X.shape[0]
    best: tuple[float, np.ndarray] | None = None
    for k in _k_range(n, min_size):
        # One thread: on a shared machine, k-means' OpenMP threads mostly wait for each other.
        with threadpool_limits(limits=1):
            labels = KMeans(n_clusters=k, n_init=3, random_state=random_state).fit_predict(X)
        if len(set(labels.tolist())) < 2:
            continue
        score = float(silhouette_score(X, labels, metric="cosine",
                                       sample_size=min(n, 2000), random_state=random_state))
        if best is None or score > best[0]:
            best = (score, labels)
    return best[1] if best is not None else np.zeros(n, dtype=int)


def _merge_close(X: Any, labels: np.ndarray, threshold: float) -> np.ndarray:
    """Merge clusters whose centres are similar: the silhouette often prefers splitting one
    topic ("transport to hospital", "the transport driver") into several small clusters."""
    import numpy as np

    ids = sorted(set(labels.tolist()))
    if len(ids) < 2:
        return labels
    centres = np.vstack([_centre(X, np.flatnonzero(labels == i)) for i in ids])
    sims = centres @ centres.T
    parent = list(range(len(ids)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a in range(len(ids)):
        for b in range(a + 1, len(ids)):
            if sims[a, b] >= threshold:
                parent[root(b)] = root(a)
    mapping = {ids[i]: ids[root(i)] for i in range(len(ids))}
    return np.array([mapping[label] for label in labels.tolist()])


def _row_dot(X: Any, centre: np.ndarray) -> np.ndarray:
    import numpy as np

    return np.asarray(X @ centre).ravel()


def _centre(X: Any, rows: np.ndarray) -> np.ndarray:
    import numpy as np

    c = np.asarray(X[rows].mean(axis=0)).ravel()
    norm = float(np.linalg.norm(c))
    return c / norm if norm > 0 else c


def _top_terms(B: Any, members: np.ndarray, terms: list[str], limit: int = 6) -> list[str]:
    """Terms much more common among the members than in the rest of the pool."""
    import numpy as np

    n = B.shape[0]
    inside = np.zeros(n, dtype=bool)
    inside[members] = True
    df_in = np.asarray(B[inside].mean(axis=0)).ravel()
    df_out = np.asarray(B[~inside].mean(axis=0)).ravel() if (~inside).any() \
        else np.zeros_like(df_in)
    score = df_in - df_out
    chosen: list[str] = []
    for j in np.argsort(-score, kind="stable"):
        if score[j] <= 0 or df_in[j] < 0.15 or len(chosen) >= limit:
            break
        term = terms[j]
        # A word already said by a chosen phrase (or a phrase made of chosen words) adds little.
        if any(term in other.split() for other in chosen if " " in other):
            continue
        if " " in term and all(word in chosen for word in term.split()):
            continue
        chosen.append(term)
    return chosen


def propose_name(top_words: Sequence[str]) -> str:
    """A theme name from a candidate's top words: ``["minibus", "day centre"]`` →
    ``"Minibus / day centre"``."""
    words = list(top_words[:2])
    if not words:
        return "New theme"
    name = " / ".join(words)
    return name[:1].upper() + name[1:]


def discover_candidates(project: Project, *, n_candidates: int | None = None,
                        min_size: int = 3, weak_score: float = 0.35,
                        random_state: int = 0, group: str | None = None,
                        method: str = "tfidf",
                        min_cohesion: float = MIN_COHESION,
                        merge_similarity: float = MERGE_SIMILARITY) -> list[Candidate]:
    """Clusters of uncoded answers that might deserve a theme (see the module docstring).

    Args:
        project: The project.
        n_candidates: Return at most this many (``None``: all that pass).
        min_size: Drop clusters with fewer answers than this.
        weak_score: Undecided answers whose best suggestion scores below this count as
            having no theme.
        random_state: Seed of the clustering (same seed, same project → same candidates).
        group: Only this respondent group.
        method: ``"tfidf"`` (default) or ``"embeddings"`` (needs the ``accurate`` extra).
        min_cohesion: Drop clusters less cohesive than this.
        merge_similarity: Merge clusters whose centres are at least this similar (cosine;
            above 1 never merges).

    Returns:
        Candidates sorted by size × cohesion, best first, with ids 1, 2, ...
    """
    import numpy as np

    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}")
    found: list[Candidate] = []
    for grp, answers in sorted(discovery_pool(project, group=group,
                                              weak_score=weak_score).items()):
        if len(answers) < max(min_size, 2):
            continue
        codebook = project.codebook_for_group(grp)
        X, B, terms = _vectors([a.text for a in answers], method, random_state)
        if X is None:
            continue
        # Answers with no shared term carry nothing to cluster on.
        keep = np.flatnonzero(np.asarray(B.sum(axis=1)).ravel() > 0)
        if len(keep) < max(min_size, 2):
            continue
        Xk = X[keep]
        labels = _merge_close(Xk, _cluster(Xk, min_size, random_state), merge_similarity)
        for label in sorted(set(labels.tolist())):
            rows = np.flatnonzero(labels == label)
            if len(rows) < min_size:
                continue
            centre = _centre(Xk, rows)
            sims = _row_dot(Xk[rows], centre)
            cutoff = max(MIN_SIMILARITY, 0.4 * float(np.median(sims)))
            rows = rows[sims >= cutoff]
            if len(rows) < min_size:
                continue
            centre = _centre(Xk, rows)
            sims = _row_dot(Xk[rows], centre)
            cohesion = float(sims.mean())
            if cohesion < min_cohesion:
                continue
            order = np.argsort(-sims, kind="stable")
            rows = rows[order]
            members = keep[rows]
            # One text repeated ("Did not answer" x 900) is an artefact, not a topic.
            if len({" ".join(answers[i].text.casefold().split()) for i in members}) < min_size:
                continue
            top = _top_terms(B, members, terms)
            if not top:
                continue
            chosen = [answers[i] for i in members]
            questions: dict[str, int] = {}
            for a in chosen:
                questions[a.question] = questions.get(a.question, 0) + 1
            found.append(Candidate(
                id=0, group=grp, codebook_id=codebook.id, size=len(chosen),
                top_words=tuple(top), name=propose_name(top),
                example_ids=tuple(a.id for a in chosen[:N_EXAMPLES]),
                examples=tuple(a.text for a in chosen[:N_EXAMPLES]),
                answer_ids=tuple(a.id for a in chosen), cohesion=round(cohesion, 4),
                questions=questions))
    found.sort(key=lambda c: (-c.score, c.group, c.answer_ids[0]))
    if n_candidates is not None:
        found = found[:n_candidates]
    return [replace(c, id=i) for i, c in enumerate(found, start=1)]


# --------------------------------------------------------------------------- adopting


@dataclass(frozen=True)
class Adoption:
    """What :func:`adopt_candidate` did."""

    codebook: Codebook
    theme: Theme
    coded: tuple[int, ...]
    change_note: str


def adopt_candidate(project: Project, candidate: Candidate, *, name: str,
                    definition: str = "", keywords: Sequence[str] = (), coder: str,
                    code_examples: bool = True,
                    answer_ids: Sequence[int] | None = None,
                    theme_id: str | None = None) -> Codebook:
    """Add a theme for ``candidate`` to its group's codebook and code answers with it.

    The new codebook version (minor version bumped) becomes the group's active codebook,
    stored with a change note naming the discovery ("added theme X from discovery: 14
    answers, top words ..."). In the same step the chosen answers are coded with the new
    theme by ``coder`` (source ``manual``); an answer this coder had already coded keeps
    its themes and gains the new one.

    A model registered for the codebook was trained on the old theme list and cannot
    suggest with the new one, so it is unregistered (suggestions fall back to keywords
    until the model is retrained).

    Args:
        project: The project.
        candidate: From :func:`discover_candidates`.
        name: The theme's name.
        definition: What it covers (default: a line naming the candidate's top words).
        keywords: Words and phrases that signal it (for the keyword suggester).
        coder: Who codes the answers.
        code_examples: Code the candidate's examples (ignored when ``answer_ids`` given).
        answer_ids: Code exactly these answers instead (e.g. all of ``candidate.answer_ids``).
        theme_id: The theme's id (default: made from the name).

    Returns:
        The new codebook version.

    Raises:
        CodebookError: a theme with that id or name already exists.
        StoreError: empty name or coder, or an answer outside the candidate's group.
    """
    return adopt(project, candidate, name=name, definition=definition, keywords=keywords,
                 coder=coder, code_examples=code_examples, answer_ids=answer_ids,
                 theme_id=theme_id).codebook


def adopt(project: Project, candidate: Candidate, *, name: str, definition: str = "",
          keywords: Sequence[str] = (), coder: str, code_examples: bool = True,
          answer_ids: Sequence[int] | None = None, theme_id: str | None = None) -> Adoption:
    """:func:`adopt_candidate`, returning the theme, the answers coded and the change note."""
    from themecoder.suggest.project_suggest import MODEL_KEY

    name = " ".join(name.split())
    if not name:
        raise StoreError("the new theme needs a name", field="name")
    coder = coder.strip()
    if not coder:
        raise StoreError("coding the examples needs a coder name", field="coder")
    old = project.codebook_for_group(candidate.group)
    theme = Theme(id=theme_id or slugify(name), name=name,
                  definition=" ".join(definition.split()) or
                  f"Answers about {', '.join(candidate.top_words[:4])}.",
                  keywords=tuple(k.strip() for k in keywords if k.strip()),
                  questions=old.questions)
    new = old.with_theme(theme)
    ids = list(dict.fromkeys(answer_ids if answer_ids is not None
                             else (candidate.example_ids if code_examples else ())))
    for answer_id in ids:
        if not project.codebook_for_group(project.answer(answer_id).group).id == old.id:
            raise StoreError(f"answer {answer_id} is not coded with codebook '{old.id}'",
                             field="answer")
    note = (f"added theme {name} from discovery: {candidate.size} answers, top words "
            f"{', '.join(candidate.top_words)}")
    project.add_codebook(new, change_note=note)
    if project.info().get(MODEL_KEY.format(codebook_id=old.id)):
        project.set_info(MODEL_KEY.format(codebook_id=old.id), "")
    current = project.current_decisions(coder=coder, answer_ids=ids) if ids else {}
    for answer_id in ids:
        before = current.get((answer_id, coder))
        themes = [theme.id]
        if before is not None and not before.not_assigned:
            themes = [*before.themes, theme.id]
        project.record_decision(answer_id, coder, themes, source="manual")
    return Adoption(codebook=new, theme=theme, coded=tuple(ids), change_note=note)


def candidates_markdown(candidates: Sequence[Candidate]) -> str:
    """The candidates as a Markdown report (for ``themecoder discover --out-md``)."""
    lines = ["# Candidate new themes", ""]
    if not candidates:
        lines.append("No cluster of uncoded answers is large and coherent enough.")
    for c in candidates:
        lines += [f"## {c.id}. {c.name} ({c.group})", "",
                  f"- answers: {c.size}; cohesion {c.cohesion:.2f}",
                  f"- top words: {', '.join(c.top_words)}",
                  "- questions: " + ", ".join(f"{q} {n}" for q, n in c.questions.items()),
                  "", "Examples:", ""]
        lines += [f"> {' '.join(text.split())}" + "\n" for text in c.examples]
    return "\n".join(lines).rstrip() + "\n"


__all__ = ["Adoption", "Candidate", "adopt", "adopt_candidate", "candidates_markdown",
           "discover_candidates", "discovery_pool", "propose_name"]
