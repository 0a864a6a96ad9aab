"""The report as one self-contained HTML file: inline styles and SVG figures, no network.

Everything from data is escaped; the only markup is this module's own. The figures are the
same SVG the export writes (text kept as text, so it can be searched and copied).
"""

from __future__ import annotations

from html import escape

from themecoder.report.content import Figure, Heading, Paragraph, Quote, Report, Table

STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; max-width: 60rem; margin: 2rem auto;
       padding: 0 1rem; color: #1a1a1a; line-height: 1.45; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #ccc; }
h3 { margin-top: 1.6rem; } h4 { margin: 1rem 0 0.3rem; }
.subtitle { color: #444; }
.banner { background: #B00020; color: #fff; font-weight: bold; padding: 0.6rem 0.8rem; }
.warning { color: #B00020; font-weight: bold; }
.note { font-size: 0.85rem; color: #333; }
table { border-collapse: collapse; margin: 0.3rem 0 1.2rem; font-size: 0.9rem; }
th, td { border: 1px solid #999; padding: 0.2rem 0.5rem; vertical-align: top; }
th { background: #E7E6E6; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: bold; }
caption { caption-side: top; text-align: left; font-weight: bold; padding-bottom: 0.3rem; }
figure { margin: 1rem 0 2rem; } figure svg { max-width: 100%; height: auto; }
figcaption { font-weight: bold; margin-top: 0.3rem; }
blockquote { margin: 0.5rem 0 0.1rem 1.5rem; font-style: italic; }
.attribution { margin: 0 0 0.8rem 1.5rem; font-size: 0.85rem; color: #444; }
@media print { body { max-width: none; } figure, table { break-inside: avoid; } }
"""


def _table(block: Table) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in block.headers)
    rows = []
    for index, values in enumerate(block.rows):
        cells = "".join(f'<td class="num">{escape(v)}</td>' if block.numeric[c]
                        else f"<td>{escape(v)}</td>" for c, v in enumerate(values))
        css = ' class="total"' if index in block.bold_rows else ""
        rows.append(f"<tr{css}>{cells}</tr>")
    return (f"<table><caption>{escape(block.caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def _figure(block: Figure) -> str:
    from themecoder.export.charts import svg_text

    svg = svg_text(block.tally, block.group, block.settings, with_title=False)
    return (f'<figure role="group" aria-label="{escape(block.caption)}">{svg}'
            f"<figcaption>{escape(block.caption)}</figcaption></figure>")


def render_html(report: Report) -> str:
    """The whole report as HTML text."""
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{escape(report.title)}</title><style>{STYLE}</style></head><body>",
             f"<h1>{escape(report.title)}</h1>",
             f'<p class="subtitle">{escape(report.subtitle)}</p>']
    for block in report.blocks:
        if isinstance(block, Heading):
            level = min(block.level + 1, 6)
            parts.append(f"<h{level}>{escape(block.text)}</h{level}>")
        elif isinstance(block, Table):
            parts.append(_table(block))
        elif isinstance(block, Figure):
            parts.append(_figure(block))
        elif isinstance(block, Quote):
            star = "★ " if block.starred else ""
            parts.append(f"<blockquote>{star}“{escape(block.text)}”</blockquote>"
                         f'<p class="attribution">— {escape(block.attribution)}</p>')
        elif isinstance(block, Paragraph):
            css = {"banner": "banner", "warning": "warning", "note": "note"}.get(block.kind)
            attr = f' class="{css}"' if css else ""
            parts.append(f"<p{attr}>{escape(block.text)}</p>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
