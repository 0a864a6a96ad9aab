"""The report document: one editable file that puts the outputs together.

:func:`write_report` writes ``report.docx`` (python-docx; editable in Word and LibreOffice)
or ``report.html`` (one self-contained file: inline SVG figures and styles, nothing fetched).
Both hold, in order: the status (an unfinished banner while coding is incomplete, or an
explicit "nothing coded yet"), the % of respondents commenting per question, Figures 12 and
20 (titles from the export settings), a theme table per group and question, the differences
by respondent attribute that stay significant after Holm's adjustment, the quote bank, and
notes on method and provenance.

:mod:`.content` builds the document once as plain blocks; :mod:`.docx` and :mod:`.html`
render them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from themecoder.errors import ExportError
from themecoder.export.settings import ExportSettings, project_settings
from themecoder.store import Project

REPORT_FORMATS = {".docx": "docx", ".html": "html", ".htm": "html"}
"""File endings :func:`write_report` knows."""


def write_report(project: Project | str | os.PathLike[str], out: str | os.PathLike[str], *,
                 by: Iterable[str] = (), prefer_coder: str | None = None,
                 non_answers: str | None = None,
                 settings: ExportSettings | str | os.PathLike[str] | None = None) -> Path:
    """Write the report document to ``out`` (``.docx`` or ``.html``).

    Args:
        project: an open project or its location.
        out: the file to write; its ending chooses the format.
        by: respondent attributes whose significant differences the report lists.
        prefer_coder: whose decision counts when none is adjudicated.
        non_answers: ``comment`` / ``no-comment`` (default: the settings' or codebook's rule).
        settings: export settings, or a settings file.

    Raises:
        ExportError: an unknown format, attribute or coder, an empty project, or a file that
            cannot be written.
    """
    if not isinstance(project, Project):
        with Project.open(project) as opened:
            return write_report(opened, out, by=by, prefer_coder=prefer_coder,
                                non_answers=non_answers, settings=settings)
    path = Path(out)
    kind = REPORT_FORMATS.get(path.suffix.casefold())
    if kind is None:
        raise ExportError("the report file must end in .docx or .html", file=path)
    if path.is_dir():
        raise ExportError("is a folder; give a file name ending in .docx or .html", file=path)
    if not path.parent.exists():
        raise ExportError(f"the folder {path.parent} does not exist", file=path)
    if not isinstance(settings, ExportSettings):
        settings = project_settings(project, settings)
    from themecoder.report.content import build_report

    report = build_report(project, by=list(dict.fromkeys(by)), prefer_coder=prefer_coder,
                          non_answers=non_answers, settings=settings)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        if kind == "docx":
            from themecoder.report.docx import render_docx

            render_docx(report, tmp)
        else:
            from themecoder.report.html import render_html

            tmp.write_text(render_html(report), encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ExportError(f"cannot write the report ({exc.strerror or exc})", file=path) from None
    return path


__all__ = ["REPORT_FORMATS", "write_report"]
