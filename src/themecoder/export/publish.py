"""Put an export in place whole: write it into a hidden folder, then move it in.

A killed export must leave either the earlier export or the new one, never a 0-byte file or
a mix. :func:`staging` makes a hidden folder inside the output folder (same disk, so moving
a file is an atomic rename); the writers fill it; :func:`publish` syncs each file to disk,
moves it into place (``metadata.json`` last, so the folder names its files only once they are
all there) and removes the files of the earlier export that this one no longer writes, as
its ``metadata.json`` lists them — never anything else. A staging folder left by a killed
export is removed by the next export.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

STAGING_PREFIX = ".themecoder-export-"
MANIFEST = "metadata.json"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _leftovers(out_dir: Path) -> Iterator[Path]:
    """Staging folders of exports that were killed (their process is gone)."""
    for path in out_dir.glob(f"{STAGING_PREFIX}*"):
        pid = path.name.removeprefix(STAGING_PREFIX).split("-", 1)[0]
        if path.is_dir() and pid.isdigit() and not _alive(int(pid)):
            yield path


@contextlib.contextmanager
def staging(out_dir: Path) -> Iterator[Path]:
    """A hidden folder inside ``out_dir`` to write an export into (removed afterwards)."""
    for leftover in _leftovers(out_dir):
        shutil.rmtree(leftover, ignore_errors=True)
    folder = out_dir / f"{STAGING_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
    folder.mkdir()
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _earlier_files(out_dir: Path) -> list[str]:
    """The files the export already in ``out_dir`` wrote, as its manifest lists them."""
    try:
        listed = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8")).get("files", [])
    except (OSError, ValueError, AttributeError):
        return []
    return [name for name in listed if isinstance(name, str) and name == Path(name).name
            and not name.startswith(".")]


def _sync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def publish(folder: Path, out_dir: Path, names: list[str]) -> list[Path]:
    """Move the files ``names`` from the staging ``folder`` into ``out_dir``.

    Returns:
        The files' paths in ``out_dir``, in the order given.
    """
    earlier = _earlier_files(out_dir)
    ordered = [n for n in names if n != MANIFEST] + [n for n in names if n == MANIFEST]
    for name in ordered:
        _sync(folder / name)
    for name in ordered:
        os.replace(folder / name, out_dir / name)
    for name in set(earlier) - set(names):
        with contextlib.suppress(OSError):
            (out_dir / name).unlink()
    with contextlib.suppress(OSError):  # make the renames themselves durable
        descriptor = os.open(out_dir, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
    return [out_dir / name for name in names]
