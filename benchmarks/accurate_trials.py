"""Trials for the accurate tier, decided on a split inside the development part only.

The held-out part of the NHS comments (:mod:`nhs_data`) is never read here. The development
part is split again by a hash of the respondent id (``"inner:" + id``, one respondent in
five): the accurate tier's parts are fitted on the inner training part, each variant's blend
weights, thresholds and Not-assigned rule are chosen on out-of-fold probabilities of that
part (as :class:`~themecoder.suggest.classifier.ThemeClassifier` chooses them), and the
variant is scored on the inner validation part, over the 38 scored labels as
``benchmarks/classifier.py`` scores them (the classifier alone, without keywords).

Variants:

- ``3-fold``: the tier as it is (3-fold out-of-fold probabilities, TF-IDF heads and
  logistic heads on frozen all-MiniLM-L6-v2 embeddings, the embedding share chosen on them).
- ``3-fold by respondent``: the same with the folds grouped by respondent (NHS respondents
  give ~2 comments each, so ungrouped folds let one person's other answer leak into the
  probabilities that tune the thresholds).
- ``5-fold``: more training data behind each out-of-fold probability.
- ``+ fine-tuned``: a third part, the encoder's top ``--train-layers`` transformer layers
  fine-tuned with multi-label heads (binary cross-entropy over the themes and Not assigned,
  positive examples weighted by the negative/positive ratio, AdamW, ``--epochs`` epochs),
  cross-fitted in two halves of the inner training part (each half's probabilities come
  from the model fitted on the other half; the validation part gets the mean of both); its
  share is chosen with the others on the out-of-fold probabilities. The layers below stay
  frozen, so their outputs are computed once.

Printed: for each variant the chosen shares, the out-of-fold micro-F1 it was chosen by,
micro/macro-F1 on the inner validation part, and the fit time of its parts.

Run: ``python benchmarks/accurate_trials.py [--epochs 4] [--train-layers 2]`` (needs the
``accurate`` extra; reads ``../shared/benchmarks/nhs_fft/`` and skips without it).
"""

from __future__ import annotations

import argparse
import hashlib
import math
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import nhs_data  # noqa: E402
from classifier import codebook_matrix, machine, scored_matrix  # noqa: E402

INNER_SHARE = 0.2
EMBEDDING_SHARES = (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7)
FINE_TUNED_SHARES = (0.0, 0.2, 0.3, 0.4, 0.5)


def inner_validation(respondent_ids: list[str]) -> np.ndarray:
    """(n,) bool: the development rows of the inner validation part (by respondent)."""
    return np.array([int.from_bytes(hashlib.sha256(f"inner:{r}".encode()).digest()[:8], "big")
                     < INNER_SHARE * 2 ** 64 for r in respondent_ids])


class Parts:
    """The accurate tier's TF-IDF and embedding heads over every head (themes, Not assigned)."""

    def __init__(self, texts: list[str], qkeys: list[str], H: np.ndarray) -> None:
        from themecoder.suggest.embeddings import _embedding_design, embed

        self.texts, self.qkeys, self.H = texts, qkeys, H
        self.E = _embedding_design(embed(texts), qkeys, sorted(set(qkeys)))

    def fit_predict(self, train: np.ndarray, tests: list[np.ndarray]
                    ) -> list[tuple[np.ndarray, np.ndarray]]:
        from themecoder.suggest.classifier import ThemeClassifier
        from themecoder.suggest.decision import _expit, _fit_heads

        clf = ThemeClassifier("accurate")
        C = 4.0
        feats = clf._new_features()
        X = feats.fit_transform([self.texts[i] for i in train], [self.qkeys[i] for i in train])
        W, b = _fit_heads(X, self.H[train], C, "balanced", 0, lambda: None)
        We, be = _fit_heads(self.E[train], self.H[train], C, "balanced", 0, lambda: None)
        out = []
        for test in tests:
            Xt = feats.transform([self.texts[i] for i in test], [self.qkeys[i] for i in test])
            out.append((_expit(Xt @ W.T + b), _expit(self.E[test] @ We.T + be)))
        return out

    def out_of_fold(self, train: np.ndarray, folds) -> tuple[np.ndarray, np.ndarray]:
        P_text = np.zeros((len(train), self.H.shape[1]))
        P_emb = np.zeros_like(P_text)
        for fit_rows, test_rows in folds:
            ((pt, pe),) = self.fit_predict(train[fit_rows], [train[test_rows]])
            P_text[test_rows], P_emb[test_rows] = pt, pe
        return P_text, P_emb


