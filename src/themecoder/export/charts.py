"""Charts like the national report's Figures 12 (holders) and 20 (carers), drawn with matplotlib.

One chart per respondent group: for each theme, the comments on the three questions side by
side as grouped horizontal bars, themes ordered by total comments (most first). Bars differ by
greyscale shade *and* hatching, so the chart reads in black and white. A footnote names the
project, codebook, coders, decision rule and time, and says when coding is unfinished.

matplotlib is imported here only, with the non-interactive Agg backend.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from themecoder.export.tables import file_slug, group_questions, ordered_themes
from themecoder.export.tally import Tally, codebook_label, question_label

STYLES = [
    {"color": "#2b2b2b", "hatch": "", "edgecolor": "#000000"},
    {"color": "#8f8f8f", "hatch": "///", "edgecolor": "#000000"},
    {"color": "#e0e0e0", "hatch": "...", "edgecolor": "#000000"},
]
"""Bar styles per question: dark solid, mid grey hatched, light dotted."""

GROUP_NOUNS = {"holder": "personal budget holders", "holders": "personal budget holders",
               "carer": "carers", "carers": "carers"}


def chart_title(tally: Tally, group: str) -> str:
    """``"Figure 12-style: themes in comments by personal budget holders"`` and the like."""
    noun = GROUP_NOUNS.get(group.casefold())
    if noun is None:
        noun = tally.codebooks[group].name
    figure = {"personal budget holders": "Figure 12-style", "carers": "Figure 20-style"}.get(
        noun, "Report-style")
    return f"{figure}: themes in comments by {noun}"


def caption(tally: Tally, group: str) -> str:
    """The footnote under a chart: what it counts and where it came from."""
    meta = tally.metadata
    codebook = tally.codebooks[group]
    summary = tally.summary[tally.summary["group"] == group]
    commented = "; ".join(f"{question_label(r.question)}: {r.commented} of {r.respondents}"
                          for r in summary.itertuples(index=False))
    coder = meta.get("preferred_coder")
    rule = ("adjudicated, then " + (f"coder {coder}, then " if coder else "")
            + "most recent decision")
    parts = [f"Comments coded with each theme; an answer may have several themes. "
             f"Respondents who commented — {commented}.",
             f"Project {meta.get('project', '')} ({meta.get('location', '')}); codebook "
             f"{codebook_label(codebook)}; coders: {', '.join(meta.get('coders', [])) or 'none'}; "
             f"rule: {rule}; made {meta.get('created_at', '')}."]
    if tally.unfinished:
        parts.insert(0, tally.unfinished_note())
    return "\n".join(textwrap.fill(p, 150) for p in parts)


def write_charts(tally: Tally, out_dir: Path, formats: list[str]) -> list[Path]:
    """Write ``chart_<group>.png`` / ``.svg`` for every group (those of ``formats``)."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt
    import numpy as np

    files: list[Path] = []
    # svg.fonttype "none" keeps labels as text in the SVG (searchable, editable)
    with plt.rc_context({"svg.fonttype": "none", "hatch.linewidth": 0.6}):
        for group in tally.groups:
            themes = ordered_themes(tally, group)
            questions = group_questions(tally, group)
            n_themes, n_q = len(themes), max(len(questions), 1)
            height = 2.6 + 0.3 * n_themes * max(n_q, 2) / 2
            fig, ax = plt.subplots(figsize=(9.5, height), dpi=110)
            bar = 0.8 / n_q
            y = np.arange(n_themes)
            for i, q in enumerate(questions):
                style = STYLES[i % len(STYLES)]
                values = [per_q.get(q, 0) for _id, _name, per_q in themes]
                bars = ax.barh(y - 0.4 + bar * (i + 0.5), values, height=bar,
                               label=question_label(q), color=style["color"],
                               hatch=style["hatch"], edgecolor=style["edgecolor"], linewidth=0.6)
                ax.bar_label(bars, padding=2, fontsize=7)
            ax.set_yticks(y, [name for _id, name, _per_q in themes])
            ax.invert_yaxis()
            ax.set_xlabel("Number of comments")
            ax.set_ylabel("Theme")
            ax.set_title(chart_title(tally, group), fontsize=12, fontweight="bold", loc="left")
            ax.spines[["top", "right"]].set_visible(False)
            ax.grid(axis="x", color="#cccccc", linewidth=0.5)
            ax.set_axisbelow(True)
            xmax = max((max(per_q.values(), default=0) for *_x, per_q in themes), default=0)
            ax.set_xlim(0, max(xmax * 1.12, 1))
            ax.legend(title="Question", loc="lower right", frameon=True, fontsize=8,
                      title_fontsize=8)
            ax.margins(y=0.01)
            fig.text(0.01, 0.005, caption(tally, group), fontsize=6.5, ha="left", va="bottom",
                     color="#333333")
            lines = caption(tally, group).count("\n") + 1
            fig.tight_layout(rect=(0, 0.03 + 0.11 * lines / height, 1, 1))
            stem = f"chart_{file_slug(group)}"
            for fmt in formats:
                path = out_dir / f"{stem}.{fmt}"
                fig.savefig(path, format=fmt, metadata=_file_metadata(tally, fmt))
                files.append(path)
            plt.close(fig)
    return files


def _file_metadata(tally: Tally, fmt: str) -> dict[str, str]:
    meta = tally.metadata
    text = f"themecoder export of {meta.get('project', '')}, {meta.get('created_at', '')}"
    if fmt == "png":
        return {"Title": text, "Software": f"themecoder {meta.get('themecoder_version', '')}"}
    return {"Title": text}
