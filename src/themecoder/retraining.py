"""Retraining that never goes backwards.

:class:`Retrainer` trains a new version of a codebook's model on the prior coding the project
is linked to (:mod:`themecoder.training_sets`) **plus** this year's decisions, this year's
weighted up, and Not assigned decisions as rows with no theme. A fixed share of this year's
decisions is never trained on (:func:`themecoder.version_check.held_out_for_checking`).

The new version replaces the live model only when it scores at least as well
(:mod:`themecoder.version_check`): on this year's held-out decisions once there are enough of
them, before that on a cross-validation of the prior coding. Otherwise it is kept as a
candidate, with the reason, and ``themecoder model use`` can still make it live. Every version
is saved under the project's folder (``<project file stem>.models/<codebook id>/v<N>/``) and
registered with its data sizes and scores (:mod:`themecoder.store.model_registry`).

A retraining takes a cancel :class:`threading.Event` and a progress callback
``progress(stage, done, total)`` (stages :data:`STAGES`), so an app can run it in a
background thread and show how far it is.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from themecoder.codebook import Codebook
from themecoder.errors import ModelError, ThemecoderError
from themecoder.model_versions import refresh_todo
from themecoder.store.model_registry import (
    ModelVersion,
    discard_model_version,
    live_model_path,
    model_versions,
    register_model_version,
    set_live_model,
    update_model_version,
    version_at,
)
from themecoder.training_sets import CodedAnswers, prior_coding, project_training_data
from themecoder.version_check import (
    DEFAULT_CURRENT_WEIGHT,
    MIN_CHECKED,
    RECIPE,
    CheckResult,
    held_out_check,
    held_out_for_checking,
    no_check,
    prior_cv_check,
)

if TYPE_CHECKING:
    from themecoder.store.project import Project

STAGES = ("reading", "training", "checking", "refreshing")
"""What a retraining is doing, in order."""

StageProgress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``."""

MODEL_NAME = "{codebook_id}-project"
"""Name of the models trained on a project's coding."""


class NotEnoughData(ThemecoderError):
    """Too few coded answers to train a model."""


def default_models_dir(project: Project) -> Path:
    """``<project file stem>.models`` beside an SQLite project; ``./<name>.models`` otherwise."""
    if project.url.startswith("sqlite:///"):
        path = Path(project.url.removeprefix("sqlite:///"))
        return path.with_name(path.stem + ".models")
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", project.info().get("name", "project"))
    return Path.cwd() / f"{name}.models"


@dataclass(frozen=True)
class RetrainResult:
    """What one retraining did.

    Attributes:
        codebook_id: The codebook.
        version: The new version's label (``v<N>``); when nothing was trained (``changed``
            false), the newest version's, or the live model's.
        path: Its directory.
        accepted: Whether it is live now.
        reason: Why (or why not), in words.
        check: How it was judged.
        n_prior: Answers of prior coding it learned from.
        n_current: This year's decisions it learned from.
        n_held_out: This year's decisions held out of training.
        refreshed: Answers still to do that got new suggestions.
        model_version: What the refreshed suggestions are stored with.
        changed: False when nothing was trained: no new decisions since the newest version,
            or none at all this year while a model is live.
        compared_with: The model it was checked against (a version, or keywords alone).
    """

    codebook_id: str
    version: str
    path: Path
    accepted: bool
    reason: str
    check: CheckResult | None
    n_prior: int
    n_current: int
    n_held_out: int
    refreshed: int = 0
    model_version: str = ""
    changed: bool = True
    compared_with: str = ""

    @property
    def n_examples(self) -> int:
        """Answers trained on."""
        return self.n_prior + self.n_current

    def message(self) -> str:
        """What happened, in one or two sentences for the coder."""
        if not self.changed:
            return f"{self.codebook_id}: {self.reason}; not retrained."
        trained = (f"trained on {self.n_prior} answers of prior coding + {self.n_current} of "
                   f"this year's decisions")
        if self.accepted:
            return (f"{self.codebook_id} {self.version} is now live ({trained}); it "
                    f"{self.reason}. Suggestions refreshed for {self.refreshed} answers to do.")
        return (f"{self.codebook_id} {self.version} is kept as a candidate, not used "
                f"({trained}): it {self.reason}. `themecoder model use` can still make it live.")

    def summary(self) -> str:
        """What happened, in two short lines at most (for the coding app)."""
        name = f"{self.codebook_id} {self.version}"
        if not self.changed:
            return f"{self.codebook_id}: {self.reason}; not retrained."
        check = self.check
        if check is not None and check.candidate is not None and check.live is not None:
            on = {"held-out": f"{check.candidate.n} held-out decisions of this year",
                  "cross-validation": "prior coding, cross-validated"}.get(check.kind,
                                                                         check.kind)
            versus = (f"micro-F1 {check.candidate.micro:.3f} vs {check.live.micro:.3f} for "
                      f"{self.compared_with} ({on})")
        else:
            versus = self.reason
        if self.accepted:
            return (f"{name} in use: {versus}; learnt from {self.n_prior} prior + "
                    f"{self.n_current} new answers; {self.refreshed} suggestions refreshed.")
        return (f"{name} kept as a candidate, {self.compared_with} stays in use: {versus}. "
                "`themecoder model use` can switch.")


