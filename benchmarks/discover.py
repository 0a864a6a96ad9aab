"""Does discovery find a missing theme whole? Hide each theme of the NHS codebook and look.

For **every** theme of ``codebooks/nhs_fft.yaml`` that at least 30 comments of the whole
file carry alone: hide it, take the hand coding of the other themes as the project's
coding (comments that had only the hidden theme become Not assigned), and run discovery
on the comments without a theme — the pool the product uses: answers coded Not assigned
plus the hidden theme's, non-answers left out by
:func:`themecoder.discover.pool.is_non_answer`, topics found by
:func:`themecoder.discover.candidates.topics_in` (what ``themecoder discover`` runs per
respondent group), ranked as the product ranks them.

For the candidate that best matches the hidden-only comments (highest F1) it prints the rank,
precision and recall — recall over *all* hidden-only comments in the pool, those left out
as non-answers included — and whether a top-3 candidate reaches precision ≥ 0.8 and
recall ≥ 0.8. BERTopic (default settings, UMAP seeded) runs on the same comments with the
same MiniLM embeddings in the same loop, scored the same way (its topics ranked by size,
its outliers in no topic). ``--ceiling`` adds what a *supervised* classifier reaches on
the same pool (5-fold logistic regression with the hidden labels, best threshold, on the
embeddings alone and beside TF-IDF of words and phrases): no discovery method can be
expected to pass it, so a theme whose ceiling F1 is below 0.8 cannot be expected to reach
precision and recall ≥ 0.8.

Split: each part of ``benchmarks/nhs_data.py`` on its own — the development part (every
setting in :data:`themecoder.discover.clustering.SETTINGS` was chosen on it) and the
held-out part (never looked at for any choice). Times are per discovery run with the
embeddings cached; a last run times discovery on every comment of the file at once.

Embeddings are cached on disk (``--cache``, default under the system's temporary folder),
so a rerun costs minutes, not the embedding time.

Run: ``python benchmarks/discover.py [--part development|held-out|both] [--method
embeddings|tfidf] [--no-bertopic] [--ceiling] [--set merge_similarity=0.6,...]``
(embeddings and BERTopic need ``pip install -e '.[accurate]' bertopic``).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import sys
import tempfile
import time
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import nhs_data  # noqa: E402

MIN_ALONE = 30
TOP = 3
GOAL = 0.8


class CachedEmbedder:
    """The product's ``embed()`` with a disk cache keyed by each text's SHA-256."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / "minilm-embeddings.npz"
        self.vectors: dict[str, np.ndarray] = {}
        if self.path.is_file():
            data = np.load(self.path, allow_pickle=False)
            self.vectors = dict(zip(data["keys"].tolist(), data["vectors"], strict=True))

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def __call__(self, texts: list[str]) -> np.ndarray:
        todo = list(dict.fromkeys(t for t in texts if self.key(t) not in self.vectors))
        if todo:
            from themecoder.suggest.embeddings import embed

            for text, vector in zip(todo, embed(todo), strict=True):
                self.vectors[self.key(text)] = vector.astype(np.float32)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            keys = list(self.vectors)
            np.savez(self.path, keys=np.array(keys),
                     vectors=np.vstack([self.vectors[k] for k in keys]))
        return np.vstack([self.vectors[self.key(t)] for t in texts]).astype(np.float64)


def themes_to_hide(comments: nhs_data.NhsComments, codebook_themes: list[str]) -> list[str]:
    """Codebook themes that at least MIN_ALONE commented answers of the file carry alone."""
    frame = comments.frame
    has_text = np.array([bool(t.strip()) for t in comments.texts])
    values = frame[codebook_themes].apply(
        lambda col: col.str.strip().isin(["1", "1.0"])).astype(int).to_numpy()
    alone = values.sum(axis=1) == 1
    return [t for j, t in enumerate(codebook_themes)
            if int((values[:, j].astype(bool) & alone & has_text).sum()) >= MIN_ALONE]


def score(groups: list[np.ndarray], hidden: np.ndarray, total: int) -> dict[str, float]:
    """Best-F1 group: rank, precision, recall (over ``total`` hidden-only answers), F1; and
    whether a top-3 group meets the goal."""
    best = {"rank": 0, "precision": 0.0, "recall": 0.0, "f1": 0.0, "hit": False}
    for rank, rows in enumerate(groups, start=1):
        tp = int(hidden[rows].sum())
        p = tp / len(rows) if len(rows) else 0.0
        r = tp / total if total else 0.0
        f = 2 * p * r / (p + r) if tp else 0.0
        if rank <= TOP and p >= GOAL and r >= GOAL:
            best["hit"] = True
        if f > best["f1"]:
            best.update(rank=rank, precision=p, recall=r, f1=f)
    return best


