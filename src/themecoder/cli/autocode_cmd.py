"""``themecoder autocode``: let the model code the answers it is sure of, and audit it blind."""

from __future__ import annotations

import click

from themecoder.cli.root import cli, project_argument, resolve_project
from themecoder.store.autocode import AUTO_CODER, DEFAULT_AUDIT_SHARE, MIN_AUDIT


def _print_audit(result: object) -> None:
    from themecoder.autocode_audit import AuditResult

    assert isinstance(result, AuditResult)
    if len(result.batches) == 1:
        batch = result.batches[0]
        state = "" if batch.live else f", UNDONE {batch.undone_at[:16]}"
        models = ", ".join(f"{cb}: {v}" for cb, v in sorted(batch.models.items()))
        click.echo(f"batch {batch.id} ({batch.created_at[:16].replace('T', ' ')} UTC{state}): "
                   f"{batch.answers} answers auto-coded as '{batch.coder}' by {models}; "
                   f"target {batch.target:.2f}, expected {batch.expected_accuracy:.3f}")
    else:
        ids = ", ".join(str(b.id) for b in result.batches)
        click.echo(f"all batches in force ({ids}): "
                   f"{sum(b.answers for b in result.batches)} answers auto-coded")
    click.echo(f"  {result.summary()}")
    warning = result.warning()
    if warning:
        click.echo(f"  {warning}")
    if result.per_theme is not None and len(result.batches) == 1:
        # the themes people or the model gave some audit answer; "–" where a ratio has no
        # answers to count
        table = result.per_theme
        table = table[(table["support"] > 0) | (table["auto_coded"] > 0)
                      | table.index.isin(["micro", "macro"])]
        width = max(len("theme (audit answers)"), *(len(str(name)) for name in table.index))
        click.echo(f"  {'theme (audit answers)':<{width}}  precision  recall  people  model")
        for name, row in table.iterrows():
            precision = f"{row['precision']:.3f}" if row["auto_coded"] else "–"
            recall = f"{row['recall']:.3f}" if row["support"] else "–"
            click.echo(f"  {str(name):<{width}}  {precision:>9}  {recall:>6}  "
                       f"{int(row['support']):6d}  {int(row['auto_coded']):5d}")


@cli.command()
@project_argument
@click.option("--target-accuracy", "target", type=float, metavar="0.90",
              help="Exact-set accuracy the auto-coded answers must reach, between 0 and 1 "
                   "(expected: the mean of the model's calibrated probabilities).")
@click.option("--audit", "audit_share", type=float, default=DEFAULT_AUDIT_SHARE,
              show_default=True,
              help=f"Share of the auto-coded answers people code blind to check the accuracy "
                   f"(at least {MIN_AUDIT} answers).")
@click.option("--coder", default=AUTO_CODER, show_default=True,
              help="Name the automatic decisions are recorded under.")
@click.option("--dry-run", is_flag=True, help="Only print what would be auto-coded.")
@click.option("--calibration", type=click.Choice(["auto", "model", "project"]), default="auto",
              show_default=True,
              help="What the probabilities are calibrated on: the model file (cross-validation "
                   "of its training data), this project's answers people coded since the model "
                   "was trained, or auto (the project's once there are 200, else the model's).")
@click.option("--seed", type=int, help="Seed of the audit draw (default: random, recorded).")
@click.option("--undo", "undo_batch", type=int, metavar="BATCH",
              help="Withdraw every decision of batch BATCH (people's decisions stay).")
@click.option("--report", "report", is_flag=True,
              help="Audited exact-set accuracy with its 95 % interval, and per-theme "
                   "precision/recall on the audit.")
@click.option("--batch", "batch_id", type=int, metavar="BATCH",
              help="With --report: only this batch (default: every batch in force).")
@click.option("--list", "list_batches", is_flag=True, help="List every batch.")
def autocode(project: str | None, target: float | None, audit_share: float, coder: str,
             dry_run: bool, calibration: str, seed: int | None, undo_batch: int | None,
             report: bool, batch_id: int | None, list_batches: bool) -> None:
    """Code automatically the answers the model is sure of, at a stated accuracy.

    The model estimates, per answer still to do, the probability that its whole set of
    themes (or Not assigned) is exactly right. The largest set of answers whose expected
    accuracy reaches --target-accuracy is printed, then recorded as one batch (unless
    --dry-run) with a random sample drawn for a blind audit: people code those answers in
    the app without seeing the automatic decision. `--report` then states the accuracy the
    audit found; `--undo BATCH` takes a whole batch back.
    """
    from themecoder.autocode import apply_plan, check_audit_share, check_target, plan_autocode
    from themecoder.autocode_audit import audit_report
    from themecoder.store import Project
    from themecoder.store.autocode import auto_batches, undo_auto_batch

    location = resolve_project(project)
    modes = sum(bool(x) for x in (target is not None, undo_batch is not None, report,
                                  list_batches))
    if modes != 1:
        raise click.UsageError("give one of --target-accuracy, --undo BATCH, --report, --list")
    if target is not None:
        check_target(target)
        check_audit_share(audit_share)
    with Project.open(location) as store:
        if list_batches:
            batches = auto_batches(store)
            for b in batches:
                state = "in force" if b.live else f"undone {b.undone_at[:16]}"
                click.echo(f"batch {b.id}: {b.answers} answers, target {b.target:.2f}, "
                           f"expected {b.expected_accuracy:.3f}, audit {len(b.audit_ids)}, "
                           f"{b.created_at[:16].replace('T', ' ')} UTC, {state}")
            click.echo(f"{len(batches)} batch(es)")
            return
        if undo_batch is not None:
            withdrawn = undo_auto_batch(store, undo_batch)
            click.echo(f"batch {undo_batch} undone: {withdrawn} automatic decisions withdrawn; "
                       "those answers are to do again")
            return
        if report:
            for result in audit_report(store, batch_id):
                _print_audit(result)
            return
        assert target is not None
        plan = plan_autocode(store, target, calibration=calibration)
        for note in plan.notes:
            click.echo(f"note: {note}")
        for item in plan.by_codebook.values():
            click.echo(f"{item.codebook_id}: model {item.model_version}, {item.chosen} of "
                       f"{item.candidates} answers to do; calibrated on {item.calibration}")
        click.echo(plan.summary())
        if dry_run or not plan.rows:
            if dry_run:
                click.echo("dry run: nothing recorded")
            return
        batch = apply_plan(store, plan, coder=coder, audit_share=audit_share, seed=seed)
    click.echo(f"batch {batch.id} recorded: {batch.answers} answers auto-coded as "
               f"'{batch.coder}'; {len(batch.audit_ids)} drawn for the blind audit "
               f"(code them in the app: `themecoder code PROJECT --coder NAME`); "
               f"undo with `themecoder autocode PROJECT --undo {batch.id}`")
