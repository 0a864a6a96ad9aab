"""The report as a Word document (python-docx), editable in Word and LibreOffice.

Built-in styles only (Title, Heading 1–3, Caption, Quote, Table Grid), so a report writer can
restyle the whole document from Word's style gallery. Figures are 300 dpi PNGs with the
report's caption below; table header rows repeat on every page.
"""

from __future__ import annotations

import io
from pathlib import Path

from themecoder.report.content import Figure, Heading, Paragraph, Quote, Report, Table

BANNER_RGB = (0xB0, 0x00, 0x20)


def _repeat_header(row) -> None:  # noqa: ANN001
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = row._tr.get_or_add_trPr()
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    properties.append(marker)


def _table(document, block: Table) -> None:  # noqa: ANN001
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    document.add_paragraph(block.caption, style=document.styles["Caption"])
    table = document.add_table(rows=1 + len(block.rows), cols=len(block.headers))
    table.style = "Table Grid"
    for row_index, values in enumerate([block.headers, *block.rows]):
        cells = table.rows[row_index].cells
        for col, value in enumerate(values):
            paragraph = cells[col].paragraphs[0]
            run = paragraph.add_run(str(value))
            run.font.size = Pt(8 if row_index == 0 else 9)
            if row_index == 0 or row_index in block.bold_rows:
                run.bold = True
            if block.numeric[col] and row_index:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _repeat_header(table.rows[0])
    _widths(table, block)
    document.add_paragraph()


TEXT_WIDTH_CM = 16.6
"""The page's text width (A4 less the margins)."""


def _widths(table, block: Table) -> None:  # noqa: ANN001
    """Numbers get narrow columns, text shares the rest."""
    from docx.shared import Cm

    # a number column is as wide as its header needs (8 pt bold), text shares the rest
    widths = [min(2.7, max(1.5, 0.21 * len(h) + 0.5)) if n else 0.0
              for h, n in zip(block.headers, block.numeric, strict=True)]
    text = [i for i, n in enumerate(block.numeric) if not n]
    rest = max(TEXT_WIDTH_CM - sum(widths), 2.0 * len(text))
    widths = [w if block.numeric[i] else rest / len(text) for i, w in enumerate(widths)]
    table.autofit = False
    for index, column in enumerate(table.columns):
        column.width = Cm(widths[index])  # LibreOffice reads the grid
    for row in table.rows:
        for index, cell in enumerate(row.cells):
            cell.width = Cm(widths[index])  # Word reads the cells


def _figure(document, block: Figure) -> None:  # noqa: ANN001
    from docx.shared import Cm

    from themecoder.export.charts import png_bytes

    document.add_picture(io.BytesIO(png_bytes(block.tally, block.group, block.settings,
                                              with_title=False)), width=Cm(16.5))
    document.add_paragraph(block.caption, style=document.styles["Caption"])


def _paragraph(document, block: Paragraph) -> None:  # noqa: ANN001
    from docx.shared import Pt, RGBColor

    paragraph = document.add_paragraph()
    run = paragraph.add_run(block.text)
    if block.kind == "banner":
        run.bold = True
        run.font.size = Pt(13)
        run.font.color.rgb = RGBColor(*BANNER_RGB)
    elif block.kind == "warning":
        run.bold = True
        run.font.color.rgb = RGBColor(*BANNER_RGB)
    elif block.kind == "note":
        run.font.size = Pt(9)


def _quote(document, block: Quote) -> None:  # noqa: ANN001
    from docx.shared import Pt

    paragraph = document.add_paragraph(style=document.styles["Quote"])
    paragraph.add_run(("★ " if block.starred else "") + f"“{block.text}”")
    attribution = document.add_paragraph()
    run = attribution.add_run(f"— {block.attribution}" if block.attribution else "")
    run.italic = True
    run.font.size = Pt(9)


def render_docx(report: Report, path: Path) -> Path:
    """Write ``report`` as a .docx file at ``path``."""
    from docx import Document
    from docx.shared import Cm

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.2))
    document.core_properties.title = report.title
    document.core_properties.author = "themecoder"
    document.add_heading(report.title, level=0)
    document.add_paragraph(report.subtitle)
    for block in report.blocks:
        if isinstance(block, Heading):
            document.add_heading(block.text, level=block.level)
        elif isinstance(block, Table):
            _table(document, block)
        elif isinstance(block, Figure):
            _figure(document, block)
        elif isinstance(block, Quote):
            _quote(document, block)
        else:
            _paragraph(document, block)
    document.save(str(path))
    return path
