"""Figures 12 (holders) and 20 (carers) as the national report prints them, with matplotlib.

One figure per respondent group: for each theme, the comments on the three questions side by
side as grouped horizontal bars, themes ordered by total comments (most first). The title
comes from the export settings (defaults: the report's Figure 12 and Figure 20 titles); the
legend gives each question's % of respondents who commented and n; the count axis has whole
numbers only. While coding is unfinished a red banner across the top says so. Colours are
colour-blind safe and print as three clearly different greys (:mod:`.style`). Provenance
(project, coders, decision rule, time) is in ``metadata.json``, not on the figure.

PNG at 300 dpi and SVG (text kept as text). matplotlib is imported here only, with the
non-interactive Agg backend.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from themecoder.export.settings import ExportSettings
from themecoder.export.style import BANNER, EDGE, question_colour
from themecoder.export.tables import file_slug, group_questions, ordered_themes, question_legend
from themecoder.export.tally import Tally

DPI = 300
"""Resolution of the PNG figures."""

GROUP_NOUNS = {"holder": "personal budget holders", "holders": "personal budget holders",
               "carer": "carers", "carers": "carers"}


def respondents_line(tally: Tally, group: str) -> str:
    """``"n = 228 personal budget holders. An answer may mention several themes."``"""
    summary = tally.summary[tally.summary["group"] == group]
    n = int(summary["respondents"].iloc[0]) if len(summary) else 0
    noun = GROUP_NOUNS.get(group.casefold(), f"respondents ({group})")
    return f"n = {n:,} {noun}. Bars: comments coded with each theme; an answer may mention " \
           "several themes."


def banner_text(tally: Tally) -> str:
    """The unfinished banner (empty when coding is complete)."""
    if not tally.unfinished:
        return ""
    return (f"UNFINISHED: {tally.to_do:,} commented answer(s) not coded yet — "
            "counts will change")


def draw_figure(tally: Tally, group: str, settings: ExportSettings, *,  # noqa: ANN201
                with_title: bool = True):
    """The matplotlib figure of one group (the caller saves and closes it).

    ``with_title=False`` leaves the title to a document's caption.
    """
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.ticker import MaxNLocator

    themes = ordered_themes(tally, group)
    questions = group_questions(tally, group)
    n_themes, n_q = len(themes), max(len(questions), 1)
    title = textwrap.fill(settings.figure_title(group, tally.codebooks.get(group)), 80) \
        if with_title else ""
    title_lines = title.count("\n") + 1 if title else 0
    banner = banner_text(tally)
    top_inches = 0.35 * title_lines + 0.45 + (0.45 if banner else 0)
    plot_inches = max(0.28 * n_themes * max(n_q, 2) / 2, 1.6)
    height = top_inches + plot_inches + 1.5
    fig, ax = plt.subplots(figsize=(10, height), dpi=DPI)
    bar = 0.8 / n_q
    y = np.arange(n_themes)
    for i, q in enumerate(questions):
        values = [per_q.get(q, 0) for _id, _name, per_q in themes]
        bars = ax.barh(y - 0.4 + bar * (i + 0.5), values, height=bar,
                       label=question_legend(tally, group, q), color=question_colour(i),
                       edgecolor=EDGE, linewidth=0.5)
        ax.bar_label(bars, padding=2, fontsize=7)
    ax.set_yticks(y, [name for _id, name, _per_q in themes], fontsize=8.5)
    ax.invert_yaxis()
    ax.set_xlabel("Number of comments")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="x", color="#cccccc", linewidth=0.5)
    ax.set_axisbelow(True)
    xmax = max((max(per_q.values(), default=0) for *_x, per_q in themes), default=0)
    ax.set_xlim(0, max(xmax * 1.12, 1))
    ax.margins(y=0.01)
    fig.legend(loc="lower center", ncols=1, fontsize=8, frameon=False,
               title="Question: % of respondents who commented (n)", title_fontsize=8)
    top = 1 - top_inches / height
    fig.subplots_adjust(left=0.3, right=0.97, top=top, bottom=1.35 / height)
    y_text = 1 - 0.15 / height
    if banner:
        fig.text(0.5, y_text, banner, ha="center", va="top", fontsize=11, fontweight="bold",
                 color="white", bbox={"boxstyle": "square,pad=0.4", "facecolor": BANNER,
                                      "edgecolor": BANNER})
        y_text -= 0.45 / height
    if title:
        fig.text(0.02, y_text, title, ha="left", va="top", fontsize=12, fontweight="bold")
    fig.text(0.02, y_text - 0.35 * title_lines / height, respondents_line(tally, group),
             ha="left", va="top", fontsize=8.5, color="#333333")
    return fig


def write_charts(tally: Tally, out_dir: Path, formats: list[str],
                 settings: ExportSettings | None = None) -> list[Path]:
    """Write ``chart_<group>.png`` / ``.svg`` for every group (those of ``formats``)."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    settings = settings or ExportSettings()
    files: list[Path] = []
    # svg.fonttype "none" keeps labels as text in the SVG (searchable, editable)
    with plt.rc_context({"svg.fonttype": "none", "svg.hashsalt": "themecoder"}):
        for group in tally.groups:
            fig = draw_figure(tally, group, settings)
            stem = f"chart_{file_slug(group)}"
            for fmt in formats:
                path = out_dir / f"{stem}.{fmt}"
                fig.savefig(path, format=fmt, dpi=DPI if fmt == "png" else "figure",
                            metadata=_file_metadata(tally, group, settings, fmt))
                files.append(path)
            plt.close(fig)
    return files


def svg_text(tally: Tally, group: str, settings: ExportSettings, *,
             with_title: bool = True) -> str:
    """A group's figure as SVG text (for a self-contained HTML report)."""
    import io

    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    with plt.rc_context({"svg.fonttype": "none", "svg.hashsalt": "themecoder"}):
        fig = draw_figure(tally, group, settings, with_title=with_title)
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None})
        plt.close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def png_bytes(tally: Tally, group: str, settings: ExportSettings, *,
              with_title: bool = True) -> bytes:
    """A group's figure as a 300 dpi PNG (for the DOCX report)."""
    import io

    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    fig = draw_figure(tally, group, settings, with_title=with_title)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    plt.close(fig)
    return buffer.getvalue()


def figure_provenance(tally: Tally, settings: ExportSettings,
                      files: list[Path]) -> list[dict[str, object]]:
    """What ``metadata.json`` records about each figure (the figure itself shows none of it)."""
    out = []
    for group in tally.groups:
        stem = f"chart_{file_slug(group)}"
        summary = tally.summary[tally.summary["group"] == group]
        out.append({
            "group": group, "files": [p.name for p in files if p.stem == stem],
            "title": settings.figure_title(group, tally.codebooks.get(group)),
            "respondents": int(summary["respondents"].iloc[0]) if len(summary) else 0,
            "commented": {r.question: int(r.commented) for r in summary.itertuples()},
            "unfinished": tally.unfinished, "dpi": DPI,
            "project": tally.metadata.get("project"), "made": tally.metadata.get("created_at"),
            "coders": tally.metadata.get("coders_counted"),
            "decision_rule": tally.metadata.get("decision_rule")})
    return out


def _file_metadata(tally: Tally, group: str, settings: ExportSettings,
                   fmt: str) -> dict[str, str]:
    meta = tally.metadata
    title = settings.figure_title(group, tally.codebooks.get(group))
    if fmt == "png":
        return {"Title": title, "Software": f"themecoder {meta.get('themecoder_version', '')}",
                "Source": "provenance: metadata.json beside this file"}
    return {"Title": title, "Description": "provenance: metadata.json beside this file"}
