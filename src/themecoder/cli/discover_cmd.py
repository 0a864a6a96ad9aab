"""``themecoder discover``: find clusters of uncoded answers and adopt one as a new theme."""

from __future__ import annotations

from pathlib import Path

import click

from themecoder.cli.root import cli, echo, project_argument, resolve_project
from themecoder.errors import StoreError
from themecoder.safe_text import shown
from themecoder.store import Project


@cli.command()
@project_argument
@click.option("--group", help="Only this respondent group.")
@click.option("--min-size", type=click.IntRange(min=2), default=3, show_default=True,
              help="Smallest cluster worth showing.")
@click.option("--weak-score", type=click.FloatRange(0, 1), default=0.35, show_default=True,
              help="Undecided answers whose best suggestion scores below this count as "
                   "having no theme.")
@click.option("--limit", type=click.IntRange(min=1), help="Show at most this many candidates.")
@click.option("--seed", type=int, default=0, show_default=True, help="Clustering seed.")
@click.option("--out-md", type=click.Path(dir_okay=False), help="Also write them as Markdown.")
@click.option("--adopt", "adopt_n", type=click.IntRange(min=1), metavar="N",
              help="Adopt candidate N as a new theme (discovery is re-run with the same seed).")
@click.option("--name", help="With --adopt: the new theme's name.")
@click.option("--definition", default="", help="With --adopt: what the theme covers.")
@click.option("--keywords", default="", help="With --adopt: comma-separated keywords.")
@click.option("--coder", help="With --adopt: who codes the answers with the new theme.")
@click.option("--code", "code_what", type=click.Choice(["examples", "all", "none"]),
              default="examples", show_default=True,
              help="With --adopt: code the candidate's examples, all its answers, or none.")
@click.option("--save-codebook", type=click.Path(dir_okay=False),
              help="With --adopt: also write the new codebook version to this YAML file.")
def discover(project: str | None, group: str | None, min_size: int, weak_score: float,
             limit: int | None, seed: int, out_md: str | None, adopt_n: int | None,
             name: str | None, definition: str, keywords: str, coder: str | None,
             code_what: str, save_codebook: str | None) -> None:
    """Find clusters of answers no theme covers (candidate new themes) in PROJECT.

    Without --adopt, lists the candidates: size, top words and example answers. With
    --adopt N --name NAME --coder CODER, adds candidate N as a theme (a new codebook
    version, with a change note) and codes its example answers with it.
    """
    from themecoder.discover import adopt, candidates_markdown, discover_candidates

    if adopt_n is not None and (not name or not coder):
        raise click.UsageError("--adopt needs --name and --coder")
    with Project.open(resolve_project(project)) as store:
        candidates = discover_candidates(store, group=group, min_size=min_size,
                                         weak_score=weak_score, random_state=seed)
        if adopt_n is None:
            if limit is not None:
                candidates = candidates[:limit]
            _print(candidates)
            if out_md:
                Path(out_md).write_text(candidates_markdown(candidates), encoding="utf-8")
                click.echo(f"wrote {out_md}")
            return
        chosen = next((c for c in candidates if c.id == adopt_n), None)
        if chosen is None:
            raise StoreError(f"no candidate {adopt_n} (discovery found {len(candidates)}); "
                             "run `themecoder discover` to list them", field="adopt")
        done = adopt(store, chosen, name=name or "", definition=definition,
                     keywords=[k for k in keywords.split(",")], coder=coder or "",
                     code_examples=code_what == "examples",
                     answer_ids=list(chosen.answer_ids) if code_what == "all" else None)
    echo(f"added theme {done.theme.name} ({done.theme.id}) to codebook "
               f"{done.codebook.id} v{done.codebook.version}; coded {len(done.coded)} answers "
               f"as {coder}")
    if save_codebook:
        from themecoder.codebook import save_codebook as write

        write(done.codebook, save_codebook)
        click.echo(f"wrote {save_codebook}")


def _print(candidates: list) -> None:
    if not candidates:
        click.echo("no candidate themes: no cluster of uncoded answers is large and coherent "
                   "enough")
        return
    for c in candidates:
        echo(f"{c.id}. {c.name}  [{c.group}, {c.size} answers, cohesion {c.cohesion:.2f}]")
        echo(f"   top words: {', '.join(c.top_words)}")
        for text in c.examples:
            line = shown(text, one_line=True)
            echo(f"   - {line[:110]}{'…' if len(line) > 110 else ''}")
    click.echo("adopt one with: themecoder discover PROJECT --adopt N --name NAME --coder NAME")
