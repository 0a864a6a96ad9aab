"""Straightforward versions of the keyword rules and of combining them with a model, written
from the rules as documented, without caches, indexes or batching — the behaviour the fast
implementations in ``themecoder.suggest`` must reproduce exactly.

Every answer is tokenized on its own; every token's lemma, spelling and tone is looked up
afresh; every keyword phrase of every theme is tried at every word, in codebook order;
clauses are walked word by word for every hit; hits nested in wider ones and hits under an
exclusion are found by comparing every pair. With a model, every theme of every answer is
scored and decided on its own, one answer at a time.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process
from spacy.lang.en.stop_words import STOP_WORDS

from themecoder.codebook import Codebook
from themecoder.suggest.decision import DecisionRule, decide
from themecoder.suggest.keyword_words import (
    ABSENCE_AFTER_NOTHING,
    ABSENCE_NOUNS,
    CONTRASTS,
    JOINERS,
    MIN_FUZZY_LENGTH,
    NEGATIONS,
    NEGATIVE,
    POSITIVE,
    get_nlp,
)
from themecoder.suggest.keywords import (
    KIND_SCORES,
    MAX_EXAMINED_CHARS,
    NEGATION_FACTOR,
    NEGATION_WINDOW,
    KeywordHit,
    theme_scores,
)
from themecoder.suggest.suggestion import Suggestion, ThemeSuggestion

EDGE = "-–—/'’\"“”‘"


class ReferenceKeywords:
    """The keyword rules, one answer, one word, one phrase at a time."""

    def __init__(self, codebook: Codebook, fuzzy_threshold: float = 80.0) -> None:
        self.codebook = codebook
        self.fuzzy_threshold = fuzzy_threshold
        self.nlp = get_nlp()
        self.lookup = self.nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
        self.known = set(self.lookup.values()) | set(STOP_WORDS)
        self.keyword_words: set[str] = set()
        self.forms: dict[str, str] = {}
        self.phrases: list[tuple[Any, str, list[dict], bool]] = []
        self.patterns = []
        for theme in codebook.themes:
            for text in theme.keywords:
                self._add(theme, text, exclude=False)
            for text in theme.exclude:
                self._add(theme, text, exclude=True)
            for pattern in theme.patterns:
                self.patterns.append((theme, re.compile(pattern), pattern))

    def lemma(self, lower: str) -> str:
        return self.lookup.get(lower, lower)

    def _add(self, theme: Any, text: str, *, exclude: bool) -> None:
        tokens = []
        for tok in self.nlp.tokenizer(text):
            if tok.is_space or tok.text in JOINERS:
                continue
            lower = tok.text.lower()
            tokens.append({"lower": lower, "lemma": self.lemma(lower), "surface": tok.text,
                           "acronym": tok.text.isalpha() and tok.text.isupper()
                           and len(tok.text) >= 2})
        if not tokens:
            return
        self.phrases.append((theme, text, tokens, exclude))
        for tok in tokens:
            if tok["acronym"]:
                continue
            self.keyword_words.update((tok["lower"], tok["lemma"]))
            lemma = tok["lemma"]
            if len(lemma) >= MIN_FUZZY_LENGTH and lemma.isalpha():
                stem = lemma[:-1]
                inflected = {c for c in (lemma + "s", lemma + "es", lemma + "ed", lemma + "d",
                                         lemma + "ing", stem + "ing", stem + "ies",
                                         stem + "ied", lemma + lemma[-1] + "ing",
                                         lemma + lemma[-1] + "ed")
                             if self.lookup.get(c) == lemma}
                for form in {lemma} | inflected | {tok["lower"]}:
                    self.forms.setdefault(form, lemma)

    def _fuzzy(self, lower: str) -> tuple[str, str, float] | None:
        forms = sorted(f for f in self.forms if f[0] == lower[0])
        if not forms:
            return None
        best = process.extractOne(lower, forms, scorer=fuzz.ratio,
                                  score_cutoff=self.fuzzy_threshold)
        if best is None:
            return None
        return self.forms[best[0]], best[0], float(best[1])

    def tokens(self, text: str) -> list[dict]:
        out = []
        for t in self.nlp.tokenizer(text):
            surface = t.text
            if t.is_space or surface in JOINERS:
                continue
            start = t.idx
            if len(surface) > 1 and (surface[0] in EDGE or surface[-1] in EDGE):
                core = surface.strip(EDGE)
                if core:
                    start += len(surface) - len(surface.lstrip(EDGE))
                    surface = core
            lower = surface.lower()
            lemma = self.lemma(lower)
            fuzzy = None
            if (self.fuzzy_threshold < 100 and len(lower) >= MIN_FUZZY_LENGTH
                    and lower.isalpha() and lower not in self.keyword_words
                    and lemma not in self.keyword_words and lower not in self.known
                    and lower not in self.lookup):
                fuzzy = self._fuzzy(lower)
            out.append({"surface": surface, "lower": lower, "lemma": lemma, "start": start,
                        "end": start + len(surface), "fuzzy": fuzzy,
                        "barrier": t.is_punct or lower in CONTRASTS})
        return out

    @staticmethod
    def _match(tok: dict, kw: dict) -> tuple[str, float] | None:
        if kw["acronym"]:
            ok = tok["surface"] in (kw["surface"], kw["surface"] + "s")
            return ("exact", 100.0) if ok else None
        if tok["lower"] == kw["lower"]:
            return ("exact", 100.0)
        if kw["lemma"] in (tok["lemma"], tok["lower"]) or tok["lemma"] == kw["lower"]:
            return ("lemma", 100.0)
        if tok["fuzzy"] is not None and tok["fuzzy"][0] == kw["lemma"]:
            return ("fuzzy", tok["fuzzy"][2])
        return None

    def suggest_many(self, texts: list[Any], questions: list[str | None]
                     ) -> list[list[KeywordHit]]:
        out = []
        for text, question in zip(texts, questions, strict=True):
            full = "" if text is None or text != text else str(text)
            examined = full[:MAX_EXAMINED_CHARS]
            hits = self.hits(examined, question) if examined.strip() else []
            if len(full) > len(examined):
                note = (f"; only the first {len(examined):,} of {len(full):,} characters "
                        "were examined")
                hits = [KeywordHit(h.theme_id, h.theme_name, h.start, h.end, h.matched,
                                   h.keyword, h.kind, h.score, h.negated, h.reason + note,
                                   h.polarity, h.cue) for h in hits]
            out.append(hits)
        return out

    def hits(self, text: str, question: str | None) -> list[KeywordHit]:
        if question is not None and question not in self.codebook.questions:
            allowed = {t.id for t in self.codebook.themes}
        else:
            allowed = {t.id for t in self.codebook.themes_for(question)}
        toks = self.tokens(text)
        raw, excludes = [], []
        for i in range(len(toks)):
            if toks[i]["barrier"] and not toks[i]["lower"].isalpha():
                continue
            for theme, keyword, kw_tokens, exclude in self.phrases:
                if theme.id not in allowed or i + len(kw_tokens) > len(toks):
                    continue
                kind, similarity = "exact", 100.0
                for j, kw in enumerate(kw_tokens):
                    tok = toks[i + j]
                    found = None
                    if not (j and tok["barrier"] and not tok["lower"].isalpha()):
                        found = self._match(tok, kw)
                    if found is None:
                        break
                    if found[0] == "fuzzy":
                        kind, similarity = "fuzzy", min(similarity, found[1])
                    elif found[0] == "lemma" and kind == "exact":
                        kind = "lemma"
                else:
                    end = i + len(kw_tokens)
                    start_c, end_c = toks[i]["start"], toks[end - 1]["end"]
                    if exclude:
                        excludes.append((theme.id, start_c, end_c))
                        continue
                    matched = text[start_c:end_c]
                    if kind == "exact":
                        score, reason = 0.9, f"matched '{matched}' → {theme.name}"
                    elif kind == "lemma":
                        score = 0.85
                        reason = f"matched '{matched}' (as '{keyword}') → {theme.name}"
                    else:
                        score = 0.8 * similarity / 100
                        like = toks[i]["fuzzy"][1] if end - i == 1 else keyword
                        reason = (f"fuzzy '{matched}' ≈ '{like}' ({similarity:.0f}) → "
                                  f"{theme.name}")
                    raw.append((theme, start_c, end_c, matched, keyword, kind, score, reason,
                                i, end))
        for theme, regex, source in self.patterns:
            if theme.id not in allowed:
                continue
            for m in regex.finditer(text):
                if m.end() <= m.start():
                    continue
                after = [k for k, t in enumerate(toks) if t["end"] > m.start()]
                if not after:
                    continue
                i = after[0]
                j = next((k for k in range(i, len(toks)) if toks[k]["start"] >= m.end()),
                         len(toks))
                raw.append((theme, m.start(), m.end(), m.group(0), source, "pattern",
                            KIND_SCORES["pattern"],
                            f"pattern '{source}' matched '{m.group(0)}' → {theme.name}",
                            i, max(j, i + 1)))
        raw = [h for h in raw if not any(t == h[0].id and s < h[2] and e > h[1]
                                         for t, s, e in excludes)]
        raw = [h for h in raw if not any(_wider(g, h) for g in raw if g is not h)]
        hits = []
        for theme, start, end, matched, keyword, kind, score, reason, i, j in raw:
            factor, note, negated, polarity, cue = self._negation(toks, i, j, text, question)
            hits.append(KeywordHit(theme.id, theme.name, start, end, matched, keyword, kind,
                                   round(score * factor, 4), negated, reason + note,
                                   polarity, cue))
        hits.sort(key=lambda h: (h.start, h.end, h.theme_id))
        unique: list[KeywordHit] = []
        for hit in hits:
            if not unique or (unique[-1].theme_id, unique[-1].start, unique[-1].end) != \
                    (hit.theme_id, hit.start, hit.end):
                unique.append(hit)
        return unique

    @staticmethod
    def _absence(toks: list[dict], cue: int, upto: int) -> bool:
        if toks[cue]["lower"] == "nothing" and cue + 1 < upto \
                and toks[cue + 1]["lower"] in ABSENCE_AFTER_NOTHING:
            return True
        return any(toks[k]["lemma"] in ABSENCE_NOUNS for k in range(cue + 1, upto))

    def _negation(self, toks: list[dict], first: int, last: int, text: str,
                  question: str | None) -> tuple[float, str, bool, int, str]:
        lo = first
        while lo > 0 and not toks[lo - 1]["barrier"]:
            lo -= 1
        hi = last
        while hi < len(toks) and not toks[hi]["barrier"]:
            hi += 1
        total = 0
        for k in range(lo, hi):
            if first <= k < last:
                continue
            tone = _tone(toks[k])
            if any(t["lower"] in NEGATIONS for t in toks[max(lo, k - 3):k]):
                tone = -tone
            total += tone
        polarity = (total > 0) - (total < 0)
        cue_at = next((k for k in range(first - 1, max(lo, first - NEGATION_WINDOW) - 1, -1)
                       if toks[k]["lower"] in NEGATIONS), None)
        absence, cue = False, ""
        if cue_at is not None:
            absence = self._absence(toks, cue_at, first)
            cue = text[toks[cue_at]["start"]:toks[first - 1]["end"]]
        else:
            for k in range(last, min(hi, last + NEGATION_WINDOW)):
                if toks[k]["lower"] in NEGATIONS and self._absence(toks, k, min(hi, k + 4)):
                    absence = True
                    end = next(m for m in range(k + 1, min(hi, k + 4))
                               if toks[m]["lemma"] in ABSENCE_NOUNS
                               or toks[m]["lower"] in ABSENCE_AFTER_NOTHING)
                    cue = text[toks[k]["start"]:toks[end]["end"]]
                    break
        if not cue:
            return 1.0, "", False, polarity, ""
        if polarity == 0:
            polarity = 1 if absence else -1
        if absence and question in ("not_well", "change"):
            return 0.0, f"; absence: '{cue}' — not counted on {question}", True, polarity, cue
        return NEGATION_FACTOR, f"; negated: '{cue}'", True, polarity, cue


def _tone(tok: dict) -> int:
    if tok["lemma"] in POSITIVE or tok["lower"] in POSITIVE:
        return 1
    if tok["lemma"] in NEGATIVE or tok["lower"] in NEGATIVE:
        return -1
    return 0


def _wider(g: tuple, h: tuple) -> bool:
    """Whether hit ``g`` makes hit ``h`` (same theme) redundant: it starts earlier and
    reaches as far, starts with it and reaches further, or covers the same words with a
    better score."""
    if g[0].id != h[0].id:
        return False
    return (g[1] < h[1] and g[2] >= h[2]) or (g[1] == h[1] and g[2] > h[2]) \
        or (g[1] == h[1] and g[2] == h[2] and g[6] > h[6])


def reference_with_model(codebook: Codebook, model: Any, text: str, question: str | None,
                         hits: list[KeywordHit], version: str,
                         keyword_weight: float | None = None,
                         keyword_threshold: float = 0.5) -> Suggestion:
    """One answer's suggestion with a model, every theme scored and decided on its own
    (``keyword_weight`` ``None``: the weight and rule the model learned, if it did)."""
    clf = model.classifier
    if keyword_weight is None and clf.keyword_rule_ is not None:
        keyword_weight = clf.keyword_weight_
        model_thresholds = clf.keyword_rule_.thresholds
        na_threshold = clf.keyword_rule_.na_threshold
        na_margin = clf.keyword_rule_.na_margin
    else:
        keyword_weight = 0.35 if keyword_weight is None else keyword_weight
        model_thresholds = clf.thresholds_
        na_threshold = clf.not_assigned_threshold_
        na_margin = clf.not_assigned_margin_
    ids = [str(t) for t in clf.theme_ids_]
    columns = {t: i for i, t in enumerate(ids) if not clf.untrained_themes_[i]}
    thresholds_by_id = {t: float(model_thresholds[i]) for i, t in enumerate(ids)}
    prediction = clf.predict_all([text], [question])
    row = prediction.proba[0]
    p_na = float(prediction.not_assigned_proba[0]) if na_threshold is not None else None
    if question is not None and question not in codebook.questions:
        applicable = list(codebook.themes)
    else:
        applicable = codebook.themes_for(question)
    kw_scores = theme_scores(hits)
    scores, thresholds, parts = [], [], []
    for theme in applicable:
        theme_hits = [h for h in hits if h.theme_id == theme.id]
        k = kw_scores.get(theme.id, 0.0)
        reasons = [h.reason for h in theme_hits]
        if theme.id in columns:
            p: float | None = float(row[columns[theme.id]])
            threshold = thresholds_by_id[theme.id]
            score = 1.0 - (1.0 - p) * (1.0 - keyword_weight * k)
            reasons.insert(0, f"model {p:.2f} (threshold {threshold:.2f})")
        else:
            p, threshold, score = None, keyword_threshold, k
            reasons.insert(0, "no training examples: keywords only")
        scores.append(score)
        thresholds.append(threshold)
        parts.append((theme, theme_hits, k, p, reasons))
    rule = DecisionRule(np.asarray(thresholds, dtype=float), na_threshold, float(na_margin))
    on, na = decide(np.asarray([scores], dtype=float), rule,
                    None if p_na is None else np.asarray([p_na]))
    themes = []
    for j, (theme, theme_hits, k, p, reasons) in enumerate(parts):
        suggested = bool(on[0, j])
        if suggested and scores[j] < thresholds[j]:
            reasons.append("most likely theme (nothing reached its threshold)")
        themes.append(ThemeSuggestion(
            theme_id=theme.id, theme_name=theme.name, score=round(scores[j], 4),
            suggested=suggested, reasons=tuple(reasons),
            spans=tuple((h.start, h.end) for h in theme_hits if h.score > 0),
            model_score=p, keyword_score=k, threshold=thresholds[j]))
    ranked = [t for _, t in sorted(enumerate(themes), key=lambda it: (-it[1].score, it[0]))]
    reason = ""
    if p_na is not None:
        reason = (f"model: {codebook.not_assigned.name} {p_na:.2f} "
                  f"(threshold {float(na_threshold):.2f})")
    return Suggestion(text=text, question=question, themes=ranked, vague=bool(na[0]),
                      model_version=version, hits=hits,
                      not_assigned_score=None if p_na is None else round(p_na, 4),
                      not_assigned_reason=reason)

