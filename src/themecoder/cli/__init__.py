"""The ``themecoder`` command: a thin layer of click commands over the library.

Each command module registers its commands on :data:`themecoder.cli.root.cli`;
this module imports them all and provides :func:`main`, the console-script entry point.
"""

from __future__ import annotations

# Each import registers that module's commands on the root group.
from themecoder.cli import (
    code_cmd,  # noqa: F401
    codebook_cmds,  # noqa: F401
    demo,  # noqa: F401
    discover_cmd,  # noqa: F401
    export_cmd,  # noqa: F401
    model_cmds,  # noqa: F401
    model_versions_cmds,  # noqa: F401
    project_cmds,  # noqa: F401
    serve_cmd,  # noqa: F401
    suggest_cmds,  # noqa: F401
    team_cmds,  # noqa: F401
)
from themecoder.cli.root import cli, main

__all__ = ["cli", "main"]
