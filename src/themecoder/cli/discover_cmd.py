"""``themecoder discover``: find the topics of uncoded answers and adopt one as a new theme."""

from __future__ import annotations

import click

from themecoder.cli.root import cli, echo, project_argument, resolve_project
from themecoder.discover import CODE_CHOICES, METHODS, MIN_SIZE
from themecoder.errors import StoreError
from themecoder.safe_text import shown
from themecoder.store import Project


@cli.command()
@project_argument
@click.option("--group", help="Only this respondent group.")
@click.option("--min-size", type=click.IntRange(min=2), default=MIN_SIZE, show_default=True,
              help="Smallest candidate worth showing.")
@click.option("--weak-score", type=click.FloatRange(0, 1), default=0.35, show_default=True,
              help="Undecided answers whose best suggestion scores below this count as "
                   "having no theme.")
@click.option("--method", type=click.Choice(METHODS), default="auto", show_default=True,
              help="Vectors to cluster: sentence embeddings (auto: when the accurate extra "
                   "is installed) or TF-IDF.")
@click.option("--limit", type=click.IntRange(min=1), help="Show at most this many candidates.")
@click.option("--seed", type=int, default=0, show_default=True, help="Clustering seed.")
@click.option("--out-md", type=click.Path(dir_okay=False), help="Also write them as Markdown.")
@click.option("--out-csv", type=click.Path(dir_okay=False),
              help="Also write one row per member answer: candidate, name, answer_key, "
                   "question, text.")
@click.option("--adopt", "adopt_id", type=click.IntRange(min=1), metavar="ID",
              help="Adopt candidate ID (as listed) as a new theme; discovery is re-run with "
                   "the same seed and the adopted candidate is named.")
@click.option("--name", help="With --adopt: the new theme's name (words).")
@click.option("--definition", default="", help="With --adopt: what the theme covers.")
@click.option("--keywords", default="", help="With --adopt: comma-separated keywords.")
@click.option("--coder", help="With --adopt: who codes the answers with the new theme.")
@click.option("--code", "code_what", type=click.Choice(CODE_CHOICES), default="examples",
              show_default=True,
              help="With --adopt: code the examples close enough to the candidate to need "
                   "no review, all its answers, or none.")
@click.option("--save-codebook", type=click.Path(dir_okay=False),
              help="With --adopt: also write the new codebook version to this YAML file.")
def discover(project: str | None, group: str | None, min_size: int, weak_score: float,
             method: str, limit: int | None, seed: int, out_md: str | None,
             out_csv: str | None, adopt_id: int | None, name: str | None, definition: str,
             keywords: str, coder: str | None, code_what: str,
             save_codebook: str | None) -> None:
    """Find topics among the answers no theme covers (candidate new themes) in PROJECT.

    Without --adopt, lists the candidates with their ids, size, top words and examples,
    and says which method ran and where the uncovered answers went. With --adopt ID --name
    NAME --coder CODER, adds candidate ID as a theme (a new codebook version, with a change
    note) and codes its closest examples with it; the rest of the candidate is left for
    review (in the app, adopting opens them as a queue).
    """
    from themecoder.discover import adopt, run_discovery
    from themecoder.discover.candidates import write_markdown, write_members_csv

    if adopt_id is not None and (not name or not coder):
        raise click.UsageError("--adopt needs --name and --coder")
    with Project.open(resolve_project(project)) as store:
        found = run_discovery(store, group=group, min_size=min_size, weak_score=weak_score,
                              random_state=seed, method=method)
        if adopt_id is None:
            if limit is not None:
                found.candidates[limit:] = []
            _print(found)
            if out_md:
                write_markdown(found, out_md)
                echo(f"wrote {out_md}")
            if out_csv:
                rows = write_members_csv(found, out_csv)
                echo(f"wrote {out_csv} ({rows} answers)")
            return
        chosen = found.candidate(adopt_id)
        if chosen is None:
            raise StoreError(f"no candidate {adopt_id} (discovery found "
                             f"{len(found.candidates)}); run `themecoder discover` to list "
                             "them", field="adopt")
        echo(f"adopting candidate {chosen.describe()}")
        done = adopt(store, chosen, name=name or "", definition=definition,
                     keywords=keywords.split(","), coder=coder or "", code=code_what)
    echo(f"added theme {done.theme.name} ({done.theme.id}) to codebook "
         f"{done.codebook.id} v{done.codebook.version}; coded {len(done.coded)} answers "
         f"as {coder}")
    if done.to_review:
        click.echo(f"{len(done.to_review)} other answers of the candidate are not coded: "
                   "review them (themecoder discover --out-csv lists them) or adopt with "
                   "--code all")
    if save_codebook:
        from themecoder.codebook import save_codebook as write

        write(done.codebook, save_codebook)
        echo(f"wrote {save_codebook}")


def _print(found) -> None:  # noqa: ANN001
    click.echo(f"method: {found.method}")
    click.echo(f"pool: {found.account.describe()}")
    if not found.candidates:
        click.echo("no candidate themes: no group of uncoded answers is large and coherent "
                   "enough")
        return
    for c in found.candidates:
        survey = "; about the survey itself" if c.about_survey else ""
        echo(f"{c.id}. {c.name}  [{c.group}, {c.size} answers, cohesion "
             f"{c.cohesion:.2f}{survey}]")
        echo(f"   top words: {', '.join(c.top_words)}")
        for text in c.examples:
            line = shown(text, one_line=True)
            echo(f"   - {line[:110]}{'…' if len(line) > 110 else ''}")
    click.echo("adopt one with: themecoder discover PROJECT --adopt ID --name NAME --coder NAME")