def bertopic_groups(texts: list[str], E: np.ndarray) -> list[np.ndarray]:
    """BERTopic's topics (largest first), outliers left out, on precomputed embeddings."""
    from bertopic import BERTopic
    from umap import UMAP

    from themecoder.suggest.embeddings import _sentence_model

    model = BERTopic(embedding_model=_sentence_model(),
                     umap_model=UMAP(n_neighbors=15, n_components=5, min_dist=0.0,
                                     metric="cosine", random_state=42))
    topics = np.array(model.fit_transform(texts, E)[0])
    labels = [t for t in set(topics.tolist()) if t >= 0]
    groups = [np.flatnonzero(topics == t) for t in labels]
    return sorted(groups, key=lambda g: (-len(g), int(g.min())))


def ceiling(E: np.ndarray, texts: list[str], hidden: np.ndarray,
            total: int) -> tuple[float, float]:
    """Best F1 of 5-fold logistic regression trained on the hidden labels — a supervised
    upper reference, recall over all ``total`` hidden-only answers — on the embeddings
    alone and on the embeddings beside TF-IDF of words and 2-word phrases."""
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import TfidfVectorizer

    if hidden.sum() < 5:
        return float("nan"), float("nan")
    words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit_transform(texts)
    both = sp.hstack([sp.csr_matrix(E), words]).tocsr()
    return _best_supervised_f1(E, hidden, total), _best_supervised_f1(both, hidden, total)


