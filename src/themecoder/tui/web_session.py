"""One browser tab's coding session, as ``themecoder serve`` starts it.

textual-serve runs ``python -m themecoder.tui.web_session`` for each tab, with the
project's location in the environment (:data:`themecoder.tui.serve.PROJECT_ENV`). The
app asks the coder's name, then codes as usual; when the tab closes, the process ends.
"""

from __future__ import annotations

import os
import sys

from themecoder.tui.serve import PROJECT_ENV


def main() -> None:
    location = os.environ.get(PROJECT_ENV)
    if not location:
        sys.exit(f"error: {PROJECT_ENV} names no project")
    from themecoder.tui.app import CodingApp

    CodingApp(location, None).run()


if __name__ == "__main__":
    main()