class Retrainer:
    """Retrains a codebook's model on prior coding plus this year's decisions.

    Args:
        project: The project.
        codebook: The codebook to train for (its latest active version is used at each
            retraining, so a theme added meanwhile is learnt too).
        every: :meth:`maybe_retrain` retrains once this many decisions were made since
            the last retraining.
        tier: The classifier tier (``"fast"`` or ``"accurate"``).
        models_dir: Where model versions go (default :func:`default_models_dir`).
        min_examples: Fewest coded answers (prior and this year's) worth training on.
        current_weight: Weight of each of this year's decisions against an answer of
            prior coding.
        random_state: Seed of the classifier and of the cross-validation folds.
        refresh_limit: After a new version goes live, refresh the suggestions of at most
            this many answers still to do (``None``: all). The coding app refreshes the
            next ones it will show, so a large project's refresh stays short.
        coming_next: Returns the answer ids the coder will see next; refreshed first.
    """

    def __init__(self, project: Project, codebook: Codebook, *, every: int = 50,
                 tier: str = "fast", models_dir: str | Path | None = None,
                 min_examples: int = 20, current_weight: float = DEFAULT_CURRENT_WEIGHT,
                 random_state: int = 0, refresh_limit: int | None = None,
                 coming_next: Callable[[], Sequence[int]] | None = None) -> None:
        if every < 1:
            raise ValueError("every must be at least 1")
        if current_weight <= 0:
            raise ValueError("current_weight must be positive")
        self.project = project
        self.codebook = codebook
        self.every = every
        self.tier = tier
        self.models_dir = Path(models_dir) if models_dir is not None \
            else default_models_dir(project)
        self.min_examples = min_examples
        self.current_weight = float(current_weight)
        self.random_state = random_state
        #: refresh at most this many to-do answers after a retraining (``None``: all of them)
        self.refresh_limit = refresh_limit
        #: the answer ids the coder will see next, refreshed first (e.g. the app's queue)
        self.coming_next = coming_next
        self.last: RetrainResult | None = None
        self._lock = threading.Lock()
        self._keywords: Any = None

    @property
    def directory(self) -> Path:
        """The folder holding this codebook's model versions."""
        return self.models_dir / self.codebook.id

    def _numbers_on_disk(self) -> list[int]:
        return [int(p.name[1:]) for p in self.directory.glob("v*")
                if p.name[1:].isdigit() and (p / "model.json").is_file()]

    def due(self, decisions_since: int) -> bool:
        """Whether ``decisions_since`` decisions call for a retraining."""
        return decisions_since >= self.every

    def maybe_retrain(self, decisions_since: int, *, cancel: threading.Event | None = None,
                      progress: StageProgress | None = None) -> RetrainResult | None:
        """Retrain if :meth:`due`; ``None`` when not due or when there are still too few
        coded answers."""
        if not self.due(decisions_since):
            return None
        try:
            return self.retrain(cancel, progress)
        except NotEnoughData:
            return None

    def _current_codebook(self) -> Codebook:
        self.project.refresh()
        for codebook in self.project.codebooks():
            if codebook.id == self.codebook.id:
                if codebook.fingerprint != self.codebook.fingerprint:
                    self._keywords = None
                self.codebook = codebook
                break
        return self.codebook

    # ------------------------------------------------------------------ retraining

    def retrain(self, cancel: threading.Event | None = None,
                progress: StageProgress | None = None) -> RetrainResult:
        """Train a new version, check it against the live model, and use it if it is as good.

        Args:
            cancel: When set, stops (training raises
                :class:`~themecoder.suggest.model.TrainingCancelled`; refreshing stops after
                the current chunk, and the version stays live).
            progress: Called with ``(stage, done, total)`` (see :data:`STAGES`).

        Returns:
            What happened (also kept in :attr:`last`).

        Raises:
            NotEnoughData: fewer than ``min_examples`` answers to train on.
            PriorCodingError: the linked prior coding cannot be read.
        """
        def report(stage: str) -> Callable[[int, int], None]:
            return lambda done, total: progress(stage, done, total) if progress else None

        with self._lock:  # two retrainings of one codebook must not race
            codebook = self._current_codebook()
            report("reading")(0, 1)
            prior = prior_coding(self.project, codebook)
            coded = project_training_data(self.project, codebook)
            held = [i for i, key in enumerate(coded.keys) if held_out_for_checking(key)]
            held_set = set(held)
            train = coded.rows([i for i in range(len(coded)) if i not in held_set])
            checked = coded.rows(held)
            n_prior = len(prior) if prior is not None else 0
            fingerprint = self._fingerprint(codebook, prior, train)
            report("reading")(1, 1)
            if n_prior + len(train) < self.min_examples:
                raise NotEnoughData(
                    f"{n_prior + len(train)} coded answers to train on for codebook "
                    f"'{codebook.id}' ({len(checked)} more are held out to check versions "
                    f"on); at least {self.min_examples} are needed")
            newest = self._newest_retrained()
            live_path = live_model_path(self.project, codebook.id)
            if newest is not None and newest.current_fingerprint == fingerprint:
                self.last = RetrainResult(
                    codebook.id, newest.label, Path(newest.path), bool(newest.accepted),
                    f"no new decisions since {newest.label}", None, n_prior, len(train),
                    len(checked), changed=False)
                return self.last
            if not len(coded) and live_path and self._live_model(codebook)[1] is None:
                self.last = RetrainResult(
                    codebook.id, self._live_label(codebook), Path(live_path), True,
                    "no decisions of this year yet", None, n_prior, 0, 0, changed=False)
                return self.last
            model = self._fit(prior, train, cancel, report("training"))
            version = self._save(codebook, model, prior, train, fingerprint)
            live_label = self._live_label(codebook)
            check = self._check(codebook, prior, train, checked, version, cancel,
                                report("checking"))
            update_model_version(
                self.project, codebook.id, version.number, check_kind=check.kind,
                n_checked=(check.candidate.n if check.candidate else 0),
                micro_f1=check.candidate.micro if check.candidate else None,
                macro_f1=check.candidate.macro if check.candidate else None,
                compared_with=live_label,
                compared_micro_f1=check.live.micro if check.live else None,
                compared_macro_f1=check.live.macro if check.live else None,
                accepted=check.accepted, reason=check.reason,
                recipe_cv=check.recipe_cv.get("candidate", {}))
            self._cache_live_cv(codebook, check)
            refreshed, stored_as = 0, ""
            if check.accepted:
                set_live_model(self.project, codebook.id, version.path)
                limit = self.refresh_limit
                coming = list(self.coming_next()) if self.coming_next is not None else []
                refreshed, stored_as = refresh_todo(
                    self.project, codebook, version.path, limit=limit, coming_next=coming,
                    cancel=cancel, progress=report("refreshing"))
            self.last = RetrainResult(
                codebook.id, version.label, Path(version.path), check.accepted, check.reason,
                check, n_prior, len(train), len(checked), refreshed, stored_as,
                compared_with=live_label)
            return self.last

    def _fingerprint(self, codebook: Codebook, prior: CodedAnswers | None,
                     train: CodedAnswers) -> str:
        h = hashlib.sha256()
        h.update(codebook.fingerprint.encode())
        h.update((prior.fingerprint() if prior is not None else "no prior").encode())
        h.update(f"|{self.tier}|{self.current_weight}|{RECIPE}|".encode())
        h.update(",".join(map(str, train.answer_ids)).encode())
        h.update(train.fingerprint().encode())
        return h.hexdigest()

    def _newest_retrained(self) -> ModelVersion | None:
        retrained = [v for v in model_versions(self.project, self.codebook.id)
                     if v.origin == "retrained"]
        return retrained[-1] if retrained else None

    def _fit(self, prior: CodedAnswers | None, train: CodedAnswers,
             cancel: threading.Event | None, step: Callable[[int, int], None]) -> Any:
        from themecoder.version_check import fit_recipe

        try:
            return fit_recipe(prior, train, self.current_weight, tier=self.tier,
                              random_state=self.random_state, codebook=self.codebook,
                              keyword_suggester=self._keyword_suggester(self.codebook),
                              progress=step, cancel=cancel)
        except ValueError as exc:
            raise NotEnoughData(f"cannot train codebook '{self.codebook.id}''s model on "
                                f"these answers: {exc}") from None

    def _save(self, codebook: Codebook, model: Any, prior: CodedAnswers | None,
              train: CodedAnswers, fingerprint: str) -> ModelVersion:
        """Register the next version number, then write the model under it."""
        from themecoder.suggest.model import save_model, training_metadata
        from themecoder.version_check import combined

        data, _weights = combined(prior, train, self.current_weight)
        n_prior = len(prior) if prior is not None else 0
        source = prior.source if prior is not None else "none linked"
        version = register_model_version(
            self.project, codebook.id, "", origin="retrained",
            taken=self._numbers_on_disk(), tier=self.tier, n_prior=n_prior,
            n_current=len(train), current_weight=self.current_weight, prior_source=source,
            training_answers=train.answer_ids, current_fingerprint=fingerprint,
            reason="being checked")
        path = (self.directory / version.label).resolve()
        meta = training_metadata(
            codebook, data.texts, data.questions, data.Y,
            name=MODEL_NAME.format(codebook_id=codebook.id), version=version.label,
            data={"project": self.project.display_location, "prior_coding": source,
                  "n_prior": n_prior, "n_current": len(train),
                  "current_weight": self.current_weight})
        try:
            save_model(model, path, meta)
        except BaseException:
            discard_model_version(self.project, codebook.id, version.number)
            raise
        return update_model_version(self.project, codebook.id, version.number, path=path)

    # ------------------------------------------------------------------ checking

    def _keyword_suggester(self, codebook: Codebook) -> Any:
        if self._keywords is None:
            from themecoder.suggest.keywords import KeywordSuggester

            self._keywords = KeywordSuggester(codebook)
        return self._keywords

    def _suggester(self, codebook: Codebook, model: Any) -> Any:
        from themecoder.suggest.suggester import Suggester

        return Suggester(codebook, model=model,
                         keyword_suggester=self._keyword_suggester(codebook))

    def _live_label(self, codebook: Codebook) -> str:
        path = live_model_path(self.project, codebook.id)
        if not path:
            return "keywords alone"
        version = version_at(self.project, codebook.id, path)
        return version.label if version is not None else f"the model at {path}"

    def _live_model(self, codebook: Codebook) -> tuple[Any, str | None]:
        """The live model loaded for the current codebook (``None``: keywords alone), or
        why it cannot serve."""
        path = live_model_path(self.project, codebook.id)
        if not path:
            return None, None
        from themecoder.suggest.model import load_model

        try:
            return load_model(path, codebook=codebook), None
        except ModelError as exc:
            return None, exc.one_line()

    def _check(self, codebook: Codebook, prior: CodedAnswers | None, train: CodedAnswers,
               checked: CodedAnswers, version: ModelVersion, cancel: threading.Event | None,
               step: Callable[[int, int], None]) -> CheckResult:
        from themecoder.suggest.model import load_model

        live_label = self._live_label(codebook)
        live_model, unusable = self._live_model(codebook)
        if unusable is not None:
            return CheckResult("live unusable", None, None, True,
                               f"replaces {live_label}, which cannot serve this codebook: "
                               f"{unusable}", {})
        candidate = self._suggester(codebook, load_model(version.path, codebook=codebook))
        if len(checked) >= MIN_CHECKED:
            step(0, 1)
            result = held_out_check(candidate, self._suggester(codebook, live_model), checked,
                                    live_label)
            step(1, 1)
            return result
        if prior is not None and len(prior) >= MIN_CHECKED:
            live = version_at(self.project, codebook.id,
                              live_model_path(self.project, codebook.id) or "") \
                if live_model is not None else None
            live_rows = None
            if live_model is not None:
                ids = set(live.training_answers) if live is not None else set()
                live_rows = train.rows([i for i, a in enumerate(train.answer_ids) if a in ids])
            cached = {"candidate": {}, "live": live.recipe_cv if live is not None else {}}
            try:
                return prior_cv_check(
                    codebook, prior, train, live_rows, live_label,
                    make_suggester=lambda model: self._suggester(codebook, model),
                    weight=self.current_weight, tier=self.tier,
                    random_state=self.random_state, cached=cached,
                    keyword_suggester=self._keyword_suggester(codebook), progress=step,
                    cancel=cancel)
            except ValueError as exc:  # a fold the classifier cannot learn from
                return no_check(f"cannot be judged: cross-validating the prior coding "
                                f"failed ({exc})")
        link = "the prior coding has too few answers to cross-validate" if prior is not None \
            else "no prior coding is linked to cross-validate on"
        return no_check(f"cannot be judged yet: {len(checked)} of this year's decisions are "
                        f"held out to check it on ({MIN_CHECKED} needed) and {link}")

    def _cache_live_cv(self, codebook: Codebook, check: CheckResult) -> None:
        live_cv = check.recipe_cv.get("live")
        if not live_cv:
            return
        live = version_at(self.project, codebook.id,
                          live_model_path(self.project, codebook.id) or "")
        if live is not None and live.recipe_cv.get("key") != live_cv.get("key"):
            update_model_version(self.project, codebook.id, live.number, recipe_cv=live_cv)


__all__ = ["MODEL_NAME", "STAGES", "NotEnoughData", "RetrainResult", "Retrainer",
           "default_models_dir"]