def _best_supervised_f1(X, hidden: np.ndarray, total: int) -> float:
    """Best F1 over thresholds of out-of-fold logistic-regression probabilities."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict

    p = cross_val_predict(LogisticRegression(C=4, max_iter=3000, class_weight="balanced"),
                          X, hidden, cv=5, method="predict_proba")[:, 1]
    best = 0.0
    for t in np.unique(p):
        chosen = p >= t
        tp = int((chosen & hidden).sum())
        if tp:
            prec, rec = tp / chosen.sum(), tp / total
            best = max(best, 2 * prec * rec / (prec + rec))
    return best


def run_part(name: str, comments: nhs_data.NhsComments, themes: list[str],
             codebook_themes: list[str], args: argparse.Namespace, embedder) -> None:
    from themecoder.discover import is_non_answer, topics_in

    frame = comments.frame
    values = frame[codebook_themes].apply(
        lambda col: col.str.strip().isin(["1", "1.0"])).astype(int).to_numpy()
    has_text = np.array([bool(t.strip()) for t in comments.texts])
    non_answer = np.array([is_non_answer(t) for t in comments.texts])
    print(f"\n## {name} part: {len(comments.texts)} comments "
          f"({int(has_text.sum())} with text)\n")
    header = ("| theme | alone | pool | left out | ours: rank | P | R | F1 | top-3 ≥ 0.8 | "
              "s | BERTopic: rank | P | R | F1 | top-3 ≥ 0.8 | s |"
              + (" ceiling F1 | ceiling F1, + words |" if args.ceiling else ""))
    print(header)
    print("|" + "|".join(["---"] * (header.count("|") - 1)) + "|")
    ours_all, theirs_all, ceilings = [], [], []
    for theme in themes:
        j = codebook_themes.index(theme)
        others = np.delete(values, j, axis=1).sum(axis=1)
        pool = np.flatnonzero(has_text & (others == 0))
        hidden_pool = values[pool, j].astype(bool)
        take = pool[~non_answer[pool]]
        hidden = values[take, j].astype(bool)
        texts = [comments.texts[i] for i in take]
        total = int(hidden_pool.sum())
        start = time.perf_counter()
        topics = topics_in(texts, method=args.method, min_size=args.min_size,
                           embedder=embedder)
        ours_s = time.perf_counter() - start
        ours = score([t["rows"] for t in topics], hidden, total)
        ours_all.append(ours)
        row = (f"| {theme} | {total} | {len(pool)} | {len(pool) - len(take)} | "
               f"{ours['rank']} of {len(topics)} | {ours['precision']:.2f} | "
               f"{ours['recall']:.2f} | {ours['f1']:.2f} | {'yes' if ours['hit'] else 'no'} | "
               f"{ours_s:.1f} |")
        if args.bertopic:
            start = time.perf_counter()
            groups = bertopic_groups(texts, embedder(texts))
            theirs_s = time.perf_counter() - start
            theirs = score(groups, hidden, total)
            theirs_all.append(theirs)
            row += (f" {theirs['rank']} of {len(groups)} | {theirs['precision']:.2f} | "
                    f"{theirs['recall']:.2f} | {theirs['f1']:.2f} | "
                    f"{'yes' if theirs['hit'] else 'no'} | {theirs_s:.1f} |")
        else:
            row += " – | – | – | – | – | – |"
        if args.ceiling:
            alone, with_words = ceiling(embedder(texts), texts, hidden, total)
            ceilings.append(max(alone, with_words))
            row += f" {alone:.2f} | {with_words:.2f} |"
        print(row, flush=True)
    n = len(themes)
    print(f"\n{name}: ours — top-3 candidate with P ≥ {GOAL} and R ≥ {GOAL} for "
          f"{sum(o['hit'] for o in ours_all)} of {n} themes "
          f"({sum(o['hit'] for o in ours_all) / n:.0%}), mean F1 "
          f"{np.mean([o['f1'] for o in ours_all]):.3f}")
    if ceilings:
        below = sum(not c >= GOAL for c in ceilings)
        print(f"{name}: the supervised ceiling F1 is below {GOAL} for {below} of {n} themes, "
              f"so at most {n - below} ({(n - below) / n:.0%}) can be expected to pass")
    if theirs_all:
        print(f"{name}: BERTopic — {sum(o['hit'] for o in theirs_all)} of {n} themes "
              f"({sum(o['hit'] for o in theirs_all) / n:.0%}), mean F1 "
              f"{np.mean([o['f1'] for o in theirs_all]):.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=["development", "held-out", "both"], default="both")
    parser.add_argument("--method", choices=["embeddings", "tfidf"], default="embeddings")
    parser.add_argument("--min-size", type=int, default=None)
    parser.add_argument("--no-bertopic", dest="bertopic", action="store_false")
    parser.add_argument("--ceiling", action="store_true",
                        help="also print the supervised ceiling F1")
    parser.add_argument("--cache", type=Path,
                        default=Path(tempfile.gettempdir()) / "themecoder-bench-cache")
    parser.add_argument("--set", default="",
                        help="override clustering settings, e.g. merge_similarity=0.6")
    args = parser.parse_args()
    if not nhs_data.available():
        print(f"skipped: {nhs_data.DATA} is not there")
        return
    warnings.filterwarnings("ignore")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from themecoder.codebook import load_codebook
    from themecoder.discover import MIN_SIZE, clustering

    args.min_size = args.min_size or MIN_SIZE
    if args.set:
        changes = dict(item.split("=") for item in args.set.split(","))
        settings = clustering.SETTINGS[args.method]
        clustering.SETTINGS[args.method] = replace(settings, **{
            k: type(getattr(settings, k))(v) for k, v in changes.items()})
    print(f"settings ({args.method}): {clustering.SETTINGS[args.method]}; min size "
          f"{args.min_size}")
    comments = nhs_data.load()
    codebook_themes = [t.name for t in load_codebook(nhs_data.CODEBOOK).themes]
    missing = [t for t in codebook_themes if t not in comments.frame.columns]
    codebook_themes = [t for t in codebook_themes if t not in missing]
    themes = themes_to_hide(comments, codebook_themes)
    embedder = CachedEmbedder(args.cache)
    print(f"# Discovery benchmark — {len(themes)} themes carried alone by ≥ {MIN_ALONE} "
          f"comments; machine: {os.cpu_count()} CPUs, {platform.python_version()}, load "
          f"average {os.getloadavg()[0]:.1f} at the start")
    parts = {"development": comments.development, "held-out": comments.held_out}
    for name, mask in parts.items():
        if args.part in (name, "both"):
            run_part(name, comments.rows(mask), themes, codebook_themes, args,
                     embedder if args.method == "embeddings" else None)
    # Speed on every comment of the file at once.
    from themecoder.discover import is_non_answer, topics_in

    texts = [t for t in comments.texts if t.strip() and not is_non_answer(t)]
    if args.method == "embeddings":
        embedder(texts)
    start = time.perf_counter()
    topics = topics_in(texts, method=args.method, min_size=args.min_size,
                       embedder=embedder if args.method == "embeddings" else None)
    print(f"\nwhole file: {len(texts)} answers taking part, {len(topics)} candidates in "
          f"{time.perf_counter() - start:.1f} s (embeddings cached); load average "
          f"{os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