class FineTunedTop:
    """The encoder's top layers fine-tuned with linear heads (see the module docstring)."""

    def __init__(self, texts: list[str], qkeys: list[str], H: np.ndarray, train_layers: int,
                 epochs: int, lr: float = 1e-4, head_lr: float = 1e-2,
                 batch_size: int = 32) -> None:
        import torch

        from themecoder.suggest.embeddings import _sentence_model

        torch.set_num_threads(2)
        self.texts, self.H = texts, H.astype(np.float32)
        self.questions = sorted(set(qkeys))
        self.q_index = np.array([self.questions.index(q) for q in qkeys])
        self.epochs, self.lr, self.head_lr, self.batch_size = epochs, lr, head_lr, batch_size
        model = _sentence_model()
        self.tokenizer, self.base = model.tokenizer, model[0].auto_model
        self.frozen = len(self.base.encoder.layer) - train_layers
        self.bottom = self._bottom_states()

    def _bottom_states(self) -> list:
        """Each text's hidden states below the trained layers (unpadded), computed once."""
        import torch

        out: list = [None] * len(self.texts)
        order = np.argsort([len(t) for t in self.texts])
        self.base.eval()
        for start in range(0, len(order), 128):
            rows = order[start:start + 128]
            batch = self.tokenizer([self.texts[i] for i in rows], padding=True,
                                   truncation=True, max_length=128, return_tensors="pt")
            with torch.no_grad():
                states = self.base(**batch, output_hidden_states=True).hidden_states
            lengths = batch["attention_mask"].sum(dim=1)
            for r, i in enumerate(rows):
                out[i] = states[self.frozen][r, :int(lengths[r])].clone()
        return out

    def _logits(self, top, head, rows: np.ndarray):
        import torch

        length = max(self.bottom[i].shape[0] for i in rows)
        x = torch.zeros(len(rows), length, self.bottom[rows[0]].shape[1])
        mask = torch.zeros(len(rows), length)
        for r, i in enumerate(rows):
            x[r, :self.bottom[i].shape[0]] = self.bottom[i]
            mask[r, :self.bottom[i].shape[0]] = 1
        additive = (1.0 - mask[:, None, None, :]) * torch.finfo(torch.float32).min
        for layer in top:
            x = layer(x, attention_mask=additive)
            x = x[0] if isinstance(x, tuple) else x
        pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdim=True).clamp(min=1e-9)
        pooled = torch.nn.functional.normalize(pooled, dim=-1)
        questions = torch.zeros(len(rows), len(self.questions))
        questions[torch.arange(len(rows)), torch.as_tensor(self.q_index[rows])] = 1.0
        return head(torch.cat([pooled * 5.0, questions], dim=1))

    def fit_predict(self, train: np.ndarray, tests: list[np.ndarray]) -> list[np.ndarray]:
        import copy

        import torch

        torch.manual_seed(0)
        rng = np.random.default_rng(0)
        top = copy.deepcopy(self.base.encoder.layer[self.frozen:])
        head = torch.nn.Linear(self.bottom[0].shape[1] + len(self.questions), self.H.shape[1])
        positives = self.H[train].sum(0)
        pos_weight = (len(train) - positives) / np.maximum(positives, 1)
        loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(pos_weight))
        optimiser = torch.optim.AdamW([{"params": top.parameters(), "lr": self.lr},
                                       {"params": head.parameters(), "lr": self.head_lr}],
                                      weight_decay=0.01)
        steps = self.epochs * math.ceil(len(train) / self.batch_size)
        schedule = torch.optim.lr_scheduler.LambdaLR(
            optimiser, lambda s: min(1.0, (s + 1) / (0.1 * steps)) * max(0.0, (steps - s) / steps))
        top.train()
        for _ in range(self.epochs):
            batches = []
            order = rng.permutation(train)
            for start in range(0, len(order), self.batch_size * 20):  # similar lengths together
                chunk = order[start:start + self.batch_size * 20]
                chunk = chunk[np.argsort([self.bottom[i].shape[0] for i in chunk])]
                batches += [chunk[j:j + self.batch_size]
                            for j in range(0, len(chunk), self.batch_size)]
            for b in rng.permutation(len(batches)):
                rows = batches[b]
                loss = loss_fn(self._logits(top, head, rows), torch.as_tensor(self.H[rows]))
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
                schedule.step()
        top.eval()
        out = []
        with torch.no_grad():
            for test in tests:
                out.append(np.vstack([torch.sigmoid(self._logits(top, head, test[s:s + 128]))
                                      .numpy() for s in range(0, len(test), 128)]))
        return out


