"""The ``themecoder`` command: a thin layer of click commands over the library.

Each command module registers its commands on :data:`themecoder.cli.root.cli`; the root
group imports a command's module when the command is first used
(:data:`themecoder.cli.root.COMMAND_MODULES`), so starting one command does not import
what the others need. This module provides :func:`main`, the console-script entry point.
"""

from __future__ import annotations

from themecoder.cli.root import cli, main

__all__ = ["cli", "main"]
