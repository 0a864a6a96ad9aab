"""Text from data, made safe to show: passwords masked, control characters made visible.

Answers, theme names, group labels, file names and database locations come from files and
people; shown as they are, they can reveal a password or drive the terminal. Two helpers
keep what is shown harmless, while the stored text stays exactly as imported:

* :func:`mask_secrets` replaces every password in database locations — the password of a URL
  (``postgresql://user:PASSWORD@host``), a ``password=`` query parameter and the
  ``password=`` of a libpq string (``"host=… password=…"``) — with ``***``.
* :func:`visible_controls` replaces C0 and C1 control characters (ESC, BEL, backspace,
  the 8-bit CSI…) with visible stand-ins, so an answer holding an escape sequence shows the
  sequence instead of clearing the screen, recolouring text or setting the window title.
  Newlines and tabs stay as layout unless the text must fit on one line.
"""

from __future__ import annotations

import re

MASK = "***"
"""What a masked password reads as."""

_URL_AUTHORITY = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.\-]*://)(?P<authority>[^\s/?#]*)")
_PARAM_PASSWORD = re.compile(r"(?P<head>(?:^|[\s?&;,])password\s*=\s*)"
                             r"(?P<secret>'(?:[^'\\]|\\.)*'?|[^\s&;,]*)", re.IGNORECASE)

# Control characters: C0 (except tab and newline, which are layout), DEL, and C1.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROLS_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _mask_authority(match: re.Match[str]) -> str:
    """``scheme://user:password@host`` → ``scheme://user:***@host`` (the last ``@`` ends it)."""
    credentials, at, host = match.group("authority").rpartition("@")
    if not at or ":" not in credentials:
        return match.group(0)
    user = credentials.split(":", 1)[0]
    return f"{match.group('head')}{user}:{MASK}@{host}"


def mask_secrets(text: str) -> str:
    """``text`` with every password in a URL, a query string or a libpq string masked.

    >>> mask_secrets("postgresql://ann:s3cret@db/x?password=s3cret")
    'postgresql://ann:***@db/x?password=***'
    >>> mask_secrets("host=db password='a b' dbname=x")
    'host=db password=*** dbname=x'
    """
    text = _URL_AUTHORITY.sub(_mask_authority, text)
    return _PARAM_PASSWORD.sub(lambda m: m.group("head") + MASK if m.group("secret") else
                               m.group(0), text)


def _stand_in(char: str) -> str:
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode control pictures: ␛ ␇ ␈ ␍ …
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"\\x{code:02x}"  # C1 controls have no pictures: shown as \x9b


def visible_controls(text: str, *, one_line: bool = False) -> str:
    """``text`` with control characters replaced by visible stand-ins.

    C0 controls become their Unicode "control picture" (ESC shows as ␛, BEL as ␇), DEL shows
    as ␡ and C1 controls as ``\\x9b``. A carriage return ends a line like a newline (``\\r\\n``
    counts once). Newlines and tabs are kept as layout; with ``one_line`` they become spaces
    and runs of spaces shrink to one.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if one_line:
        text = " ".join(_CONTROLS.sub(lambda m: _stand_in(m.group(0)), text).split())
        return _CONTROLS_ONE_LINE.sub(lambda m: _stand_in(m.group(0)), text)
    return _CONTROLS.sub(lambda m: _stand_in(m.group(0)), text)


def shown(text: object, *, one_line: bool = False) -> str:
    """Any value as text that is safe to print: controls visible, passwords masked."""
    return mask_secrets(visible_controls(str(text), one_line=one_line))