def chosen_blend(parts_oof: list[np.ndarray], parts_val: list[np.ndarray],
                 share_grids: list[tuple[float, ...]], Y: np.ndarray
                 ) -> tuple[tuple[float, ...], float, np.ndarray, np.ndarray]:
    """Shares of parts 2.. (part 1 gets the rest) chosen, with thresholds and the rule, on
    out-of-fold micro-F1; returns (shares, that F1, val themes, val Not assigned)."""
    from itertools import product

    from themecoder.suggest.decision import (
        _micro_f1_with_na,
        decide,
        tune_rule,
        tune_thresholds,
    )

    k = Y.shape[1]
    y_na = Y.sum(axis=1) == 0
    best = None
    for shares in product(*share_grids):
        if sum(shares) > 1:
            continue
        weights = (1 - sum(shares), *shares)
        P = sum(w * p for w, p in zip(weights, parts_oof, strict=True))
        thresholds, _ = tune_thresholds(P[:, :k], Y, 10.0)
        rule = tune_rule(P[:, :k], Y, P[:, k], thresholds)
        themes, na = decide(P[:, :k], rule, P[:, k])
        score = _micro_f1_with_na(Y, y_na, themes, na)
        if best is None or score > best[1] + 1e-12:
            best = (shares, score, rule, weights)
    assert best is not None
    shares, score, rule, weights = best
    P_val = sum(w * p for w, p in zip(weights, parts_val, strict=True))
    themes, na = decide(P_val[:, :k], rule, P_val[:, k])
    return shares, score, themes, na


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--train-layers", type=int, default=2)
    args = parser.parse_args()
    if not nhs_data.ready():
        return 0
    from sklearn.model_selection import GroupKFold, KFold

    from themecoder.codebook import load_codebook
    from themecoder.evaluate import micro_macro_f1
    from themecoder.suggest.features import as_texts, question_keys

    data = nhs_data.load()
    dev = data.rows(data.development)  # the held-out part is never used here
    respondents = np.array(dev.frame["Respondent ID"].tolist())
    val = inner_validation(list(respondents))
    codebook = load_codebook(nhs_data.CODEBOOK)
    Y = codebook_matrix(dev, codebook)
    H = np.hstack([Y, (Y.sum(axis=1) == 0)[:, None]]).astype(np.int8)
    texts = as_texts(dev.texts)
    qkeys = question_keys(dev.questions, len(texts))
    train, test = np.flatnonzero(~val), np.flatnonzero(val)
    inner_val = dev.rows(val)
    truth = inner_val.labels.to_numpy()
    print(f"{time.strftime('%Y-%m-%d')}  {machine()}")
    print(f"development part: {len(train)} inner training answers, {len(test)} inner "
          f"validation answers (by respondent); the held-out part is not read", flush=True)

    def report(name: str, shares: tuple[float, ...], oof: float, themes, na, seconds: float):
        micro, macro = micro_macro_f1(truth, scored_matrix(inner_val, codebook, themes, na))
        print(f"| {name} | {', '.join(f'{s:.1f}' for s in shares)} | {oof:.3f} | "
              f"{micro:.3f} | {macro:.3f} | {seconds:.0f} |", flush=True)

    clock = time.perf_counter()
    parts = Parts(texts, qkeys, H)
    ((val_text, val_emb),) = parts.fit_predict(train, [test])
    base_s = time.perf_counter() - clock
    print(f"embeddings and the final fit: {base_s:.0f} s")
    print("| variant | shares (embedding[, fine-tuned]) | out-of-fold micro-F1 | "
          "micro-F1 | macro-F1 | fit of the folds (s) |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    splits = {
        "3-fold": KFold(3, shuffle=True, random_state=0).split(train),
        "3-fold by respondent": GroupKFold(3).split(train, groups=respondents[train]),
        "5-fold": KFold(5, shuffle=True, random_state=0).split(train),
    }
    oof3 = None
    for name, folds in splits.items():
        clock = time.perf_counter()
        oof_text, oof_emb = parts.out_of_fold(train, folds)
        seconds = time.perf_counter() - clock
        if name == "3-fold":
            oof3 = (oof_text, oof_emb)
        shares, score, themes, na = chosen_blend(
            [oof_text, oof_emb], [val_text, val_emb], [EMBEDDING_SHARES], Y[train])
        report(name, shares, score, themes, na, seconds)
    assert oof3 is not None
    clock = time.perf_counter()
    tuned = FineTunedTop(texts, qkeys, H, args.train_layers, args.epochs)
    oof_ft = np.zeros_like(oof3[0])
    val_ft = np.zeros_like(val_text)
    for fit_rows, test_rows in KFold(2, shuffle=True, random_state=0).split(train):
        held, on_val = tuned.fit_predict(train[fit_rows], [train[test_rows], test])
        oof_ft[test_rows] = held
        val_ft += on_val / 2
    seconds = time.perf_counter() - clock
    shares, score, themes, na = chosen_blend(
        [oof3[0], oof3[1], oof_ft], [val_text, val_emb, val_ft],
        [EMBEDDING_SHARES, FINE_TUNED_SHARES], Y[train])
    report(f"3-fold + fine-tuned top {args.train_layers} layers, {args.epochs} epochs",
           shares, score, themes, na, seconds)
    shares, score, themes, na = chosen_blend(
        [oof3[0], oof_ft], [val_text, val_ft], [FINE_TUNED_SHARES], Y[train])
    report("3-fold, fine-tuned in place of the frozen embedding heads", shares, score,
           themes, na, seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
