"""The project's own error types: one-line, user-facing messages.

Every mistake a user can make (a bad codebook, a survey file with a missing
column, a model made for another codebook) raises a subclass of
:class:`ThemecoderError`. Its ``str()`` is one line that names the file, the
line or row and the field, so the CLI can print it without a traceback. Names and
values quoted in it come from files and people, so its control characters are made
visible and any password is masked.
"""

from __future__ import annotations

from pathlib import Path

from themecoder.safe_text import shown


class ThemecoderError(Exception):
    """A user-facing error with a location: file, line/row and field."""

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        row: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.row = row
        self.field = field
        super().__init__(self.one_line())

    def one_line(self) -> str:
        """The message as one line: ``file:line: field 'x': message``."""
        # names and values in it come from files and people: keep each part inert (each on
        # its own, so masking a password never runs on into the separators added here)
        where = ""
        if self.file:
            where = shown(self.file, one_line=True)
            if self.line is not None:
                where += f":{self.line}"
            elif self.row is not None:
                where += f": row {self.row}"
            where += ": "
        elif self.row is not None:
            where = f"row {self.row}: "
        field = f"field '{shown(self.field, one_line=True)}': " if self.field else ""
        return f"{where}{field}{shown(self.message, one_line=True)}"


class CodebookError(ThemecoderError):
    """A codebook file is unreadable or invalid."""


class SurveyError(ThemecoderError):
    """A survey file cannot be imported as asked."""


class StoreError(ThemecoderError):
    """The project store cannot do what was asked (missing project, bad id...)."""


class ModelError(ThemecoderError):
    """A model file is missing, tampered with, or made for another codebook."""


class ExportError(ThemecoderError):
    """An export cannot be written as asked."""


class DecidedByOther(StoreError):
    """A decision was refused: another coder decided the answer a moment before.

    Attributes:
        answer_id: the answer.
        coder: who decided it.
        decision_id: their decision in force (a deliberate revision names it).
    """

    def __init__(self, answer_id: int, coder: str, decision_id: int) -> None:
        self.answer_id = answer_id
        self.coder = coder
        self.decision_id = decision_id
        super().__init__(f"{coder} decided this a moment ago", field="answer")


def read_user_text(path: str | Path, error: type[ThemecoderError], what: str) -> str:
    """A user's text file (UTF-8, a BOM allowed), or ``error`` with a one-line message.

    Args:
        path: the file.
        error: the error type to raise (names the file).
        what: what the file is, for messages ("codebook", "settings file").
    """
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise error(f"no such {what}", file=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"cannot read the {what}: {exc}", file=path) from None
